# SPDX-License-Identifier: BSD-2-Clause
"""Issue 5: what an operator touches, through the real binary: the config
file (precedence, bad lines, secrets), SIGHUP reload while windows flow, the
metrics endpoint scraped during export, --check-config, and make install.

Exit statuses (nfkafka(8)): 0 ok, 1 export failed, 2 usage or configuration.
"""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from collector import Collector, make_window
from compare import assert_rows_match
from conftest import (ROOT, VALGRIND, consume, free_port, nfkafka_argv,
                      records_by_window)
from livecheck import (FLOW_FIELDS, FLOW_QUERY, logged_windows, new_windows,
                       stamp_of, state_floor, wait_exported)
from nfdump_ref import nfdump_rows, path_version
from wait import wait_until

CHANNELS = ('chanA', 'chanB')
AGG_QUERY = "-A proto -o 'fmt:%pr,%fl,%pkt,%byt'"
AGG_FIELDS = ['proto', 'flows', 'packets', 'bytes']
if path_version() == (1, 7, 5):
    # 1.7.5 aggregates into no -o fmt: (nfkafka refuses it at start); the
    # subject here is the configuration, not the aggregation.
    AGG_QUERY = "-o 'fmt:%pr,%sp,%pkt,%byt'"
    AGG_FIELDS = ['proto', 'src_port', 'packets', 'bytes']
FLOWS = {'chanA': 120, 'chanB': 80}
SLOW = 10 if VALGRIND else 1   # valgrind needs longer timeouts
QUICK = 30 * SLOW   # seconds for a run that fails at once or exports one window
RELOADED = 'SIGHUP: configuration reloaded'


def run(args, env=None, timeout=QUICK):
    """nfkafka to completion; stdout and stderr kept apart."""
    p = subprocess.run(nfkafka_argv(args), capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, **(env or {})))
    sys.stderr.write('--- nfkafka %s\nrc %d\nstdout:\n%sstderr:\n%s' % (
        ' '.join(map(str, args)), p.returncode, p.stdout, p.stderr))
    return p


def write_conf(path, *lines):
    """A config file of exactly these lines; returns its path as a string."""
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return str(path)


@pytest.fixture(scope='module')
def window(tmp_path_factory):
    """One real window (300 + 200 flows): (profile argument, relative name)."""
    base = str(tmp_path_factory.mktemp('operator'))
    rel = make_window(base, CHANNELS, {'chanA': 300, 'chanB': 200})
    return '%s/%s' % (base, ':'.join(CHANNELS)), rel


