# SPDX-License-Identifier: BSD-2-Clause
"""Shared checks for live-mode tests: which windows nfkafka logged, and
whether Kafka holds exactly nfdump's rows for each of them."""
import os

import nflog
from compare import assert_rows_match
from conftest import consume, records_by_window
from nfdump_ref import nfdump_rows
from wait import wait_until

FLOW_QUERY = "-o 'fmt:%ts,%te,%td,%pr,%sa,%sp,%da,%dp,%pkt,%byt,%flg'"
FLOW_FIELDS = ['first_seen', 'last_seen', 'duration', 'proto', 'src_addr',
               'src_port', 'dst_addr', 'dst_port', 'packets', 'bytes',
               'tcp_flags']

def stamp_of(relfile):
    s = os.path.basename(relfile).split('.', 1)[1]
    return s if len(s) == 14 else s + '00'


def logged_windows(text):
    """[(stamp, channels, records)] in the order nfkafka exported them."""
    return nflog.windows(text)


def wait_exported(daemon, stamps, timeout=60):
    """Wait until every stamp has a window line in the daemon's log."""
    def done():
        return {s for s, _, _ in logged_windows(daemon.text())}
    wait_until(lambda: set(stamps) <= done(), timeout,
               lambda: 'windows not exported: %s\n%s' % (
                   sorted(set(stamps) - done()), daemon.text()), interval=0.1)


def new_windows(coll, before):
    """Relative names of windows any channel rotated since `before`."""
    now = coll.windows()
    out = set()
    for ch, files in now.items():
        out |= set(files) - set(before.get(ch, ()))
    return sorted(out, key=stamp_of)


def channels_with(profile_arg, rel):
    """The -M argument of the channels that have rel: nfdump fails on a
    channel without it, as nfkafka's own -M for that window leaves it out
    (a collector started just after an interval boundary lacks the first)."""
    base, chans = profile_arg.rsplit('/', 1)
    have = [c for c in chans.split(':') if os.path.exists(os.path.join(base, c, rel))]
    return '%s/%s' % (base, ':'.join(have))


def assert_kafka_matches(broker, topic, profile_arg, relfiles, expect_total,
                         isolation='read_uncommitted'):
    """Every window once, in order, each equal to nfdump's rows."""
    msgs = consume(broker.bootstrap, topic, expect=expect_total, timeout=120,
                   isolation=isolation)
    order = [m['id']['nfkafka-window'].decode()
             for m in sorted(msgs, key=lambda m: m['offset'])]
    assert order == sorted(order), 'windows out of order'
    by_window = records_by_window(msgs)
    total = 0
    for rel in relfiles:
        rows = nfdump_rows(channels_with(profile_arg, rel), rel, FLOW_QUERY)
        got = [m['value'] for m in by_window.pop(stamp_of(rel), [])]
        assert_rows_match(got, rows, FLOW_FIELDS)
        total += len(rows)
    assert not by_window, 'unexpected windows in Kafka: %s' % sorted(by_window)
    assert len(msgs) == total == expect_total


def state_floor(path):
    """The state file's floor, its first line (the ledger follows it), as a
    14-digit stamp: the file keeps a whole minute's as 12 digits, the cron
    script's format."""
    with open(path) as f:
        floor = f.readline().strip()
    return floor + '00' if len(floor) == 12 else floor
