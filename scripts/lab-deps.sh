#!/bin/sh
# Installs the Debian packages the network-namespace lab (src/lab) and the
# benchmark (src/bench) use. dnsmasq-base and nginx-light ship the binaries
# without system services, so nothing starts listening on the host.
#   lab tests:  iproute2 tcpdump curl bind9-dnsutils dnsmasq-base
#   benchmark:  + nginx-light wrk tshark httpry time (taskset: util-linux), tcpreplay (live replay row)
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  iproute2 tcpdump curl bind9-dnsutils dnsmasq-base \
  nginx-light wrk tshark httpry time util-linux tcpreplay
