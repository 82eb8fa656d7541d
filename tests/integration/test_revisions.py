# SPDX-License-Identifier: BSD-2-Clause
"""Issue 9: no flow lost on any path. A durable starting point, and window
revisions: an exported window whose files change (a real nfcapd appending
on restart, a channel later than --grace, an append while nfkafka was
down) is exported again, whole, as its next revision. Counted record by
record against nfdump; figures printed at the end of the run."""
import collections
import os

import pytest

from collector import collect_once, make_window
from compare import assert_rows_match
from conftest import consume
from livecheck import FLOW_FIELDS, FLOW_QUERY, stamp_of, wait_exported
from nfdump_ref import nfdump_rows, path_version
from wait import wait_until

FIGURES = []
AGG_QUERY = "-A proto -o 'fmt:%pr,%fl,%pkt,%byt'"
AGG_FIELDS = ['proto', 'flows', 'packets', 'bytes']
if path_version() == (1, 7, 5):
    # 1.7.5 aggregates into no -o fmt: (nfkafka refuses it at start); a
    # revision replaces a window's rows whatever they are: here one a flow.
    AGG_QUERY = "-o 'fmt:%pr,%fl,%pkt,%byt'"


def figure(scenario, mode, expected, lost, dupes, dupes_beyond=None):
    FIGURES.append('%-44s %-14s records %6d  lost %d  duplicates %d%s' % (
        scenario, mode, expected, lost, dupes,
        '' if dupes_beyond is None else
        '  beyond the revision %d' % dupes_beyond))


def by_revision(msgs, stamp):
    """{revision: [records in offset order]} of one window."""
    out = collections.defaultdict(list)
    for m in sorted(msgs, key=lambda m: (m['partition'], m['offset'])):
        h = m['id']
        if h['nfkafka-window'].decode() == stamp:
            out[int(h['nfkafka-revision'])].append(m)
    return dict(out)


def dupes_beyond_revision(msgs):
    """Rows seen twice within one window's revision: must never happen."""
    keys = collections.Counter(
        (m['id']['nfkafka-window'], m['id']['nfkafka-revision'],
         m['id']['nfkafka-row']) for m in msgs)
    return sum(n - 1 for n in keys.values())


def wait_revision(d, stamp, rev, timeout=180):
    d.wait_log('window %s: ' % stamp, timeout=timeout)
    d.wait_log(', revision %d\n' % rev, timeout=timeout)


def live_args(profile, broker, topic, state, query, since, *extra):
    return ['-M', profile, '-b', broker.bootstrap, '-t', topic, '-Q', query,
            '--since', since, '--state', state, '--grace', '1',
            '--backoff-min', '0.2', '--backoff-max', '2'] + list(extra)


def test_first_start_restart_before_first_window(own_broker, topic, tmp_path,
                                                 daemons):
    """No state file, broker down, killed mid-window, restarted, broker
    back: every window that rotated since the first start is in Kafka."""
    base = str(tmp_path / 'flows')
    profile = base + '/chanA:chanB'
    old = make_window(base, ('chanA', 'chanB'), 500)
    b = own_broker()
    args = ['-M', profile, '-b', b.bootstrap, '-t', topic, '-Q', FLOW_QUERY,
            '--state', tmp_path / 'state', '--backoff-min', '0.2',
            '--backoff-max', '2', '-X', 'message.timeout.ms=3000']
    d = daemons(args)
    d.wait_log('the newest on disk', timeout=60)
    first = make_window(base, ('chanA', 'chanB'), 20_000)
    d.wait_log('retrying the window', timeout=120)   # mid-window, broker down
    d.kill()
    second = make_window(base, ('chanA', 'chanB'), 1000, seed=7)
    d2 = daemons(args)
    d2.wait_log('resuming after window %s' % stamp_of(old), timeout=60)
    b.start()
    wait_exported(d2, [stamp_of(first), stamp_of(second)], timeout=180)
    expected = {stamp_of(r): nfdump_rows(profile, r, FLOW_QUERY)
                for r in (first, second)}
    total = sum(len(v) for v in expected.values())
    msgs = consume(b.bootstrap, topic, expect=total, timeout=180)
    got = collections.defaultdict(dict)
    for m in msgs:
        got[m['id']['nfkafka-window'].decode()][
            m['id']['nfkafka-row']] = m
    assert stamp_of(old) not in got, 'a window before the first start'
    lost = 0
    for stamp, rows in expected.items():
        recs = [v['value'] for _, v in sorted(
            got.get(stamp, {}).items(), key=lambda kv: int(kv[0]))]
        lost += len(rows) - len(recs)
        assert_rows_match(recs, rows, FLOW_FIELDS)
    figure('first start, broker down, killed, restarted', 'at-least-once',
           total, lost, len(msgs) - total)
    assert lost == 0
    assert d2.stop() == 0


