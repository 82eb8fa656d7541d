#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Creates the Python venv the integration tests run in, idempotently, and
# prints its path. NFKAFKA_VENV overrides the place (relative paths are
# taken from the repo root); PYTHON overrides the interpreter.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${NFKAFKA_VENV:-build/venv}
case "$venv" in /*) ;; *) venv=$root/$venv ;; esac

# Pinned so every machine tests with the same clients. confluent-kafka's
# wheel bundles its own librdkafka; nfkafka itself uses Debian's.
# chdb is ClickHouse's own engine in a wheel: the JSON tests parse with it.
reqs="pytest==9.2.0 pytest-xdist==3.8.0 confluent-kafka==2.16.1 cbor2==6.2.1 kafka-python==3.0.12 chdb==4.4.0 fastavro==1.12.2"
marker=$venv/.nfkafka-reqs

if [ "$(cat "$marker" 2>/dev/null)" != "$reqs" ]; then
	echo "venv.sh: setting up $venv" >&2
	[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
	# shellcheck disable=SC2086 # word splitting of $reqs is intended
	"$venv/bin/python" -m pip install -q $reqs >&2 || {
		echo "venv.sh: pip could not install the pinned test packages into $venv; fix pip's access to its index, then rerun" >&2
		exit 1
	}
	echo "$reqs" >"$marker" # last, so a failed install is retried
fi
# The harness (tests/lib) and the tools are importable by name from the
# venv's Python: tests, demo and bench need no sys.path patches.
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n' "$root/tests/lib" "$root/tests/tools" >"$site/nfkafka-tests.pth"
echo "$venv"
