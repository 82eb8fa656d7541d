# SPDX-License-Identifier: BSD-2-Clause
"""Issue 2: one window → nfdump → typed CBOR → Kafka, checked record by
record against nfdump's own output, through the real binary."""
import os
import re
import shutil

import pytest

from collector import make_window
from compare import assert_rows_match
from conftest import ONE_VERSION, consume, run_nfkafka
from nfdump_ref import nfdump_rows

CHANNELS = ('chanA', 'chanB')

DEFAULT_FIELDS = ['first_seen', 'dst_ctr', 'duration', 'packets', 'bytes',
                  'pps', 'bps', 'flows']
DEFAULT_QUERY = "-A dstgeo -o 'fmt:%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl' -N -6 -q"

# nfdump 1.7.5 refuses -A with fmt:; nfkafka runs the default there as
# -A dstgeo -o csv, with these columns.
DEFAULT_175_FIELDS = ['first_seen', 'duration', 'dst_ctr', 'packets', 'bytes',
                      'bps', 'bpp', 'flows']


def default_reference(profile_arg, rel, nd):
    """(nfdump's rows, field names) of the default query as the nfdump of
    nd runs it."""
    if nd.number == (1, 7, 5):
        return ([list(r.values()) for r in nfdump_rows(
            profile_arg, rel, '-A dstgeo -o csv')], DEFAULT_175_FIELDS)
    return nfdump_rows(profile_arg, rel, DEFAULT_QUERY), DEFAULT_FIELDS


FLOW_QUERY = "-o 'fmt:%ts,%te,%td,%pr,%sa,%sp,%da,%dp,%pkt,%byt,%flg'"
FLOW_FIELDS = ['first_seen', 'last_seen', 'duration', 'proto', 'src_addr',
               'src_port', 'dst_addr', 'dst_port', 'packets', 'bytes',
               'tcp_flags']

TWO_KEY_QUERY = "-A srcip,dstport -O bytes -o 'fmt:%sa,%dp,%fl,%pkt,%byt,%bps'"
TWO_KEY_FIELDS = ['src_addr', 'dst_port', 'flows', 'packets', 'bytes', 'bps']

QUERIES = {
    'default': (None, DEFAULT_QUERY, DEFAULT_FIELDS),
    'flows': (FLOW_QUERY, FLOW_QUERY, FLOW_FIELDS),
    'two-key': (TWO_KEY_QUERY, TWO_KEY_QUERY, TWO_KEY_FIELDS),
}


_PROFILES = {}


@pytest.fixture
def profile(tmp_path_factory, nfdump_version):
    """Real rotated windows: small (v5), empty, large (v9 with IPv6), made
    once per nfdump version by that version's nfcapd."""
    v = nfdump_version.version
    if v not in _PROFILES:
        base = str(tmp_path_factory.mktemp('profile-' + v))
        _PROFILES[v] = base, {
            'small': make_window(base, CHANNELS, {'chanA': 300, 'chanB': 200}),
            'empty': make_window(base, CHANNELS, 0),
        }
    return _PROFILES[v]


@pytest.fixture
def large_profile(profile):
    """The profile with its large window too (55k flows a channel)."""
    base, windows = profile
    if 'large' not in windows:
        windows['large'] = make_window(base, CHANNELS, 55_000, version=9,
                                       ipv6_share=0.25)
    return profile


def export_and_compare(broker, topic, profile, window, query, extra=()):
    base, windows = profile
    query_arg, ref_query, names = QUERIES[query]
    args = ['--once', windows[window], '-M', '%s/chanA:chanB' % base,
            '-b', broker.bootstrap, '-t', topic] + list(extra)
    if query_arg is not None:
        args += ['-Q', query_arg]
    run = run_nfkafka(args, timeout=300)
    assert run.returncode == 0, run
    rows = nfdump_rows('%s/chanA:chanB' % base, windows[window], ref_query)
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120)
    assert_rows_match([m['value'] for m in msgs], rows, names)
    return msgs, rows


