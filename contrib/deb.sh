#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds the Debian package (make deb) from the checkout as it is: a copy
# in build/deb with contrib/debian as its debian/, a changelog for
# VERSION-REVISION, dpkg-buildpackage, then lintian (errors fail the build).
#   DEB_REVISION  the Debian revision (default 1); the version is nfkafka's
#                 own (src/main.c)
# Prints the path of the .deb.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^#define NFKAFKA_VERSION "\(.*\)"/\1/p' "$src/src/main.c")
full=$version-${DEB_REVISION:-1}
out=$src/build/deb
work=$out/nfkafka-$version

die() {
	echo "deb: $*" >&2
	exit 1
}

[ -n "$version" ] || die "no NFKAFKA_VERSION in src/main.c"
sh "$src/tests/setup/deps.sh" --deb ||
	die "could not install the packaging tools"
rm -rf "$work"
mkdir -p "$work"
tar -C "$src" --exclude=./build --exclude=./nfkafka --exclude=./.git -cf - . |
	tar -C "$work" -xf -
cp -r "$src/contrib/debian" "$work/debian"
cat >"$work/debian/changelog" <<EOT
nfkafka ($full) unstable; urgency=medium

  * Built from the nfkafka checkout by make deb.

 -- nfkafka maintainers <nfkafka@example.org>  $(date -R)
EOT
(cd "$work" && dpkg-buildpackage -b -us -uc >"$out/build-$full.log" 2>&1) ||
	die "dpkg-buildpackage failed; see $out/build-$full.log"
deb=$out/nfkafka_${full}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || die "$deb was not made; see $out/build-$full.log"
# lintian refuses to run as root without this; errors fail, the rest is shown.
lintian --allow-root --fail-on error "$deb" >&2 ||
	die "lintian found errors in $deb (above)"
echo "$deb"
