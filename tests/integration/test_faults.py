# SPDX-License-Identifier: BSD-2-Clause
"""Issue 20: faults of the kernel, the clock and the disk. Windows made by a
real nfcapd (collector.make_window), a real broker and a real consumer
compared with nfdump record by record. Figures (lost, duplicates, logged)
are printed with the other delivery figures at the end of the run."""
import collections
import os
import signal
import time
import urllib.request

from collector import make_window
from compare import assert_rows_match
from conftest import ONE_VERSION, consume, records_by_window
from kafka_broker import free_port
from livecheck import (FLOW_FIELDS, FLOW_QUERY, logged_windows, stamp_of,
                       state_floor, wait_exported)
from nfdump_ref import nfdump_rows

FIGURES = []
FLOWS = 300


def metrics(port):
    """{name: value} of /metrics."""
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port,
                                timeout=30) as r:
        text = r.read().decode()
    return {line.split()[0]: float(line.split()[1])
            for line in text.splitlines() if line and line[0] != '#'}


def record(scenario, expected, lost, dupes, logged):
    FIGURES.append('%-48s %-14s records %7d  lost %d  duplicates %d  '
                   'logged %d' % (scenario, 'at-least-once', expected, lost,
                                  dupes, logged))


def stamp_at(t):
    """A window name (12 digits) for epoch t, in local time as nfcapd."""
    return time.strftime('%Y%m%d%H%M', time.localtime(t))


def window(base, stamp, subdirs=False, flows=FLOWS):
    return make_window(base, ('chanA',), flows, subdirs=subdirs, stamp=stamp)


def args(base, broker, topic, tmp_path, *extra):
    return ['-M', '%s/chanA' % base, '-b', broker.bootstrap, '-t', topic,
            '-Q', FLOW_QUERY, '--state', tmp_path / 'state'] + list(extra)


def check_kafka(broker, topic, base, rels):
    """Every window's records equal nfdump's; (lost, duplicates)."""
    want = {stamp_of(r): nfdump_rows('%s/chanA' % base, r, FLOW_QUERY)
            for r in rels}
    total = sum(len(v) for v in want.values())
    msgs = consume(broker.bootstrap, topic, expect=total, timeout=120)
    keys = collections.Counter((m['id']['nfkafka-window'], m['row'])
                               for m in msgs)
    dupes = sum(n - 1 for n in keys.values())
    by_window = records_by_window(msgs)
    for stamp, rows in want.items():
        got = {}
        for m in by_window.pop(stamp, []):
            got.setdefault(m['row'], m['value'])
        assert_rows_match(list(got.values()), rows, FLOW_FIELDS)
    assert not by_window, 'unexpected windows in Kafka: %s' % sorted(by_window)
    return total - len(keys), dupes


@ONE_VERSION
def test_lost_events_found_by_rescan(broker, topic, tmp_path, daemons,
                                     nfdump_version):
    """The kernel drops events when its queue overflows (here: nfkafka
    stopped while more files appear than fs.inotify.max_queued_events
    holds); libuv says nothing. A window renamed into place after the
    overflow, and a date directory created then, are found by the rescan;
    a window written into that directory later arrives by event."""
    base = str(tmp_path / 'p')
    y = time.localtime(time.time() - 86400)
    t0 = time.mktime((y.tm_year, y.tm_mon, y.tm_mday, 23, 40, 0, 0, 0, -1))
    w0 = window(base, stamp_at(t0), subdirs=True)
    port = free_port()
    d = daemons(args(base, broker, topic, tmp_path, '--since',
                     stamp_of(w0)[:12], '--rescan', '3', '--metrics',
                     '127.0.0.1:%d' % port))
    d.wait_log('watching')
    wait_exported(d, [stamp_of(w0)], timeout=120)
    chandir = os.path.join(base, 'chanA', os.path.dirname(w0))
    with open('/proc/sys/fs/inotify/max_queued_events') as f:
        queue = int(f.read())
    d.send(signal.SIGSTOP)
    try:
        for i in range(queue + 2000):
            open(os.path.join(chandir, 'junk.%d' % i), 'w').close()
        w1 = window(base, stamp_at(t0 + 600), subdirs=True)
        w2 = window(base, stamp_at(t0 + 1800), subdirs=True)  # a new day
    finally:
        d.send(signal.SIGCONT)
    assert os.path.dirname(w2) != os.path.dirname(w1)
    wait_exported(d, [stamp_of(w1), stamp_of(w2)], timeout=120)
    assert 'rescan: ' in d.text() and 'events were lost' in d.text()
    assert 'found by the rescan' in d.text()
    assert metrics(port)['nfkafka_window_files_unseen_total'] == 2
    # The new date directory is watched now: its next window is an event.
    w3 = window(base, stamp_at(t0 + 2100), subdirs=True)
    assert os.path.dirname(w3) == os.path.dirname(w2)
    wait_exported(d, [stamp_of(w3)], timeout=120)
    assert "%s was found by the rescan" % w3 not in d.text()
    lost, dupes = check_kafka(broker, topic, base, [w0, w1, w2, w3])
    record('inotify overflow, missed date dir (rescan)',
           sum(n for _, _, n in logged_windows(d.text())), lost, dupes,
           d.text().count('found by the rescan'))
    assert lost == 0 and dupes == 0
    assert [s for s, _, _ in logged_windows(d.text())] == \
        [stamp_of(w) for w in (w0, w1, w2, w3)]
    assert d.stop() == 0


