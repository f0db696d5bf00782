#!/usr/bin/env bash
# scripts/aws_smoke.sh against a local moto (scripts/moto.py: signatures,
# the model check and the documented rules on), as scripts/test.sh runs it:
# the release checklist stays working between releases. Under 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
log="${TMPDIR:-/tmp}/snap-smoke-moto.log"
coproc MOTO { exec python3 scripts/moto.py --log "$log"; }
# moto.py stops its server on SIGTERM; without this the coproc would outlive the run.
moto_pid=$MOTO_PID
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
read -r line <&"${MOTO[0]}"
eval "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s" % (d["endpoint"], d["accessKeyId"], d["secretAccessKey"]))' "$line")"
export AWS_DEFAULT_REGION=us-east-1 AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
unset AWS_PROFILE SNAP_USER_POOL_ID SNAP_STORES SNAP_CONFIG
start=$(date +%s)
timeout 300 scripts/aws_smoke.sh
echo "aws_smoke.sh against moto: $(($(date +%s) - start)) s" >&2
