# SPDX-License-Identifier: BSD-2-Clause
"""An nfdump that fails, lies, hangs or ignores SIGTERM, and what every
nfdump inherits: the window fails (or is retried live) with nfdump's own
reason, never published as if it were complete."""
import os
import signal
import subprocess
import time
import uuid

import pytest

from collector import make_window
from conftest import consume, nfkafka_argv, run_nfkafka
from errcheck import (FLOWS, FMT_QUERY, HEADER, QUICK, ROWS, SLOW, SUMMARY,
                      assert_usage_error, assert_window_failed, channels,
                      empty_topic, fake_nfdump, profile, published, stamp_of)
from wait import wait_until


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
        wait_until(marker.exists, 60 * SLOW, 'the fake nfdump did not start',
                   interval=0.02, proc=p)
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
    (the query on an empty window) fails with nfdump's words, instead of
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
        wait_until(marker.exists, 60 * SLOW, 'the fake nfdump did not start',
                   interval=0.02, proc=p)
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
