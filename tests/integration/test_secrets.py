# SPDX-License-Identifier: BSD-2-Clause
"""Secrets (-X values, SASL passwords) never appear in an error or log
line, whichever way the bad setting arrives."""
import signal

import pytest

from conftest import run_nfkafka
from errcheck import QUICK, SECRET, assert_usage_error, channels, profile


@pytest.mark.parametrize('args,needles', [
    (['-X', 'sasl.passwd=' + SECRET], ['sasl.passwd', 'No such configuration property']),
    (['-X', 'sasl.password=' + SECRET, '-Zv'], ['unknown option -Z']),
    (['-X', 'sasl.password=' + SECRET, '-vZ'], ['unknown option -Z']),
    (['-X', 'sasl.password=' + SECRET, '--no-such=' + SECRET],
     ['unknown option --no-such']),
    (['-X', 'sasl.oauthbearer.method=' + SECRET],
     ['sasl.oauthbearer.method', '(secret)']),
    (['-X', 'ssl.key.password'], ['expected property=value']),
    (['-X', SECRET + '!'], ['expected property=value']),
], ids=['misspelt', 'cluster-after', 'cluster-before', 'long-with-value',
        'secretish-invalid', 'no-equals', 'lone-value'])
def test_secret_never_shown(profile, args, needles):
    base, _rel = profile
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', channels(base)] + args,
                      timeout=QUICK)
    line = assert_usage_error(run, *needles)
    assert SECRET not in line


def test_secret_never_shown_from_config_file(profile, tmp_path):
    base, _rel = profile
    conf = tmp_path / 'nfkafka.conf'
    conf.write_text('[kafka]\nsasl.passwd = %s\n' % SECRET)
    run = run_nfkafka(['-c', conf, '-b', '127.0.0.1:9', '-M', channels(base)],
                      timeout=QUICK)
    line = assert_usage_error(run, 'nfkafka.conf:2', 'sasl.passwd',
                              'No such configuration property')
    assert SECRET not in line


def test_secret_never_shown_on_sighup(profile, tmp_path, daemons):
    """A misspelt secret added to the config file before SIGHUP: the reload
    is refused, naming the key, never its value."""
    base, _rel = profile
    conf = tmp_path / 'nfkafka.conf'
    conf.write_text('grace = 5\n')
    d = daemons(['-c', conf, '-b', '127.0.0.1:9', '-M', channels(base)])
    d.wait_log('watching', timeout=60)
    conf.write_text('grace = 5\n[kafka]\nsasl.passwd = %s\n' % SECRET)
    d.send(signal.SIGHUP)
    d.wait_log('keeping the running configuration', timeout=60)
    assert 'sasl.passwd' in d.text()
    assert SECRET not in d.text()
    assert d.stop() == 0
