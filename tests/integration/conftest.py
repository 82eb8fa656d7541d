# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures for driving the real nfkafka binary against real services.

Services: a real Kafka broker (KRaft, 127.0.0.1, tests/lib/kafka_broker.py)
and real nfcapd/nfdump (tests/lib/collector.py). Every test gets its own
topic and directories; tests that break the broker get a broker of their
own. NFKAFKA_VALGRIND=1 runs the daemon under valgrind.
"""
import os
import signal
import subprocess
import sys
import tempfile
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))

from kafka_broker import KafkaBroker, free_port  # noqa: E402
from consume import consume  # noqa: E402
from wait import wait_until  # noqa: E402

NFKAFKA = os.environ.get('NFKAFKA_BIN', os.path.join(ROOT, 'nfkafka'))
NFDUMP_VERSIONS = ('1.7.1', '1.7.8')
VALGRIND = os.environ.get('NFKAFKA_VALGRIND') == '1'


def nfkafka_argv(args):
    argv = [NFKAFKA] + [str(a) for a in args]
    if VALGRIND:
        # somalloc: valgrind also follows a binary linked with jemalloc.
        argv = ['valgrind', '-q', '--error-exitcode=99', '--leak-check=full',
                '--soname-synonyms=somalloc=*jemalloc*',
                '--errors-for-leak-kinds=definite'] + argv
    return argv


class Run:
    """A finished nfkafka run: exit status and what it logged."""

    def __init__(self, proc, stderr):
        self.returncode = proc.returncode
        self.stderr = stderr
        self.stdout = getattr(proc, 'stdout', None) or ''

    def __repr__(self):
        return 'nfkafka exited %d; stderr:\n%s' % (self.returncode, self.stderr)


def run_nfkafka(args, timeout=120, env=None):
    """Run nfkafka to completion (--once, --replay, bad options)."""
    p = subprocess.run(nfkafka_argv(args), capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, **(env or {})))
    sys.stderr.write('--- nfkafka %s\n%s' % (' '.join(map(str, args)), p.stderr))
    return Run(p, p.stderr)


class Daemon:
    """nfkafka in live mode, stderr to a file, always terminated."""

    def __init__(self, args, workdir, env=None):
        self.args = [str(a) for a in args]
        self.logpath = os.path.join(workdir, 'nfkafka-%s.log' % uuid.uuid4().hex[:6])
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.start()

    def start(self):
        self.log = open(self.logpath, 'a')
        self.log_offset = os.path.getsize(self.logpath)
        self.proc = subprocess.Popen(nfkafka_argv(self.args), stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env)

    def text(self):
        with open(self.logpath) as f:
            return f.read()

    def wait_log(self, needle, timeout=30, count=1):
        """Wait until needle appears count times in the log of this run."""
        wait_until(lambda: self.text().count(needle) >= count, timeout,
                   lambda: 'nfkafka log lacks %r x%d:\n%s' % (
                       needle, count, self.text()), proc=self.proc)

    def send(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError('nfkafka did not stop within %ds:\n%s'
                                     % (timeout, self.text()))
        self.log.close()
        return self.proc.returncode

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()


@pytest.fixture
def daemons(tmp_path):
    """Factory for live daemons; all are stopped and their logs printed."""
    started = []

    def start(args, env=None):
        d = Daemon(args, str(tmp_path), env)
        started.append(d)
        return d
    yield start
    for d in started:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()
        sys.stderr.write('--- nfkafka log %s\n%s' % (d.logpath, d.text()))


class Nfdump:
    """One nfdump release: its nfdump and nfcapd, first on PATH in a test."""

    def __init__(self, version, bindir):
        self.version, self.bindir = version, bindir
        self.nfdump = os.path.join(bindir, 'nfdump')
        self.nfcapd = os.path.join(bindir, 'nfcapd')

    def __repr__(self):
        return 'nfdump %s' % self.version


_NFDUMP178 = []   # [bin directory or None], once found
NFDUMP178_ABSENT = ('../shared/nfdump/nfdump-1.7.8.tar.gz is absent, so nfdump '
                    '1.7.8 is not built (see tests/setup/nfdump.sh)')


def nfdump178():
    """nfdump 1.7.8's bin directory, built once into the cache by
    tests/setup/nfdump.sh (about a minute, the first time on a machine);
    None where its source tarball is absent."""
    if not _NFDUMP178:
        p = subprocess.run(['sh', os.path.join(ROOT, 'tests', 'setup', 'nfdump.sh')],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise RuntimeError('tests/setup/nfdump.sh failed: %s' % p.stderr)
        _NFDUMP178.append(p.stdout.strip() or None)
    return _NFDUMP178[0]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Without nfdump 1.7.8, its variants are left out, and the summary
    says so in one line (pytest_terminal_summary)."""
    newer = [i for i in items if getattr(i, 'callspec', None) is not None
             and i.callspec.params.get('nfdump_version') == '1.7.8']
    if not newer or nfdump178() is not None:
        return
    config.hook.pytest_deselected(items=newer)
    items[:] = [i for i in items if i not in newer]
    config.nfdump178_left_out = len(newer)