@ONE_VERSION
def test_clock_stepped_back_late_windows_exported(broker, topic, tmp_path,
                                                  daemons, nfdump_version):
    """After the clock steps back nfcapd names new windows earlier than the
    last exported one: they were never exported, so they are, in order,
    while running and after a restart; and not again on the next start."""
    base = str(tmp_path / 'p')
    t0 = time.time() - 6 * 3600
    t0 -= t0 % 300
    w0 = window(base, stamp_at(t0))
    w2 = window(base, stamp_at(t0 + 1200))
    a = args(base, broker, topic, tmp_path, '--since', stamp_of(w0)[:12])
    d = daemons(a)
    wait_exported(d, [stamp_of(w0), stamp_of(w2)], timeout=120)
    late1 = window(base, stamp_at(t0 + 600))
    wait_exported(d, [stamp_of(late1)], timeout=120)
    assert 'never exported' in d.text()
    assert 'changed after the window was exported' not in d.text()
    assert d.stop() == 0
    late2 = window(base, stamp_at(t0 + 300))    # while nfkafka is down
    late3 = window(base, stamp_at(t0 + 900))
    port = free_port()
    d2 = daemons(a + ['--metrics', '127.0.0.1:%d' % port])
    wait_exported(d2, [stamp_of(late2), stamp_of(late3)], timeout=120)
    assert metrics(port)['nfkafka_windows_late_total'] == 2
    assert [s for s, _, _ in logged_windows(d2.text())] == \
        [stamp_of(late2), stamp_of(late3)], 'late windows not in order'
    assert state_floor(tmp_path / 'state') == stamp_of(w2)
    assert d2.stop() == 0
    d3 = daemons(a)
    d3.wait_log('watching')
    assert d3.stop() == 0
    assert logged_windows(d3.text()) == []
    rels = [w0, w2, late1, late2, late3]
    lost, dupes = check_kafka(broker, topic, base, rels)
    record('clock stepped back: 3 late windows',
           sum(len(nfdump_rows('%s/chanA' % base, r, FLOW_QUERY))
               for r in rels), lost, dupes,
           (d.text() + d2.text()).count('never exported'))
    assert lost == 0 and dupes == 0


@ONE_VERSION
def test_future_window_refused_floor_kept(broker, topic, tmp_path, daemons,
                                          nfdump_version):
    """A file named days ahead is refused with a warning naming it; it does
    not move the floor, later windows are exported, and a restart (also one
    from a state file whose floor is ahead) keeps running."""
    base = str(tmp_path / 'p')
    t0 = time.time() - 3600
    t0 -= t0 % 300
    w0 = window(base, stamp_at(t0))
    a = args(base, broker, topic, tmp_path, '--since', stamp_of(w0)[:12])
    port = free_port()
    d = daemons(a + ['--metrics', '127.0.0.1:%d' % port])
    wait_exported(d, [stamp_of(w0)], timeout=120)
    ahead = window(base, stamp_at(time.time() + 3 * 86400), flows=10)
    d.wait_log('nfcapd.%s' % stamp_of(ahead)[:12], timeout=60)
    assert 'ahead of the clock' in d.text()
    w1 = window(base, stamp_at(t0 + 300))
    wait_exported(d, [stamp_of(w1)], timeout=120)
    assert state_floor(tmp_path / 'state') == stamp_of(w1)
    assert metrics(port)['nfkafka_window_files_future_total'] == 1
    assert d.stop() == 0
    d2 = daemons(a)
    d2.wait_log('watching')
    d2.wait_log('ahead of the clock')       # said again, once, at start
    assert d2.stop() == 0
    assert stamp_of(ahead) not in [s for s, _, _ in logged_windows(
        d.text() + d2.text())]
    # A floor ahead of the clock (an older version let one in): warned,
    # resumed after the newest window not ahead; not exit 2.
    with open(tmp_path / 'state') as f:
        lines = f.read().split('\n')
    with open(tmp_path / 'state', 'w') as f:
        f.write('\n'.join([stamp_of(ahead)] + lines[1:]))
    w2 = window(base, stamp_at(t0 + 600))
    d3 = daemons(a)
    wait_exported(d3, [stamp_of(w2)], timeout=120)
    assert 'resuming after %s instead' % stamp_of(w1) in d3.text()
    assert d3.stop() == 0
    lost, dupes = check_kafka(broker, topic, base, [w0, w1, w2])
    record('file named 3 days ahead, floor ahead in state',
           sum(len(nfdump_rows('%s/chanA' % base, r, FLOW_QUERY))
               for r in (w0, w1, w2)), lost, dupes,
           (d.text() + d2.text()).count('ahead of the clock'))
    assert lost == 0 and dupes == 0