def check_revisions(msgs, stamp, profile, rel, query, fields):
    """The last revision equals nfdump over the file now; (lost, dupes)."""
    revs = by_revision(msgs, stamp)
    last = max(revs)
    rows = nfdump_rows(profile, rel, query)
    recs = [m['value'] for m in revs[last]]
    lost = max(0, len(rows) - len(recs))
    assert_rows_match(recs, rows, fields)
    return revs, rows, lost, len(msgs) - len(rows)


@pytest.mark.parametrize('mode', ['at-least-once', 'exactly-once'])
def test_nfcapd_restart_inside_interval_appends(broker, topic, tmp_path,
                                                daemons, mode, nfdump_version):
    """A real nfcapd restarted inside its interval appends its blocks to
    the rotated file (RenameAppend, in 1.7.1 and in 1.7.8, whose rotation
    code changed); the appended flows reach Kafka as revision 1."""
    base = tmp_path / 'flows'
    chan = str(base / 'chanA')
    profile = str(base) + '/chanA'
    rel = collect_once(chan, 3000, seed=1)
    stamp = stamp_of(rel)
    extra = ['--transactional-id', 'tx-' + topic] if mode == 'exactly-once' else []
    isolation = 'read_committed' if extra else 'read_uncommitted'
    d = daemons(live_args(profile, broker, topic, tmp_path / 'state',
                          FLOW_QUERY, stamp, *extra))
    wait_exported(d, [stamp], timeout=180)
    first = len(nfdump_rows(profile, rel, FLOW_QUERY))
    assert collect_once(chan, 2000, seed=2) == rel   # nfcapd appended
    wait_revision(d, stamp, 1)
    total = first + len(nfdump_rows(profile, rel, FLOW_QUERY))
    msgs = consume(broker.bootstrap, topic, expect=total, timeout=180,
                   isolation=isolation)
    revs, rows, lost, dupes = check_revisions(msgs, stamp, profile, rel,
                                              FLOW_QUERY, FLOW_FIELDS)
    assert sorted(revs) == [0, 1]
    assert len(revs[0]) == first == 3000 and len(rows) == 5000
    beyond = dupes_beyond_revision(msgs)
    figure('nfcapd %s restarted inside an interval' % nfdump_version.version,
           mode, len(rows), lost,
           dupes, beyond if extra else None)
    assert lost == 0 and beyond == 0
    assert 'was not exported' not in d.text()
    state = (tmp_path / 'state').read_text().splitlines()
    assert state[0] == stamp[:12] and any(
        line.startswith('window %s 1 ' % stamp) for line in state)
    assert d.stop() == 0


def test_late_channel_after_grace(broker, topic, tmp_path, daemons):
    """chanB rotates after --grace: the window went out with chanA alone,
    then again as revision 1 whose aggregates are nfdump's over both."""
    base = str(tmp_path / 'flows')
    os.makedirs(os.path.join(base, 'chanB'))
    profile = base + '/chanA:chanB'
    rel = make_window(base, ('chanA',), 2000)
    stamp = stamp_of(rel)
    d = daemons(live_args(profile, broker, topic, tmp_path / 'state',
                          AGG_QUERY, stamp))
    wait_exported(d, [stamp], timeout=180)
    assert '(missing: chanB)' in d.text()
    only_a = nfdump_rows(base + '/chanA', rel, AGG_QUERY)
    make_window(base, ('chanB',), 3000, seed=5, stamp=stamp)
    wait_revision(d, stamp, 1)
    both = nfdump_rows(profile, rel, AGG_QUERY)
    msgs = consume(broker.bootstrap, topic, expect=len(only_a) + len(both),
                   timeout=180)
    revs, rows, lost, dupes = check_revisions(msgs, stamp, profile, rel,
                                              AGG_QUERY, AGG_FIELDS)
    assert_rows_match([m['value'] for m in revs[0]], only_a, AGG_FIELDS)
    assert revs[1][0]['id']['nfkafka-profile'].decode() == profile
    flows = sum(int(r[1]) for r in rows)
    figure('channel later than --grace (aggregated)', 'at-least-once',
           flows, 5000 - flows, dupes)
    assert flows == 5000
    assert d.stop() == 0


