# SPDX-License-Identifier: BSD-2-Clause
"""Issue 4: no record lost across broker outages, restarts and crashes,
counted by an independent consumer against what nfdump says each window
holds. Figures (lost, duplicates) are printed at the end of the run."""
import collections
import shutil
import signal
import time
import urllib.request

import pytest
from confluent_kafka import Consumer, KafkaException

from collector import make_window
from conftest import consume, free_port, run_nfkafka
from livecheck import FLOW_QUERY, logged_windows, stamp_of, state_floor, wait_exported
from nfdump_ref import nfdump_rows
from watermark import topic_size
from wait import wait_until

FIGURES = []


def count(broker, topic, expected, isolation='read_uncommitted'):
    """(lost, duplicates) of what a consumer reads, keyed by window and row."""
    msgs = consume(broker.bootstrap, topic, expect=expected, timeout=180,
                   isolation=isolation)
    keys = collections.Counter(
        (m['window'], m['row'])
        for m in msgs)
    lost = expected - len(keys)
    dupes = sum(n - 1 for n in keys.values())
    return lost, dupes


def probe(broker):
    """A client connected ahead of time, so watching the topic costs no
    connection set-up while the window is in flight."""
    c = Consumer({'bootstrap.servers': broker.bootstrap, 'group.id': 'probe',
                  'isolation.level': 'read_uncommitted'})
    c.list_topics(timeout=10)
    return c


def wait_some_records(c, topic, at_least=20_000, timeout=180):
    """Returns once the topic holds some of the window: mid-window for sure.
    A loaded machine may take minutes to start nfdump and the producer: the
    deadline is generous, the wait ends as soon as the records are there."""
    def enough():
        try:
            high = topic_size(c, topic, timeout=1)
        except KafkaException:
            # Asked before nfkafka created the topic, the client keeps
            # "unknown partition" until its metadata is refreshed; with
            # a transactional producer that takes long enough to stick.
            c.list_topics(topic, timeout=2)
            time.sleep(0.2)
            return None
        return high if high >= at_least else None
    try:
        return wait_until(enough, timeout, 'no records in %s' % topic,
                          interval=0.01)
    finally:
        c.close()


def record(scenario, expected, lost, dupes, mode='at-least-once'):
    FIGURES.append('%-48s %-14s records %7d  lost %d  duplicates %d' % (
        scenario, mode, expected, lost, dupes))


@pytest.fixture(scope='module')
def big(tmp_path_factory):
    """A window large enough to still be in flight a second after start."""
    base = str(tmp_path_factory.mktemp('big'))
    rel = make_window(base, ('chanA', 'chanB'), 250_000)
    profile = '%s/chanA:chanB' % base
    return profile, rel, len(nfdump_rows(profile, rel, FLOW_QUERY))


def live(daemons, profile, rel, bootstrap, topic, tmp_path, *extra):
    return daemons(['-M', profile, '-b', bootstrap, '-t', topic, '-Q', FLOW_QUERY,
                    '--since', stamp_of(rel), '--state', tmp_path / 'state',
                    '--backoff-min', '0.2', '--backoff-max', '2'] + list(extra))


def nothing_lost(d, b, topic, rel, rows, scenario):
    """Once d has exported the window rel: every record of it on b's topic
    (at least once: duplicates are counted, not refused), and a clean stop."""
    wait_exported(d, [stamp_of(rel)], timeout=180)
    lost, dupes = count(b, topic, rows)
    record(scenario, rows, lost, dupes)
    assert lost == 0
    assert d.stop() == 0


def test_broker_killed_mid_window(own_broker, big, topic, tmp_path, daemons):
    profile, rel, rows = big
    b = own_broker()
    b.start()
    watch = probe(b)
    d = live(daemons, profile, rel, b.bootstrap, topic, tmp_path)
    d.wait_log('to export first', timeout=120)
    wait_some_records(watch, topic)
    assert 'records,' not in d.text(), 'window done before the kill'
    b.kill()
    time.sleep(2)
    b.restart_same_port()
    nothing_lost(d, b, topic, rel, rows, 'broker SIGKILL mid-window, restarted')


def test_broker_frozen_beyond_message_timeout(own_broker, big, topic, tmp_path,
                                              daemons):
    profile, rel, rows = big
    b = own_broker()
    b.start()
    d = live(daemons, profile, rel, b.bootstrap, topic, tmp_path,
             '-X', 'message.timeout.ms=4000')
    d.wait_log('to export first', timeout=120)
    time.sleep(0.5)
    b.freeze()
    time.sleep(7)
    b.thaw()
    nothing_lost(d, b, topic, rel, rows,
                 'broker SIGSTOP > message timeout, resumed')
    assert 'retrying the window' in d.text()


