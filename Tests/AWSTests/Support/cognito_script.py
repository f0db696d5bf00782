#!/usr/bin/env python3
"""Scripted Cognito answers for CognitoPagingTests. Binds 127.0.0.1 on a free
port and prints the port as its first stdout line; exits when stdin closes.

argv[1]: JSON {"Operation": [answer, answer, ...]}; the Nth call of an
operation (X-Amz-Target AWSCognitoIdentityProviderService.Operation) gets the
Nth answer (HTTP 200, the answer as its JSON body), the last one repeated.
argv[2]: a file rewritten after every call with the JSON list of
[operation, request body] received so far, in order.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

script = json.loads(sys.argv[1])
seen = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        op = (self.headers.get("X-Amz-Target") or "").split(".")[-1]
        with lock:
            n = sum(1 for o, _ in seen if o == op)
            seen.append([op, body])
            with open(sys.argv[2], "w", encoding="utf-8") as f:
                json.dump(seen, f)
        answers = script.get(op) or [{}]
        self.reply(answers[min(n, len(answers) - 1)])


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
