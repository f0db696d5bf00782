#!/usr/bin/env python3
"""Fake ECS container-credentials and EC2 IMDSv2 endpoints for the credential
tests. Binds 127.0.0.1 on a free port and prints the port as its first stdout line.

  CredentialServer.py [--auth TOKEN]

Container:  GET any path under /ecs/ -> credentials JSON; with --auth the
            Authorization header must equal TOKEN, else 401.
IMDSv2:     PUT /latest/api/token (needs X-aws-ec2-metadata-token-ttl-seconds) -> a token;
            GET /latest/meta-data/iam/security-credentials/ -> "snap-role";
            GET /latest/meta-data/iam/security-credentials/snap-role -> credentials JSON.
            A GET without the right X-aws-ec2-metadata-token gets 401.
GET /stats  -> JSON list of [method, path] of every request so far.
"""
import datetime
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IMDS_TOKEN = "imds-session-token-123"
lock = threading.Lock()
seen = []
auth = None
if "--auth" in sys.argv:
    auth = sys.argv[sys.argv.index("--auth") + 1]


def creds_json(prefix, code=True):
    exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"AccessKeyId": prefix + "AKID", "SecretAccessKey": prefix + "-SECRET-VALUE",
            "Token": prefix + "-SESSION-TOKEN", "Expiration": exp}
    if code:
        body.update({"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": exp})
    return json.dumps(body).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def record(self):
        with lock:
            seen.append([self.command, self.path])
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def do_PUT(self):
        self.record()
        if self.path == "/latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.reply(400, b"missing ttl", "text/plain")
            return self.reply(200, IMDS_TOKEN.encode(), "text/plain")
        self.reply(404, b"not found", "text/plain")

    def do_GET(self):
        self.record()
        if self.path == "/stats":
            with lock:
                return self.reply(200, json.dumps(seen).encode())
        if self.path.startswith("/ecs/"):
            if auth is not None and self.headers.get("Authorization") != auth:
                return self.reply(401, json.dumps({"code": "AccessDenied", "message": "bad authorization"}).encode())
            return self.reply(200, creds_json("ECS", code=False))
        if self.path.startswith("/latest/meta-data/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.reply(401, b"", "text/plain")
            if self.path == "/latest/meta-data/iam/security-credentials/":
                return self.reply(200, b"snap-role", "text/plain")
            if self.path == "/latest/meta-data/iam/security-credentials/snap-role":
                return self.reply(200, creds_json("IMDS"))
        self.reply(404, b"not found", "text/plain")


def main():
    # A child of the test process inherits its blocked signal mask; unblock so terminate() works.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
