# SPDX-License-Identifier: BSD-2-Clause
"""Cached nfcapd windows for the benchmark, made once by the tests' tools.

    profile, rel = bench_window(1_000_000)    # 500k flows in chanA and chanB
    nfdump -M profile -r rel ...

Each window is two channels (chanA:chanB, the usual deployment) holding
half the flows each, collected by a real nfcapd from tests/tools/nfgen
(make_window), under ${NFKAFKA_CACHE:-~/.cache/nfkafka}/bench-windows/
<flows>-seed<seed>-v<version>/. The directory appears only once complete
(built under a temporary name, then renamed), so an interrupted build is
redone and a finished one is reused by every later run.
"""
import fcntl
import os
import shutil
import sys
import time

from collector import make_window  # noqa: E402

CHANNELS = ('chanA', 'chanB')
VERSION = 5


def cache_dir():
    base = os.environ.get('NFKAFKA_CACHE') or os.path.join(
        os.path.expanduser('~'), '.cache', 'nfkafka')
    return os.path.join(base, 'bench-windows')


def _key(flows, seed):
    return '%d-seed%d-v%d' % (flows, seed, VERSION)


def bench_window(flows, seed=0, log=print):
    """(profile_arg, relfile) of a window of `flows` flows, built if missing."""
    root = cache_dir()
    os.makedirs(root, exist_ok=True)
    final = os.path.join(root, _key(flows, seed))
    marker = os.path.join(final, 'WINDOW')
    # One builder per key, also across concurrent bench runs.
    with open(os.path.join(root, '.lock-' + _key(flows, seed)), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(marker):
            tmp = final + '.tmp'
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(final, ignore_errors=True)
            t0 = time.monotonic()
            log('windows: building %d flows (seed %d) in %s ...' % (flows, seed, final))
            half = {CHANNELS[0]: flows - flows // 2, CHANNELS[1]: flows // 2}
            rel = make_window(tmp, CHANNELS, half, version=VERSION, seed=seed)
            shutil.rmtree(os.path.join(tmp, '.nfcapd'), ignore_errors=True)
            with open(os.path.join(tmp, 'WINDOW'), 'w') as f:
                f.write(rel + '\n')
            os.rename(tmp, final)
            log('windows: %d flows built in %.1f s' % (flows, time.monotonic() - t0))
    with open(marker) as f:
        rel = f.read().strip()
    return '%s/%s' % (final, ':'.join(CHANNELS)), rel


if __name__ == '__main__':
    for n in sys.argv[1:] or ['10000', '1000000', '10000000']:
        print(bench_window(int(n)))
