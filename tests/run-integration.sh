#!/bin/sh
# Integration tests: the real nfkafka binary against a real Kafka broker and
# real nfcapd/nfdump. Sets up what it needs first (venv, Kafka jars).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=$(sh tests/setup/venv.sh)
sh tests/setup/kafka.sh fetch >/dev/null
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q -rs tests/integration "$@"
