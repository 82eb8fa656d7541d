#!/bin/sh
# `make bench`: sets up what the benchmark needs (Debian packages, the
# Python venv, the Kafka jars: the same scripts as `make check`), then runs
# bench/bench.py with any arguments given (make bench BENCH_ARGS=--quick).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
sh tests/setup/deps.sh
venv=$(sh tests/setup/venv.sh)
sh tests/setup/kafka.sh fetch >/dev/null
exec "$venv/bin/python" bench/bench.py "$@"
