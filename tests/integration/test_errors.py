# SPDX-License-Identifier: BSD-2-Clause
"""Bad input: a clear one-line error naming the thing and the fix, a non-zero
exit where it is fatal, and never a crash, a hang or a window published as
if it were complete.

Exit statuses (nfkafka(8)): 0 ok, 1 export failed, 2 usage or configuration.
Every run has a short subprocess timeout, so a hang fails the test.

nfdump 1.7.1 behaviours this file relies on (observed with nfdump -M DIR/chanA
-r FILE -o fmt:... -N -6, see test_corrupt_window for the exact texts):
- an unknown option prints "nfdump: invalid option" on stderr and its usage
  on stdout, and exits 0;
- a missing file, a zero-length, truncated or random-bytes file: one complaint
  on stderr ("appendix offset error", "read() error", "bad magic"), then
  "No matching flows" and a summary of 0 flows on stdout, exit 0 -- exactly
  what an empty window prints, except for the stderr;
- garbage over a data block: the flows before it, a complaint ("Unknown
  extension", "ptr error", "Corrupt data file"), no summary, exit 255 or 1;
- a few overwritten bytes inside flow values: no complaint at all, every flow
  printed, exit 0 -- the file format has no checksum, so wrong values are
  undetectable by nfdump and therefore by nfkafka;
- a single overwritten record header byte can give "Skip unknown record type
  N" on stderr with one flow fewer, a summary and exit 0;
- with -M DIR/chanA:chanB it stops at the first bad file and still exits 0
  with a summary: flows of the channels after it are never read.
"""
import os
import random
import re
import signal
import socket
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer

from collector import make_window
from compare import assert_rows_match
from nfdump_ref import nfdump_rows, path_version
from conftest import VALGRIND, consume, nfkafka_argv, run_nfkafka
from watermark import topic_size

CHANNELS = ('chanA', 'chanB')
FLOWS = 2000                 # per channel in the good window
SLOW = 10 if VALGRIND else 1  # valgrind needs longer timeouts
QUICK = 10 * SLOW            # a usage error or a failed nfdump: seconds
FMT_QUERY = "-o 'fmt:%ts,%pr,%byt'"


@pytest.fixture(scope='module')
def profile(tmp_path_factory):
    """One real window (FLOWS per channel) under base/chanA:chanB."""
    base = str(tmp_path_factory.mktemp('errors'))
    rel = make_window(base, CHANNELS, FLOWS)
    return base, rel


def channels(base):
    return '%s/%s' % (base, ':'.join(CHANNELS))


@pytest.fixture
def empty_topic(broker, topic):
    """A topic that exists, so published() can read its offsets at once."""
    broker.create_topic(topic)
    return topic


def published(broker, topic):
    """Messages the topic holds: the sum of its high watermarks.  Unlike
    consume() this needs no idle wait, and it counts aborted transactional
    records too, so 0 means nothing at all reached Kafka."""
    # read_uncommitted: the high watermark itself, not the last stable
    # offset, which lags while a transaction's abort markers are written.
    c = Consumer({'bootstrap.servers': broker.bootstrap,
                  'group.id': 'errors-%s' % uuid.uuid4().hex,
                  'isolation.level': 'read_uncommitted'})
    try:
        return topic_size(c, topic)
    finally:
        c.close()


def stderr_lines(run):
    """nfkafka's stderr lines, without valgrind's (NFKAFKA_VALGRIND=1): it
    reports librdkafka's thread stacks as possibly lost at exit()."""
    return [l for l in run.stderr.splitlines() if not re.match(r'==\d+==', l)]


def error_lines(run):
    return [l for l in stderr_lines(run) if l.startswith('nfkafka: error:')]


def assert_usage_error(run, *needles):
    """Exit 2 and exactly one stderr line, 'nfkafka: ...', naming needles."""
    assert run.returncode == 2, run
    lines = stderr_lines(run)
    assert len(lines) == 1, run
    assert lines[0].startswith('nfkafka: '), run
    for n in needles:
        assert n in lines[0], 'error line lacks %r: %s' % (n, lines[0])
    return lines[0]


