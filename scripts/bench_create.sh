#!/usr/bin/env bash
# Benchmark `snap create` at Cognito's quotas.
#
#   scripts/bench_create.sh [USERS] [LATENCY_MS] [SHARDS]     (defaults: 2000 users, 150 ms, 16)
#
# Starts moto (scripts/moto.py, signatures on) and the quota proxy
# (scripts/aws_proxy.py: a token bucket per Cognito category at the SPEC's
# rates, LATENCY_MS added to every request), seeds USERS synthetic users plus
# the demo ones directly on moto, then runs `snap create` through the proxy and
# prints the UserList requests per second achieved (ListUsers and
# ListUsersInGroup share that budget) against snap's share of the quota, and
# the wall time against the floor (UserList calls / share).
#
# SNAP=/path/to/snap picks the binary (default: the newest build found).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
USERS=${1:-2000}
LATENCY=${2:-150}
SHARDS=${3:-16}
SHARE=${SHARE:-0.8}
SNAP=${SNAP:-}
if [[ -z "$SNAP" ]]; then
    for c in "$ROOT/.build/release/snap" "$ROOT/.build/debug/snap"; do
        if [[ -x "$c" ]]; then SNAP=$c; break; fi
    done
fi
[[ -x "$SNAP" ]] || { echo "no snap binary; build first (swift build) or set SNAP=" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/snap-bench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
first_line() {
    for _ in $(seq 1 300); do
        if [[ -s "$1" ]] && head -n1 "$1" | grep -q '}'; then head -n1 "$1"; return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for $1" >&2; return 1
}
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

python3 "$ROOT/scripts/moto.py" --log "$WORK/moto.log" >"$WORK/moto.out" &
PIDS+=($!)
MOTO=$(first_line "$WORK/moto.out")
MOTO_URL=$(field "$MOTO" endpoint)
export AWS_ACCESS_KEY_ID=$(field "$MOTO" accessKeyId) AWS_SECRET_ACCESS_KEY=$(field "$MOTO" secretAccessKey)
export AWS_DEFAULT_REGION=us-east-1 AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION SNAP_USER_POOL_ID SNAP_STORES || true
python3 "$ROOT/scripts/aws_proxy.py" --upstream "$MOTO_URL" --latency-ms "$LATENCY" >"$WORK/proxy.out" 2>"$WORK/proxy.err" &
PIDS+=($!)
PROXY_URL=$(field "$(first_line "$WORK/proxy.out")" endpoint)

echo "seeding $USERS users on moto ($MOTO_URL)..." >&2
POOL=$(AWS_ENDPOINT_URL=$MOTO_URL python3 "$ROOT/scripts/seed_pool.py" "$ROOT/fixtures/demo/pool.json" --extra-users "$USERS")
echo "snap create through the proxy (${LATENCY} ms, quotas on, $SHARDS shards)..." >&2
START=$(date +%s.%N)
AWS_ENDPOINT_URL=$PROXY_URL "$SNAP" create --user-pool-id "$POOL" --store "$WORK/store" --shards "$SHARDS" \
    --quota-share "$SHARE" --json >"$WORK/out.json"
END=$(date +%s.%N)
curl -s "$PROXY_URL/__proxy/stats" >"$WORK/stats.json"

python3 - "$WORK/out.json" "$WORK/stats.json" "$START" "$END" "$SHARE" "$LATENCY" "$SHARDS" <<'PY'
import json, sys
out, stats = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
wall, share = float(sys.argv[4]) - float(sys.argv[3]), float(sys.argv[5])
ops = {k: v["count"] for k, v in stats["operations"].items()}
ul = stats["categories"].get("UserList", {"count": 0, "first": 0, "last": 0})
throttled = sum(v["count"] for v in stats["throttled"].values())
rate = ul["count"] / wall
print(f"users {out['counts']['users']}, memberships {out['counts']['memberships']}; latency {sys.argv[6]} ms, shards {sys.argv[7]}")
print(f"calls: " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())) + f"; throttled {throttled}")
print(f"UserList: {rate:.1f}/s over the whole run; share {30 * share:.0f}/s ({100 * rate / (30 * share):.0f}% of share, {100 * rate / 30:.0f}% of quota)")
print(f"wall {wall:.1f} s; floor {ul['count'] / (30 * share):.1f} s (UserList calls / share)")
PY
