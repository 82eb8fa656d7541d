#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds and tests nfkafka inside a root file system of a Debian release,
# made from Debian's archive with mmdebstrap (root required).
#   usage: tests/release.sh RELEASE [short|full|static|deb]   e.g. trixie short
#   short  deps.sh --build, make (any warning fails), the unit tests, make
#          install, deps.sh against a held dpkg lock (lock_check.py), then
#          a demo-like live export with the release's own nfcapd and
#          nfdump, every window compared record by record
#          with that nfdump (tests/tools/release_check.py; broker and
#          consumer on the host: the chroot shares its network)
#   full   deps.sh and the whole make check, inside the release
#   static make static, then tests/tools/static_check.py: the executable in
#          the release with only its nfdump and ca-certificates installed
#          (PLAINTEXT, TLS with the CA given, TLS with the CA in the store)
#          and in an otherwise empty root (--version, one export)
#   deb    make deb twice (revisions 1 and 2), then install, upgrade and
#          purge checked (tests/deb-check.sh)
#   RELEASE_RUN     the full form's command (default make check)
#   RELEASE_CFLAGS  the build's CFLAGS (default -O2 -g; any warning fails)
#   NFKAFKA_MIRROR  the Debian archive (default: the host's apt sources)
#   NFKAFKA_CACHE   the cache (default ~/.cache/nfkafka); root file systems
#                   are kept in its rootfs/: RELEASE-base.tar as mmdebstrap
#                   made it, RELEASE-FORM-HASH.tar with deps.sh's packages
# The checkout is copied to the same path inside the root, and the host's
# /tmp is bind-mounted there with /proc, /sys and /dev, so a path means the
# same file on both sides. Mounts are undone on any exit.
set -eu

release=${1:?usage: tests/release.sh RELEASE [short|full|deb|static]}
form=${2:-short}
case "$form" in short | full | deb | static) ;; *) echo "release: form is short, full, deb or static, not $form" >&2; exit 2 ;; esac
src=$(cd "$(dirname "$0")/.." && pwd)
cache=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}
store=$cache/rootfs
mkdir -p "$store"

die() {
	echo "release $release: $*" >&2
	exit 1
}
say() {
	echo "release $release: $*" >&2
}

[ "$(id -u)" -eq 0 ] || die "needs root (chroot and mounts); fix: run it as root"
command -v mmdebstrap >/dev/null ||
	die "mmdebstrap missing; fix: apt-get install mmdebstrap"