def assert_window_failed(run, stamp, *needles):
    """Exit 1 and one error line naming the window and the reason."""
    assert run.returncode == 1, run
    errs = error_lines(run)
    assert len(errs) == 1, run
    assert 'window %s' % stamp in errs[0], run
    for n in needles:
        assert n in errs[0], 'error line lacks %r: %s' % (n, errs[0])
    return errs[0]


def stamp_of(rel):
    return os.path.basename(rel).split('.')[1]


# --- bad options -----------------------------------------------------------

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


# --- odd window names for --once ---------------------------------------------

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


# --- unreachable brokers -----------------------------------------------------

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


# --- a failing nfdump ----------------------------------------------------------

# Fake nfdumps: the real one cannot be made to fail in all these ways on
# purpose.  Each ignores its arguments.
ROWS = ('2026-11-27 10:55:01.000,6,1000\n'
        '2026-11-27 10:55:02.000,17,2000\n'
        '2026-11-27 10:55:03.000,1,3000\n')
HEADER = 'Date first seen         Proto    Bytes\n'
SUMMARY = ('Summary: total flows: 3, total bytes: 6000, total packets: 3, '
           'avg bps: 0, avg pps: 0, avg bpp: 0\n')

FAKES = {
    # A plain failure, with nfdump's reason on stderr.
    'stderr-exit-1': ("echo 'Open file /x/nfcapd.1: No such file' >&2\nexit 1\n",
                      0, ['exited with status 1',
                          'Open file /x/nfcapd.1: No such file']),
    # nfdump 1.7.1 on an unknown option: usage on stdout, exit 0.
    'usage-exit-0': ("echo 'usage nfdump [options] [\"filter\"]'\n"
                     "echo '-h\t\tthis text you see right here'\nexit 0\n",
                     0, ['nfdump printed its usage']),
    # Complaint on stderr only, otherwise an empty window with a summary.
    'stderr-exit-0': ("printf '%s'\necho 'No matching flows'\nprintf '%s'\n"
                      "echo 'appendix offset error' >&2\nexit 0\n"
                      % (HEADER, SUMMARY.replace('3', '0')),
                      0, ['appendix offset error']),
    # Rows, then the output stops: no summary, exit 0 (truncated output).
    'no-summary': ("printf '%s%s'\nexit 0\n" % (HEADER, ROWS),
                   3, ['without its summary']),
    # Rows, then killed (the OOM killer, an operator): no summary.
    'killed': ("printf '%s%s'\nkill -KILL $$\n" % (HEADER, ROWS),
               3, ['was killed by signal 9']),
    # A row that does not fit the query's output format, among good ones:
    # never skipped silently, whatever the summary says.
    'unfit-row': ("printf '%s%s'\necho 'garbage without commas'\n"
                  "printf '%s'\nexit 0\n" % (HEADER, ROWS, SUMMARY),
                  3, ['line 5 does not fit', 'garbage without commas']),
    # nfdump's own exit statuses above 128 (254: a filter error) are no signal.
    'exit-254': ("echo 'Line 1: syntax error' >&2\nexit 254\n",
                 0, ['exited with status 254', 'Line 1: syntax error']),
}


# The empty file nfkafka runs the query on at start (query_probe).
PROBE_FILE = 'nfcapd.197001010005'


def fake_nfdump(tmp_path, body, version='NSEL-NEL1.7.1'):
    """A shell script as --nfdump: it answers nfkafka's "nfdump -V" and its
    query check on an empty file at start as the nfdump of that version
    would, and runs body for everything else."""
    path = tmp_path / 'fake-nfdump'
    path.write_text('#!/bin/sh\nif [ "$1" = -V ]; then echo "nfdump: Version: '
                    '%s"; exit 0; fi\ncase "$*" in *%s*) echo "No matching '
                    'flows"; exit 0;; esac\n%s' % (version, PROBE_FILE, body))
    path.chmod(0o755)
    return path


@pytest.mark.parametrize('kind', list(FAKES))
def test_failing_nfdump(broker, empty_topic, profile, tmp_path, kind):
    """nfdump's failure fails the window (exit 1) with its stderr in the
    message.  At-least-once: rows nfdump printed before failing may already
    be in Kafka (at most those), but the window counts as failed, so it is
    exported again whole; consumers de-duplicate by the nfkafka-window and
    nfkafka-row headers, or use --transactional-id (test below)."""
    body, rows, needles = FAKES[kind]
    base, rel = profile
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(base), '-Q', FMT_QUERY,
                       '--nfdump', fake_nfdump(tmp_path, body)], timeout=QUICK)
    assert_window_failed(run, stamp_of(rel), *needles)
    assert 'exported' not in run.stderr
    n = published(broker, empty_topic)
    assert n <= rows
    if rows == 0:
        assert n == 0