@pytest.fixture
def closed_port():
    """A port that refuses connections, held for the test."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        yield s.getsockname()[1]


def nothing_in(broker, topic):
    """Messages in topic (none expected); waits a few seconds for strays."""
    return consume(broker.bootstrap, topic, timeout=4)


# --- config file ---------------------------------------------------------------

def test_config_file_drives_an_export(broker, topic, window, tmp_path):
    """profile, brokers, topic, query and [kafka] properties all from the
    file; ${env:} and ${file:} values resolved (linger.ms and
    batch.num.messages would be refused as the literal text)."""
    profile, rel = window
    secret = tmp_path / 'password'
    secret.write_text('s3cret-from-file\n')
    count = tmp_path / 'batch'
    count.write_text('500\n')
    conf = write_conf(
        tmp_path / 'nfkafka.conf',
        '# nfkafka test configuration',
        'profile = ' + profile,
        'brokers = ' + broker.bootstrap,
        'topic = ' + topic,
        'query = ' + AGG_QUERY,
        '',
        '[kafka]',
        'security.protocol = plaintext',
        'linger.ms = ${env:NFK_TEST_LINGER}',
        'batch.num.messages = ${file:%s}' % count,
        'sasl.username = ${env:NFK_TEST_USER}',
        'sasl.password = ${file:%s}' % secret)
    p = run(['-c', conf, '--once', rel],
            env={'NFK_TEST_LINGER': '5', 'NFK_TEST_USER': 'operator'})
    assert p.returncode == 0, p.stderr
    rows = nfdump_rows(profile, rel, AGG_QUERY)
    msgs = consume(broker.bootstrap, topic, expect=len(rows))
    assert_rows_match([m['value'] for m in msgs], rows, AGG_FIELDS)
    assert 's3cret-from-file' not in p.stderr + p.stdout


def test_command_line_overrides_the_file(broker, topic, window, tmp_path):
    """-t, -Q and -X win over topic, query and [kafka] of the file; the
    file's own message.timeout.ms (below linger.ms) is refused without -X."""
    profile, rel = window
    file_topic = topic + '-file'
    conf = write_conf(
        tmp_path / 'nfkafka.conf',
        'profile = ' + profile,
        'brokers = ' + broker.bootstrap,
        'topic = ' + file_topic,
        'query = ' + AGG_QUERY,
        '[kafka]',
        'linger.ms = 50',
        'message.timeout.ms = 10')
    p = run(['-c', conf, '--once', rel])
    assert p.returncode == 2, p.stderr
    assert 'message.timeout.ms' in p.stderr
    p = run(['-c', conf, '--once', rel, '-t', topic, '-Q', FLOW_QUERY,
             '-X', 'message.timeout.ms=30000'])
    assert p.returncode == 0, p.stderr
    rows = nfdump_rows(profile, rel, FLOW_QUERY)
    msgs = consume(broker.bootstrap, topic, expect=len(rows))
    assert_rows_match([m['value'] for m in msgs], rows, FLOW_FIELDS)
    assert nothing_in(broker, file_topic) == []


# (lines after two good ones, the bad line's number, the key, words of the why)
BAD_LINES = {
    'unknown-key': (['bogus = 1'], 3, 'bogus', 'unknown key'),
    'bad-value': (['grace = x'], 3, 'grace', 'expected a number'),
    'unknown-section': (['[foo]', 'bar = 1'], 4, 'bar', '[foo]'),
    'no-equals': (['# fine', 'grace 60'], 4, None, 'key = value'),
    'refused-once': (['once = nfcapd.202611271200'], 3, 'once',
                     'command-line'),
    'refused-help': (['help = yes'], 3, 'help', 'command-line'),
    'kafka-unknown': (['[kafka]', 'linger.ms = 5', 'no.such.property = 1'],
                      5, 'no.such.property', 'No such configuration property'),
    'kafka-bad-value': (['[kafka]', 'linger.ms = soon'], 4, 'linger.ms',
                        'linger.ms'),
    'long-line': (['query = -o csv ' + ' or '.join(
        'dst port %d' % p for p in range(1000, 1040))], 3, 'query', 'long'),
}


@pytest.mark.parametrize('case', sorted(BAD_LINES))
def test_bad_config_line(window, tmp_path, case):
    lines, lineno, key, why = BAD_LINES[case]
    profile, _rel = window
    conf = write_conf(tmp_path / 'bad.conf', 'profile = ' + profile,
                      'brokers = 127.0.0.1:9', *lines)
    p = run(['-c', conf, '--check-config'])
    assert p.returncode == 2, p.stderr
    err = p.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith('nfkafka: %s:%d: ' % (conf, lineno)), err
    if key is not None:
        assert 'key %s:' % key in err, err
    assert why in err, err
    if case.startswith('refused'):
        assert 'unknown' not in err, err


def test_missing_config_file(tmp_path):
    missing = str(tmp_path / 'nowhere.conf')
    p = run(['-c', missing, '-M', str(tmp_path) + '/chanA', '-b', '127.0.0.1:9'])
    assert p.returncode == 2
    assert missing in p.stderr and 'No such file' in p.stderr, p.stderr


