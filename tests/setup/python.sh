#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs a Python script of the repo with everything the services around it
# need installed first: Debian packages, the venv, the Kafka jars. Used by
# the integration tests, the demo and the benchmark alike.
#   sh tests/setup/python.sh SCRIPT [ARGS...]   (or -m MODULE ARGS...)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
sh tests/setup/deps.sh
venv=$(sh tests/setup/venv.sh)
sh tests/setup/kafka.sh fetch >/dev/null
exec "$venv/bin/python" "$@"