def test_broker_down_at_start(own_broker, big, topic, tmp_path, daemons):
    profile, rel, rows = big
    b = own_broker()
    d = live(daemons, profile, rel, b.bootstrap, topic, tmp_path,
             '-X', 'message.timeout.ms=5000')
    d.wait_log('to export first', timeout=120)
    time.sleep(20)   # the issue says a minute; 20 s covers several retries
    assert 'records,' not in d.text()
    b.start()
    nothing_lost(d, b, topic, rel, rows, 'broker down at start, up 20 s later')


@pytest.mark.parametrize('mode', ['at-least-once', 'exactly-once'])
def test_nfkafka_killed_mid_window(broker, big, topic, tmp_path, daemons, mode):
    profile, rel, rows = big
    extra = ['--transactional-id', 'tx-' + topic] if mode == 'exactly-once' else []
    watch = probe(broker)
    d = live(daemons, profile, rel, broker.bootstrap, topic, tmp_path, *extra)
    d.wait_log('to export first', timeout=120)
    wait_some_records(watch, topic)
    assert 'records,' not in d.text(), 'window done before the kill'
    d.kill()
    d2 = live(daemons, profile, rel, broker.bootstrap, topic, tmp_path, *extra)
    wait_exported(d2, [stamp_of(rel)], timeout=180)
    assert state_floor(tmp_path / 'state') == stamp_of(rel)
    if mode == 'exactly-once':
        lost, dupes = count(broker, topic, rows, isolation='read_committed')
        record('nfkafka SIGKILL mid-window, restarted', rows, lost, dupes, mode)
        assert dupes == 0
    else:
        lost, dupes = count(broker, topic, rows)
        record('nfkafka SIGKILL mid-window, restarted', rows, lost, dupes, mode)
    assert lost == 0
    assert d2.stop() == 0


def test_missing_topic_without_auto_create_is_fatal(own_broker, big, topic,
                                                    tmp_path, daemons):
    profile, rel, rows = big
    b = own_broker(auto_create_topics=False)
    b.start()
    d = live(daemons, profile, rel, b.bootstrap, topic, tmp_path,
             '-X', 'topic.metadata.propagation.max.ms=2000')
    d.proc.wait(60)
    assert d.proc.returncode == 1, d.text()
    assert 'retrying cannot help' in d.text()
    # Only the starting point is saved (before anything is exported).
    assert state_floor(tmp_path / 'state') < stamp_of(rel)


def test_shutdown_while_broker_unreachable_is_bounded(own_broker, big, topic,
                                                      tmp_path, daemons):
    profile, rel, rows = big
    b = own_broker()
    d = live(daemons, profile, rel, b.bootstrap, topic, tmp_path,
             '--flush-timeout', '2')
    d.wait_log('to export first', timeout=120)
    time.sleep(2)
    # The window in flight gets the 2 s, then is abandoned; no flush after.
    assert d.stop(signal.SIGTERM) == 0
    assert 'window %s not done after 2 s' % stamp_of(rel) in d.text(), d.text()
    assert 'will be exported again on restart' in d.text()
    # Nothing was acknowledged: the state is still the starting point.
    assert state_floor(tmp_path / 'state') < stamp_of(rel)


def stop_mid_window(d, watch, topic, rel):
    """SIGTERM once d is half-way through rel: the stop systemd sends."""
    d.wait_log('to export first', timeout=120)
    wait_some_records(watch, topic)
    assert 'records,' not in d.text(), 'window done before the stop'
    d.send(signal.SIGTERM)
    d.wait_log('stopping: finishing window %s first' % stamp_of(rel), timeout=120)


def test_sigterm_mid_window_finishes_it(broker, big, topic, tmp_path, daemons):
    """A restart mid-window repeats nothing: the window in flight is done
    (acknowledged, saved) before the exit, and the next start goes on."""
    profile, rel, rows = big
    # A deadline no loaded machine reaches: the test is of the finishing.
    d = live(daemons, profile, rel, broker.bootstrap, topic, tmp_path,
             '--flush-timeout', '300')
    stop_mid_window(d, probe(broker), topic, rel)
    assert d.proc.wait(300) == 0
    d.stop()
    assert 'again on restart' not in d.text(), d.text()
    assert stamp_of(rel) in [s for s, _, _ in logged_windows(d.text())]
    assert state_floor(tmp_path / 'state') == stamp_of(rel)
    d2 = live(daemons, profile, rel, broker.bootstrap, topic, tmp_path)
    d2.wait_log('watching', timeout=60)
    assert 'resuming after window %s' % stamp_of(rel) in d2.text()
    assert 'to export first' not in d2.text()
    assert d2.stop() == 0
    lost, dupes = count(broker, topic, rows)
    record('nfkafka SIGTERM mid-window, restarted', rows, lost, dupes)
    assert (lost, dupes) == (0, 0)


