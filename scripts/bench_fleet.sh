#!/usr/bin/env bash
# Benchmark `snap create --all` on the Cognito simulator's fleet mode: many
# pools in two regions of one account and one region of a second account
# (reached through AssumeRole), time-scaled.
#
#   scripts/bench_fleet.sh [POOLS] [USERS] [K]      (defaults: 50 pools, 20000 users each, K = 3)
#
# Environment knobs (all optional):
#   SHARE=0.8       snap's --quota-share
#   RTT_MS=150      Cognito's round trip (real time; the simulator divides it by K)
#   NGROUPS=5       synthetic groups per pool
#   PARALLEL=       snap's --parallel (default: snap's own)
#   EXTRA=1         also a denied pool and a pool whose store is down (exit 3 expected); 0: none (exit 0)
#   SNAP=path       the snap binary (default: .build/release/snap)
#
# The pools go 40% to account A us-east-1, 30% to A eu-west-1, 30% to B
# us-east-1. Prints, per account and region, the combined UserList rate
# against the share (30 x K x SHARE), then peak RSS and CPU per user, whether
# every snapshot is exact (each archive's users.jsonl strictly sorted with
# exactly USERS users, and the memberships the simulator defines), and a
# JSON summary last.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
POOLS=${1:-50}
USERS=${2:-20000}
K=${3:-3}
SHARE=${SHARE:-0.8}
RTT_MS=${RTT_MS:-150}
NGROUPS=${NGROUPS:-5}
EXTRA=${EXTRA:-1}
SNAP=${SNAP:-$ROOT/.build/release/snap}
[[ -x "$SNAP" ]] || { echo "no snap binary at $SNAP; build first: swift build -c release --product snap" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/snap-fleet.XXXXXX")
SIM_PID=""
cleanup() {
    [[ -n "$SIM_PID" ]] && kill "$SIM_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

python3 - "$WORK" "$POOLS" "$USERS" "$NGROUPS" "$EXTRA" <<'PY'
import json, sys
work, pools, users, groups, extra = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
a, b = "111111111111", "222222222222"
accounts = [
    {"id": a, "accessKey": "AKIDFLEETA0000000001", "secretKey": "fleet-a-secret", "roles": []},
    {"id": b, "accessKey": "AKIDFLEETB0000000002", "secretKey": "fleet-b-secret", "roles": [f"arn:aws:iam::{b}:role/snap-reader"]},
]
n_a_east = round(pools * 0.4)
n_a_west = round(pools * 0.3)
n_b = pools - n_a_east - n_a_west
spec, toml = [], [f'stores = ["{work}/store"]']
def add(pid, account, role=None, stores=None, denied=False):
    spec.append({"id": pid, "account": account, "users": users, "groups": groups, "denied": denied})
    toml.append("[[pool]]")
    toml.append(f'id = "{pid}"')
    if role:
        toml.append(f'role_arn = "{role}"')
    if stores:
        toml.append("stores = [" + ", ".join(f'"{s}"' for s in stores) + "]")
for i in range(n_a_east):
    add(f"us-east-1_FleetA{i:03d}", a)
for i in range(n_a_west):
    add(f"eu-west-1_FleetA{i:03d}", a)
for i in range(n_b):
    add(f"us-east-1_FleetB{i:03d}", b, role=f"arn:aws:iam::{b}:role/snap-reader")
if extra:
    add("us-east-1_FleetDenied", a, denied=True)
    add("us-east-1_FleetDown", a, stores=[f"{work}/notadir/store"])
    open(f"{work}/notadir", "w").close()
json.dump({"accounts": accounts, "pools": spec}, open(f"{work}/fleet.json", "w"))
open(f"{work}/snap.toml", "w").write("\n".join(toml) + "\n")
PY

python3 "$ROOT/scripts/cognito_sim.py" --fleet "$WORK/fleet.json" --time-scale "$K" --rtt-ms "$RTT_MS" >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 200); do [[ -s "$WORK/sim.out" ]] && break; sleep 0.1; done
SIM=$(head -n1 "$WORK/sim.out")
export AWS_ENDPOINT_URL=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["endpoint"])' "$SIM")
export AWS_ACCESS_KEY_ID=AKIDFLEETA0000000001 AWS_SECRET_ACCESS_KEY=fleet-a-secret
export AWS_DEFAULT_REGION=us-east-1 AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION SNAP_USER_POOL_ID SNAP_STORES SNAP_CONFIG || true

