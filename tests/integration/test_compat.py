# SPDX-License-Identifier: BSD-2-Clause
"""Issue 17: the nfdump at hand decides its syntax (a vendor build's tokens
are sent as text when it prints them), and a fault of the query or of
nfdump stops nfkafka instead of skipping window after window, while a
fault of the window itself skips only that window."""
import os
import signal
import sys
import urllib.request

import pytest

from collector import make_window
from compare import assert_rows_match
from conftest import ONE_VERSION, consume, run_nfkafka
from kafka_broker import free_port
from livecheck import logged_windows, stamp_of, state_floor
from nfdump_ref import nfdump_rows
from wait import wait_until

CHANNELS = ('chanA', 'chanB')

# Flowmon's nfdump names countries %dcc/%scc and -A dstctry/srcctry, and
# has --no-scale-number for -N; upstream's words for the same.
VENDOR_WORDS = {'%dcc': '%dc', '%scc': '%sc', 'dstctry': 'dstgeo',
                'srcctry': 'srcgeo', '--no-scale-number': '-N'}


def vendor_nfdump(tmp_path, nd):
    """A stand-in for a vendor's nfdump: it reports a version number of its
    own (that of the nfdump under it) and runs that nfdump with its words
    mapped to upstream's."""
    path = tmp_path / 'vendor-nfdump'
    path.write_text('''#!%s
import os, sys
if sys.argv[1:] == ['-V']:
    print('nfdump: Version: %s-vendor')
    sys.exit(0)
words = %r
args = []
for a in sys.argv[1:]:
    for k, v in words.items():
        a = a.replace(k, v)
    args.append(a)
os.execv(%r, [%r] + args)
''' % (sys.executable, nd.reported, VENDOR_WORDS, nd.nfdump, nd.nfdump))
    path.chmod(0o755)
    return path


@pytest.fixture(scope='module')
def window(tmp_path_factory):
    base = str(tmp_path_factory.mktemp('compat'))
    return base, make_window(base, CHANNELS, 300, version=9)


@ONE_VERSION
def test_vendor_tokens_sent_as_text(broker, topic, window, tmp_path,
                                    nfdump_version):
    """The cron script's own query on a vendor nfdump that reports a version
    number: nfkafka's table does not know %dcc for it, nfdump does, so the
    query runs and %dcc's values arrive as text, row for row."""
    base, rel = window
    profile = '%s/%s' % (base, ':'.join(CHANNELS))
    # nfdump 1.7.5 aggregates into no fmt: at all.
    aggr = '-A dstctry ' if nfdump_version.number != (1, 7, 5) else ''
    query = "%s-o 'fmt:%%ts,%%dcc,%%td,%%pkt,%%byt,%%fl' --no-scale-number -6" % aggr
    run = run_nfkafka(['--once', rel, '-M', profile, '-b', broker.bootstrap,
                       '-t', topic, '-Q', query, '--nfdump',
                       vendor_nfdump(tmp_path, nfdump_version)], timeout=180)
    assert run.returncode == 0, run
    assert 'sent as text' in run.stderr and '%dcc' in run.stderr, run
    rows = nfdump_rows(profile, rel, "%s-o 'fmt:%%ts,%%dc,%%td,%%pkt,%%byt,"
                       "%%fl'" % aggr.replace('dstctry', 'dstgeo'))
    assert rows
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120)
    assert_rows_match([m['value'] for m in msgs], rows, [
        'first_seen', 'dst_ctr', 'duration', 'packets', 'bytes', 'flows'])
    assert all(isinstance(m['value']['dst_ctr'], str) for m in msgs)


@ONE_VERSION
def test_vendor_refusal_names_table_and_nfdump(tmp_path, nfdump_version):
    """What the vendor's nfdump itself rejects is still refused at start,
    in one line: the table's reason and nfdump's own words."""
    chan = tmp_path / 'chanA'
    chan.mkdir()
    run = run_nfkafka(['-M', chan, '-b', '127.0.0.1:9', '-Q',
                       "-o 'fmt:%ts,%zzz'", '--once', 'nfcapd.202611271200',
                       '--nfdump', vendor_nfdump(tmp_path, nfdump_version)],
                      timeout=60)
    assert run.returncode == 2, run
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run
    assert 'unknown output token %zzz' in lines[0], run
    assert 'nfdump %s refuses the query' % nfdump_version.reported in lines[0], run
    assert '%zzz' in lines[0].split('refuses the query')[1], run


def breakable_nfdump(tmp_path, flag):
    """The real nfdump, until flag exists: then it refuses every query as
    nfdump 1.7.5 refuses -A with fmt: (on stdout, exit 1), as after an
    upgrade of nfdump under a running nfkafka."""
    path = tmp_path / 'breakable-nfdump'
    path.write_text('#!/bin/sh\nif [ "$1" != -V ] && [ -e %s ]; then\n'
                    '  echo "Can not use print format fmt:x to aggregate '
                    'flows"\n  exit 1\nfi\nexec nfdump "$@"\n' % flag)
    path.chmod(0o755)
    return path