def test_second_sigterm_abandons_the_window(broker, big, topic, tmp_path,
                                            daemons):
    """An operator who will not wait sends a second signal: the window is
    left to the next start, which exports it again whole."""
    profile, rel, rows = big
    d = live(daemons, profile, rel, broker.bootstrap, topic, tmp_path,
             '--flush-timeout', '300')
    stop_mid_window(d, probe(broker), topic, rel)
    assert d.stop() == 0
    text = d.text()
    assert 'Terminated: not waiting for the window in flight' in text, text
    assert 'window %s, in flight, will be exported again on restart' % \
        stamp_of(rel) in text, text
    assert state_floor(tmp_path / 'state') < stamp_of(rel)
    d2 = live(daemons, profile, rel, broker.bootstrap, topic, tmp_path)
    nothing_lost(d2, broker, topic, rel, rows,
                 'nfkafka SIGTERM twice mid-window, restarted')


def test_invalid_property_value_is_fatal(broker, topic, tmp_path):
    (tmp_path / 'x').mkdir()
    run = run_nfkafka(['-M', '%s/x' % tmp_path, '-b', broker.bootstrap,
                       '-X', 'acks=sometimes'])
    assert run.returncode == 2
    assert 'acks' in run.stderr


@pytest.mark.parametrize('headers', ['yes', 'compact'])
def test_exactly_once_crash_after_commit_before_state(broker, big, topic,
                                                      tmp_path, daemons, headers):
    """The state file cannot be written (its directory is gone), so after
    the commit it stays behind Kafka; a crash then must not re-send the
    window: nfkafka reads the newest committed window back from the topic,
    from either header layout."""
    profile, rel, rows = big
    statedir = tmp_path / 'statedir'
    statedir.mkdir()
    args = ['-M', profile, '-b', broker.bootstrap, '-t', topic, '-Q', FLOW_QUERY,
            '--since', stamp_of(rel), '--state', statedir / 'state',
            '--transactional-id', 'tx-' + topic, '--headers', headers]
    d = daemons(args)
    d.wait_log('to export first', timeout=120)
    # It holds the starting point, saved at start; nfkafka may be writing
    # there meanwhile, so removed again until it is gone.
    wait_until(lambda: shutil.rmtree(statedir, ignore_errors=True) or
               not statedir.exists(), 30, 'state directory removed')
    wait_exported(d, [stamp_of(rel)], timeout=180)
    assert 'progress is not saved' in d.text()
    d.kill()
    statedir.mkdir()
    d2 = daemons(args)
    d2.wait_log('Kafka already has window %s' % stamp_of(rel), timeout=60)
    time.sleep(2)
    assert 'records,' not in d2.text()
    lost, dupes = count(broker, topic, rows, isolation='read_committed')
    record('nfkafka SIGKILL after commit, before state', rows, lost, dupes,
           'exactly-once')
    assert (lost, dupes) == (0, 0)
    assert state_floor(statedir / 'state') == stamp_of(rel)
    assert d2.stop() == 0


def test_exactly_once_read_back_never_blocks_the_loop(own_broker, big, topic,
                                                      tmp_path, daemons):
    """Exactly-once mode reads Kafka's progress back before its first
    export. With the broker hung (SIGSTOP: connections open, no answer)
    each of its Kafka calls waits out its 10 s, beside the event loop: the
    metrics endpoint, served by the loop like the systemd watchdog, answers
    every request meanwhile; once the broker is back the window goes."""
    profile, rel, rows = big
    b = own_broker()
    b.start()
    b.freeze()
    port = free_port()
    d = live(daemons, profile, rel, b.bootstrap, topic, tmp_path,
             '--transactional-id', 'tx-' + topic,
             '--metrics', '127.0.0.1:%d' % port)
    d.wait_log('to export first', timeout=120)
    worst = 0.0
    # Two and a half of the read-back's 10 s calls.
    until = time.monotonic() + 25
    while time.monotonic() < until:
        t0 = time.monotonic()
        with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port,
                                    timeout=60) as r:
            assert r.status == 200
        worst = max(worst, time.monotonic() - t0)
        time.sleep(0.2)
    assert 'records,' not in d.text()
    # A loop held by a Kafka call would keep a request for up to 10 s.
    assert worst < 5, 'a /metrics request waited %.1f s' % worst
    b.thaw()
    wait_exported(d, [stamp_of(rel)], timeout=180)
    lost, dupes = count(b, topic, rows, isolation='read_committed')
    assert (lost, dupes) == (0, 0)
    assert d.stop() == 0
