#!/usr/bin/env bash
# The read path against its floors: two generated snapshots of USERS users
# (default 300000; pass 3000000 or set BENCH_USERS for the large pair) in a
# local store, then zstd -dc, zstd -dc | sha256sum, a dict diff in Python,
# snap diff, snap verify and snap cat, each with wall time (best of
# BENCH_REPEAT runs, default 3: the machine may be shared) and peak RSS.
#
#   swift build -c release && scripts/bench_read.sh [USERS]
#
# BENCH_SKIP_PYTHON=1 leaves out the Python dict diff (it holds both
# snapshots in memory: about 1.2 GB at 300,000 users, ten times that at 3 million).
# SNAP_BEFORE=/path/to/an/older/snap adds its diff, verify and cat, measured
# in the same run, for a before/after on a shared machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
USERS=${1:-${BENCH_USERS:-300000}}
SNAP=${SNAP:-$ROOT/.build/release/snap}
[[ -x "$SNAP" ]] || { echo "no release build at $SNAP: run swift build -c release (or set SNAP=)" >&2; exit 1; }
if ! /usr/bin/time -f %e true 2>/dev/null; then
    echo "installing GNU time (apt-get install time) for wall time and peak RSS" >&2
    apt-get install -y -q time >/dev/null || { echo "GNU time is needed at /usr/bin/time: apt-get install time" >&2; exit 1; }
fi
for tool in zstd sha256sum python3 tar; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/snap-bench-read.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
POOL=us-east-1_BenchRead
STORE=$WORK/store
echo "generating two snapshots of $USERS users in $STORE ..." >&2
IDS=($(python3 "$ROOT/scripts/make_read_store.py" "$STORE" "$POOL" --users "$USERS" --snapshots 2))
OLD=${IDS[0]} NEW=${IDS[1]}
A=$STORE/$POOL/$OLD.tar.zst B=$STORE/$POOL/$NEW.tar.zst

cat >"$WORK/dictdiff.py" <<'EOF'
import json, subprocess, sys, tarfile

KEYS = {"users.jsonl": ("username",), "groups.jsonl": ("name",), "memberships.jsonl": ("group", "username")}

def load(path):
    out = {}
    z = subprocess.Popen(["zstd", "-dc", path], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=z.stdout, mode="r|") as t:
        for m in t:
            if m.name in KEYS:
                for line in t.extractfile(m):
                    r = json.loads(line)
                    out[(m.name,) + tuple(r[k] for k in KEYS[m.name])] = r
    return out

a, b = load(sys.argv[1]), load(sys.argv[2])
changes = [k for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]
print(len(changes), "changes")
EOF

SNAPARGS="--store $STORE --user-pool-id $POOL --quiet"
REPEAT=${BENCH_REPEAT:-3}
# label, then the command (run by bash); prints the best wall time of
# REPEAT runs (the machine is shared) and the highest peak RSS, in MB.
declare -A WALL
measure() {
    local label=$1 cmd=$2 best="" top=0 cpu=""
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" bash -c "$cmd" >"$WORK/out" 2>"$WORK/err" || {
            echo "$label failed:" >&2; cat "$WORK/err" >&2; exit 1
        }
        read -r wall rss user sys <"$WORK/time"
        if [[ -z "$best" ]] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$wall" "$best"; then
            best=$wall
            cpu=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) + float(sys.argv[2])))" "$user" "$sys")
        fi
        ((rss > top)) && top=$rss
    done
    WALL[$label]=$best
    printf '| %-26s | %7s s | %6s s | %5d MB | `%s` |\n' "$label" "$best" "$cpu" "$((top / 1024))" "$cmd"
}

echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores (load $(cut -d' ' -f1 /proc/loadavg)), $USERS users per snapshot;" \
    "archives $(stat -c %s "$A") and $(stat -c %s "$B") bytes, users.jsonl $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"]["users.jsonl"]["bytes"])' "$STORE/$POOL/$OLD.json") bytes;" \
    "best of $REPEAT runs; snap: $SNAP"
echo
echo "| work | wall | cpu (user+sys) | peak RSS | command |"
echo "| --- | --- | --- | --- | --- |"
measure "zstd -dc (both archives)" "zstd -dc $A >/dev/null && zstd -dc $B >/dev/null"
measure "zstd -dc OLD | sha256sum" "zstd -dc $A | sha256sum >/dev/null"
if [[ "${BENCH_SKIP_PYTHON:-0}" == 1 ]]; then
    WALL[python dict diff]=0
    echo "| python dict diff           | skipped (BENCH_SKIP_PYTHON=1) | | | |"
else
    measure "python dict diff" "python3 $WORK/dictdiff.py $A $B"
fi
if [[ -n "${SNAP_BEFORE:-}" ]]; then
    measure "before: snap diff --json" "$SNAP_BEFORE diff $OLD $NEW --json $SNAPARGS >/dev/null"
    measure "before: snap verify" "$SNAP_BEFORE verify $OLD $SNAPARGS >/dev/null"
    measure "before: snap cat users" "$SNAP_BEFORE cat $OLD users $SNAPARGS >/dev/null"
fi
measure "snap diff OLD NEW --json" "$SNAP diff $OLD $NEW --json $SNAPARGS >/dev/null"
measure "snap verify OLD" "$SNAP verify $OLD $SNAPARGS >/dev/null"
measure "snap cat OLD users" "$SNAP cat $OLD users $SNAPARGS >/dev/null"

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.1f' % (a / b if b else float('inf')))" "$1" "$2"; }
echo
echo "diff / zstd floor of both: $(ratio "${WALL[snap diff OLD NEW --json]}" "${WALL[zstd -dc (both archives)]}")x (goal <= 3)"
if [[ -n "${BENCH_SKIP_PYTHON:-}" ]]; then
    echo "python dict diff / diff:   skipped (BENCH_SKIP_PYTHON=1)"
else
    echo "python dict diff / diff:   $(ratio "${WALL[python dict diff]}" "${WALL[snap diff OLD NEW --json]}")x (goal >= 10)"
fi
echo "verify / zstd|sha256sum:   $(ratio "${WALL[snap verify OLD]}" "${WALL[zstd -dc OLD | sha256sum]}")x (goal <= 2)"
echo "cat / zstd|sha256sum:      $(ratio "${WALL[snap cat OLD users]}" "${WALL[zstd -dc OLD | sha256sum]}")x (goal <= 2)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reproduce: scripts/bench_read.sh $USERS"
