#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The end-to-end demo on a fresh Debian machine: installs what it needs,
# builds nfkafka, and runs contrib/demo.py (local Kafka, two nfcapd
# channels with generated traffic, nfkafka live, records decoded as they
# arrive).
set -eu
cd "$(dirname "$0")/.."
sh tests/setup/deps.sh
make -s all
exec sh tests/setup/python.sh contrib/demo.py
