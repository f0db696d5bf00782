#!/usr/bin/env bash
# Regenerates man/ from the argument parser (commit the result).
set -euo pipefail
cd "$(dirname "$0")/.."
swift package --allow-writing-to-package-directory generate-manual --multi-page --output-directory man
