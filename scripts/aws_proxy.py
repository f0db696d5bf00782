#!/usr/bin/env python3
"""A loopback proxy in front of moto for what moto lacks: Cognito quotas,
latency and faults. Test support only.

It forwards each request's bytes unchanged (moto still checks every
signature), and:
  * keeps one token bucket per Cognito quota category (SPEC table) and
    answers HTTP 400 TooManyRequestsException beyond the rate (--quota-scale
    scales every rate; --no-quota turns buckets off);
  * waits --latency-ms before forwarding (Cognito's round trip);
  * injects faults: --fault OPERATION:COUNT:KIND (KIND throttle|500|reset,
    denied (Cognito's AccessDeniedException, as IAM answers a missing
    cognito-idp:OPERATION), cognito=CODE (a Cognito HTTP 400 error of that
    code, e.g. cognito=InvalidParameterException), or CODE@STATUS for an S3 error document, e.g.
    RequestTimeout@400) fails the first COUNT calls of that operation;
  * faults by path: --fault-path [METHOD ]REGEX:COUNT:KIND fails the first
    COUNT calls whose path matches REGEX (e.g. one bucket's archive GETs,
    leaving its .json files whole), only calls of METHOD when one is given
    (e.g. "DELETE /bucket/.*\.tar\.zst" denies deletes, not reads); KIND as for --fault-rate but stall: truncate or
    reset cut the answer half way through its body, the others answer an
    error without forwarding;
  * stalls: --stall OPERATION:SECONDS holds every call of that operation
    that long before forwarding it (to interrupt snap mid-request);
  * injects faults at random: --fault-rate OPERATION:SHARE:KIND fails that
    share (0..1) of the calls of OPERATION, which may also be "*" (every
    call), "cognito" or "s3" (every call of that service). KIND is one of
      throttle   HTTP 400 TooManyRequestsException (Cognito's answer; S3 gets
                 503 SlowDown, its own)
      500, 503   InternalError / ServiceUnavailable (JSON for Cognito, an
                 error document for S3)
      reset      the call reaches moto, then the connection is reset (RST)
                 in the middle of the response body
      truncate   the call reaches moto, then the response stops half way
                 through its declared Content-Length and the connection closes
      stall      the call is held --stall-seconds (default 90, longer than
                 the client's low-speed timeout) before it is forwarded
      CODE@STATUS  an S3 error document, as for --fault
    Draws come from one random.Random(--seed), so a run is reproducible up
    to thread interleaving; stats count what was injected ("injected");
  * --record-secrets keeps every SigV4 signature, access key id and session
    token it saw (GET /__proxy/secrets), so a test can grep snap's output
    for them;
  * plays S3's bucket ownership check: --bucket-owner BUCKET=ACCOUNT answers
    403 AccessDenied when a request to BUCKET carries an
    x-amz-expected-bucket-owner other than ACCOUNT (moto ignores the header);
    stats count S3 requests sent without the header ("s3WithoutExpectedOwner");
  * edits responses: --drop-user NAME hides a user from ListUsers pages;
    --add-member GROUP:NAME adds a member to ListUsersInGroup's first page.
  * with --links (and --admin-key), answers AdminLinkProviderForUser, which moto lacks, after moto
    has checked its signature (scripts/provider_links.py: links per pool and user, in memory), and adds
    the linked users' `identities` attribute to AdminGetUser, ListUsers and ListUsersInGroup answers;
  * with --rules, also shapes answers as the documented rules say
    (scripts/rules/): internal-errors answers a seeded share
    (--internal-error-rate, default 1%) of snap's Cognito requests with 500
    InternalErrorException before forwarding them; per-pool-operation-cap
    answers TooManyRequestsException beyond 5 requests per second of any
    one UserPoolResourceRead/UserPoolResourceUpdate operation on one pool,
    whichever client sends it. Such answers carry x-snap-rule: NAME.
GET /__proxy/stats returns per-category and per-operation counts with the
first and last request times; POST /__proxy/reset clears them. A call that
an upstream proxy answered with an internal-errors 500 (x-snap-rule) is not
counted under "operations": snap's retry of it is the call ("upstreamRuled"
counts them). A call the upstream dropped (reset, closed, timed out) is
answered 502 BadGateway, so snap logs its retry, and counted under
"upstreamDropped".

Prints {"endpoint": "http://127.0.0.1:PORT"} on its first stdout line and
exits when its parent does.
"""
import argparse
import http.client
import json
import os
import re
import random
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

