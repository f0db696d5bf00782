#!/usr/bin/env bash
# Installs what a fresh Debian machine with Swift lacks for building, testing
# and the demo: the C libraries, zstd and tar, python3 with moto[server],
# boto3 and the AWS CLI. Safe to run again: it installs only what is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need_apt=()
for pkg in libarchive-dev libzstd-dev libcurl4-openssl-dev zstd tar python3 python3-pip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import moto, boto3, flask, regex' >/dev/null 2>&1 || ! command -v moto_server >/dev/null || ! command -v aws >/dev/null; then
  echo "setup: installing moto[server], boto3 and awscli from PyPI" >&2
  python3 -m pip install -q 'moto[server]>=5.1' boto3 awscli regex 2>/dev/null \
    || python3 -m pip install -q --break-system-packages 'moto[server]>=5.1' boto3 awscli regex
  hash -r
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH; install the Swift toolchain (6.3) first" >&2; exit 1; }