def test_failing_nfdump_transactional(broker, empty_topic, profile, tmp_path):
    """With --transactional-id the rows of a failed window are aborted: a
    read_committed consumer sees none of them."""
    body, _rows, needles = FAKES['no-summary']
    base, rel = profile
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(base), '-Q', FMT_QUERY,
                       '--transactional-id', 'errors-%s' % uuid.uuid4().hex,
                       '--nfdump', fake_nfdump(tmp_path, body)], timeout=QUICK * 3)
    assert_window_failed(run, stamp_of(rel), *needles)
    assert published(broker, empty_topic) > 0   # written, then aborted
    assert consume(broker.bootstrap, empty_topic, timeout=10,
                   isolation='read_committed') == []


@pytest.mark.parametrize('version', ['NSEL-NEL1.7.1', '1.7.8-release'])
def test_unfit_row_fails_the_window(broker, empty_topic, profile, tmp_path,
                                    version):
    """A record nfkafka cannot read fails the window with the line in the
    message, for either version's rules: --once exits 1, and never reports
    the window exported with a row missing."""
    body, rows, needles = FAKES['unfit-row']
    base, rel = profile
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(base), '-Q', FMT_QUERY, '--nfdump',
                       fake_nfdump(tmp_path, body, version)], timeout=QUICK)
    assert_window_failed(run, stamp_of(rel), *needles)
    assert 'exported' not in run.stderr
    assert published(broker, empty_topic) <= rows


def test_csv_without_summary_is_whole_for_178(broker, empty_topic, profile,
                                              tmp_path):
    """1.7.8's csv ends with its last row; the same output from 1.7.1, whose
    csv always ends with a Summary block, is incomplete."""
    base, rel = profile
    body = ("printf 'firstSeen,proto,bytes\n%s'\nexit 0\n" % ROWS)
    for version, ok in (('1.7.8-release', True), ('NSEL-NEL1.7.1', False)):
        run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t',
                           empty_topic, '-M', channels(base), '-Q', '-o csv',
                           '--nfdump', fake_nfdump(tmp_path, body, version)],
                          timeout=QUICK)
        if ok:
            assert run.returncode == 0, run
            assert 'exported 3 records' in run.stderr, run
        else:
            assert_window_failed(run, stamp_of(rel), 'without its summary')


def test_nfdump_version_unreadable(profile, tmp_path):
    """nfkafka asks nfdump its version at start: no answer is a usage error."""
    base, _rel = profile
    fake = tmp_path / 'mute-nfdump'
    fake.write_text('#!/bin/sh\necho "no version here"\n')
    fake.chmod(0o755)
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', channels(base), '--nfdump',
                       fake, '--check-config'], timeout=QUICK)
    assert_usage_error(run, '--nfdump', 'does not say which nfdump version')


# --- an nfdump that hangs or ignores SIGTERM -----------------------------------

# Prints three rows, then ignores SIGTERM (inherited through exec) and hangs.
# The trap comes before the marker: a test that signals on seeing the marker
# must find SIGTERM already ignored.
STUBBORN = ("printf '%s%s'\ntrap '' TERM\necho $$ > {marker}.tmp\n"
            "mv {marker}.tmp {marker}\nexec sleep 600\n" % (HEADER, ROWS))


def test_nfdump_time_limit(broker, empty_topic, profile, tmp_path):
    """--nfdump-timeout: a window's nfdump that runs too long is stopped, and
    one that ignores SIGTERM is killed 5 s later; the window fails with a
    clear reason (live mode retries it)."""
    base, rel = profile
    marker = tmp_path / 'nfdump.pid'
    t0 = time.monotonic()
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(base), '-Q', FMT_QUERY, '--nfdump-timeout',
                       '2', '--nfdump', fake_nfdump(tmp_path, STUBBORN.format(
                           marker=marker))], timeout=60 * SLOW)
    took = time.monotonic() - t0
    assert_window_failed(run, stamp_of(rel), 'did not finish within 2 s',
                         'killed by signal 9')
    assert 'ignored SIGTERM for 5 s: killing it' in run.stderr
    assert took < 30 * SLOW, took
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)


