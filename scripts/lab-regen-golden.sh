#!/bin/sh
# Re-records fixtures/golden/lab-http-dns.pcap and its .expected.json (root;
# needs the packages from scripts/lab-deps.sh). The expectation is written from
# what curl, dig and Node's clients reported, never from podtap's output.
set -eu
cd "$(dirname "$0")/.."
npx tsc -p .
PODTAP_REGEN_GOLDEN=1 node scripts/run-tests.mjs lab/golden.test
