# SPDX-License-Identifier: BSD-2-Clause
"""Bad options and configuration files: one stderr line naming the option
(or file, line and key) and the fix, exit 2, before anything is exported."""
import os
import re
import subprocess

import pytest

from collector import make_window
from conftest import ROOT, nfkafka_argv, run_nfkafka
from errcheck import (FMT_QUERY, QUICK, SLOW, assert_usage_error,
                      assert_window_failed, channels, empty_topic, profile)


def option_cases():
    """(id, args after the base -b/-M, needles in the error line)."""
    return [
        ('unknown-long', ['--bogus'], ['--bogus', '--help']),
        ('unknown-short', ['-z'], ['-z', '--help']),
        ('port-zero', ['-p', '0'], ['-p', '0', '65535']),
        ('port-text', ['-p', 'abc'], ['-p', 'abc']),
        ('missing-argument', ['-t'], ['-t', 'argument']),
        ('brokers-and-host', ['-i', 'localhost'], ['-b', '-i']),
        ('values', ['--values', 'bogus'], ['--values', 'bogus', 'typed']),
        ('grace', ['--grace', 'x'], ['--grace', 'x']),
        ('key-not-in-output', ['-k', 'nosuch'], ['-k', 'nosuch']),
        ('timestamp-not-a-time', ['--timestamp', 'bytes'],
         ['--timestamp bytes', 'not a time field']),
        ('exactly-once-without-headers', ['--headers', 'no',
                                          '--transactional-id', 'x'],
         ['--headers no', '--transactional-id']),
        ('once-and-replay', ['--once', 'nfcapd.202611271055', '--replay',
                             '202611271000', '202611271100'],
         ['--once', '--replay']),
        ('replay-backwards', ['--replay', '202611271100', '202611271000'],
         ['--replay', 'FROM is after TO']),
        ('replay-no-to', ['--replay', '202611271100'], ['--replay', 'TO']),
        ('since', ['--since', 'garbage'], ['--since', 'garbage']),
        ('stray-argument', ['stray'], ['stray', '-Q']),
        ('kafka-unknown-property', ['-X', 'nosuch.property=1'],
         ['nosuch.property', '-X list']),
        ('kafka-invalid-value', ['-X', 'acks=bogus'], ['acks=bogus', '-X list']),
        ('kafka-no-equals', ['-X', 'acks'], ['-X acks', 'property=value']),
        ('query-unterminated', ['-Q', "-o 'fmt:%ts"], ['-Q', 'quote']),
        ('query-refused', ['-Q', '-s srcip -o csv'], ['-Q', '-s']),
        ('query-no-output', ['-Q', '-A srcip'], ['-Q', '-o']),
        ('query-unknown-option', ['-Q', '-Y -o csv'], ['-Q', '-Y']),
        ('nfdump-missing', ['--nfdump', '/nonexistent/nfdump'],
         ['--nfdump', '/nonexistent/nfdump', 'install nfdump']),
        ('nfdump-not-in-path', ['--nfdump', 'no-such-nfdump-here'],
         ['--nfdump', 'no-such-nfdump-here']),
    ]


@pytest.mark.parametrize('args,needles', [c[1:] for c in option_cases()],
                         ids=[c[0] for c in option_cases()])
def test_bad_option(profile, args, needles):
    base, _rel = profile
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', channels(base)] + args,
                      timeout=QUICK)
    assert_usage_error(run, *needles)


def test_no_brokers(profile):
    base, _rel = profile
    assert_usage_error(run_nfkafka(['-M', channels(base)], timeout=QUICK),
                       '-b')


def test_no_channels():
    assert_usage_error(run_nfkafka(['-b', '127.0.0.1:9'], timeout=QUICK), '-M')


def test_channel_directory_missing():
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', '/nonexistent/chan'],
                      timeout=QUICK)
    assert_usage_error(run, '-M', '/nonexistent/chan')


@pytest.mark.parametrize('kind', ['not-executable', 'directory'])
def test_nfdump_not_a_program(profile, tmp_path, kind):
    """Caught at start (exit 2), not per window: live mode would otherwise
    retry every window for ever against a program that can never run."""
    base, rel = profile
    path = tmp_path / 'nfdump'
    if kind == 'directory':
        path.mkdir()
    else:
        path.write_text('#!/bin/sh\nexit 0\n')
        path.chmod(0o644)
    run = run_nfkafka(['--once', rel, '-b', '127.0.0.1:9', '-M', channels(base),
                       '--nfdump', path], timeout=QUICK)
    assert_usage_error(run, '--nfdump', str(path), 'not executable')


def plain_run(args):
    return subprocess.run(nfkafka_argv(args), capture_output=True, text=True,
                          timeout=QUICK, stdin=subprocess.DEVNULL)


def test_kafka_property_list():
    p = plain_run(['-X', 'list'])
    assert p.returncode == 0, p.stderr
    assert 'bootstrap.servers' in p.stdout
    assert 'message.timeout.ms' in p.stdout
    assert p.stderr == ''


def test_help():
    p = plain_run(['--help'])
    assert p.returncode == 0, p.stderr
    assert 'man nfkafka' in p.stdout and 'nfkafka(8)' in p.stdout
    assert p.stdout.startswith('usage: nfkafka')
    assert p.stderr == ''
    # --help comes from the options table: every option of nfkafka(8), in
    # the man page's order.
    with open(os.path.join(ROOT, 'man', 'nfkafka.8')) as f:
        man = f.read().split('\n.Sh OPTIONS\n', 1)[1].split('\n.Sh ', 1)[0]
    names = re.findall(r'^\.It Fl .*?Fl -([a-z-]+)|^\.It Fl -([a-z-]+)', man,
                       re.M)
    names = [a or b for a, b in names]
    listed = re.findall(r'^  (?:-\S, |    )--([a-z-]+)', p.stdout, re.M)
    assert len(names) > 30, names
    assert listed == names


