#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds one upstream nfdump (default 1.7.8) once into the test cache, from
# the source tarball beside the checkout, so the tests can run against it
# beside Debian's own. Prints the directory of its nfdump and nfcapd, or
# nothing (and one line on stderr) when the tarball is not there.
#   usage: nfdump.sh [VERSION]   (1.6.25, 1.7.5, 1.7.8, 1.8.0-beta-5fa3336)
#   NFDUMP_TARBALL  the source tarball (default ../shared/nfdump/nfdump-VERSION.tar.gz)
#   NFKAFKA_CACHE   the cache (default ~/.cache/nfkafka)
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
version=${1:-1.7.8}
tarball=${NFDUMP_TARBALL:-$root/../shared/nfdump/nfdump-$version.tar.gz}
prefix=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/nfdump-$version
marker=$prefix/.complete

die() {
	echo "nfdump.sh: $*" >&2
	exit 1
}

if [ -f "$marker" ]; then
	echo "$prefix/bin"
	exit 0
fi
if [ ! -f "$tarball" ]; then
	echo "nfdump.sh: $tarball not found: tests against nfdump $version are skipped" >&2
	exit 0
fi
# Test workers may ask at once: one builds, the others wait for it.
mkdir -p "$(dirname "$prefix")"
exec 9>"$prefix.lock"
flock 9
if [ -f "$marker" ]; then
	echo "$prefix/bin"
	exit 0
fi
sh "$root/tests/setup/deps.sh" autoconf automake libtool pkg-config flex bison \
	libbz2-dev liblz4-dev libzstd-dev ||
	die "could not install nfdump's build tools (the line above says why)"
echo "nfdump.sh: building nfdump $version into $prefix (about a minute)" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar xzf "$tarball" -C "$tmp" 2>/dev/null || die "$tarball is not an nfdump source tarball; fix: replace it (or remove it to skip nfdump $version)"
cd "$tmp"/nfdump-*/
rm -rf "$prefix"
{
	sh autogen.sh &&
	./configure --prefix="$prefix" &&
	make -j"$(nproc)" &&
	make install
} >"$prefix.log" 2>&1 ||
	die "building nfdump $version failed; its log is $prefix.log (fix what it names, then rerun)"
"$prefix/bin/nfdump" -V >/dev/null 2>&1 ||
	die "the nfdump $version just built in $prefix does not run; see $prefix.log"
touch "$marker" # last, so an interrupted build is redone next time
echo "$prefix/bin"
