#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Debian package's life on a system (tests/release.sh RELEASE deb runs
# it as root inside a Debian root file system): make deb builds revisions
# 1 and 2 (lintian errors fail the build); revision 1 installs (user,
# binary, man page, unit, configuration readable by nfkafka only),
# upgrades to 2 keeping a local change to the configuration and the state
# directory, and purges leaving no file, directory or user behind.
set -eu
cd "$(dirname "$0")/.."

fails=0
check() {
	what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "deb-check: ok: $what"
	else
		echo "deb-check: FAILED: $what"
		fails=$((fails + 1))
	fi
}

export DEBIAN_FRONTEND=noninteractive
# No service starts inside a root file system without its init.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT

deb1=$(DEB_REVISION=1 sh contrib/deb.sh)
deb2=$(DEB_REVISION=2 sh contrib/deb.sh)
apt_get() {
	apt-get -o DPkg::Lock::Timeout=900 -y -qq "$@"
}
apt-get remove -y -qq nfkafka >/dev/null 2>&1 || true

apt_get install "$deb1" >/dev/null
check "revision 1 installed" sh -c "dpkg-query -W -f='\${Status} \${Version}' nfkafka | grep -q 'install ok installed .*-1$'"
check "system user nfkafka" sh -c 'getent passwd nfkafka | grep -q "^nfkafka:x:[0-9]*:[0-9]*:.*:/var/lib/nfkafka:/usr/sbin/nologin$"'
check "nfkafka --version" /usr/bin/nfkafka --version
check "man page" test -f /usr/share/man/man8/nfkafka.8.gz
check "systemd unit runs /usr/bin/nfkafka as nfkafka" sh -c \
	'f=$(ls /lib/systemd/system/nfkafka.service /usr/lib/systemd/system/nfkafka.service 2>/dev/null | head -n 1) &&
	grep -q "^ExecStart=/usr/bin/nfkafka -c /etc/nfkafka/nfkafka.conf$" "$f" && grep -q "^User=nfkafka$" "$f"'
check "configuration root:nfkafka 640" sh -c '[ "$(stat -c "%U:%G %a" /etc/nfkafka/nfkafka.conf)" = "root:nfkafka 640" ]'
check "state directory nfkafka:nfkafka 750" sh -c '[ "$(stat -c "%U:%G %a" /var/lib/nfkafka)" = "nfkafka:nfkafka 750" ]'

# A local change to the configuration and a state file survive an upgrade.
echo "# local change" >>/etc/nfkafka/nfkafka.conf
echo "state" >/var/lib/nfkafka/state
apt_get -o Dpkg::Options::=--force-confold install "$deb2" >/dev/null
check "upgraded to revision 2" sh -c "dpkg-query -W -f='\${Version}' nfkafka | grep -q -- '-2$'"
check "local configuration kept" grep -q "^# local change$" /etc/nfkafka/nfkafka.conf
check "state kept" grep -q "^state$" /var/lib/nfkafka/state
check "user kept" getent passwd nfkafka

apt_get purge nfkafka >/dev/null
check "purged" sh -c "! dpkg-query -W -f='\${Status}' nfkafka 2>/dev/null | grep -q installed"
check "no /etc/nfkafka" test ! -e /etc/nfkafka
check "no /var/lib/nfkafka" test ! -e /var/lib/nfkafka
check "no binary" test ! -e /usr/bin/nfkafka
check "no user nfkafka" sh -c '! getent passwd nfkafka'
check "no group nfkafka" sh -c '! getent group nfkafka'
[ "$fails" -eq 0 ] || { echo "deb-check: $fails checks failed"; exit 1; }
echo "deb-check: install, upgrade and purge clean"
