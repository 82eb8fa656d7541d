# SPDX-License-Identifier: BSD-2-Clause
"""Issue 14: consumers beyond Python. JSON records parsed by ClickHouse's own
parser (chdb) into the typed table the README documents, the topic read by
Kafka Connect's JsonConverter into a file sink, message timestamps, and the
window summary stream checked against the records in both delivery modes,
also after a window failed and was retried."""
import datetime
import ipaddress
import json
import os
import re
import subprocess
import sys
import time

import cbor2
import pytest

from clickhouse import clickhouse_json
from collector import make_window
from compare import assert_rows_match
from conftest import ROOT, consume, records_by_window, run_nfkafka
from connect import connect_classpath, file_sink
from livecheck import FLOW_FIELDS, FLOW_QUERY, stamp_of, wait_exported
from nfdump_ref import nfdump_rows, path_version, run_nfdump
from wait import wait_until

CHANNELS = ('chanA', 'chanB')
DEFAULT_QUERY = "-A dstgeo -o 'fmt:%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl' -N -6 -q"
DEFAULT_FIELDS = ['first_seen', 'dst_ctr', 'duration', 'packets', 'bytes',
                  'pps', 'bps', 'flows']
# query name -> (-Q, reference query, fields, README table)
QUERIES = {
    'default': (None, DEFAULT_QUERY, DEFAULT_FIELDS, 'country_queue'),
    'flows': (FLOW_QUERY, FLOW_QUERY, FLOW_FIELDS, 'flows_queue'),
}
CHECK_WINDOWS = os.path.join(ROOT, 'contrib', 'check_windows.py')


@pytest.fixture(scope='module')
def profile(tmp_path_factory):
    """Real windows: v5 IPv4, v9 with IPv6, and an empty one."""
    base = str(tmp_path_factory.mktemp('profile'))
    windows = {
        'v5': make_window(base, CHANNELS, {'chanA': 300, 'chanB': 200}),
        'v9': make_window(base, CHANNELS, 1500, version=9, ipv6_share=0.3),
        'empty': make_window(base, CHANNELS, 0),
    }
    return base, '%s/chanA:chanB' % base, windows


def readme_columns(table):
    """The column list of a CREATE TABLE in the README, as ClickHouse's
    structure argument: the test uses the DDL users copy."""
    with open(os.path.join(ROOT, 'README.md')) as f:
        m = re.search(r'CREATE TABLE %s \((.*?)\n\) ENGINE = Kafka' % table,
                      f.read(), re.S)
    assert m, 'README has no Kafka-engine table %s' % table
    return [line.strip().rstrip(',').split(None, 1)
            for line in m.group(1).strip().splitlines()]


def python_typed(record, names):
    """A JSON record as the README's Python consumer reads it."""
    out = {}
    for k, v in record.items():
        if k in ('first_seen', 'last_seen'):
            v = datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
        elif k in ('src_addr', 'dst_addr'):
            v = ipaddress.ip_address(v)
        out[k] = v
    return out


def export(broker, topic, profile, window, query, extra=()):
    """Exports one window with nfkafka; (nfdump's rows, messages, run)."""
    base, prof, windows = profile
    q = QUERIES[query]
    args = ['--once', windows[window], '-M', prof, '-b', broker.bootstrap,
            '-t', topic] + list(extra)
    if q[0] is not None:
        args += ['-Q', q[0]]
    run = run_nfkafka(args, timeout=180)
    assert run.returncode == 0, run
    rows = nfdump_rows(prof, windows[window], q[1])
    decode = json.loads if 'json' in extra else None
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120,
                   decode=decode)
    return rows, msgs, run


# nfdump 1.7.5 runs the default query as -A dstgeo -o csv, whose records
# have bpp and no pps: not the columns of the README's country table.
DEFAULT_175 = pytest.mark.skipif(
    path_version() == (1, 7, 5), reason='nfdump 1.7.5 runs the default query '
    'as -A dstgeo -o csv (no pps): not the README country table\'s columns')


@pytest.mark.parametrize('query,window', [
    pytest.param('default', 'v5', marks=DEFAULT_175), ('flows', 'v9')])
