#!/bin/sh
# Runs <act> on <service> with whatever service manager the host has: systemd when it is
# running, else the `service` wrapper, else the SysV script in /etc/init.d.
set -u
if [ $# -lt 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
  echo "usage: service.sh <act> <service>" >&2
  exit 2
fi
act=$1
name=$2
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  exec systemctl "$act" "$name"
elif command -v service >/dev/null 2>&1; then
  exec service "$name" "$act"
elif [ -x "/etc/init.d/$name" ]; then
  exec "/etc/init.d/$name" "$act"
fi
echo "Unknown service: $name" >&2
exit 2