def test_sigterm_with_stubborn_nfdump(broker, empty_topic, profile, tmp_path):
    """Shutdown does not wait for ever on an nfdump that ignores SIGTERM."""
    base, rel = profile
    marker = tmp_path / 'nfdump.pid'
    argv = nfkafka_argv(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                         '-M', channels(base), '-Q', FMT_QUERY, '--nfdump',
                         fake_nfdump(tmp_path, STUBBORN.format(marker=marker))])
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert p.poll() is None and time.monotonic() < deadline, \
                'the fake nfdump did not start'
            time.sleep(0.02)
        p.send_signal(signal.SIGTERM)
        _out, err = p.communicate(timeout=60 * SLOW)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 1, err
    assert 'ignored SIGTERM' in err
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)


# --- what nfdump inherits --------------------------------------------------------

def test_no_descriptor_leaks_into_nfdump(broker, topic, profile, tmp_path):
    """nfdump gets stdin, stdout and stderr only: not the log file, not
    librdkafka's pipes and sockets."""
    base, rel = profile
    fds = tmp_path / 'fds'
    fake = tmp_path / 'fd-nfdump'
    # find writes the list itself: a shell redirection or $(...) would
    # open descriptors of its own in the shell being listed.
    fake.write_text("#!/bin/sh\nfind /proc/$$/fd/ -mindepth 1 -fprintf %s "
                    "'%%f %%l\\n'\nexec nfdump \"$@\"\n" % fds)
    fake.chmod(0o755)
    log = tmp_path / 'nfkafka.log'
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', topic,
                       '-M', channels(base), '-Q', FMT_QUERY, '--log-file', log,
                       '--nfdump', fake], timeout=120)
    assert run.returncode == 0, run.stderr + log.read_text()
    assert 'exported %d records' % (2 * FLOWS) in log.read_text()
    seen = dict(l.split(' ', 1) for l in fds.read_text().splitlines())
    assert set(seen) >= {'0', '1', '2'}, seen
    # The shell keeps its script open to read it; anything else leaked.
    leaked = {fd: what for fd, what in seen.items()
              if int(fd) > 2 and what != str(fake)}
    assert leaked == {}, seen


def test_check_config_environment(profile, tmp_path):
    """--check-config runs nfdump with TZ, LC_ALL and PATH only, as a window's
    run does: a secret in nfkafka's environment (for ${env:...}) stays."""
    base, _rel = profile
    envs = tmp_path / 'env'
    fake = fake_nfdump(tmp_path, 'env >> %s\necho "No matching flows"\n'
                       'exit 0\n' % envs)
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', channels(base), '-Q',
                       FMT_QUERY, '--nfdump', fake, '--check-config'],
                      timeout=QUICK, env={'NFKAFKA_TEST_SECRET': 's3cr3t'})
    text = envs.read_text()
    assert 'TZ=UTC' in text and 'LC_ALL=C' in text, text
    assert 's3cr3t' not in text and 'NFKAFKA_TEST_SECRET' not in text, text
    assert run.returncode == 2, run   # the fake's output is no real window


def test_check_config_filter_like_an_option(tmp_path, nfdump_version):
    """nfdump gets "--" before the filter, so a filter that starts with
    '-' is checked as a filter: '-V' is no filter, so the check at start
    (the query on an empty file) fails with nfdump's words, instead of
    printing nfdump's version and passing."""
    chan = tmp_path / 'chanA'
    chan.mkdir()
    run = run_nfkafka(['-b', '127.0.0.1:9', '-M', chan, '-Q',
                       "-o 'fmt:%ts' -- -V", '--check-config'], timeout=QUICK)
    assert_usage_error(run, '-Q', 'nfdump %s refuses the query' %
                       nfdump_version.version, 'syntax error')
    good = run_nfkafka(['-b', '127.0.0.1:9', '-M', chan, '-Q',
                        "-o 'fmt:%ts' proto tcp", '--check-config'],
                       timeout=QUICK)
    assert good.returncode == 0, good
    # --check-config names the nfdump version it found.
    assert '; nfdump %s)' % nfdump_version.version in good.stdout, good.stdout


