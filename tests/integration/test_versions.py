# SPDX-License-Identifier: BSD-2-Clause
"""Issues 10 and 17: every output mode and every token family, with each
nfdump from 1.6.25 to the 1.8 beta, compared record by record with that
nfdump's own output; the default query on each; and what each version
refuses, refused at start with one line naming it."""
import time

import pytest

from collector import Collector, make_window
from compare import assert_rows_match
from conftest import ALL_NFDUMP_VERSIONS, consume, run_nfkafka
from livecheck import (FLOW_QUERY, assert_kafka_matches, logged_windows,
                       new_windows, stamp_of, wait_exported)
from nfdump_ref import nfdump_rows

CHANNELS = ('chanA', 'chanB')
# include/query.h's QUERY_DEFAULT.
QUERY_DEFAULT = "-A dstgeo -o 'fmt:%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl' -N -6 -q"

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

# token family: (tokens 1.7.1 and 1.7.8 both print, tokens only 1.7.8
# prints, tokens only 1.7.1 prints)
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

# What the other versions lack of those (their nfdump -o 'fmt:%x' refuses
# it; 1.6.25's list is its output_fmt.c's, built as nfdump.sh builds it:
# without NSEL, so none of its NSEL tokens either).
NSEL_16 = set('nfc tevt evt xevt sgt msec iacl eacl xsa xda xsp xdp uname nevt '
              'ivrf evrf nsa nda nsp ndp pbstart pbsize'.split())
LACKS = {
    (1, 6, 25): set('tds cnt idt tsg teg trg sasn dasn sc dc sloc dloc gsa gda '
                    'stor dtor ja3 ja4 sni nbid tls inam onam ttl minttl maxttl '
                    'frag flid'.split()) | NSEL_16,
    (1, 7, 5): {'idt', 'minttl', 'maxttl'},
    # The 1.8 beta (5fa3336) dies of SIGSEGV printing %tevt or %evt of a
    # flow without NSEL event data: its bug, left to upstream.
    (1, 8, 0): {'tevt', 'evt'},
}


def tokens_for(family, nd):
    """The tokens of a family that this nfdump prints."""
    both, newer, older = FAMILIES[family]
    if nd.number < (1, 7, 0):
        tokens = both.split() + older.split()
    elif nd.number == (1, 7, 1):
        tokens = both.split() + older.split()
    else:
        tokens = both.split() + newer.split()
    return [t for t in tokens if t not in LACKS.get(nd.number, set())]


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


@pytest.mark.parametrize('nfdump_version', ALL_NFDUMP_VERSIONS, indirect=True)
@pytest.mark.parametrize('family', list(FAMILIES))
def test_token_family_matches_nfdump(broker, topic, window, nfdump_version,
                                     family):
    tokens = tokens_for(family, nfdump_version)
    if not tokens:
        pytest.skip('nfdump %s prints no token of %s' % (
            nfdump_version.version, family))
    query = "-o 'fmt:%s'" % ','.join('%' + t for t in tokens)
    export_and_compare(broker, topic, window, query, field_names(tokens))


FLOW_TOKENS = 'ts te td pr sa sp da dp pkt byt flg'.split()
AGGR_TOKENS = 'ts td sa pr fl pkt byt bps bpp'.split()
CSV_FAST = ['row', 'address_family', 'first_seen', 'last_seen', 'proto',
            'src_addr', 'src_port', 'dst_addr', 'dst_port', 'src_as', 'dst_as',
            'in_if', 'out_if', 'tcp_flags', 'src_tos', 'packets', 'bytes']

# mode: (query, field names, the first version that has it, versions that
# refuse it)
MODES = {
    'fmt': ("-o 'fmt:%s'" % ','.join('%' + t for t in FLOW_TOKENS),
            field_names(FLOW_TOKENS), (1, 6, 0), ()),
    'fmt-aggregated': ("-A srcip,proto -o 'fmt:%s'" % ','.join(
        '%' + t for t in AGGR_TOKENS), field_names(AGGR_TOKENS), (1, 6, 0),
        ((1, 7, 5),)),
    'csv-tokens': ("-o 'csv:%s'" % ','.join('%' + t for t in FLOW_TOKENS[:-1]
                                            + ['tsr']),
                   field_names(FLOW_TOKENS[:-1] + ['tsr']), (1, 7, 5), ()),
    'csv-tokens-aggregated': ("-A srcip,proto -o 'csv:%s'" % ','.join(
        '%' + t for t in AGGR_TOKENS), field_names(AGGR_TOKENS), (1, 7, 5),
        ((1, 7, 5),)),
    'csv-fast': ('-o csv-fast', CSV_FAST, (1, 7, 5), ()),
}


def version_number(v):
    return tuple(int(x) for x in v.split('-')[0].split('.'))