def test_missing_secret_names_the_variable(window, tmp_path):
    profile, _rel = window
    conf = write_conf(tmp_path / 'nfkafka.conf', 'profile = ' + profile,
                      'brokers = 127.0.0.1:9', '[kafka]',
                      'sasl.password = ${env:NFK_TEST_NOT_SET}')
    p = run(['-c', conf, '--check-config'], env={'NFK_TEST_NOT_SET': ''})
    # An empty variable is set; only an unset one is an error.
    assert p.returncode == 0, p.stderr
    env = dict(os.environ)
    env.pop('NFK_TEST_NOT_SET', None)
    p = subprocess.run(nfkafka_argv(['-c', conf, '--check-config']),
                       capture_output=True, text=True, timeout=QUICK, env=env)
    assert p.returncode == 2, p.stderr
    assert '%s:4: key sasl.password:' % conf in p.stderr, p.stderr
    assert 'NFK_TEST_NOT_SET is not set' in p.stderr, p.stderr


SECRET = 'Hunter2-9f3a1c'
OAUTH = ['-X', 'security.protocol=sasl_plaintext',
         '-X', 'sasl.mechanism=OAUTHBEARER',
         '-X', 'enable.sasl.oauthbearer.unsecure.jwt=true']
SECRET_CASES = {
    # librdkafka refuses the key itself when the producer is created.
    'ssl-key-pem': (['-X', 'security.protocol=ssl',
                     '-X', 'ssl.key.pem=' + SECRET], 2, 'ssl.key.pem'),
    # A property name that looks secret is masked even when unknown.
    'unknown-password': (['-X', 'my.password=' + SECRET], 2, 'my.password'),
    # librdkafka's token parser quotes the rest of the value it rejects.
    'oauthbearer-config': (OAUTH + ['-X', 'sasl.oauthbearer.config=principal=a '
                                    + SECRET], 1, 'sasl.oauthbearer.config'),
    'oauthbearer-from-env': (OAUTH + ['-X', 'sasl.oauthbearer.config='
                                      '${env:NFK_TEST_OAUTH}'], 1,
                             'sasl.oauthbearer.config'),
}


@pytest.mark.parametrize('case', sorted(SECRET_CASES))
def test_invalid_secret_never_logged(window, closed_port, case):
    """The value of a password, key or token property appears in no error
    and no log line, whoever (nfkafka or librdkafka) reports the problem."""
    profile, rel = window
    extra, rc, name = SECRET_CASES[case]
    p = run(['--once', rel, '-M', profile, '-b', '127.0.0.1:%d' % closed_port,
             '-X', 'message.timeout.ms=1500', '--flush-timeout', '1'] + extra,
            env={'NFK_TEST_OAUTH': 'principal=a ' + SECRET})
    assert p.returncode == rc, p.stderr
    assert name in p.stderr, p.stderr     # the operator learns which one
    assert SECRET not in p.stderr + p.stdout
    assert SECRET[:6] not in p.stderr + p.stdout


# --- SIGHUP --------------------------------------------------------------------

def feed(coll, rounds):
    for _ in range(rounds):
        for ch, n in FLOWS.items():
            coll.send(ch, n)
        time.sleep(coll.interval)


def live_conf(path, coll, broker, topic, state, query, *more):
    return write_conf(path, 'profile = ' + coll.profile_arg(),
                      'brokers = ' + broker.bootstrap, 'topic = ' + topic,
                      'query = ' + query, 'state = %s' % state, *more)


def wait_windows(d, count, timeout=30, records=-1):
    """Wait for count exported windows of more than `records` records."""
    wait_until(lambda: len([n for _, _, n in logged_windows(d.text())
                            if n > records]) >= count, timeout * SLOW, d.text,
               interval=0.1)


