#!/bin/sh
# The end-to-end demo on a fresh Debian machine: installs what it needs,
# builds nfkafka, and runs contrib/demo.py (local Kafka, two nfcapd
# channels with generated traffic, nfkafka live, records decoded as they
# arrive).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
sh tests/setup/deps.sh
venv=$(sh tests/setup/venv.sh)
sh tests/setup/kafka.sh fetch >/dev/null
make -s all
exec "$venv/bin/python" contrib/demo.py
