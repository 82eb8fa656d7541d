#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: bench/bench.py with what it needs set up first, like
# `make check` (make bench BENCH_ARGS=--quick passes arguments on).
# The "nfkafka --format avro" row needs a schema registry: bench.py starts
# the tests' Apicurio Registry, fetched here once into the cache, unless
# it is left out (--no-registry, --methods without avro) or an external
# one is given (--schema-registry URL).
set -eu
cd "$(dirname "$0")/.."

registry=yes
methods=
prev=
for arg; do
	case "$prev" in --methods) methods=$arg ;; esac
	case "$arg" in
	--no-registry | --schema-registry | --schema-registry=*) registry=no ;;
	--methods=*) methods=${arg#--methods=} ;;
	esac
	prev=$arg
done
case ",$methods," in ,,) ;; *,avro,*) ;; *) registry=no ;; esac

if [ "$registry" = yes ]; then
	sh tests/setup/deps.sh # mvn, java: registry.sh fetches with them
	sh tests/setup/registry.sh fetch >/dev/null
fi
exec sh tests/setup/python.sh bench/bench.py "$@"
