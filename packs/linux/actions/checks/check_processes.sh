#!/bin/bash
# Prints a JSON object {"<pid>": "<command line>"} of the processes whose state (one letter, as
# in /proc/<pid>/stat), command line (extended regex) or pid matches. With "pidlist" as an
# argument, the matching pids also go to stderr, separated by spaces.
set -u
search="${1:-name}"
criteria="${2:-}"
pidlist=false
for arg in "$@"; do [ "$arg" = pidlist ] && pidlist=true; done
case "$search" in state|name|pid) ;; *) echo "search must be state, name or pid" >&2; exit 2 ;; esac

json_escape() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\r'/\\r}; s=${s//$'\n'/\\n}
  printf '%s' "$s"
}

out="" pids=""
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  [ "$pid" = "$$" ] && continue
  stat=$(cat "$dir/stat" 2>/dev/null) || continue
  cmd=$(tr '\0' ' ' < "$dir/cmdline" 2>/dev/null) || continue
  cmd=${cmd% }
  state=${stat##*) }; state=${state%% *}
  case "$search" in
    state) [ "$state" = "$criteria" ] || continue ;;
    pid) [ "$pid" = "$criteria" ] || continue ;;
    name) [[ "$cmd" =~ $criteria ]] || continue ;;
  esac
  out+="${out:+, }\"$pid\": \"$(json_escape "$cmd")\""
  pids+="${pids:+ }$pid"
done
$pidlist && printf '%s' "$pids" >&2
printf '{%s}\n' "$out"