def test_sighup_reload_while_windows_flow(broker, topic, tmp_path, daemons):
    """Query and log level change on SIGHUP from the next window on; no
    window is lost or exported twice across the reload."""
    conf = tmp_path / 'nfkafka.conf'
    state = tmp_path / 'state'
    kafka = ('[kafka]', 'debug = msg')   # librdkafka debug lines, per batch
    with Collector(tmp_path / 'p', interval=2) as coll:
        live_conf(conf, coll, broker, topic, state, FLOW_QUERY,
                  'log-level = info', *kafka)
        before = coll.windows()
        d = daemons(['-c', conf])
        d.wait_log('watching')
        feed(coll, 2)
        wait_windows(d, 1, records=10)   # a window that shows its layout
        live_conf(conf, coll, broker, topic, state, AGG_QUERY,
                  'log-level = debug', *kafka)
        d.send(signal.SIGHUP)
        d.wait_log(RELOADED)
        feed(coll, 3)
        coll.stop()
        wins = new_windows(coll, before)
        have = coll.windows()
        wait_exported(d, [stamp_of(w) for w in wins])
        assert d.stop() == 0
    # A window is every channel's that has its file: two nfcapd started
    # across an interval's end begin with different first windows.
    holders = {stamp_of(w): ','.join(ch for ch in sorted(have)
                                     if w in have[ch]) for w in wins}
    text = d.text()
    head, _, tail = text.partition(RELOADED)
    assert 'restart nfkafka' not in text
    assert 'debug:' not in head, 'debug lines before the reload'
    assert 'debug: librdkafka: ' in tail, 'log level not reloaded'

    logged = logged_windows(text)
    stamps = [s for s, _, _ in logged]
    assert stamps == sorted(stamp_of(w) for w in wins), 'lost or repeated'
    assert [ch for _, ch, _ in logged] == [holders[s] for s in stamps]
    total = sum(n for _, _, n in logged)
    msgs = consume(broker.bootstrap, topic, expect=total, timeout=60)
    assert len(msgs) == total
    by_window = records_by_window(msgs)
    assert set(by_window) <= set(stamps)
    before_reload = {s for s, _, _ in logged_windows(head)}
    after_reload = [s for s, _, _ in logged_windows(tail)]
    layouts = []     # per non-empty window: True when it has the new query
    for s, rel in zip(stamps, sorted(wins, key=stamp_of)):
        got = [m['value'] for m in by_window.get(s, [])]
        assert len(got) == dict((x, n) for x, _, n in logged)[s]
        if not got:      # an empty window says nothing about the query
            assert nfdump_rows(coll.profile_arg(), rel, AGG_QUERY) == []
            continue
        new = list(got[0]) == AGG_FIELDS
        layouts.append(new)
        query, fields = ((AGG_QUERY, AGG_FIELDS) if new else
                         (FLOW_QUERY, FLOW_FIELDS))
        assert_rows_match(got, nfdump_rows(coll.profile_arg(), rel, query),
                          fields)
        if s in before_reload:
            assert not new, 'window %s exported before the reload' % s
        elif s != after_reload[0]:
            # Only the window in flight at the HUP may keep the old query.
            assert new, 'window %s kept the old query' % s
    assert layouts == sorted(layouts), 'layouts interleave: %s' % layouts
    assert layouts.count(False) >= 1 and layouts.count(True) >= 2, layouts
    assert state_floor(state) == stamps[-1]


def test_sighup_restart_needed_and_broken_file(broker, topic, tmp_path,
                                               daemons):
    """A changed topic is reported, not applied; a broken file is refused
    and the daemon exports on with what it had."""
    conf = tmp_path / 'nfkafka.conf'
    state = tmp_path / 'state'
    other = topic + '-new'
    with Collector(tmp_path / 'p', interval=2) as coll:
        live_conf(conf, coll, broker, topic, state, FLOW_QUERY)
        before = coll.windows()
        d = daemons(['-c', conf])
        d.wait_log('watching')
        feed(coll, 1)
        wait_windows(d, 1)
        live_conf(conf, coll, broker, other, state, FLOW_QUERY)
        d.send(signal.SIGHUP)
        d.wait_log(RELOADED)
        assert 'SIGHUP: topic changed; restart nfkafka to apply it' in d.text()
        n = len(logged_windows(d.text()))
        feed(coll, 1)
        wait_windows(d, n + 1)
        live_conf(conf, coll, broker, other, state, AGG_QUERY,
                  'grace = soon')
        d.send(signal.SIGHUP)
        d.wait_log('keeping the running configuration')
        n = len(logged_windows(d.text()))
        feed(coll, 2)
        coll.stop()
        wins = new_windows(coll, before)
        wait_exported(d, [stamp_of(w) for w in wins])
        assert d.proc.poll() is None, 'the broken file stopped the daemon'
        assert d.stop() == 0
    text = d.text()
    assert re.search(r'error: SIGHUP: %s:6: key grace: .*; keeping the '
                     r'running configuration' % re.escape(str(conf)), text), text
    assert text.count(RELOADED) == 1
    logged = logged_windows(text)
    assert len(logged) > n, 'nothing exported after the broken file'
    assert [s for s, _, _ in logged] == sorted(stamp_of(w) for w in wins)
    total = sum(c for _, _, c in logged)
    msgs = consume(broker.bootstrap, topic, expect=total, timeout=60)
    assert len(msgs) == total
    # The query of the broken file was not taken either.
    assert all(list(m['value']) == FLOW_FIELDS for m in msgs)
    assert nothing_in(broker, other) == []