# The host's Debian archive: the URI of its first non-security source,
# deb822 (.sources) or one-line (.list) style.
host_mirror() {
	{
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null
		sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/URIs: \2/p' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | sed -n 's/^URIs: *\([^ ]*\).*/\1/p' | grep -v -e security -e '^$' |
		grep '/debian/\{0,1\}$' | head -n 1
}

# One root file system per run, beside the cache (not under /tmp, which
# is bind-mounted into it).
root=$(mktemp -d "$store/$release.run.XXXXXX")
mounted=""

undo_mounts() {
	for m in $mounted; do
		umount -R "$m" 2>/dev/null || umount -R -l "$m" || true
	done
	mounted=""
}

# Ends whatever still runs inside the root (started by this run only: no
# other process has it as its root), undoes the mounts, and removes the
# root only when nothing is mounted under it any more.
cleanup() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	undo_mounts
	if grep -q " $root/" /proc/mounts; then
		say "mounts left under $root; not removing it (umount them, then rm -rf it)"
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mount_all() {
	mount -t proc proc "$root/proc" && mounted="$root/proc $mounted"
	mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" &&
		mounted="$root/sys $mounted"
	mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" &&
		mounted="$root/dev $mounted"
	mount --bind /tmp "$root/tmp" && mounted="$root/tmp $mounted"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

in_root() {
	PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$root" "$@"
}

base=$store/$release-base.tar
if [ ! -f "$base" ]; then
	mirror=${NFKAFKA_MIRROR:-$(host_mirror)}
	[ -n "$mirror" ] || die "no Debian archive in the host's apt sources; fix: set NFKAFKA_MIRROR"
	say "mmdebstrap $release from $mirror (a minute)"
	mmdebstrap --quiet --format=tar --variant=apt --include=ca-certificates,make \
		"$release" "$base.part" "$mirror" ||
		die "mmdebstrap failed; fix: check that $mirror still serves $release, or set NFKAFKA_MIRROR"
	mv "$base.part" "$base"
fi

# The root with deps.sh's packages installed, cached per deps.sh content.
sum=$(sha256sum "$src/tests/setup/deps.sh" | cut -c1-12)
ready=$store/$release-$form-$sum.tar
deps_arg=""
[ "$form" = short ] && deps_arg=--build
[ "$form" = deb ] && deps_arg=--deb
# None of nfkafka's libraries: only what an appliance has.
[ "$form" = static ] && deps_arg=nfdump
if [ -f "$ready" ]; then
	tar -C "$root" -xf "$ready"
else
	tar -C "$root" -xf "$base"
	mount_all
	cp "$src/tests/setup/deps.sh" "$root/deps.sh"
	say "installing deps.sh ${deps_arg:-(everything)} packages (cached for next time)"
	in_root sh /deps.sh $deps_arg || die "deps.sh failed inside the root (see above)"
	in_root apt-get clean
	rm -f "$root/deps.sh"
	undo_mounts
	# The ones made for an older deps.sh go.
	for old in "$store/$release-$form"-*.tar; do
		[ "$old" = "$ready" ] || rm -f "$old"
	done
	tar -C "$root" --one-file-system -cf "$ready.part" . && mv "$ready.part" "$ready"
fi
mount_all

# The checkout as it is now (committed or not), without build results.
mkdir -p "$root$src"
tar -C "$src" --exclude=./build --exclude=./nfkafka --exclude=./.git -cf - . |
	tar -C "$root$src" -xf -
if [ "$form" = static ]; then
	sh "$src/contrib/static.sh" nfkafka-static || die "make static failed"
	cp "$src/nfkafka-static" "$root/usr/local/bin/nfkafka"
	# The empty root: the executable, a static fake nfdump, /dev, /tmp.
	empty=$root/empty
	mkdir -p "$empty/dev" "$empty/tmp"
	cp "$src/nfkafka-static" "$empty/nfkafka"
	musl-gcc -static -O2 -o "$empty/nfdump" "$src/tests/tools/fake_nfdump.c" ||
		die "could not build the fake nfdump"
	mount --rbind /dev "$empty/dev" && mount --make-rslave "$empty/dev" &&
		mounted="$empty/dev $mounted"
	mount --bind /tmp "$empty/tmp" && mounted="$empty/tmp $mounted"
	sh "$src/tests/setup/python.sh" "$src/tests/tools/static_check.py" \
		"$root" "$empty" || die "the static executable failed (see above)"
	exit 0
fi
if [ "$form" = deb ]; then
	in_root sh "$src/tests/deb-check.sh" || die "the package's install, upgrade or purge failed"
	exit 0
fi
if [ "$form" = full ]; then
	# The release's own test cache (its nfdump builds), kept between runs,
	# with the Kafka jars (the same on every release) copied in once.
	keep=$store/$release-cache
	mkdir -p "$keep" "$root/root/.cache/nfkafka" "$root$src/../shared"
	for k in "$cache"/kafka-*; do
		[ -d "$k" ] && [ ! -d "$keep/${k##*/}" ] && cp -a "$k" "$keep/"
	done
	mount --bind "$keep" "$root/root/.cache/nfkafka" &&
		mounted="$root/root/.cache/nfkafka $mounted"
	# A host behind a TLS-inspecting proxy trusts its CA locally; pip
	# inside needs the same.
	if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
		cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
		in_root update-ca-certificates >/dev/null 2>&1 || true
	fi
	[ -d "$src/../shared/nfdump" ] && cp -a "$src/../shared/nfdump" "$root$src/../shared/"
	run=${RELEASE_RUN:-make check RELEASE_CHECK=}
	say "$run, inside $release"
	in_root sh -c "cd '$src' && $run" || die "$run failed inside $release"
	say "$run passed"
	exit 0
fi

# Every step runs, and says in one line whether it passed, so one run shows
# all that breaks on the release; the exit status is 1 if any failed.
start=$(date +%s)
failed=""
step() {
	name=$1
	shift
	if "$@"; then
		say "$name: passed ($(($(date +%s) - start)) s)"
	else
		say "$name: FAILED ($(($(date +%s) - start)) s)"
		failed="$failed, $name"
	fi
}
build() {
	in_root sh -c "cd '$src' && make -s -j2 CFLAGS='${RELEASE_CFLAGS:--O2 -g}' all" \
		>"$root/tmp.build.log" 2>&1
	rc=$?
	cat "$root/tmp.build.log" >&2
	! grep -q 'warning:' "$root/tmp.build.log" && [ $rc -eq 0 ]
}
step "deps.sh --build" in_root sh -c "cd '$src' && sh tests/setup/deps.sh --build"
step "make (no warnings)" build
step "make unit" in_root sh -c "cd '$src' && make -s -j2 CFLAGS='${RELEASE_CFLAGS:--O2 -g}' unit"
step "make install" in_root sh -c "cd '$src' && make -s install >/dev/null && /usr/local/bin/nfkafka --version"
step "deps.sh waits for the dpkg lock, then gives up in one line" \
	python3 "$src/tests/tools/lock_check.py" "$root" "$src"
[ -x "$root$src/nfkafka" ] &&
	step "export checked against nfdump" sh "$src/tests/setup/python.sh" \
		"$src/tests/tools/release_check.py" "$root" "$src/nfkafka"
[ -z "$failed" ] || die "failed: ${failed#, }"
say "short form passed in $(($(date +%s) - start)) s"
