# Sourced by the benchmark scripts: picks the snap binary, starts moto
# (signatures on) and the quota proxy in front of it, and cleans up on exit.
# Needs ROOT and LATENCY set; sets SNAP, WORK, MOTO_URL, PROXY_URL and the AWS_* keys.

# The release build, as operators run it (issue 18); built here when missing.
# SNAP=/path/to/snap runs another binary, and the numbers then say which.
if [[ -z "${SNAP:-}" ]]; then
    (cd "$ROOT" && swift build -c release --product snap >&2)
    SNAP="$(cd "$ROOT" && swift build -c release --show-bin-path)/snap"
fi
[[ -x "${SNAP:-}" ]] || { echo "no snap binary at ${SNAP:-?}; build it (swift build -c release --product snap) or set SNAP=" >&2; exit 1; }
echo "bench: $("$SNAP" --version)" >&2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/snap-bench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

first_line() {  # waits for the first (JSON) line a background process writes to a file
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
export AWS_ACCESS_KEY_ID=$(field "$MOTO" accessKeyId)
export AWS_SECRET_ACCESS_KEY=$(field "$MOTO" secretAccessKey)
export AWS_DEFAULT_REGION=us-east-1 AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION SNAP_USER_POOL_ID SNAP_STORES || true

python3 "$ROOT/scripts/aws_proxy.py" --upstream "$MOTO_URL" --latency-ms "$LATENCY" >"$WORK/proxy.out" 2>"$WORK/proxy.err" &
PIDS+=($!)
PROXY_URL=$(field "$(first_line "$WORK/proxy.out")" endpoint)
