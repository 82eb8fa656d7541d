# SPDX-License-Identifier: BSD-2-Clause
"""Issue 18, item 3: --format avro with a real schema registry (Apicurio
Registry, Confluent's API) and a real broker. Consumers fetch each
message's schema by the id in its Confluent framing from the registry and
decode it with fastavro or ClickHouse's AvroConfluent parser (chdb, into
the tables --schema clickhouse prints); every record is compared with
nfdump's own output, for every token family of test_types.py. The registry down at start,
restarted empty mid-run, and refusing an incompatible schema after a
reload: windows wait and are retried, never lost."""
import datetime
import io
import ipaddress
import json
import re
import signal
import socket
import struct
import sys
import time

import fastavro
import pytest

from clickhouse import clickhouse_rows, pop_identity
from collector import make_window
from compare import assert_rows_match, one_type_per_field
from conftest import consume, run_nfkafka
from connect import connect_classpath, file_sink, setup_classpath
from livecheck import FLOW_FIELDS, FLOW_QUERY, stamp_of, wait_exported
from nfdump_ref import nfdump_rows, path_version, prints_in_order
from schema_registry import SchemaRegistry
from test_types import queries, reference

CHANNELS = ('chanA', 'chanB')
AGG_QUERY = "-A dstip -o 'fmt:%ts,%da,%td,%pkt,%byt,%pps,%bps,%fl'"
AGG_FIELDS = ['first_seen', 'dst_addr', 'duration', 'packets', 'bytes',
              'pps', 'bps', 'flows']
if path_version() == (1, 7, 5):
    # Debian 13's nfdump aggregates into no -o fmt: (nfkafka refuses the
    # query at start, and the reference cannot run it either); the Avro
    # checks need the same fields and types, here one row per flow.
    AGG_QUERY = "-o 'fmt:%ts,%da,%td,%pkt,%byt,%pps,%bps,%fl'"


@pytest.fixture(scope='module')
def profile(tmp_path_factory):
    """Real windows: v5 IPv4 and v9 with IPv6."""
    base = str(tmp_path_factory.mktemp('profile'))
    windows = {
        'v5': make_window(base, CHANNELS, {'chanA': 300, 'chanB': 200}),
        'v9': make_window(base, CHANNELS, 800, version=9, ipv6_share=0.3),
    }
    return base, '%s/chanA:chanB' % base, windows


@pytest.fixture(scope='module')
def registry(tmp_path_factory):
    """The shared registry: tests that only register and read use it."""
    r = SchemaRegistry(tmp_path_factory.mktemp('registry'))
    r.start()
    yield r
    r.stop()


@pytest.fixture
def own_registry(tmp_path):
    """A registry of this test's own, for stopping and restarting."""
    made = []

    def make(**kw):
        r = SchemaRegistry(tmp_path / ('registry%d' % len(made)), **kw)
        made.append(r)
        return r
    yield make
    for r in made:
        r.stop()


class Decoder:
    """Confluent's wire format read as its deserializers do: magic byte 0,
    the schema id big-endian, the schema fetched from the registry by id
    (GET /schemas/ids/ID) and cached, then the datum. A batched message
    (--batch) is framed records one after the other."""

    def __init__(self, registry):
        self.registry = registry
        self.schemas = {}
        self.ids = []

    def items(self, raw):
        fp = io.BytesIO(raw)
        out = []
        while fp.tell() < len(raw):
            magic, sid = struct.unpack('>bI', fp.read(5))
            assert magic == 0, 'not Confluent framing: %r' % raw[:8]
            if sid not in self.schemas:
                self.schemas[sid] = fastavro.parse_schema(self.registry.schema(sid))
            self.ids.append(sid)
            out.append(fastavro.schemaless_reader(fp, self.schemas[sid]))
        return out


def typed(record):
    """Avro's addresses are 16 bytes, IPv4 mapped: addresses to compare."""
    out = {}
    for k, v in record.items():
        # Only the ip6 fixed decodes to bytes: strings are str.
        if isinstance(v, bytes):
            assert len(v) == 16, (k, v)
            a = ipaddress.IPv6Address(v)
            v = a.ipv4_mapped or a
        out[k] = v
    return out


def avro_records(bootstrap, topic, registry, expect=None, timeout=120,
                 isolation='read_uncommitted'):
    """(records in offset order, the decoder) of an Avro topic."""
    dec = Decoder(registry)
    msgs = consume(bootstrap, topic, expect=expect, timeout=timeout,
                   isolation=isolation, decode=lambda raw: raw)
    msgs.sort(key=lambda m: (m['partition'], m['offset']))
    records = []
    for m in msgs:
        records.extend(dec.items(m['value']))
    return records, dec