@pytest.fixture(scope='session')
def nfdump178_bindir():
    return nfdump178()


@pytest.fixture(params=NFDUMP_VERSIONS)
def nfdump_version(request, monkeypatch, nfdump178_bindir):
    """Runs the test against Debian's nfdump 1.7.1 and upstream's 1.7.8:
    their nfdump and nfcapd come first on PATH, for the collectors, the
    reference nfdump and nfkafka (whose default --nfdump is 'nfdump')."""
    if request.param == '1.7.8':
        if nfdump178_bindir is None:
            pytest.skip(NFDUMP178_ABSENT)
        nd = Nfdump('1.7.8', nfdump178_bindir)
    else:
        nd = Nfdump('1.7.1', '/usr/bin')
    monkeypatch.setenv('PATH', nd.bindir + os.pathsep + os.environ.get('PATH', ''))
    return nd


# For a test whose subject does not depend on the nfdump version: it runs
# with Debian's 1.7.1 only, so the suite stays short.
ONE_VERSION = pytest.mark.parametrize('nfdump_version', ['1.7.1'],
                                      indirect=True)


@pytest.fixture(scope='session')
def broker(tmp_path_factory):
    """The shared broker: tests that only produce and consume use it."""
    b = KafkaBroker(str(tmp_path_factory.mktemp('kafka')))
    b.start()
    yield b
    b.stop()


@pytest.fixture
def own_broker(tmp_path):
    """A broker of this test's own, for killing, freezing and restarting."""
    made = []

    def make(**kw):
        b = KafkaBroker(str(tmp_path / ('kafka%d' % len(made))), **kw)
        made.append(b)
        return b
    yield make
    for b in made:
        b.stop()


@pytest.fixture
def topic():
    return 'test-' + uuid.uuid4().hex[:10]


def records_by_window(msgs):
    """{window stamp: [decoded records in offset order]} from consume()."""
    out = {}
    for m in sorted(msgs, key=lambda m: (m['partition'], m['offset'])):
        w = m['window'] or ''
        out.setdefault(w, []).append(m)
    return out


def _report(config):
    """What this process has to say at the end: how many 1.7.8 tests were
    left out, and the delivery figures of test_delivery.py and
    test_revisions.py and test_faults.py."""
    lines = []
    for name in ('test_delivery', 'test_revisions', 'test_faults'):
        mod = sys.modules.get(name)
        if mod is not None:
            lines += mod.FIGURES
    return getattr(config, 'nfdump178_left_out', 0), lines


def pytest_sessionfinish(session):
    """With pytest-xdist (tests/run-integration.sh), a worker hands its
    report to the controller, which prints them all."""
    out = getattr(session.config, 'workeroutput', None)
    if out is not None:
        out['left_out'], out['figures'] = _report(session.config)


def pytest_testnodedown(node, error):
    out = getattr(node, 'workeroutput', {})
    node.config.nfkafka_reports = getattr(node.config, 'nfkafka_reports', []) + [
        (out.get('left_out', 0), out.get('figures', []))]


def pytest_terminal_summary(terminalreporter, config):
    """Delivery figures, printed whatever passed; the one line on nfdump
    1.7.8's tests when it is not there."""
    reports = [_report(config)] + getattr(config, 'nfkafka_reports', [])
    left_out = max(n for n, _ in reports)
    if left_out:
        terminalreporter.write_line('SKIPPED %d tests against nfdump 1.7.8: %s'
                                    % (left_out, NFDUMP178_ABSENT))
    lines = [line for _, figures in reports for line in figures]
    if lines:
        terminalreporter.section('delivery figures (lost must be 0)')
        for line in lines:
            terminalreporter.write_line(line)
