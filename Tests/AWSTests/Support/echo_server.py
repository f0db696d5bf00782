#!/usr/bin/env python3
"""Test server for HTTPClientTests. Binds 127.0.0.1 on a free port and prints
the port as its first stdout line.

GET|POST|PUT|DELETE /echo     -> JSON: method, path, headers [[name, value]], body_length,
                                 body_sha256, body_b64 (bodies up to 64 KiB)
GET|HEAD /bytes?n=N           -> N bytes, byte i = i % 251
ANY /status?code=C&body=B     -> status C with body B
GET /sleep?s=S                -> sleeps S seconds, then 200 "slept"
GET /cut?n=N                  -> declares N bytes of /bytes, sends half, closes the connection
GET /stats                    -> JSON: connections accepted so far
"""
import base64
import hashlib
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Lock()
connections = 0


def pattern(n):
    block = bytes(i % 251 for i in range(251))
    reps, rest = divmod(n, 251)
    return block * reps + block[:rest]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        global connections
        with lock:
            connections += 1
        super().setup()

    def log_message(self, *args):
        pass

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        digest = hashlib.sha256()
        small = bytearray()
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            digest.update(chunk)
            if len(small) <= 65536:
                small += chunk
            remaining -= len(chunk)
        return length - remaining, digest.hexdigest(), bytes(small) if length <= 65536 else None

    def reply(self, status, body, content_type="application/octet-stream", head=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def handle_any(self, head=False):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/echo":
            length, sha, small = self.read_body()
            doc = {
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body_length": length,
                "body_sha256": sha,
                "body_b64": base64.b64encode(small).decode() if small is not None else None,
            }
            self.reply(200, json.dumps(doc).encode(), "application/json", head)
        elif url.path == "/bytes":
            self.read_body()
            self.reply(200, pattern(int(q.get("n", "0"))), head=head)
        elif url.path == "/status":
            self.read_body()
            self.reply(int(q.get("code", "500")), q.get("body", "").encode(), "application/xml", head)
        elif url.path == "/sleep":
            self.read_body()
            time.sleep(float(q.get("s", "1")))
            try:
                self.reply(200, b"slept", "text/plain", head)
            except OSError:
                pass
        elif url.path == "/cut":
            self.read_body()
            body = pattern(int(q.get("n", "0")))
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
            except OSError:
                pass
        elif url.path == "/stats":
            with lock:
                n = connections
            self.reply(200, json.dumps({"connections": n}).encode(), "application/json", head)
        else:
            self.read_body()
            self.reply(404, b"no such endpoint", "text/plain", head)

    def do_GET(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any(head=True)

    do_POST = do_PUT = do_DELETE = do_GET


# A parent may spawn us with SIGTERM blocked (Swift's test runner does), so
# terminate() would not work; and if the parent dies without stopping us, its
# end of our stdin closes, which must end us too.
signal.pthread_sigmask(signal.SIG_UNBLOCK, signal.valid_signals())


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_stdin_closes, daemon=True).start()

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