def export(broker, registry, topic, profile, window, query, extra=()):
    base, prof, windows = profile
    run = run_nfkafka(['--once', windows[window], '-M', prof, '-b',
                       broker.bootstrap, '-t', topic, '-Q', query,
                       '--format', 'avro', '--schema-registry', registry.url]
                      + list(extra), timeout=180)
    assert run.returncode == 0, run
    return nfdump_rows(prof, windows[window], query), run


@pytest.mark.parametrize('query,fields,window', [
    (AGG_QUERY, AGG_FIELDS, 'v5'), (FLOW_QUERY, FLOW_FIELDS, 'v9')])
def test_avro_matches_nfdump(broker, registry, topic, profile, query, fields,
                             window):
    rows, _ = export(broker, registry, topic, profile, window, query)
    assert len(rows) > 0
    records, dec = avro_records(broker.bootstrap, topic, registry,
                                expect=len(rows))
    assert_rows_match([typed(r) for r in records], rows, fields)
    # One schema, registered under the topic's subject, names every field.
    assert len(set(dec.ids)) == 1
    sid = dec.ids[0]
    versions = registry.versions(topic + '-value')
    assert len(versions) == 1
    latest = registry.get('/subjects/%s-value/versions/latest' % topic)
    assert latest['id'] == sid
    schema = registry.schema(sid)
    assert [f['name'] for f in schema['fields']] == fields
    types = {f['name']: f['type'] for f in schema['fields']}
    assert types['packets'] == ['null', 'long']
    assert types['first_seen'][1]['logicalType'] == 'timestamp-millis'
    assert types['duration'] == ['null', 'double']
    # Typed values, the same type in every record.
    for r in records:
        assert isinstance(r['packets'], int)
        assert isinstance(r['first_seen'], datetime.datetime)
        assert isinstance(r['duration'], float)
    if window == 'v9':
        assert any(typed(r)['src_addr'].version == 6
                   for r in records), 'the v9 window has IPv6 flows'


def test_avro_strings_values(broker, registry, topic, profile):
    """--values strings: a schema of strings, every value nfdump's text."""
    rows, _ = export(broker, registry, topic, profile, 'v5', AGG_QUERY,
                     ['--values', 'strings'])
    records, dec = avro_records(broker.bootstrap, topic, registry,
                                expect=len(rows))
    got = [list(r.values()) for r in records]
    if prints_in_order():
        assert got == rows
    else:   # 1.7.5 and later print rows in an order that varies by run
        assert sorted(got) == sorted(rows)
    schema = registry.schema(dec.ids[0])
    assert all(f['type'] == 'string' for f in schema['fields'])


def printed_ddl(broker, registry, topic, prof, query, extra=()):
    """The Kafka-engine table's columns and registry setting that
    nfkafka --schema clickhouse prints for this export: the DDL users copy."""
    run = run_nfkafka(['--schema', 'clickhouse', '--format', 'avro',
                       '--schema-registry', registry.url, '-M', prof,
                       '-b', broker.bootstrap, '-t', topic, '-Q', query]
                      + list(extra))
    assert run.returncode == 0, run
    m = re.search(r'CREATE TABLE \w+_queue \((.*?)\n\) ENGINE = Kafka SETTINGS'
                  r'(.*?);', run.stdout, re.S)
    assert m, run.stdout
    columns = [line.strip().rstrip(',').split(None, 1)
               for line in m.group(1).strip().splitlines()]
    url = re.search(r"format_avro_schema_registry_url = '([^']*)'", m.group(2))
    assert "kafka_format = 'AvroConfluent'" in m.group(2)
    return columns, url.group(1)


def clickhouse_avro(values, url, columns, tmp_path):
    """Rows as ClickHouse's own AvroConfluent parser reads the messages into
    the printed table's columns, fetching their schema from the running
    registry, with default settings otherwise."""
    path = tmp_path / 'messages.avro'
    path.write_bytes(b''.join(values))
    return clickhouse_rows(path, 'AvroConfluent', columns,
                           "format_avro_schema_registry_url = '%s'" % url)


@pytest.mark.parametrize('query,fields,window', [
    (AGG_QUERY, AGG_FIELDS, 'v5'), (FLOW_QUERY, FLOW_FIELDS, 'v9')])