QUOTAS = {
    "UserList": (30, ["ListUsers", "ListUsersInGroup"]),
    "UserCreation": (50, ["AdminCreateUser"]),
    "UserUpdate": (25, ["AdminDisableUser", "AdminUpdateUserAttributes", "AdminEnableUser"]),
    "UserAccountRecovery": (30, ["AdminSetUserPassword"]),
    "UserResourceUpdate": (25, ["AdminAddUserToGroup"]),
    "UserRead": (120, ["AdminGetUser"]),
    "UserPoolRead": (15, ["DescribeUserPool", "ListUserPools"]),
    "UserPoolResourceRead": (20, ["ListGroups", "GetCSVHeader", "GetGroup", "ListIdentityProviders", "DescribeIdentityProvider",
                                  "ListResourceServers", "DescribeUserPoolDomain", "DescribeRiskConfiguration",
                                  "GetUICustomization", "DescribeManagedLoginBrandingByClient", "GetLogDeliveryConfiguration",
                                  "ListTerms", "DescribeTerms"]),
    "UserPoolClientRead": (15, ["ListUserPoolClients", "DescribeUserPoolClient"]),
    "UserPoolResourceUpdate": (15, ["CreateGroup", "CreateUserImportJob", "CreateResourceServer", "CreateIdentityProvider",
                                    "CreateUserPoolDomain", "SetRiskConfiguration", "SetUICustomization",
                                    "CreateManagedLoginBranding", "SetLogDeliveryConfiguration", "CreateTerms"]),
    "UserPoolClientUpdate": (15, ["CreateUserPoolClient"]),
    "UserFederation": (25, ["AdminLinkProviderForUser"]),
}
CATEGORY = {op: cat for cat, (_, ops) in QUOTAS.items() for op in ops}


def s3_operation(method, path):
    """The few S3 operations tests inject faults into, from method and query."""
    query = urlparse(path).query
    if "uploadId=" in query and "partNumber=" in query and method == "PUT":
        return "UploadPart"
    if "uploadId=" in query and method == "DELETE":
        return "AbortMultipartUpload"
    if "uploadId=" in query and method == "POST":
        return "CompleteMultipartUpload"
    if "uploads" in query.split("&") and method == "POST":
        return "CreateMultipartUpload"
    if method == "PUT" and urlparse(path).path.rstrip("/").count("/") >= 2:
        return "PutObject"
    if method == "GET" and "list-type=2" in query:
        return "ListObjectsV2"
    if method == "GET" and urlparse(path).path.rstrip("/").count("/") >= 2:
        return "GetObject"
    if method == "HEAD" and urlparse(path).path.rstrip("/").count("/") >= 2:
        return "HeadObject"
    if method == "DELETE" and urlparse(path).path.rstrip("/").count("/") >= 2:
        return "DeleteObject"
    if method == "GET" and "location" in query.split("&"):
        return "GetBucketLocation"
    if method == "GET" and "uploads" in query.split("&"):
        return "ListMultipartUploads"
    if method == "HEAD":
        return "HeadBucket"
    return ""


SIGNATURE = re.compile(r"Signature=([0-9a-f]{64})")
CREDENTIAL = re.compile(r"Credential=([A-Z0-9]{16,128})/")


