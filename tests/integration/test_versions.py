# SPDX-License-Identifier: BSD-2-Clause
"""Issue 10: every output mode and every token family, with nfdump 1.7.1 and
1.7.8, compared record by record with that nfdump's own output; and what
each version refuses, refused at start with one line naming it."""
import pytest

from collector import make_window
from compare import assert_rows_match
from conftest import consume, run_nfkafka
from nfdump_ref import nfdump_rows

CHANNELS = ('chanA', 'chanB')

# nfkafka's field name for each token: the test's own list, so a wrong name
# or a wrong type in nfkafka's table fails here.
NAMES = {
    'ts': 'first_seen', 'te': 'last_seen', 'tr': 'received',
    'tfs': 'first_seen', 'tsr': 'first_seen', 'ter': 'last_seen',
    'trr': 'received', 'tsg': 'first_seen', 'teg': 'last_seen',
    'trg': 'received', 'td': 'duration', 'tds': 'duration',
    'tevt': 'event_time', 'msec': 'event_time_msec',
    'nfv': 'netflow_version', 'cnt': 'count', 'eng': 'engine',
    'exp': 'exporter_id', 'idt': 'ident',
    'pr': 'proto', 'sa': 'src_addr', 'da': 'dst_addr', 'sp': 'src_port',
    'dp': 'dst_port', 'pkt': 'packets', 'byt': 'bytes', 'fl': 'flows',
    'flg': 'tcp_flags', 'bps': 'bps', 'bpp': 'bpp', 'pps': 'pps',
    'sas': 'src_as', 'das': 'dst_as', 'nas': 'next_as', 'pas': 'prev_as',
    'sasn': 'src_as_org', 'dasn': 'dst_as_org',
    'sc': 'src_ctr', 'dc': 'dst_ctr', 'sloc': 'src_loc', 'dloc': 'dst_loc',
    'gsa': 'src_geo_addr', 'gda': 'dst_geo_addr', 'stor': 'src_tor',
    'dtor': 'dst_tor',
    'evt': 'event', 'xevt': 'ext_event', 'xsa': 'xlate_src_addr',
    'xda': 'xlate_dst_addr', 'xsp': 'xlate_src_port',
    'xdp': 'xlate_dst_port', 'nfc': 'conn_id', 'iacl': 'ingress_acl',
    'eacl': 'egress_acl', 'uname': 'user_name', 'nsa': 'nat_src_addr',
    'nda': 'nat_dst_addr', 'nsp': 'nat_src_port', 'ndp': 'nat_dst_port',
    'pbstart': 'nat_pool_start', 'pbsize': 'nat_pool_size',
    'ivrf': 'ingress_vrf', 'evrf': 'egress_vrf', 'nevt': 'nat_event',
    'sgt': 'src_sgt',
    'ja3': 'ja3', 'ja4': 'ja4', 'sni': 'sni', 'tls': 'tls_version',
    'nbid': 'nbar_id',
    'in': 'in_if', 'out': 'out_if', 'inam': 'in_if_name',
    'onam': 'out_if_name', 'bfd': 'biflow_direction',
    'end': 'flow_end_reason', 'ttl': 'ttl', 'minttl': 'min_ttl',
    'maxttl': 'max_ttl', 'frag': 'ip_fragment', 'flid': 'flow_id',
}

# token family: (tokens both versions print, tokens only 1.7.8 prints,
# tokens only 1.7.1 prints)
FAMILIES = {
    'times': ('ts te tr tfs tsr ter trr td tds tevt msec', 'tsg teg trg', ''),
    'ident': ('nfv cnt eng exp pr fl', 'idt', ''),
    'as': ('sas das nas pas', 'sasn dasn', ''),
    'geo': ('sa sc dc sloc dloc gsa gda', 'stor dtor', ''),
    'nsel-nat': ('evt xevt xsa xda xsp xdp nfc iacl eacl uname nsa nda nsp '
                 'ndp pbstart pbsize ivrf evrf', '', 'nevt sgt'),
    'tls': ('ja3 sni nbid pr', 'ja4 tls', ''),
    'misc': ('in out inam onam bfd end', 'ttl minttl maxttl frag flid', ''),
}


