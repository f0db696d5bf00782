#!/usr/bin/env python3
"""Write local stores holding snapshots made by the standard tools (tar
--format=pax and zstd --check), not by snap, so the tests prove snap's
reader interoperates with them.

  make_fixture_store.py [OUT]
      fixtures/store (default OUT): one format-1 snapshot (no config.json),
      as snap wrote before format 2. Kept as it is: readers keep reading format 1.
  make_fixture_store.py --format2 [OUT]
      fixtures/store-format2 (default OUT): the same snapshot in format 2, with
      clients.jsonl (one confidential app client, its secret redacted),
      providers.jsonl (one OIDC provider, its client_secret redacted),
      resource-servers.jsonl (one) and config.json ({"mfa": GetUserPoolMfaConfig's
      answer, "domain": a prefix domain's DomainDescription}).
  make_fixture_store.py --pool POOL_JSON [--config CONFIG_JSON] OUT
      a snapshot whose pool.json is POOL_JSON (a DescribeUserPool UserPool
      object, e.g. fixtures/pools/*.json) and, with --config, format 2 with that
      config.json (and empty clients, providers and resource servers); its one user has an email and a phone number. Prints
      "<pool id> <snapshot id>" (for restore --create-pool --dry-run tests).
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

POOL = "us-east-1_Fixture01"
SID = "20261101T000000Z-0badc0de"
SID2 = "20261102T000000Z-0badc0d2"


def canon(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def write(out, pool_id, sid, pool, users, groups, memberships, config=None, clients=(), providers=(), servers=()):
    """config not None: format 2, whose clients, providers and servers are given as records (sorted here)."""
    members = {
        "pool.json": canon(pool).encode(),
        "groups.jsonl": "".join(canon(g) + "\n" for g in groups).encode(),
        "users.jsonl": "".join(canon(u) + "\n" for u in sorted(users, key=lambda u: u["username"].encode())).encode(),
        "memberships.jsonl": "".join(canon(m) + "\n" for m in memberships).encode(),
    }
    records = {"pool.json": 1, "groups.jsonl": len(groups), "users.jsonl": len(users), "memberships.jsonl": len(memberships),
               "config.json": 1}
    counts = {"users": len(users), "groups": len(groups), "memberships": len(memberships)}
    if config is not None:
        format2 = {
            "clients.jsonl": sorted(clients, key=lambda c: (c["ClientName"].encode(), c["ClientId"].encode())),
            "providers.jsonl": sorted(providers, key=lambda p: p["ProviderName"].encode()),
            "resource-servers.jsonl": sorted(servers, key=lambda r: r["Identifier"].encode()),
        }
        for name, records_ in format2.items():
            members[name] = "".join(canon(r) + "\n" for r in records_).encode()
            records[name] = len(records_)
        members["config.json"] = canon(config).encode()
        counts.update(clients=len(clients), providers=len(providers), resourceServers=len(servers))
    manifest = {
        "format": 1 if config is None else 2, "id": sid, "createdAt": sid[0:4] + "-" + sid[4:6] + "-" + sid[6:8] + "T00:00:00Z",
        "userPool": {"id": pool_id, "name": pool.get("Name", "fixture"), "region": pool_id.split("_")[0]},
        "counts": counts,
        "files": {k: {"sha256": hashlib.sha256(v).hexdigest(), "bytes": len(v), "records": records[k]} for k, v in members.items()},
        "warnings": [], "tool": "tar+zstd fixture",
    }
    members["manifest.json"] = canon(manifest).encode()

    folder = os.path.join(out, pool_id)
    os.makedirs(folder, exist_ok=True)
    archive = os.path.join(folder, sid + ".tar.zst")
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in members.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        order = ["pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl"]
        order += ["clients.jsonl", "providers.jsonl", "resource-servers.jsonl", "config.json"] if config is not None else []
        order += ["manifest.json"]
        mtime = f"{sid[0:4]}-{sid[4:6]}-{sid[6:8]} 00:00:00Z"
        tar = subprocess.run(["tar", "--format=pax", "--owner=0", "--group=0", "--numeric-owner", f"--mtime={mtime}",
                              "-C", tmp, "-cf", "-"] + order, check=True, capture_output=True).stdout
        subprocess.run(["zstd", "-q", "--check", "-f", "-o", archive], input=tar, check=True)
    data = open(archive, "rb").read()
    stored = dict(manifest, archive={"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    with open(os.path.join(folder, sid + ".json"), "w", encoding="utf-8") as f:
        f.write(canon(stored) + "\n")
    return folder


def fixture_records():
    users = [
        {"username": "ann", "attributes": {"email": "ann@example.com", "email_verified": "true", "sub": "11111111-1111-4111-8111-111111111111"},
         "enabled": True, "status": "CONFIRMED", "created": "2026-10-01T00:00:00Z", "modified": "2026-10-01T00:00:00Z"},
        {"username": "b\u00e9a \"q\" \\ \U0001F600", "attributes": {"custom:tier": "gold, plus", "sub": "22222222-2222-4222-8222-222222222222"},
         "enabled": False, "status": "FORCE_CHANGE_PASSWORD", "created": "2026-10-02T00:00:00Z", "modified": "2026-10-03T00:00:00Z"},
    ]
    groups = [{"name": "admins", "description": "Admins", "precedence": 1, "roleArn": "arn:aws:iam::123456789012:role/a",
               "created": "2026-10-01T00:00:00Z", "modified": "2026-10-01T00:00:00Z"}]
    memberships = [{"group": "admins", "username": "ann"}]
    return users, groups, memberships


def main(argv):
    here = os.path.join(os.path.dirname(__file__), "..", "fixtures")
    if argv[:1] == ["--pool"]:
        pool = json.load(open(argv[1], encoding="utf-8"))
        rest = argv[2:]
        config = None
        if rest[:1] == ["--config"]:
            config = json.load(open(rest[1], encoding="utf-8"))
            rest = rest[2:]
        pool_id = pool["Id"]
        users = [{"username": "7c1d2e3f-0000-4000-8000-000000000001",
                  "attributes": {"email": "ann@example.com", "email_verified": "true", "phone_number": "+12065550100",
                                 "phone_number_verified": "true", "sub": "7c1d2e3f-0000-4000-8000-000000000001"},
                  "enabled": True, "status": "CONFIRMED", "created": "2026-10-01T00:00:00Z", "modified": "2026-10-01T00:00:00Z"}]
        write(rest[0], pool_id, SID2 if config is not None else SID, pool, users, [], [], config)
        print(pool_id, SID2 if config is not None else SID)
        return
    users, groups, memberships = fixture_records()
    pool = {"Id": POOL, "Name": "fixture", "MfaConfiguration": "OFF"}
    if argv[:1] == ["--format2"]:
        out = argv[1] if len(argv) > 1 else os.path.join(here, "store-format2")
        config = {"mfa": {"MfaConfiguration": "OFF"},
                  "domain": {"Domain": "fixture-prefix", "UserPoolId": POOL, "Status": "ACTIVE",
                             "CloudFrontDistribution": "d111111abcdef8.cloudfront.net"}}
        clients = [
            {"ClientId": "7p0fixtureclientweb00000a", "ClientName": "web", "ClientSecret": {"redacted": True},
             "UserPoolId": POOL, "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "fixture-api/read"],
             "CallbackURLs": ["https://app.example.com/callback"], "AllowedOAuthFlowsUserPoolClient": True},
        ]
        providers = [
            {"ProviderName": "Okta", "ProviderType": "OIDC", "UserPoolId": POOL, "AttributeMapping": {"email": "email"},
             "ProviderDetails": {"client_id": "okta-client", "client_secret": {"redacted": True},
                                 "oidc_issuer": "https://example.okta.com", "authorize_scopes": "openid email",
                                 "attributes_request_method": "GET"}},
        ]
        servers = [{"Identifier": "fixture-api", "Name": "Fixture API", "UserPoolId": POOL,
                    "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]}]
        print(write(out, POOL, SID2, pool, users, groups, memberships, config, clients, providers, servers))
        return
    out = argv[0] if argv else os.path.join(here, "store")
    print(write(out, POOL, SID, pool, users, groups, memberships))


if __name__ == "__main__":
    main(sys.argv[1:])