@pytest.mark.parametrize('identity', ['no', 'yes'])
def test_avro_in_clickhouse(broker, registry, topic, profile, tmp_path, query,
                            fields, window, identity):
    """With --identity yes each record also says its window, revision and
    row, for the ReplacingMergeTree the DDL then has."""
    extra = ['--identity', identity]
    rows, _ = export(broker, registry, topic, profile, window, query, extra)
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=120,
                   decode=lambda raw: raw)
    msgs.sort(key=lambda m: (m['partition'], m['offset']))
    columns, url = printed_ddl(broker, registry, topic, profile[1], query,
                               extra)
    ids = ['window_start', 'window_revision', 'window_row']
    assert [n for n, _ in columns] == fields + (ids if identity == 'yes' else [])
    assert url == registry.url
    got = clickhouse_avro([m['value'] for m in msgs], url, columns, tmp_path)
    if identity == 'yes':
        pop_identity(got, len(rows), profile[2][window])
    assert_rows_match(got, rows, fields)


@pytest.mark.parametrize('transactional', [False, True])
def test_avro_batch_summary_exactly_once(broker, registry, topic, profile,
                                         transactional, tmp_path):
    extra = ['--batch', '50', '--summary-topic', topic + '-summary']
    if transactional:
        extra += ['--transactional-id', 'avro-' + topic]
    rows, _ = export(broker, registry, topic, profile, 'v9', FLOW_QUERY, extra)
    iso = 'read_committed' if transactional else 'read_uncommitted'
    records, dec = avro_records(broker.bootstrap, topic, registry,
                                isolation=iso)
    assert_rows_match([typed(r) for r in records], rows, FLOW_FIELDS)
    assert len(dec.ids) == len(rows)
    sums, sdec = avro_records(broker.bootstrap, topic + '-summary', registry,
                              expect=1, isolation=iso)
    assert len(sums) == 1
    s = sums[0]
    assert s['records'] == len(rows)
    assert s['topic'] == topic
    assert s['channels'] == list(CHANNELS)
    assert sum(p['records'] for p in s['partitions']) == len(rows)
    assert s['window_end'] - s['window_start'] == datetime.timedelta(minutes=5)
    # The summary's own subject and schema.
    assert registry.versions(topic + '-summary-value') == [1]
    assert registry.schema(sdec.ids[0])['name'] == 'summary'
    assert sdec.ids[0] != dec.ids[0]


_TYPES_PROFILES = {}


@pytest.fixture
def types_profile(tmp_path_factory, nfdump_version):
    """test_types.py's window: v9, IPv4 and IPv6, ICMP and ICMPv6, made by
    the nfcapd of the nfdump under test."""
    v = nfdump_version.version
    if v not in _TYPES_PROFILES:
        base = str(tmp_path_factory.mktemp('avro-types-' + v))
        window = make_window(base, CHANNELS, 1500, version=9, ipv6_share=0.3)
        _TYPES_PROFILES[v] = base, '%s/chanA:chanB' % base, window
    return _TYPES_PROFILES[v]


@pytest.mark.parametrize('family', ['flows', 'aggregated', 'bidirectional',
                                    'csv', 'csv-tokens'])
def test_avro_every_token_family(broker, registry, topic, types_profile,
                                 nfdump_version, family):
    """test_types.py's token families in Avro: one type per field over the
    topic and no null, every value nfdump's (ICMP's 3.10 as 3 * 256 + 10),
    and the registered schema the one --schema avro prints."""
    q = queries(nfdump_version.version)
    if family not in q:
        pytest.skip('-o csv:%%tokens needs nfdump 1.7.5 or later, not %s'
                    % nfdump_version.version)
    _, prof, window = types_profile
    run = run_nfkafka(['--once', window, '-M', prof, '-b', broker.bootstrap,
                       '-t', topic, '-Q', q[family], '--format', 'avro',
                       '--schema-registry', registry.url], timeout=300)
    assert run.returncode == 0, run
    assert 'did not fit' not in run.stderr, run
    rows = reference(prof, window, q[family])
    assert len(rows) > 0
    records, dec = avro_records(broker.bootstrap, topic, registry,
                                expect=len(rows))
    records = [typed(r) for r in records]
    types = one_type_per_field(records)
    names = list(records[0].keys())
    assert_rows_match(records, rows, names)
    if family != 'aggregated':
        ports = {r['dst_port'] for r in records}
        assert {3 * 256 + 1, 3 * 256 + 10} <= ports, sorted(ports)
        assert types['dst_port'] == 'int'
    if family == 'flows':
        for f in ('bps', 'pps', 'bpp', 'duration'):
            assert types[f] == 'float', (f, types[f])
        printed = run_nfkafka(['--schema', 'avro', '--format', 'avro', '-Q',
                               q[family]])
        assert printed.returncode == 0, printed
        assert json.loads(printed.stdout) == registry.schema(dec.ids[0])


