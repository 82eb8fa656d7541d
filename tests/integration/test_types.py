# SPDX-License-Identifier: BSD-2-Clause
"""Issue 18: one field, one type. Every token family of the man page's table,
with real ICMP (v9's ICMP_TYPE, so nfdump prints "3.1" and "3.10"), IPv6,
aggregated and csv output from nfcapd and nfdump 1.7.1 and 1.7.8, exported
in CBOR and JSON: each field has one type over the whole topic and no null,
and every value equals nfdump's text when read back ("3.10" is 3 * 256 + 10,
never 3.1). The JSON topic is read by ClickHouse's own parser (chdb) into the
tables `--schema clickhouse` prints, with default settings, and the README's
recipe is that printed DDL."""
import datetime
import ipaddress
import json
import os
import re

import pytest

from clickhouse import clickhouse_json, pop_identity
from collector import make_window
from compare import assert_rows_match, one_type_per_field
from conftest import ROOT, consume, run_nfkafka
from nfdump_ref import nfdump_rows

CHANNELS = ('chanA', 'chanB')

# Tokens both releases print, one family after another: times, protocol
# and exporter, addresses, ports and ICMP, networks, AS, interfaces,
# counters, flags and type of service, masks, VLAN and MAC, MPLS, rates,
# geo, observation ids, NSEL/NAT, latencies, the rest. Not %ipl and %opl:
# nfdump 1.7.1 prints a payload dump over several lines.
FLOW_TOKENS = (
    'ts te tr tsr ter trr td tds tfs '
    'pr nfv exp eng lbl '
    'sa da nh nhb ra xsa xda nsa nda gsa gda sap dap xsap xdap nsap ndap '
    'sp dp it ic xsp xdp nsp ndp '
    'sn dn sas das nas pas in out '
    'cnt pkt ipkt opkt byt ibyt obyt fl '
    'flg tos stos dtos dir smk dmk fwd svln dvln ismc odmc idmc osmc '
    'mpls1 mpls10 mpls bps pps bpp sc dc odid opid nfc evt xevt msec '
    'iacl eacl ivrf evrf vrf pbstart pbend pbstep pbsize cl sl al bfd end '
    'nbid uname mpls2 mpls3 mpls4 mpls5 mpls6 mpls7 mpls8 mpls9 gsap gdap '
    'sloc dloc ja3 sni nbnam inam onam ivrfnam evrfnam').split()
# 1.7.2 and later: the rest of the table.
NEWER_TOKENS = ('tsg teg trg idt pfifn pfact pfrea pfdir pfrule isid osid '
                'nats ja4 tls ttl minttl maxttl frag flid sasn dasn stor '
                'dtor').split()
# Gone after 1.7.1.
OLDER_TOKENS = 'nevt sgt'.split()

# -A srcip,dstport,proto: 1.7.8 refuses a token outside the aggregation.
AGG_TOKENS = 'ts te td pr sa dp pkt byt fl bps pps bpp'.split()
BIDIR_TOKENS = 'ts te td pr sa sp da dp it ic pkt byt fl bps pps bpp flg'.split()
CSV_TOKENS = ('ts te td pr sa da sp dp it ic pkt byt fl flg stos ipkt ibyt '
              'in out sas das smk dmk nh ra exp tr').split()


def fmt(tokens):
    return 'fmt:' + ','.join('%' + t for t in tokens)


def queries(version):
    newer = version != '1.7.1'
    flow = FLOW_TOKENS + (NEWER_TOKENS if newer else OLDER_TOKENS)
    q = {
        'flows': "-o '%s'" % fmt(flow),
        'aggregated': "-A srcip,dstport,proto -o '%s'" % fmt(AGG_TOKENS),
        'bidirectional': "-B -o '%s'" % fmt(BIDIR_TOKENS),
        'csv': '-o csv',
    }
    if newer:
        q['csv-tokens'] = "-o 'csv:%s'" % ','.join('%' + t for t in CSV_TOKENS)
    return q


_PROFILES = {}


@pytest.fixture
def profile(tmp_path_factory, nfdump_version):
    """A v9 window with IPv4 and IPv6 flows, ICMP and ICMPv6 among them,
    made by the nfcapd of the nfdump under test."""
    v = nfdump_version.version
    if v not in _PROFILES:
        base = str(tmp_path_factory.mktemp('types-' + v))
        window = make_window(base, CHANNELS, 1500, version=9,
                             ipv6_share=0.3)
        _PROFILES[v] = base, '%s/chanA:chanB' % base, window
    return _PROFILES[v]


def schema_of(args, kind):
    run = run_nfkafka(['--schema', kind] + args)
    assert run.returncode == 0, run
    return run.stdout