# --- metrics -------------------------------------------------------------------

def http_get(port, path):
    """(status, content type, body) of GET http://127.0.0.1:port/path."""
    try:
        with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path),
                                    timeout=5) as r:
            return r.status, r.headers.get('Content-Type'), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get('Content-Type'), e.read().decode()


SAMPLE_RE = re.compile(r'^(nfkafka_[a-z_]+) (-?[0-9.]+(?:e[+-]?\d+)?)$')


def scrape(port):
    """/metrics parsed: {name: value}; every sample has HELP and TYPE."""
    status, ctype, body = http_get(port, '/metrics')
    assert status == 200, body
    assert ctype.startswith('text/plain; version=0.0.4'), ctype
    values, typed = {}, set()
    for line in body.splitlines():
        if line.startswith('# TYPE '):
            name, kind = line.split()[2:4]
            assert kind in ('counter', 'gauge'), line
            assert kind == 'counter' or not name.endswith('_total'), line
            typed.add(name)
        elif not line.startswith('# HELP '):
            m = SAMPLE_RE.match(line)
            assert m, 'not a Prometheus sample: %r' % line
            values[m[1]] = float(m[2])
    assert set(values) == typed
    return values


def test_metrics_match_what_the_consumer_reads(broker, topic, tmp_path,
                                               daemons):
    port = free_port()
    with Collector(tmp_path / 'p', interval=2) as coll:
        before = coll.windows()
        d = daemons(['-M', coll.profile_arg(), '-b', broker.bootstrap,
                     '-t', topic, '-Q', FLOW_QUERY,
                     '--metrics', '127.0.0.1:%d' % port])
        d.wait_log('watching')
        feed(coll, 2)
        wait_windows(d, 1)
        during = scrape(port)    # while nfcapd rotates and nfkafka exports
        feed(coll, 1)
        coll.stop()
        wins = new_windows(coll, before)
        wait_exported(d, [stamp_of(w) for w in wins])
        after = scrape(port)
        health = http_get(port, '/health')
        missing = http_get(port, '/nope')
    logged = logged_windows(d.text())
    total = sum(n for _, _, n in logged)
    msgs = consume(broker.bootstrap, topic, expect=total, timeout=60)
    assert d.stop() == 0
    assert len(msgs) == total > 0
    assert after['nfkafka_records_total'] == len(msgs)
    assert after['nfkafka_record_bytes_total'] == sum(len(m['raw']) for m in msgs)
    assert after['nfkafka_windows_exported_total'] == len(logged) == len(wins)
    assert after['nfkafka_nfdump_runs_total'] == len(logged)
    assert after['nfkafka_windows_failed_total'] == 0
    assert after['nfkafka_delivery_errors_total'] == 0
    assert after['nfkafka_windows_pending'] == 0
    assert after['nfkafka_producer_queue_messages'] == 0
    assert after['nfkafka_broker_up'] == 1
    assert after['nfkafka_lag_seconds'] > 0
    for name, v in during.items():
        if name.endswith('_total'):
            assert v <= after[name], name
    assert 1 <= during['nfkafka_windows_exported_total'] < len(logged)
    assert health[0] == 200, health
    assert health[2].startswith('ok: last window %s' % logged[-1][0]), health
    assert missing[0] == 404, missing