QUOTAS=()
for q in UserList=30 UserCreation=50 UserUpdate=25 UserResourceUpdate=25 UserRead=120 UserPoolRead=15 \
    UserPoolResourceRead=20 UserPoolResourceUpdate=15 UserPoolClientRead=15; do
    QUOTAS+=(--quota "${q%=*}=$(python3 -c "print(${q#*=} * $K)")")
done
THROTTLE_WAIT=$(python3 -c "print(max(1, round(1800 / $K)))")s
TOKEN_LIFE=$(python3 -c "print(max(1, round(3600 / $K)))")s
ARGS=(create --all --config "$WORK/snap.toml" --work-dir "$WORK/scratch" --quota-share "$SHARE" "${QUOTAS[@]}"
    --max-throttle-wait "$THROTTLE_WAIT" --token-life "$TOKEN_LIFE" --json)
[[ -n "${PARALLEL:-}" ]] && ARGS+=(--parallel "$PARALLEL")
mkdir -p "$WORK/scratch"

echo "snap create --all: $POOLS pools x $USERS users, K=$K, share $SHARE, rtt ${RTT_MS} ms, extra pools: $EXTRA" >&2
START=$(date +%s.%N)
set +e
/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$SNAP" "${ARGS[@]}" >"$WORK/out.jsonl" 2>"$WORK/snap.err"
STATUS=$?
set -e
END=$(date +%s.%N)
curl -s "$AWS_ENDPOINT_URL/__sim/stats" >"$WORK/stats.json"

python3 - "$WORK" "$START" "$END" "$POOLS" "$USERS" "$K" "$SHARE" "$NGROUPS" "$EXTRA" "$STATUS" <<'PY'
import json, os, subprocess, sys
work, start, end, pools, users, k, share, groups, extra, status = sys.argv[1:]
wall = float(end) - float(start)
pools, users, k, share, groups, extra, status = int(pools), int(users), float(k), float(share), int(groups), extra == "1", int(status)
stats = json.load(open(f"{work}/stats.json"))
elapsed, user_cpu, sys_cpu, rss_kb = open(f"{work}/time.txt").read().split()[-4:]
cpu = float(user_cpu) + float(sys_cpu)
objects = [json.loads(l) for l in open(f"{work}/out.jsonl") if l.strip()]
summary = objects[-1].get("summary", {}) if objects else {}
by_pool = {o["pool"]: o for o in objects[:-1]}

def members(g):
    x = users - 3 - 7 * g
    return 0 if x <= 0 else (x + 7 * groups - 1) // (7 * groups)
want_members = sum(members(g) for g in range(groups))
exact, not_exact = 0, []
for pid, o in sorted(by_pool.items()):
    if o.get("status") != "ok":
        continue
    archive = f"{work}/store/{pid}/{o['id']}.tar.zst"
    out = subprocess.run(f"zstd -dc '{archive}' | tar -xO users.jsonl | python3 -c \"\nimport sys, json\nprev=None; n=0; ok=True\nfor line in sys.stdin.buffer:\n    u=json.loads(line)['username'].encode()\n    ok = ok and (prev is None or prev < u); prev=u; n+=1\nprint(n, ok)\"",
                         shell=True, capture_output=True, text=True, check=True).stdout.split()
    got_members = int(subprocess.run(f"zstd -dc '{archive}' | tar -xO memberships.jsonl | wc -l", shell=True, capture_output=True,
                                     text=True, check=True).stdout)
    if int(out[0]) == users and out[1] == "True" and got_members == want_members:
        exact += 1
    else:
        not_exact.append(pid)

lanes = {}
allowed = 30 * k * share
for lane, s in sorted(stats.get("lanes", {}).items()):
    ops = s.get("operations", {})
    ul = sum(ops.get(o, {}).get("count", 0) for o in ("ListUsers", "ListUsersInGroup"))
    throttled = sum(ops.get(o, {}).get("throttled", 0) for o in ("ListUsers", "ListUsersInGroup"))
    t = s.get("userListPerSecond", [])
    # The lane's busy window: from its first to its last second with UserList traffic.
    busy = [i for i, c in enumerate(t) if c > 0]
    window = (busy[-1] - busy[0] + 1) if busy else 0
    mean = (ul - throttled) / window if window else 0
    peak = max(t) if t else 0
    inner = t[busy[0] + 1:busy[-1]] if len(busy) > 2 else []  # whole seconds only (first and last are partial)
    steady = sorted(inner)[len(inner) // 2] if inner else 0
    lanes[lane] = {"userListCalls": ul, "throttled": throttled, "busySeconds": window, "meanPerSecond": round(mean, 1),
                   "medianPerSecond": steady, "peakSecond": peak, "share": allowed, "meanOfShare": round(mean / allowed, 3),
                   "peakOfShare": round(peak / allowed, 3)}
total_users = exact * users
result = {
    "pools": pools, "usersPerPool": users, "timeScale": k, "share": share, "exitStatus": status, "wallSeconds": round(wall, 1),
    "exactPools": exact, "notExact": not_exact, "summary": summary, "lanes": lanes,
    "peakRssMB": round(int(rss_kb) / 1024, 1), "cpuSeconds": round(cpu, 1),
    "cpuMicrosecondsPerUser": round(cpu / max(1, total_users) * 1e6, 1),
}
print(f"exit {status}; {summary.get('ok')} ok, {summary.get('partial')} partial, {summary.get('failed')} failed "
      f"(not ok: {', '.join(summary.get('notOk', []))}); wall {wall:.1f} s")
print(f"exact snapshots: {exact}/{pools}" + (f" (NOT exact: {', '.join(not_exact)})" if not_exact else ""))
for lane, l in lanes.items():
    print(f"lane {lane}: {l['userListCalls']} UserList calls ({l['throttled']} throttled) in {l['busySeconds']} s: "
          f"mean {l['meanPerSecond']}/s = {100 * l['meanOfShare']:.1f}% of the share {allowed:.0f}/s, median second "
          f"{l['medianPerSecond']}, peak second {l['peakSecond']} ({100 * l['peakOfShare']:.0f}%)")
print(f"peak RSS {int(rss_kb) / 1024:.0f} MB; CPU {cpu:.1f} s = {cpu / max(1, total_users) * 1e6:.1f} us per exported user")
print(json.dumps(result))
PY