def json_schema_types(args):
    """{field: 'time' | 'addr' | 'int' | 'float' | 'text'} from --schema
    json-schema: what a consumer knows before the first message."""
    props = json.loads(schema_of(args, 'json-schema'))['properties']
    out = {}
    for name, p in props.items():
        if 'anyOf' in p:
            out[name] = 'addr'
        elif 'description' in p and 'seconds' in p['description']:
            out[name] = 'time'
        else:
            t = p['type'] if isinstance(p['type'], str) else p['type'][0]
            out[name] = {'integer': 'int', 'number': 'float',
                         'string': 'text'}[t]
    return out


def json_typed(record, types):
    """A JSON record as its schema says: times and addresses typed."""
    out = {}
    for k, v in record.items():
        if v is not None and types[k] == 'time':
            v = datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
        elif v is not None and types[k] == 'addr':
            v = ipaddress.ip_address(v)
        out[k] = v
    return out


def reference(prof, window, query):
    """nfdump's rows, as lists in column order (csv: its header's)."""
    rows = nfdump_rows(prof, window, query)
    return [list(r.values()) if isinstance(r, dict) else r for r in rows]


def export(broker, topic, profile, query, extra):
    base, prof, window = profile
    args = ['-M', prof, '-Q', query] + extra
    run = run_nfkafka(['--once', window, '-b', broker.bootstrap, '-t', topic]
                      + args, timeout=300)
    assert run.returncode == 0, run
    assert 'did not fit' not in run.stderr, run
    return args, reference(prof, window, query)


@pytest.mark.parametrize('encoding', ['cbor', 'json'])
@pytest.mark.parametrize('family', ['flows', 'aggregated', 'bidirectional',
                                    'csv', 'csv-tokens'])
def test_one_type_per_field_equal_to_nfdump(broker, topic, profile,
                                            nfdump_version, family,
                                            encoding):
    q = queries(nfdump_version.version)
    if family not in q:
        pytest.skip('-o csv:%%tokens needs nfdump 1.7.5 or later, not %s'
                    % nfdump_version.version)
    args, rows = export(broker, topic, profile, q[family],
                        ['--format', encoding])
    assert len(rows) > 0
    decode = json.loads if encoding == 'json' else None
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120,
                   decode=decode)
    records = [m['value'] for m in msgs]
    if encoding == 'json' and family not in ('csv',):
        types = json_schema_types(args)
        records = [json_typed(r, types) for r in records]
    elif encoding == 'json':
        # -o csv: the columns come from nfdump's header at run time.
        records = [json_typed(r, {k: 'addr' if k.endswith(('_addr', 'next_hop',
                                                           '_hop'))
                                  else 'time' if k in ('first_seen',
                                                       'last_seen',
                                                       'received')
                                  else 'other' for k in r}) for r in records]
    types = one_type_per_field(records)
    names = list(records[0].keys())
    assert_rows_match(records, rows, names)
    if family in ('flows', 'bidirectional', 'csv', 'csv-tokens'):
        # The window's ICMP: "3.1" and "3.10" both present, and distinct
        # (aggregated by dstport, ICMP's is 0.0).
        ports = {r['dst_port'] for r in records}
        assert {3 * 256 + 1, 3 * 256 + 10} <= ports, sorted(ports)
        assert types['dst_port'] == 'int'
    if family == 'flows':
        assert any(isinstance(r['src_addr'], ipaddress.IPv6Address)
                   for r in records), 'the window has IPv6 flows'
        for f in ('bps', 'pps', 'bpp', 'duration'):
            assert types[f] == 'float', (f, types[f])


def clickhouse_columns(ddl, table):
    m = re.search(r'CREATE TABLE %s \((.*?)\n\) ENGINE = Kafka' % table, ddl,
                  re.S)
    assert m, 'no Kafka-engine table %s in:\n%s' % (table, ddl)
    return [line.strip().rstrip(',').split(None, 1)
            for line in m.group(1).strip().splitlines()]


@pytest.mark.parametrize('nfdump_version', ['1.7.1', '1.7.8'], indirect=True)
@pytest.mark.parametrize('family', ['flows', 'aggregated'])
def test_clickhouse_reads_printed_ddl(broker, topic, profile, nfdump_version,
                                      family, tmp_path):
    """The JSON topic into the columns --schema clickhouse printed, with
    --identity: record for record nfdump's, and each record's window,
    revision and row index there for a ReplacingMergeTree."""
    base, prof, window = profile
    query = queries(nfdump_version.version)[family]
    args, rows = export(broker, topic, profile, query,
                        ['--format', 'json', '--identity', 'yes'])
    ddl = schema_of(args + ['-t', topic, '-b', broker.bootstrap],
                    'clickhouse')
    name = re.sub(r'[^A-Za-z0-9]', '_', topic)
    assert 'ReplacingMergeTree(window_revision)' in ddl
    assert "kafka_topic_list = '%s'" % topic in ddl
    columns = clickhouse_columns(ddl, name + '_queue')
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120,
                   decode=json.loads)
    got = clickhouse_json([m['raw'] for m in msgs], columns, tmp_path)
    identity = ('window_start', 'window_revision', 'window_row')
    assert [n for n, _ in columns][-3:] == list(identity)
    pop_identity(got, len(rows), window)
    names = [n for n, _ in columns][:-3]
    assert_rows_match(got, rows, names)
    # The printed table keeps one copy of a record delivered twice.
    assert replacing_merge_tree_count(ddl, name, columns, tmp_path) == \
        len(rows)


