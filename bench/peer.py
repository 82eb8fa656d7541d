# SPDX-License-Identifier: BSD-2-Clause
"""The peer baseline: goflow2 (protobuf) on the same NetFlow v5 flows into
the same broker, against the whole nfkafka chain's CPU per flow.

goflow2 is built once with `go install` into the cache; without Go the
comparison is skipped with one line. The nfkafka chain is nfcapd receiving
the same flows at the same rate (measured here) plus nfdump, nfkafka and the
broker per record of the bench's own `nfkafka --once` runs on a window of
the same size.
"""
import os
import shutil
import subprocess
import tempfile
import time

import nfgen
from collector import Collector, _free_udp_port, _udp_stats
from procs import stop_process

GOFLOW2_VERSION = '2.2.6'
GOFLOW2_MODULE = 'github.com/netsampler/goflow2/v2/cmd/goflow2@v' + GOFLOW2_VERSION


def cache_dir():
    base = os.environ.get('NFKAFKA_CACHE') or os.path.join(
        os.path.expanduser('~'), '.cache', 'nfkafka')
    return os.path.join(base, 'goflow2-' + GOFLOW2_VERSION)


def goflow2_binary(log):
    """(path, None) of goflow2, built if missing; (None, why) without Go."""
    exe = os.path.join(cache_dir(), 'goflow2')
    if os.access(exe, os.X_OK):
        return exe, None
    go = shutil.which('go') or ('/usr/local/go/bin/go'
                                if os.access('/usr/local/go/bin/go', os.X_OK) else None)
    if go is None:
        return None, 'goflow2 not run: no Go toolchain (go install %s)' % GOFLOW2_MODULE
    os.makedirs(cache_dir(), exist_ok=True)
    log('peer: building goflow2 %s with %s (once) ...' % (GOFLOW2_VERSION, go))
    p = subprocess.run([go, 'install', GOFLOW2_MODULE], capture_output=True, text=True,
                       env=dict(os.environ, GOBIN=cache_dir()), timeout=900)
    if p.returncode != 0 or not os.access(exe, os.X_OK):
        return None, 'goflow2 not run: go install failed: %s' % p.stderr.strip()[-300:]
    return exe, None


def _wait(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise TimeoutError(what)


def _settle(count, flows, quiet=8.0, timeout=300):
    """Messages in the topic once all arrived or none came for `quiet`
    seconds: goflow2 flushes to Kafka every 5 s, and what the kernel
    dropped on its socket never comes."""
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = count()
        if n >= flows:
            return n
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return n
        time.sleep(0.2)
    return last


def run_goflow2(bench, exe, flows, rate, proc_cpu):
    """goflow2 CPU and the broker's CPU while it takes `flows` flows."""
    topic = bench.new_topic('goflow2')
    port = _free_udp_port()
    log = tempfile.TemporaryFile()
    p = subprocess.Popen([exe, '-listen', 'netflow://127.0.0.1:%d' % port,
                          '-transport', 'kafka',
                          '-transport.kafka.brokers', bench.broker.bootstrap,
                          '-transport.kafka.topic', topic, '-format', 'bin'],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        _wait(lambda: _udp_stats(port) is not None or p.poll() is not None, 30,
              'goflow2 did not listen on %d' % port)
        if p.poll() is not None:
            log.seek(0)
            raise RuntimeError('goflow2 exited: %s' % log.read()[-500:])
        k0, g0 = bench.broker_cpu(), proc_cpu(p.pid)
        t0 = time.monotonic()
        nfgen.send(port, flows, version=5, rate=rate)
        delivered = _settle(lambda: bench.delivered(topic), flows)
        wall = time.monotonic() - t0
        gcpu, kcpu = proc_cpu(p.pid) - g0, bench.broker_cpu() - k0
        drops = (_udp_stats(port) or (0, 0))[1]
    finally:
        stop_process(p)
        bench.drop_topic(topic)
    if delivered == 0:
        raise RuntimeError('goflow2 delivered nothing to %s' % topic)
    return {'cpu': gcpu, 'broker': kcpu, 'wall': wall, 'drops': drops,
            'delivered': delivered}


def run_nfcapd(workdir, flows, rate, proc_cpu):
    """nfcapd's CPU while it collects `flows` flows at `rate` (one channel)."""
    base = tempfile.mkdtemp(prefix='peer-nfcapd-', dir=workdir)
    with Collector(base, channels=('chanA',), interval=3600) as c:
        proc = c._procs['chanA']
        c0 = proc_cpu(proc.pid)
        c.send('chanA', flows, rate=rate)
        c.drain('chanA')
        cpu = proc_cpu(proc.pid) - c0
        drops = c.drops('chanA')
    shutil.rmtree(base, ignore_errors=True)
    return {'cpu': cpu, 'drops': drops}
