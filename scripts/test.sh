#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: unit tests, and integration
# tests that start their own moto server (signatures checked) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step prints how long it took, so CI's time (kept under 30 minutes)
# can be read off the log step by step.
started=$SECONDS
step() {
  local t0=$SECONDS rc=0
  echo "== test.sh: $*" >&2
  "$@" || rc=$?
  echo "== test.sh: $(( SECONDS - t0 )) s (total $(( SECONDS - started )) s), exit $rc: $1 ${2:-}" >&2
  return "$rc"
}
step scripts/setup.sh
step swift format lint --strict -r Sources Tests Plugins   # the checked-in .swift-format
step swift build --build-tests
# The integration tests run the binary operators run: snap built with -c
# release (issue 18). Runs that set a SNAP_TEST_ hook (compiled out of
# release builds) take the debug build beside the tests; TESTING.md.
step swift build -c release --product snap
SNAP_BINARY="$(swift build -c release --show-bin-path)/snap"
export SNAP_BINARY
if [ "$#" -gt 0 ]; then exec swift test --skip-build "$@"; fi
# Unit targets first, then the integration tests: the integration tests block
# threads while they run snap and moto, which on 2 cores would starve the unit
# tests' own timers if both ran in one process.
step swift test --skip-build --filter 'AWSTests|SnapCoreTests'
# Two processes side by side (scripts/integration_shards.sh): one left half
# the machine idle.
step scripts/integration_shards.sh
# The lock races await S3 calls in the test process itself. Beside ~140
# tests that hold the 2 cooperative threads while snap runs, each of their
# awaits queued behind those tests' bodies: the suite took 760-850 s of a
# 900 s run, against 100 s in a process of its own.
step swift test --skip-build --filter 'IntegrationTests\.LockTests'
# The release checklist (scripts/aws_smoke.sh) against moto, so it keeps
# working for the operator who runs it against AWS (issue 20, build item 5).
step scripts/smoke_moto.sh
# The deployment (README "Deploy on AWS"): the CloudFormation template linted and deployed into
# moto's CloudFormation, snap run as the stack's task role, the release tarball run from an empty
# folder, the Docker image built (or its Dockerfile linted where no daemon runs). Under 3 minutes.
step scripts/deploy_test.sh
# The fleet simulator's own checks (accounts, regions, STS, shared budgets; 5 s).
step python3 scripts/test_fleet_sim.py
# A bounded fuzzing run over the archive reader and the line scanner
# (builds in under a minute outside SwiftPM; RELIABILITY.md).
step scripts/fuzz.sh "${SNAP_FUZZ_SECONDS:-30}"
# Sanitizers, each a full build in its own scratch path (5-10 minutes on 2
# cores). ThreadSanitizer runs by default: the concurrent parts (pacer,
# journal, work queues, HTTP client, locks, sharded export, restore
# pipelines) are where Swift's checks leave room for a race. AddressSanitizer
# already guards the C edge in the fuzzing run above (-sanitize=fuzzer,address);
# its run over every unit test is on request. SNAP_SANITIZERS=all runs both,
# SNAP_SANITIZERS=none neither.
case "${SNAP_SANITIZERS:-thread}" in
  none) ;;
  all|1) step scripts/sanitizers.sh address thread ;;
  *) step scripts/sanitizers.sh ${SNAP_SANITIZERS:-thread} ;;
esac