@ONE_VERSION
def test_file_gone_before_export_is_lost_and_said(own_broker, topic, tmp_path,
                                                  daemons, nfdump_version):
    """A window file removed while the broker is down (nfexpire) is known
    as gone by nfkafka itself: logged as lost with the window and the
    cause, not retried as an nfdump failure; the other windows go out."""
    base = str(tmp_path / 'p')
    t0 = time.time() - 3600
    t0 -= t0 % 300
    w0 = window(base, stamp_at(t0))
    gone = window(base, stamp_at(t0 + 300))
    w2 = window(base, stamp_at(t0 + 600))
    b = own_broker()
    port = free_port()
    d = daemons(args(base, b, topic, tmp_path, '--since', stamp_of(w0)[:12],
                     '--backoff-min', '0.2', '--backoff-max', '1',
                     '-X', 'message.timeout.ms=3000', '--metrics',
                     '127.0.0.1:%d' % port))
    d.wait_log('retrying the window', timeout=120)
    os.unlink(os.path.join(base, 'chanA', gone))
    b.start()
    wait_exported(d, [stamp_of(w0), stamp_of(w2)], timeout=180)
    text = d.text()
    assert 'window %s: the file %s of chanA is gone before its export' % (
        stamp_of(gone), gone) in text
    assert 'flows are lost' in text
    assert 'once the file is fixed' not in text
    assert 'skipped after' not in text
    m = metrics(port)
    assert m['nfkafka_window_files_lost_total'] == 1
    assert m['nfkafka_windows_skipped_total'] == 0
    lost, dupes = check_kafka(b, topic, base, [w0, w2])
    record('file removed before export (said as lost)',
           sum(n for _, _, n in logged_windows(text)), lost, dupes,
           text.count('gone before its export'))
    assert lost == 0 and dupes == 0
    assert d.stop() == 0


def inotify_watches(pid):
    """How many inotify watches the process holds, from /proc."""
    n = 0
    fddir = '/proc/%d/fdinfo' % pid
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                n += sum(line.startswith('inotify wd:') for line in f)
        except OSError:
            pass
    return n


@ONE_VERSION
def test_trees_made_while_running_are_bounded(broker, topic, tmp_path, daemons,
                                              nfdump_version):
    """A tree 20 levels deep and one of 5000 directories, each renamed into
    the channel at once while nfkafka runs: watched at most five levels deep
    and at most 4096 directories, said once; a window after them still
    arrives."""
    base = str(tmp_path / 'p')
    t0 = time.time() - 3600
    t0 -= t0 % 300
    w0 = window(base, stamp_at(t0))
    d = daemons(args(base, broker, topic, tmp_path, '--since',
                     stamp_of(w0)[:12], '--rescan', '0'))
    wait_exported(d, [stamp_of(w0)], timeout=120)
    start = inotify_watches(d.proc.pid)
    staging = tmp_path / 'staging'
    os.makedirs(staging / 'deep' / '/'.join('l%d' % i for i in range(20)))
    os.rename(staging / 'deep', os.path.join(base, 'chanA', 'deep'))
    w1 = window(base, stamp_at(t0 + 300))
    wait_exported(d, [stamp_of(w1)], timeout=120)
    assert inotify_watches(d.proc.pid) - start <= 5
    for i in range(5000):
        os.makedirs(staging / 'wide' / ('d%d' % i))
    os.rename(staging / 'wide', os.path.join(base, 'chanA', 'wide'))
    w2 = window(base, stamp_at(t0 + 600))
    wait_exported(d, [stamp_of(w2)], timeout=120)
    assert inotify_watches(d.proc.pid) <= 4096
    assert d.text().count('directories watched') == 1
    assert d.stop() == 0