MODE_CASES = [(m, v) for m in MODES for v in ALL_NFDUMP_VERSIONS
              if version_number(v) >= MODES[m][2]
              and version_number(v) not in MODES[m][3]]


@pytest.mark.parametrize('mode,nfdump_version', MODE_CASES, indirect=[
    'nfdump_version'], ids=['%s-%s' % c for c in MODE_CASES])
def test_output_mode_matches_nfdump(broker, topic, window, nfdump_version,
                                    mode):
    """fmt:, csv:<tokens> and csv-fast, each with and without -A where the
    version has it (-o csv with and without -A: test_once.py)."""
    query, names, _since, _refused = MODES[mode]
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
    # 1.7.5 aggregates only into its own csv columns.
    ("-A srcip -o 'fmt:%ts,%sa'", '1.7.5', ['cannot print aggregated flows',
                                            'use -o csv', '1.7.5']),
    ("-A srcip -o 'csv:%ts,%sa'", '1.7.5', ['cannot print aggregated flows']),
    # 1.6.25 has no geo lookup: nfdump's own words, as it refuses the query.
    ("-A dstgeo -o 'fmt:%ts,%fl'", '1.6.25', [
        'nfdump 1.6.25 refuses the query',
        "Unknown aggregation specifier 'dstgeo'"]),
    ('-o csv-fast', '1.6.25', ['-o csv-fast', 'needs nfdump 1.7.5']),
    ("-o 'fmt:%ts,%nevt'", '1.8.0-beta-5fa3336', [
        '%nevt is gone from nfdump 1.8.0', 'refuses the query']),
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
    assert 'nfdump nfdump: version %s' % nfdump_version.reported in run.stderr, run


DEFAULT_NAMES = ['first_seen', 'dst_ctr', 'duration', 'packets', 'bytes',
                 'pps', 'bps', 'flows']
# nfdump 1.7.5 runs it as -A dstgeo -o csv: its own columns.
DEFAULT_175 = '-A dstgeo -o csv'
DEFAULT_175_NAMES = ['first_seen', 'duration', 'dst_ctr', 'packets', 'bytes',
                     'bps', 'bpp', 'flows']


@pytest.mark.parametrize('nfdump_version', ALL_NFDUMP_VERSIONS, indirect=True)
def test_default_query(broker, topic, window, nfdump_version):
    """The default query (the cron script's per-country aggregation) works
    out of the box with every nfdump that has a geo lookup, 1.7.5 included
    (in its csv form), record by record; 1.6.25, which has none, is refused
    at start in one line with nfdump's own words."""
    base, rel = window
    profile = '%s/%s' % (base, ':'.join(CHANNELS))
    run = run_nfkafka(['--once', rel, '-M', profile, '-b', broker.bootstrap,
                       '-t', topic], timeout=180)
    if nfdump_version.number < (1, 7, 0):
        assert run.returncode == 2, run
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, run
        assert 'nfdump 1.6.25 refuses the query' in lines[0], run
        assert "'dstgeo'" in lines[0], run
        return
    assert run.returncode == 0, run
    if nfdump_version.number == (1, 7, 5):
        query, names = DEFAULT_175, DEFAULT_175_NAMES
        rows = [list(r.values()) for r in nfdump_rows(profile, rel, query)]
    else:
        query, names = QUERY_DEFAULT, DEFAULT_NAMES
        rows = nfdump_rows(profile, rel, query)
    assert rows, 'nfdump printed no rows for %s' % query
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120)
    assert_rows_match([m['value'] for m in msgs], rows, names)


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


@pytest.mark.parametrize('nfdump_version', ['1.6.25', '1.7.5',
                                            '1.8.0-beta-5fa3336'],
                         indirect=True)
def test_live_with_its_own_nfcapd(broker, topic, tmp_path, daemons,
                                  nfdump_version):
    """Live mode with that version's own nfcapd rotating every 2 s (1.6.25's
    takes -l DIR and writes 1.6 files; the 1.8 beta writes its new format):
    every window exported, record by record as that nfdump prints it.
    1.7.1 and 1.7.8: test_live.py."""
    with Collector(tmp_path / 'p', interval=2) as coll:
        before = coll.windows()
        d = daemons(['-M', coll.profile_arg(), '-b', broker.bootstrap,
                     '-t', topic, '-Q', FLOW_QUERY, '--state',
                     tmp_path / 'state'])
        d.wait_log('watching', timeout=60)
        for _ in range(3):
            for ch, n in (('chanA', 120), ('chanB', 80)):
                coll.send(ch, n)
            time.sleep(coll.interval)
        coll.stop()
        wins = new_windows(coll, before)
        wait_exported(d, [stamp_of(w) for w in wins], timeout=180)
    assert len(wins) >= 3
    total = sum(n for _, _, n in logged_windows(d.text()))
    assert total >= 3 * 200 * 0.9
    assert_kafka_matches(broker, topic, coll.profile_arg(), wins, total)
    assert d.stop() == 0
