#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The short form of tests/release.sh: a demo-like live export whose nfcapd,
nfdump and nfkafka are those of a Debian release's root file system.

    release_check.py ROOT NFKAFKA [--windows N] [--interval S]

ROOT is the release's root (its /tmp is the host's /tmp, bind-mounted by
tests/release.sh, so a path under /tmp means the same file on both sides);
NFKAFKA is the binary's path inside it. The broker, the NetFlow generator
and the consumer run here on the host; the chroot shares the host's network.
Every window is compared record by record with the release's own nfdump,
and each window's lost, duplicated and wrong records are printed. Exit 0
only when every window is complete and exact.
"""
import argparse
import collections
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from collector import Collector
from compare import _canon, _canon_text
from consume import consume
from kafka_broker import KafkaBroker
import nfdump_ref

# The demo's query (contrib/demo.py): an aggregation, as operators run it;
# nfdump 1.7.5 aggregates only into its own csv columns.
FMT_QUERY = "-A proto,dstip -O bytes -o 'fmt:%ts,%pr,%da,%fl,%pkt,%byt'"
CSV_QUERY = '-A proto,dstip -O bytes -o csv'
FLOWS = {'chanA': 400, 'chanB': 300}
SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin'


def wrappers(root, bindir):
    """nfcapd and nfdump on PATH that run the release's own, in its root."""
    for tool in ('nfcapd', 'nfdump'):
        path = os.path.join(bindir, tool)
        with open(path, 'w') as f:
            f.write('#!/bin/sh\nPATH=%s exec chroot %s %s "$@"\n'
                    % (SYSTEM_PATH, shlex.quote(root), tool))
        os.chmod(path, 0o755)
    os.environ['PATH'] = bindir + ':' + os.environ['PATH']


def demo_query():
    """RELEASE_QUERY, or the demo's query as the nfdump on PATH prints it."""
    if os.environ.get('RELEASE_QUERY'):
        return os.environ['RELEASE_QUERY']
    out = subprocess.run(['nfdump', '-V'], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL).stdout
    m = re.search(r'(\d+)\.(\d+)\.(\d+)', out)
    return CSV_QUERY if m and m.groups() == ('1', '7', '5') else FMT_QUERY


def stamp_of(relfile):
    s = os.path.basename(relfile).split('.', 1)[1]
    return s if len(s) == 14 else s + '00'


def wait_exported(logpath, stamps, proc, timeout):
    """Wait until nfkafka's log names every window as exported."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(logpath) as f:
            text = f.read()
        missing = [s for s in stamps if 'window %s:' % s not in text]
        if not missing or proc.poll() is not None:
            return missing
        time.sleep(0.2)
    return missing


def channels_with(profile_arg, rel):
    """-M of the channels that have rel (nfkafka leaves the others out)."""
    base, chans = profile_arg.rsplit('/', 1)
    have = [c for c in chans.split(':') if os.path.exists(os.path.join(base, c, rel))]
    return '%s/%s' % (base, ':'.join(have))


def check_window(rel, profile_arg, records, query):
    """(rows, lost, duplicates, wrong) of one window against nfdump."""
    rows = nfdump_ref.nfdump_rows(channels_with(profile_arg, rel), rel, query)
    # csv rows come as dicts keyed by the header, as the records are.
    rows = [list(r.values()) if isinstance(r, dict) else r for r in rows]
    like = list(records[0].values()) if records else [None] * 64
    want = collections.Counter(
        tuple(_canon_text(t, v) for t, v in zip(r, like)) for r in rows)
    got = collections.Counter(tuple(_canon(v) for v in r.values()) for r in records)
    lost = sum((want - got).values())
    extra = got - want
    dups = sum(min(n, got[k] - 1) for k, n in extra.items() if k in want)
    wrong = sum(extra.values()) - dups
    return len(rows), lost, dups, wrong


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('root')
    ap.add_argument('nfkafka')
    ap.add_argument('--windows', type=int, default=3)
    ap.add_argument('--interval', type=int, default=10)
    a = ap.parse_args()
    root = os.path.realpath(a.root)
    work = tempfile.mkdtemp(prefix='nfkafka-release.', dir='/tmp')
    wrappers(root, work)
    version = subprocess.run(['nfdump', '-V'], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL).stdout.strip()
    query = demo_query()
    print('release: %s, query %s' % (version, query), flush=True)
    broker = KafkaBroker(os.path.join(work, 'kafka'))
    broker.start()
    logpath = os.path.join(work, 'nfkafka.log')
    failed = []
    try:
        with Collector(os.path.join(work, 'p'), interval=a.interval) as coll, \
                open(logpath, 'w') as log:
            before = coll.windows()
            argv = ['chroot', root, a.nfkafka, '-M', coll.profile_arg(),
                    '-b', broker.bootstrap, '-t', 'release', '-Q', query,
                    '--state', os.path.join(work, 'state')]
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL,
                                    env=dict(os.environ, PATH=SYSTEM_PATH))
            try:
                for _ in range(a.windows):
                    for ch, n in FLOWS.items():
                        coll.send(ch, n)
                    time.sleep(a.interval)
                coll.stop()   # rotates the last window
                now = coll.windows()
                wins = sorted({f for ch, files in now.items()
                               for f in set(files) - set(before[ch])}, key=stamp_of)
                # A channel that missed a window holds it for --grace (60 s).
                missing = wait_exported(logpath, [stamp_of(w) for w in wins],
                                        proc, 180)
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        with open(logpath) as f:
            sys.stdout.write(''.join('  nfkafka: ' + ln for ln in f))
        if missing:
            failed.append('windows never exported: %s' % ' '.join(missing))
        msgs = consume(broker.bootstrap, 'release', timeout=60)
        by_window = collections.defaultdict(list)
        for m in msgs:
            by_window[m['id'].get('nfkafka-window', b'').decode()].append(m['value'])
        for rel in wins:
            stamp = stamp_of(rel)
            records = by_window.pop(stamp, [])
            try:
                rows, lost, dups, wrong = check_window(rel, coll.profile_arg(),
                                                       records, query)
            except RuntimeError as e:
                print('release: window %s: Kafka %d records; the reference %s'
                      % (stamp, len(records), e), flush=True)
                failed.append('window %s: no reference from nfdump' % stamp)
                continue
            print('release: window %s: nfdump %d rows, lost %d, duplicates %d, '
                  'wrong %d' % (stamp, rows, lost, dups, wrong), flush=True)
            if lost or dups or wrong:
                failed.append('window %s differs from nfdump' % stamp)
        if by_window:
            failed.append('records of unknown windows: %s' % sorted(by_window))
        if sum(FLOWS.values()) and not msgs:
            failed.append('no record reached Kafka')
    finally:
        broker.stop()
    for f in failed:
        print('release: FAILED: %s' % f, flush=True)
    if not failed:
        print('release: %d windows exact, %d records' % (len(wins), len(msgs)))
    if not failed:
        shutil.rmtree(work, ignore_errors=True)   # kept for a look on failure
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
