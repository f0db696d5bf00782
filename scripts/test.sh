#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: unit tests, and integration
# tests that start their own moto server (signatures checked) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift format lint --strict -r Sources Tests   # the checked-in .swift-format
swift build --build-tests
swift test --skip-build "$@"
