# SPDX-License-Identifier: BSD-2-Clause
"""Issue 20, hostile input: secrets in the wrong places, files others can
write, an nfdump that leaves children behind or hides its complaint, and
HTTP clients that hold the metrics server's slots. Through the real binary."""
import os
import socket
import time
import urllib.error
import urllib.request

import pytest

from collector import make_window
from conftest import ONE_VERSION, run_nfkafka
from errcheck import PROBE_FILE
from kafka_broker import free_port

SECRET = 'hunter2-sEcReT'
QUICK = 60


@pytest.fixture(scope='module')
def window(tmp_path_factory):
    base = str(tmp_path_factory.mktemp('hostile'))
    return base, make_window(base, ('chanA',), 50)


def error_line(run):
    assert run.returncode == 2, run.stderr
    lines = [l for l in run.stderr.splitlines() if l.strip()]
    assert len(lines) >= 1, run.stderr
    return run.stderr


def refused(window, *args, conf=None):
    """nfkafka with the window's channel, a broker never reached, the config
    file conf first when given and args last: it must refuse to start
    (error_line). Returns the run."""
    base, _ = window
    pre = ['-c', conf] if conf is not None else []
    run = run_nfkafka(
        pre + ['-b', '127.0.0.1:9', '-M', base + '/chanA'] + list(args),
        timeout=QUICK)
    error_line(run)
    return run


def fake_nfdump(tmp_path, body):
    """A shell script as --nfdump; it answers -V, and the query's check on
    an empty window at start, like nfdump 1.7.1."""
    path = tmp_path / 'fake-nfdump'
    path.write_text('#!/bin/sh\nif [ "$1" = -V ]; then echo "nfdump: Version: '
                    'NSEL-NEL1.7.1"; exit 0; fi\ncase "$*" in *%s*) echo "No '
                    'matching flows"; exit 0;; esac\n%s' % (PROBE_FILE, body))
    path.chmod(0o755)
    return path


def dead(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_dead(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dead(pid):
            return True
        time.sleep(0.1)
    return False


# --- the configuration and its secrets ---------------------------------------

def test_property_list_in_config_file_is_refused(window, tmp_path):
    """It would print librdkafka's properties and exit 0 at every start,
    which Restart=on-failure takes for a clean stop."""
    conf = tmp_path / 'nfkafka.conf'
    conf.write_text('property = list\n')
    conf.chmod(0o600)
    run = refused(window, conf=conf)
    text = run.stderr
    assert 'command-line action' in text and 'property' in text
    assert 'bootstrap.servers' not in run.stdout


def test_space_after_empty_property_value_is_not_echoed(window):
    text = refused(window, '-X', 'sasl.password=', SECRET).stderr
    assert 'unexpected argument' in text and 'sasl.password=' in text
    assert SECRET not in text


def test_short_secret_does_not_mask_addresses(window, tmp_path, daemons):
    """A password "127" is masked where it is a value, not inside the
    broker's address in librdkafka's connection errors."""
    base, _ = window
    port = free_port()
    d = daemons(['-b', '127.0.0.1:%d' % port, '-M', base + '/chanA',
                 '-X', 'sasl.password=127', '--state', tmp_path / 'state'])
    d.wait_log('Connect to ipv4#127.0.0.1:%d' % port, timeout=60)
    assert '(secret).0.0.1' not in d.text()
    assert d.stop() == 0


def test_file_secret_longer_than_a_line_is_refused(window, tmp_path):
    secret = tmp_path / 'secret'
    secret.write_text('x' * 5000 + '\n')
    secret.chmod(0o600)
    text = refused(window, '-X', 'sasl.password=${file:%s}' % secret).stderr
    assert 'longer than 4095 bytes' in text and str(secret) in text
    assert 'xxxx' not in text


def test_world_writable_config_and_secret_files(window, tmp_path):
    base, _ = window
    conf = tmp_path / 'nfkafka.conf'
    conf.write_text('grace = 5\n')
    conf.chmod(0o666)
    text = refused(window, conf=conf).stderr
    assert 'writable by every user' in text and 'chmod o-w' in text
    secret = tmp_path / 'secret'
    secret.write_text(SECRET + '\n')
    secret.chmod(0o666)
    text = refused(window, '-X', 'sasl.password=${file:%s}' % secret).stderr
    assert 'writable by every user' in text and SECRET not in text
    # Readable by others: a warning, and the run goes on.
    secret.chmod(0o644)
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', base + '/chanA',
                       '-X', 'sasl.password=${file:%s}' % secret, '-X',
                       'list'], timeout=QUICK)
    assert run.returncode == 0, run.stderr
    assert 'readable by every user' in run.stderr and 'chmod o-r' in run.stderr
    assert SECRET not in run.stderr


def test_check_config_refuses_metrics_start_would(window):
    for bad in ('127.0.0.1:99999', 'localhost', '[::1:80'):
        text = refused(window, '--metrics', bad, '--check-config').stderr
        assert '--metrics %s' % bad in text