@ONE_VERSION
def test_query_fault_stops_without_skipping(broker, topic, tmp_path, daemons,
                                            nfdump_version):
    """An nfdump that refuses the query fails every window: nfkafka names
    nfdump's own words and stops with exit 1, the window not skipped; once
    fixed, a restart exports it."""
    base = tmp_path / 'p'
    for ch in CHANNELS:
        (base / ch).mkdir(parents=True)
    profile = '%s/%s' % (base, ':'.join(CHANNELS))
    flag = tmp_path / 'broken'
    args = ['-M', profile, '-b', broker.bootstrap, '-t', topic, '-Q',
            "-o 'fmt:%ts,%sa,%byt'", '--nfdump', breakable_nfdump(tmp_path, flag),
            '--state', tmp_path / 'state', '--backoff-min', '0.2',
            '--backoff-max', '1']
    d = daemons(args)
    d.wait_log('watching', timeout=60)
    first = make_window(str(base), CHANNELS, 50)
    d.wait_log('window %s: chanA,chanB: 100 records' % stamp_of(first),
               timeout=120)
    flag.write_text('')
    second = make_window(str(base), CHANNELS, 50)
    d.proc.wait(120)
    assert d.proc.returncode == 1, d.text()
    text = d.text()
    assert 'window %s' % stamp_of(second) in text, text
    assert 'Can not use print format fmt:x to aggregate flows' in text, text
    assert 'not of the window' in text, text
    assert 'skipped' not in text, text
    assert state_floor(tmp_path / 'state') == stamp_of(first)
    d.stop()
    flag.unlink()
    d = daemons(args)
    d.wait_log('window %s: chanA,chanB: 100 records' % stamp_of(second),
               timeout=120)
    assert d.stop() == 0
    assert len(consume(broker.bootstrap, topic, expect=200, timeout=60)) == 200


def hanging_probe_nfdump(tmp_path, broken):
    """The real nfdump, until broken exists: then it fails on every window
    (exit 3), and when asked about the query alone (nfkafka's probe of an
    empty window of 1970) writes its pid to probe-pid and hangs, once per
    probe-pid file, until it is killed."""
    path = tmp_path / 'hanging-nfdump'
    pid = tmp_path / 'probe-pid'
    path.write_text('#!/bin/sh\n[ "$1" = -V ] && exec nfdump "$@"\n'
                    'if [ -e %s ]; then\n  case "$*" in\n'
                    '  *nfcapd.1970*) [ -e %s ] || { echo $$ > %s.new; '
                    'mv %s.new %s; exec sleep 600; };;\n'
                    '  *) echo "corrupt window" >&2; exit 3;;\n  esac\nfi\n'
                    'exec nfdump "$@"\n' % (broken, pid, pid, pid, pid))
    path.chmod(0o755)
    return path, pid


def running(pid):
    """Whether pid is a live process (not gone, not a zombie)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def probe_started(pid_file, proc):
    """The hanging probe's pid, once it has written it."""
    return wait_until(lambda: pid_file.exists() and pid_file.read_text()
                      .strip() and int(pid_file.read_text()), 120,
                      'no probe of the query started', proc=proc)


@ONE_VERSION
def test_query_probe_does_not_block_the_loop(broker, topic, tmp_path, daemons,
                                             nfdump_version):
    """After a failed window nfkafka asks nfdump about the query on the
    loop: while that nfdump hangs, the metrics endpoint answers; a reload
    stops it (the reloaded query is the next window's) and the window is
    retried and exported; a shutdown stops it too and exits 0, the window
    neither skipped nor saved as done. A probe blocking the loop would
    answer only after its 10 s limit killed it."""
    base = tmp_path / 'p'
    (base / 'chanA').mkdir(parents=True)
    broken = tmp_path / 'broken'
    nfdump, pid_file = hanging_probe_nfdump(tmp_path, broken)
    port = free_port()
    args = ['-M', '%s/chanA' % base, '-b', broker.bootstrap, '-t', topic,
            '-Q', "-o 'fmt:%ts,%sa,%byt'", '--nfdump', nfdump,
            '--state', tmp_path / 'state', '--backoff-min', '0.2',
            '--backoff-max', '1', '--metrics', '127.0.0.1:%d' % port]
    # Probes in a directory of the test's own, to see them cleaned up.
    d = daemons(args, env={'TMPDIR': str(tmp_path)})
    d.wait_log('watching', timeout=60)
    broken.write_text('')
    first = make_window(str(base), ('chanA',), 30)
    pid = probe_started(pid_file, d.proc)
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port,
                                timeout=60) as r:
        assert r.status == 200 and b'nfkafka_' in r.read()
    assert running(pid), 'the metrics answered only after the probe ended'
    # Fixed, then SIGHUP: its own check of the query runs the real nfdump;
    # the probe in flight is stopped, and the window retried.
    broken.unlink()
    d.send(signal.SIGHUP)
    d.wait_log('SIGHUP: configuration reloaded', timeout=60)
    wait_until(lambda: not running(pid), 60, 'the probe outlived the reload')
    d.wait_log('window %s: chanA: 30 records' % stamp_of(first), timeout=120)
    # Shutdown while a probe hangs.
    pid_file.unlink()
    broken.write_text('')
    second = make_window(str(base), ('chanA',), 30)
    pid = probe_started(pid_file, d.proc)
    assert d.stop() == 0, d.text()
    assert not running(pid), 'the probe outlived nfkafka'
    text = d.text()
    assert 'retrying the window' in text, text
    assert 'not of the window' not in text and 'skipped' not in text, text
    assert 'stopping: window %s, in flight, will be exported again on restart' \
        % stamp_of(second) in text, text
    assert 'handles left open' not in text, text
    assert state_floor(tmp_path / 'state') == stamp_of(first)
    assert stamp_of(second) > stamp_of(first)
    assert not list(tmp_path.glob('nfkafka-probe-*')), 'a probe dir is left'
    assert len(consume(broker.bootstrap, topic, expect=30, timeout=60)) == 30