def replacing_merge_tree_count(ddl, name, columns, tmp_path):
    """The messages (tmp_path/messages.json) inserted twice, as an
    at-least-once redelivery brings them, into the table --schema printed;
    the rows SELECT ... FINAL sees."""
    from chdb import session
    m = re.search(r'CREATE TABLE %s AS %s_queue\n\s+ENGINE = (.*?);' % (
        name, name), ddl, re.S)
    assert m, ddl
    s = session.Session(str(tmp_path / 'chdb'))
    try:
        s.query('CREATE TABLE %s (%s) ENGINE = %s' % (
            name, ', '.join('%s %s' % tuple(c) for c in columns), m.group(1)))
        for _ in range(2):
            s.query("INSERT INTO %s SELECT * FROM file('%s', JSONEachRow) "
                    "SETTINGS date_time_input_format = 'basic'" % (
                        name, tmp_path / 'messages.json'))
        return int(str(s.query('SELECT count() FROM %s FINAL' % name,
                               'CSV')).strip())
    finally:
        if hasattr(s, 'close'):
            s.close()


def test_readme_recipe_is_the_printed_ddl():
    """The README's ClickHouse recipe is what --schema clickhouse prints
    for the flow query it names."""
    with open(os.path.join(ROOT, 'README.md')) as f:
        readme = f.read()
    m = re.search(r'-Q "(-o \'fmt:[^\']*\')" --schema clickhouse '
                  r'--format json -t (\S+) -b (\S+)\n```\n\n```sql\n(.*?)```',
                  readme, re.S)
    assert m, 'README: no --schema clickhouse example'
    query, topic, brokers, ddl = m.groups()
    printed = schema_of(['-Q', query, '--format', 'json', '-t', topic,
                         '-b', brokers], 'clickhouse')
    assert printed == ddl
    assert 'dst_port Nullable(UInt16)' in printed


@pytest.mark.parametrize('kind,needle', [
    ('cddl', '"dst_port": uint / null'),
    ('json-schema', '"maximum": 65535'),
    ('clickhouse', 'dst_port Nullable(UInt16)'),
])
def test_schema_printed_without_kafka(kind, needle):
    """--schema needs the query and nfdump only: no broker, no channels."""
    out = schema_of(['--format', 'json', '-Q',
                     "-o 'fmt:%ts,%sa,%dp,%bps'"], kind)
    assert needle in out, out
    if kind == 'json-schema':
        assert json.loads(out)['properties']['bps']['type'] == ['number',
                                                                'null']


@pytest.mark.parametrize('args,message', [
    (['--schema', 'xml'], '--schema xml: expected cddl, json-schema, avro or '
     'clickhouse'),
    (['--schema', 'clickhouse'], 'ClickHouse reads no CBOR; give --format '
     'json'),
    (['--schema', 'cddl', '-Q', '-o csv'], '-o csv names its columns in '
     "nfdump's header"),
    (['--identity', 'maybe', '-M', '/x/y', '-b', 'h:1'],
     '--identity maybe: expected yes or no'),
])
def test_schema_bad_input(args, message):
    run = run_nfkafka(args)
    assert run.returncode != 0
    assert message in run.stderr, run
    assert len(run.stderr.strip().splitlines()) == 1, run


@pytest.mark.parametrize('nfdump_version', ['1.7.8'], indirect=True)
@pytest.mark.parametrize('encoding', ['cbor', 'json'])
def test_value_not_fitting_is_null_logged_once(broker, topic, profile,
                                               nfdump_version, encoding):
    """nfdump 1.7.8 prints "0000-00-00 00:00:00.000" as the event time of a
    flow without one: not a time, so null in every encoding (the field
    keeps its type), counted, and logged once for the window with the
    first such value."""
    base, prof, window = profile
    query = "-o 'fmt:%ts,%tevt,%dp'"
    run = run_nfkafka(['--once', window, '-M', prof, '-b', broker.bootstrap,
                       '-t', topic, '-Q', query, '--format', encoding],
                      timeout=300)
    assert run.returncode == 0, run
    rows = reference(prof, window, query)
    lines = [ln for ln in run.stderr.splitlines() if 'did not fit' in ln]
    assert len(lines) == 1, run
    assert ('%d values did not fit their field\'s type and were sent as '
            'null, first event_time "0000-00-00 00:00:00.000" in record 0'
            % len(rows)) in lines[0], lines[0]
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120,
                   decode=json.loads if encoding == 'json' else None)
    records = [m['value'] for m in msgs]
    assert len(records) == len(rows)
    assert all(r['event_time'] is None for r in records)
    one_type_per_field([{k: v for k, v in r.items() if k != 'event_time'}
                        for r in records])
