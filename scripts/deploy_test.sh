#!/usr/bin/env bash
# Tests of the deployment (README "Deploy on AWS"), as scripts/test.sh runs them; under 3 minutes
# once .build/release/snap is built. Each step prints what it checks.
#
#  1. deploy/cloudformation/snap.yaml: static checks (scripts/check_template.py) and cfn-lint.
#  2. moto's CloudFormation deploys it (a Role=backup stack in us-west-2, a Role=primary stack in
#     us-east-1 naming a pool seeded from fixtures/demo/pool.json). moto 5.2 has no model for some
#     types; scripts/cfn_moto_variant.py removes those from a test-only copy and prints each with
#     the reason (AWS::S3::BucketPolicy, AWS::Scheduler::Schedule and ::ScheduleGroup,
#     AWS::CloudWatch::Alarm, AWS::SNS::Subscription and ::TopicPolicy); check_template.py covers
#     them statically. moto also ignores most bucket properties (it applies BucketEncryption and
#     Tags only): this script says which it did not apply.
#  3. As the stack's TaskRole (sts assume-role in moto), with the snap.toml the stack put into the
#     task definition (SNAP_CONFIG_TOML), the image's entrypoint runs snap create --all, snap prune
#     --all, snap check --all --max-age 1h into both stacks' buckets; the same credentials are
#     denied S3 actions outside the role (moto enforces IAM for S3).
#     A second primary stack with Discover and a sign key runs the entrypoint's Discover path; a
#     third with Object Lock is checked as rendered (moto ignores ObjectLockEnabled).
#  4. scripts/package.sh's tarball, unpacked in an empty folder, runs with an empty environment
#     and the toolchain hidden (a private mount namespace, when unshare works), and creates a
#     snapshot against moto.
#  5. Docker: builds the image and runs the same create when a daemon answers; otherwise lints
#     the Dockerfile (hadolint if installed, else the basics in Python) and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
say() { echo "== deploy_test: $*" >&2; }
fail() { echo "deploy_test: FAIL: $*" >&2; exit 1; }

