#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs what building and testing nfkafka needs on Debian 12: build
# libraries, the real nfcapd/nfdump, kcat, and the Python consumer side.
# Idempotent and quiet when everything is already there. With arguments,
# installs those packages instead (tests/setup/nfdump.sh's build tools).
set -eu

debs="build-essential pkg-config libuv1-dev librdkafka-dev libcbor-dev
libinih-dev libsystemd-dev libcmocka-dev nfdump kcat python3 python3-venv
default-jre-headless maven man-db mandoc valgrind systemd faketime clang
libclang-rt-dev libjemalloc-dev libcurl4-openssl-dev"
[ $# -eq 0 ] || debs="$*"

missing=""
for p in $debs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# nfdump's package starts an nfcapd service we do not want; policy-rc.d stops that.
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	rm -f /usr/sbin/policy-rc.d
fi
