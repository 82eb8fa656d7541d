# SPDX-License-Identifier: BSD-2-Clause
"""Issue 3: live mode against real nfcapd collectors rotating every 2 s and
a real Kafka broker: every window exported once, complete and in order."""
import os
import signal
import time

import pytest

from collector import Collector
from livecheck import (FLOW_QUERY, assert_kafka_matches, logged_windows,
                       new_windows, stamp_of, state_floor, wait_exported)
from nfdump_ref import nfdump_rows
from wait import wait_until

FLOWS = {'chanA': 120, 'chanB': 80}


def feed(coll, rounds, flows=FLOWS):
    """Traffic into every running channel for `rounds` rotation intervals."""
    for _ in range(rounds):
        for ch, n in flows.items():
            coll.send(ch, n)
        time.sleep(coll.interval)


def live_args(coll, broker, topic, tmp_path, *extra):
    return ['-M', coll.profile_arg(), '-b', broker.bootstrap, '-t', topic,
            '-Q', FLOW_QUERY, '--state', tmp_path / 'state'] + list(extra)


@pytest.mark.parametrize('subdirs', [False, True, 2, 7],
                         ids=['flat', 'date-dirs', 'hour-dirs', 'dash-date-dirs'])
def test_every_window_once_in_order(broker, topic, tmp_path, daemons, subdirs,
                                    nfdump_version):
    """With nfcapd 1.7.1 and 1.7.8, in nfcapd -S layouts 0, 1 (%Y/%m/%d),
    2 (%Y/%m/%d/%H) and 7 (%Y-%m-%d)."""
    with Collector(tmp_path / 'p', interval=2, subdirs=subdirs) as coll:
        before = coll.windows()
        d = daemons(live_args(coll, broker, topic, tmp_path))
        d.wait_log('watching')
        feed(coll, 4)
        coll.stop()   # rotates the last window
        wins = new_windows(coll, before)
        # A channel that did not rotate the last window holds it for the
        # whole --grace (60 s): wait well beyond that.
        wait_exported(d, [stamp_of(w) for w in wins], timeout=180)
    assert len(wins) >= 4
    logged = logged_windows(d.text())
    assert [s for s, _, _ in logged] == sorted(stamp_of(w) for w in wins)
    # Every channel that has a window is in it (a channel whose nfcapd
    # started just after an interval boundary lacks the first one).
    have = coll.windows()
    for stamp, ch, _ in logged:
        assert ch == ','.join(c for c in ('chanA', 'chanB')
                              if any(stamp_of(f) == stamp for f in have[c])), stamp
    assert sum(ch == 'chanA,chanB' for _, ch, _ in logged) >= 3
    total = sum(n for _, _, n in logged)
    assert total >= 4 * sum(FLOWS.values()) * 0.9
    assert_kafka_matches(broker, topic, coll.profile_arg(), wins, total)
    assert state_floor(tmp_path / 'state') == max(stamp_of(w) for w in wins)
    assert d.stop() == 0


def test_silent_channel_exported_after_grace(broker, topic, tmp_path, daemons,
                                            nfdump_version):
    with Collector(tmp_path / 'p', interval=2) as coll:
        before = coll.windows()
        d = daemons(live_args(coll, broker, topic, tmp_path, '--grace', '3'))
        d.wait_log('watching')
        coll.pause('chanB')
        feed(coll, 3, {'chanA': 100})
        wins = new_windows(coll, before)
        wait_exported(d, [stamp_of(w) for w in wins[:2]], timeout=30)
        coll.resume('chanB')
        coll.stop()
    logged = {s: (ch, n) for s, ch, n in logged_windows(d.text())}
    for w in wins[:2]:
        ch, n = logged[stamp_of(w)]
        assert ch == 'chanA'
        rows = nfdump_rows(coll.profile_arg().replace(':chanB', ''), w, FLOW_QUERY)
        assert n == len(rows)
    assert 'missing: chanB' in d.text()
    d.stop()


def test_restart_resumes_without_gaps_or_repeats(broker, topic, tmp_path, daemons):
    with Collector(tmp_path / 'p', interval=2) as coll:
        before = coll.windows()
        args = live_args(coll, broker, topic, tmp_path)
        d = daemons(args)
        d.wait_log('watching')
        feed(coll, 2)
        assert d.stop() == 0
        down_since = time.monotonic()
        feed(coll, 3)    # rotations while nfkafka is down
        assert time.monotonic() - down_since >= 6
        d2 = daemons(args)
        d2.wait_log('watching')
        feed(coll, 1)
        coll.stop()
        wins = new_windows(coll, before)
        wait_exported(d2, [stamp_of(w) for w in wins if stamp_of(w) >
                           max(s for s, _, _ in logged_windows(d.text()))])
    first = [s for s, _, _ in logged_windows(d.text())]
    second = [s for s, _, _ in logged_windows(d2.text())]
    # A window in flight at SIGTERM is finished before the exit, so no
    # window is exported twice, even when the stop came mid-window.
    assert 'again on restart' not in d.text(), d.text()
    assert not set(first) & set(second)
    assert sorted(set(first) | set(second)) == sorted(stamp_of(w) for w in wins)
    assert 'window(s) on disk to export first' in d2.text()
    total = sum(n for _, _, n in logged_windows(d.text())) + \
        sum(n for _, _, n in logged_windows(d2.text()))
    assert_kafka_matches(broker, topic, coll.profile_arg(), wins, total)
    d2.stop()