template=deploy/cloudformation/snap.yaml
snap_bin="${SNAP_BINARY:-$root/.build/release/snap}"
[ -x "$snap_bin" ] || fail "no release binary at $snap_bin: build it with 'swift build -c release --product snap' (scripts/test.sh does)"
work=$(mktemp -d "${TMPDIR:-/tmp}/snap-deploy-test.XXXXXX")
moto_pid=
cleanup() {
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then echo "deploy_test: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- 1. template
say "template: static checks of what moto cannot deploy or ignores (scripts/check_template.py)"
python3 scripts/check_template.py "$template" README.md >&2

if ! command -v cfn-lint >/dev/null; then
  say "cfn-lint is missing: pip install cfn-lint"
  python3 -m pip install --quiet cfn-lint || fail "pip install cfn-lint failed: install it by hand (pip install cfn-lint)"
fi
say "cfn-lint $template ($(cfn-lint --version))"
cfn-lint "$template" || fail "cfn-lint found problems in $template (above)"

# ---------------------------------------------------------------- 2. moto's CloudFormation
coproc MOTO { exec python3 scripts/moto.py --log "$work/moto.log"; }
moto_pid=$MOTO_PID
read -r line <&"${MOTO[0]}" || fail "scripts/moto.py printed no endpoint line: see $work/moto.log"
eval "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("endpoint=%s admin_key=%s admin_secret=%s" % (d["endpoint"], d["accessKeyId"], d["secretAccessKey"]))' "$line")"
export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=$admin_key AWS_SECRET_ACCESS_KEY=$admin_secret
export AWS_DEFAULT_REGION=us-east-1 AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null AWS_PAGER=
unset AWS_PROFILE AWS_SESSION_TOKEN SNAP_USER_POOL_ID SNAP_STORES SNAP_CONFIG

admin_arn=$(aws sts get-caller-identity --query Arn --output text)
say "moto: test-only variant without the types moto cannot create (removed, with the reason); its TaskRole trusts $admin_arn instead of ecs-tasks.amazonaws.com (moto's STS stands in for ECS)"
python3 scripts/cfn_moto_variant.py "$template" "$work/moto.json" --assumable-by "TaskRole=$admin_arn" | sed 's/^/   removed: /' >&2
pool=$(python3 scripts/seed_pool.py fixtures/demo/pool.json) || fail "seed_pool.py fixtures/demo/pool.json failed against $endpoint"
say "moto at $endpoint; seeded pool $pool"
vpc=$(aws ec2 describe-vpcs --query 'Vpcs[0].VpcId' --output text)
subnet=$(aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" --query 'Subnets[0].SubnetId' --output text)

stack_status() { aws cloudformation describe-stacks --region "$1" --stack-name "$2" --query 'Stacks[0].StackStatus' --output text; }
output() { aws cloudformation describe-stacks --region "$1" --stack-name "$2" --query "Stacks[0].Outputs[?OutputKey=='$3'].OutputValue" --output text; }

say "create-stack snap-backup in us-west-2 (Role=backup: storage only)"
aws cloudformation create-stack --region us-west-2 --stack-name snap-backup --template-body "file://$work/moto.json" \
  --parameters ParameterKey=Role,ParameterValue=backup >/dev/null
say "create-stack snap in us-east-1 (Role=primary, PoolIds=$pool, BackupRegion=us-west-2)"
aws cloudformation create-stack --region us-east-1 --stack-name snap --template-body "file://$work/moto.json" --capabilities CAPABILITY_IAM \
  --parameters ParameterKey=Role,ParameterValue=primary ParameterKey=BackupRegion,ParameterValue=us-west-2 \
  ParameterKey=PoolIds,ParameterValue="$pool" ParameterKey=ImageUri,ParameterValue=example.invalid/snap:test \
  ParameterKey=VpcId,ParameterValue="$vpc" ParameterKey=SubnetIds,ParameterValue="$subnet" \
  ParameterKey=NotifyEmail,ParameterValue=ops@example.com >/dev/null
for s in "us-west-2 snap-backup" "us-east-1 snap"; do
  st=$(stack_status $s)
  [ "$st" = CREATE_COMPLETE ] || fail "stack $s is $st: aws cloudformation describe-stack-events --region ${s% *} --stack-name ${s#* }"
done
backup_types=$(aws cloudformation describe-stack-resources --region us-west-2 --stack-name snap-backup --query 'StackResources[].ResourceType' --output text | tr '\t' '\n' | sort | paste -sd' ')
[ "$backup_types" = "AWS::KMS::Alias AWS::KMS::Key AWS::S3::Bucket" ] || fail "the backup stack made $backup_types, expected the KMS key, its alias and the bucket only"
say "ok: backup stack CREATE_COMPLETE with storage only: $backup_types"
aws cloudformation describe-stack-resources --region us-east-1 --stack-name snap \
  --query 'StackResources[].[ResourceStatus,ResourceType,LogicalResourceId]' --output text | sed 's/^/   primary: /' >&2
bucket=$(output us-east-1 snap BucketName); backup_bucket=$(output us-west-2 snap-backup BucketName)
role_arn=$(output us-east-1 snap TaskRoleArn); taskdef=$(output us-east-1 snap TaskDefinitionArn)
[ "$backup_bucket" = "snap-cognito-123456789012-us-west-2" ] || fail "backup bucket is '$backup_bucket', not the name the primary's snap.toml expects"

aws s3api get-bucket-encryption --bucket "$bucket" --query 'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm' --output text | grep -qx aws:kms \
  || fail "bucket $bucket is not SSE-KMS in moto"
say "ok: bucket $bucket has SSE-KMS default encryption"
[ -n "$(aws s3api get-bucket-versioning --bucket "$bucket" --query Status --output text | grep -v None)" ] \
  || say "NOTE: moto did not apply VersioningConfiguration (its CloudFormation applies BucketEncryption and Tags only; so too PublicAccessBlock, Lifecycle, ObjectLock, OwnershipControls: checked statically above)"

# ---------------------------------------------------------------- 3. snap as the task role
# moto 5.2.1 keeps a CloudFormation role's inline policy as a Python object where its IAM check
# expects a JSON string (S3 calls as the role then fail with HTTP 500, KeyError 'policy_document' in
# moto.iam.access_control.IAMPolicy), and leaves AWS::NoValue in a list as None where CloudFormation
# drops the item (a statement, or a bucket ARN of a list): write the same document back through the
# IAM API as JSON, without the Nones.
# And as the repository's own least-privilege tests do (SecretsCaptureTests.readmePolicy): moto
# checks Cognito, SNS and KMS actions against the resource "*" only, so those statements name "*"
# here (their actions still checked exactly); the S3 statements keep their bucket ARNs exactly.
# moto also authorizes HeadBucket (snap sends it to check expected_bucket_owner) as an action
# "s3:HeadBucket", which IAM does not have: AWS authorizes HeadBucket with s3:ListBucket, which
# the policy grants. So the bucket statement gets moto's name for it too.
# moto_role_policy ROLE_ARN: prints the role's policy as the stack resolved it, and writes moto's form back.
moto_role_policy() {
  local role_name=${1##*/} name doc moto_doc
  name=$(aws iam list-role-policies --role-name "$role_name" --query 'PolicyNames' --output text)
  [ "$name" = snap-create-prune ] || fail "role $role_name holds the policies '$name', expected snap-create-prune alone"
  doc=$(aws iam get-role-policy --role-name "$role_name" --policy-name "$name" --query PolicyDocument --output json | python3 -c '
import ast, json, sys
d = json.load(sys.stdin)
d = ast.literal_eval(d) if isinstance(d, str) else d
d["Statement"] = [st for st in d["Statement"] if st is not None]
for st in d["Statement"]:
    if isinstance(st.get("Resource"), list):
        st["Resource"] = [r for r in st["Resource"] if r is not None]
print(json.dumps(d))')
  moto_doc=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
for st in d["Statement"]:
    acts = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
    if not any(a.startswith("s3:") for a in acts):
        st["Resource"] = "*"
        st.pop("Condition", None)
    elif "s3:ListBucket" in acts:
        st["Action"] = acts + ["s3:HeadBucket"]
print(json.dumps(d))' "$doc")
  aws iam put-role-policy --role-name "$role_name" --policy-name "$name" --policy-document "$moto_doc" \
    || fail "put-role-policy of the stack's own $name document: $moto_doc"
  python3 -c 'import json,sys; [print("   %-5s %s on %s" % (s["Effect"], ",".join([s["Action"]] if isinstance(s["Action"], str) else s["Action"]), s["Resource"])) for s in json.loads(sys.argv[1])["Statement"]]' "$doc" >&2
  printf '%s\n' "$doc"
}
# assume ROLE_ARN: sets tk, ts, tt to the role's temporary credentials.
assume() {
  say "sts assume-role $1 (the task role the stack made)"
  read -r tk ts tt < <(aws sts assume-role --role-arn "$1" --role-session-name deploy-test \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  [ -n "$tt" ] || fail "sts assume-role $1 gave no session token"
}
say "task role policy as the stack resolved it (PoolIds, BackupRegion; no Discover, Object Lock or sign key):"
doc=$(moto_role_policy "$role_arn")
grep -q "userpool/$pool" <<<"$doc" || fail "the task role's policy does not name pool $pool: $doc"
! grep -q 'ListUserPools\|PutObjectRetention\|kms:Sign' <<<"$doc" || fail "the task role's policy grants Discover, Object Lock or sign-key actions the stack's parameters did not ask for: $doc"
assume "$role_arn"
as_task() { AWS_ACCESS_KEY_ID=$tk AWS_SECRET_ACCESS_KEY=$ts AWS_SESSION_TOKEN=$tt "$@"; }

toml=$(aws ecs describe-task-definition --task-definition "$taskdef" \
  --query "taskDefinition.containerDefinitions[0].environment[?name=='SNAP_CONFIG_TOML'].value | [0]" --output text)
grep -q "^id = \"$pool\"$" <<<"$toml" || fail "the task definition's SNAP_CONFIG_TOML does not name pool $pool: $toml"
say "the stack's snap.toml (task definition, SNAP_CONFIG_TOML):"; sed 's/^/   /' <<<"$toml" >&2
mkdir -p "$work/bin"; ln -s "$snap_bin" "$work/bin/snap"
stack=snap discover=
entry() {
  as_task env PATH="$work/bin:$PATH" SNAP_CONFIG_TOML="$toml" SNAP_CONFIG_FILE="$work/snap-$stack.toml" TMPDIR="$work" \
    SNAP_CHECK_MAX_AGE=1h SNAP_DISCOVER="${discover:-}" deploy/docker/snap-entrypoint.sh "$@"
}
say "entrypoint nightly as the task role: snap create --all && snap prune --all"
entry nightly >&2 || fail "snap create --all && snap prune --all as the task role exited $?"
say "entrypoint check as the task role: snap check --all --max-age 1h"
entry check >&2 || fail "snap check --all --max-age 1h as the task role exited $?"
for b in "$bucket" "$backup_bucket"; do
  # No --prefix: moto's signature check refuses some prefixes holding "/" (TESTING.md).
  n=$(aws s3api list-objects-v2 --bucket "$b" --query "length(Contents[?starts_with(Key, '$pool/') && ends_with(Key, '.tar.zst')])" --output text)
  [ "$n" = 1 ] || fail "bucket $b holds $n snapshot archives of $pool, expected 1"
done
say "ok: one snapshot of $pool in $bucket and in $backup_bucket"

say "the task role is denied what its policy does not allow (moto enforces IAM for S3)"
aws s3api create-bucket --bucket snap-deploy-test-other >/dev/null
denied() {
  local what=$1; shift
  local err rc=0
  err=$(as_task aws "$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -ne 0 ] && grep -q AccessDenied <<<"$err" || fail "as the task role, $what was not AccessDenied (exit $rc): $err"
  say "ok: $what -> AccessDenied"
}
echo x > "$work/x"
denied "s3:PutObject on another bucket" s3api put-object --bucket snap-deploy-test-other --key x --body "$work/x"
denied "s3:DeleteBucket on its own bucket" s3api delete-bucket --bucket "$bucket"
denied "s3:PutBucketPolicy on its own bucket" s3api put-bucket-policy --bucket "$bucket" --policy '{"Version":"2012-10-17","Statement":[]}'

# ---------------------------------------------------------------- 3b. Discover and a sign key
signkey=$(aws kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.Arn --output text)
say "create-stack snap-discover in us-east-1 (Role=primary, Discover=us-east-1, no PoolIds, no BackupRegion, SignKeyArn)"
aws cloudformation create-stack --region us-east-1 --stack-name snap-discover --template-body "file://$work/moto.json" --capabilities CAPABILITY_IAM \
  --parameters ParameterKey=Role,ParameterValue=primary ParameterKey=BucketPrefix,ParameterValue=snap-discover \
  ParameterKey=Discover,ParameterValue=us-east-1 ParameterKey=ImageUri,ParameterValue=example.invalid/snap:test \
  ParameterKey=VpcId,ParameterValue="$vpc" ParameterKey=SubnetIds,ParameterValue="$subnet" ParameterKey=SignKeyArn,ParameterValue="$signkey" >/dev/null
st=$(stack_status us-east-1 snap-discover)
[ "$st" = CREATE_COMPLETE ] || fail "stack snap-discover is $st: aws cloudformation describe-stack-events --stack-name snap-discover"
say "task role policy of snap-discover as the stack resolved it:"
doc=$(moto_role_policy "$(output us-east-1 snap-discover TaskRoleArn)")
for want in cognito-idp:ListUserPools kms:Sign "userpool/\\*" "$signkey"; do
  grep -q "$want" <<<"$doc" || fail "snap-discover's task role lacks $want: $doc"
done
! grep -q 'us-west-2\|PutObjectRetention' <<<"$doc" || fail "snap-discover's task role names a backup bucket or Object Lock it was not given: $doc"
toml=$(aws ecs describe-task-definition --task-definition "$(output us-east-1 snap-discover TaskDefinitionArn)" \
  --query "taskDefinition.containerDefinitions[0].environment[?name=='SNAP_CONFIG_TOML'].value | [0]" --output text)
! grep -q '^\[\[pool\]\]' <<<"$toml" || fail "snap-discover's snap.toml has [[pool]] tables without PoolIds: $toml"
[ "$(grep -c '^\[\[store\]\]' <<<"$toml")" = 1 ] || fail "snap-discover's snap.toml should name one store (no BackupRegion): $toml"
grep -qx "sign = \"kms:$signkey\"" <<<"$toml" || fail "snap-discover's snap.toml does not sign with SignKeyArn: $toml"
assume "$(output us-east-1 snap-discover TaskRoleArn)"
stack=snap-discover discover=us-east-1
say "entrypoint nightly as snap-discover's task role, SNAP_DISCOVER=us-east-1: create --all --discover, then prune --all over the pools found"
entry nightly >&2 || fail "the entrypoint's nightly with SNAP_DISCOVER=us-east-1 exited $?"
grep -q "^id = \"$pool\"$" "$work/snap-snap-discover.toml" || fail "the entrypoint did not add the discovered pool $pool to $work/snap-snap-discover.toml for prune --all"
n=$(aws s3api list-objects-v2 --bucket snap-discover-123456789012-us-east-1 --query "length(Contents[?starts_with(Key, '$pool/') && ends_with(Key, '.tar.zst')])" --output text)
[ "$n" = 1 ] || fail "bucket snap-discover-123456789012-us-east-1 holds $n snapshot archives of $pool, expected 1"
key=$(aws s3api list-objects-v2 --bucket snap-discover-123456789012-us-east-1 --query "Contents[?starts_with(Key, '$pool/') && ends_with(Key, '.json')].Key | [0]" --output text)
aws s3 cp "s3://snap-discover-123456789012-us-east-1/$key" - | grep -q "\"signature\":{\"alg\":\"ECDSA_SHA_256\",\"key\":\"$signkey\"" \
  || fail "the snapshot $key is not signed with SignKeyArn $signkey"
say "ok: Discover found $pool, backed it up into snap-discover-123456789012-us-east-1 signed with SignKeyArn, and prune --all ran over it"

# ---------------------------------------------------------------- 3c. Object Lock, as rendered
# moto's CloudFormation ignores ObjectLockEnabled (its buckets accept no retention then), so snap
# is not run here: the stack's snap.toml and task role are checked instead.
say "create-stack snap-lock in us-east-1 (ObjectLockDays=35, ObjectLockMode=compliance, BackupRegion=us-west-2): snap.toml and task role"
aws cloudformation create-stack --region us-east-1 --stack-name snap-lock --template-body "file://$work/moto.json" --capabilities CAPABILITY_IAM \
  --parameters ParameterKey=Role,ParameterValue=primary ParameterKey=BucketPrefix,ParameterValue=snap-lock \
  ParameterKey=PoolIds,ParameterValue="$pool" ParameterKey=BackupRegion,ParameterValue=us-west-2 \
  ParameterKey=ObjectLockDays,ParameterValue=35 ParameterKey=ObjectLockMode,ParameterValue=compliance \
  ParameterKey=ImageUri,ParameterValue=example.invalid/snap:test ParameterKey=VpcId,ParameterValue="$vpc" ParameterKey=SubnetIds,ParameterValue="$subnet" >/dev/null
st=$(stack_status us-east-1 snap-lock)
[ "$st" = CREATE_COMPLETE ] || fail "stack snap-lock is $st: aws cloudformation describe-stack-events --stack-name snap-lock"
toml=$(aws ecs describe-task-definition --task-definition "$(output us-east-1 snap-lock TaskDefinitionArn)" \
  --query "taskDefinition.containerDefinitions[0].environment[?name=='SNAP_CONFIG_TOML'].value | [0]" --output text)
[ "$(grep -c '^object_lock = "compliance:35"$' <<<"$toml")" = 2 ] || fail "snap-lock's snap.toml should give both stores object_lock = \"compliance:35\": $toml"
grep -q 'url = "s3://snap-lock-123456789012-us-west-2?region=us-west-2"' <<<"$toml" || fail "snap-lock's snap.toml lacks the backup region's bucket: $toml"
doc=$(moto_role_policy "$(output us-east-1 snap-lock TaskRoleArn)" 2>/dev/null)
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
st = [s for s in d["Statement"] if s.get("Sid") == "ObjectLockRetention"]
want = ["arn:aws:s3:::snap-lock-123456789012-us-east-1/*", "arn:aws:s3:::snap-lock-123456789012-us-west-2/*"]
sys.exit(0 if st and st[0]["Action"] == "s3:PutObjectRetention" and st[0]["Resource"] == want else
         "snap-lock task role: s3:PutObjectRetention should be granted on %s: %s" % (want, st))' "$doc" || fail "see above"
say "ok: ObjectLockDays=35 gives both stores object_lock = \"compliance:35\" and the task role s3:PutObjectRetention on both buckets"

# ---------------------------------------------------------------- 4. the tarball
say "scripts/package.sh (no rebuild when .build/release/snap is current)"
if [ -f LICENSE ]; then tarball=$(DIST_DIR="$work/dist" scripts/package.sh)
else
  say "NOTE: the repository has no LICENSE: packaging with SNAP_ALLOW_NO_LICENSE=1 (a release needs one)"
  tarball=$(DIST_DIR="$work/dist" SNAP_ALLOW_NO_LICENSE=1 scripts/package.sh)
fi
mkdir "$work/unpacked"; tar -C "$work/unpacked" -xzf "$tarball"
pkg=$(echo "$work"/unpacked/snap-*)
for f in bin/snap libexec/snap man/man1/snap.1 completions/snap.bash completions/_snap completions/snap.fish; do
  [ -s "$pkg/$f" ] || fail "$(basename "$tarball") lacks $f"
done
ls "$pkg/lib" | grep -q '^libswiftCore\.so' || fail "$(basename "$tarball") lacks the Swift runtime (lib/libswiftCore.so)"
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
# Hide the toolchain (its lib/swift/linux is the binary's RUNPATH) and the build tree behind empty
# folders in a private mount namespace, so only the tarball's lib/ can serve the Swift libraries.
hide=()
if unshare -m --propagation private true 2>/dev/null; then
  hide=(unshare -m --propagation private sh -c 'mount -t tmpfs none "$1" && mount -t tmpfs none "$2" && shift 2 && exec "$@"' hide "$toolchain" "$root")
  say "tarball: $toolchain and $root hidden (unshare -m)"
else
  say "NOTE: unshare -m is not allowed here: the toolchain stays visible; ldd below shows which libraries the wrapper loads"
fi
(cd "$pkg" && env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH= LD_LIBRARY_PATH="" sh -c 'LD_LIBRARY_PATH=$PWD/lib ldd libexec/snap' | grep -i swift | sed 's/^/   /' >&2)
version=$(cd "$pkg" && "${hide[@]}" env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH= bin/snap --version) || fail "bin/snap --version from the unpacked tarball failed"
say "ok: unpacked tarball, empty environment: $version"
(cd "$pkg" && "${hide[@]}" env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH= HOME="$work" AWS_ENDPOINT_URL="$endpoint" \
  AWS_ACCESS_KEY_ID="$admin_key" AWS_SECRET_ACCESS_KEY="$admin_secret" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null \
  bin/snap create --user-pool-id "$pool" --store "$work/tarball-store" >&2) || fail "bin/snap create from the unpacked tarball failed"
ls "$work/tarball-store/$pool/"*.json >/dev/null 2>&1 || fail "bin/snap create from the tarball wrote no snapshot into $work/tarball-store/$pool"
say "ok: the tarball's bin/snap created a snapshot of $pool against moto"

# ---------------------------------------------------------------- 5. Docker
if docker info >/dev/null 2>&1; then
  say "docker: building the image (Dockerfile)"
  docker build -t snap:deploy-test . >&2 || fail "docker build failed (above)"
  docker run --rm --network host -e AWS_ENDPOINT_URL="$endpoint" -e AWS_ACCESS_KEY_ID="$admin_key" -e AWS_SECRET_ACCESS_KEY="$admin_secret" \
    snap:deploy-test create --user-pool-id "$pool" --store /tmp/store >&2 || fail "snap create in the image failed"
  say "ok: the image created a snapshot of $pool against moto"
else
  say "NOTE: docker cannot reach a daemon here ($({ docker info 2>&1 || true; } | grep -m1 -i 'cannot\|error\|denied\|not found' || echo "docker info failed")): the image is not built; linting the Dockerfile"
  if command -v hadolint >/dev/null; then
    hadolint Dockerfile || fail "hadolint Dockerfile (above)"
  else
    say "hadolint is not installed: checking the basics in Python"
    python3 - Dockerfile .dockerignore <<'PY' >&2 || fail "Dockerfile checks failed (above)"
import re, sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.lstrip().startswith("#")]
froms = [l.split()[1] for l in lines if l.upper().startswith("FROM ")]
users = [l.split()[1] for l in lines if l.upper().startswith("USER ")]
ignore = open(sys.argv[2]).read().split()
checks = [
    (len(froms) >= 2, f"multi-stage: {len(froms)} FROM lines"),
    (all(":" in f and not f.endswith(":latest") for f in froms), f"every base image has a tag, none 'latest': {froms}"),
    (any("libarchive-dev" in l and "libzstd-dev" in l and "libcurl4-openssl-dev" in l for l in lines), "builder installs libarchive-dev libzstd-dev libcurl4-openssl-dev"),
    (any("swift build -c release --product snap" in l for l in lines), "builder runs swift build -c release --product snap"),
    (froms[-1].startswith("debian:") and "slim" in froms[-1], f"runtime is Debian slim: {froms[-1]}"),
    (any(all(p in l for p in ("libarchive13", "libzstd1", "libcurl4", "ca-certificates")) for l in lines), "runtime installs libarchive13 libzstd1 libcurl4 ca-certificates"),
    (any("/usr/lib/swift/linux" in l and l.upper().startswith("COPY --FROM") for l in lines), "runtime gets the Swift runtime libraries from the builder"),
    (bool(users) and users[-1].split(":")[0] not in ("root", "0"), f"runs as a non-root USER: {users}"),
    (any(l.upper().startswith("ENTRYPOINT") for l in lines), "has an ENTRYPOINT (deploy/docker/snap-entrypoint.sh)"),
    ("*" in ignore and "!.build/" not in ignore, ".dockerignore starts from nothing and lets no .build/ in"),
]
for ok, what in checks:
    print(("ok    " if ok else "FAIL  ") + what)
sys.exit(0 if all(ok for ok, _ in checks) else 1)
PY
  fi
fi
say "all deploy checks passed in $(( SECONDS - started )) s"
