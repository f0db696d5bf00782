#!/usr/bin/env bash
# Benchmark `snap restore` at Cognito's quotas and round trip.
#
#   scripts/bench_restore.sh [USERS] [LATENCY_MS]      (defaults: 2000 users, 150 ms)
#
# Starts moto (scripts/moto.py, signatures on) and the quota proxy
# (scripts/aws_proxy.py: one token bucket per Cognito category at the SPEC's
# rates, LATENCY_MS added to every request). Seeds a pool of USERS synthetic
# users plus the demo ones (every 3rd in a group, every 3rd CONFIRMED, every
# 7th disabled) directly on moto, snapshots it, then restores it through the
# proxy into a new pool and prints, from the proxy's counters, the requests per
# second achieved in each category against its quota and snap's share of it
# (--quota-share, default 0.8), and the wall time against the floor
# max(users/50, memberships/25, (passwords+disables)/25) s at the full quotas.
#
# SNAP=/path/to/snap picks the binary (default: the newest build found).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
USERS=${1:-2000}
LATENCY=${2:-150}
SHARE=${SHARE:-0.8}
source "$ROOT/scripts/bench_lib.sh"

echo "seeding $USERS users on moto ($MOTO_URL)..." >&2
SOURCE=$(AWS_ENDPOINT_URL=$MOTO_URL python3 "$ROOT/scripts/seed_pool.py" "$ROOT/fixtures/demo/pool.json" --extra-users "$USERS")
python3 - "$ROOT/fixtures/demo/pool.json" "$WORK/target.json" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
json.dump({"pool": dict(spec["pool"], PoolName="bench-target")}, open(sys.argv[2], "w"))
EOF
TARGET=$(AWS_ENDPOINT_URL=$MOTO_URL python3 "$ROOT/scripts/seed_pool.py" "$WORK/target.json")
AWS_ENDPOINT_URL=$MOTO_URL "$SNAP" create --user-pool-id "$SOURCE" --store "$WORK/store" --quiet >/dev/null
ID=$(AWS_ENDPOINT_URL=$MOTO_URL "$SNAP" list --user-pool-id "$SOURCE" --store "$WORK/store" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')

curl -s -X POST "$PROXY_URL/__proxy/reset" >/dev/null
echo "restoring $ID into $TARGET through the proxy ($PROXY_URL, ${LATENCY} ms, quotas on)..." >&2
START=$(date +%s.%N)
AWS_ENDPOINT_URL=$PROXY_URL "$SNAP" restore "$ID" --user-pool-id "$TARGET" --store "$WORK/store" \
    --quota-share "$SHARE" --sub-map "$WORK/submap.jsonl" --json >"$WORK/summary.json"
END=$(date +%s.%N)
curl -s "$PROXY_URL/__proxy/stats" >"$WORK/stats.json"

python3 - "$WORK/summary.json" "$WORK/stats.json" "$START" "$END" "$SHARE" "$LATENCY" <<'EOF'
import json, sys
summary, stats = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
wall, share, latency = float(sys.argv[4]) - float(sys.argv[3]), float(sys.argv[5]), sys.argv[6]
quota = {"UserCreation": 50, "UserUpdate": 25, "UserAccountRecovery": 30, "UserResourceUpdate": 25, "UserPoolResourceUpdate": 15,
         "UserPoolRead": 15, "UserList": 30, "UserRead": 120, "UserPoolResourceRead": 20}
plan = summary["plan"]
print(f"restore of {plan['users']} users, {plan['groups']} groups, {plan['memberships']} memberships, "
      f"{plan['passwords']} passwords, {plan['disabled']} disables; latency {latency} ms; ok={summary['ok']}")
print(f"{'category':24} {'calls':>6} {'throttled':>9} {'rps':>7} {'quota':>6} {'share':>6} {'% of share':>10}")
best = None
for cat, s in sorted(stats["categories"].items()):
    span = max(s["last"] - s["first"], 1e-9)
    q = quota.get(cat, 0)
    thr = stats["throttled"].get(cat, {}).get("count", 0)
    if s["count"] < 2 * q:
        # Fewer calls than two seconds' worth: one burst, no meaningful rate.
        print(f"{cat:24} {s['count']:>6} {thr:>9} {'burst':>7} {q:>6} {q * share:>6.1f} {'-':>10}")
        continue
    rps = s["count"] / span
    print(f"{cat:24} {s['count']:>6} {thr:>9} {rps:>7.1f} {q:>6} {q * share:>6.1f} {100 * rps / (q * share):>9.0f}%")
# AdminSetUserPassword counts against UserAccountRecovery (30/s), AdminDisableUser against UserUpdate (25/s).
floor_full = max(plan["users"] / 50, plan["memberships"] / 25, plan["disabled"] / 25, plan["passwords"] / 30)
floor_brief = max(plan["users"] / 50, plan["memberships"] / 25, plan["passwords"] / 30)
calls = {"UserCreation": plan["users"], "UserUpdate": plan["disabled"], "UserAccountRecovery": plan["passwords"],
         "UserResourceUpdate": plan["memberships"], "UserPoolResourceUpdate": plan["groups"]}
bottleneck = max(calls, key=lambda c: calls[c] / quota[c])
achieved = calls[bottleneck] / wall
print(f"wall {wall:.1f}s; floor at full quotas {floor_full:.1f}s (users/50, memberships/25, disables/25, passwords/30; "
      f"{floor_brief:.1f}s counting passwords only), at the {share} share {floor_full / share:.1f}s")
print(f"bottleneck {bottleneck}: {calls[bottleneck]} calls in {wall:.1f}s = {achieved:.1f}/s, "
      f"{100 * achieved / (quota[bottleneck] * share):.0f}% of the share ({quota[bottleneck] * share:.1f}/s), "
      f"{100 * achieved / quota[bottleneck]:.0f}% of the quota")
EOF
