#!/usr/bin/env python3
"""Self-test of scripts/cognito_sim.py's fleet mode (--fleet), and a single-pool sanity check.

    python3 scripts/test_fleet_sim.py            # the checks; exits 1 on a failure (about 15 s)
    python3 scripts/test_fleet_sim.py --bench [SECONDS] [THREADS]
                                                 # ListUsers (Limit 60) per second the fleet serves, --no-quota

Starts the simulator itself (fleet: 2 accounts, 4 pools in 2 regions) and signs its requests with the
simulator's own SigV4 helper (cognito_sim.signing_key).
"""
import datetime
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import quote, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cognito_sim  # noqa: E402

A, B = "111111111111", "222222222222"
KEY_A, SECRET_A = "AKIDFLEETA0000000001", "fleet-a-secret"
KEY_B, SECRET_B = "AKIDFLEETB0000000002", "fleet-b-secret"
ROLE_A = f"arn:aws:iam::{A}:role/snap-backup"
ROLE_B = f"arn:aws:iam::{B}:role/snap-reader"
FLEET = {
    "accounts": [
        {"id": A, "accessKey": KEY_A, "secretKey": SECRET_A, "roles": [ROLE_A]},
        {"id": B, "accessKey": KEY_B, "secretKey": SECRET_B, "roles": [ROLE_B]}],
    "pools": [
        {"id": "us-east-1_FleetA01", "account": A, "users": 500, "groups": 5},
        {"id": "us-east-1_FleetA02", "account": A, "users": 300, "groups": 3, "mfa": True},
        {"id": "eu-west-1_FleetA03", "account": A, "users": 200, "groups": 2, "name": "eu-pool"},
        {"id": "us-east-1_FleetB01", "account": B, "users": 100, "groups": 1, "denied": True},
        {"id": "eu-west-1_FleetB02", "account": B, "users": 100, "groups": 1}]}

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class Client:
    """One keep-alive connection that signs with SigV4 (header auth)."""

    def __init__(self, endpoint, key, secret, region, token=None):
        u = urlparse(endpoint)
        self.host = u.netloc
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.key, self.secret, self.region, self.token = key, secret, region, token

    def send(self, body, headers, service, tamper=False):
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, date = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        h = dict(headers)
        h["host"] = self.host
        h["x-amz-date"] = amz_date
        if self.token:
            h["x-amz-security-token"] = self.token
        signed = sorted(h)
        canonical = "".join(f"{k}:{' '.join(str(h[k]).split())}\n" for k in signed)
        creq = "\n".join(["POST", "/", "", canonical, ";".join(signed), hashlib.sha256(body).hexdigest()])
        scope = f"{date}/{self.region}/{service}/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
        sig = hmac.new(cognito_sim.signing_key(self.secret, date, self.region, service), to_sign.encode(),
                       hashlib.sha256).hexdigest()
        if tamper:
            sig = ("0" if sig[0] != "0" else "1") + sig[1:]
        h["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.key}/{scope}, SignedHeaders={';'.join(signed)}, "
                              f"Signature={sig}")
        self.conn.request("POST", "/", body=body, headers=h)
        r = self.conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()

    def cognito(self, op, params, **kw):
        status, headers, data = self.send(json.dumps(params).encode(), {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": f"AWSCognitoIdentityProviderService.{op}"}, "cognito-idp", **kw)
        return status, json.loads(data or b"{}")

    def sts(self, params):
        form = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in
                        [("Action", params.pop("Action")), ("Version", "2011-06-15")] + list(params.items()))
        status, _, data = self.send(form.encode(), {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
                                    "sts")
        return status, data.decode()


def xml(tag, text):
    start = text.find(f"<{tag}>")
    return None if start < 0 else text[start + len(tag) + 2:text.index(f"</{tag}>", start)]


def start(args):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "cognito_sim.py")] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line:
        raise SystemExit("the simulator exited: " + p.stderr.read())
    return p, json.loads(line)


