#!/bin/sh
# traceroute <host> [max hops] [probes per hop]. A leading empty argument (an unfilled position 0) is skipped.
set -u
[ "${1-}" = "" ] && shift
target="${1:-}"
hops="${2:-30}"
queries="${3:-3}"
if [ -z "$target" ]; then
  echo "usage: traceroute.sh <host> [hops] [queries]" >&2
  exit 2
fi
if ! command -v traceroute >/dev/null 2>&1; then
  echo "Unable to find traceroute binary in PATH" >&2
  exit 2
fi
exec traceroute -q "$queries" -m "$hops" "$target"
