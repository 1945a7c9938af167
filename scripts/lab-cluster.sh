#!/bin/sh
# A simulated two-node Kubernetes cluster in network namespaces, for humans
# (src/lab/cluster). Needs root, iproute2, iptables; dnsmasq-base for DNS.
#   scripts/lab-cluster.sh up     [--id demo] [--inventory PATH] [--podtap-pod]
#   scripts/lab-cluster.sh status [--id demo]
#   scripts/lab-cluster.sh down   [--id demo]
# `up` leaves the lab running (namespaces ptc-<id>-*), prints its addresses and
# how to enter a namespace (ip netns exec <ns> …); `down` removes it all.
# Nothing is configured in the host's namespace besides the namespace handles.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "lab-cluster: run as root (network namespaces)" >&2
  exit 1
fi
if ! command -v iptables-restore >/dev/null 2>&1; then
  echo "lab-cluster: iptables missing: apt-get install -y iptables" >&2
  exit 1
fi
if [ ! -f dist/lab/cluster/cli.js ] || [ -n "$(find src/lab/cluster -newer dist/lab/cluster/cli.js -name '*.ts' 2>/dev/null)" ]; then
  npx tsc -p .
fi
exec node dist/lab/cluster/cli.js "$@"
