#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: unit tests, and integration
# tests that start their own moto server (signatures checked) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift format lint --strict -r Sources Tests Plugins   # the checked-in .swift-format
swift build --build-tests
# The integration tests run the binary operators run: snap built with -c
# release (issue 18). Runs that set a SNAP_TEST_ hook (compiled out of
# release builds) take the debug build beside the tests; TESTING.md.
swift build -c release --product snap
SNAP_BINARY="$(swift build -c release --show-bin-path)/snap"
if [ "$#" -gt 0 ]; then SNAP_BINARY="$SNAP_BINARY" exec swift test --skip-build "$@"; fi
# Unit targets first, then the integration tests: the integration tests block
# threads while they run snap and moto, which on 2 cores would starve the unit
# tests' own timers if both ran in one process.
swift test --skip-build --filter 'AWSTests|SnapCoreTests'
SNAP_BINARY="$SNAP_BINARY" swift test --skip-build --filter IntegrationTests
# The release checklist (scripts/aws_smoke.sh) against moto, so it keeps
# working for the operator who runs it against AWS (issue 20, build item 5).
SNAP_BINARY="$SNAP_BINARY" scripts/smoke_moto.sh
# A bounded fuzzing run over the archive reader and the line scanner
# (builds in under a minute outside SwiftPM; RELIABILITY.md).
scripts/fuzz.sh "${SNAP_FUZZ_SECONDS:-60}"
# Sanitizers, each a full build in its own scratch path (5-10 minutes on 2
# cores). ThreadSanitizer runs by default: the concurrent parts (pacer,
# journal, work queues, HTTP client, locks, sharded export, restore
# pipelines) are where Swift's checks leave room for a race. AddressSanitizer
# already guards the C edge in the fuzzing run above (-sanitize=fuzzer,address);
# its run over every unit test is on request. SNAP_SANITIZERS=all runs both,
# SNAP_SANITIZERS=none neither.
case "${SNAP_SANITIZERS:-thread}" in
  none) ;;
  all|1) scripts/sanitizers.sh address thread ;;
  *) scripts/sanitizers.sh ${SNAP_SANITIZERS:-thread} ;;
esac
