#!/usr/bin/env bash
# The main job, end to end on this machine: start a local moto (signatures
# checked), load the demo pool from fixtures/, take a snapshot into the
# default local store (./snapshots), change the pool, take another, and show
# what snap keeps, restore into a new pool, then undo a bad night in the live
# pool (--only-missing). Everything runs in .demo/ and moto stops when this ends.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product snap >&2
SNAP="$(swift build -c release --show-bin-path)/snap"

rm -rf .demo && mkdir -p .demo && cd .demo
coproc MOTO { exec python3 ../scripts/moto.py --log moto.log; }
# moto.py stops its server on SIGTERM; without this the coproc would outlive the demo.
moto_pid=$MOTO_PID
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
read -r line <&"${MOTO[0]}"
eval "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s" % (d["endpoint"], d["accessKeyId"], d["secretAccessKey"]))' "$line")"
export AWS_DEFAULT_REGION=us-east-1 AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }

step "seed the demo pool (fixtures/demo/pool.json + 200 generated users)"
POOL=$(python3 ../scripts/seed_pool.py ../fixtures/demo/pool.json --extra-users 200)
export SNAP_USER_POOL_ID=$POOL
echo "pool: $POOL" >&2

step "snap create"
"$SNAP" create

step "change the pool: a new admin, a disabled user"
aws cognito-idp admin-create-user --user-pool-id "$POOL" --username zoe --message-action SUPPRESS \
  --user-attributes Name=email,Value=zoe@example.com >/dev/null
aws cognito-idp admin-add-user-to-group --user-pool-id "$POOL" --username zoe --group-name admins
aws cognito-idp admin-disable-user --user-pool-id "$POOL" --username alice
sleep 1

step "snap create"
"$SNAP" create

step "snap list"
"$SNAP" list

step "snap diff   (the two newest snapshots)"
"$SNAP" diff

step "snap show latest"
"$SNAP" show latest | python3 -m json.tool

step "snap cat latest users | head -3   (head closes the pipe early; snap then ends quietly with status 141, as cat would)"
# head leaves after 3 lines on purpose, so this one pipeline runs without pipefail and checks snap's own status.
set +o pipefail
"$SNAP" cat latest users | head -3
CAT_STATUS=${PIPESTATUS[0]}
set -o pipefail
[[ $CAT_STATUS -eq 0 || $CAT_STATUS -eq 141 ]] || { echo "snap cat failed with status $CAT_STATUS" >&2; exit 1; }

step "the archive with the standard tools: zstd -dc | tar -t"
zstd -dc "snapshots/$POOL/$("$SNAP" list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])').tar.zst" | tar -tv

step "point-in-time recovery: restore the first snapshot into a new, empty pool in eu-west-1"
TARGET=$(aws cognito-idp create-user-pool --region eu-west-1 --pool-name demo-restored \
  --schema Name=tier,AttributeDataType=String,Mutable=true Name=given_name,AttributeDataType=String,Mutable=true \
  --query UserPool.Id --output text)
"$SNAP" restore latest~1 --user-pool-id "$TARGET" --dry-run
"$SNAP" restore latest~1 --user-pool-id "$TARGET"
head -2 restore-*-"$TARGET".submap.jsonl

step "snap diff latest~1 pool:$TARGET --map SUBMAP --ignore pool --exit-code   (the restored users, groups and memberships against the snapshot, through the sub map: 0 = identical; --ignore pool: the new pool's own settings differ)"
"$SNAP" diff latest~1 "pool:$TARGET" --map restore-*-"$TARGET".submap.jsonl --ignore pool --exit-code

step "a bad night in the live pool: a script deletes 20 users and takes everyone out of admins"
names() { python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))'; }   # usernames may hold spaces
aws cognito-idp list-users --user-pool-id "$POOL" --limit 20 --query 'Users[].Username' --output json | names |
  while IFS= read -r u; do aws cognito-idp admin-delete-user --user-pool-id "$POOL" --username "$u"; done
aws cognito-idp list-users-in-group --user-pool-id "$POOL" --group-name admins --query 'Users[].Username' --output json | names |
  while IFS= read -r u; do aws cognito-idp admin-remove-user-from-group --user-pool-id "$POOL" --username "$u" --group-name admins; done
"$SNAP" diff latest "pool:$POOL" --stat

step "undo it in place: snap restore latest --user-pool-id $POOL --only-missing   (re-creates only what the pool lacks)"
"$SNAP" restore latest --user-pool-id "$POOL" --only-missing --dry-run
"$SNAP" restore latest --user-pool-id "$POOL" --only-missing
"$SNAP" diff latest "pool:$POOL" --ignore attributes.sub --stat
