#!/usr/bin/env bash
# The release checklist against a real AWS account (issue 20, build item 5).
#
# Makes a throwaway user pool (users with attributes, groups, memberships, a
# disabled user, an email-verified user with a password) and two tagged
# buckets in two regions; runs the release snap through create (both
# buckets, regions discovered, --expected-bucket-owner), verify, restore
# --create-pool into the second region, diff, --only-missing after a bad
# night, prune and check; compares the restored and repaired pools with the
# source user by user (attributes but sub, enabled, status), group by group
# and member by member, with the AWS CLI; and deletes everything it made,
# even when a step fails (trap).
#
#   scripts/aws_smoke.sh                 # the operator's credentials (AWS_PROFILE, ...)
#   AWS_ENDPOINT_URL=http://... scripts/aws_smoke.sh   # against moto (scripts/test.sh does)
#
# SMOKE_REGION (default us-east-1) holds the pool and the first bucket,
# SMOKE_REGION_2 (default eu-west-1) the second bucket and the restored pool.
# SNAP_BINARY picks the binary (default: swift build -c release).
# Needs: aws (CLI v2 or v1), python3. Exit 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

REGION_A=${SMOKE_REGION:-us-east-1}
REGION_B=${SMOKE_REGION_2:-eu-west-1}
if [ -z "${SNAP_BINARY:-}" ]; then
  swift build -c release --product snap >&2
  SNAP_BINARY="$(swift build -c release --show-bin-path)/snap"
fi
SNAP=$SNAP_BINARY
RUN="snap-smoke-$(date -u +%Y%m%d%H%M%S)-$RANDOM"
WORK=$(mktemp -d)
TAG="Key=purpose,Value=snap-smoke"
POOLS=()    # "REGION POOL_ID" of every pool made here
BUCKETS=()  # "REGION BUCKET" of every bucket made here

step() { printf '\n== [%ss] %s\n' "$SECONDS" "$*" >&2; }
fail() { echo "aws_smoke: FAILED: $*" >&2; exit 1; }