@ONE_VERSION
def test_reload_check_does_not_block_the_loop(broker, topic, tmp_path, daemons,
                                              nfdump_version):
    """SIGHUP's check of the query runs nfdump on the loop: while it
    hangs, the metrics answer; a newer SIGHUP replaces it (stopped, its
    check done anew) and the configuration is reloaded; a shutdown while
    one hangs stops it and exits 0."""
    (tmp_path / 'p' / 'chanA').mkdir(parents=True)
    broken = tmp_path / 'broken'
    nfdump, pid_file = hanging_probe_nfdump(tmp_path, broken)
    port = free_port()
    d = daemons(['-M', '%s/p/chanA' % tmp_path, '-b', broker.bootstrap,
                 '-t', topic, '-Q', "-o 'fmt:%ts,%sa,%byt'", '--nfdump', nfdump,
                 '--metrics', '127.0.0.1:%d' % port],
                env={'TMPDIR': str(tmp_path)})
    d.wait_log('watching', timeout=60)
    broken.write_text('')
    d.send(signal.SIGHUP)
    pid = probe_started(pid_file, d.proc)
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port,
                                timeout=60) as r:
        assert r.status == 200 and b'nfkafka_' in r.read()
    assert running(pid), 'the metrics answered only after the check ended'
    assert 'configuration reloaded' not in d.text()
    # The fake hangs once per pid file: the newer check is answered.
    d.send(signal.SIGHUP)
    d.wait_log('SIGHUP: configuration reloaded', timeout=60)
    assert 'checking the newest configuration' in d.text()
    wait_until(lambda: not running(pid), 60, 'the replaced check lives on')
    assert d.text().count('configuration reloaded') == 1
    # Shutdown while a check hangs.
    pid_file.unlink()
    d.send(signal.SIGHUP)
    pid = probe_started(pid_file, d.proc)
    assert d.stop() == 0, d.text()
    assert not running(pid), 'the check outlived nfkafka'
    text = d.text()
    assert text.count('configuration reloaded') == 1, text
    assert 'handles left open' not in text, text
    assert not list(tmp_path.glob('nfkafka-probe-*')), 'a probe dir is left'


@ONE_VERSION
def test_corrupt_window_alone_is_skipped(broker, topic, tmp_path, daemons,
                                         nfdump_version):
    """A window whose file is corrupt is the window's fault: after its
    retries it is skipped, named in an error line, and the next window is
    exported; nfkafka keeps running."""
    base = tmp_path / 'p'
    (base / 'chanA').mkdir(parents=True)
    args = ['-M', '%s/chanA' % base, '-b', broker.bootstrap, '-t', topic,
            '-Q', "-o 'fmt:%ts,%sa,%byt'", '--state', tmp_path / 'state',
            '--backoff-min', '0.2', '--backoff-max', '1']
    d = daemons(args)
    d.wait_log('watching', timeout=60)
    # Built aside, cut short, then moved in: the watcher sees it whole.
    aside = tmp_path / 'aside'
    bad = make_window(str(aside), ('chanA',), 200)
    data = (aside / 'chanA' / bad).read_bytes()
    (aside / 'chanA' / bad).write_bytes(data[:len(data) // 2])
    os.rename(aside / 'chanA' / bad, base / 'chanA' / bad)
    d.wait_log('window %s: skipped after 3 failed nfdump runs' % stamp_of(bad),
               timeout=120)
    good = make_window(str(base), ('chanA',), 40)
    d.wait_log('window %s: chanA: 40 records' % stamp_of(good), timeout=120)
    assert d.proc.poll() is None, d.text()
    assert [s for s, _, _ in logged_windows(d.text())] == [stamp_of(good)]
    d.stop()