# --- corrupt and truncated nfcapd files ----------------------------------------

def corrupt(path, kind):
    data = open(path, 'rb').read()
    rnd = random.Random(kind)
    if kind == 'truncated-300':
        data = data[:300]
    elif kind == 'truncated-half':
        data = data[:len(data) // 2]
    elif kind == 'garbage-middle':
        mid = len(data) // 2
        data = data[:mid] + rnd.randbytes(4096) + data[mid + 4096:]
    elif kind == 'zero-length':
        data = b''
    elif kind == 'random-bytes':
        data = rnd.randbytes(50_000)
    with open(path, 'wb') as f:
        f.write(data)


def reference_nfdump(chans, rel):
    """What nfdump itself does with the window, as nfkafka runs it."""
    return subprocess.run(['nfdump', '-M', chans, '-r', rel, '-o',
                           'fmt:%ts,%pr,%byt', '-N', '-6'],
                          capture_output=True, text=True, timeout=QUICK,
                          env=dict(os.environ, TZ='UTC', LC_ALL='C'))


CORRUPT = ['truncated-300', 'truncated-half', 'garbage-middle', 'zero-length',
           'random-bytes']


@pytest.fixture(scope='module')
def corrupt_profiles(profile, tmp_path_factory):
    """{kind: base}: copies of the good window with both channels damaged
    alike, and 'only-chanA', 'only-chanB' with one channel truncated."""
    good, rel = profile
    out = {}
    for kind in CORRUPT + ['only-chanA', 'only-chanB']:
        base = str(tmp_path_factory.mktemp(kind))
        for ch in CHANNELS:
            os.makedirs(os.path.join(base, ch))
            dst = os.path.join(base, ch, rel)
            with open(os.path.join(good, ch, rel), 'rb') as src:
                open(dst, 'wb').write(src.read())
            if kind in CORRUPT:
                corrupt(dst, kind)
            elif kind == 'only-' + ch:
                corrupt(dst, 'truncated-half')
        out[kind] = base
    return out


@pytest.mark.parametrize('kind', CORRUPT)
def test_corrupt_window(broker, empty_topic, profile, corrupt_profiles, kind):
    """nfdump complains on stderr (but exits 0 for most of these); nfkafka
    fails the window naming it and quoting the complaint."""
    _good, rel = profile
    chans = channels(corrupt_profiles[kind])
    ref = reference_nfdump(chans, rel)
    complaint = ref.stderr.strip().splitlines()
    assert complaint, 'nfdump 1.7.1 always complained for these: %r' % ref
    if kind != 'garbage-middle':
        # The point: same exit status and stdout as an empty window.
        assert ref.returncode == 0 and 'No matching flows' in ref.stdout, ref
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', chans, '-Q', FMT_QUERY], timeout=QUICK)
    if kind == 'garbage-middle' and path_version() >= (1, 7, 5):
        # 1.7.5 and later print a hex dump of the bad block among the
        # rows: the window fails on that line, before nfdump's complaint.
        assert_window_failed(run, stamp_of(rel), 'does not fit')
    else:
        assert_window_failed(run, stamp_of(rel), complaint[0].strip())
    n = published(broker, empty_topic)
    if kind == 'garbage-middle':
        # nfdump printed the flows before the garbage, then failed; those
        # may be in Kafka (at-least-once), never the whole window.
        assert n < 2 * FLOWS
    else:
        assert n == 0


def test_corrupt_window_transactional(broker, empty_topic, profile,
                                      corrupt_profiles):
    """Exactly-once mode: the flows read before the garbage are aborted."""
    _good, rel = profile
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(corrupt_profiles['garbage-middle']),
                       '-Q', FMT_QUERY,
                       '--transactional-id', 'errors-%s' % uuid.uuid4().hex],
                      timeout=QUICK * 3)
    assert_window_failed(run, stamp_of(rel))
    if path_version() < (1, 7, 5):
        # 1.7.1 prints rows before the garbage (1.7.5 its hex dump first).
        assert published(broker, empty_topic) > 0   # written, then aborted
    assert consume(broker.bootstrap, empty_topic, timeout=10,
                   isolation='read_committed') == []