@pytest.mark.parametrize('query', ['default', 'flows', 'two-key'])
@pytest.mark.parametrize('window', ['small', 'empty'])
def test_window_matches_nfdump(broker, topic, profile, window, query,
                               nfdump_version):
    msgs, rows = export_and_compare(broker, topic, profile, window, query)
    if window == 'small':
        assert len(rows) > 0
    else:
        assert rows == [] and msgs == []


LARGE_CASES = [('flows', '1.7.1'), ('two-key', '1.7.1'), ('default', '1.7.1'),
               ('flows', '1.7.8')]


@pytest.mark.parametrize('query,nfdump_version', LARGE_CASES,
                         indirect=['nfdump_version'],
                         ids=['%s-%s' % c for c in LARGE_CASES])
def test_large_window_matches_nfdump(broker, topic, large_profile, query):
    msgs, rows = export_and_compare(broker, topic, large_profile, 'large', query)
    if query == 'flows':
        assert len(rows) >= 100_000
        v6 = [m for m in msgs if m['value']['src_addr'].version == 6]
        assert v6, 'the v9 window has IPv6 flows'


def test_headers_and_key(broker, topic, profile):
    """By default one nfkafka-id header names each record: window,
    revision, row, count, profile."""
    base, windows = profile
    msgs, rows = export_and_compare(broker, topic, profile, 'small', 'two-key',
                                    extra=['-k', 'src_addr,dst_port'])
    stamp = os.path.basename(windows['small']).split('.')[1]
    for i, m in enumerate(msgs):
        assert list(m['headers']) == ['nfkafka-id']
        assert m['headers']['nfkafka-id'].decode() == '%s,0,%d,1,%s/chanA:chanB' % (
            stamp, i, base)
        assert m['key'].decode() == '%s,%s' % (rows[i][0], rows[i][1])


@ONE_VERSION
def test_values_strings_like_the_cron_script(broker, topic, profile,
                                             nfdump_version):
    base, windows = profile
    run = run_nfkafka(['--once', windows['small'], '-M', '%s/chanA:chanB' % base,
                       '-b', broker.bootstrap, '-t', topic, '--values', 'strings'])
    assert run.returncode == 0, run
    rows, fields = default_reference('%s/chanA:chanB' % base, windows['small'],
                                     nfdump_version)
    msgs = consume(broker.bootstrap, topic, expect=len(rows))
    assert [m['value'] for m in msgs] == [dict(zip(fields, r)) for r in rows]


# -o csv's column titles → nfkafka's field names, per nfdump version.
CSV_NAMES = {
    '1.7.1': {'ts': 'first_seen', 'te': 'last_seen', 'td': 'duration',
              'sa': 'src_addr', 'da': 'dst_addr', 'sp': 'src_port',
              'dp': 'dst_port', 'pr': 'proto', 'ipkt': 'in_packets',
              'ibyt': 'in_bytes', 'ra': 'router_addr', 'tr': 'received'},
    '1.7.8': {'firstSeen': 'first_seen', 'duration': 'duration',
              'proto': 'proto', 'srcAddr': 'src_addr', 'srcPort': 'src_port',
              'dstAddr': 'dst_addr', 'dstPort': 'dst_port',
              'packets': 'packets', 'bytes': 'bytes', 'flows': 'flows'},
}
# -A srcip -o csv: 1.7.1 keeps its csv columns, 1.7.8 prints the aggregate's.
CSV_AGGR_NAMES = {
    '1.7.1': {'sa': 'src_addr', 'ipkt': 'in_packets', 'ibyt': 'in_bytes'},
    '1.7.8': {'firstSeen': 'first_seen', 'duration': 'duration',
              'srcAddr': 'src_addr', 'packets': 'packets', 'bytes': 'bytes',
              'bps': 'bps', 'bpp': 'bpp', 'flows': 'flows'},
}


