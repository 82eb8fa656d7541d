#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Integration tests: the real nfkafka binary against a real Kafka broker and
# real nfcapd/nfdump. Arguments go to pytest; without any, every
# integration test runs. The tests mostly wait on services, so two pytest
# workers (pytest-xdist; one file each at a time, each with its own broker)
# run them; NFKAFKA_TEST_JOBS=1 runs them in one process.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- tests/integration
jobs=${NFKAFKA_TEST_JOBS:-2}
if [ "$jobs" -gt 1 ]; then
	set -- -n "$jobs" --dist loadfile "$@"
fi
exec sh tests/setup/python.sh -m pytest -p no:cacheprovider -q -rs "$@"