@pytest.mark.parametrize('bad', CHANNELS)
def test_one_corrupt_channel_fails_the_window(broker, empty_topic, profile,
                                              corrupt_profiles, bad):
    """nfdump 1.7.1 stops at the first bad file of -M a:b and still exits 0
    with a summary: chanA bad -> "No matching flows", chanB's flows are never
    read; chanB bad -> chanA's flows and a summary of FLOWS flows.  Only
    stderr tells.  Either way the window fails instead of being published
    as empty or as half of itself."""
    _good, rel = profile
    chans = channels(corrupt_profiles['only-' + bad])
    ref = reference_nfdump(chans, rel)
    shown = 0 if bad == 'chanA' else FLOWS
    assert ref.returncode == 0, ref
    assert 'Summary: total flows: %d,' % shown in ref.stdout, ref
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', chans, '-Q', FMT_QUERY], timeout=QUICK)
    assert_window_failed(run, stamp_of(rel), ref.stderr.splitlines()[0].strip())
    assert published(broker, empty_topic) <= shown   # at-least-once


# --- signals ---------------------------------------------------------------------

def test_sigterm_during_once(broker, empty_topic, profile, tmp_path):
    """SIGTERM while nfdump still runs: nfkafka stops it, exits 1 at once,
    says the window was not exported, and leaves no nfdump behind."""
    base, rel = profile
    marker = tmp_path / 'nfdump.pid'
    body = ("printf '%s%s'\necho $$ > %s.tmp\nmv %s.tmp %s\nexec sleep 60\n"
            % (HEADER, ROWS, marker, marker, marker))
    argv = nfkafka_argv(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                         '-M', channels(base), '-Q', FMT_QUERY,
                         '--nfdump', fake_nfdump(tmp_path, body)])
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + QUICK
        while not marker.exists():
            assert p.poll() is None and time.monotonic() < deadline, \
                'the fake nfdump did not start'
            time.sleep(0.02)
        child = int(marker.read_text())
        time.sleep(0.3)    # let nfkafka read and queue the rows
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        _out, err = p.communicate(timeout=QUICK)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert time.monotonic() - t0 < 5 * SLOW
    assert p.returncode == 1, err
    # This line names the window by the file given to --once.
    assert 'window %s: not exported: interrupted' % rel in err
    assert 'exported 3' not in err
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)   # nfdump was stopped and reaped


def test_unrunnable_nfdump_is_retried_not_fatal(broker, topic, tmp_path, daemons):
    """nfdump that cannot be started (here: no longer executable) is not this
    window's fault and never a Kafka refusal: nfkafka says why, keeps the
    window and exports it once nfdump runs again."""
    base = tmp_path / 'p'
    (base / 'chanA').mkdir(parents=True)
    wrapper = fake_nfdump(tmp_path, 'exec nfdump "$@"\n')
    d = daemons(['-M', '%s/chanA' % base, '-b', broker.bootstrap, '-t', topic,
                 '-Q', FMT_QUERY, '--nfdump', wrapper, '--state', tmp_path / 'state',
                 '--backoff-min', '0.2', '--backoff-max', '1'])
    d.wait_log('watching', timeout=60)
    wrapper.chmod(0o644)
    rel = make_window(str(base), ('chanA',), 40)
    d.wait_log('cannot run nfdump', timeout=120)
    assert d.proc.poll() is None, d.text()
    wrapper.chmod(0o755)
    d.wait_log('window %s: chanA: 40 records' % stamp_of(rel), timeout=120)
    assert len(consume(broker.bootstrap, topic, expect=40, timeout=60)) == 40


# --- hostile bytes (issue 12) ------------------------------------------------

def test_nfdump_control_bytes_are_escaped_in_the_log(broker, empty_topic,
                                                     profile, tmp_path):
    """nfdump's stderr is quoted in the error line: an escape sequence or a
    newline in it must not reach the terminal or forge a second line."""
    base, rel = profile
    body = "printf 'bad\\033[31m red\\nnfkafka: error: forged\\n' >&2\nexit 1\n"
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(base), '-Q', FMT_QUERY,
                       '--nfdump', fake_nfdump(tmp_path, body)], timeout=QUICK)
    err = assert_window_failed(run, stamp_of(rel), 'exited with status 1')
    assert '\x1b' not in run.stderr
    assert 'bad\\x1b[31m red' in err
    assert not any('forged' in l and l.startswith('nfkafka: error: forged')
                   for l in stderr_lines(run)), run