@pytest.mark.parametrize('name,needle', [
    ('foo.txt', 'not a rotated nfcapd file'),
    ('nfcapd.current.123', 'not a rotated nfcapd file'),
    ('nfcapd.2026112710', 'not a rotated nfcapd file'),
    ('nfcapd.202613011055', 'not a rotated nfcapd file'),
    ('nfcapd.202602301055', 'not a rotated nfcapd file'),
    ('/abs/nfcapd.202611271055', 'relative to the channel directories'),
    ('../x/nfcapd.202611271055', 'relative to the channel directories'),
])
def test_once_odd_name(profile, name, needle):
    base, _rel = profile
    run = run_nfkafka(['--once', name, '-b', '127.0.0.1:9', '-M', channels(base)],
                      timeout=QUICK)
    assert_usage_error(run, '--once', '"%s"' % name, needle)


def test_once_window_nobody_has(profile):
    base, _rel = profile
    run = run_nfkafka(['--once', 'nfcapd.202001010000', '-b', '127.0.0.1:9',
                       '-M', channels(base)], timeout=QUICK)
    assert_window_failed(run, '20200101000000', 'nfcapd.202001010000', base)


@pytest.mark.parametrize('opt,needles', [
    ('--once', ['--once needs an argument', 'nfcapd.202611271055']),
    ('--state', ['--state needs an argument']),
    ('--grace', ['--grace needs an argument']),
    ('-M', ['-M needs an argument']),
    ('--help=1', ['--help takes no argument']),
])
def test_missing_argument_is_named(profile, opt, needles):
    base, _rel = profile
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', channels(base), opt],
                      timeout=QUICK)
    line = assert_usage_error(run, *needles)
    assert '\0' not in run.stderr
    assert 'unknown option' not in line


@pytest.mark.parametrize('value', ['nan', 'NaN', '-nan', 'inf', 'infinity',
                                   '1e400'])
@pytest.mark.parametrize('opt', ['--flush-timeout', '--backoff-min',
                                 '--backoff-max'])
def test_float_option_not_finite(profile, opt, value):
    base, _rel = profile
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', channels(base), opt, value],
                      timeout=QUICK)
    assert_usage_error(run, opt, value, 'seconds')


def test_duplicate_channel(profile):
    base, _rel = profile
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', '%s/chanA:chanB:chanA' % base],
                      timeout=QUICK)
    assert_usage_error(run, '-M', '"chanA"', 'twice')


@pytest.mark.parametrize('kind', ['dev-zero', 'fifo', 'directory', 'huge'])
def test_config_file_not_a_small_regular_file(profile, tmp_path, kind):
    base, _rel = profile
    path = {'dev-zero': '/dev/zero', 'fifo': str(tmp_path / 'fifo'),
            'directory': str(tmp_path), 'huge': str(tmp_path / 'huge')}[kind]
    if kind == 'fifo':
        os.mkfifo(path)
    if kind == 'huge':
        with open(path, 'w') as f:
            f.write(('# a comment line, repeated\n') * 50000)
    run = run_nfkafka(['-c', path, '-b', '127.0.0.1:9', '-M', channels(base)],
                      timeout=QUICK)
    assert_usage_error(run, path, 'not a regular file' if kind != 'huge'
                       else 'larger than 1 MiB')


def test_config_file_value_keeps_semicolon(profile, tmp_path):
    """A ';' after a blank is part of the value, not a comment: libinih's
    inline comments would cut "ab ;cd" (a password) to "ab" silently."""
    base, _rel = profile
    conf = tmp_path / 'nfkafka.conf'
    conf.write_text('; a comment\n# another\nvalues = typed ;x\n')
    run = run_nfkafka(['-c', conf, '-b', '127.0.0.1:9', '-M', channels(base)],
                      timeout=QUICK)
    assert_usage_error(run, 'nfkafka.conf:3', '--values typed ;x')


def test_config_file_control_bytes(profile, tmp_path):
    base, _rel = profile
    conf = tmp_path / 'nfkafka.conf'
    conf.write_bytes(b'topic = a\x00b\n')
    run = run_nfkafka(['-c', conf, '-b', '127.0.0.1:9', '-M', channels(base)],
                      timeout=QUICK)
    assert_usage_error(run, 'nfkafka.conf', 'NUL')


def test_64_channels(broker, empty_topic, tmp_path):
    """64 channels fill the mask: no undefined shift (UBSan in make asan),
    and a window every channel has is not reported as missing any."""
    base = str(tmp_path)
    chans = ['c%02d' % i for i in range(64)]
    rel = make_window(base, chans[:1], 10)
    for c in chans[1:]:
        os.makedirs(os.path.join(base, c, os.path.dirname(rel)),
                    exist_ok=True)
        with open(os.path.join(base, chans[0], rel), 'rb') as src, \
                open(os.path.join(base, c, rel), 'wb') as dst:
            dst.write(src.read())
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', '%s/%s' % (base, ':'.join(chans)),
                       '-Q', FMT_QUERY], timeout=120 * SLOW)
    assert run.returncode == 0, run
    assert 'have no' not in run.stderr, run
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M',
                       '%s/%s' % (base, ':'.join(chans + ['c64']))],
                      timeout=QUICK)
    assert_usage_error(run, 'more than 64 channels')