def test_day_boundary_directories_appear(broker, topic, tmp_path, daemons,
                                        nfdump_version):
    """nfcapd -S under libfaketime crosses New Year: 2027/01/01 appears,
    three directory levels at once, while nfkafka runs."""
    with Collector(tmp_path / 'p', interval=2, subdirs=True,
                   faketime='@2026-12-31 23:59:54') as coll:
        before = coll.windows()
        # Its windows are named weeks ahead of the real clock.
        d = daemons(live_args(coll, broker, topic, tmp_path,
                              '--future-slack', str(365 * 86400)))
        d.wait_log('watching')
        feed(coll, 5)
        coll.stop()
        wins = new_windows(coll, before)
        wait_exported(d, [stamp_of(w) for w in wins])
    assert any(w.startswith('2027/01/01/') for w in wins), wins
    assert any(w.startswith('2026/12/31/') for w in wins), wins
    total = sum(n for _, _, n in logged_windows(d.text()))
    assert_kafka_matches(broker, topic, coll.profile_arg(), wins, total)
    d.stop()


def test_ignores_foreign_files(broker, topic, tmp_path, daemons):
    """Temporary, foreign and badly named files never become windows."""
    with Collector(tmp_path / 'p', interval=2) as coll:
        before = coll.windows()
        d = daemons(live_args(coll, broker, topic, tmp_path))
        d.wait_log('watching')
        chan = coll.chandir('chanA')
        for name in ('nfcapd.current.99', '.nfstat', 'nfcapd.202613011055',
                     'nfcapd.2026112712', 'notes.txt', 'nfcapd.20261127120000.tmp'):
            with open(os.path.join(chan, name), 'w') as f:
                f.write('x')
        os.makedirs(os.path.join(chan, 'nfcapd.209912312359'))  # a directory
        feed(coll, 2)
        coll.stop()
        wins = [w for w in new_windows(coll, before) if w != 'nfcapd.202613011055']
        wait_exported(d, [stamp_of(w) for w in wins])
        time.sleep(1)
    assert [s for s, _, _ in logged_windows(d.text())] == \
        sorted(stamp_of(w) for w in wins)
    assert 'error' not in d.text()
    d.stop()


def test_sighup_reopens_log_file(broker, topic, tmp_path, daemons):
    log = tmp_path / 'nfkafka.log'
    with Collector(tmp_path / 'p', interval=2) as coll:
        d = daemons(live_args(coll, broker, topic, tmp_path, '--log-file', log))
        wait_until(lambda: log.exists() and 'watching' in log.read_text(),
                   30, d.text)
        os.rename(log, tmp_path / 'nfkafka.log.1')
        d.send(signal.SIGHUP)
        feed(coll, 2)
        wait_until(lambda: log.exists() and 'records' in log.read_text(),
                   60, d.text)
        assert d.stop() == 0
    assert 'reopened' in log.read_text()


def test_state_file_beats_since(broker, topic, tmp_path, daemons):
    """--since says where a new installation begins; once a state file
    exists, it says where to resume, and older windows are not re-sent."""
    from collector import make_window
    base = tmp_path / 'p'
    old = make_window(base, ('chanA', 'chanB'), 50)
    new = make_window(base, ('chanA', 'chanB'), 70)
    (tmp_path / 'state').write_text(stamp_of(old) + '\n')
    d = daemons(['-M', '%s/chanA:chanB' % base, '-b', broker.bootstrap,
                 '-t', topic, '-Q', FLOW_QUERY, '--state', tmp_path / 'state',
                 '--since', '1999-01-01'])
    wait_exported(d, [stamp_of(new)])
    assert '--since only applies without a state' in d.text()
    assert [s for s, _, _ in logged_windows(d.text())] == [stamp_of(new)]
    assert d.stop() == 0
    assert state_floor(tmp_path / 'state') == stamp_of(new)


def test_systemd_notify_ready_status_watchdog(broker, topic, tmp_path, daemons):
    """Under systemd (Type=notify, WatchdogSec=): READY once watching,
    STATUS per window, WATCHDOG pings from the loop, STOPPING at the end."""
    import socket
    sock_path = str(tmp_path / 'notify.sock')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.2)
    got = []

    def drain(until, timeout=15):
        def heard():
            try:
                got.append(sock.recv(4096).decode())
            except socket.timeout:
                pass
            return any(until in m for m in got)
        wait_until(heard, timeout, lambda: 'no %r from nfkafka; got %r'
                   % (until, got), interval=0)
    with Collector(tmp_path / 'p', interval=2) as coll:
        d = daemons(live_args(coll, broker, topic, tmp_path),
                    env={'NOTIFY_SOCKET': sock_path, 'WATCHDOG_USEC': '200000'})
        drain('READY=1')
        feed(coll, 2)
        drain('STATUS=last window')
        pings = sum(m.count('WATCHDOG=1') for m in got)
        assert pings >= 5, got   # every 100 ms for several seconds
        d.send(signal.SIGTERM)
        drain('STOPPING=1')
        assert d.stop() == 0
    sock.close()


def test_backlog_warning_for_old_windows(own_broker, topic, tmp_path, daemons):
    """Kafka away and the oldest waiting window older than --backlog-warn:
    the collector may expire it soon, so say so (once)."""
    from collector import make_window
    base = tmp_path / 'p'
    old = time.strftime('%Y%m%d%H%M', time.localtime(time.time() - 7200))
    rel = make_window(base, ('chanA', 'chanB'), 10, stamp=old)
    b = own_broker()   # never started: nothing listens on its port
    d = daemons(['-M', '%s/chanA:chanB' % base, '-b', b.bootstrap, '-t', topic,
                 '--since', stamp_of(rel), '--backlog-warn', '3600',
                 '-X', 'message.timeout.ms=1000', '--backoff-min', '0.2',
                 '--backoff-max', '0.5'])
    d.wait_log('backlog: 1 window(s) waiting, the oldest (%s)' % stamp_of(rel))
    time.sleep(2)
    assert d.text().count('backlog:') == 1
    assert d.stop() == 0
