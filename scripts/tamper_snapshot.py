#!/usr/bin/env python3
"""Rewrite one snapshot of a local store so that every checksum still
matches: a damaged copy whose `.json` describes the damage. Test support only.

  tamper_snapshot.py FOLDER ID [--insert MEMBER JSON] [--set MEMBER KEY FIELD JSON]
                               [--raw-line MEMBER TEXT] [--counts NAME=N] [--as NEWID]

FOLDER is the pool's folder in the store (<store>/<pool>). Edits:
  --insert MEMBER JSON       add a record (canonical JSON) where its sort key puts it;
  --set MEMBER KEY FIELD JSON set FIELD of the record whose sort key is KEY
                             (memberships: GROUP/USERNAME) to the JSON value;
  --raw-line MEMBER TEXT     append TEXT as a line, unchecked;
  --counts NAME=N            make the manifest's counts.NAME say N;
  --as NEWID                 write the result as snapshot NEWID (its manifest
                             says so), leaving ID as it was: an intact copy
                             of the same state, as if taken at NEWID's time.
  --keep-signature           keep the .json's signature (over other bytes now);
  --signature JSON           set the .json's signature ({alg,key,value});
  --write-signed-bytes FILE  write what a signature covers (canonical, unsigned).
Then every member's sha256, bytes and records, the counts (unless --counts
says otherwise), manifest.json, the archive
(tar --format=pax, zstd --check, as snap writes it) and <ID>.json's archive
sha256 and bytes are written to match the edited bytes.
"""
import argparse
import hashlib
import json
import os
import subprocess
import tempfile

ORDER = ["pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "manifest.json"]
# Format 2 adds clients.jsonl, providers.jsonl, resource-servers.jsonl and config.json before manifest.json;
# they are kept as they were.
ORDER2 = ["pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "clients.jsonl", "providers.jsonl",
          "resource-servers.jsonl", "config.json", "manifest.json"]


def canonical(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def sort_key(member, record):
    if member == "users.jsonl":
        return record["username"].encode()
    if member == "groups.jsonl":
        return record["name"].encode()
    return record["group"].encode() + b"\0" + record["username"].encode()


def read_lines(path):
    with open(path, "rb") as f:
        return [line for line in f.read().split(b"\n") if line]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("id")
    p.add_argument("--insert", nargs=2, action="append", default=[], metavar=("MEMBER", "JSON"))
    p.add_argument("--set", nargs=4, action="append", default=[], metavar=("MEMBER", "KEY", "FIELD", "JSON"))
    p.add_argument("--raw-line", nargs=2, action="append", default=[], metavar=("MEMBER", "TEXT"))
    p.add_argument("--counts", action="append", default=[])
    p.add_argument("--as", dest="new_id")
    p.add_argument("--keep-signature", action="store_true",
                   help="keep <ID>.json's signature (now over other bytes: a forgery that kept it)")
    p.add_argument("--signature", help="set <ID>.json's signature to this JSON ({alg,key,value}: one made elsewhere)")
    p.add_argument("--write-signed-bytes", metavar="FILE",
                   help="also write the bytes a signature covers (the .json, canonical, without signature) to FILE")
    a = p.parse_args()
    archive = os.path.join(a.folder, a.id + ".tar.zst")
    out_id = a.new_id or a.id
    stored_path = os.path.join(a.folder, out_id + ".json")
    with open(os.path.join(a.folder, a.id + ".json"), "rb") as f:
        original = json.loads(f.read())
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["sh", "-c", 'zstd -dc "$0" | tar -x -C "$1"', archive, tmp], check=True)
        for member, text in a.insert:
            path = os.path.join(tmp, member)
            records = [json.loads(line) for line in read_lines(path)] + [json.loads(text)]
            records.sort(key=lambda r: sort_key(member, r))
            with open(path, "wb") as f:
                f.write(b"".join(canonical(r).encode() + b"\n" for r in records))
        for member, key, field, value in a.set:
            path = os.path.join(tmp, member)
            records = [json.loads(line) for line in read_lines(path)]
            wanted = key.replace("/", "\0").encode()
            hits = [r for r in records if sort_key(member, r) == wanted]
            if len(hits) != 1:
                raise SystemExit(f"no record {key} in {member}")
            hits[0][field] = json.loads(value)
            with open(path, "wb") as f:
                f.write(b"".join(canonical(r).encode() + b"\n" for r in records))
        for member, text in a.raw_line:
            with open(os.path.join(tmp, member), "ab") as f:
                f.write(text.encode() + b"\n")
        with open(os.path.join(tmp, "manifest.json"), "rb") as f:
            manifest = json.loads(f.read())
        order = ORDER2 if os.path.exists(os.path.join(tmp, "config.json")) else ORDER
        for member in order[:-1]:
            with open(os.path.join(tmp, member), "rb") as f:
                data = f.read()
            records = data.count(b"\n") if member.endswith(".jsonl") else 1
            manifest["files"][member] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "records": records}
        counted = [("users", "users.jsonl"), ("groups", "groups.jsonl"), ("memberships", "memberships.jsonl")]
        if order is ORDER2:
            counted += [("clients", "clients.jsonl"), ("providers", "providers.jsonl"), ("resourceServers", "resource-servers.jsonl")]
        for name, member in counted:
            manifest["counts"][name] = manifest["files"][member]["records"]
        for c in a.counts:
            name, n = c.split("=")
            manifest["counts"][name] = int(n)
        if a.new_id:
            manifest["id"] = a.new_id
            manifest["createdAt"] = "%s-%s-%sT%s:%s:%sZ" % (
                out_id[0:4], out_id[4:6], out_id[6:8], out_id[9:11], out_id[11:13], out_id[13:15])
        archive = os.path.join(a.folder, out_id + ".tar.zst")
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            f.write(canonical(manifest))
        tar = subprocess.Popen(["tar", "--format=pax", "--owner=0", "--group=0", "--numeric-owner", "--mtime=2026-11-01 00:00:00Z",
                                "-C", tmp, "-cf", "-"] + order, stdout=subprocess.PIPE)
        subprocess.run(["zstd", "-q", "--check", "-3", "-f", "-o", archive], stdin=tar.stdout, check=True)
        if tar.wait() != 0:
            raise SystemExit("tar failed")
    with open(archive, "rb") as f:
        data = f.read()
    manifest["archive"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    manifest.pop("signature", None)
    if a.write_signed_bytes:
        with open(a.write_signed_bytes, "w") as f:
            f.write(canonical(manifest))
    if a.keep_signature and "signature" in original:
        manifest["signature"] = original["signature"]
    if a.signature:
        manifest["signature"] = json.loads(a.signature)
    with open(stored_path, "w") as f:
        f.write(canonical(manifest) + "\n")


if __name__ == "__main__":
    main()
