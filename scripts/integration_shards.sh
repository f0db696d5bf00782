#!/usr/bin/env bash
# Runs the integration tests (LockTests aside: scripts/test.sh runs them
# alone) as two test processes side by side, suites A-O and P-Z. In one
# process the tests hold its 2 cooperative threads while snap and moto run,
# and half the machine sat idle (vmstat: 52% idle); two processes, each
# with its own moto, took the step from 1043 s to 594 s (BENCHMARKS.md).
# The bundle is run directly: `swift test` holds the build folder's lock,
# so two of them run one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="$(swift build --show-bin-path)/snapPackageTests.xctest"
shards=(A-O P-Z)
# Every integration suite must fall in a shard: a name the patterns miss would never run.
missed=$("$bundle" --testing-library swift-testing --list-tests 2>/dev/null | grep '^IntegrationTests\.' | grep -v '^IntegrationTests\.[A-Z]' || true)
if [ -n "$missed" ]; then
  echo "integration_shards: tests no shard runs (suite names must start A-Z):" >&2
  echo "$missed" >&2
  exit 1
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
pids=()
for s in "${shards[@]}"; do
  "$bundle" --testing-library swift-testing --filter "IntegrationTests\\.[$s]" --skip 'IntegrationTests\.LockTests' \
    > "$logs/$s.log" 2>&1 &
  pids+=("$!")
done
rc=0
for i in "${!shards[@]}"; do
  shard_rc=0
  wait "${pids[$i]}" || shard_rc=$?
  echo "== integration shard ${shards[$i]}: exit $shard_rc"
  cat "$logs/${shards[$i]}.log"
  [ "$shard_rc" -eq 0 ] || rc=1
done
exit "$rc"
