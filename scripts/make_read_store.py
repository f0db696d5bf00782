#!/usr/bin/env python3
"""Write snapshots of a synthetic pool into a local store, made by the
standard tools (tar --format=pax, zstd --check) as snap would make them, for
the read-path benchmarks and tests. Streams: memory stays flat at any size.

  make_read_store.py STORE POOL --users N [--snapshots K] [--noncanonical]

Snapshot 1 holds N users (user000000000 ...), ten groups and a membership
for every 50th user; each later snapshot changes every 100th user's email,
removes every 250th user and adds one after every 333rd. Prints each
snapshot's ID on its own line, oldest first. --noncanonical writes keys in
reverse order with spaces (valid JSON, not snap's canonical form).
"""
import argparse
import hashlib
import json
import os
import subprocess
import tempfile

ORDER = ["pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "manifest.json"]


def dump(obj, canonical):
    if canonical:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    items = sorted(obj.items(), reverse=True)
    return "{" + ", ".join(json.dumps(k) + ": " + (dump(v, False) if isinstance(v, dict) else json.dumps(v)) for k, v in items) + "}"


def user(i, version, suffix=""):
    name = "user%09d%s" % (i, suffix)
    changed = version > 0 and i % 100 == 0
    return {
        "attributes": {
            "email": "%s@%s.example.com" % (name, "changed%d" % version if changed else "example"),
            "email_verified": "true",
            "family_name": "Family%d" % (i % 997),
            "given_name": "Given%d" % (i % 1009),
            "sub": "%08x-%04x-4%03x-8%03x-%012x" % (i, i % 65536, i % 4096, (i * 7) % 4096, i * 2654435761 % (1 << 48)),
        },
        "created": "2026-01-01T00:00:00Z",
        "enabled": i % 37 != 0,
        "modified": "2026-0%d-01T00:00:00Z" % (1 + (version if changed else 0) % 9),
        "status": "CONFIRMED" if i % 11 else "FORCE_CHANGE_PASSWORD",
        "username": name,
    }


def users(n, version):
    for i in range(n):
        if version > 0 and i % 250 == 0 and i > 0:
            continue
        yield user(i, version)
        if version > 0 and i % 333 == 0:
            yield user(i, version, "-n%d" % version)


class Member:
    def __init__(self, folder, name):
        self.path = os.path.join(folder, name)
        self.f = open(self.path, "wb")
        self.h = hashlib.sha256()
        self.bytes = 0
        self.records = 0

    def write(self, text, line=True):
        b = (text + ("\n" if line else "")).encode()
        self.f.write(b)
        self.h.update(b)
        self.bytes += len(b)
        self.records += 1

    def close(self):
        self.f.close()
        return {"sha256": self.h.hexdigest(), "bytes": self.bytes, "records": self.records}


def snapshot(store, pool, sid, n, version, canonical):
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        m = Member(tmp, "pool.json")
        m.write(dump({"Id": pool, "MfaConfiguration": "OFF", "Name": "bench"}, True), line=False)
        files["pool.json"] = m.close()
        groups = ["g%d" % k for k in range(10)]
        m = Member(tmp, "groups.jsonl")
        for g in groups:
            m.write(dump({"created": "2026-01-01T00:00:00Z", "description": "group " + g, "modified": "2026-01-01T00:00:00Z",
                          "name": g, "precedence": int(g[1:])}, canonical))
        files["groups.jsonl"] = m.close()
        m = Member(tmp, "users.jsonl")
        members = {g: [] for g in groups}
        for u in users(n, version):
            m.write(dump(u, canonical))
        files["users.jsonl"] = m.close()
        m = Member(tmp, "memberships.jsonl")
        for g in groups:
            k = int(g[1:])
            for i in range(k * 50, n, 500):
                if version > 0 and i % 250 == 0 and i > 0:
                    continue
                m.write(dump({"group": g, "username": "user%09d" % i}, canonical))
        files["memberships.jsonl"] = m.close()
        counts = {"users": files["users.jsonl"]["records"], "groups": len(groups), "memberships": files["memberships.jsonl"]["records"]}
        manifest = {
            "format": 1, "id": sid, "createdAt": "%s-%s-%sT%s:%s:%sZ" % (sid[0:4], sid[4:6], sid[6:8], sid[9:11], sid[11:13], sid[13:15]),
            "userPool": {"id": pool, "name": "bench", "region": pool.split("_")[0]},
            "counts": counts, "files": files, "warnings": [], "tool": "make_read_store.py",
        }
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            f.write(dump(manifest, True))
        folder = os.path.join(store, pool)
        os.makedirs(folder, exist_ok=True)
        archive = os.path.join(folder, sid + ".tar.zst")
        tar = subprocess.Popen(["tar", "--format=pax", "--owner=0", "--group=0", "--numeric-owner", "--mtime=2026-11-01 00:00:00Z",
                                "-C", tmp, "-cf", "-"] + ORDER, stdout=subprocess.PIPE)
        subprocess.run(["zstd", "-q", "--check", "-3", "-f", "-o", archive], stdin=tar.stdout, check=True)
        if tar.wait() != 0:
            raise SystemExit("tar failed")
    h = hashlib.sha256()
    with open(archive, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    stored = dict(manifest, archive={"sha256": h.hexdigest(), "bytes": os.path.getsize(archive)})
    with open(os.path.join(folder, sid + ".json"), "w") as f:
        f.write(dump(stored, True) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("store")
    p.add_argument("pool")
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--snapshots", type=int, default=2)
    p.add_argument("--noncanonical", action="store_true")
    a = p.parse_args()
    for k in range(a.snapshots):
        sid = "202611%02dT000000Z-%08x" % (1 + k, 0xbe0c0000 + k)
        snapshot(a.store, a.pool, sid, a.users, k, not a.noncanonical)
        print(sid, flush=True)


if __name__ == "__main__":
    main()
