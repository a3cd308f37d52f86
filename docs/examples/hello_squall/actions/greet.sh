#!/usr/bin/env bash
# Called as: greet.sh [--greeting=WORD] [--shout] [--repeat=N] NAMES
# Keyword arguments come first, then positional ones (names, comma-separated).
set -euo pipefail
greeting=Hello shout=0 repeat=1
while [[ $# -gt 1 ]]; do
  case "$1" in
    --greeting=*) greeting="${1#--greeting=}" ;;
    --shout) shout=1 ;;
    --repeat=*) repeat="${1#--repeat=}" ;;
  esac
  shift
done
names="${1:-}"
line="$greeting, ${names//,/ and }!"
[[ $shout == 1 ]] && line="${line^^}"
for ((i = 0; i < repeat; i++)); do echo "$line"; done
# The secret is in the environment, never on the command line.
if [[ -n "${ST2_ACTION_SECRET_TOKEN:-}" ]]; then
  echo "token received (${#ST2_ACTION_SECRET_TOKEN} characters)" >&2
fi