cleanup() {
  local status=$?
  set +e
  step "cleanup (exit status so far: $status)"
  for entry in "${POOLS[@]}"; do
    read -r region pool <<<"$entry"
    # Deletion protection (a restored pool copies the source's) is switched off only when it refuses.
    { aws cognito-idp delete-user-pool --region "$region" --user-pool-id "$pool" 2>/dev/null ||
      { aws cognito-idp update-user-pool --region "$region" --user-pool-id "$pool" --deletion-protection INACTIVE >/dev/null &&
        aws cognito-idp delete-user-pool --region "$region" --user-pool-id "$pool"; }; } && echo "deleted pool $pool" >&2 \
      || echo "aws_smoke: could not delete pool $pool in $region: delete it by hand" >&2
  done
  for entry in "${BUCKETS[@]}"; do
    read -r region bucket <<<"$entry"
    # Every version and delete marker (snap prune deletes by version; an aborted run may leave either).
    python3 - "$region" "$bucket" <<'EOF'
import json, subprocess, sys
region, bucket = sys.argv[1:]
def aws(*a):
    r = subprocess.run(["aws", "--region", region, "--output", "json", *a], capture_output=True, text=True)
    return json.loads(r.stdout or "{}") if r.returncode == 0 else None
while True:
    page = aws("s3api", "list-object-versions", "--bucket", bucket, "--max-items", "500") or {}
    objs = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
    if not objs:
        break
    if aws("s3api", "delete-objects", "--bucket", bucket, "--bypass-governance-retention",
           "--delete", json.dumps({"Objects": objs, "Quiet": True})) is None:
        break
for u in (aws("s3api", "list-multipart-uploads", "--bucket", bucket) or {}).get("Uploads", []):
    aws("s3api", "abort-multipart-upload", "--bucket", bucket, "--key", u["Key"], "--upload-id", u["UploadId"])
EOF
    aws s3api delete-bucket --region "$region" --bucket "$bucket" && echo "deleted bucket $bucket" >&2 \
      || echo "aws_smoke: could not delete bucket $bucket in $region: empty and delete it by hand" >&2
  done
  rm -rf "$WORK"
  [ "$status" -eq 0 ] && echo "aws_smoke: every check passed" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The pool's users, groups and memberships as one JSON document (attributes without sub), for comparison.
dump_pool() {
  python3 - "$1" "$2" <<'EOF'
import json, subprocess, sys
region, pool = sys.argv[1:]
def aws(*a):
    return json.loads(subprocess.run(["aws", "--region", region, "--output", "json", "cognito-idp", *a, "--user-pool-id", pool],
                                     check=True, capture_output=True, text=True).stdout)
users = {u["Username"]: {"attributes": {a["Name"]: a["Value"] for a in u.get("Attributes", []) if a["Name"] != "sub"},
                         "enabled": u["Enabled"], "status": u["UserStatus"]}
         for u in aws("list-users")["Users"]}
groups = {}
for g in aws("list-groups")["Groups"]:
    members = aws("list-users-in-group", "--group-name", g["GroupName"])["Users"]
    groups[g["GroupName"]] = {"description": g.get("Description"), "precedence": g.get("Precedence"),
                              "members": sorted(m["Username"] for m in members)}
print(json.dumps({"users": users, "groups": groups}, sort_keys=True, indent=1))
EOF
}

same_pools() {  # label, file, file
  if ! diff -u "$2" "$3" >&2; then fail "$1: the pools differ (above)"; fi
  echo "$1: users, attributes, groups and memberships are the same" >&2
}

step "identity and binary"
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
echo "account $ACCOUNT, regions $REGION_A and $REGION_B, run $RUN, $("$SNAP" --version)" >&2

step "a throwaway pool in $REGION_A"
POOL=$(aws cognito-idp create-user-pool --region "$REGION_A" --pool-name "$RUN" --user-pool-tags purpose=snap-smoke \
  --auto-verified-attributes email \
  --schema Name=email,AttributeDataType=String,Mutable=true Name=tier,AttributeDataType=String,Mutable=true \
  --query UserPool.Id --output text)
POOLS+=("$REGION_A $POOL")
cog() { local op=$1; shift; aws cognito-idp "$op" --region "$REGION_A" --user-pool-id "$POOL" "$@"; }
# Independent calls run together, in two waves (the CLI's start-up dominates); a failed one fails the run.
together() { local pids=() p; while IFS= read -r cmd; do eval "$cmd" & pids+=($!); done; for p in "${pids[@]}"; do wait "$p"; done; }
together <<'CALLS'
cog create-group --group-name admins --description "can do anything" --precedence 1 >/dev/null
cog create-group --group-name support --description "answers tickets" --precedence 5 >/dev/null
cog admin-create-user --username alice --message-action SUPPRESS --user-attributes Name=email,Value=alice@example.com Name=email_verified,Value=true Name=custom:tier,Value=gold >/dev/null
cog admin-create-user --username bob --message-action SUPPRESS --user-attributes Name=email,Value=bob@example.com Name=custom:tier,Value=silver >/dev/null
cog admin-create-user --username carol --message-action SUPPRESS --user-attributes Name=email,Value=carol@example.com >/dev/null
cog admin-create-user --username dave --message-action SUPPRESS --user-attributes Name=custom:tier,Value=bronze >/dev/null
CALLS
together <<'CALLS'
cog admin-set-user-password --username alice --password 'Smoke-Test-Passw0rd!' --permanent
cog admin-disable-user --username bob
cog admin-add-user-to-group --username alice --group-name admins
cog admin-add-user-to-group --username alice --group-name support
cog admin-add-user-to-group --username carol --group-name support
cog admin-add-user-to-group --username bob --group-name support
CALLS
dump_pool "$REGION_A" "$POOL" >"$WORK/source.json"
echo "pool $POOL: 4 users (bob disabled, alice email-verified with a password), 2 groups, 4 memberships" >&2

step "two tagged buckets: $REGION_A and $REGION_B"
for region in "$REGION_A" "$REGION_B"; do
  bucket="$RUN-$region"
  if [ "$region" = us-east-1 ]; then
    aws s3api create-bucket --region "$region" --bucket "$bucket" >/dev/null
  else
    aws s3api create-bucket --region "$region" --bucket "$bucket" --create-bucket-configuration "LocationConstraint=$region" >/dev/null
  fi
  BUCKETS+=("$region $bucket")
  aws s3api put-bucket-tagging --region "$region" --bucket "$bucket" --tagging "TagSet=[{$TAG}]"
done
# No ?region=: snap finds each bucket's region, and checks the owner there.
export SNAP_USER_POOL_ID=$POOL
export SNAP_STORES="s3://$RUN-$REGION_A,s3://$RUN-$REGION_B"
OWNER=(--expected-bucket-owner "$ACCOUNT")
cd "$WORK"

step "snap create (both buckets)"
ID=$("$SNAP" create "${OWNER[@]}" -q)
echo "snapshot $ID" >&2

step "snap verify --all"
"$SNAP" verify --all "${OWNER[@]}" >&2

step "snap restore --create-pool into $REGION_B"
"$SNAP" restore "$ID" --create-pool "$RUN-dr" --region "$REGION_B" "${OWNER[@]}" --json >"$WORK/restore.json"
DR=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targetPool"])' "$WORK/restore.json")
POOLS+=("$REGION_B $DR")
dump_pool "$REGION_B" "$DR" >"$WORK/dr.json"
same_pools "restore --create-pool" "$WORK/source.json" "$WORK/dr.json"
# --ignore pool: users, groups and memberships; the new pool's own settings (its name at least) differ.
"$SNAP" diff "$ID" "pool:$DR" --region "$REGION_B" --map "restore-$ID-$DR.submap.jsonl" --ignore pool --exit-code "${OWNER[@]}" >&2

step "a bad night: carol deleted, alice out of admins; snap diff sees it"
cog admin-delete-user --username carol
cog admin-remove-user-from-group --username alice --group-name admins
set +e
"$SNAP" diff "$ID" "pool:$POOL" --exit-code "${OWNER[@]}" >"$WORK/diff.txt"
status=$?
set -e
cat "$WORK/diff.txt" >&2
[ "$status" -eq 1 ] || fail "snap diff --exit-code gave $status, not 1 (differences)"
grep -q -- "- user carol" "$WORK/diff.txt" || fail "snap diff does not list carol as removed"
grep -q -- "- member admins alice" "$WORK/diff.txt" || fail "snap diff does not list alice leaving admins"

step "snap restore --only-missing"
"$SNAP" restore "$ID" --user-pool-id "$POOL" --only-missing "${OWNER[@]}" >&2
dump_pool "$REGION_A" "$POOL" >"$WORK/repaired.json"
same_pools "restore --only-missing" "$WORK/source.json" "$WORK/repaired.json"

step "snap prune and snap check"
sleep 1
"$SNAP" create "${OWNER[@]}" -q >/dev/null
"$SNAP" prune --keep-last 1 "${OWNER[@]}" >&2
COUNT=$("$SNAP" list --json "${OWNER[@]}" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$COUNT" -eq 1 ] || fail "prune --keep-last 1 left $COUNT snapshots"
"$SNAP" check --max-age 1h "${OWNER[@]}" >&2