def test_file_appended_while_stopped(broker, topic, tmp_path, daemons):
    """nfcapd appends while nfkafka is down: found and re-exported at start."""
    base = tmp_path / 'flows'
    chan = str(base / 'chanA')
    profile = str(base) + '/chanA'
    rel = collect_once(chan, 1500, seed=3)
    stamp = stamp_of(rel)
    args = live_args(profile, broker, topic, tmp_path / 'state', FLOW_QUERY,
                     stamp)
    d = daemons(args)
    wait_exported(d, [stamp], timeout=180)
    assert d.stop() == 0
    assert collect_once(chan, 1000, seed=4) == rel
    d2 = daemons(args)
    wait_revision(d2, stamp, 1)
    msgs = consume(broker.bootstrap, topic, expect=1500 + 2500, timeout=180)
    revs, rows, lost, dupes = check_revisions(msgs, stamp, profile, rel,
                                              FLOW_QUERY, FLOW_FIELDS)
    assert sorted(revs) == [0, 1] and len(rows) == 2500
    figure('file appended while nfkafka was stopped', 'at-least-once',
           len(rows), lost, dupes)
    assert lost == 0
    assert d2.stop() == 0


def wait_state_line(state, prefix, timeout=120):
    def has_line():
        try:
            return any(line.startswith(prefix)
                       for line in state.read_text().splitlines())
        except FileNotFoundError:
            return False
    wait_until(has_line, timeout, 'state file has no %r line' % prefix,
               interval=0.01)


@pytest.mark.parametrize('crash', ['after-commit', 'mid-revision'])
def test_exactly_once_crash_during_revision(broker, topic, tmp_path, daemons,
                                            crash):
    """The read-back knows revisions: a revision committed before a crash
    (its state not saved) is not exported again; one cut short is."""
    base = tmp_path / 'flows'
    chan = str(base / 'chanA')
    profile = str(base) + '/chanA'
    state = tmp_path / 'state'
    rel = collect_once(chan, 1000, seed=1)
    stamp = stamp_of(rel)
    args = live_args(profile, broker, topic, state, FLOW_QUERY, stamp,
                     '--transactional-id', 'tx-' + topic)
    d = daemons(args)
    wait_exported(d, [stamp], timeout=180)
    assert collect_once(chan, 250_000, seed=2) == rel
    wait_state_line(state, 'inflight %s 1 ' % stamp)   # revision 1 began
    if crash == 'after-commit':
        os.mkdir(str(state) + '.tmp')   # no state can be saved from now on
        wait_revision(d, stamp, 1)
        d.wait_log('progress is not saved')
        d.kill()
        os.rmdir(str(state) + '.tmp')
    else:
        d.kill()
        assert ', revision 1\n' not in d.text(), 'revision done before the kill'
    d2 = daemons(args)
    if crash == 'after-commit':
        d2.wait_log('Kafka already has window %s revision 1 committed' % stamp,
                    timeout=120)
    else:
        wait_revision(d2, stamp, 1)
    rows = nfdump_rows(profile, rel, FLOW_QUERY)
    msgs = consume(broker.bootstrap, topic, expect=1000 + len(rows),
                   timeout=180, isolation='read_committed')
    revs, rows, lost, dupes = check_revisions(msgs, stamp, profile, rel,
                                              FLOW_QUERY, FLOW_FIELDS)
    beyond = dupes_beyond_revision(msgs)
    figure('exactly-once, killed %s' % crash, 'exactly-once', len(rows),
           lost, dupes, beyond)
    assert sorted(revs) == [0, 1] and lost == 0 and beyond == 0
    assert 'as revision 2' not in d2.text()
    assert d2.stop() == 0


def test_exactly_once_read_back_over_partitions(broker, topic, tmp_path, daemons):
    """The read-back at start finds the newest committed window on a topic of
    several partitions, each holding hundreds of its records: a state file
    one window behind Kafka (a crash between commit and save) resumes after
    Kafka's window, and nothing is sent twice."""
    base = tmp_path / 'p'
    rels = [make_window(str(base), ('chanA',), 600) for _ in range(2)]
    stamps = [stamp_of(r) for r in rels]
    broker.create_topic(topic, partitions=3)
    state = tmp_path / 'state'
    args = ['-M', '%s/chanA' % base, '-b', broker.bootstrap, '-t', topic,
            '-Q', FLOW_QUERY, '--state', state, '--since', stamps[0],
            '--transactional-id', 'tx-' + topic,
            # Every message to a random partition, not a sticky one.
            '-X', 'sticky.partitioning.linger.ms=0']
    d = daemons(args)
    wait_exported(d, stamps, timeout=180)
    assert d.stop() == 0
    state.write_text(stamps[0] + '\n')      # an earlier version's file, behind Kafka
    d2 = daemons(args)
    d2.wait_log('Kafka already has window %s committed' % stamps[1], timeout=180)
    msgs = consume(broker.bootstrap, topic, expect=1200, timeout=120,
                   isolation='read_committed')
    assert {m['partition'] for m in msgs} == {0, 1, 2}
    assert len(msgs) == 1200, 'duplicates: %d' % (len(msgs) - 1200)
    assert d2.stop() == 0