# --- nfdump -------------------------------------------------------------------

@ONE_VERSION
def test_nfdump_stderr_beginning_with_nul(window, tmp_path, nfdump_version):
    base, rel = window
    run = run_nfkafka(['--once', rel, '-b', '127.0.0.1:9', '-M',
                       base + '/chanA', '--nfdump', fake_nfdump(
                           tmp_path, "printf '\\000Open file: broken "
                           "appendix\\n' >&2\nexit 1\n")], timeout=QUICK)
    assert run.returncode == 1, run.stderr
    assert 'broken appendix' in run.stderr


@ONE_VERSION
def test_nfdump_child_left_behind_does_not_hang(window, tmp_path,
                                                nfdump_version):
    """nfdump exits but a process it started holds its output open: before,
    EOF never came and the window never ended."""
    base, rel = window
    marker = tmp_path / 'child.pid'
    run = run_nfkafka(['--once', rel, '-b', '127.0.0.1:9', '-M',
                       base + '/chanA', '--nfdump', fake_nfdump(
                           tmp_path, 'sleep 600 &\necho $! > %s\nexit 1\n'
                           % marker)], timeout=120)
    assert run.returncode == 1, run.stderr
    assert wait_dead(int(marker.read_text()))


@ONE_VERSION
def test_nfdump_timeout_kills_its_process_group(window, tmp_path,
                                                nfdump_version):
    """--nfdump-timeout stops nfdump and what it started, also a child that
    ignores SIGTERM; the window fails with the reason."""
    base, rel = window
    marker = tmp_path / 'child.pid'
    body = ("sh -c 'trap \"\" TERM; echo $$ > %s.tmp; mv %s.tmp %s; "
            "exec sleep 600' &\nwait\n" % (marker, marker, marker))
    t0 = time.monotonic()
    run = run_nfkafka(['--once', rel, '-b', '127.0.0.1:9', '-M',
                       base + '/chanA', '--nfdump-timeout', '2', '--nfdump',
                       fake_nfdump(tmp_path, body)], timeout=120)
    assert run.returncode == 1, run.stderr
    assert 'did not finish within 2 s' in run.stderr
    assert time.monotonic() - t0 < 90
    assert wait_dead(int(marker.read_text()))


# --- the metrics server -------------------------------------------------------

def test_answered_clients_that_never_close_do_not_hold_health(window, tmp_path,
                                                              daemons):
    """70 clients send a whole request, never read the answer nor close,
    and trickle bytes; /health stays answerable, each time, for 15 s."""
    base, _ = window
    port = free_port()
    d = daemons(['-b', '127.0.0.1:9', '-M', base + '/chanA', '--metrics',
                 '127.0.0.1:%d' % port, '--state', tmp_path / 'state'])
    d.wait_log('watching', timeout=60)
    held = []
    try:
        for _ in range(70):
            s = socket.create_connection(('127.0.0.1', port), timeout=5)
            s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
            held.append(s)
        answered = refused = 0
        end = time.monotonic() + 15
        while time.monotonic() < end:
            for s in held:
                try:
                    s.send(b'x')
                except OSError:
                    pass
            try:
                with urllib.request.urlopen(
                        'http://127.0.0.1:%d/health' % port, timeout=5) as r:
                    r.read()
                answered += 1
            except urllib.error.HTTPError as e:
                assert e.code == 503   # no broker: an answer all the same
                answered += 1
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                refused += 1
            time.sleep(0.5)
    finally:
        for s in held:
            s.close()
    assert refused == 0 and answered >= 10, (answered, refused)
    assert d.stop() == 0


# --- values ------------------------------------------------------------------

@ONE_VERSION
def test_huge_time_value_as_kafka_timestamp(window, broker, topic, tmp_path,
                                            nfdump_version):
    """--timestamp first_seen with a raw time (%tsr) beyond what fits in
    milliseconds: the message gets the send time, as for a value that does
    not parse, not a wrapped one (UBSan aborted on sec * 1000)."""
    from conftest import consume
    base, rel = window
    body = ("printf 'Date first seen    Proto    Bytes\\n"
            "99999999999999999,6,1000\\n1764240000,17,2000\\n'\n"
            "printf 'Summary: total flows: 2, total bytes: 3000, total "
            "packets: 2, avg bps: 0, avg pps: 0, avg bpp: 0\\n'\nexit 0\n")
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', topic,
                       '-M', base + '/chanA', '-Q', "-o 'fmt:%tsr,%pr,%byt'",
                       '--timestamp', 'first_seen', '--nfdump',
                       fake_nfdump(tmp_path, body)], timeout=120)
    assert run.returncode == 0, run.stderr
    msgs = sorted(consume(broker.bootstrap, topic, expect=2, timeout=60,
                          decode=bytes),
                  key=lambda m: m['offset'])
    assert abs(msgs[0]['timestamp'] - time.time() * 1000) < 3600 * 1000
    assert msgs[1]['timestamp'] == 1764240000 * 1000
