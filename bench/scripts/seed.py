#!/usr/bin/env python3
"""Builds the benchmark collection through the mesh, from an app host: COUNT documents with distinct,
deterministic 384-dim embeddings, added in batches. Replaces a collection of the same name. Prints one JSON line.

Usage: seed.py BASE_URL COLLECTION COUNT
"""
import json
import math
import sys
import time
import urllib.error
import urllib.request

DIM = 384
BATCH = 250


def call(method, url, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def embedding(i):
    return [math.cos(0.37 * (i + 1) * (k + 1)) for k in range(DIM)]


def main():
    base, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    api = base + "/api/v2/tenants/default_tenant/databases/default_database"
    start = time.monotonic()
    try:
        call("DELETE", api + "/collections/" + name)
    except urllib.error.HTTPError:
        pass  # not there yet
    coll = call("POST", api + "/collections", {"name": name, "metadata": {"hnsw:space": "l2"}})
    for lo in range(0, count, BATCH):
        ids = range(lo, min(lo + BATCH, count))
        call("POST", api + "/collections/%s/add" % coll["id"], {
            "ids": ["doc-%d" % i for i in ids],
            "embeddings": [embedding(i) for i in ids],
            "documents": ["document %d of the benchmark corpus" % i for i in ids],
        })
    stored = call("GET", api + "/collections/%s/count" % coll["id"])
    print(json.dumps({"collection": name, "id": coll["id"], "documents": stored, "dim": DIM,
                      "seconds": round(time.monotonic() - start, 3)}))
    return 0 if stored == count else 1


if __name__ == "__main__":
    sys.exit(main())
