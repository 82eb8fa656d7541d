#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs what building and testing nfkafka needs on Debian 11, 12 or 13:
# build libraries, the real nfcapd/nfdump, kcat, and the Python consumer
# side. Idempotent and quiet when everything is already there. Packages the
# release does not have (Debian 11: kcat, libclang-rt-dev) are left out,
# named in one line.
#   deps.sh            everything (make check)
#   deps.sh --build    what building, the unit tests and an export need
#   deps.sh --deb      that and what make deb needs (debhelper, lintian)
#   deps.sh PKG...     those packages (tests/setup/nfdump.sh's build tools)
#   NFKAFKA_APT_WAIT   seconds to wait for another apt/dpkg to let go of
#                      its lock (default 900: a fresh cloud machine runs
#                      unattended upgrades for minutes after boot)
set -eu

build="build-essential pkg-config libuv1-dev librdkafka-dev libcbor-dev
libinih-dev libcmocka-dev libcurl4-openssl-dev tzdata nfdump"
debs="$build kcat python3 python3-venv default-jre-headless maven man-db
mandoc valgrind systemd faketime clang libclang-rt-dev libjemalloc-dev
mmdebstrap procps"
# mmdebstrap: make check's Debian 13 short form (tests/release.sh).
# procps: the unit's ExecReload runs /bin/kill, which systemd-analyze
# verify wants to find; a minimal Debian 13 system lacks it.
case "${1:-}" in
--build) debs=$build ;;
--deb) debs="$build debhelper lintian dpkg-dev fakeroot libjemalloc-dev" ;;
"") ;;
*) debs="$*" ;;
esac

die() {
	echo "deps: $*" >&2
	exit 1
}

missing=""
for p in $debs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
[ "$(id -u)" -eq 0 ] ||
	die "missing Debian packages:$missing; fix: run 'sh tests/setup/deps.sh' as root"

. /etc/os-release
wait=${NFKAFKA_APT_WAIT:-900}
apt_get() {
	apt-get -o DPkg::Lock::Timeout="$wait" "$@"
}
export DEBIAN_FRONTEND=noninteractive
apt_get update -qq ||
	die "apt-get update failed on Debian ${VERSION_ID:-?} ($VERSION_CODENAME); fix the sources in /etc/apt or the network, then rerun"
# What this release has; the rest is left out, said in one line.
have="" absent=""
for p in $missing; do
	if apt-cache show --no-all-versions "$p" >/dev/null 2>&1; then
		have="$have $p"
	else
		absent="$absent $p"
	fi
done
[ -z "$absent" ] ||
	echo "deps: Debian ${VERSION_ID:-?} ($VERSION_CODENAME) has no$absent: left out" >&2
[ -n "$have" ] || exit 0
echo "deps: installing Debian packages:$have" >&2
# nfdump's package starts an nfcapd service we do not want; policy-rc.d stops that.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
# shellcheck disable=SC2086 # word splitting of $have is intended
apt_get install -y -qq --no-install-recommends $have >/dev/null ||
	die "apt-get install of$have failed (another apt holding the lock over ${wait}s, or a broken dpkg); fix: 'dpkg --configure -a' or wait, then rerun (NFKAFKA_APT_WAIT sets the wait)"
