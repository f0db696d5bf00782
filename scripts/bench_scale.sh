#!/usr/bin/env bash
# Benchmark `snap create` at scale against the Cognito simulator, time-scaled.
#
#   scripts/bench_scale.sh USERS [K]        (defaults: 1000000 users, K = 20)
#
# Environment knobs (all optional):
#   SHARE=0.8          snap's --quota-share
#   RTT_MS=150         Cognito's round trip (real time; the simulator divides it by K)
#   NEIGHBOUR=0        share of UserList another client spends (e.g. 0.5)
#   TOKEN_LIFE=3600    the simulator's token life in real seconds (snap is told 3600)
#   STORM=AFTER:FOR    a throttling storm in real seconds (e.g. 60:600)
#   NOFILE=256         ulimit -n for snap
#   NGROUPS=25         synthetic groups (about 1 user in 7 is in one)
#   SNAP=path          the snap binary (default: .build/release/snap)
#
# Starts scripts/cognito_sim.py with every quota times K, runs snap create
# with the quotas times K (so snap paces at SHARE of them) under
# `ulimit -n $NOFILE` and /usr/bin/time, samples the work folder's size,
# then checks the archive (users.jsonl strictly sorted by username, so each
# user once; exactly USERS users; the memberships the simulator defines) and
# prints one result line per measure plus a JSON summary.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
USERS=${1:-1000000}
K=${2:-20}
SHARE=${SHARE:-0.8}
RTT_MS=${RTT_MS:-150}
NEIGHBOUR=${NEIGHBOUR:-0}
TOKEN_LIFE=${TOKEN_LIFE:-3600}
NOFILE=${NOFILE:-256}
NGROUPS=${NGROUPS:-25}
SNAP=${SNAP:-$ROOT/.build/release/snap}
[[ -x "$SNAP" ]] || { echo "no snap binary at $SNAP; build first: swift build -c release --product snap" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/snap-scale.XXXXXX")
SIM_PID=""
SAMPLER=""
cleanup() {
    [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
    [[ -n "$SIM_PID" ]] && kill "$SIM_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

SIM_ARGS=(--users "$USERS" --groups "$NGROUPS" --time-scale "$K" --rtt-ms "$RTT_MS" --token-life "$TOKEN_LIFE" --neighbour "$NEIGHBOUR")
[[ -n "${STORM:-}" ]] && SIM_ARGS+=(--storm "$STORM")
python3 "$ROOT/scripts/cognito_sim.py" "${SIM_ARGS[@]}" >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 100); do [[ -s "$WORK/sim.out" ]] && break; sleep 0.1; done
SIM=$(head -n1 "$WORK/sim.out")
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$SIM" "$1"; }
export AWS_ENDPOINT_URL=$(field endpoint) AWS_ACCESS_KEY_ID=$(field accessKeyId) AWS_SECRET_ACCESS_KEY=$(field secretAccessKey)
export AWS_DEFAULT_REGION=us-east-1 AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION SNAP_USER_POOL_ID SNAP_STORES || true
POOL=$(field userPoolId)

QUOTAS=()
for q in UserList=30 UserCreation=50 UserUpdate=25 UserResourceUpdate=25 UserRead=120 UserPoolRead=15 \
    UserPoolResourceRead=20 UserPoolResourceUpdate=15; do
    QUOTAS+=(--quota "${q%=*}=$(python3 -c "print(${q#*=} * $K)")")
done
THROTTLE_WAIT=$(python3 -c "print(max(1, round(1800 / $K)))")s
SNAP_TOKEN_LIFE=$(python3 -c "print(max(1, round(3600 / $K)))")s

mkdir -p "$WORK/scratch" "$WORK/store"
( peak=0; while true; do
    s=$(du -sb "$WORK/scratch" 2>/dev/null | cut -f1 || echo 0)
    (( s > peak )) && { peak=$s; echo "$peak" >"$WORK/scratch.peak"; }
    sleep 1
done ) &
SAMPLER=$!

echo "snap create: $USERS users, K=$K, share $SHARE, rtt ${RTT_MS} ms, neighbour $NEIGHBOUR, token life ${TOKEN_LIFE} s, ulimit -n $NOFILE" >&2
START=$(date +%s.%N)
( ulimit -n "$NOFILE"; /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" \
    "$SNAP" create --user-pool-id "$POOL" --store "$WORK/store" --work-dir "$WORK/scratch" --quota-share "$SHARE" \
    "${QUOTAS[@]}" --max-throttle-wait "$THROTTLE_WAIT" --token-life "$SNAP_TOKEN_LIFE" --json >"$WORK/out.json" 2>"$WORK/snap.err" ) \
    || { echo "snap create failed:" >&2; cat "$WORK/snap.err" >&2; exit 1; }
END=$(date +%s.%N)
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=""
curl -s "$AWS_ENDPOINT_URL/__sim/stats" >"$WORK/stats.json"
ARCHIVE=$(ls "$WORK"/store/"$POOL"/*.tar.zst)
(cd "$WORK" && zstd -dc "$ARCHIVE" | tar -x users.jsonl memberships.jsonl manifest.json)

python3 - "$WORK" "$START" "$END" "$USERS" "$K" "$SHARE" "$NEIGHBOUR" "$NGROUPS" "$ARCHIVE" <<'PY'
import json, os, sys
work, start, end, users, k, share, neighbour, groups, archive = sys.argv[1:]
wall, users, k, share, neighbour, groups = float(end) - float(start), int(users), float(k), float(share), float(neighbour), int(groups)
stats = json.load(open(f"{work}/stats.json"))
manifest = json.load(open(f"{work}/manifest.json"))
elapsed, user_cpu, sys_cpu, rss_kb = open(f"{work}/time.txt").read().split()[-4:]
cpu = float(user_cpu) + float(sys_cpu)
ops = stats["operations"]
ul = sum(ops.get(o, {}).get("count", 0) for o in ("ListUsers", "ListUsersInGroup"))
ul_throttled = sum(ops.get(o, {}).get("throttled", 0) for o in ("ListUsers", "ListUsersInGroup"))
refused = sum(v.get("refused", 0) for v in ops.values())
ok = ul - ul_throttled
# The floor: snap's successful UserList calls at the rate it may use (its share, or what the neighbour leaves).
allowed = 30 * k * min(share, 1 - neighbour)
floor = ok / allowed
# Every user once: users.jsonl strictly increasing by username (bytewise), and exactly USERS of them.
count, prev, strict = 0, None, True
for line in open(f"{work}/users.jsonl", "rb"):
    name = json.loads(line)["username"].encode()
    if prev is not None and not prev < name:
        strict = False
    prev, count = name, count + 1
def members(g):
    x = users - 3 - 7 * g
    return 0 if x <= 0 else (x + 7 * groups - 1) // (7 * groups)
want_members = sum(members(g) for g in range(groups))
got_members = sum(1 for _ in open(f"{work}/memberships.jsonl", "rb"))
scratch = int(open(f"{work}/scratch.peak").read()) if os.path.exists(f"{work}/scratch.peak") else 0
exact = count == users and strict and got_members == want_members
eff = floor / wall
listing = (stats["last"] or 0) - (stats["first"] or 0)  # first to last request the simulator saw
timeline = stats.get("userListPerSecond", [])
steady = sorted(timeline)[len(timeline) // 2] if timeline else 0  # median UserList requests a second
slow_tail = sum(1 for c in timeline[len(timeline) // 2:] if c < 0.8 * steady)  # seconds in the second half below 80% of it
# Real time at the default share (24 UserList/s): the listing scales with K, the local work after it
# (sorts, join, archive) does not. So: measured calls per user at the measured listing efficiency,
# plus the measured local seconds per user.
per_user = ok / users
local = max(0.0, wall - listing) / users
real = {n: (per_user * n / (30 * 0.8) / min(1.0, floor / max(listing, 1e-9)) + local * n) / 60
        for n in (100_000, 1_000_000, 10_000_000, 40_000_000)}
summary = {
    "users": users, "timeScale": k, "share": share, "neighbour": neighbour, "wallSeconds": round(wall, 1),
    "floorSeconds": round(floor, 1), "efficiency": round(eff, 3), "listingSeconds": round(listing, 1),
    "listingEfficiency": round(floor / max(listing, 1e-9), 3), "medianUserListPerSecond": steady,
    "slowSecondsInSecondHalf": slow_tail, "userListCalls": ul, "throttled": ul_throttled,
    "throttledShare": round(ul_throttled / max(1, ul), 4), "refusedTokens": refused, "peakRssMB": round(int(rss_kb) / 1024, 1),
    "cpuSeconds": round(cpu, 1), "cpuSecondsPerMillion": round(cpu / users * 1e6, 1),
    "cpuShareAtQuotaSpeed": round(cpu / wall / 1, 3), "scratchPeakMBPerMillion": round(scratch / users * 1e6 / 1e6, 1),
    "archiveMBPerMillion": round(os.path.getsize(archive) / users, 1), "exact": exact, "usersInArchive": count,
    "memberships": got_members, "expectedMemberships": want_members, "manifestStats": manifest.get("stats"),
    "realMinutesAtDefaultShare": {str(n): round(m, 1) for n, m in real.items()},
}
print(f"users {count}/{users} (strictly sorted: {strict}), memberships {got_members}/{want_members}: {'EXACT' if exact else 'NOT EXACT'}")
print(f"wall {wall:.1f} s vs floor {floor:.1f} s: {100 * eff:.1f}% of the allowed {allowed:.0f} UserList/s"
      f" (listing alone {listing:.1f} s: {100 * floor / max(listing, 1e-9):.1f}%)")
print(f"UserList per second: median {steady}; {slow_tail} s of the second half below 80% of that (the tail)")
print(f"UserList calls {ul}, throttled {ul_throttled} ({100 * ul_throttled / max(1, ul):.2f}%), refused tokens {refused}")
print(f"peak RSS {int(rss_kb) / 1024:.0f} MB; CPU {cpu:.1f} s ({cpu / users * 1e6:.1f} s per million users; "
      f"{100 * cpu / wall:.0f}% of a core at {k:g}x quota speed, so ~{100 * cpu / wall / k:.1f}% at real speed)")
print(f"scratch peak {scratch / 1e6:.0f} MB ({scratch / users:.0f} bytes per user); archive {os.path.getsize(archive) / 1e6:.0f} MB")
print(f"local work after the listing: {wall - listing:.1f} s ({1e6 * local:.1f} us per user, not time-scaled)")
print("real time at the default share: " + ", ".join(f"{n:,} users {m:.1f} min" for n, m in real.items())
      + " (reference architecture: 21.8 min per 100k)")
print(json.dumps(summary))
PY
