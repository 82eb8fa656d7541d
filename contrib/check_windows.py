#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checks from nfkafka's summary stream that every window arrived complete.

    check_windows.py -b HOST:PORT -t TOPIC -s SUMMARY_TOPIC [--read-committed]

Reads both topics from the beginning (no consumer group is committed) and,
for each window summary, checks that
  - every partition range the summary names holds exactly its count of that
    window's records (by the nfkafka-window header) and nothing else, and
  - the distinct nfkafka-row headers of the window number the summary's
    records (at-least-once may add duplicates of a failed attempt: they lie
    outside the ranges and share row numbers).
Prints one line per window and exits 1 if any window is incomplete. Values
may be CBOR (pip install cbor2) or JSON: the summary is in the records'
--format. With --transactional-id, pass --read-committed.
Needs the records' headers (--headers yes, the default).
"""
import argparse
import json
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition


def decode(raw):
    if raw[:1] == b'{':
        return json.loads(raw)
    import cbor2
    return cbor2.loads(raw)


def read_all(bootstrap, topic, isolation, timeout=60):
    """Every message of topic, until each partition's end: a list of
    (partition, offset, headers, value bytes)."""
    c = Consumer({'bootstrap.servers': bootstrap,
                  'group.id': 'check-windows-%s' % uuid.uuid4(),
                  'enable.auto.commit': False, 'enable.partition.eof': True,
                  'isolation.level': isolation})
    out = []
    try:
        md = c.list_topics(topic, timeout=10).topics.get(topic)
        if md is None or md.error is not None or not md.partitions:
            return out
        parts = sorted(md.partitions)
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        at_end, deadline = set(), time.monotonic() + timeout
        while len(at_end) < len(parts) and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF:
                    raise SystemExit('%s: %s' % (topic, m.error()))
                at_end.add(m.partition())
                continue
            at_end.discard(m.partition())
            h = headers({k: v.decode() for k, v in (m.headers() or [])})
            out.append((m.partition(), m.offset(), h, m.value()))
    finally:
        c.close()
    return out


def headers(h):
    """--headers compact's one nfkafka-id header ("window,revision,row,
    count,profile") as the separate headers it stands for."""
    if 'nfkafka-id' in h:
        names = ('nfkafka-window', 'nfkafka-revision', 'nfkafka-row',
                 'nfkafka-count', 'nfkafka-profile')
        h.update(zip(names, h['nfkafka-id'].split(',', 4)))
    return h


def count(record):
    """Records in one message: more than one with --batch (nfkafka-count)."""
    return int(record[2].get('nfkafka-count', '1'))


def check(summary, records):
    """Problems with one window, [] when it is complete."""
    window, problems = summary['window'], []
    revision = str(summary.get('revision', 0))
    mine = [r for r in records if r[2].get('nfkafka-window') == window and
            r[2].get('nfkafka-revision', '0') == revision]
    at = {(r[0], r[1]) for r in mine}
    for part in summary['partitions']:
        lo, hi = part['first_offset'], part['last_offset']
        inside = [r for r in records if r[0] == part['partition'] and
                  lo <= r[1] <= hi]
        theirs = [r for r in inside if (r[0], r[1]) in at]
        held = sum(count(r) for r in theirs)
        if (len(theirs) != part['messages'] or held != part['records'] or
                len(inside) != len(theirs)):
            problems.append('partition %d offsets %d-%d: %d of %d messages '
                            '(%d of %d records), %d others' % (
                                part['partition'], lo, hi, len(theirs),
                                part['messages'], held, part['records'],
                                len(inside) - len(theirs)))
    if sum(p['records'] for p in summary['partitions']) != summary['records']:
        problems.append('partition counts do not add up to %d'
                        % summary['records'])
    rows = {int(r[2].get('nfkafka-row')) + i for r in mine for i in range(count(r))}
    if len(rows) != summary['records']:
        problems.append('%d distinct rows by header, summary says %d'
                        % (len(rows), summary['records']))
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('-b', '--bootstrap', required=True)
    ap.add_argument('-t', '--topic', required=True)
    ap.add_argument('-s', '--summary-topic', required=True)
    ap.add_argument('--read-committed', action='store_true')
    a = ap.parse_args(argv)
    iso = 'read_committed' if a.read_committed else 'read_uncommitted'
    records = read_all(a.bootstrap, a.topic, iso)
    summaries = [decode(v) for _, _, _, v in
                 read_all(a.bootstrap, a.summary_topic, iso)]
    bad = 0
    for s in summaries:
        problems = check(s, records)
        bad += bool(problems)
        print('window %s revision %s: %s' % (
            s['window'], s.get('revision', 0),
            'INCOMPLETE: ' + '; '.join(problems) if problems
            else 'complete, %d records' % s['records']))
    if not summaries:
        print('no window summaries in %s' % a.summary_topic)
        return 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