def live(daemons, prof, rel, broker, topic, reg_url, tmp_path, *extra):
    return daemons(['-M', prof, '-b', broker.bootstrap, '-t', topic, '-Q',
                    FLOW_QUERY, '--since', stamp_of(rel), '--state',
                    tmp_path / 'state', '--backoff-min', '0.2', '--backoff-max',
                    '2', '--format', 'avro', '--schema-registry', reg_url]
                   + list(extra))


def test_registry_down_at_start(broker, own_registry, topic, tmp_path,
                                daemons):
    base = str(tmp_path / 'p')
    rel = make_window(base, CHANNELS, 300)
    prof = '%s/chanA:chanB' % base
    reg = own_registry()
    d = live(daemons, prof, rel, broker, topic, reg.url, tmp_path)
    # A clear error naming the registry and the subject, and retries.
    d.wait_log('retrying the window', timeout=120)
    text = d.text()
    assert 'schema registry %s' % reg.url in text
    assert '(subject %s-value)' % topic in text
    assert 'records,' not in text
    reg.start()
    wait_exported(d, [stamp_of(rel)], timeout=180)
    rows = nfdump_rows(prof, rel, FLOW_QUERY)
    records, _ = avro_records(broker.bootstrap, topic, reg, expect=len(rows))
    assert_rows_match([typed(r) for r in records], rows, FLOW_FIELDS)
    assert d.stop() == 0


def test_registry_restarted_empty_mid_run(broker, own_registry, topic,
                                          tmp_path, daemons):
    """In-memory storage: the restarted registry has forgotten the schema;
    the next window registers it again, so its messages decode."""
    base = str(tmp_path / 'p')
    rel1 = make_window(base, CHANNELS, 200)
    prof = '%s/chanA:chanB' % base
    reg = own_registry()
    reg.start()
    d = live(daemons, prof, rel1, broker, topic, reg.url, tmp_path)
    wait_exported(d, [stamp_of(rel1)], timeout=180)
    reg.stop()
    reg.start()
    assert reg.versions(topic + '-value') == []
    rel2 = make_window(base, CHANNELS, 250, seed=7)
    wait_exported(d, [stamp_of(rel2)], timeout=180)
    rows2 = nfdump_rows(prof, rel2, FLOW_QUERY)
    msgs = consume(broker.bootstrap, topic, timeout=120, decode=lambda raw: raw)
    msgs.sort(key=lambda m: m['offset'])
    dec = Decoder(reg)
    second = [r for m in msgs[-len(rows2):] for r in dec.items(m['value'])]
    assert_rows_match([typed(r) for r in second], rows2, FLOW_FIELDS)
    assert reg.versions(topic + '-value') == [1]
    assert d.stop() == 0


def test_incompatible_schema_on_reload(broker, own_registry, topic, tmp_path,
                                       daemons):
    """A reload whose query the registry's compatibility rule refuses: the
    window waits with a clear error and is retried; a reload back to a
    compatible query lets it through, nothing lost."""
    base = str(tmp_path / 'p')
    rel1 = make_window(base, CHANNELS, 200)
    prof = '%s/chanA:chanB' % base
    reg = own_registry()
    reg.start()
    conf = tmp_path / 'nfkafka.conf'
    conf.write_text("query = %s\n" % FLOW_QUERY)
    d = daemons(['-c', conf, '-M', prof, '-b', broker.bootstrap, '-t', topic,
                 '--since', stamp_of(rel1), '--state', tmp_path / 'state',
                 '--backoff-min', '0.2', '--backoff-max', '2', '--format',
                 'avro', '--schema-registry', reg.url])
    wait_exported(d, [stamp_of(rel1)], timeout=180)
    reg.put('/config/%s-value' % topic, {'compatibility': 'FULL'})
    # A new field without a default: neither backward nor forward compatible.
    conf.write_text("query = -o 'fmt:%ts,%sa,%da,%pkt'\nvalues = strings\n")
    d.send(signal.SIGHUP)
    d.wait_log('configuration reloaded', timeout=60)
    rel2 = make_window(base, CHANNELS, 150, seed=3)
    d.wait_log('retrying the window', timeout=120)
    text = d.text()
    assert 'schema registry %s: HTTP 409' % reg.url in text, text
    assert 'the registry refuses this schema: reload the previous query' in text
    assert 'records,' not in text.split('configuration reloaded')[1]
    conf.write_text("query = %s\n" % FLOW_QUERY)
    d.send(signal.SIGHUP)
    wait_exported(d, [stamp_of(rel2)], timeout=180)
    rows2 = nfdump_rows(prof, rel2, FLOW_QUERY)
    records, _ = avro_records(broker.bootstrap, topic, reg)
    assert_rows_match([typed(r) for r in records[-len(rows2):]], rows2,
                      FLOW_FIELDS)
    assert reg.versions(topic + '-value') == [1]
    assert d.stop() == 0


