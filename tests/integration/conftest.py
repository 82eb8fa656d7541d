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
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))

from kafka_broker import KafkaBroker, free_port  # noqa: E402
from consume import consume  # noqa: E402

NFKAFKA = os.environ.get('NFKAFKA_BIN', os.path.join(ROOT, 'nfkafka'))
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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.text().count(needle) >= count:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError('nfkafka log lacks %r x%d (exit %s):\n%s' % (
            needle, count, self.proc.poll(), self.text()))

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
        w = m['headers'].get('nfkafka-window', b'').decode()
        out.setdefault(w, []).append(m)
    return out


def pytest_terminal_summary(terminalreporter):
    """Delivery figures from test_delivery.py and test_revisions.py,
    printed whatever passed."""
    lines = []
    for name in ('test_delivery', 'test_revisions'):
        mod = sys.modules.get(name)
        if mod is not None:
            lines += mod.FIGURES
    if lines:
        terminalreporter.section('delivery figures (lost must be 0)')
        for line in lines:
            terminalreporter.write_line(line)