def test_health_unhealthy_without_broker(window, closed_port, tmp_path,
                                         daemons):
    """A pending window and no broker: /health says 503 within seconds."""
    profile, rel = window
    port = free_port()
    d = daemons(['-M', profile, '-b', '127.0.0.1:%d' % closed_port,
                 '-Q', FLOW_QUERY, '--since', stamp_of(rel),
                 '--metrics', '127.0.0.1:%d' % port,
                 '-X', 'message.timeout.ms=2000', '--backoff-min', '0.2',
                 '--flush-timeout', '1'])
    d.wait_log('metrics on')
    status, _ctype, body = wait_until(
        lambda: (lambda r: r if r[0] == 503 else None)(
            http_get(port, '/health')), 60 * SLOW,
        lambda: 'no 503 from /health: %r' % (http_get(port, '/health'),),
        interval=0.2)
    assert status == 503, body
    assert body.startswith('unhealthy: '), body
    m = scrape(port)
    assert m['nfkafka_broker_up'] == 0
    assert m['nfkafka_windows_pending'] >= 1
    assert m['nfkafka_windows_exported_total'] == 0
    d.stop(timeout=15)


@pytest.mark.parametrize('addr', ['1.2.3', '127.0.0.1:99999', 'busy'])
def test_bad_metrics_address(window, addr):
    profile, _rel = window
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        s.listen()
        if addr == 'busy':
            addr = '127.0.0.1:%d' % s.getsockname()[1]
        p = run(['-M', profile, '-b', '127.0.0.1:9', '--metrics', addr])
    assert p.returncode == 2, p.stderr
    assert addr in p.stderr, p.stderr
    assert '--metrics: --metrics' not in p.stderr, p.stderr


# --- --check-config ------------------------------------------------------------

def check(profile, *extra, broker=None):
    return run(['-M', profile, '-b', broker.bootstrap if broker else
                '127.0.0.1:9', '--check-config'] + list(extra))


def test_check_config_good(broker, topic, window, tmp_path):
    """A dry run on a copy of the newest window: nothing published, no state."""
    profile, _rel = window
    conf = write_conf(tmp_path / 'nfkafka.conf', 'profile = ' + profile,
                      'brokers = ' + broker.bootstrap, 'topic = ' + topic,
                      'query = ' + FLOW_QUERY, 'key = src_addr,dst_port',
                      'state = %s' % (tmp_path / 'state'))
    p = run(['-c', conf, '--check-config'])
    assert p.returncode == 0, p.stderr
    assert p.stdout == ('nfkafka: configuration OK (query checked by a dry '
                        'run of the query; nfdump %s)\n'
                        % '.'.join(map(str, path_version())))
    assert not (tmp_path / 'state').exists()
    assert nothing_in(broker, topic) == []


@pytest.mark.parametrize('case', ['format-token', 'csv-key', 'fmt-key',
                                  'bad-filter', 'long-filter'])
def test_check_config_refuses(window, case):
    profile, _rel = window
    args, needle, rc = {
        # Refused at start, before nfdump runs, naming the token.
        'format-token': (['-Q', "-o 'fmt:%ts,%zz'"],
                         'unknown output token %zz', 2),
        'csv-key': (['-Q', '-o csv', '-k', 'dstport'],
                    'key field dstport is not in the query', 2),
        'fmt-key': (['-Q', "-o 'fmt:%ts,%sa'", '-k', 'dst_addr'],
                    'field dst_addr is not in the query', 2),
        'bad-filter': (['-Q', '-o csv proto tcp and'], 'syntax error', 2),
        # Eleven filter words once crashed nfdump 1.7.1 (heap corruption
        # when it joins argv words itself): passed as one word, they work.
        'long-filter': (['-Q', '-o csv proto tcp or proto udp or proto icmp '
                         'or dst port 53'], 'configuration OK', 0),
    }[case]
    p = check(profile, *args)
    assert p.returncode == rc, p.stderr
    assert needle in p.stderr + p.stdout, p.stderr


