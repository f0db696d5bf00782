#!/bin/sh
# The snap image's entrypoint (deploy/cloudformation/snap.yaml's task runs it).
#
#   SNAP_CONFIG_TOML  the whole snap.toml (the stack writes it): saved to $SNAP_CONFIG_FILE
#                     (default /tmp/snap.toml) and named by SNAP_CONFIG. Unset: SNAP_CONFIG as given.
#   SNAP_DISCOVER     regions (comma-separated) whose every pool `nightly` backs up, besides the
#                     config's [[pool]] tables.
#   SNAP_CHECK_MAX_AGE  `check`'s --max-age (default 26h).
#
#   nightly            snap create --all [--discover R] && snap prune --all
#   check              snap check --all --max-age $SNAP_CHECK_MAX_AGE
#   anything else      snap with those arguments (e.g. --version, list --all)
#
# The exit status is snap's, so a failed night or a stale check stops the task non-zero and the
# stack's EventBridge rule sends the alert.
set -eu

if [ -n "${SNAP_CONFIG_TOML:-}" ]; then
  file="${SNAP_CONFIG_FILE:-/tmp/snap.toml}"
  umask 077
  if ! printf '%s\n' "$SNAP_CONFIG_TOML" > "$file"; then
    echo "snap-entrypoint: cannot write SNAP_CONFIG_TOML to $file: set SNAP_CONFIG_FILE to a writable path" >&2
    exit 1
  fi
  export SNAP_CONFIG="$file"
fi

case "${1:-nightly}" in
  nightly)
    if [ -n "${SNAP_DISCOVER:-}" ]; then
      # prune --all takes its pools from [[pool]] tables: add the pools this run discovered (those
      # already named stay as they are).
      if [ -z "${SNAP_CONFIG:-}" ]; then
        echo "snap-entrypoint: SNAP_DISCOVER needs a config file to list the discovered pools in for prune: set SNAP_CONFIG_TOML or SNAP_CONFIG" >&2
        exit 1
      fi
      out="${TMPDIR:-/tmp}/snap-create.jsonl"
      rc=0
      snap create --all --discover "$SNAP_DISCOVER" --json > "$out" || rc=$?
      cat "$out"
      for id in $(grep -o '"pool":"[a-z0-9-]*_[0-9A-Za-z]*"' "$out" | sed 's/.*:"//; s/"$//' | sort -u); do
        grep -q "^id = \"$id\"\$" "$SNAP_CONFIG" || printf '[[pool]]\nid = "%s"\n' "$id" >> "$SNAP_CONFIG"
      done
      # As without SNAP_DISCOVER: prune only after a night every pool succeeded.
      if [ "$rc" -ne 0 ]; then exit "$rc"; fi
      exec snap prune --all
    fi
    snap create --all && exec snap prune --all
    ;;
  check)
    exec snap check --all --max-age "${SNAP_CHECK_MAX_AGE:-26h}"
    ;;
  *)
    exec snap "$@"
    ;;
esac
