# SPDX-License-Identifier: BSD-2-Clause
"""The state file as an attacker or a careless operator leaves it (issue
12): a symbolic link, a planted STATE.tmp link, a FIFO, a stamp in the
future; and a long history on disk must not make start-up quadratic."""
import os
import time

from conftest import run_nfkafka
from livecheck import FLOW_QUERY


def profile_dir(tmp_path):
    chan = tmp_path / 'flows' / 'chanA'
    chan.mkdir(parents=True)
    return '%s/chanA' % (tmp_path / 'flows')


def start_args(tmp_path, state):
    # Nothing listens there: these runs must fail, or be stopped, first.
    return ['-M', profile_dir(tmp_path), '-b', '127.0.0.1:1', '-Q', FLOW_QUERY,
            '--state', state]


def test_state_symlink_refused(tmp_path):
    victim = tmp_path / 'victim'
    victim.write_text('precious\n')
    os.symlink(victim, tmp_path / 'state')
    run = run_nfkafka(start_args(tmp_path, tmp_path / 'state'), timeout=60)
    assert run.returncode != 0, run
    assert 'symbolic link' in run.stderr and 'state file' in run.stderr, run
    assert victim.read_text() == 'precious\n'


def test_state_fifo_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / 'state')
    started = time.monotonic()
    run = run_nfkafka(start_args(tmp_path, tmp_path / 'state'), timeout=60)
    assert run.returncode != 0, run
    assert 'FIFO' in run.stderr, run
    assert time.monotonic() - started < 50


def test_state_in_the_future_warned_not_fatal(tmp_path, daemons):
    """Issue 20: a floor far ahead no longer stops every restart (exit 2
    under RestartPreventExitStatus=2): said, and resumed from what is not."""
    (tmp_path / 'state').write_text('209901010000\n')
    d = daemons(start_args(tmp_path, tmp_path / 'state'))
    d.wait_log('watching', timeout=60)
    assert 'window 20990101000000 is more than 86400 s ahead' in d.text()
    assert d.stop() == 0
    assert not (tmp_path / 'state').read_text().startswith('2099')


def test_planted_tmp_link_not_followed(tmp_path, daemons):
    """STATE.tmp planted as a link: the save must not write through it."""
    victim = tmp_path / 'victim'
    victim.write_text('precious\n')
    state = tmp_path / 'state'
    os.symlink(victim, str(state) + '.tmp')
    d = daemons(start_args(tmp_path, state) + ['--since', '2026-01-01'])
    d.wait_log('watching', timeout=60)
    assert victim.read_text() == 'precious\n'
    assert not os.path.islink(state) and state.read_text().startswith('2025')
    assert d.stop() == 0


def test_startup_scan_of_100k_windows(tmp_path, daemons):
    """100 000 windows on disk: listed and ordered in seconds, not minutes
    (each used to be inserted into a sorted list in O(n))."""
    prof = profile_dir(tmp_path)
    chan = prof.rsplit('/', 1)[0] + '/chanA'
    t0 = int(time.mktime((2026, 1, 1, 0, 0, 0, 0, 0, -1)))
    for i in range(100_000):
        name = time.strftime('nfcapd.%Y%m%d%H%M%S', time.localtime(t0 + i))
        open(os.path.join(chan, name), 'w').close()
    started = time.monotonic()
    d = daemons(['-M', prof, '-b', '127.0.0.1:1', '-Q', FLOW_QUERY,
                 '--since', '2025-12-31', '--backlog-warn', '0'])
    d.wait_log('100000 window(s) on disk to export first', timeout=90)
    took = time.monotonic() - started
    assert took < 90
    print('start-up with 100000 windows: %.1f s' % took)
    d.kill()


def test_second_instance_on_one_state_file_refused(tmp_path, daemons):
    """Two nfkafka started on one state file by mistake would export every
    window twice: the second is refused at once, naming the first's pid;
    once the first has stopped, its successor starts."""
    state = tmp_path / 'state'
    first = daemons(start_args(tmp_path, state))
    first.wait_log('watching', timeout=120)
    again = ['-M', '%s/chanA' % (tmp_path / 'flows'), '-b', '127.0.0.1:1',
             '-Q', FLOW_QUERY, '--state', state]
    run = run_nfkafka(again, timeout=60)
    assert run.returncode == 2, run
    assert 'in use by another nfkafka (pid %d)' % first.proc.pid in run.stderr, run
    assert first.proc.poll() is None
    assert first.stop() == 0
    second = daemons(again)
    second.wait_log('watching', timeout=120)
    assert second.stop() == 0
