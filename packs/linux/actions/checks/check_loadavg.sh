#!/bin/sh
# Load average divided by the number of CPUs. One period prints a number; "all" (or nothing)
# prints {"1": "…", "5": "…", "15": "…"} (the values are strings, as in StackStorm's pack).
set -eu
period="${1:-all}"
if ! read -r one five fifteen _rest < /proc/loadavg; then
  echo "cannot read /proc/loadavg" >&2
  exit 2
fi
cpus=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null || true)
[ -n "$cpus" ] && [ "$cpus" -gt 0 ] || cpus=1
per_cpu() { awk -v load="$1" -v n="$cpus" 'BEGIN { printf "%s", load / n }'; }
case "$period" in
  1|one) per_cpu "$one"; echo ;;
  5|five) per_cpu "$five"; echo ;;
  15|fifteen) per_cpu "$fifteen"; echo ;;
  *) printf '{"1": "%s", "5": "%s", "15": "%s"}\n' \
       "$(per_cpu "$one")" "$(per_cpu "$five")" "$(per_cpu "$fifteen")" ;;
esac
