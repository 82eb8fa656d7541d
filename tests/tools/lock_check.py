#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""deps.sh against a held dpkg lock, inside a release's root (tests/release.sh
short runs it): as on a fresh cloud machine whose unattended upgrades hold
the lock for minutes after boot.

    lock_check.py ROOT SRC

1. The lock held 8 s, NFKAFKA_APT_WAIT=300: deps.sh waits, then installs.
2. The lock held 12 s, NFKAFKA_APT_WAIT=3: deps.sh ends with exit 1
   and one line naming the step and the fix, well before the test's limit.
"""
import fcntl
import os
import subprocess
import sys
import threading
import time

PKG = 'hello'   # small, and nothing else needs it


def hold(root, seconds):
    """Take dpkg's locks as apt does (fcntl), in the root, for seconds."""
    files = []
    for name in ('lock-frontend', 'lock'):
        f = open(os.path.join(root, 'var/lib/dpkg', name), 'a')
        fcntl.lockf(f, fcntl.LOCK_EX)
        files.append(f)

    def release():
        time.sleep(seconds)
        for f in files:
            f.close()
    t = threading.Thread(target=release)
    t.start()
    return t


def deps(root, src, wait):
    argv = ['chroot', root, 'sh', os.path.join(src, 'tests/setup/deps.sh'), PKG]
    env = dict(os.environ, PATH='/usr/sbin:/usr/bin:/sbin:/bin',
               NFKAFKA_APT_WAIT=str(wait))
    start = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=600)
    return p, time.monotonic() - start


def main():
    root, src = sys.argv[1:3]
    failed = []
    subprocess.run(['chroot', root, 'apt-get', 'remove', '-y', '-qq', PKG],
                   capture_output=True)
    t = hold(root, 8)
    p, took = deps(root, src, 300)
    t.join()
    ok = p.returncode == 0 and took >= 7
    print('lock: held 8 s, wait 300 s: exit %d after %.0f s: %s'
          % (p.returncode, took, 'ok' if ok else 'FAILED\n' + p.stderr))
    if not ok:
        failed.append('wait')
    subprocess.run(['chroot', root, 'apt-get', 'remove', '-y', '-qq', PKG],
                   capture_output=True)
    t = hold(root, 12)
    p, took = deps(root, src, 3)
    t.join()
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith('deps:')]
    last = lines[-1] if lines else ''
    ok = (p.returncode == 1 and took < 12 and 'fix:' in last
          and 'NFKAFKA_APT_WAIT' in last)
    print('lock: held 12 s, wait 3 s: exit %d after %.0f s, last line %r: %s'
          % (p.returncode, took, last, 'ok' if ok else 'FAILED\n' + p.stderr))
    if not ok:
        failed.append('give up')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
