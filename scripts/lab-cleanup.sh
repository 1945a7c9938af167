#!/bin/sh
# Deletes lab network namespaces (ptlab-<pid>-…) whose owning process is gone.
# The lab removes its namespaces itself on teardown, exit and SIGINT/SIGTERM;
# this is for a process killed with SIGKILL. With --all, deletes every ptlab-*
# namespace, live owner or not. Deleting a namespace deletes its links.
set -eu
all=0
[ "${1:-}" = "--all" ] && all=1
ip netns list | awk '{print $1}' | grep '^ptlab-' | while read -r ns; do
  pid=$(echo "$ns" | cut -d- -f2)
  if [ "$all" = 1 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "deleting $ns"
    ip netns del "$ns"
  fi
done
