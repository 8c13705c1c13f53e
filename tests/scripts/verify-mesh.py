#!/usr/bin/env python3
"""Checks the mesh path from an app host, the way the Django app would use it.

Through the app's sidecar (127.0.0.1:8001): Chroma's heartbeat, then a real round trip: create a collection,
add documents with embeddings, query them back, delete the collection. Directly to the chroma host's port
8000: must be refused. Prints one JSON object; exits 0 only if every check passed.

Usage: verify-mesh.py CHROMA_ADDRESS [--expect-denied]
  --expect-denied  the mesh path must be refused (an intention denies it); the direct path still must be.
"""
import json
import math
import socket
import sys
import time
import urllib.error
import urllib.request

UPSTREAM = "http://127.0.0.1:8001"
API = UPSTREAM + "/api/v2/tenants/default_tenant/databases/default_database"
DIM = 384  # the size of common sentence-embedding models


def call(method, url, body=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def embedding(i):
    """A distinct, deterministic vector per document: document i is its own nearest neighbour."""
    return [math.cos(0.37 * (i + 1) * (k + 1)) for k in range(DIM)]


def mesh_round_trip():
    name = "ragmesh-verify-%d" % int(time.time() * 1000)
    coll = call("POST", API + "/collections", {"name": name, "get_or_create": True})
    try:
        docs = ["doc %d about the mesh" % i for i in range(20)]
        call("POST", API + "/collections/%s/add" % coll["id"], {
            "ids": ["id-%d" % i for i in range(len(docs))],
            "embeddings": [embedding(i) for i in range(len(docs))],
            "documents": docs,
        })
        count = call("GET", API + "/collections/%s/count" % coll["id"])
        hit = call("POST", API + "/collections/%s/query" % coll["id"], {
            "query_embeddings": [embedding(7)], "n_results": 3, "include": ["documents", "distances"],
        })
        top = hit["ids"][0][0]
        if count != len(docs) or top != "id-7":
            raise RuntimeError("round trip returned count=%s top=%s, want %d and id-7" % (count, top, len(docs)))
        return {"documents": count, "top_hit": top}
    finally:
        call("DELETE", API + "/collections/" + name)


def refused(host, port, timeout=3):
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return False
    except OSError:
        return True


def main():
    chroma = sys.argv[1]
    expect_denied = "--expect-denied" in sys.argv
    result = {"checks": {}, "ok": True}

    def check(name, ok, detail=""):
        result["checks"][name] = {"ok": bool(ok), "detail": detail}
        result["ok"] = result["ok"] and bool(ok)

    try:
        beat = call("GET", UPSTREAM + "/api/v2/heartbeat")
        heartbeat_ok, detail = True, json.dumps(beat)
    except (OSError, urllib.error.URLError, ValueError) as e:
        heartbeat_ok, detail = False, str(e)
    if expect_denied:
        check("mesh path denied", not heartbeat_ok, detail)
    else:
        check("heartbeat via 127.0.0.1:8001", heartbeat_ok, detail)
        if heartbeat_ok:
            try:
                check("collection round trip via mesh", True, json.dumps(mesh_round_trip()))
            except Exception as e:  # any failure of the round trip is the finding
                check("collection round trip via mesh", False, str(e))
    check("direct %s:8000 refused" % chroma, refused(chroma, 8000))
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
