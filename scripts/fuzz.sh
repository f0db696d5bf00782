#!/usr/bin/env bash
# Builds the libFuzzer target over the archive reader and the JSON line
# scanner (Fuzz/), seeds it from fixtures/, and runs it.
#   scripts/fuzz.sh [SECONDS]      default 60; the CI run
# Environment: FUZZ_JOBS (parallel fuzzers, default 1), FUZZ_ARGS (more
# libFuzzer flags). The corpus grows in .build-fuzz/corpus (kept between
# runs); a crash leaves crash-* in .build-fuzz/ and fails the script.
# It compiles the sources themselves with swiftc (-sanitize=fuzzer,address),
# not through SwiftPM, so the normal build is untouched and this build takes
# under a minute: swift-crypto is replaced by Fuzz/CryptoStandIn.swift, and
# SnapCore's WriteFailure (which names SnapError) by Fuzz/WriteFailureStandIn.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out=.build-fuzz
mkdir -p "$out/stand-in" "$out/corpus" "$out/seeds"

sources=(
  Fuzz/SnapFuzz.swift Fuzz/WriteFailureStandIn.swift
  Sources/SnapCore/Archive/ArchiveReader.swift Sources/SnapCore/Archive/ArchiveWriter.swift
  Sources/SnapCore/Archive/ArchiveError.swift Sources/SnapCore/Archive/LibArchive.swift
  Sources/SnapCore/Archive/Zstd.swift Sources/SnapCore/Snapshot/JSONLineScanner.swift Sources/SnapCore/Snapshot/ByteRuns.swift
  Sources/AWS/JSON/JSONParser.swift Sources/AWS/JSON/JSONValue.swift Sources/AWS/JSON/JSONEncoding.swift
)
binary="$out/snap-fuzz"
if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" Fuzz/CryptoStandIn.swift scripts/fuzz.sh -newer "$binary" 2>/dev/null)" ]; then
  echo "fuzz: building $binary" >&2
  swiftc -O -g -parse-as-library -module-name Crypto -emit-module -emit-library -static \
    -emit-module-path "$out/stand-in/Crypto.swiftmodule" -o "$out/stand-in/libCrypto.a" Fuzz/CryptoStandIn.swift
  swiftc -O -g -parse-as-library -sanitize=fuzzer,address -module-name SnapFuzz \
    -I "$out/stand-in" -L "$out/stand-in" -lCrypto \
    -I Sources/CArchive -I Sources/CZstd \
    "${sources[@]}" -o "$binary" 2>&1 | { grep -v "Cannot export local symbol" || true; }
  [ -x "$binary" ] || { echo "fuzz: the build failed" >&2; exit 1; }
fi

# Seeds: the fixture store's archives, every line of their members, and a few hostile shapes.
find fixtures -name '*.tar.zst' -exec cp {} "$out/seeds/" \;
for a in fixtures/store/*/*.tar.zst; do
  tmp=$(mktemp -d)
  zstd -dc "$a" | tar -x -C "$tmp"
  # The same archive as a bare tar stream ("TAR:" prefix: the target compresses it).
  { printf 'TAR:'; zstd -dc "$a"; } > "$out/seeds/tar-$(basename "$a" .tar.zst)"
  for f in "$tmp"/*.jsonl "$tmp"/*.json; do
    n=0
    while IFS= read -r line; do
      n=$((n + 1))
      printf '%s' "$line" > "$out/seeds/line-$(basename "$a" .tar.zst)-$(basename "$f")-$n"
      [ "$n" -lt 40 ] || break
    done < "$f"
  done
  rm -rf "$tmp"
done
printf '{"username":"a\\u00e9","x":[1,2.5e-3,true,null,{}]}' > "$out/seeds/line-escapes"
printf '{"a":1,"a":2}' > "$out/seeds/line-duplicate"
printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' > "$out/seeds/line-deep"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export SNAP_FUZZ_SCRATCH="${SNAP_FUZZ_SCRATCH:-/dev/shm}"
[ -w "$SNAP_FUZZ_SCRATCH" ] || export SNAP_FUZZ_SCRATCH="$out"
echo "fuzz: running for ${seconds}s" >&2
# shellcheck disable=SC2086
"$binary" "$out/corpus" "$out/seeds" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" -print_final_stats=1 ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS} ${FUZZ_ARGS:-} 2>&1 \
  | grep -v '^#[0-9]*\s*\(NEW\|REDUCE\|pulse\)' || { echo "fuzz: a crash; see $out/crash-*" >&2; exit 1; }
