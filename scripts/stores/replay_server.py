#!/usr/bin/env python3
"""A stand-in for a trace store's HTTP API: answers GET requests with recorded bodies.

    replay_server.py ROUTES.json [--tls CERT KEY] [--log FILE]

ROUTES.json is {"routes": [ROUTE, ...]}; a ROUTE matches a request's path exactly (or, ending in
"*", by prefix) and says how to answer:

    "status"   HTTP status (200)
    "file"     a file whose bytes are the body (relative paths: from ROUTES.json's directory)
    "body"     the body as text (or "json": any JSON value, written compactly)
    "delay"    seconds to wait before answering (a slow store)
    "drop"     true: close the connection without answering (a store that dies mid-request)
    "gzip"     true: send the body gzip-encoded (Content-Encoding: gzip)
    "headers"  extra response headers
    "require"  {"Header": "value"}: answer 401 Unauthorized unless the request has them

A request no route matches gets Go's default "404 page not found", as a Tempo or Jaeger without
that route answers. Each request is appended to --log as a JSON line (method, path, query, headers).
The address is printed on standard error as "listening on 127.0.0.1:PORT" once the server is up.
Used by the end-to-end tests (Tests/EndToEndTests/StoreEndToEndTests.swift) with the real bodies
of ../shared/samples/stores/, and by hand to try `tracetui view --tempo` and `search` without a store.
"""

import gzip
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def load_routes(path):
    with open(path, encoding="utf-8") as f:
        routes = json.load(f)["routes"]
    base = os.path.dirname(os.path.abspath(path))
    for route in routes:
        if "file" in route:
            with open(os.path.join(base, route["file"]), "rb") as f:
                route["bytes"] = f.read()
        elif "json" in route:
            route["bytes"] = json.dumps(route["json"], separators=(",", ":")).encode()
        else:
            route["bytes"] = route.get("body", "").encode()
    return routes


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    routes = load_routes(args[0])
    tls = args[args.index("--tls") + 1 : args.index("--tls") + 3] if "--tls" in args else None
    log_path = args[args.index("--log") + 1] if "--log" in args else None
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_GET(self):
            url = urlsplit(self.path)
            if log_path:
                entry = {
                    "method": "GET",
                    "path": url.path,
                    "query": {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                }
                with log_lock, open(log_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")
            route = next((r for r in routes if matches(r["path"], url.path)), None)
            if route is None:
                return self.answer(404, b"404 page not found\n", {"Content-Type": "text/plain; charset=utf-8"})
            if route.get("delay"):
                time.sleep(route["delay"])
            if route.get("drop"):
                self.close_connection = True
                self.connection.shutdown(2)
                return
            for name, value in route.get("require", {}).items():
                if self.headers.get(name) != value:
                    return self.answer(401, b"Unauthorized\n", {"Content-Type": "text/plain"})
            headers = {"Content-Type": "application/json"}
            headers.update(route.get("headers", {}))
            body = route["bytes"]
            if route.get("gzip"):
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            self.answer(route.get("status", 200), body, headers)

        def answer(self, status, body, headers):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on 127.0.0.1:{server.server_address[1]}", file=sys.stderr, flush=True)
    server.serve_forever()


def matches(pattern, path):
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


if __name__ == "__main__":
    main()