def field_names(tokens):
    """Names as nfkafka gives them: a repeated one gets _2, _3, ..."""
    out, seen = [], {}
    for t in tokens:
        n = NAMES[t]
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else '%s_%d' % (n, seen[n]))
    return out


_PROFILES = {}


@pytest.fixture
def window(tmp_path_factory, nfdump_version):
    """One v9 window with IPv6 flows, made by that version's nfcapd."""
    v = nfdump_version.version
    if v not in _PROFILES:
        base = str(tmp_path_factory.mktemp('versions-' + v))
        _PROFILES[v] = base, make_window(base, CHANNELS, 400, version=9,
                                         ipv6_share=0.25)
    return _PROFILES[v]


def export_and_compare(broker, topic, window, query, names):
    base, rel = window
    profile = '%s/%s' % (base, ':'.join(CHANNELS))
    run = run_nfkafka(['--once', rel, '-M', profile, '-b', broker.bootstrap,
                       '-t', topic, '-Q', query], timeout=180)
    assert run.returncode == 0, run
    rows = nfdump_rows(profile, rel, query)
    assert rows, 'nfdump printed no rows for %s' % query
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120)
    assert_rows_match([m['value'] for m in msgs], rows, names)
    assert 'did not fit' not in run.stderr or 'tevt' in query, run
    return msgs


@pytest.mark.parametrize('family', list(FAMILIES))
def test_token_family_matches_nfdump(broker, topic, window, nfdump_version,
                                     family):
    both, newer, older = FAMILIES[family]
    tokens = both.split() + (newer if nfdump_version.version == '1.7.8'
                             else older).split()
    query = "-o 'fmt:%s'" % ','.join('%' + t for t in tokens)
    export_and_compare(broker, topic, window, query, field_names(tokens))


FLOW_TOKENS = 'ts te td pr sa sp da dp pkt byt flg'.split()
AGGR_TOKENS = 'ts td sa pr fl pkt byt bps bpp'.split()
CSV_FAST = ['row', 'address_family', 'first_seen', 'last_seen', 'proto',
            'src_addr', 'src_port', 'dst_addr', 'dst_port', 'src_as', 'dst_as',
            'in_if', 'out_if', 'tcp_flags', 'src_tos', 'packets', 'bytes']

# mode: (query, field names, needs 1.7.8)
MODES = {
    'fmt': ("-o 'fmt:%s'" % ','.join('%' + t for t in FLOW_TOKENS),
            field_names(FLOW_TOKENS), False),
    'fmt-aggregated': ("-A srcip,proto -o 'fmt:%s'" % ','.join(
        '%' + t for t in AGGR_TOKENS), field_names(AGGR_TOKENS), False),
    'csv-tokens': ("-o 'csv:%s'" % ','.join('%' + t for t in FLOW_TOKENS[:-1]
                                            + ['tsr']),
                   field_names(FLOW_TOKENS[:-1] + ['tsr']), True),
    'csv-tokens-aggregated': ("-A srcip,proto -o 'csv:%s'" % ','.join(
        '%' + t for t in AGGR_TOKENS), field_names(AGGR_TOKENS), True),
    'csv-fast': ('-o csv-fast', CSV_FAST, True),
}


MODE_CASES = [(m, v) for m in MODES for v in ('1.7.1', '1.7.8')
              if v == '1.7.8' or not MODES[m][2]]


@pytest.mark.parametrize('mode,nfdump_version', MODE_CASES, indirect=[
    'nfdump_version'], ids=['%s-%s' % c for c in MODE_CASES])
