#!/usr/bin/env python3
"""Write fixtures/store: a local store holding one snapshot made by the
standard tools (tar --format=pax and zstd --check), not by snap, so the
tests prove snap's reader interoperates with them.

  make_fixture_store.py [OUT]   (default fixtures/store)
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

POOL = "us-east-1_Fixture01"
SID = "20261101T000000Z-0badc0de"


def canon(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "fixtures", "store")
    users = [
        {"username": "ann", "attributes": {"email": "ann@example.com", "email_verified": "true", "sub": "11111111-1111-4111-8111-111111111111"},
         "enabled": True, "status": "CONFIRMED", "created": "2026-10-01T00:00:00Z", "modified": "2026-10-01T00:00:00Z"},
        {"username": "b\u00e9a \"q\" \\ \U0001F600", "attributes": {"custom:tier": "gold, plus", "sub": "22222222-2222-4222-8222-222222222222"},
         "enabled": False, "status": "FORCE_CHANGE_PASSWORD", "created": "2026-10-02T00:00:00Z", "modified": "2026-10-03T00:00:00Z"},
    ]
    groups = [{"name": "admins", "description": "Admins", "precedence": 1, "roleArn": "arn:aws:iam::123456789012:role/a",
               "created": "2026-10-01T00:00:00Z", "modified": "2026-10-01T00:00:00Z"}]
    memberships = [{"group": "admins", "username": "ann"}]
    pool = {"Id": POOL, "Name": "fixture", "MfaConfiguration": "OFF"}

    members = {
        "pool.json": canon(pool).encode(),
        "groups.jsonl": "".join(canon(g) + "\n" for g in groups).encode(),
        "users.jsonl": "".join(canon(u) + "\n" for u in sorted(users, key=lambda u: u["username"].encode())).encode(),
        "memberships.jsonl": "".join(canon(m) + "\n" for m in memberships).encode(),
    }
    records = {"pool.json": 1, "groups.jsonl": len(groups), "users.jsonl": len(users), "memberships.jsonl": len(memberships)}
    manifest = {
        "format": 1, "id": SID, "createdAt": "2026-11-01T00:00:00Z",
        "userPool": {"id": POOL, "name": "fixture", "region": "us-east-1"},
        "counts": {"users": len(users), "groups": len(groups), "memberships": len(memberships)},
        "files": {k: {"sha256": hashlib.sha256(v).hexdigest(), "bytes": len(v), "records": records[k]} for k, v in members.items()},
        "warnings": [], "tool": "tar+zstd fixture",
    }
    members["manifest.json"] = canon(manifest).encode()

    folder = os.path.join(out, POOL)
    os.makedirs(folder, exist_ok=True)
    archive = os.path.join(folder, SID + ".tar.zst")
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in members.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        order = ["pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "manifest.json"]
        tar = subprocess.run(["tar", "--format=pax", "--owner=0", "--group=0", "--numeric-owner", "--mtime=2026-11-01 00:00:00Z",
                              "-C", tmp, "-cf", "-"] + order, check=True, capture_output=True).stdout
        subprocess.run(["zstd", "-q", "--check", "-f", "-o", archive], input=tar, check=True)
    data = open(archive, "rb").read()
    stored = dict(manifest, archive={"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    with open(os.path.join(folder, SID + ".json"), "w", encoding="utf-8") as f:
        f.write(canon(stored) + "\n")
    print(folder)


if __name__ == "__main__":
    main()