class Bucket:
    def __init__(self, rate):
        self.rate = rate
        self.tokens = rate
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def main():
    # Test runners may start us with SIGTERM blocked; a blocked mask would also pass to moto_server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--quota-scale", type=float, default=1.0)
    ap.add_argument("--no-quota", action="store_true")
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--drop-user", action="append", default=[])
    ap.add_argument("--add-member", action="append", default=[])
    ap.add_argument("--bucket-owner", action="append", default=[])
    ap.add_argument("--stall", action="append", default=[])
    ap.add_argument("--fault-path", action="append", default=[])
    ap.add_argument("--fault-rate", action="append", default=[])
    ap.add_argument("--stall-seconds", type=float, default=90)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--record-secrets", action="store_true")
    ap.add_argument("--model-check", metavar="LOG",
                    help="refuse (400 SnapModelViolation) every request snap sends that its service model refuses, and log it")
    ap.add_argument("--rules", action="store_true",
                    help="refuse, as AWS does, every request snap sends that a documented rule refuses (scripts/rules/)")
    ap.add_argument("--rule-off", action="append", default=[], metavar="NAME", help="switch one rule off (with --rules)")
    ap.add_argument("--admin-key", metavar="ID:SECRET", help="credentials the rules use to read a pool's settings from upstream")
    ap.add_argument("--links", action="store_true",
                    help="serve AdminLinkProviderForUser and show links in user answers (needs --admin-key; scripts/provider_links.py)")
    ap.add_argument("--internal-error-rate", type=float, default=None, metavar="SHARE",
                    help="share of snap's Cognito requests the internal-errors rule answers 500 (with --rules; default 0.01)")
    args = ap.parse_args()
    if args.model_check or args.rules:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if args.model_check:
        import model_check
    if args.rules:
        import rules
        from rules import internal_errors, per_pool_operation_cap
        rules.load(args.rule_off)
        limiter = per_pool_operation_cap.Limiter()
        from rules import client_secrets
        client_secret_book = client_secrets.ClientSecrets() if rules.enabled(client_secrets.NAME) else None
        error_rate = internal_errors.RATE if args.internal_error_rate is None else args.internal_error_rate
        # Its own generator, so the --fault-rate draws stay as they were for a given --seed.
        error_rng = random.Random(args.seed)
        error_lock = threading.Lock()
    # issue 20, items 5 and 6: S3 as documented where moto differs (scripts/s3_documented.py).
    s3doc = None
    if args.rules and args.admin_key:
        from s3_documented import S3Documented
        s3doc = S3Documented(args.upstream, args.admin_key)
    pools = {}
    pools_lock = threading.Lock()
    links = None
    if args.links:
        if not args.admin_key:
            raise SystemExit("--links needs --admin-key (it reads pools, users and providers from upstream)")
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from provider_links import ProviderLinks
        links = ProviderLinks(args.upstream, args.admin_key)

    def pool_settings(pool_id):
        """DescribeUserPool's UserPool from upstream, cached for 5 s; None when it cannot be read."""
        now = time.time()
        with pools_lock:
            hit = pools.get(pool_id)
            if hit and now - hit[0] < 5:
                return hit[1]
        if not args.admin_key:
            return None
        import boto3
        key_id, secret = args.admin_key.split(":", 1)
        region = pool_id.split("_", 1)[0]
        client = boto3.client("cognito-idp", endpoint_url=args.upstream, region_name=region,
                              aws_access_key_id=key_id, aws_secret_access_key=secret)
        try:
            found = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        except client.exceptions.ResourceNotFoundException:
            found = None
        with pools_lock:
            pools[pool_id] = (now, found)
        return found

    def pool_usernames(pool_id):
        """issue 20, item 13: every username of the pool, listed from upstream (no cache: a create
        changes it); None when it cannot be read. Asked only for case-insensitive pools."""
        if not args.admin_key:
            return None
        import boto3
        key_id, secret = args.admin_key.split(":", 1)
        client = boto3.client("cognito-idp", endpoint_url=args.upstream, region_name=pool_id.split("_", 1)[0],
                              aws_access_key_id=key_id, aws_secret_access_key=secret)
        try:
            return [u["Username"] for page in client.get_paginator("list_users").paginate(UserPoolId=pool_id) for u in page["Users"]]
        except client.exceptions.ResourceNotFoundException:
            return None
    def resign(headers, body):
        """The headers of a Cognito request whose body the proxy changed, signed again as the test's admin
        (moto checks every signature; the caller's secret key is not the proxy's to know). Cognito calls
        are not checked against IAM policies by moto, so no permission is widened."""
        if not args.admin_key:
            raise SystemExit("aws_proxy: a rewritten Cognito request needs --admin-key to be signed again")
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        key_id, secret = args.admin_key.split(":", 1)
        scope = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request", headers.get("Authorization") or "")
        region, service = (scope.group(1), scope.group(2)) if scope else ("us-east-1", "cognito-idp")
        kept = {k: v for k, v in headers.items()
                if k.lower() not in ("authorization", "x-amz-date", "x-amz-security-token", "content-length", "x-amz-content-sha256")}
        request = AWSRequest(method="POST", url=args.upstream + "/", data=body, headers=kept)
        SigV4Auth(Credentials(key_id, secret), service, region).add_auth(request)
        return dict(request.headers.items())

    # issue 21: what moto does not serve of a pool (risk, UI, branding, log delivery, terms), kept here.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pool_extras
    extras = pool_extras.PoolExtras((lambda pool_id: pool_settings(pool_id) is not None) if args.admin_key else None)

    violations_lock = threading.Lock()
    rates = []
    for f in args.fault_rate:
        op, share, kind = f.split(":")
        rates.append((op, float(share), kind))
    rng = random.Random(args.seed)
    rng_lock = threading.Lock()
    secrets_lock = threading.Lock()
    secrets = {"signatures": set(), "accessKeyIds": set(), "sessionTokens": set()}
    owners = dict(o.split("=", 1) for o in args.bucket_owner)
    stalls = {op: float(sec) for op, sec in (x.split(":") for x in args.stall)}

    up = urlparse(args.upstream)
    buckets = {cat: Bucket(rate * args.quota_scale) for cat, (rate, _) in QUOTAS.items()}
    path_faults = []
    for f in args.fault_path:
        pattern, count, kind = f.rsplit(":", 2)
        if kind == "stall":
            raise SystemExit(f"--fault-path {f}: use --stall to hold calls")
        method = None
        if pattern.split(" ", 1)[0] in ("GET", "PUT", "POST", "DELETE", "HEAD"):
            method, pattern = pattern.split(" ", 1)
        path_faults.append([re.compile(pattern), int(count), kind, method])
    path_lock = threading.Lock()
    faults = {}
    for f in args.fault:
        op, count, kind = f.split(":")
        faults[op] = [int(count), kind]
    add_members = {}
    for a in args.add_member:
        g, n = a.split(":", 1)
        add_members.setdefault(g, []).append(n)
    stats_lock = threading.Lock()
    stats = {"categories": {}, "operations": {}, "throttled": {}, "s3WithoutExpectedOwner": {}, "injected": {}, "modelViolations": {}, "ruleRefusals": {},
             "upstreamRuled": {}, "upstreamDropped": {}}

    def draw(op, is_cognito):
        """The kind of fault to inject into this call, or None."""
        service = "cognito" if is_cognito else "s3"
        for name, share, kind in rates:
            if name in (op, "*", service):
                with rng_lock:
                    hit = rng.random() < share
                if hit:
                    return kind
        return None

    def remember(headers, path):
        text = (headers.get("Authorization") or "") + " " + path
        with secrets_lock:
            secrets["signatures"].update(SIGNATURE.findall(text))
            secrets["signatures"].update(re.findall(r"X-Amz-Signature=([0-9a-f]{64})", path))
            secrets["accessKeyIds"].update(CREDENTIAL.findall(text))
            token = headers.get("X-Amz-Security-Token")
            if token:
                secrets["sessionTokens"].add(token)

    def record(key, name):
        now = time.time()
        with stats_lock:
            s = stats[key].setdefault(name, {"count": 0, "first": now, "last": now})
            s["count"] += 1
            s["last"] = now

    def unrecord(key, name):
        with stats_lock:
            s = stats[key].get(name)
            if s:
                s["count"] -= 1
                if s["count"] <= 0:
                    del stats[key][name]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, body, headers=()):
            try:
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                # A HEAD answer carries the object's length, not its (empty) body's.
                if not any(k.lower() == "content-length" for k, _ in headers):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                # The client went away (a test killed it on purpose); nothing to tell it.
                self.close_connection = True

        def do_GET(self):
            if self.path == "/__proxy/stats":
                with stats_lock:
                    return self.reply(200, json.dumps(stats).encode())
            if self.path == "/__proxy/secrets":
                with secrets_lock:
                    return self.reply(200, json.dumps({k: sorted(v) for k, v in secrets.items()}).encode())
            self.forward()

        def do_POST(self):
            if self.path == "/__proxy/reset":
                with stats_lock:
                    for v in stats.values():
                        v.clear()
                return self.reply(200, b"{}")
            self.forward()

        do_PUT = do_DELETE = do_HEAD = forward_alias = lambda self: self.forward()

        def rule_refusal(self, op, body, target):
            """The documented rule (scripts/rules/) that refuses this request, or None."""
            # The service is the one the request was signed for (its credential scope).
            scope = re.search(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request", self.headers.get("Authorization") or "")
            service = scope.group(1) if scope else ("cognito-idp" if target else "s3")
            if not scope and not target and self.query_action(body):
                version = parse_qs(body.decode("utf-8", "replace")).get("Version", [""])[-1]
                service = {"2011-06-15": "sts", "2010-03-31": "sns"}.get(version, service)
            if target:
                try:
                    params = json.loads(body or b"{}")
                except ValueError:
                    return None  # the model check names a body that is not JSON
            elif service == "s3":
                parsed = urlparse(self.path)
                params = {"headers": {k.lower(): v for k, v in self.headers.items()},
                          "query": parse_qs(parsed.query, keep_blank_values=True), "path": parsed.path, "method": self.command}
            else:  # the query protocol (STS, SNS): a form body
                params = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
                op = params.get("Action", op)
            return rules.check(op, params, rules.Context(service, pool_settings, bucket_region=s3doc and s3doc.bucket_region,
                                                         usernames=pool_usernames))

        def forward(self):
            try:
                self.forward_once()
            except (http.client.HTTPException, ConnectionError, TimeoutError, socket.timeout) as e:
                # (A ConnectionError may also be snap's side going away; the reply below then fails quietly.)
                # The upstream (moto, or a proxy in front of it) dropped the call. Closing snap's connection
                # without an answer would let curl re-send the request unseen (it does so on a reused
                # connection), counted twice here and logged nowhere; a 502 makes snap's retry visible.
                record("upstreamDropped", type(e).__name__)
                sys.stderr.write(f"aws_proxy: upstream dropped {self.command} {self.path}: {e!r}\n")
                self.reply(502, json.dumps({"__type": "BadGateway", "message": f"upstream dropped the call: {e!r}"}).encode(),
                           [("Content-Type", "application/x-amz-json-1.1")])

        def forward_once(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target = self.headers.get("X-Amz-Target", "")
            op = target.split(".")[-1] if target else s3_operation(self.command, self.path)
            query_action = self.query_action(body) if not target else None
            if query_action:
                op = query_action
            if self.path.startswith("/moto-api/"):
                return self.relay(body)  # moto's own controls (reset-auth): not an AWS request
            if args.model_check and (self.headers.get("User-Agent") or "").startswith("snap"):
                violations = model_check.check(self.headers, body, self.command, self.path)
                if violations:
                    named = violations[0].split(":", 1)[0] if not target and not query_action else op
                    record("modelViolations", named or "?")
                    with violations_lock, open(args.model_check, "a", encoding="utf-8") as log:
                        for v in violations:
                            log.write(json.dumps({"operation": named, "violation": v}) + "\n")
                    message = "the request breaks the AWS service model: " + "; ".join(violations)
                    if query_action:
                        return self.query_error(400, "SnapModelViolation", message)
                    if not target:
                        return self.s3_error(400, "SnapModelViolation", message)
                    return self.reply(400, json.dumps({"__type": "SnapModelViolation", "message": message}).encode(),
                                      [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "SnapModelViolation")])
            if args.rules and (self.headers.get("User-Agent") or "").startswith("snap"):
                refusal = self.rule_refusal(op, body, target)
                if refusal is not None:
                    record("ruleRefusals", op or "?")
                    if target:
                        return self.reply(refusal.status, json.dumps({"__type": refusal.code, "message": refusal.message}).encode(),
                                          [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", refusal.code)])
                    if query_action:
                        return self.query_error(refusal.status, refusal.code, refusal.message)
                    return self.s3_error(refusal.status, refusal.code, refusal.message, refusal.headers)
            if args.rules and target.startswith("AWSCognitoIdentityProviderService."):
                ruled = self.rule_answer(op, body)
                if ruled:
                    return ruled()
            if s3doc and not target and self.s3_documented(op):
                return
            cat = CATEGORY.get(op)
            if op:
                record("operations", op)
            if cat:
                record("categories", cat)
            if not target and self.path != "/":
                bucket = urlparse(self.path).path.lstrip("/").split("/", 1)[0]
                sent = self.headers.get("x-amz-expected-bucket-owner")
                if sent is None:
                    record("s3WithoutExpectedOwner", f"{self.command} {bucket}")
                elif bucket in owners and sent != owners[bucket]:
                    return self.s3_error(403, "AccessDenied", "Access Denied")
            if args.latency_ms:
                time.sleep(args.latency_ms / 1000)
            if op in stalls:
                time.sleep(stalls[op])
            if args.record_secrets:
                remember(self.headers, self.path)
            chance = draw(op or "S3Other", bool(target)) if rates else None
            if chance:
                record("injected", f"{op or 'S3Other'} {chance}")
                if chance == "stall":
                    time.sleep(args.stall_seconds)
                elif chance in ("reset", "truncate"):
                    pass  # after forwarding: the call takes effect, its answer is lost
                else:
                    return self.fail(chance, op, bool(target))
            with path_lock:
                for pf in path_faults:
                    if pf[1] > 0 and (pf[3] is None or pf[3] == self.command) and pf[0].search(self.path):
                        pf[1] -= 1
                        chance = pf[2]
                        record("injected", f"{op or 'S3Other'} {chance}")
                        break
            if chance and chance not in ("reset", "truncate", "stall"):
                return self.fail(chance, op, bool(target))
            fault = faults.get(op)
            if fault and fault[0] > 0:
                fault[0] -= 1
                if fault[1] == "throttle":
                    return self.throttle(op)
                if fault[1].startswith("cognito="):
                    code = fault[1].split("=", 1)[1]
                    return self.reply(400, json.dumps({"__type": code, "message": "injected"}).encode(),
                                      [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)])
                if fault[1] == "denied":
                    message = f"User: arn:aws:iam::123456789012:user/snap is not authorized to perform: cognito-idp:{op} on resource: *"
                    return self.reply(400, json.dumps({"__type": "AccessDeniedException", "message": message}).encode(),
                                      [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "AccessDeniedException")])
                if fault[1] == "500":
                    return self.reply(500, b'{"__type":"InternalErrorException","message":"injected"}',
                                      [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "InternalErrorException")])
                if "@" in fault[1]:
                    code, status = fault[1].split("@")
                    return self.s3_error(int(status), code, "injected")
                if fault[1] == "reset":
                    self.close_connection = True
                    self.connection.close()
                    return
            if cat and not args.no_quota and not buckets[cat].take():
                record("throttled", cat)
                return self.throttle(op)
            if target.startswith("AWSCognitoIdentityProviderService.") and op in pool_extras.OPERATIONS:
                try:
                    request = json.loads(body or b"{}")
                except ValueError:
                    request = {}
                status, answer = extras.answer(op, request)
                headers = [("Content-Type", "application/x-amz-json-1.1")]
                if status != 200:
                    headers.append(("x-amzn-ErrorType", answer["__type"]))
                return self.reply(status, json.dumps(answer).encode(), headers)
            wanted_secret, resigned = None, False
            if args.rules and client_secret_book and target.startswith("AWSCognitoIdentityProviderService."):
                # Client secrets as Cognito keeps them (scripts/rules/client_secrets.py); the body changes,
                # so the signature moto checks would not match: it is signed again (resign).
                rewritten, wanted_secret = client_secret_book.request(op, body)
                if rewritten is None:
                    return self.reply(400, json.dumps({"__type": "NotAuthorizedException", "message": wanted_secret}).encode(),
                                      [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "NotAuthorizedException")])
                resigned = rewritten is not body
                body = rewritten
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
            headers = {k: v for k, v in self.headers.items()}
            if resigned:
                headers = resign(headers, body)
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if links is not None and op == "AdminLinkProviderForUser" and resp.status == 500:
                # moto checked the signature (a bad one is its 403, relayed below) and has no such operation.
                conn.close()
                status, answer = links.link(body)
                code = [("x-amzn-ErrorType", answer["__type"])] if status != 200 else []
                return self.reply(status, json.dumps(answer).encode(),
                                  [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", "proxy-links")] + code)
            if links is not None and resp.status == 200 and op in ("AdminGetUser", "ListUsers", "ListUsersInGroup"):
                data = links.decorate(op, body, data)
            if links is not None and resp.status == 200 and op in ("AdminDeleteUser", "DeleteUserPool"):
                links.forget(op, body)
            if resp.getheader("x-snap-rule") == "internal-errors":
                # An upstream proxy's rule answered instead of the service: the call did not happen.
                if op:
                    unrecord("operations", op)
                if cat:
                    unrecord("categories", cat)
                record("upstreamRuled", op or "?")
            if resp.status == 200 and args.rules and client_secret_book:
                data = client_secret_book.answer(op, data, wanted_secret)
            if resp.status == 200 and op == "DescribeUserPoolDomain":
                # moto answers a new random AWSAccountId on every call; the API reference documents it as
                # "The Amazon Web Services account ID for the user pool owner": stable, so moto's own account.
                doc = json.loads(data)
                if (doc.get("DomainDescription") or {}).get("AWSAccountId"):
                    doc["DomainDescription"]["AWSAccountId"] = "123456789012"
                    data = json.dumps(doc).encode()
            if resp.status == 200 and op in ("ListUsers", "ListUsersInGroup") and (args.drop_user or add_members):
                doc = json.loads(data)
                if op == "ListUsers":
                    doc["Users"] = [u for u in doc.get("Users", []) if u["Username"] not in args.drop_user]
                else:
                    req = json.loads(body)
                    if "NextToken" not in req:
                        for n in add_members.get(req.get("GroupName"), []):
                            doc.setdefault("Users", []).append({"Username": n, "Attributes": [], "Enabled": True, "UserStatus": "CONFIRMED"})
                data = json.dumps(doc).encode()
            dropped = ("transfer-encoding", "connection") if self.command == "HEAD" else ("content-length", "transfer-encoding", "connection")
            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in dropped]
            if s3doc and not target and op in ("HeadObject", "GetObject") and rules.enabled("s3-object-lock-headers-need-permission"):
                bucket, _, key = urlparse(self.path).path.lstrip("/").partition("/")
                out = s3doc.strip_lock_headers(out, self.access_key_id(), bucket, key)
            conn.close()
            if chance in ("reset", "truncate"):
                return self.cut(resp.status, data if self.command != "HEAD" else b"", out, rst=chance == "reset")
            self.reply(resp.status, data if self.command != "HEAD" else b"", out)

        def relay(self, body):
            """Passes a request to the upstream as it came, its answer back as it came."""
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
            conn.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
            resp = conn.getresponse()
            data = resp.read()
            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in ("content-length", "transfer-encoding", "connection")]
            conn.close()
            self.reply(resp.status, data, out)

        def query_action(self, body):
            """The Action of a query-protocol (STS, SNS) request: a form-encoded POST; else None."""
            if self.command != "POST" or not (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
                return None
            return parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[-1]

        def rule_answer(self, op, body):
            """The answer a rule that shapes answers gives this Cognito request instead of the service, or None."""
            snap = (self.headers.get("User-Agent") or "").startswith("snap")
            if snap and rules.enabled(internal_errors.NAME) and internal_errors.strike(error_rng, error_rate, error_lock):
                record("injected", f"{op} {internal_errors.NAME}")
                return lambda: self.reply(
                    500, json.dumps({"__type": "InternalErrorException", "message": internal_errors.MESSAGE}).encode(),
                    [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "InternalErrorException"),
                     ("x-snap-rule", internal_errors.NAME)])
            if rules.enabled(per_pool_operation_cap.NAME) and CATEGORY.get(op) in per_pool_operation_cap.CATEGORIES:
                try:
                    pool_id = json.loads(body or b"{}").get("UserPoolId")
                except (ValueError, AttributeError):
                    pool_id = None
                if pool_id and not limiter.admit(pool_id, op):
                    record("throttled", f"{op} {per_pool_operation_cap.NAME}")
                    return lambda: self.reply(
                        400, json.dumps({"__type": "TooManyRequestsException",
                                         "message": f"Rate exceeded [rule {per_pool_operation_cap.NAME}]"}).encode(),
                        [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "TooManyRequestsException"),
                         ("x-snap-rule", per_pool_operation_cap.NAME)])
            return None

        def query_error(self, status, code, message):
            """An error as the query protocol (STS, SNS) answers one."""
            from xml.sax.saxutils import escape
            body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message>'
                    f'</Error><RequestId>proxy</RequestId></ErrorResponse>').encode()
            self.reply(status, body, [("Content-Type", "text/xml")])

        def fail(self, kind, op, is_cognito):
            """Answers an injected error the way the service would."""
            if kind == "throttle":
                if is_cognito:
                    return self.throttle(op)
                return self.s3_error(503, "SlowDown", "Please reduce your request rate.")
            if kind in ("500", "503"):
                code = "InternalErrorException" if kind == "500" else "ServiceUnavailableException"
                if is_cognito:
                    return self.reply(int(kind), json.dumps({"__type": code, "message": "injected"}).encode(),
                                      [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)])
                return self.s3_error(int(kind), "InternalError" if kind == "500" else "ServiceUnavailable", "injected")
            if "@" in kind:
                code, status = kind.split("@")
                return self.s3_error(int(status), code, "injected")
            raise ValueError(f"unknown fault kind {kind}")

        def cut(self, status, body, headers, rst):
            """Sends the status line, headers and half the body, then drops the connection."""
            self.close_connection = True
            try:
                self.send_response(status)
                for k, v in headers:
                    if k.lower() != "content-length":
                        self.send_header(k, v)
                # A body-less answer still declares one byte, so it is cut short too.
                self.send_header("Content-Length", str(max(len(body), 1)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                if rst:
                    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    self.connection.shutdown(socket.SHUT_WR)
                self.connection.close()
            except OSError:
                pass

        def s3_error(self, status, code, message, headers=()):
            from xml.sax.saxutils import escape
            body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>'
                    f'<RequestId>proxy</RequestId></Error>').encode()
            self.reply(status, body if self.command != "HEAD" else b"", [("Content-Type", "application/xml")] + list(headers))

        def access_key_id(self):
            found = CREDENTIAL.search(self.headers.get("Authorization") or "")
            return found.group(1) if found else None

        def s3_documented(self, op):
            """issue 20, item 6: answers GetObjectRetention, which moto lacks; True when answered."""
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query, keep_blank_values=True)
            bucket, _, key = parsed.path.lstrip("/").partition("/")
            if not (self.command == "GET" and "retention" in query and key and rules.enabled("s3-get-object-retention")):
                return False
            # moto checks the signature (it answers the request as a GetObject, or with versionId as a
            # GetObjectVersion, against those permissions); only its signature verdict counts.
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
            conn.request(self.command, self.path, headers=dict(self.headers.items()))
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            if resp.status in (400, 403) and b"<Code>AccessDenied</Code>" not in data:
                self.reply(resp.status, data, [(k, v) for k, v in resp.getheaders()
                                               if k.lower() not in ("content-length", "transfer-encoding", "connection")])
                return True
            record("operations", "GetObjectRetention")
            status, code, text = s3doc.get_object_retention(self.access_key_id(), bucket, key, (query.get("versionId") or [None])[0])
            if code:
                self.s3_error(status, code, text)
            else:
                self.reply(status, text.encode(), [("Content-Type", "application/xml")])
            return True

        def throttle(self, op):
            self.reply(400, json.dumps({"__type": "TooManyRequestsException", "message": "Rate exceeded"}).encode(),
                       [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "TooManyRequestsException"),
                        ("x-amzn-RequestId", "proxy-throttle")])

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            # A client killed mid-request (the crash trials do it on purpose) is no error of ours.
            if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                return
            super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(json.dumps({"endpoint": f"http://127.0.0.1:{server.server_address[1]}"}), flush=True)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
