#!/usr/bin/env python3
"""Checks planned Cognito requests against the published model and every rule.

  check_requests.py [--pool-id ID] [SUMMARY_JSON]

Reads `snap restore --create-pool NAME --dry-run --json`'s summary (from the
file SUMMARY_JSON, else stdin) and
checks each request of its "createPool.requests", in order, with
model_check.check (the botocore model) and rules.check (scripts/rules, every
rule on). The follow-ups' UserPoolId is the placeholder "<new pool id>" in a
dry run: it is replaced by --pool-id (default eu-west-1_AbCdEf123). The rules
see the pool as the CreateUserPool request planned it. Prints one line per
violation; exit 1 when there is any, 2 when the input holds no requests.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_check  # noqa: E402
import rules  # noqa: E402


def main(argv):
    pool_id = argv[argv.index("--pool-id") + 1] if "--pool-id" in argv else "eu-west-1_AbCdEf123"
    files = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--pool-id")]
    summary = json.load(open(files[0], encoding="utf-8")) if files else json.load(sys.stdin)
    requests = (summary.get("createPool") or {}).get("requests") or []
    if not requests:
        print("no createPool.requests in the input", file=sys.stderr)
        return 2
    rules.load()
    planned = {}
    violations = []
    for r in requests:
        op, params = r["operation"], json.loads(json.dumps(r["input"]).replace("<new pool id>", pool_id))
        if op == "CreateUserPool":
            planned = dict(params, Id=pool_id)
        headers = {"X-Amz-Target": f"AWSCognitoIdentityProviderService.{op}"}
        violations += model_check.check(headers, json.dumps(params).encode())
        refusal = rules.check(op, params, rules.Context("cognito-idp", lambda i: planned if i == pool_id else None))
        if refusal is not None:
            violations.append(f"{op}: {refusal.code}: {refusal.message}")
        print(f"checked {op}", file=sys.stderr)
    for v in violations:
        print(v)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
