#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Integration tests: the real nfkafka binary against a real Kafka broker and
# real nfcapd/nfdump. Arguments go to pytest; without any, every
# integration test runs.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- tests/integration
exec sh tests/setup/python.sh -m pytest -p no:cacheprovider -q -rs "$@"
