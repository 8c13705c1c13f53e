#!/usr/bin/env python3
"""Writes, checks or removes the collection a fault drill keeps across a failure, through the mesh from an app
host. `write` replaces it with COUNT documents; `check` requires the same count and document 7 as its own
nearest neighbour; `delete` removes it. Prints one JSON line; exits non-zero on any failure.

Usage: drill-collection.py write|check|delete NAME [COUNT]
"""
import json
import math
import sys
import urllib.error
import urllib.request

API = "http://127.0.0.1:8001/api/v2/tenants/default_tenant/databases/default_database"
DIM = 384


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def embedding(i):
    return [math.cos(0.37 * (i + 1) * (k + 1)) for k in range(DIM)]


def main():
    action, name = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    if action == "delete":
        call("DELETE", API + "/collections/" + name)
        print(json.dumps({"deleted": name}))
        return 0
    if action == "write":
        try:
            call("DELETE", API + "/collections/" + name)
        except urllib.error.HTTPError:
            pass
        coll = call("POST", API + "/collections", {"name": name})
        call("POST", API + "/collections/%s/add" % coll["id"], {
            "ids": ["id-%d" % i for i in range(count)],
            "embeddings": [embedding(i) for i in range(count)],
            "documents": ["drill document %d" % i for i in range(count)],
        })
    coll = call("GET", API + "/collections/" + name)
    stored = call("GET", API + "/collections/%s/count" % coll["id"])
    hit = call("POST", API + "/collections/%s/query" % coll["id"], {
        "query_embeddings": [embedding(7)], "n_results": 1, "include": ["documents"]})
    result = {"collection": name, "id": coll["id"], "documents": stored, "top": hit["ids"][0][0],
              "top_document": hit["documents"][0][0]}
    print(json.dumps(result))
    return 0 if stored == count and result["top"] == "id-7" else 1


if __name__ == "__main__":
    sys.exit(main())