@pytest.mark.parametrize('aggregate', [False, True], ids=['flows', 'aggregated'])
def test_csv_output_by_header(broker, topic, profile, nfdump_version, aggregate):
    """-o csv, whose columns come from its header: 1.7.1's ends with a
    Summary block, 1.7.8's with the last record."""
    base, windows = profile
    query = ['-A', 'srcip', '-o', 'csv'] if aggregate else ['-o', 'csv']
    run = run_nfkafka(['--once', windows['small'], '-M', '%s/chanA:chanB' % base,
                       '-b', broker.bootstrap, '-t', topic, '-Q', ' '.join(query)])
    assert run.returncode == 0, run
    rows = nfdump_rows('%s/chanA:chanB' % base, windows['small'], query)
    msgs = consume(broker.bootstrap, topic, expect=len(rows))
    assert len(msgs) == len(rows)
    assert len(rows) == 500 or aggregate and len(rows) > 10
    names = (CSV_AGGR_NAMES if aggregate else CSV_NAMES)[nfdump_version.version]
    records = [{names[k]: m['value'][names[k]] for k in names} for m in msgs]
    expected = [{names[k]: r[k] for k in names} for r in rows]
    assert_rows_match(records, expected, None)


@ONE_VERSION
def test_channel_missing_from_window(broker, topic, profile, tmp_path):
    """A window only one channel has is exported from that one, with a warning."""
    base, windows = profile
    os.makedirs(tmp_path / 'chanA')
    os.makedirs(tmp_path / 'chanB')
    shutil.copy(os.path.join(base, 'chanA', windows['small']), tmp_path / 'chanA')
    run = run_nfkafka(['--once', windows['small'], '-M', '%s/chanA:chanB' % tmp_path,
                       '-b', broker.bootstrap, '-t', topic, '-Q', FLOW_QUERY])
    assert run.returncode == 0, run
    assert 'chanB have no' in run.stderr
    rows = nfdump_rows('%s/chanA' % tmp_path, windows['small'], FLOW_QUERY)
    msgs = consume(broker.bootstrap, topic, expect=len(rows))
    assert len(rows) == 300
    assert_rows_match([m['value'] for m in msgs], rows, FLOW_FIELDS)


@pytest.mark.parametrize('extra', [['--headers', 'separate'], ['--headers', 'yes', '--batch', '7']],
                         ids=['separate', 'yes-batch7'])
@ONE_VERSION
def test_separate_headers(broker, topic, profile, extra):
    """--headers separate (0.2's layout, also spelled yes): the window,
    profile, row and revision each in a header of its own, and with
    --batch the count."""
    base, windows = profile
    msgs, rows = export_and_compare(broker, topic, profile, 'small', 'flows',
                                    extra=extra)
    stamp = os.path.basename(windows['small']).split('.')[1]
    assert len(rows) > 7
    names = ['nfkafka-window', 'nfkafka-profile', 'nfkafka-row', 'nfkafka-revision']
    for m in msgs:
        h = m['headers']
        assert sorted(h) == sorted(names + (['nfkafka-count'] if '--batch' in extra else []))
        assert h['nfkafka-window'].decode() == stamp
        assert h['nfkafka-profile'].decode() == '%s/chanA:chanB' % base
        assert h['nfkafka-revision'] == b'0'
        assert int(h['nfkafka-row']) == m['row'] - m['index']
        if '--batch' in extra:
            assert int(h['nfkafka-count']) == m['count']
    assert [m['row'] for m in msgs] == list(range(len(rows)))


@ONE_VERSION
def test_headers_can_be_left_out(broker, topic, profile, nfdump_version):
    base, windows = profile
    run = run_nfkafka(['--once', windows['small'], '-M', '%s/chanA:chanB' % base,
                       '-b', broker.bootstrap, '-t', topic, '--headers', 'no'])
    assert run.returncode == 0, run
    rows, _ = default_reference('%s/chanA:chanB' % base, windows['small'],
                                nfdump_version)
    msgs = consume(broker.bootstrap, topic, expect=len(rows))
    assert len(msgs) == len(rows) > 0
    assert all(m['headers'] == {} for m in msgs)


