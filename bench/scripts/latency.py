#!/usr/bin/env python3
"""Measures Chroma request latency from the host it runs on: a heartbeat or a top-10 query against the
benchmark collection, over a new TCP connection per request or one kept-alive connection. Bounded by a request
count and a time limit, whichever comes first; a few warm-up requests are not counted. Prints one JSON line with
every sample, so that runs can be merged before percentiles are taken.

Usage: latency.py HOST:PORT COLLECTION heartbeat|query new|pooled REQUESTS SECONDS
"""
import http.client
import json
import math
import sys
import time

API = "/api/v2/tenants/default_tenant/databases/default_database"
DIM = 384
WARMUP = 20
HEADERS = {"Content-Type": "application/json"}


def embedding(i):
    return [math.cos(0.37 * (i + 1) * (k + 1)) for k in range(DIM)]


def request(conn, method, path, body=None):
    conn.request(method, path, body=body, headers=HEADERS)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError("%s %s: HTTP %d %s" % (method, path, resp.status, data[:200]))
    return data


def main():
    address, collection, kind, mode = sys.argv[1:5]
    limit, seconds = int(sys.argv[5]), float(sys.argv[6])
    host, port = address.rsplit(":", 1)

    def connect():
        return http.client.HTTPConnection(host, int(port), timeout=10)

    setup = connect()
    coll_id = json.loads(request(setup, "GET", API + "/collections/" + collection))["id"]
    setup.close()
    # A fixed set of query bodies, encoded up front so that only the request is timed.
    queries = [json.dumps({"query_embeddings": [embedding(i * 7 % 1000)], "n_results": 10,
                           "include": ["documents", "distances"]}).encode() for i in range(50)]
    if kind == "heartbeat":
        def one(conn, i):
            request(conn, "GET", "/api/v2/heartbeat")
    else:
        path = API + "/collections/%s/query" % coll_id

        def one(conn, i):
            request(conn, "POST", path, queries[i % len(queries)])

    pooled = connect() if mode == "pooled" else None
    for i in range(WARMUP):
        conn = pooled or connect()
        one(conn, i)
        if not pooled:
            conn.close()

    samples = []
    start = time.perf_counter()
    deadline = start + seconds
    while len(samples) < limit and time.perf_counter() < deadline:
        t0 = time.perf_counter()
        conn = pooled or connect()
        one(conn, len(samples))
        if not pooled:
            conn.close()
        samples.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    if pooled:
        pooled.close()

    print(json.dumps({
        "kind": kind, "mode": mode, "address": address, "seconds": round(wall, 4),
        "samples_ms": [round(x * 1000.0, 4) for x in samples],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
