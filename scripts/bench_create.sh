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
# SNAP=/path/to/snap picks the binary (default: the release build, built if missing).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
USERS=${1:-2000}
LATENCY=${2:-150}
SHARDS=${3:-16}
SHARE=${SHARE:-0.8}
source "$ROOT/scripts/bench_lib.sh"

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
