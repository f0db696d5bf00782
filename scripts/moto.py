#!/usr/bin/env python3
"""Run a moto server on a free loopback port with SigV4 checking on.

moto verifies signatures once INITIAL_NO_AUTH_ACTION_COUNT unsigned calls
are spent; this spends them creating an IAM user with an access key and an
inline policy, then prints one JSON line to stdout:

  {"endpoint": "http://127.0.0.1:PORT", "accessKeyId": "...", "secretAccessKey": "...", "pid": N}

and keeps moto running until this process's parent exits (or it gets
SIGTERM/SIGINT), so a test run that dies never leaves a server behind.

  moto.py [--policy FILE] [--user NAME=POLICY_FILE ...] [--model-log FILE] [--no-model-check] [--rule-off NAME ...]
          [--internal-error-rate SHARE]

The endpoint printed is aws_proxy.py --model-check in front of moto: every
request snap sends is checked against its AWS service model (model_check.py)
and refused, named, when the model refuses it (moto would accept it). The
violations also go to --model-log. The same proxy applies the documented
rules that the models cannot express (scripts/rules/, each with its source),
all on unless --rule-off names one (the rules that shape answers too: 1% of
snap's Cognito requests get 500 InternalErrorException, --internal-error-rate;
5 requests per second per pool and operation of UserPoolResourceRead and
UserPoolResourceUpdate). The proxy also serves AdminLinkProviderForUser, which moto
lacks (aws_proxy.py --links). --no-model-check prints moto's own
endpoint: neither models nor rules nor links.

The first user ("snap") gets --policy (default: allow everything); each
--user is created after it, with exactly that policy, and reported under
"users": {NAME: {"accessKeyId", "secretAccessKey"}}.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import boto3

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # Test runners may start us with SIGTERM blocked; a blocked mask would also pass to moto_server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy")
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--model-log", default=os.devnull)
    ap.add_argument("--no-model-check", action="store_true")
    ap.add_argument("--rule-off", action="append", default=[], metavar="NAME",
                    help="switch one documented rule (scripts/rules/) off; all are on by default")
    ap.add_argument("--internal-error-rate", type=float, metavar="SHARE",
                    help="share of snap's Cognito requests the internal-errors rule answers 500 (default 0.01)")
    args = ap.parse_args()

    parent = os.getppid()
    port = free_port()
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
    log = open(args.log, "ab")
    server = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], env=env, stdout=log, stderr=log)

    proxy = None

    def stop(*_):
        if proxy is not None:
            proxy.terminate()
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).read()
            break
        except Exception:
            if server.poll() is not None:
                sys.exit(f"moto_server exited with {server.returncode}; is moto[server] installed?")
            time.sleep(0.1)
    else:
        stop()

    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="snap")
    policy = ALLOW_ALL
    if args.policy:
        with open(args.policy, encoding="utf-8") as f:
            policy = json.load(f)
    iam.put_user_policy(UserName="snap", PolicyName="snap", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="snap")["AccessKey"]
    users = {}
    if args.user:
        admin = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                             aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        for spec in args.user:
            name, path = spec.split("=", 1)
            with open(path, encoding="utf-8") as f:
                doc = f.read()
            admin.create_user(UserName=name)
            admin.put_user_policy(UserName=name, PolicyName=name, PolicyDocument=doc)
            k = admin.create_access_key(UserName=name)["AccessKey"]
            users[name] = {"accessKeyId": k["AccessKeyId"], "secretAccessKey": k["SecretAccessKey"]}
    advertised = endpoint
    if not args.no_model_check:
        here = os.path.dirname(os.path.abspath(__file__))
        proxy = subprocess.Popen([sys.executable, os.path.join(here, "aws_proxy.py"), "--upstream", endpoint, "--no-quota",
                                  "--model-check", args.model_log, "--rules", "--links",
                                  "--admin-key", f"{key['AccessKeyId']}:{key['SecretAccessKey']}"]
                                 + [a for name in args.rule_off for a in ("--rule-off", name)]
                                 + ([] if args.internal_error_rate is None else ["--internal-error-rate", str(args.internal_error_rate)]),
                                 stdout=subprocess.PIPE)
        advertised = json.loads(proxy.stdout.readline())["endpoint"]
    print(json.dumps({"endpoint": advertised, "moto": endpoint, "accessKeyId": key["AccessKeyId"],
                      "secretAccessKey": key["SecretAccessKey"], "pid": server.pid, "users": users}), flush=True)

    while os.getppid() == parent and server.poll() is None and (proxy is None or proxy.poll() is None):
        time.sleep(0.5)
    stop()


if __name__ == "__main__":
    main()
