#!/bin/sh
# Integration tests: the real nfkafka binary against a real Kafka broker and
# real nfcapd/nfdump. Sets up what it needs first (venv, Kafka jars).
# Arguments go to pytest; without any, every integration test runs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=$(sh tests/setup/venv.sh)
sh tests/setup/kafka.sh fetch >/dev/null
[ $# -gt 0 ] || set -- tests/integration
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q -rs "$@"
