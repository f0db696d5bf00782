#!/usr/bin/env bash
# Benchmark `snap restore` at scale against the Cognito simulator.
#
#   scripts/bench_restore_sim.sh STORE SOURCE_POOL METHOD [TIME_SCALE]   (default scale 100)
#
# STORE holds a snapshot made by scripts/make_read_store.py (its first one is
# restored). Starts scripts/cognito_sim.py as an empty target (quotas x
# TIME_SCALE, import jobs Pending 10 s / TIME_SCALE), tells snap the scaled
# quotas, and prints peak RSS (/usr/bin/time), wall time, the simulator's
# per-category counts, and each category's floor at the scaled quotas
# (calls / quota): the wall time cannot beat the largest of them.
# SNAP=/path/to/snap picks the binary (default: the release build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STORE=$1; SOURCE=$2; METHOD=$3; K=${4:-100}
SNAP=${SNAP:-$ROOT/.build/release/snap}
WORK=$(mktemp -d)
trap 'kill $SIM 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 "$ROOT/scripts/cognito_sim.py" --users 0 --groups 0 --pool-id us-east-1_SimBench1 --time-scale "$K" >"$WORK/sim.json" &
SIM=$!
while [ ! -s "$WORK/sim.json" ]; do sleep 0.2; done
EP=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['endpoint'])" "$WORK/sim.json")
ID=$(ls "$STORE/$SOURCE" | grep '\.json$' | head -1 | sed 's/\.json$//')
Q=()
for c in UserList=30 UserCreation=50 UserUpdate=25 UserResourceUpdate=25 UserRead=120 UserPoolRead=15 UserPoolResourceRead=20 UserPoolResourceUpdate=15; do
    Q+=(--quota "${c%=*}=$(python3 -c "print(int(${c#*=} * $K))")")
done
cd "$WORK"
START=$(date +%s.%N)
AWS_ENDPOINT_URL=$EP AWS_ACCESS_KEY_ID=AKIDSIMULATOR AWS_SECRET_ACCESS_KEY=simulator-secret AWS_DEFAULT_REGION=us-east-1 \
AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
    /usr/bin/time -f "%M" -o "$WORK/rss" "$SNAP" restore "$ID" --source-pool "$SOURCE" --store "$STORE" \
    --user-pool-id us-east-1_SimBench1 --method "$METHOD" --import-role-arn arn:aws:iam::123456789012:role/CognitoImportLogs \
    "${Q[@]}" --json >"$WORK/summary.json" 2>"$WORK/stderr" || { tail -5 "$WORK/stderr"; exit 1; }
END=$(date +%s.%N)
curl -s "$EP/__sim/stats" >"$WORK/stats.json"
python3 - "$WORK/summary.json" "$WORK/stats.json" "$WORK/rss" "$START" "$END" "$K" "$METHOD" <<'PY'
import json, sys
s, st = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rss, wall, k, method = int(open(sys.argv[3]).read().split()[-1]), float(sys.argv[5]) - float(sys.argv[4]), float(sys.argv[6]), sys.argv[7]
quota = {"UserCreation": 50, "UserUpdate": 25, "UserResourceUpdate": 25, "UserPoolResourceUpdate": 15, "UserPoolRead": 15,
         "UserList": 30, "UserRead": 120, "UserPoolResourceRead": 20}
p = s["plan"]
print(f"method {method}: {p['users']} users, {p['memberships']} memberships; ok={s['ok']}; peak RSS {rss / 1024:.0f} MiB; "
      f"wall {wall:.0f} s at time scale {k:g} (= {wall * k / 3600:.1f} h at Cognito's quotas)")
floor = 0
for cat, n in sorted(st["categories"].items()):
    f = n / (quota[cat] * k)
    floor = max(floor, f)
    print(f"  {cat:24} {n:>9} calls  floor {f:8.1f} s  (= {f * k / 3600:.2f} h real)")
print(f"  wall / largest floor: {wall / max(floor, 1e-9):.2f}")
PY