def test_json_in_clickhouse_matches_nfdump(broker, topic, profile, query,
                                           window, tmp_path):
    rows, msgs, _ = export(broker, topic, profile, window, query,
                           ['--format', 'json'])
    names, table = QUERIES[query][2], QUERIES[query][3]
    assert len(rows) > 0
    values = [m['raw'] for m in msgs]
    # ClickHouse's parser, with the README's DDL, row by row.
    columns = readme_columns(table)
    assert [n for n, _ in columns] == names
    assert_rows_match(clickhouse_json(values, columns, tmp_path), rows, names)
    # Python's json module, as the README's consumer does.
    records = [json.loads(v) for v in values]
    assert_rows_match([python_typed(r, names) for r in records], rows, names)
    for r in records:
        for k in ('packets', 'bytes'):
            assert isinstance(r[k], int)
    if window == 'v9':
        assert any(ipaddress.ip_address(r['src_addr']).version == 6
                   for r in records), 'the v9 window has IPv6 flows'


@DEFAULT_175
def test_json_strings_values(broker, topic, profile):
    rows, msgs, _ = export(broker, topic, profile, 'v5', 'default',
                           ['--format', 'json', '--values', 'strings'])
    records = [json.loads(m['raw']) for m in msgs]
    assert [list(r.values()) for r in records] == rows
    assert all(list(r) == DEFAULT_FIELDS for r in records)


def stamp_ms(stamp):
    """A window stamp read in local time, as nfkafka does, in ms."""
    return int(time.mktime(time.strptime(stamp, '%Y%m%d%H%M%S'))) * 1000


def test_message_timestamps(broker, topic, profile):
    base, prof, windows = profile
    before = int(time.time() * 1000)
    rows, msgs, _ = export(broker, topic, profile, 'v5', 'flows')
    assert all(m['timestamp'] >= before - 5000 for m in msgs)
    _, msgs, _ = export(broker, topic + '-w', profile, 'v5', 'flows',
                        ['--timestamp', 'window'])
    assert {m['timestamp'] for m in msgs} == {stamp_ms(stamp_of(windows['v5']))}
    _, msgs, _ = export(broker, topic + '-f', profile, 'v5', 'flows',
                        ['--timestamp', 'last_seen'])
    for m in msgs:
        assert m['timestamp'] == round(m['value']['last_seen'].timestamp() * 1000)
    run = run_nfkafka(['--once', windows['v5'], '-M', prof, '-b',
                       broker.bootstrap, '-t', topic + '-x', '--timestamp',
                       'dst_ctr'])
    assert run.returncode == 2, run      # refused at start, like a bad -k
    assert '--timestamp dst_ctr is not a time field' in run.stderr


def read_summaries(bootstrap, topic, isolation='read_uncommitted', expect=None):
    msgs = consume(bootstrap, topic, expect=expect, timeout=60,
                   isolation=isolation,
                   decode=lambda raw: json.loads(raw) if raw[:1] == b'{'
                   else cbor2.loads(raw))
    return [m['value'] for m in msgs]


def nfdump_totals(prof, relfile):
    """nfdump's own summary line for the window: flows, bytes, packets."""
    out = run_nfdump(prof, relfile, ['-N', '-o', 'fmt:%ts'])
    m = re.search(r'Summary: total flows: (\d+), total bytes: (\d+), '
                  r'total packets: (\d+)', out)
    return tuple(int(x) for x in m.groups())


def check_windows(bootstrap, topic, summary_topic, committed):
    p = subprocess.run([sys.executable, CHECK_WINDOWS, '-b', bootstrap, '-t',
                        topic, '-s', summary_topic] +
                       (['--read-committed'] if committed else []),
                       capture_output=True, text=True, timeout=180)
    sys.stderr.write(p.stdout + p.stderr)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


@pytest.mark.parametrize('mode,fmt,batch,headers', [
    ('at-least-once', 'cbor', 1, 'yes'), ('exactly-once', 'json', 1, 'yes'),
    ('at-least-once', 'cbor', 7, 'yes'), ('exactly-once', 'cbor', 7, 'compact')])