def test_check_config_csv_key_that_exists(window):
    """The counterpart of csv-key: the header's dp is the record's dst_port."""
    profile, _rel = window
    p = check(profile, '-Q', '-o csv', '-k', 'dst_port')
    assert p.returncode == 0, p.stderr
    assert 'configuration OK' in p.stdout


def test_check_config_without_windows(tmp_path):
    """No window on disk yet: only the filter can be checked, by nfdump -Z."""
    for ch in CHANNELS:
        os.makedirs(tmp_path / ch)
    profile = '%s/%s' % (tmp_path, ':'.join(CHANNELS))
    p = check(profile, '-Q', '-o csv proto tcp')
    assert p.returncode == 0, p.stderr
    assert 'filter only' in p.stdout, p.stdout
    # nfdump's own words, from the query's run on an empty window at start.
    p = check(profile, '-Q', '-o csv proto tcp and')
    assert p.returncode == 2, p.stderr
    assert 'refuses the query' in p.stderr and 'syntax error' in p.stderr
    p = check(profile, '-Q', '-o csv proto tcp or proto udp or proto icmp '
              'or dst port 53')
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize('name', ['nfdump-box.conf', 'flowmon.conf'])
def test_shipped_example_configs_check(window, tmp_path, name):
    """contrib's example files parse, every line of them; paths and brokers
    are overridden to this machine's. Flowmon's query needs Flowmon's
    nfdump (--no-scale-number, a geo database), so -Q replaces it."""
    profile, _rel = window
    path = os.path.join(ROOT, 'contrib', name)
    if not os.path.exists(path):
        pytest.skip('contrib/%s does not exist yet' % name)
    local = ['-M', profile, '--state', tmp_path / 'state']
    if name == 'flowmon.conf':
        local += ['--nfdump', 'nfdump', '-i', '127.0.0.1', '-p', '9',
                  '-Q', FLOW_QUERY]
    else:
        local += ['-b', '127.0.0.1:9']
    p = run(['-c', path, '--check-config'] + local)
    assert p.returncode == 0, p.stderr
    assert 'configuration OK (query checked by a dry run' in p.stdout


# --- make install --------------------------------------------------------------

PREFIX = '/usr'
CONTRIB_DOCS = ['MIGRATING.md', 'flowmon.conf', 'nfdump-box.conf',
                'supervisord.conf']