@ONE_VERSION
def test_full_producer_queue_pauses_nfdump(broker, topic, large_profile):
    """A queue of 200 messages: nfdump is held back again and again, and
    still every record arrives, in nfdump's order."""
    base, windows = large_profile
    run = run_nfkafka(['--once', windows['large'], '-M', '%s/chanA:chanB' % base,
                       '-b', broker.bootstrap, '-t', topic, '-Q', FLOW_QUERY, '-v',
                       '-X', 'queue.buffering.max.messages=200'], timeout=300)
    assert run.returncode == 0, run
    pauses = re.search(r'nfdump paused (\d+) times', run.stderr)
    assert pauses and int(pauses.group(1)) > 10, run
    rows = nfdump_rows('%s/chanA:chanB' % base, windows['large'], FLOW_QUERY)
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120)
    assert_rows_match([m['value'] for m in msgs], rows, FLOW_FIELDS)


@pytest.mark.parametrize('extra', [['--headers', 'no'], ['--batch', '7', '--headers', 'no']],
                         ids=['headers-no', 'batch7-headers-no'])
@ONE_VERSION
def test_large_window_without_headers(broker, topic, large_profile, extra):
    """The per-row paths without headers, one record per message and
    batched: still every record, in nfdump's order, and no header at all."""
    msgs, rows = export_and_compare(broker, topic, large_profile, 'large',
                                    'flows', extra)
    assert len(rows) >= 100_000
    assert all(m['headers'] == {} and m['row'] is None for m in msgs)
    if '--batch' in extra:
        assert max(m['count'] for m in msgs) == 7


def check_batches(msgs, n, stamp, profile_arg):
    """Each message of a window holds n records but the last, and its
    headers say its first row and its count."""
    offsets = sorted({m['offset'] for m in msgs})
    for row, m in enumerate(msgs):
        h = m['id']
        assert m['row'] == row, 'record %d has row %r' % (row, m['row'])
        assert h['nfkafka-window'].decode() == stamp
        assert h['nfkafka-profile'].decode() == profile_arg
        assert int(h['nfkafka-row']) == row - m['index']
        assert int(h['nfkafka-count']) == m['count']
        last = m['offset'] == offsets[-1]
        assert m['count'] == n or (last and m['count'] == len(msgs) % n), \
            'message at %d holds %d records' % (m['offset'], m['count'])
    assert len(offsets) == -(-len(msgs) // n)


# 110,000 rows: 1000 divides them, 777 leaves a short last batch.
@pytest.mark.parametrize('n', [1000, 777])
@ONE_VERSION
def test_batched_messages_match_nfdump(broker, topic, large_profile, n):
    base, windows = large_profile
    msgs, rows = export_and_compare(broker, topic, large_profile, 'large',
                                    'flows', ['--batch', str(n)])
    assert len(rows) >= 100_000
    stamp = os.path.basename(windows['large']).split('.')[1]
    check_batches(msgs, n, stamp, '%s/chanA:chanB' % base)


@ONE_VERSION
def test_batched_exactly_once(broker, topic, profile):
    """--batch with --transactional-id: committed batches, read committed,
    every record once and in order; 500 rows in batches of 64."""
    base, windows = profile
    run = run_nfkafka(['--once', windows['small'], '-M', '%s/chanA:chanB' % base,
                       '-b', broker.bootstrap, '-t', topic, '-Q', FLOW_QUERY,
                       '--batch', '64', '--transactional-id', 'tx-' + topic],
                      timeout=300)
    assert run.returncode == 0, run
    rows = nfdump_rows('%s/chanA:chanB' % base, windows['small'], FLOW_QUERY)
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120,
                   isolation='read_committed')
    assert_rows_match([m['value'] for m in msgs], rows, FLOW_FIELDS)
    stamp = os.path.basename(windows['small']).split('.')[1]
    check_batches(msgs, 64, stamp, '%s/chanA:chanB' % base)


@ONE_VERSION
def test_batch_with_key_is_refused(broker, topic, profile):
    base, windows = profile
    run = run_nfkafka(['--once', windows['small'], '-M', '%s/chanA:chanB' % base,
                       '-b', broker.bootstrap, '-t', topic, '--batch', '10',
                       '-k', 'dst_ctr'])
    assert run.returncode != 0
    assert '--batch 10 with -k' in run.stderr, run