def test_summary_counts_match_records(broker, topic, profile, mode, fmt, batch,
                                      headers):
    """With --batch a message holds several records: the summary counts
    both, and check_windows.py proves the window complete all the same."""
    base, prof, windows = profile
    stamps = sorted(stamp_of(w) for w in windows.values())
    extra = ['--transactional-id', 'tx-' + topic] if mode == 'exactly-once' else []
    extra += ['--batch', str(batch), '--headers', headers]
    run = run_nfkafka(['--replay', stamps[0], stamps[-1], '-M', prof, '-b',
                       broker.bootstrap, '-t', topic, '-Q', FLOW_QUERY,
                       '--summary-topic', topic + '-windows', '--format', fmt,
                       '--interval', '60'] + extra, timeout=180)
    assert run.returncode == 0, run
    iso = 'read_committed' if extra else 'read_uncommitted'
    summaries = read_summaries(broker.bootstrap, topic + '-windows', iso,
                               expect=len(stamps))
    assert sorted(s['window'] for s in summaries) == stamps
    recs = consume(broker.bootstrap, topic, timeout=60, isolation=iso,
                   decode=json.loads if fmt == 'json' else None)
    by_window = records_by_window(recs)
    for s in summaries:
        rel = [w for w in windows.values() if stamp_of(w) == s['window']][0]
        rows = nfdump_rows(prof, rel, FLOW_QUERY)
        assert s['records'] == len(rows) == len(by_window.get(s['window'], []))
        assert s['revision'] == 0
        assert s['channels'] == list(CHANNELS) and s['missing_channels'] == []
        assert (s['nfdump_flows'], s['nfdump_bytes'], s['nfdump_packets']) == \
            nfdump_totals(prof, rel)
        assert sum(p['records'] for p in s['partitions']) == s['records']
        assert sum(p['messages'] for p in s['partitions']) == \
            -(-s['records'] // batch)
        start = s['window_start']
        if fmt == 'cbor':
            start = start.timestamp()
            end = s['window_end'].timestamp()
        else:
            end = s['window_end']
        assert start * 1000 == stamp_ms(s['window']) and end - start == 60
        assert 0 <= s['nfdump_seconds'] <= s['export_seconds']
    out = check_windows(broker.bootstrap, topic, topic + '-windows', bool(extra))
    assert out.count('complete') == len(stamps)


@pytest.fixture(scope='module')
def big(tmp_path_factory):
    """A window still in flight when the broker dies."""
    base = str(tmp_path_factory.mktemp('big'))
    rel = make_window(base, CHANNELS, 60_000)
    prof = '%s/chanA:chanB' % base
    return prof, rel, len(nfdump_rows(prof, rel, FLOW_QUERY))


def wait_high(bootstrap, topic, at_least, timeout=60):
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'probe',
                  'isolation.level': 'read_uncommitted'})
    def high():
        try:
            return c.get_watermark_offsets(TopicPartition(topic, 0),
                                           timeout=1)[1]
        except KafkaException:
            return 0
    try:
        wait_until(lambda: high() >= at_least, timeout,
                   'no records in %s' % topic, interval=0.01)
    finally:
        c.close()


@pytest.mark.parametrize('mode', ['at-least-once', 'exactly-once'])
def test_summary_after_failed_window(own_broker, big, topic, tmp_path,
                                     daemons, mode):
    prof, rel, rows = big
    b = own_broker()
    b.start()
    extra = ['--transactional-id', 'tx-' + topic] if mode == 'exactly-once' else []
    d = daemons(['-M', prof, '-b', b.bootstrap, '-t', topic, '-Q', FLOW_QUERY,
                 '--since', stamp_of(rel), '--state', tmp_path / 'state',
                 '--summary-topic', topic + '-windows', '--backoff-min', '0.2',
                 '--backoff-max', '2', '-X', 'message.timeout.ms=5000',
                 '-X', 'queue.buffering.max.kbytes=512'] + extra)
    d.wait_log('to export first')
    wait_high(b.bootstrap, topic, 2000)
    assert 'records,' not in d.text(), 'window done before the kill'
    b.kill()
    time.sleep(6)   # beyond message.timeout.ms: this attempt fails
    b.restart_same_port()
    wait_exported(d, [stamp_of(rel)], timeout=180)
    assert 'retry' in d.text()
    iso = 'read_committed' if extra else 'read_uncommitted'
    summaries = read_summaries(b.bootstrap, topic + '-windows', iso, expect=1)
    assert len(summaries) == 1, 'the failed attempt sent no summary'
    assert summaries[0]['records'] == rows
    check_windows(b.bootstrap, topic, topic + '-windows', bool(extra))
    assert d.stop() == 0


