#!/usr/bin/env bash
# Writes dist/snap-VERSION-linux-ARCH.tar.gz: the release binary, the Swift runtime libraries it
# links (found with ldd under the toolchain), man pages, shell completions and LICENSE.
#
#   scripts/package.sh              # uses .build/release/snap; `swift build` is a no-op when it is current
#   STATIC=1 scripts/package.sh     # --static-swift-stdlib, in .build-static/ (a full rebuild, ~5 minutes
#                                   # on 2 cores; the tarball then carries no Swift libraries)
#   DIST_DIR=/tmp/out scripts/package.sh
#
# Layout: bin/snap is a small wrapper that puts the tarball's lib/ first on LD_LIBRARY_PATH and runs
# libexec/snap, so the tarball runs from wherever it is unpacked, without the toolchain. It still
# needs the system's libarchive13, libzstd1, libcurl4 and ca-certificates (Debian/Ubuntu names).
# The last line on stdout is the tarball's path.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dist="${DIST_DIR:-$root/dist}"

fail() { echo "package.sh: $*" >&2; exit 1; }

command -v swift >/dev/null || fail "swift is not on PATH: install Swift 6.3 (scripts/setup.sh) or put its usr/bin on PATH"
if [ "${STATIC:-0}" = 1 ]; then
  echo "package.sh: STATIC=1: building with --static-swift-stdlib in .build-static (a full release build)" >&2
  build=(swift build -c release --product snap --static-swift-stdlib --scratch-path "$root/.build-static")
else
  # CI has already built the release binary: this only checks that it is current (seconds).
  build=(swift build -c release --product snap)
fi
"${build[@]}" >&2 || fail "'${build[*]}' failed in $root: fix the build first"
bin="$("${build[@]}" --show-bin-path)/snap"
[ -x "$bin" ] || fail "no release binary at $bin after '${build[*]}'"

version_line=$("$bin" --version) || fail "$bin --version failed"
version=$(awk '{print $2}' <<<"$version_line")
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || fail "cannot read the version from '$version_line' ($bin --version): expected 'snap X.Y.Z (...)'"
arch=$(uname -m)
name="snap-$version-linux-$arch"

if [ ! -f LICENSE ]; then
  if [ "${SNAP_ALLOW_NO_LICENSE:-0}" = 1 ]; then
    echo "package.sh: WARNING: $root/LICENSE does not exist; SNAP_ALLOW_NO_LICENSE=1, so $name.tar.gz has none: add the project's LICENSE before a release" >&2
  else
    fail "$root/LICENSE does not exist: add the project's license file (every tarball carries it), or set SNAP_ALLOW_NO_LICENSE=1 for a test package"
  fi
fi
compgen -G "man/*.1" >/dev/null || fail "no man pages in $root/man: run scripts/man.sh"

stage=$(mktemp -d "${TMPDIR:-/tmp}/snap-package.XXXXXX")
trap 'rm -rf "$stage"' EXIT
pkg="$stage/$name"
mkdir -p "$pkg/bin" "$pkg/libexec" "$pkg/lib" "$pkg/man/man1" "$pkg/completions"
install -m 0755 "$bin" "$pkg/libexec/snap"

# The Swift runtime libraries: what ldd resolves inside the toolchain that built the binary.
toolchain_lib="$(cd "$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux" 2>/dev/null && pwd)" \
  || fail "no Swift runtime folder next to $(command -v swift) (expected ../lib/swift/linux)"
ldd_out=$(ldd "$bin") || fail "ldd $bin failed"
if grep -q "not found" <<<"$ldd_out"; then
  fail "ldd $bin cannot resolve: $(grep 'not found' <<<"$ldd_out" | tr -s ' \t' ' ' | paste -sd';'): install what is missing first"
fi
libs=$(awk -v dir="$toolchain_lib/" 'index($3, dir) == 1 {print $3}' <<<"$ldd_out")
if [ -z "$libs" ] && [ "${STATIC:-0}" != 1 ]; then
  fail "ldd $bin lists no library under $toolchain_lib: is it the toolchain that built it? (STATIC=1 builds need none)"
fi
for lib in $libs; do cp -L "$lib" "$pkg/lib/"; done

cat > "$pkg/bin/snap" <<'WRAP'
#!/bin/sh
# Runs the bundled snap with the bundled Swift runtime libraries (../lib) first.
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/../libexec/snap" "$@"
WRAP
chmod 0755 "$pkg/bin/snap"

cp man/*.1 "$pkg/man/man1/"
"$pkg/bin/snap" --generate-completion-script bash > "$pkg/completions/snap.bash" || fail "snap --generate-completion-script bash failed"
"$pkg/bin/snap" --generate-completion-script zsh > "$pkg/completions/_snap" || fail "snap --generate-completion-script zsh failed"
"$pkg/bin/snap" --generate-completion-script fish > "$pkg/completions/snap.fish" || fail "snap --generate-completion-script fish failed"
[ -f LICENSE ] && cp LICENSE "$pkg/"
cat > "$pkg/INSTALL" <<INST
$version_line, Linux $arch.
Needs: libarchive13, libzstd1, libcurl4, ca-certificates (Debian/Ubuntu package names).
Run bin/snap from here, or link it: ln -s "\$PWD/bin/snap" /usr/local/bin/snap
Man pages: man/man1 (MANPATH=\$PWD/man). Completions: completions/ (bash, zsh: _snap, fish).
INST

mkdir -p "$dist"
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$dist/$name.tar.gz" "$name"
echo "package.sh: $dist/$name.tar.gz ($(du -h "$dist/$name.tar.gz" | cut -f1); $(ls "$pkg/lib" | wc -l) Swift libraries)" >&2
echo "$dist/$name.tar.gz"
