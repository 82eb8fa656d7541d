#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: bench/bench.py with what it needs set up first, like
# `make check` (make bench BENCH_ARGS=--quick passes arguments on).
exec sh "$(dirname "$0")/../tests/setup/python.sh" bench/bench.py "$@"