def test_kafka_connect_json_converter_accepts_every_message(broker, topic,
                                                             profile, tmp_path):
    cp = connect_classpath()
    rows, msgs, _ = export(broker, topic, profile, 'v9', 'flows',
                           ['--format', 'json'])
    converters = [
        'key.converter=org.apache.kafka.connect.json.JsonConverter',
        'value.converter=org.apache.kafka.connect.json.JsonConverter',
        'key.converter.schemas.enable=false',
        'value.converter.schemas.enable=false']
    with file_sink(tmp_path, cp, broker.bootstrap, topic,
                   'nfkafka-sink-%s' % topic, converters) as sink:
        lines, text = sink.wait(len(rows))
        assert sink.java.poll() is None, 'Connect exited %s' % sink.java.returncode
        assert len(lines) == len(rows) == len(msgs)
        assert 'Task is being killed' not in text and 'DataException' not in text
        # The sink prints each converted value, a Java map of our fields,
        # in the topic's order.
        maps = [dict(kv.split('=', 1) for kv in line[1:-1].split(', '))
                for line in lines]
        assert all(sorted(m) == sorted(FLOW_FIELDS) for m in maps)
        assert [(m['packets'], m['bytes']) for m in maps] == \
            [(r[8], r[9]) for r in rows]


def test_summary_names_missing_channel(broker, topic, tmp_path):
    base = str(tmp_path / 'half')
    rel = make_window(base, ('chanA',), 100)
    os.makedirs(os.path.join(base, 'chanB'))
    run = run_nfkafka(['--once', rel, '-M', '%s/chanA:chanB' % base, '-b',
                       broker.bootstrap, '-t', topic, '--summary-topic',
                       topic + '-windows', '--format', 'json'])
    assert run.returncode == 0, run
    [s] = read_summaries(broker.bootstrap, topic + '-windows', expect=1)
    assert (s['channels'], s['missing_channels']) == (['chanA'], ['chanB'])
    assert s['records'] > 0


@pytest.mark.parametrize('args,message', [
    (['--format', 'xml'], '--format xml: expected cbor, json or avro'),
    (['--summary-topic', 'same', '-t', 'same'], 'give a topic of its own'),
    (['--interval', '0'], '--interval 0: expected a number'),
])
def test_bad_options(tmp_path, args, message):
    (tmp_path / 'x').mkdir()
    run = run_nfkafka(['-M', '%s/x' % tmp_path, '-b', '127.0.0.1:1'] + args)
    assert run.returncode == 2 and message in run.stderr, run


def test_check_config_sends_no_summary(broker, topic, profile):
    base, prof, windows = profile
    run = run_nfkafka(['--check-config', '-M', prof, '-b', broker.bootstrap,
                       '-t', topic, '--summary-topic', topic + '-windows',
                       '--format', 'json', '--timestamp', 'first_seen',
                       '-Q', FLOW_QUERY])
    assert run.returncode == 0, run
    assert consume(broker.bootstrap, topic + '-windows', timeout=5) == []


def test_json_batched_as_json_lines(broker, topic, profile):
    """--format json --batch 64: each message is JSON lines, split back
    into every record of nfdump's output, in order."""
    rows, msgs, _ = export(broker, topic, profile, 'v9', 'flows',
                           ['--format', 'json', '--batch', '64'])
    names = QUERIES['flows'][2]
    assert len(rows) > 64
    assert max(m['count'] for m in msgs) == 64
    assert all(m['raw'].endswith(b'\n') for m in msgs)
    assert [m['row'] for m in msgs] == list(range(len(rows)))
    assert_rows_match([python_typed(m['value'], names) for m in msgs], rows, names)
