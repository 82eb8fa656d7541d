# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures for driving the real nfkafka binary against real services.

Services: a real Kafka broker (KRaft, 127.0.0.1, tests/lib/kafka_broker.py)
and real nfcapd/nfdump (tests/lib/collector.py). Every test gets its own
topic and directories; tests that break the broker get a broker of their
own. NFKAFKA_VALGRIND=1 runs the daemon under valgrind.
"""
import fcntl
import glob
import os
import re
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
        if '--state' in self.args:
            wait_lock_free(self.args[self.args.index('--state') + 1] + '.lock')


def lock_holders(path):
    """The processes that have path open, as 'pid command' strings."""
    held = []
    for fd in glob.glob('/proc/[0-9]*/fd/*'):
        try:
            if os.readlink(fd) == path:
                pid = fd.split('/')[2]
                with open('/proc/%s/cmdline' % pid, 'rb') as f:
                    held.append('%s %s' % (pid, f.read().replace(b'\0', b' ')
                                           .decode(errors='replace')[:120]))
        except OSError:
            continue
    return held


def wait_lock_free(path, timeout=60):
    """After a SIGKILL the state lock must come free: a restart (systemd's)
    would otherwise exit 2. Once, in one of four full runs, a restarted
    nfkafka found it still held; this waits for it and names the holders
    if it stays held, rather than failing the test that restarts."""
    def free():
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
    wait_until(free, timeout, lambda: '%s still locked after the kill by %s'
               % (path, lock_holders(path)))


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
    """One nfdump release: its nfdump and nfcapd, first on PATH in a test.
    version names the release ('1.8.0-beta-5fa3336'), reported is what its
    nfdump -V says ('1.8.0'), number a tuple to compare ((1, 8, 0))."""

    def __init__(self, version, bindir):
        self.version, self.bindir = version, bindir
        self.reported = version.split('-')[0]
        self.number = tuple(int(x) for x in self.reported.split('.'))
        self.nfdump = os.path.join(bindir, 'nfdump')
        self.nfcapd = os.path.join(bindir, 'nfcapd')

    def __repr__(self):
        return 'nfdump %s' % self.version


# The versions the matrix (test_versions.py) runs; the tests whose subject
# depends on the version run with NFDUMP_VERSIONS; the rest with the
# system's nfdump only (ONE_VERSION).
ALL_NFDUMP_VERSIONS = ('1.6.25', '1.7.1', '1.7.5', '1.7.8',
                       '1.8.0-beta-5fa3336')
NFDUMP_VERSIONS = ('1.7.1', '1.7.8')
# The system's nfdump; NFKAFKA_TEST_SYSTEM_NFDUMP names another, to try
# the suite as another system would run it (Debian 13: 1.7.5's).
SYSTEM_NFDUMP = os.environ.get('NFKAFKA_TEST_SYSTEM_NFDUMP', '/usr/bin/nfdump')
_SYSTEM = []
_BINDIRS = {}


def system_nfdump_version():
    """What the system's nfdump says it is ('1.7.1' on Debian 12, '1.7.5'
    on Debian 13), or None without one."""
    if not _SYSTEM:
        try:
            out = subprocess.run([SYSTEM_NFDUMP, '-V'], capture_output=True,
                                 text=True, stdin=subprocess.DEVNULL).stdout
        except OSError:
            out = ''
        m = re.search(r'(\d+\.\d+\.\d+)', out)
        _SYSTEM.append(m.group(1) if m else None)
    return _SYSTEM[0]


def nfdump_bindir(version):
    """The bin directory of that nfdump: the system's where it is that
    version, else built once into the cache by tests/setup/nfdump.sh (about
    a minute the first time); None where neither is possible."""
    if version not in _BINDIRS:
        if version in ('system', system_nfdump_version()):
            _BINDIRS[version] = os.path.dirname(SYSTEM_NFDUMP)
        elif version == '1.7.1':
            _BINDIRS[version] = None   # Debian 12's package; no tarball
        else:
            p = subprocess.run(['sh', os.path.join(ROOT, 'tests', 'setup',
                                                   'nfdump.sh'), version],
                               capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
            if p.returncode != 0:
                raise RuntimeError('tests/setup/nfdump.sh %s failed: %s'
                                   % (version, p.stderr))
            _BINDIRS[version] = p.stdout.strip() or None
    return _BINDIRS[version]


def nfdump_absent(version):
    """The one line that says why a version's tests are left out."""
    if version == '1.7.1':
        return ('nfdump 1.7.1 is Debian 12\'s package; this system\'s nfdump '
                'is %s' % system_nfdump_version())
    return ('../shared/nfdump/nfdump-%s.tar.gz is absent, so nfdump %s is not '
            'built (see tests/setup/nfdump.sh)' % (version, version))


