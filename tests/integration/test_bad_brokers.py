# SPDX-License-Identifier: BSD-2-Clause
"""Brokers that cannot be reached or refuse us (SASL): the window fails
with one line naming the broker or the reason, exit 1, never a hang."""
import socket
import time

import pytest

from compare import assert_rows_match
from conftest import consume, run_nfkafka
from errcheck import (FMT_QUERY, SECRET, SLOW, assert_window_failed, channels,
                      profile, stamp_of)
from nfdump_ref import nfdump_rows


@pytest.fixture
def closed_port():
    """A port that refuses connections: bound, never listening, and held for
    the test so no broker started in parallel can take it."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        yield s.getsockname()[1]


@pytest.mark.parametrize('where', ['closed-port', 'unresolvable'])
def test_unreachable_broker(profile, closed_port, where):
    """Every record times out after message.timeout.ms: the window fails
    (exit 1) soon after, instead of the daemon waiting for ever.  (This
    once hung in about 3 runs of 10: librdkafka queued the refused
    connection before the queue's wake-up pipe was set, see kafka_new.)"""
    base, rel = profile
    brokers = ('127.0.0.1:%d' % closed_port if where == 'closed-port'
               else 'no-such-broker.invalid:9092')
    t0 = time.monotonic()
    run = run_nfkafka(['--once', rel, '-b', brokers, '-M', channels(base),
                       '-Q', FMT_QUERY, '-X', 'message.timeout.ms=3000',
                       '--flush-timeout', '2'], timeout=20 * SLOW)
    assert time.monotonic() - t0 < 20 * SLOW
    err = assert_window_failed(run, stamp_of(rel), 'delivery failed')
    assert 'timed out' in err
    # The warning names the broker, so the operator knows which is wrong.
    assert brokers.split(':')[0] in run.stderr


# A ';' after a blank: libinih's inline comments would cut it to "ab".
SASL_USER, SASL_PASSWORD = 'nfk', 'ab ;cd'


@pytest.fixture(scope='module')
def sasl_broker(tmp_path_factory):
    """A broker with a SASL_PLAINTEXT (PLAIN) listener besides PLAINTEXT."""
    from kafka_broker import KafkaBroker
    b = KafkaBroker(str(tmp_path_factory.mktemp('kafka-sasl')),
                    sasl_users={SASL_USER: SASL_PASSWORD})
    b.start()
    yield b
    b.stop()


def sasl_conf(tmp_path, password):
    conf = tmp_path / 'nfkafka.conf'
    conf.write_text('[kafka]\nsecurity.protocol = SASL_PLAINTEXT\n'
                    'sasl.mechanism = PLAIN\nsasl.username = %s\n'
                    'sasl.password = %s\n' % (SASL_USER, password))
    return conf


def test_sasl_password_from_config_file(sasl_broker, topic, profile, tmp_path):
    """The right password, with its ';', from the config file: the window
    arrives whole, record by record as nfdump prints it."""
    base, rel = profile
    sasl_broker.create_topic(topic)
    run = run_nfkafka(['-c', sasl_conf(tmp_path, SASL_PASSWORD), '--once', rel,
                       '-b', sasl_broker.sasl_bootstrap, '-t', topic,
                       '-M', channels(base), '-Q', FMT_QUERY], timeout=120)
    assert run.returncode == 0, run
    rows = nfdump_rows(channels(base), rel, ['-o', 'fmt:%ts,%pr,%byt'])
    msgs = consume(sasl_broker.bootstrap, topic, expect=len(rows), timeout=120)
    assert_rows_match([m['value'] for m in msgs], rows,
                      ['first_seen', 'proto', 'bytes'])
    assert SASL_PASSWORD not in run.stderr


def test_sasl_wrong_password_fails_at_once(sasl_broker, topic, profile,
                                           tmp_path):
    """Authentication failures are permanent: the window fails as soon as
    the broker refuses us, not after message.timeout.ms (60 s here)."""
    base, rel = profile
    wrong = 'wrong-' + SECRET
    t0 = time.monotonic()
    run = run_nfkafka(['-c', sasl_conf(tmp_path, wrong), '--once', rel,
                       '-b', sasl_broker.sasl_bootstrap, '-t', topic,
                       '-M', channels(base), '-Q', FMT_QUERY], timeout=120)
    took = time.monotonic() - t0
    err = assert_window_failed(run, stamp_of(rel), 'uthentication')
    assert took < 40, 'took %.1f s: %s' % (took, err)
    assert wrong not in run.stderr