def test_registry_password_never_logged(broker, registry, topic, profile,
                                        monkeypatch):
    monkeypatch.setenv('NFKAFKA_TEST_REGISTRY_AUTH', 'reader:hunter2secret')
    url = registry.url.replace('http://', 'http://me:urlsecret@')
    base, prof, windows = profile
    run = run_nfkafka(['--once', windows['v5'], '-M', prof, '-b',
                       broker.bootstrap, '-t', topic, '-Q', AGG_QUERY, '-v',
                       '--format', 'avro', '--schema-registry', url,
                       '--schema-registry-auth',
                       '${env:NFKAFKA_TEST_REGISTRY_AUTH}'], timeout=180)
    # Apicurio without authentication takes any credentials.
    assert run.returncode == 0, run
    assert 'hunter2secret' not in run.stderr
    assert 'urlsecret' not in run.stderr


@pytest.mark.parametrize('args,message', [
    (['--format', 'avro'], '--format avro: give --schema-registry URL'),
    (['--format', 'avro', '--schema-registry', 'ftp://x'],
     '--schema-registry: expected an http:// or https:// URL'),
    (['--format', 'avro', '--schema-registry', 'http://127.0.0.1:1',
      '--schema-registry-auth', '${env:NFKAFKA_TEST_UNSET_VAR}'],
     '--schema-registry-auth: environment variable NFKAFKA_TEST_UNSET_VAR is not set'),
])
def test_avro_bad_options(tmp_path, args, message):
    (tmp_path / 'chanA').mkdir()
    run = run_nfkafka(['--once', 'nfcapd.202611271055', '-M',
                       '%s/chanA' % tmp_path, '-b', '127.0.0.1:1'] + args)
    assert run.returncode != 0
    assert message in run.stderr, run
    assert len(run.stderr.strip().splitlines()) == 1, run


def test_check_config_registers_and_checks_schema(broker, own_registry, topic,
                                                  profile):
    """--check-config's dry run meets the registry as an export would: it
    registers the records' schema (the same schema again is a no-op), and a
    registry that is down is the check's clear failure."""
    base, prof, windows = profile
    reg = own_registry()
    args = ['--check-config', '-M', prof, '-b', broker.bootstrap, '-t', topic,
            '-Q', FLOW_QUERY, '--format', 'avro', '--schema-registry', reg.url]
    run = run_nfkafka(args)
    assert run.returncode == 2, run
    assert 'schema registry %s: ' % reg.url in run.stderr, run
    assert '(subject %s-value)' % topic in run.stderr, run
    assert len(run.stderr.strip().splitlines()) == 1, run
    reg.start()
    run = run_nfkafka(args)
    assert run.returncode == 0, run
    assert 'configuration OK' in run.stdout, run
    assert reg.versions(topic + '-value') == [1]


def test_stop_while_registry_never_answers(broker, topic, tmp_path, daemons):
    """A registry that takes connections and never answers: the window
    waits on a pool thread, the loop stays free, and SIGTERM stops nfkafka
    cleanly: the window has --flush-timeout to finish, then the request is
    cancelled, not waited for."""
    silent = socket.socket()
    silent.bind(('127.0.0.1', 0))
    silent.listen(16)
    try:
        base = str(tmp_path / 'p')
        rel = make_window(base, CHANNELS, 100)
        prof = '%s/chanA:chanB' % base
        url = 'http://127.0.0.1:%d/apis/ccompat/v7' % silent.getsockname()[1]
        d = live(daemons, prof, rel, broker, topic, url, tmp_path,
                 '--flush-timeout', '1')
        d.wait_log('to export first', timeout=120)
        # The request is in flight once the registry has the connection.
        silent.settimeout(60)
        conn, _ = silent.accept()
        t0 = time.monotonic()
        assert d.stop(timeout=40) == 0
        took = time.monotonic() - t0
        conn.close()
        assert 'records,' not in d.text()
        assert 'window %s not done after 1 s' % stamp_of(rel) in d.text()
        # Far below the request's 15 s limit: it was cancelled.
        assert took < 12, took
    finally:
        silent.close()