def fleet_file(directory):
    path = os.path.join(directory, "fleet.json")
    with open(path, "w") as f:
        json.dump(FLEET, f)
    return path


def paced(client, pool_id, rate, seconds, out):
    """ListUsers on pool_id at rate per second for seconds; out[status code] counts."""
    began = time.monotonic()
    n = 0
    while True:
        due = began + n / rate
        if due - began >= seconds:
            return
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        status, answer = client.cognito("ListUsers", {"UserPoolId": pool_id, "Limit": 10})
        key = "ok" if status == 200 else answer.get("__type", str(status))
        out[key] = out.get(key, 0) + 1
        n += 1


def tests(tmp):
    sim, first = start(["--fleet", fleet_file(tmp), "--time-scale", "1"])
    try:
        ep = first["endpoint"]
        check(first["pools"] == sorted(p["id"] for p in FLEET["pools"]), "first line lists the pools")
        check([a["id"] for a in first["accounts"]] == [A, B] and first["accounts"][0]["accessKeyId"] == KEY_A
              and first["accounts"][1]["secretAccessKey"] == SECRET_B, "first line lists the accounts and keys")
        a_us = Client(ep, KEY_A, SECRET_A, "us-east-1")
        a_eu = Client(ep, KEY_A, SECRET_A, "eu-west-1")
        b_us = Client(ep, KEY_B, SECRET_B, "us-east-1")
        b_eu = Client(ep, KEY_B, SECRET_B, "eu-west-1")

        # ListUserPools per account and region
        s, r = a_us.cognito("ListUserPools", {"MaxResults": 60})
        check(s == 200 and [p["Id"] for p in r["UserPools"]] == ["us-east-1_FleetA01", "us-east-1_FleetA02"]
              and "NextToken" not in r, f"ListUserPools A/us-east-1: {r}")
        check(set(r["UserPools"][0]) == {"Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate"},
              "ListUserPools item keys")
        s, r = a_us.cognito("ListUserPools", {"MaxResults": 1})
        s2, r2 = a_us.cognito("ListUserPools", {"MaxResults": 1, "NextToken": r.get("NextToken", "")})
        check([p["Id"] for p in r["UserPools"] + r2["UserPools"]] == ["us-east-1_FleetA01", "us-east-1_FleetA02"]
              and "NextToken" not in r2, "ListUserPools pages with NextToken")
        s, r = a_eu.cognito("ListUserPools", {"MaxResults": 10})
        check([(p["Id"], p["Name"]) for p in r["UserPools"]] == [("eu-west-1_FleetA03", "eu-pool")], f"A/eu-west-1: {r}")
        s, r = b_us.cognito("ListUserPools", {"MaxResults": 10})
        check([p["Id"] for p in r["UserPools"]] == ["us-east-1_FleetB01"], f"B/us-east-1: {r}")
        s, r = Client(ep, KEY_B, SECRET_B, "ap-south-1").cognito("ListUserPools", {"MaxResults": 10})
        check(s == 200 and r == {"UserPools": []}, "a region without pools lists none")
        for bad in ({}, {"MaxResults": 0}, {"MaxResults": 61}):
            s, r = a_us.cognito("ListUserPools", bad)
            check(s == 400 and r["__type"] == "InvalidParameterException"
                  and r["message"].startswith("1 validation error detected: Value ") and "'maxResults'" in r["message"],
                  f"ListUserPools {bad} refused: {r.get('message')}")

        # pools of another account or region do not exist
        for client, pool, who in ((a_us, "eu-west-1_FleetA03", "A's eu pool from us-east-1"),
                                  (a_eu, "us-east-1_FleetA01", "A's us pool from eu-west-1"),
                                  (b_us, "us-east-1_FleetA01", "A's pool from account B"),
                                  (a_us, "us-east-1_Nowhere", "an unknown pool")):
            s, r = client.cognito("ListUsers", {"UserPoolId": pool, "Limit": 5})
            check(s == 400 and r == {"__type": "ResourceNotFoundException", "message": f"User pool {pool} does not exist."},
                  f"{who}: ResourceNotFoundException")

        # denied pool
        s, r = b_us.cognito("DescribeUserPool", {"UserPoolId": "us-east-1_FleetB01"})
        want = (f"User: arn:aws:iam::{B}:user/snap is not authorized to perform: cognito-idp:DescribeUserPool on "
                f"resource: arn:aws:cognito-idp:us-east-1:{B}:userpool/us-east-1_FleetB01 because no identity-based "
                f"policy allows the cognito-idp:DescribeUserPool action")
        check(s == 400 and r == {"__type": "AccessDeniedException", "message": want}, f"denied pool: {r}")

        # each pool as the single-pool simulator serves it
        s, r = b_eu.cognito("DescribeUserPool", {"UserPoolId": "eu-west-1_FleetB02"})
        check(s == 200 and r["UserPool"]["EstimatedNumberOfUsers"] == 100, "DescribeUserPool of B's eu pool")
        s, r = a_us.cognito("AdminGetUser", {"UserPoolId": "us-east-1_FleetA02", "Username": "user-00000021"})
        check(s == 200 and r.get("UserMFASettingList") == ["SMS_MFA"], "per-pool mfa setting")
        s, r = a_us.cognito("ListGroups", {"UserPoolId": "us-east-1_FleetA01", "Limit": 60})
        check(s == 200 and len(r["Groups"]) == 5, "ListGroups")

        s, r = a_us.cognito("AdminCreateUser", {"UserPoolId": "us-east-1_FleetA02", "Username": "restored-1",
                                                "UserAttributes": [{"Name": "email", "Value": "r@example.com"}]})
        s2, r2 = a_us.cognito("AdminGetUser", {"UserPoolId": "us-east-1_FleetA02", "Username": "restored-1"})
        s3, r3 = a_us.cognito("AdminGetUser", {"UserPoolId": "us-east-1_FleetA01", "Username": "restored-1"})
        check(s == 200 and s2 == 200 and r3.get("__type") == "UserNotFoundException",
              "a restored user lives in its own pool only")

        # GetCallerIdentity for both keys
        for client, acct in ((a_us, A), (b_eu, B)):
            s, x = client.sts({"Action": "GetCallerIdentity"})
            check(s == 200 and xml("Arn", x) == f"arn:aws:iam::{acct}:user/snap" and xml("Account", x) == acct
                  and xml("UserId", x) and 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in x,
                  f"GetCallerIdentity {acct}")

        # AssumeRole, then ListUsers with the temporary credentials
        s, x = a_us.sts({"Action": "AssumeRole", "RoleArn": ROLE_B, "RoleSessionName": "snap-test", "DurationSeconds": "900"})
        key, secret, token = xml("AccessKeyId", x), xml("SecretAccessKey", x), xml("SessionToken", x)
        expiration = xml("Expiration", x)
        check(s == 200 and key and key.startswith("ASIA") and secret and token
              and xml("Arn", x) == f"arn:aws:sts::{B}:assumed-role/snap-reader/snap-test", f"AssumeRole: {x[:200]}")
        ahead = (datetime.datetime.strptime(expiration, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
                 - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        check(880 <= ahead <= 905, f"Expiration {expiration} is 900 s ahead")
        temp = Client(ep, key, secret, "eu-west-1", token)
        s, r = temp.cognito("ListUsers", {"UserPoolId": "eu-west-1_FleetB02", "Limit": 60})
        check(s == 200 and len(r["Users"]) == 60, "ListUsers with assumed-role credentials (account B)")
        s, x = temp.sts({"Action": "GetCallerIdentity"})
        check(xml("Arn", x) == f"arn:aws:sts::{B}:assumed-role/snap-reader/snap-test" and xml("Account", x) == B,
              "GetCallerIdentity of the assumed role")
        s, r = Client(ep, key, secret, "eu-west-1").cognito("ListUsers", {"UserPoolId": "eu-west-1_FleetB02", "Limit": 60})
        check(s == 400 and r.get("__type") == "UnrecognizedClientException"
              and r.get("message") == "The security token included in the request is invalid.", "temporary key without token refused")
        s, r = Client(ep, key, secret, "eu-west-1", token + "x").cognito("ListUsers", {"UserPoolId": "eu-west-1_FleetB02"})
        check(s == 400 and r.get("__type") == "UnrecognizedClientException", "temporary key with a wrong token refused")
        s, x = a_us.sts({"Action": "AssumeRole", "RoleArn": f"arn:aws:iam::{A}:role/unknown", "RoleSessionName": "x1"})
        check(s == 403 and xml("Code", x) == "AccessDenied" and xml("Type", x) == "Sender" and xml("RequestId", x)
              and x.startswith("<ErrorResponse"), f"AssumeRole of an unknown role: {x}")
        s, x = a_us.sts({"Action": "AssumeRole", "RoleArn": ROLE_A, "RoleSessionName": "x1", "DurationSeconds": "60"})
        check(s == 400 and xml("Code", x) == "ValidationError", "DurationSeconds below 900 refused")

        # bad signatures
        s, r = a_us.cognito("ListUsers", {"UserPoolId": "us-east-1_FleetA01", "Limit": 1}, tamper=True)
        check(s == 400 and r.get("__type") == "InvalidSignatureException", "bad signature refused")
        s, r = Client(ep, KEY_A, SECRET_B, "us-east-1").cognito("ListUsers", {"UserPoolId": "us-east-1_FleetA01"})
        check(s == 400 and r.get("__type") == "InvalidSignatureException", "another account's secret refused")
        s, r = Client(ep, "AKIDNOBODY", SECRET_A, "us-east-1").cognito("ListUsers", {"UserPoolId": "us-east-1_FleetA01"})
        check(s == 400 and r.get("__type") == "UnrecognizedClientException", "unknown key refused")

        # the budget is the lane's: two pools at 25/s each (50/s together) against UserList's 30/s are
        # throttled, the other lane's pool at 25/s alone is not
        req = urlparse(ep)
        conn = http.client.HTTPConnection(req.hostname, req.port)
        conn.request("POST", "/__sim/reset")
        conn.getresponse().read()
        seconds = 4.0
        outs = [{}, {}, {}]
        jobs = [(Client(ep, KEY_A, SECRET_A, "us-east-1"), "us-east-1_FleetA01", outs[0]),
                (Client(ep, KEY_A, SECRET_A, "us-east-1"), "us-east-1_FleetA02", outs[1]),
                (Client(ep, KEY_A, SECRET_A, "eu-west-1"), "eu-west-1_FleetA03", outs[2])]
        threads = [threading.Thread(target=paced, args=(c, p, 25, seconds, o)) for c, p, o in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        served = outs[0].get("ok", 0) + outs[1].get("ok", 0)
        throttled = outs[0].get("TooManyRequestsException", 0) + outs[1].get("TooManyRequestsException", 0)
        budget = 30 + 30 * seconds  # one second of burst, then 30/s
        check(throttled >= 20 and served <= budget * 1.15, f"one lane's two pools share 30/s: {outs[0]} {outs[1]} "
                                                            f"(served {served}, budget about {budget:.0f})")
        check(outs[2].get("TooManyRequestsException", 0) == 0 and outs[2].get("ok", 0) >= 95,
              f"the other lane's pool is not throttled: {outs[2]}")
        conn.request("GET", "/__sim/stats")
        stats = json.loads(conn.getresponse().read())
        lanes = stats["lanes"]
        check(lanes[f"{A}/us-east-1"]["operations"]["ListUsers"]["throttled"] == throttled
              and lanes[f"{A}/eu-west-1"]["operations"]["ListUsers"]["throttled"] == 0
              and lanes[f"{A}/us-east-1"]["categories"]["UserList"] == sum(outs[0].values()) + sum(outs[1].values())
              and stats["pools"]["us-east-1_FleetA01"]["operations"]["ListUsers"]["count"] == sum(outs[0].values())
              and stats["timeScale"] == 1 and len(lanes[f"{A}/us-east-1"]["userListPerSecond"]) >= 4,
              "stats per lane and per pool")
    finally:
        sim.terminate()
        sim.wait()

    # single-pool mode unchanged: the same users as before, and as the fleet's pool of the same size
    single, first = start(["--users", "500", "--groups", "5", "--pool-id", "us-east-1_FleetA01"])
    try:
        check(set(first) == {"endpoint", "accessKeyId", "secretAccessKey", "userPoolId", "region"}, "single-pool first line")
        c = Client(first["endpoint"], first["accessKeyId"], first["secretAccessKey"], "us-east-1")
        s, r = c.cognito("ListUsers", {"UserPoolId": "us-east-1_FleetA01", "Limit": 60})
        pool = cognito_sim.Pool(500, 5, "us-east-1_FleetA01")
        check(s == 200 and len(r["Users"]) == 60 and r["Users"][0]["Username"] == pool.username(pool.at(0))
              and "PaginationToken" in r, "single-pool ListUsers")
        s, r = c.cognito("ListUsers", {"UserPoolId": "us-east-1_FleetA01", "Limit": 1}, tamper=True)
        check(s == 400 and r["__type"] == "InvalidSignatureException", "single-pool bad signature refused")
    finally:
        single.terminate()
        single.wait()


def bench(tmp, seconds, threads):
    """ListUsers (Limit 60) per second across every lane, quotas off."""
    sim, first = start(["--fleet", fleet_file(tmp), "--no-quota"])
    try:
        ep = first["endpoint"]
        lanes = [(KEY_A, SECRET_A, "us-east-1", "us-east-1_FleetA01"), (KEY_A, SECRET_A, "us-east-1", "us-east-1_FleetA02"),
                 (KEY_A, SECRET_A, "eu-west-1", "eu-west-1_FleetA03"), (KEY_B, SECRET_B, "eu-west-1", "eu-west-1_FleetB02")]
        done = [0] * threads
        stop = time.monotonic() + seconds

        def run(n):
            key, secret, region, pool = lanes[n % len(lanes)]
            c = Client(ep, key, secret, region)
            while time.monotonic() < stop:
                s, r = c.cognito("ListUsers", {"UserPoolId": pool, "Limit": 60})
                if s != 200 or len(r["Users"]) != 60:
                    raise SystemExit(f"unexpected answer {s} {str(r)[:200]}")
                done[n] += 1
        def cpu():  # the simulator's user + system CPU seconds
            fields = open(f"/proc/{sim.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        cpu0 = cpu()
        began = time.monotonic()
        ts = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        rate = sum(done) / (time.monotonic() - began)
        print(json.dumps({"listUsersPerSecond": round(rate, 1), "threads": threads, "seconds": seconds,
                          "simulatorCpuMsPerRequest": round((cpu() - cpu0) * 1000 / max(1, sum(done)), 2)}))
    finally:
        sim.terminate()
        sim.wait()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        if sys.argv[1:2] == ["--bench"]:
            bench(tmp, float(sys.argv[2]) if len(sys.argv) > 2 else 5.0, int(sys.argv[3]) if len(sys.argv) > 3 else 8)
            return 0
        began = time.monotonic()
        tests(tmp)
        print(f"{'FAILED: ' + str(len(failures)) if failures else 'all passed'} in {time.monotonic() - began:.1f} s")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
