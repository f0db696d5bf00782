#!/usr/bin/env python3
"""Static checks of deploy/cloudformation/snap.yaml that moto cannot make (it ignores most bucket
properties and has no bucket policy, schedule or alarm), each printed as it passes:

  - the bucket: versioning, Block Public Access (all four), SSE-KMS with the template's key, the
    lifecycle rules (abort incomplete multipart uploads, expire noncurrent versions), Object Lock
    only under HasObjectLock, and a TLS-only bucket policy (aws:SecureTransport false -> Deny);
  - Role=backup creates storage only: every other resource carries a condition implying IsPrimary;
  - the task role's cognito-idp and s3 actions are exactly README's `iam:create` and `iam:prune`
    policies' (plus s3:PutObjectRetention, under HasObjectLock only), and nothing else but
    sts:GetCallerIdentity, cognito-idp:ListUserPools (Discover only), sns:Publish on the alert
    topic and the kms actions on the bucket keys and the sign key (SignKeyArn only);
  - the two schedules run the task's "nightly" and "check" commands; the failure rule matches a
    non-zero exit code; the scheduler role may only ecs:RunTask, ecs:TagResource, iam:PassRole.

  check_template.py TEMPLATE README.md
"""
import json
import os
import re
import sys

sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
import yaml  # noqa: E402

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def readme_policy(readme, tag):
    m = re.search(r"<!-- iam:%s -->\s*```json\n(.*?)```" % tag, readme, re.S)
    if not m:
        sys.exit(f"check_template.py: README.md has no <!-- iam:{tag} --> json block: the README's IAM section moved; update this check")
    return json.loads(m.group(1))


def actions(policy_statements):
    out = set()
    for st in policy_statements:
        a = st["Action"]
        out.update([a] if isinstance(a, str) else a)
    return out


def statements(stmts):
    """The task policy's statements, each Fn::If [cond, stmt, NoValue] taken as (cond, stmt)."""
    for st in stmts:
        if "Fn::If" in st:
            cond, yes, _ = st["Fn::If"]
            yield cond, yes
        else:
            yield None, st


