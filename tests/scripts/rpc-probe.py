#!/usr/bin/env python3
"""Probes a Consul server's RPC port the way an unauthenticated client would.

plaintext: the RPC byte for a plain Consul RPC connection, then a request; the server must close.
tls-without-cert: the RPC byte for TLS, then a TLS handshake with no client certificate; must fail.
Usage: rpc-probe.py HOST PORT
"""
import socket
import ssl
import sys

host, port = sys.argv[1], int(sys.argv[2])


def refused_plaintext():
    s = socket.create_connection((host, port), timeout=5)
    try:
        s.sendall(b"\x01" + b"\x82\xa6Method\xabStatus.Ping\xa5Seq\x00")
        return s.recv(1) == b""
    except OSError:
        return True
    finally:
        s.close()


def refused_tls_without_cert():
    raw = socket.create_connection((host, port), timeout=5)
    try:
        raw.sendall(b"\x04")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        tls = ctx.wrap_socket(raw, server_hostname="server.dc1.consul")
        tls.sendall(b"\x01")
        return tls.recv(1) == b""
    except (OSError, ssl.SSLError):
        return True
    finally:
        raw.close()


print("plaintext:", "refused" if refused_plaintext() else "ACCEPTED")
print("tls-without-cert:", "refused" if refused_tls_without_cert() else "ACCEPTED")