def nfdump178():
    """nfdump 1.7.8's bin directory, or None (see nfdump_bindir)."""
    return nfdump_bindir('1.7.8')


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """A version that is not there has its variants left out, and the
    summary says so in one line each (pytest_terminal_summary)."""
    left_out = {}
    for i in list(items):
        cs = getattr(i, 'callspec', None)
        v = cs.params.get('nfdump_version') if cs is not None else None
        if v is None or nfdump_bindir(v) is not None:
            continue
        left_out.setdefault(v, []).append(i)
    for v, gone in left_out.items():
        config.hook.pytest_deselected(items=gone)
        items[:] = [i for i in items if i not in gone]
    config.nfdump_left_out = {v: len(g) for v, g in left_out.items()}


@pytest.fixture(params=NFDUMP_VERSIONS)
def nfdump_version(request, monkeypatch):
    """Runs the test against one nfdump release (Debian 12's 1.7.1 and
    upstream's 1.7.8 unless the test names others): its nfdump and nfcapd
    come first on PATH, for the collectors, the reference nfdump and nfkafka
    (whose default --nfdump is 'nfdump'). 'system' is the system's own,
    whatever its version."""
    bindir = nfdump_bindir(request.param)
    if bindir is None:
        pytest.skip(nfdump_absent(request.param))
    version = request.param
    if version == 'system':
        version = system_nfdump_version()
    nd = Nfdump(version, bindir)
    monkeypatch.setenv('PATH', nd.bindir + os.pathsep + os.environ.get('PATH', ''))
    return nd


# For a test whose subject does not depend on the nfdump version: it runs
# with the system's nfdump only, so the suite stays short.
ONE_VERSION = pytest.mark.parametrize('nfdump_version', ['system'],
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
    """What this process has to say at the end: which nfdump versions' tests
    were left out, and the delivery figures of test_delivery.py,
    test_revisions.py and test_faults.py."""
    lines = []
    for name in ('test_delivery', 'test_revisions', 'test_faults'):
        mod = sys.modules.get(name)
        if mod is not None:
            lines += mod.FIGURES
    return getattr(config, 'nfdump_left_out', {}), lines


def pytest_sessionfinish(session):
    """With pytest-xdist (tests/run-integration.sh), a worker hands its
    report to the controller, which prints them all."""
    out = getattr(session.config, 'workeroutput', None)
    if out is not None:
        out['left_out'], out['figures'] = _report(session.config)


def pytest_testnodedown(node, error):
    out = getattr(node, 'workeroutput', {})
    node.config.nfkafka_reports = getattr(node.config, 'nfkafka_reports', []) + [
        (out.get('left_out', {}), out.get('figures', []))]


def pytest_terminal_summary(terminalreporter, config):
    """Delivery figures, printed whatever passed; one line for each nfdump
    version whose tests were left out."""
    reports = [_report(config)] + getattr(config, 'nfkafka_reports', [])
    left_out = {}
    for counts, _ in reports:
        for v, n in (counts or {}).items():
            left_out[v] = max(n, left_out.get(v, 0))
    for v, n in sorted(left_out.items()):
        terminalreporter.write_line('SKIPPED %d tests against nfdump %s: %s'
                                    % (n, v, nfdump_absent(v)))
    lines = [line for _, figures in reports for line in figures]
    if lines:
        terminalreporter.section('delivery figures (lost must be 0)')
        for line in lines:
            terminalreporter.write_line(line)