def main():
    tpath, rpath = sys.argv[1], sys.argv[2]
    t = yaml.safe_load(open(tpath, encoding="utf-8"))
    readme = open(rpath, encoding="utf-8").read()
    res = t["Resources"]
    conds = t["Conditions"]

    b = res["Bucket"]["Properties"]
    check(b.get("VersioningConfiguration") == {"Status": "Enabled"}, "bucket: versioning Enabled")
    pab = b.get("PublicAccessBlockConfiguration", {})
    check(all(pab.get(k) is True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")),
          "bucket: Block Public Access, all four settings true")
    sse = b["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    check(sse.get("SSEAlgorithm") == "aws:kms" and sse.get("KMSMasterKeyID") == {"Fn::GetAtt": ["BucketKey", "Arn"]},
          "bucket: SSE-KMS with the template's BucketKey")
    check(res["BucketKey"]["Properties"].get("EnableKeyRotation") is True, "bucket key: rotation on")
    rules = b["LifecycleConfiguration"]["Rules"]
    check(any(r.get("AbortIncompleteMultipartUpload") and r["Status"] == "Enabled" for r in rules),
          "bucket: lifecycle aborts incomplete multipart uploads")
    check(any(r.get("NoncurrentVersionExpiration") and r.get("ExpiredObjectDeleteMarker") for r in rules),
          "bucket: lifecycle expires noncurrent versions and expired delete markers")
    check(b.get("ObjectLockEnabled") == {"Fn::If": ["HasObjectLock", True, {"Ref": "AWS::NoValue"}]}
          and conds["HasObjectLock"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "ObjectLockDays"}, "0"]}]},
          "bucket: Object Lock only when ObjectLockDays > 0")
    pol = res["BucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    check(any(s["Effect"] == "Deny" and s["Action"] == "s3:*" and s.get("Principal") == "*"
              and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} and len(s["Resource"]) == 2 for s in pol),
          "bucket policy: TLS only (aws:SecureTransport false -> Deny s3:* on the bucket and its objects)")

    storage = {"AWS::KMS::Key", "AWS::KMS::Alias", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"}
    primary_only = {c for c, v in conds.items() if c == "IsPrimary" or (
        "Fn::And" in v and {"Condition": "IsPrimary"} in v["Fn::And"])}
    wrong = [n for n, r in res.items() if r["Type"] not in storage and r.get("Condition") not in primary_only]
    check(not wrong, "Role=backup creates only storage (KMS key, alias, bucket, bucket policy)" + (f": not so for {wrong}" if wrong else ""))
    unconditional = sorted(n for n, r in res.items() if "Condition" not in r)
    check(unconditional == ["Bucket", "BucketKey", "BucketKeyAlias", "BucketPolicy"], f"both roles create {unconditional}")

    create = readme_policy(readme, "create")["Statement"]
    prune = readme_policy(readme, "prune")["Statement"]
    want = {a for a in actions(create) | actions(prune) if a.split(":")[0] in ("cognito-idp", "s3")}
    task = res["TaskRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    got, extra, by_cond = set(), set(), {}
    for cond, st in statements(task):
        acts = actions([st])
        by_cond.setdefault(cond, set()).update(acts)
        for a in acts:
            (got if a.split(":")[0] in ("cognito-idp", "s3") else extra).add(a)
    check(want <= got, "task role: every cognito-idp and s3 action of README's iam:create and iam:prune"
          + (f" (missing {sorted(want - got)})" if not want <= got else ""))
    beyond = got - want
    check(beyond == {"s3:PutObjectRetention", "cognito-idp:ListUserPools"}
          and "s3:PutObjectRetention" in by_cond.get("HasObjectLock", set())
          and "cognito-idp:ListUserPools" in by_cond.get("UsesDiscover", set()),
          f"task role: beyond README only s3:PutObjectRetention (HasObjectLock) and cognito-idp:ListUserPools (UsesDiscover): {sorted(beyond)}")
    check(extra == {"sts:GetCallerIdentity", "sns:Publish", "kms:GenerateDataKey", "kms:Decrypt", "kms:Sign", "kms:GenerateMac", "kms:GetPublicKey", "kms:Verify"}
          and by_cond.get("HasSignKey", set()) == {"kms:Sign", "kms:GenerateMac", "kms:GetPublicKey", "kms:Verify"},
          f"task role: other actions only sts:GetCallerIdentity, sns:Publish, kms on the bucket keys, the sign key's (HasSignKey): {sorted(extra)}")
    s3_res = json.dumps([st for _, st in statements(task) if any(a.startswith("s3:") for a in actions([st]))])
    check('"Resource": "*"' not in s3_res, "task role: no s3 action on Resource *")

    sched = res["SchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    check(actions(sched) == {"ecs:RunTask", "ecs:TagResource", "iam:PassRole"}, "scheduler role: ecs:RunTask, ecs:TagResource, iam:PassRole only")
    nightly = res["NightlySchedule"]["Properties"]["Target"]["Input"]
    check(json.loads(nightly)["containerOverrides"][0]["command"] == ["nightly"], "nightly schedule runs the entrypoint's nightly (create --all && prune --all)")
    morning = res["MorningCheck"]["Properties"]["Target"]["Input"]
    check(json.loads(morning)["containerOverrides"][0]["command"] == ["check"], "morning schedule runs the entrypoint's check (check --all --max-age)")
    pat = res["TaskFailedRule"]["Properties"]["EventPattern"]
    check(pat["detail"]["containers"]["exitCode"] == [{"anything-but": 0}] and pat["detail"]["lastStatus"] == ["STOPPED"],
          "failure rule: a STOPPED task with a non-zero exit code goes to the alert topic")
    check(res["AlertEmail"]["Condition"] == "PrimaryEmail", "e-mail subscription only when NotifyEmail is given")
    if failures:
        sys.exit(f"check_template.py: {len(failures)} check(s) of {tpath} failed: {failures}")


if __name__ == "__main__":
    main()