def test_registry_basic_auth_from_file(broker, topic, profile, tmp_path):
    """--schema-registry-auth ${file:PATH} reaches the registry as HTTP
    basic authentication, on each request, and nowhere in the log. The
    registry here is a stand-in that records what it is sent (Apicurio
    without authentication would take anything)."""
    import base64
    import http.server
    import threading

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers['Content-Length']))
            seen.append((self.path, self.headers.get('Authorization'),
                         self.headers.get('Content-Type'), json.loads(body)))
            out = b'{"id":77}'
            self.send_response(200)
            self.send_header('Content-Type', 'application/vnd.schemaregistry.v1+json')
            self.send_header('Content-Length', str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        secret = tmp_path / 'registry-auth'
        secret.write_text('nfkafka:s3cr3t-in-a-file\n')
        base, prof, windows = profile
        run = run_nfkafka(['--once', windows['v5'], '-M', prof, '-b',
                           broker.bootstrap, '-t', topic, '-Q', AGG_QUERY,
                           '-v', '--format', 'avro', '--schema-registry',
                           'http://127.0.0.1:%d/' % srv.server_address[1],
                           '--schema-registry-auth', '${file:%s}' % secret],
                          timeout=180)
    finally:
        srv.shutdown()
    assert run.returncode == 0, run
    assert 's3cr3t' not in run.stderr
    want = 'Basic ' + base64.b64encode(b'nfkafka:s3cr3t-in-a-file').decode()
    assert seen, 'no request reached the registry'
    for path, auth, ctype, body in seen:
        assert path == '/subjects/%s-value/versions' % topic
        assert auth == want
        assert ctype == 'application/vnd.schemaregistry.v1+json'
        assert json.loads(body['schema'])['name'] == 'flow'
    msgs = consume(broker.bootstrap, topic, timeout=60, decode=lambda raw: raw)
    assert msgs and all(m['value'][:5] == b'\x00\x00\x00\x00\x4d' for m in msgs)


def test_kafka_connect_avro_converter(broker, registry, topic, profile,
                                      tmp_path):
    """Kafka Connect with an Avro converter (Apicurio's, from Maven Central,
    reading Confluent's framing by the registry's id) turns every message
    into a Connect struct of the schema's fields; a file sink writes them."""
    cp = connect_classpath() + ':' + setup_classpath(
        'registry.sh', 'converter', "Apicurio's converter jars")
    rows, _ = export(broker, registry, topic, profile, 'v9', FLOW_QUERY)
    native = registry.url.replace('/apis/ccompat/v7', '/apis/registry/v2')
    converters = [
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=io.apicurio.registry.utils.converter.AvroConverter',
        'value.converter.apicurio.registry.url=%s' % native,
        # Confluent's framing: a 4-byte id, the one the ccompat API gave.
        'value.converter.apicurio.registry.as-confluent=true',
        'value.converter.apicurio.registry.use-id=contentId',
        'value.converter.apicurio.registry.headers.enabled=false']
    with file_sink(tmp_path, cp, broker.bootstrap, topic,
                   'nfkafka-avro-sink-%s' % topic, converters) as sink:
        lines, text = sink.wait(len(rows))
        sys.stderr.write('--- first of %d sink lines\n%s\n' % (
            len(lines), lines[0] if lines else ''))
        assert sink.java.poll() is None, 'Connect exited %s' % sink.java.returncode
        assert 'DataException' not in text and 'Task is being killed' not in text
        assert len(lines) == len(rows)
        # Struct{first_seen=...,packets=970,bytes=686760,...}, in order.
        got = [(re.search(r'packets=(\d+)', ln).group(1),
                re.search(r'bytes=(\d+)', ln).group(1)) for ln in lines]
        assert got == [(r[8], r[9]) for r in rows]
        assert all(ln.startswith('Struct{first_seen=') for ln in lines)
