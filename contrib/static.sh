#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds nfkafka as one static executable for any x86_64 Linux (make
# static): musl libc (Debian's musl-tools) with OpenSSL, librdkafka, libuv,
# libcbor and libinih linked in, all from Debian's source packages
# (apt-get source through a private deb-src list; nothing in /etc/apt
# changes), built once into the cache.
#
# musl, not a static link of Debian's glibc archives: a static glibc still
# loads NSS modules of the glibc on the target for getaddrinfo (broker
# names), and Debian ships no static archives of librdkafka or libuv.
#   usage: contrib/static.sh OUTPUT
#   NFKAFKA_CACHE  the cache (default ~/.cache/nfkafka); the toolchain is
#                  in static/ there, complete once static/.complete exists
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-nfkafka-static}
cache=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/static
prefix=$cache/prefix
pkgs="openssl librdkafka libuv1 libcbor libinih"

die() {
	echo "static: $*" >&2
	exit 1
}

# Linux's own headers, which musl-gcc does not search (libuv and OpenSSL
# include <linux/...>).
kernel_headers() {
	mkdir -p "$cache/kinc"
	for d in linux asm-generic mtd; do
		ln -sfn "/usr/include/$d" "$cache/kinc/$d"
	done
	ln -sfn "/usr/include/$(gcc -dumpmachine)/asm" "$cache/kinc/asm"
}

# Debian's source packages of the host's release, into $cache/src.
fetch_sources() {
	. /etc/os-release
	apt_dir=$cache/apt
	mkdir -p "$apt_dir/lists/partial" "$cache/src"
	# The host's own archive, as deb-src.
	mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | grep '/debian/\{0,1\}$' | head -n 1)
	[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1)
	[ -n "$mirror" ] || die "no Debian archive in the host's apt sources; fix: add one"
	# The host's release first; a mirror that lacks a source package's
	# files there may still hold a later release's.
	suites=${STATIC_SUITES:-$VERSION_CODENAME trixie sid}
	: >"$apt_dir/sources.list"
	for s in $suites; do
		echo "deb-src $mirror $s main" >>"$apt_dir/sources.list"
	done
	set -- -o Dir::Etc::SourceList="$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts=- -o Dir::State::Lists="$apt_dir/lists" \
		-o APT::Sandbox::User=root
	apt-get "$@" -qq update || die "apt-get update of $mirror's deb-src failed"
	for p in $pkgs; do
		for s in $suites; do
			(cd "$cache/src" && apt-get "$@" -qq source "$p/$s" >/dev/null 2>&1) &&
				continue 2
		done
		# Upstream's tarball alone, where the mirror lacks Debian's parts.
		for s in $suites; do
			(cd "$cache/src" && apt-get "$@" -qq source --tar-only "$p/$s" >/dev/null 2>&1 &&
				tar xf "$(ls "$p"_*.orig.tar.* | grep -v '\.asc$' | tail -n 1)") &&
				continue 2
		done
		die "apt-get source $p failed for $suites; fix: install dpkg-dev, check that $mirror serves it"
	done
}

# The first source directory of a package, e.g. librdkafka-2.0.2.
srcdir() {
	find "$cache/src" -maxdepth 1 -type d -name "$1-[0-9]*" | sort | head -n 1
}

build_toolchain() {
	rm -rf "$cache/src" "$prefix"
	mkdir -p "$prefix/lib" "$prefix/include"
	kernel_headers
	fetch_sources
	cc="musl-gcc -idirafter $cache/kinc"
	log=$cache/build.log
	: >"$log"
	echo "static: building OpenSSL, librdkafka, libuv, libcbor, libinih with musl (minutes; log $log)" >&2
	# Each step is one && chain: set -e does not hold left of ||.
	(
		cd "$(srcdir openssl)" &&
		./Configure linux-x86_64 no-shared no-tests no-afalgeng \
			no-async no-dso --prefix="$prefix" --libdir=lib \
			--openssldir=/etc/ssl CC="$cc" &&
		make -j2 build_libs &&
		make install_dev
	) >>"$log" 2>&1 || die "OpenSSL failed; see $log"
	(
		cd "$(srcdir libuv1)" &&
		mkdir -p build-musl && cd build-musl &&
		CC=$cc cmake -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF .. &&
		make -j2 uv_a &&
		cp libuv_a.a "$prefix/lib/libuv.a" &&
		cp -r ../include/* "$prefix/include/"
	) >>"$log" 2>&1 || die "libuv failed; see $log"
	(
		cd "$(srcdir libcbor)" &&
		mkdir -p build-musl && cd build-musl &&
		CC=$cc cmake -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
			-DWITH_EXAMPLES=OFF -DWITH_TESTS=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
			-DCMAKE_INSTALL_LIBDIR=lib .. &&
		make -j2 cbor &&
		make install
	) >>"$log" 2>&1 || die "libcbor failed; see $log"
	(
		cd "$(srcdir libinih)" &&
		$cc -O2 -c -o ini.o ini.c &&
		ar rcs "$prefix/lib/libinih.a" ini.o &&
		cp ini.h "$prefix/include/"
	) >>"$log" 2>&1 || die "libinih failed; see $log"
	(
		cd "$(srcdir librdkafka)" &&
		# TLS and SASL PLAIN/SCRAM (built in, on OpenSSL); no GSSAPI,
		# no OIDC (curl), lz4 built in.
		PKG_CONFIG_PATH=$prefix/lib/pkgconfig CC=$cc ./configure \
			--prefix="$prefix" --enable-static --disable-shared \
			--enable-ssl --disable-gssapi --disable-curl \
			--disable-zstd --disable-lz4-ext --disable-zlib &&
		make -j2 -C src librdkafka.a &&
		cp src/librdkafka.a "$prefix/lib/" &&
		mkdir -p "$prefix/include/librdkafka" &&
		cp src/rdkafka.h src/rdkafka_mock.h "$prefix/include/librdkafka/"
	) >>"$log" 2>&1 || die "librdkafka failed; see $log"
	touch "$cache/.complete" # last, so an interrupted build is redone
}

command -v musl-gcc >/dev/null && command -v dpkg-source >/dev/null ||
	sh "$src/tests/setup/deps.sh" musl-tools dpkg-dev cmake ||
	die "could not install musl-tools, dpkg-dev and cmake"
mkdir -p "$cache"
exec 9>"$cache.lock"
flock 9
[ -f "$cache/.complete" ] || build_toolchain

# nfkafka itself: NFKAFKA_STATIC turns on what a box without Debian's
# layout needs (the CA store probed for).
make -C "$src" -s BUILD=build/static BIN="$out" CC=musl-gcc JEMALLOC= \
	LIBS_PC= PKG_CONFIG=false \
	CFLAGS="-O2 -g -DNFKAFKA_STATIC -idirafter $cache/kinc -I$prefix/include" \
	LDLIBS="-static -L$prefix/lib -lrdkafka -lssl -lcrypto -luv -lcbor -linih -lpthread -lm" \
	"$out"
echo "static: $out: $(file -b "$src/$out" 2>/dev/null || echo built)" >&2