def test_output_mode_matches_nfdump(broker, topic, window, nfdump_version,
                                    mode):
    """fmt:, csv:<tokens> and csv-fast, each with and without -A where the
    version has it (-o csv with and without -A: test_once.py)."""
    query, names, _newer = MODES[mode]
    msgs = export_and_compare(broker, topic, window, query, names)
    if mode == 'csv-fast':
        # Milliseconds since the epoch, as times.
        assert msgs[0]['value']['first_seen'].year >= 2026


# (query, nfdump version, words of the one error line)
REFUSED = [
    ("-o 'fmt:%ts,%tsg'", '1.7.1', ['%tsg needs an nfdump newer than 1.7.1']),
    ("-o 'fmt:%ts,%idt'", '1.7.1', ['%idt']),
    ("-o 'csv:%ts,%sa'", '1.7.1', ['-o csv:', 'needs nfdump 1.7.5']),
    ('-o csv-fast', '1.7.1', ['-o csv-fast', 'needs nfdump 1.7.5']),
    ('-A srcip -o csv-fast', '1.7.8', ['csv-fast', 'aggregated']),
    ("-o 'fmt:%ts,%nevt'", '1.7.8', ['%nevt is gone from nfdump 1.7.8']),
    ("-o 'fmt:%ts,%bogus'", '1.7.8', ['unknown output token %bogus']),
    ("-o 'fmt:%ts,%bogus'", '1.7.1', ['unknown output token %bogus']),
    ("-o 'csv:%ts,%ttl'", '1.7.8', ['%ttl has no csv form']),
    ("-l 10 -o 'fmt:%ts'", '1.7.8', ['unknown nfdump option -l',
                                      '(nfdump 1.7.8)']),
]


@pytest.mark.parametrize('query,nfdump_version,needles', REFUSED,
                         indirect=['nfdump_version'],
                         ids=['%s-%s' % (r[1], r[0]) for r in REFUSED])
def test_refused_at_start(tmp_path, nfdump_version, query, needles):
    """What the nfdump in use cannot print is refused before any window."""
    run = run_nfkafka(['-M', tmp_path, '-b', '127.0.0.1:9', '-Q', query,
                       '--once', 'nfcapd.202611271200'], timeout=30)
    assert run.returncode == 2, run
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run
    for n in needles:
        assert n in lines[0], run


def test_version_logged_at_start(broker, topic, window, nfdump_version):
    base, rel = window
    run = run_nfkafka(['--once', rel, '-M', '%s/%s' % (base, ':'.join(CHANNELS)),
                       '-b', broker.bootstrap, '-t', topic], timeout=180)
    assert run.returncode == 0, run
    assert 'nfdump nfdump: version %s' % nfdump_version.version in run.stderr, run


def test_row_index_names_one_record_in_every_export(broker, topic, tmp_path_factory,
                                                    nfdump_version):
    """A window exported again (a retry, a restart) must give each row index
    the same record, or consumers that drop duplicates by window, revision
    and row would drop flows. nfdump 1.7.8 filters with several threads and
    prints a two-channel window in varying order, so nfkafka runs it with one
    (-W 1)."""
    base = str(tmp_path_factory.mktemp('order-' + nfdump_version.version))
    rel = make_window(base, CHANNELS, 20000, version=9)
    profile = '%s/%s' % (base, ':'.join(CHANNELS))
    for _ in range(2):
        run = run_nfkafka(['--once', rel, '-M', profile, '-b', broker.bootstrap,
                           '-t', topic, '-Q', "-o 'fmt:%ts,%sa,%da,%sp,%dp,%pkt,%byt'"],
                          timeout=300)
        assert run.returncode == 0, run
        assert 'worker threads' not in run.stderr, run
    msgs = consume(broker.bootstrap, topic, expect=80000, timeout=300)
    assert len(msgs) == 80000
    records = {}
    for m in msgs:
        records.setdefault(m['row'], set()).add(repr(sorted(m['value'].items())))
    assert len(records) == 40000
    differ = [row for row, seen in records.items() if len(seen) != 1]
    assert not differ, '%d of 40000 rows name other records in the second export' % len(differ)