def test_non_utf8_values_reach_a_strict_decoder(broker, empty_topic, profile,
                                                 tmp_path):
    """A value that is not UTF-8 is sent as a CBOR byte string with its exact
    bytes, so strict decoders (cbor2) read every record."""
    base, rel = profile
    rows = ('2026-11-27 10:55:01.000,6,1000\n'
            '2026-11-27 10:55:02.000,\\377\\376,2000\n'
            '2026-11-27 10:55:03.000,caf\\303\\251,3000\n')
    body = "printf '%s%s%s'\nexit 0\n" % (HEADER, rows, SUMMARY)
    for values in ('typed', 'strings'):
        topic = '%s-%s' % (empty_topic, values)
        broker.create_topic(topic)
        run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', topic,
                           '-M', channels(base), '-Q', FMT_QUERY,
                           '--values', values,
                           '--nfdump', fake_nfdump(tmp_path, body)],
                          timeout=60 * SLOW)
        assert run.returncode == 0, run
        got = consume(broker.bootstrap, topic, expect=3)
        assert len(got) == 3, got
        protos = [m['value']['proto'] for m in got]
        assert protos[1] == b'\xff\xfe', protos
        assert protos[2] == 'caf\u00e9', protos


SECRET = 'hunter2-sEcReT'


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


def test_symlinked_window_is_not_followed(profile, tmp_path):
    """A nfcapd.* symbolic link in a channel directory could hand nfdump any
    file on the host: it is not a window file."""
    base, rel = profile
    chan = tmp_path / 'chanA'
    chan.mkdir()
    name = 'nfcapd.202611271055'
    os.symlink(os.path.join(base, 'chanA', rel), chan / name)
    run = run_nfkafka(['--once', name, '-b', '127.0.0.1:9',
                       '-M', '%s/chanA' % tmp_path], timeout=QUICK)
    assert_window_failed(run, '202611271055', 'no channel has')


# --- SASL: a wrong password fails at once (issue 12) --------------------------

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


def test_symlinked_window_is_skipped_live(broker, topic, tmp_path, daemons):
    """Live: a nfcapd.* symbolic link that appears in a channel directory is
    not a window; the real window after it is exported, alone."""
    base = tmp_path / 'p'
    (base / 'chanA').mkdir(parents=True)
    d = daemons(['-M', '%s/chanA' % base, '-b', broker.bootstrap, '-t', topic,
                 '-Q', FMT_QUERY, '--state', tmp_path / 'state', '--grace', '1'])
    d.wait_log('watching', timeout=60)
    elsewhere = make_window(str(tmp_path / 'elsewhere'), ('chanA',), 25)
    os.symlink(tmp_path / 'elsewhere' / 'chanA' / elsewhere,
               base / 'chanA' / elsewhere)
    rel = make_window(str(base), ('chanA',), 40)
    assert stamp_of(rel) > stamp_of(elsewhere)
    d.wait_log('window %s: chanA: 40 records' % stamp_of(rel), timeout=120)
    rows = nfdump_rows('%s/chanA' % base, rel, ['-o', 'fmt:%ts,%pr,%byt'])
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=60)
    assert_rows_match([m['value'] for m in msgs], rows,
                      ['first_seen', 'proto', 'bytes'])
    assert 'window %s' % stamp_of(elsewhere) not in d.text()


def test_slowloris_does_not_lock_out_health(profile, tmp_path, daemons):
    """70 idle connections to --metrics, then /health: answered at once,
    not refused, and not only after the 10 s idle timeout."""
    import urllib.error
    import urllib.request
    from kafka_broker import free_port
    base, _rel = profile
    port = free_port()
    d = daemons(['-b', '127.0.0.1:9', '-M', channels(base),
                 '--metrics', '127.0.0.1:%d' % port])
    d.wait_log('watching', timeout=60)
    idle = []
    try:
        for _ in range(70):
            idle.append(socket.create_connection(('127.0.0.1', port),
                                                 timeout=5))
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d/health' % port,
                                        timeout=8) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code   # 503: no broker; an answer all the same
        assert status in (200, 503)
        assert time.monotonic() - t0 < 8
    finally:
        for s in idle:
            s.close()
    assert 'closing the oldest idle' in d.text()
    assert d.stop() == 0
