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
# Set-up steps first, so a failed one ends the run in one line naming it
# (inside pytest it would be a page of INTERNALERROR).
sh tests/setup/nfdump.sh >/dev/null ||
	{ echo "integration: set-up step tests/setup/nfdump.sh failed (see the line above)" >&2; exit 1; }
exec sh tests/setup/python.sh -m pytest -p no:cacheprovider -q -rs "$@"