def make_install(dest, prefix):
    """make install of the binary the tests ran (-o nfkafka: no rebuild of
    whatever else is being edited meanwhile)."""
    p = subprocess.run(['make', '-s', '-o', 'nfkafka', 'install',
                        'DESTDIR=' + dest, 'PREFIX=' + prefix], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, 'make install failed:\n%s%s' % (p.stdout, p.stderr)


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """make install DESTDIR=<tmp> PREFIX=/usr: the DESTDIR."""
    dest = str(tmp_path_factory.mktemp('destdir'))
    make_install(dest, PREFIX)
    return dest


def test_make_install_tree(installed):
    dest = installed
    want = {
        'usr/bin/nfkafka': 0o755,
        'usr/share/man/man8/nfkafka.8': 0o644,
        'usr/share/doc/nfkafka/README.md': 0o644,
        'usr/lib/systemd/system/nfkafka.service': 0o644,
    }
    want.update({'usr/share/doc/nfkafka/contrib/' + f: 0o644
                 for f in CONTRIB_DOCS})
    got = {}
    for root, dirs, files in os.walk(dest):
        for name in dirs:
            mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
            assert mode == 0o755, '%s: mode %o' % (name, mode)
        for name in files:
            path = os.path.join(root, name)
            st = os.lstat(path)
            assert stat.S_ISREG(st.st_mode), path
            got[os.path.relpath(path, dest)] = stat.S_IMODE(st.st_mode)
    missing = sorted(set(want) - set(got))
    assert not missing, 'not installed: %s (installed: %s)' % (missing, sorted(got))
    assert {f: got[f] for f in want} == want
    stray = [f for f in got if f not in want and
             not f.startswith('usr/share/doc/nfkafka/')]
    assert not stray, 'installed outside the doc dir: %s' % stray
    for f in want:
        assert os.path.getsize(os.path.join(dest, f)) > 0, f
    # The installed binary runs; the unit starts it where it was installed.
    v = subprocess.run([os.path.join(dest, 'usr/bin/nfkafka'), '--version'],
                       capture_output=True, text=True, timeout=10)
    assert v.returncode == 0 and v.stdout.startswith('nfkafka '), v
    with open(os.path.join(dest, 'usr/lib/systemd/system/nfkafka.service')) as f:
        unit = f.read()
    exec_start = re.findall(r'^ExecStart=(\S+)', unit, re.M)
    assert exec_start == [PREFIX + '/bin/nfkafka'], exec_start
    assert 'Documentation=man:nfkafka(8)' in unit
    assert re.search(r'^ExecReload=.*kill -HUP \$MAINPID', unit, re.M), unit


def test_make_install_other_prefix(tmp_path):
    """The unit follows PREFIX: it starts the binary that was installed."""
    make_install(str(tmp_path), '/opt/nfk')
    assert os.access(tmp_path / 'opt/nfk/bin/nfkafka', os.X_OK)
    assert (tmp_path / 'opt/nfk/share/man/man8/nfkafka.8').is_file()
    unit = (tmp_path / 'opt/nfk/lib/systemd/system/nfkafka.service').read_text()
    assert re.findall(r'^ExecStart=(\S+)', unit, re.M) == ['/opt/nfk/bin/nfkafka']


def test_installed_man_page_renders(installed):
    page = os.path.join(installed, 'usr/share/man/man8/nfkafka.8')
    p = subprocess.run(['man', '-l', page], capture_output=True,
                       text=True, timeout=30,
                       env=dict(os.environ, MANPAGER='cat', PAGER='cat',
                                MANWIDTH='80', LC_ALL='C.UTF-8'))
    assert p.returncode == 0, p.stderr
    assert p.stderr == '', p.stderr
    for section in ('NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'SIGNALS',
                    'FILES', 'EXIT STATUS', 'EXAMPLES', 'SEE ALSO'):
        assert re.search(r'^%s$' % section, p.stdout, re.M), section
    # The options this issue added are documented, not just "see -h".
    for option in ('--config', '--check-config', '--metrics', '--log-level'):
        assert option in p.stdout, option
    if shutil.which('mandoc'):
        lint = subprocess.run(['mandoc', '-T', 'lint', '-W', 'error', page],
                              capture_output=True, text=True, timeout=30)
        assert lint.returncode == 0, lint.stdout + lint.stderr


def test_systemd_analyze_verify(request, tmp_path):
    """systemd-analyze verify on the installed unit, its ExecStart pointed at
    the DESTDIR binary and man pages looked up in DESTDIR."""
    if shutil.which('systemd-analyze') is None:
        pytest.skip('systemd-analyze is not installed')
    if not os.path.exists(os.path.join(ROOT, 'contrib', 'nfkafka.service')):
        pytest.skip('contrib/nfkafka.service does not exist yet')
    installed = request.getfixturevalue('installed')
    src = os.path.join(installed, 'usr/lib/systemd/system/nfkafka.service')
    with open(src) as f:
        unit = f.read().replace(PREFIX + '/bin/nfkafka',
                                os.path.join(installed, 'usr/bin/nfkafka'))
    (tmp_path / 'nfkafka.service').write_text(unit)
    p = subprocess.run(['systemd-analyze', 'verify', '--man=yes',
                        str(tmp_path / 'nfkafka.service')],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, MANPATH=os.path.join(
                           installed, 'usr/share/man'), SYSTEMD_LOG_COLOR='0'))
    sys.stderr.write('--- systemd-analyze verify\n%s%s' % (p.stdout, p.stderr))
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'nfkafka.service' not in p.stdout + p.stderr, p.stdout + p.stderr
