#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""nfkafka benchmark: nfkafka against nfdump alone, the shell pipe and the
cron script it replaces, on real nfcapd windows and a real Kafka broker.

    bench.py [--sizes 10000,1000000,10000000] [--reps 3] [--quick] ...

Run by `make bench` (bench/run.sh sets up what it needs). See bench/README.md
for what is measured and how; the table goes to stdout and to
bench/results/<date>-<git sha>.txt and bench/results/latest.txt.
"""
import argparse
import datetime
import hashlib
import io
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..'))

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient  # noqa: E402
import fastavro  # noqa: E402

from collector import Collector, count_flows  # noqa: E402
from kafka_broker import KafkaBroker  # noqa: E402
from procs import stop_process  # noqa: E402
from schema_registry import SchemaRegistry, registry_jar  # noqa: E402
from watermark import topic_size  # noqa: E402
from windows import bench_window  # noqa: E402
import peer  # noqa: E402

FLOW_FMT = 'fmt:%ts,%te,%td,%pr,%sa,%sp,%da,%dp,%pkt,%byt,%flg'
AGG_FMT = 'fmt:%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl'

# nfdump arguments as nfkafka builds them (query.c: the operator's options
# without -q, then -N and -6); the pipe adds -q, the cron script keeps the
# header and summary and drops them itself.
QUERIES = {
    'flow': {'title': "non-aggregated: -o '%s'" % FLOW_FMT,
             'nfkafka': ['-Q', "-o '%s'" % FLOW_FMT],
             'nfdump': ['-o', FLOW_FMT, '-N', '-6']},
    'agg': {'title': "per-country (nfkafka's default): -A dstgeo -o '%s'" % AGG_FMT,
            'nfkafka': [],
            'nfdump': ['-A', 'dstgeo', '-o', AGG_FMT, '-N', '-6']},
}
METHODS = ('nfdump', 'pipe', 'cron', 'nfkafka', 'batched', 'json', 'avro')
LABEL = {'nfdump': 'nfdump alone', 'pipe': 'shell pipe', 'cron': 'cron script',
         'nfkafka': 'nfkafka --once', 'batched': 'nfkafka --batch',
         'json': 'nfkafka --format json', 'avro': 'nfkafka --format avro'}
PATH_ENV = {'TZ': 'UTC', 'LC_ALL': 'C', 'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
LIVE_RE = re.compile(r'window (\d+): (\S+): (\d+) records, nfdump ([\d.]+) s, '
                     r'acked ([\d.]+) s, ([\d.]+) s after rotation'
                     r' \(started after ([\d.]+) s\)')
HWM_RE = re.compile(rb'VmHWM:\s+(\d+) kB')


def log(msg):
    print('bench: ' + msg, file=sys.stderr, flush=True)


def human(n):
    for div, suffix in ((1e6, 'M'), (1e3, 'k')):
        if n >= div:
            return ('%.3g' % (n / div)) + suffix
    return '%.3g' % n


class HwmSampler(threading.Thread):
    """Peak RSS of one process alone (not its children): VmHWM of the child
    of PID (the command under /usr/bin/time), read from /proc every 5 ms
    until it exits. wait4's ru_maxrss would include the nfdump child that
    nfkafka and the cron script start."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.parent = pid
        self.kib = 0
        self.reaped = 0.0       # CPU of children the exporter has reaped
        self.kids = {}          # pid -> CPU last seen, while it runs
        self.done = threading.Event()
        self.start()

    def _child(self):
        path = '/proc/%d/task/%d/children' % (self.parent, self.parent)
        while not self.done.is_set():
            try:
                with open(path) as f:
                    kids = f.read().split()
            except OSError:
                return None
            if kids:
                return int(kids[0])
            time.sleep(0.0005)
        return None

    def run(self):
        pid = self._child()
        if pid is None:
            return
        path = '/proc/%d/status' % pid
        while not self.done.is_set():
            try:
                with open(path, 'rb') as f:
                    m = HWM_RE.search(f.read())
            except OSError:
                return
            if m is None:       # a zombie has no memory left
                return
            self.kib = max(self.kib, int(m.group(1)))
            self._cpu(pid)
            self.done.wait(0.005)

    def _cpu(self, pid):
        """The exporter's nfdump: exact once reaped (cutime+cstime of the
        exporter), else as last seen while it ran (<= 5 ms short)."""
        try:
            self.reaped = max(self.reaped, proc_cpu(pid, children=True))
            with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            return
        for k in kids:
            try:
                self.kids[k] = proc_cpu(k)
            except OSError:
                pass

    def child_cpu(self):
        return max(self.reaped, sum(self.kids.values()))

    def stop(self):
        self.done.set()
        self.join()
        return self.kib


def proc_cpu(pid, children=False):
    """user+sys seconds of a live process from /proc/PID/stat (or of its
    reaped children: cutime+cstime)."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    i = 13 if children else 11
    return (int(fields[i]) + int(fields[i + 1])) / os.sysconf('SC_CLK_TCK')


def timed(argv, workdir):
    """argv under /usr/bin/time, which reports the command's ru_maxrss.
    Read in this process, wait4 would also count the Python interpreter the
    command was forked from: Linux keeps the pre-exec peak in ru_maxrss."""
    fd, path = tempfile.mkstemp(prefix='time-', dir=workdir)
    os.close(fd)
    return ['/usr/bin/time', '-f', '%M', '-o', path, '--'] + argv, path


def spawn(argv, **kw):
    """Popen in a session of its own, so a hung run can be killed whole."""
    return subprocess.Popen(argv, start_new_session=True, **kw)


def reap(p, timefile, timeout):
    """Wait for a timed() child: (exit code, rusage incl. children, maxrss
    KiB of the command and its children). After `timeout` seconds its
    process group (time, the command, its nfdump) is killed: exit code -9."""
    killer = threading.Timer(timeout, os.killpg, (p.pid, signal.SIGKILL))
    killer.start()
    try:
        _pid, status, ru = os.wait4(p.pid, 0)
    finally:
        killer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    with open(timefile) as f:
        lines = f.read().split()
    os.unlink(timefile)
    kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return p.returncode, ru, kib


def is_batched(words):
    """Whether nfkafka options ask for several records per message."""
    return any(w == '--batch' and i + 1 < len(words) and words[i + 1] != '1'
               for i, w in enumerate(words))


def run_timeout(rows, method):
    """Generous: a run this slow is hung, not slow (cron: ~12k rows/s)."""
    return 120 + rows / (2_000 if method == 'cron' else 20_000)


class Result:
    def __init__(self, method, wall, rss_kib, cpu, ok, rows, detail=''):
        self.method, self.wall, self.rss_kib, self.cpu = method, wall, rss_kib, cpu
        self.ok, self.rows, self.detail = ok, rows, detail
        self.rss_both_kib = rss_kib
        self.kafka_cpu = None
        self.registry_cpu = None    # the registry bench.py started, meanwhile
        self.nfdump_cpu = None      # the method's nfdump alone


class Bench:
    def __init__(self, a, workdir):
        self.a = a
        self.workdir = workdir
        self.broker = None
        self.registry = None       # the SchemaRegistry started here, if any
        self.registry_up = None    # its (start seconds, start cpu seconds)
        self.registry_why = ''     # why it did not start
        self.schemas = {}          # registry id -> parsed Avro schema
        self.results = {}          # (query, size, method) -> [Result]
        self.expected = {}         # (query, size) -> rows
        self.live = None
        self.peer = None
        self.notes = []
        self.rows = 0           # of the case being run, for timeouts

    # --- Kafka -----------------------------------------------------------
    def start_broker(self):
        # Deleted topics leave the disk after 1 s rather than 60 s: the 10M
        # runs write ~2 GB each.
        self.broker = KafkaBroker(os.path.join(self.workdir, 'kafka'),
                                  extra_props={'file.delete.delay.ms': 1000})
        self.broker.start()
        self.admin = AdminClient({'bootstrap.servers': self.broker.bootstrap})
        self.counter = Consumer({'bootstrap.servers': self.broker.bootstrap,
                                 'group.id': 'bench-count-%s' % uuid.uuid4().hex})
        log('broker %s up in %.1f s' % (self.broker.bootstrap, self.broker.start_seconds))

    def close_clients(self):
        """Before the broker stops, so they do not log its absence."""
        if getattr(self, 'counter', None) is not None:
            self.counter.close()
            self.counter = None
        self.admin = None

    def broker_cpu(self):
        """CPU seconds the broker's JVM has used so far."""
        return proc_cpu(self.broker.proc.pid)

    # --- the schema registry ---------------------------------------------
    def start_registry(self):
        """The tests' real registry (Apicurio Registry, in memory, its
        Confluent API) on 127.0.0.1 for the avro row; it runs for the whole
        bench like the broker. On failure the avro row is not run and the
        target says why (and the exit status is 1)."""
        t0 = time.monotonic()
        self.registry = SchemaRegistry(os.path.join(self.workdir, 'registry'))
        try:
            self.registry.start()
        except (OSError, subprocess.SubprocessError) as e:
            self.registry_why = 'registry did not start: %s' % str(e).splitlines()[0][:200]
            log('%s\n%s' % (self.registry_why, str(e)[-2000:]))
            self.registry.stop()
            self.registry = None
            self.a.methods.remove('avro')
            self.a.skipped['avro'] = 'not run: ' + self.registry_why
            return
        self.a.schema_registry = self.registry.url
        self.registry_up = (time.monotonic() - t0, self.registry_cpu())
        log('registry %s up in %.1f s' % (self.registry.url, self.registry_up[0]))

    def registry_cpu(self):
        """CPU seconds the registry's JVM has used so far (None if not ours)."""
        if self.registry is None or not self.registry.running():
            return None
        return proc_cpu(self.registry.proc.pid)

    def registry_rss(self):
        """Peak RSS of the registry's JVM so far, MiB."""
        try:
            with open('/proc/%d/status' % self.registry.proc.pid, 'rb') as f:
                return int(HWM_RE.search(f.read()).group(1)) / 1024
        except (OSError, AttributeError):
            return None

    def avro_check(self, topic, high):
        """'' if the topic's first and last messages are each one whole
        Avro record in Confluent's framing (magic byte 0, a schema id the
        registry knows, a datum that ends where the message does), else
        what is wrong. The count itself is the high watermark, as for the
        other rows: one message per record."""
        c = Consumer({'bootstrap.servers': self.broker.bootstrap,
                      'group.id': 'bench-avro-%s' % uuid.uuid4().hex,
                      'enable.auto.commit': False})
        try:
            for off in sorted({0, high - 1}):
                c.assign([TopicPartition(topic, 0, off)])
                m, deadline = None, time.monotonic() + 30
                while m is None and time.monotonic() < deadline:
                    m = c.poll(1.0)
                    if m is not None and m.error():
                        m = None
                if m is None:
                    return 'message %d not read back' % off
                why = self.avro_why(m.value() or b'')
                if why:
                    return 'message %d: %s' % (off, why)
        finally:
            c.close()
        return ''

    def avro_why(self, raw):
        if len(raw) < 5 or raw[0] != 0:
            return 'not Confluent framing: %r' % raw[:8]
        sid = int.from_bytes(raw[1:5], 'big')
        fp = io.BytesIO(raw[5:])
        try:
            if sid not in self.schemas:
                url = '%s/schemas/ids/%d' % (self.a.schema_registry.rstrip('/'), sid)
                with urllib.request.urlopen(url, timeout=30) as r:
                    self.schemas[sid] = fastavro.parse_schema(
                        json.loads(json.loads(r.read())['schema']))
            fastavro.schemaless_reader(fp, self.schemas[sid])
        except Exception as e:  # noqa: BLE001 - any failure makes the run invalid
            return 'schema id %d: %s: %s' % (sid, type(e).__name__, e)
        if fp.tell() != len(raw) - 5:
            return '%d bytes left after the record' % (len(raw) - 5 - fp.tell())
        return ''

    def new_topic(self, name):
        topic = 'bench-%s-%s' % (re.sub(r'[^A-Za-z0-9._-]', '_', name), uuid.uuid4().hex[:8])
        self.broker.create_topic(topic, 1)
        return topic

    def delivered(self, topic, batched=False):
        """Records in the topic: its high watermark (one partition, fresh),
        or for batched messages the sum of their nfkafka-count headers
        (--headers compact: the count, the 4th field of nfkafka-id)."""
        high = topic_size(self.counter, topic, timeout=30)
        if not batched or high == 0:
            return high
        c = Consumer({'bootstrap.servers': self.broker.bootstrap,
                      'group.id': 'bench-batch-%s' % uuid.uuid4().hex,
                      'enable.auto.commit': False})
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        records, seen = 0, 0
        deadline = time.monotonic() + 120
        try:
            while seen < high and time.monotonic() < deadline:
                for m in c.consume(1000, 1.0):
                    if m.error():
                        continue
                    seen += 1
                    h = dict(m.headers() or [])
                    if 'nfkafka-count' in h:
                        records += int(h['nfkafka-count'])
                    elif 'nfkafka-id' in h:
                        records += int(h['nfkafka-id'].split(b',')[3])
                    else:
                        records += 1
        finally:
            c.close()
        return records

    def drop_topic(self, topic):
        for f in self.admin.delete_topics([topic], operation_timeout=30).values():
            try:
                f.result()
            except Exception as e:  # noqa: BLE001 - only disk space is at stake
                log('could not delete topic %s: %s' % (topic, e))

    # --- the four ways ---------------------------------------------------
    def nfdump_argv(self, profile, rel, query, quiet=False):
        return (['nfdump', '-M', profile, '-r', rel] + QUERIES[query]['nfdump']
                + (['-q'] if quiet else []))

    def run_nfdump(self, profile, rel, query, topic):
        err = open(os.path.join(self.workdir, 'nfdump.err'), 'w+b')
        argv, tf = timed(self.nfdump_argv(profile, rel, query), self.workdir)
        t0 = time.monotonic()
        p = spawn(argv, env=PATH_ENV, stdin=subprocess.DEVNULL,
                  stdout=subprocess.DEVNULL, stderr=err)
        rc, ru, kib = reap(p, tf, run_timeout(self.rows, 'nfdump'))
        wall = time.monotonic() - t0
        err.seek(0)
        msg = err.read().decode(errors='replace').strip()
        ok = rc == 0 and not msg
        r = Result('nfdump', wall, kib, ru.ru_utime + ru.ru_stime, ok,
                   None, '' if ok else 'rc %d %s' % (rc, msg[:200]))
        r.nfdump_cpu = r.cpu
        return r

    def run_pipe(self, profile, rel, query, topic):
        err = open(os.path.join(self.workdir, 'pipe.err'), 'w+b')
        argv1, tf1 = timed(self.nfdump_argv(profile, rel, query, quiet=True), self.workdir)
        argv2, tf2 = timed(['kcat', '-P', '-b', self.broker.bootstrap, '-t', topic],
                           self.workdir)
        t0 = time.monotonic()
        nf = spawn(argv1, env=PATH_ENV, stdin=subprocess.DEVNULL,
                   stdout=subprocess.PIPE, stderr=err)
        kc = spawn(argv2, stdin=nf.stdout, stdout=subprocess.DEVNULL, stderr=err)
        nf.stdout.close()
        rc1, ru1, kib1 = reap(nf, tf1, run_timeout(self.rows, 'pipe'))
        rc2, ru2, kib2 = reap(kc, tf2, 60)
        wall = time.monotonic() - t0
        cpu = ru1.ru_utime + ru1.ru_stime + ru2.ru_utime + ru2.ru_stime
        err.seek(0)
        msg = err.read().decode(errors='replace').strip()
        r = Result('pipe', wall, max(kib1, kib2), cpu,
                   rc1 == 0 and rc2 == 0, self.delivered(topic),
                   'nfdump %.1f MiB, kcat %.1f MiB%s' % (
                       kib1 / 1024, kib2 / 1024, '; ' + msg[:200] if msg else ''))
        r.nfdump_cpu = ru1.ru_utime + ru1.ru_stime
        return r

    def _run_own(self, method, argv, topic, env=None, batched=False):
        """An exporter that runs nfdump itself: its own peak RSS is sampled,
        wall and CPU (children included) come from wait4."""
        errpath = os.path.join(self.workdir, '%s.err' % method)
        argv, tf = timed(argv, self.workdir)
        with open(errpath, 'w+b') as err:
            t0 = time.monotonic()
            p = spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                      stderr=err, env=env)
            hwm = HwmSampler(p.pid)
            rc, ru, both = reap(p, tf, run_timeout(self.rows, method))
            wall = time.monotonic() - t0
            kib = hwm.stop()
            err.seek(0)
            msg = err.read().decode(errors='replace').strip()
        last = msg.splitlines()[-1] if msg else ''
        if kib == 0:        # exited before the first sample
            kib = both
        r = Result(method, wall, kib, ru.ru_utime + ru.ru_stime, rc == 0,
                   self.delivered(topic, batched),
                   ('rc %d: ' % rc if rc else '') + last[:200])
        r.rss_both_kib = both
        r.nfdump_cpu = hwm.child_cpu()
        return r

    def run_cron(self, profile, rel, query, topic):
        argv = [sys.executable, os.path.join(HERE, 'cron_export.py'),
                '-b', self.broker.bootstrap, '-t', topic, '-M', profile, '-r', rel,
                '--'] + QUERIES[query]['nfdump']
        return self._run_own('cron', argv, topic)

    def run_nfkafka(self, profile, rel, query, topic, variant=None):
        binary, env, extra = variant or (self.a.nfkafka, None, [])
        argv = ([binary, '--once', rel, '-M', profile, '-b', self.broker.bootstrap,
                 '-t', topic] + QUERIES[query]['nfkafka'] + extra)
        return self._run_own('nfkafka', argv, topic, env, batched=is_batched(extra))

    def run_batched(self, profile, rel, query, topic):
        r = self.run_nfkafka(profile, rel, query, topic,
                             (self.a.nfkafka, None, ['--batch', str(self.a.batch)]))
        r.method = 'batched'
        return r

    def run_json(self, profile, rel, query, topic):
        r = self.run_nfkafka(profile, rel, query, topic,
                             (self.a.nfkafka, None, ['--format', 'json']))
        r.method = 'json'
        return r

    def run_avro(self, profile, rel, query, topic):
        """The CBOR row's command line plus --format avro --schema-registry
        URL, nothing else: the same query and headers, so the ratio is
        the encoding's (and one registration per run: a new topic is a new
        subject)."""
        r = self.run_nfkafka(profile, rel, query, topic, (
            self.a.nfkafka, None,
            ['--format', 'avro', '--schema-registry', self.a.schema_registry]))
        r.method = 'avro'
        return r

    # --- the matrix ------------------------------------------------------
    def expected_rows(self, profile, rel, query, flows):
        """Rows the query prints for the window, counted once and cached
        next to the window (the flow query prints one row per flow)."""
        if query == 'flow':
            return flows
        windir = profile.rsplit('/', 1)[0]
        key = hashlib.sha1(' '.join(QUERIES[query]['nfdump']).encode()).hexdigest()[:12]
        cache = os.path.join(windir, 'rows-%s' % key)
        if os.path.exists(cache):
            with open(cache) as f:
                return int(f.read())
        out = subprocess.run(self.nfdump_argv(profile, rel, query, quiet=True),
                             env=PATH_ENV, capture_output=True, check=True).stdout
        n = sum(1 for ln in out.splitlines()
                if ln.strip() and ln.strip() != b'No matching flows')
        with open(cache + '.tmp', 'w') as f:
            f.write('%d\n' % n)
        os.rename(cache + '.tmp', cache)
        return n

    def cron_reps(self, rows):
        if rows > self.a.cron_max_rows:
            return 0
        return self.a.reps if rows <= self.a.cron_full_rows else 1

    def warm(self, profile, rel):
        """Read the window's files once, so every method starts from a warm
        page cache and none pays the first read."""
        base, chans = profile.rsplit('/', 1)
        for ch in chans.split(':'):
            with open(os.path.join(base, ch, rel), 'rb') as f:
                while f.read(1 << 22):
                    pass

    def run_case(self, query, flows, profile, rel):
        rows = self.expected[(query, flows)] = self.expected_rows(profile, rel, query, flows)
        self.rows = rows
        self.warm(profile, rel)
        methods = list(self.a.methods) + ['nfkafka %s' % v for v, _ in self.a.variants]
        runs = {m: self.a.reps for m in methods}
        runs['cron'] = self.cron_reps(rows)
        for rep in range(max(runs.values())):
            # Alternate: each repetition starts with a different method.
            order = methods[rep % len(methods):] + methods[:rep % len(methods)]
            for m in order:
                if rep >= runs[m]:
                    continue
                topic = self.new_topic('%s-%d-%s' % (query, flows, m))
                kcpu, rcpu = self.broker_cpu(), self.registry_cpu()
                if m.startswith('nfkafka '):
                    variant = dict(self.a.variants)[m.split(' ', 1)[1]]
                    r = self.run_nfkafka(profile, rel, query, topic, variant)
                    r.method = m
                else:
                    r = getattr(self, 'run_' + m)(profile, rel, query, topic)
                r.kafka_cpu = self.broker_cpu() - kcpu
                if rcpu is not None:
                    r.registry_cpu = self.registry_cpu() - rcpu
                if r.rows is not None and r.rows != rows:
                    r.ok = False
                    r.detail = 'delivered %d of %d rows; %s' % (r.rows, rows, r.detail)
                if m == 'avro' and r.ok and rows:    # after the CPU figures: not timed
                    why = self.avro_check(topic, rows)
                    if why:
                        r.ok = False
                        r.detail = '%s; %s' % (why, r.detail)
                log('%s %s %s #%d: %.3f s, %.1f MiB%s' % (
                    query, human(flows), m, rep + 1, r.wall, r.rss_kib / 1024,
                    '' if r.ok else ' INVALID: ' + r.detail))
                self.results.setdefault((query, flows, m), []).append(r)
                self.drop_topic(topic)

    # --- the peer baseline -----------------------------------------------
    def run_peer(self):
        """goflow2 against the whole nfkafka chain, CPU per flow (peer.py)."""
        a = self.a
        flows = a.peer_flows
        exe, why = peer.goflow2_binary(log)
        if exe is None:
            self.peer = {'why': why}
            log(why)
            return
        nk = [r for r in self.results.get(('flow', flows, 'nfkafka'), []) if r.ok]
        if not nk:
            self.peer = {'why': 'not run: no nfkafka flow run of %s rows (--peer-flows '
                                'must be one of --sizes)' % human(flows)}
            return
        g = peer.run_goflow2(self, exe, flows, a.peer_rate, proc_cpu)
        n = peer.run_nfcapd(self.workdir, flows, a.peer_rate, proc_cpu)
        us = 1e6 / flows
        gus = 1e6 / g['delivered']     # per flow goflow2 delivered
        nf, own, kafka, _all = (statistics.median(cpu_parts(r, flows)[i] for r in nk)
                                for i in range(4))
        self.peer = {
            'flows': flows, 'rate': a.peer_rate,
            'goflow2_own': g['cpu'] * gus, 'goflow2_broker': g['broker'] * gus,
            'goflow2': (g['cpu'] + g['broker']) * gus, 'goflow2_drops': g['drops'],
            'goflow2_delivered': g['delivered'],
            'nfcapd': n['cpu'] * us, 'nfcapd_drops': n['drops'],
            'nfdump': nf, 'nfkafka': own, 'broker': kafka,
            'chain': n['cpu'] * us + nf + own + kafka,
        }
        log('peer: goflow2 %.2f us/flow, nfkafka chain %.2f us/flow' % (
            self.peer['goflow2'], self.peer['chain']))

    # --- live ------------------------------------------------------------
    def run_live(self):
        a = self.a
        per_ch = a.live_flows // 2
        base = os.path.join(self.workdir, 'live')
        topic = self.new_topic('live')
        logpath = os.path.join(self.workdir, 'nfkafka-live.log')
        stamps = []
        with Collector(base, interval=2) as c, open(logpath, 'wb') as lf:
            p = subprocess.Popen([a.nfkafka, '-M', c.profile_arg(), '-b', self.broker.bootstrap,
                                  '-t', topic] + QUERIES['flow']['nfkafka'],
                                 stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT)
            try:
                self._wait_log(logpath, lambda t: 'watching' in t, 30)
                c.mark()
                for _ in range(a.live_windows):
                    c.send('chanA', per_ch)
                    c.send('chanB', per_ch)
                    got = c.wait_rotated('chanA')[0]
                    c.wait_rotated('chanB')
                    stamps.append(got.rsplit('.', 1)[1])
                self._wait_log(logpath, lambda t: all(
                    ('window %s:' % s) in t for s in stamps), 60)
            finally:
                stop_process(p)
            flows = sum(count_flows(os.path.join(c.chandir(ch), 'nfcapd.' + s))
                        for s in stamps for ch in c.channels)
        with open(logpath) as f:
            text = f.read()
        wins = [m.groups() for m in LIVE_RE.finditer(text) if m.group(1) in stamps]
        wins = [(s, int(n), float(nf), float(ack), float(lag), float(st))
                for s, _ch, n, nf, ack, lag, st in wins]
        delivered = self.delivered(topic)
        logged = sum(w[1] for w in wins)
        ok = len(wins) == len(stamps) and logged == flows and delivered >= flows
        self.live = {'wins': wins, 'flows': flows, 'delivered': delivered, 'ok': ok,
                     'per_window': a.live_flows}
        self.drop_topic(topic)
        log('live: %d windows, %d flows, %d delivered%s' % (
            len(wins), flows, delivered, '' if ok else ' INVALID'))

    @staticmethod
    def _wait_log(path, cond, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(path) as f:
                if cond(f.read()):
                    return
            time.sleep(0.1)
        with open(path) as f:
            raise TimeoutError('nfkafka live log:\n' + f.read()[-3000:])


# --- report ----------------------------------------------------------------

def med(results, attr):
    vals = [getattr(r, attr) for r in results if r.ok]
    return statistics.median(vals) if vals else None


def peak(results):
    vals = [r.rss_kib for r in results if r.ok]
    return max(vals) / 1024 if vals else None


def fmt_ratio(x, y):
    return '%.2f' % (x / y) if x is not None and y else 'n/a'


def cpu_parts(r, rows):
    """(nfdump, exporter, broker, all) CPU in microseconds per record."""
    us = 1e6 / rows if rows else 0
    nf = r.nfdump_cpu or 0.0
    own = max(0.0, r.cpu - nf)
    return nf * us, own * us, (r.kafka_cpu or 0.0) * us, (r.cpu + (r.kafka_cpu or 0)) * us


def cpu_table(w, b, a, query):
    """CPU per record of each process: the median of each over the runs."""
    w('cpu per record, microseconds (median of runs): nfdump = the method\'s nfdump; '
      'exporter = nfkafka, kcat or the cron script alone; broker = the JVM meanwhile')
    w('%-6s %-22s %9s %9s %9s %9s' % ('window', 'method', 'nfdump', 'exporter',
                                       'broker', 'all'))
    for flows in a.sizes:
        rows = b.expected.get((query, flows))
        if not rows:
            continue
        for m in list(a.methods) + ['nfkafka %s' % v for v, _ in a.variants]:
            good = [r for r in b.results.get((query, flows, m), []) if r.ok]
            if not good:
                continue
            parts = [statistics.median(cpu_parts(r, rows)[i] for r in good)
                     for i in range(4)]
            w('%-6s %-22s %9.2f %9.2f %9.2f %9.2f' % ((human(flows), LABEL.get(m, m))
                                                     + tuple(parts)))
    w('')


def cpu_med(results, rows, i):
    good = [r for r in results if r.ok]
    return statistics.median(cpu_parts(r, rows)[i] for r in good) if good and rows else None


def report(b, a, meta):
    out = []
    w = out.append
    w('nfkafka benchmark  %s' % meta['date'])
    for k in ('commit', 'nfkafka', 'nfdump', 'kcat', 'librdkafka', 'kafka', 'registry',
              'machine', 'load', 'windows'):
        w('  %-10s %s' % (k + ':', meta[k]))
    w('  %-10s %d repetitions, alternating, median wall; peak RSS = max over runs'
      % ('method:', a.reps))
    # The rows differ from the default one by these options only, so each
    # ratio to it is that option's.
    w('  nfkafka:   --once FILE -M PROFILE -b BROKER -t TOPIC QUERY (-Q for the flow query),')
    w('             the others the same plus: --batch: --batch %d; json: --format json; '
      'avro: --format avro --schema-registry URL' % a.batch)
    for name, (binary, env, words) in a.variants:
        envs = sorted(set(env or {}) - set(os.environ)) + sorted(
            k for k in (env or {}) if k in os.environ and env[k] != os.environ[k])
        w('  variant:   nfkafka %s = %s%s %s' % (
            name, ''.join('%s=%s ' % (k, env[k]) for k in envs),
            'same binary' if binary == a.nfkafka else binary, ' '.join(words)))
    w('  cron script (bench/cron_export.py, kafka-python): only up to %s rows, '
      '1 repetition above %s rows' % (human(a.cron_max_rows), human(a.cron_full_rows)))
    w('  RSS: peak of the exporter process alone: nfkafka, cron: VmHWM sampled every '
      '5 ms (nfdump child excluded);')
    w('       nfdump, pipe: /usr/bin/time %M (pipe: max of nfdump, kcat)')
    w('  cpu: user+sys of the method\'s processes incl. children (nfkafka: + nfdump); '
      'kafka: the broker JVM\'s cpu meanwhile')
    w('')
    for query in [q for q in QUERIES if q in a.queries]:
        w('== %s' % QUERIES[query]['title'])
        w('%-6s %-22s %4s %9s %17s %10s %8s %8s %8s %7s  %s' % (
            'window', 'method', 'runs', 'wall s', 'min..max', 'rows/s', 'RSS MiB',
            'cpu s', 'kafka s', 'x nfdump', 'notes'))
        for flows in a.sizes:
            if (query, flows) not in b.expected:
                continue
            rows = b.expected[(query, flows)]
            base = med(b.results.get((query, flows, 'nfdump'), []), 'wall')
            methods = list(a.methods) + ['nfkafka %s' % v for v, _ in a.variants]
            for m in methods:
                rs = b.results.get((query, flows, m), [])
                label = LABEL.get(m, m)
                if not rs:
                    w('%-6s %-22s %4s %9s  (not run: %s rows > %s)' % (
                        human(flows), label, 0, '-', human(rows), human(a.cron_max_rows)))
                    continue
                wall = med(rs, 'wall')
                good = [r for r in rs if r.ok]
                bad = [r for r in rs if not r.ok]
                notes = []
                if bad:
                    notes.append('%d INVALID: %s' % (len(bad), bad[0].detail))
                if m == 'pipe' and good:
                    notes.append(good[-1].detail)
                if m.startswith('nfkafka') and good:
                    notes.append('with nfdump child %.1f MiB' % (
                        max(r.rss_both_kib for r in good) / 1024))
                if m == 'avro' and good and good[0].registry_cpu is not None:
                    notes.append('registry %.2f s cpu' % med(good, 'registry_cpu'))
                if m == 'cron' and len(rs) < a.reps:
                    notes.append('%d run only (slow)' % len(rs))
                if wall is None:
                    w('%-6s %-22s %4d %9s  %s' % (human(flows), label, len(rs), 'INVALID',
                                                 '; '.join(notes)))
                    continue
                w('%-6s %-22s %4d %9.3f %8.3f..%-8.3f %10s %8.1f %8.2f %8.2f %7s  %s' % (
                    human(flows), label, len(good), wall, min(r.wall for r in good),
                    max(r.wall for r in good), human(rows / wall), peak(rs),
                    med(rs, 'cpu'), med(rs, 'kafka_cpu'), fmt_ratio(wall, base),
                    '; '.join(notes)))
            nk = med(b.results.get((query, flows, 'nfkafka'), []), 'wall')
            pipe = med(b.results.get((query, flows, 'pipe'), []), 'wall')
            cron = med(b.results.get((query, flows, 'cron'), []), 'wall')
            bt = med(b.results.get((query, flows, 'batched'), []), 'wall')
            js = med(b.results.get((query, flows, 'json'), []), 'wall')
            av = med(b.results.get((query, flows, 'avro'), []), 'wall')
            w('%-6s %-22s nfkafka/nfdump %s   nfkafka/pipe %s   cron/nfkafka %s   '
              'batched/nfdump %s   json/cbor %s   avro/cbor %s   (%s rows)' % (
                  human(flows), 'ratios:', fmt_ratio(nk, base), fmt_ratio(nk, pipe),
                  fmt_ratio(cron, nk), fmt_ratio(bt, base), fmt_ratio(js, nk),
                  fmt_ratio(av, nk), rows))
        w('')
        if query == 'flow':     # the aggregated query prints one row
            cpu_table(w, b, a, query)
    if b.live is not None and 'error' in b.live:
        w('== live: FAILED, not measured:')
        w(b.live['error'])
        w('')
    elif b.live is not None:
        lv = b.live
        w('== live: 2 channels rotating every 2 s, ~%d flows per window, flow query'
          % lv['per_window'])
        w('%-16s %8s %14s %10s %10s %12s %12s' % (
            'window', 'records', 'rename->start', 'nfdump s', 'acked s',
            'rename->ack', 'minus nfdump'))
        for s, n, nf, ack, lag, st in lv['wins']:
            w('%-16s %8d %14.3f %10.3f %10.3f %12.3f %12.3f' % (
                s, n, st, nf, ack, lag, lag - nf))
        if lv['wins']:
            lags = [x[4] for x in lv['wins']]
            over = [x[4] - x[2] for x in lv['wins']]
            nfs = [x[2] for x in lv['wins']]
            starts = [x[5] for x in lv['wins']]
            w('median: rename->start %.3f s, rename->ack %.3f s, nfdump %.3f s, '
              'overhead %.3f s;  worst: rename->start %.3f s, rename->ack %.3f s, '
              'overhead %.3f s' % (
                  statistics.median(starts), statistics.median(lags),
                  statistics.median(nfs), statistics.median(over), max(starts),
                  max(lags), max(over)))
        w('rows: %d flows in the windows, %d logged, %d in the topic%s' % (
            lv['flows'], sum(x[1] for x in lv['wins']), lv['delivered'],
            '' if lv['ok'] else '  INVALID'))
        w('')
    pr = b.peer
    if pr is not None and 'chain' in pr:
        w('== peer: goflow2 %s (protobuf, -format bin) vs the nfkafka chain, %s NetFlow v5 '
          'flows at %s flows/s' % (peer.GOFLOW2_VERSION, human(pr['flows']),
                                  human(pr['rate'])))
        w('cpu per flow, microseconds (all processes, broker included):')
        w('  goflow2  %6.2f  = goflow2 %.2f + broker %.2f   (%d of %d flows delivered, '
          '%d datagrams dropped; per flow delivered)' % (
              pr['goflow2'], pr['goflow2_own'], pr['goflow2_broker'],
              pr['goflow2_delivered'], pr['flows'], pr['goflow2_drops']))
        w('  nfkafka  %6.2f  = nfcapd %.2f + nfdump %.2f + nfkafka %.2f + broker %.2f   '
          '(nfcapd: %d dropped; the rest from the nfkafka --once runs above)' % (
              pr['chain'], pr['nfcapd'], pr['nfdump'], pr['nfkafka'], pr['broker'],
              pr['nfcapd_drops']))
        w('  chain / goflow2 %.2f' % (pr['chain'] / pr['goflow2']))
        w('')
    elif pr is not None:
        w('== peer: %s' % pr['why'])
        w('')
    quick = '' if any(f >= 1_000_000 for f in a.sizes) else \
        ' -- judged on %s rows: no 1M/10M window in this run (--quick?)' % human(max(a.sizes))
    w('== targets (non-aggregated query, same run)%s' % quick)
    for name, verdict, detail in targets(b, a):
        w('%-5s %-52s %s' % (verdict, name, detail))
    for n in b.notes:
        w('note: ' + n)
    return '\n'.join(out) + '\n'


def target_sizes(a):
    """The windows the targets are judged on: 1M and 10M rows when run;
    a --quick run judges its largest instead, and the table says so."""
    big = [f for f in a.sizes if f >= 1_000_000]
    return big or [max(a.sizes)]


def why_not(b, a, flows, m):
    """Why the flow query's method m has no figure at flows rows: 'not run:
    reason', or 'INVALID' when every run of it was."""
    if m in a.skipped:
        return a.skipped[m]
    if 'flow' not in a.queries:
        return 'not run: flow not in --queries'
    if flows not in a.sizes:
        return 'not run: no %s-flow window in --sizes' % human(flows)
    rs = b.results.get(('flow', flows, m), [])
    if not rs:
        if m == 'cron':
            return 'not run: %s rows > --cron-max-rows %s' % (human(flows),
                                                             human(a.cron_max_rows))
        return 'not run'
    return 'INVALID: all %d run(s) of %s' % (len(rs), LABEL.get(m, m))


def targets(b, a):
    def res(flows, m):
        return b.results.get(('flow', flows, m), [])

    def verdict(cond):
        return 'n/a' if cond is None else 'PASS' if cond else 'MISS'

    def judge(name, flows, methods, x, y, limit, detail=None):
        """x <= limit * y, or why there is no figure (the first method
        without one)."""
        ok = None if None in (x, y) else x <= limit * y
        if ok is None:
            text = next(why_not(b, a, flows, m) for m in methods
                        if med(res(flows, m), 'wall') is None) \
                if any(med(res(flows, m), 'wall') is None for m in methods) else 'n/a'
        else:
            text = detail or '%s x' % fmt_ratio(x, y)
        t.append((name, verdict(ok), text))

    t = []
    for f in target_sizes(a):
        rows = b.expected.get(('flow', f))
        at = '%s rows' % human(f)
        nk, nf = med(res(f, 'nfkafka'), 'wall'), med(res(f, 'nfdump'), 'wall')
        pipe, bt = med(res(f, 'pipe'), 'wall'), med(res(f, 'batched'), 'wall')
        own = cpu_med(res(f, 'nfkafka'), rows, 1)
        kcat = cpu_med(res(f, 'pipe'), rows, 1)
        judge('%s: nfkafka own cpu/record <= 1.5 x kcat\'s/line' % at, f,
              ('nfkafka', 'pipe'), own, kcat, 1.5,
              None if None in (own, kcat) else '%s x (%.2f vs %.2f us)' % (
                  fmt_ratio(own, kcat), own, kcat))
        judge('%s: nfkafka wall <= 1.5 x nfdump alone' % at, f,
              ('nfkafka', 'nfdump'), nk, nf, 1.5)
        judge('%s: nfkafka wall <= 1.0 x shell pipe' % at, f,
              ('nfkafka', 'pipe'), nk, pipe, 1.0)
        judge('%s: nfkafka --batch %d wall <= 1.15 x nfdump' % (at, a.batch), f,
              ('batched', 'nfdump'), bt, nf, 1.15)
        for m in ('json', 'avro'):
            judge('%s: --format %s wall <= 1.10 x CBOR\'s' % (at, m), f,
                  (m, 'nfkafka'), med(res(f, m), 'wall'), nk, 1.10)
    # The cron script at 1M rows; a run without that window judges the
    # largest the script ran on, as above.
    cf = 1_000_000 if 1_000_000 in a.sizes else max(
        [s for s in a.sizes if s <= a.cron_max_rows] or [1_000_000])
    cron, nk = med(res(cf, 'cron'), 'wall'), med(res(cf, 'nfkafka'), 'wall')
    judge('%s rows: cron script >= 50 x nfkafka' % human(cf), cf, ('cron', 'nfkafka'),
          50 * nk if nk is not None else None, cron, 1.0,
          None if None in (nk, cron) else '%s x' % fmt_ratio(cron, nk))
    pr = b.peer
    chain, gf = (pr or {}).get('chain'), (pr or {}).get('goflow2')
    ok = None if None in (chain, gf) else chain <= 0.6 * gf
    t.append(('chain cpu/flow <= 0.6 x goflow2 protobuf', verdict(ok),
              'not run: --no-peer' if pr is None else pr.get('why', 'not run')
              if ok is None else '%s x (%.2f vs %.2f us/flow)' % (
                  fmt_ratio(chain, gf), chain, gf)))
    sizes = sorted(f for f in a.sizes if res(f, 'nfkafka'))
    hi = 10_000_000 if 10_000_000 in sizes else (sizes[-1] if sizes else None)
    lo = 1_000_000 if 1_000_000 in sizes and hi != 1_000_000 else (
        sizes[-2] if len(sizes) > 1 else None)
    rhi = peak(res(hi, 'nfkafka')) if hi else None
    rlo = peak(res(lo, 'nfkafka')) if lo else None
    label = '%s rows' % (human(hi) if hi else '10M')
    ok = None if rhi is None else rhi <= 32
    t.append(('%s: nfkafka peak RSS <= 32 MiB' % label, verdict(ok),
              why_not(b, a, hi or 10_000_000, 'nfkafka') if rhi is None else
              '%.1f MiB' % rhi))
    ok = None if None in (rhi, rlo) else rhi <= 1.20 * rlo
    t.append(('%s: peak RSS within 20 %% of %s' % (
        label, '%s rows' % human(lo) if lo else 'a smaller window'),
              verdict(ok), '%.1f vs %.1f MiB (%+.0f %%)' % (rhi, rlo, 100 * (rhi / rlo - 1))
              if ok is not None else why_not(b, a, hi or 10_000_000, 'nfkafka')
              if rhi is None else 'not run: one window size only' if lo is None
              else why_not(b, a, lo, 'nfkafka')))
    lv = b.live
    name = 'live: last rename -> last ack <= nfdump + 250 ms'
    if lv is None:
        t.append((name, 'n/a', 'not run: --no-live'))
    elif 'error' in lv:
        t.append((name, 'MISS', 'live run failed'))
    elif not lv['wins'] or not lv['ok']:
        t.append((name, 'MISS', 'INVALID run'))
    else:
        over = [x[4] - x[2] for x in lv['wins']]
        t.append((name, verdict(max(over) <= 0.25),
                  'worst +%.3f s, median +%.3f s (%d windows)' % (
                      max(over), statistics.median(over), len(over))))
    return t


def metadata(a, binary_src):
    def cmd(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True,
                                  cwd=ROOT).stdout.strip()
        except OSError:
            return '?'
    sha = cmd(['git', 'rev-parse', '--short', 'HEAD']) or 'nogit'
    dirty = cmd(['git', 'status', '--porcelain', '--untracked-files=no', '--', 'src',
                 'include', 'Makefile'])
    with open(binary_src, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    kcat = cmd(['kcat', '-V'])
    m = re.search(r'librdkafka ([\d.]+)', kcat)
    cpu = '?'
    try:
        with open('/proc/cpuinfo') as f:
            cpu = re.search(r'model name\s*:\s*(.*)', f.read()).group(1)
    except (OSError, AttributeError):
        pass
    return {
        'date': datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S'),
        'stamp': datetime.datetime.now().strftime('%Y%m%d-%H%M%S'),
        'sha': sha + ('-dirty' if dirty else ''),
        'commit': sha + (' with uncommitted changes in src/include/Makefile' if dirty else ''),
        'nfkafka': '%s (sha256 %s, copied at start)' % (binary_src, digest),
        'nfdump': cmd(['nfdump', '-V']),
        'kcat': 'kcat ' + (re.search(r'Version (\S+)', kcat) or [None, '?'])[1],
        'librdkafka': 'kcat %s, nfkafka %s (Debian); kafka-python %s' % (
            m.group(1) if m else '?', cmd(['pkg-config', '--modversion', 'rdkafka']),
            kafka_python_version()),
        'kafka': '%s single-node KRaft on 127.0.0.1 (tests/lib/kafka_broker.py)'
                 % os.environ.get('KAFKA_VERSION', '3.9.2'),
        'registry': ('none: the avro row is not run' if 'avro' not in a.methods else
                     '%s (--schema-registry, external)' % a.schema_registry
                     if a.schema_registry else 'none: it did not start'),
        'machine': '%d cpus, %s, %s' % (os.cpu_count(), cpu, platform.release()),
        'load': '',
        'windows': '',
    }


def registry_meta(b, a):
    """The registry bench.py started and what it cost: start-up, its CPU
    during the timed runs (the avro runs' registrations, and idling through
    the others), its peak RSS."""
    m = re.search(r'apicurio-registry-app-(.+)-runner\.jar', registry_jar())
    rs = [r for rs in b.results.values() for r in rs if r.registry_cpu is not None]
    avro = [r.registry_cpu for r in rs if r.method == 'avro']
    rest = [r.registry_cpu for r in rs if r.method != 'avro']
    rss = b.registry_rss()
    return ('Apicurio Registry %s, in memory, 127.0.0.1:%d (tests/lib/schema_registry.py): '
            'up in %.1f s using %.1f s cpu;\n%13scpu %.2f s during the %d avro runs, '
            '%.2f s during the %d others; peak RSS %s MiB' % (
                m.group(1) if m else '?', b.registry.port, b.registry_up[0],
                b.registry_up[1], '', sum(avro), len(avro), sum(rest), len(rest),
                '?' if rss is None else '%.0f' % rss))


def kafka_python_version():
    try:
        import kafka
        return kafka.__version__
    except ImportError:
        return '?'


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--sizes', default='10000,1000000,10000000',
                    help='window sizes in flows (default %(default)s)')
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--queries', default='flow,agg')
    ap.add_argument('--cron-max-rows', type=int, default=1_000_000,
                    help='skip the cron script above this many rows')
    ap.add_argument('--cron-full-rows', type=int, default=100_000,
                    help='one cron repetition only above this many rows')
    ap.add_argument('--live-windows', type=int, default=10)
    ap.add_argument('--live-flows', type=int, default=20_000,
                    help='flows per live window (both channels together)')
    ap.add_argument('--no-live', action='store_true')
    ap.add_argument('--no-peer', action='store_true',
                    help='leave out the goflow2 comparison')
    ap.add_argument('--peer-flows', type=int, default=1_000_000,
                    help='flows for the goflow2 comparison; one of --sizes '
                         '(default %(default)s)')
    ap.add_argument('--peer-rate', type=int, default=20_000,
                    help='flows/s sent to goflow2 and nfcapd (default %(default)s)')
    ap.add_argument('--variant', action='append', default=[],
                    metavar="NAME='[VAR=VALUE ...] [/path/to/nfkafka] [OPTIONS]'",
                    help='also time this nfkafka: extra options, environment, '
                         "another binary; e.g. --variant 'l5=-X linger.ms=5' "
                         "--variant 'old=/tmp/nfkafka.old'")
    ap.add_argument('--batch', type=int, default=1000,
                    help='records per message of the "nfkafka --batch" row '
                         '(default %(default)s)')
    ap.add_argument('--methods', default=','.join(METHODS),
                    help='which of %(default)s to run')
    ap.add_argument('--schema-registry', metavar='URL',
                    help='an external Confluent-compatible schema registry for the '
                         '"nfkafka --format avro" row; by default bench.py starts '
                         "the tests' Apicurio Registry on 127.0.0.1")
    ap.add_argument('--no-registry', action='store_true',
                    help='leave out the "nfkafka --format avro" row and its registry')
    ap.add_argument('--quick', action='store_true',
                    help='10k and 100k flows, 1 repetition (a smoke test)')
    ap.add_argument('--nfkafka', default=os.path.join(ROOT, 'nfkafka'))
    ap.add_argument('--results', default=os.path.join(HERE, 'results'))
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes, a.reps, a.live_windows = '10000,100000', 1, 3
        a.peer_flows = 100_000
    a.sizes = [int(s) for s in a.sizes.split(',')]
    a.queries = a.queries.split(',')
    a.methods = [m for m in METHODS if m in a.methods.split(',')]
    if a.no_registry and a.schema_registry:
        ap.error('--no-registry and --schema-registry exclude each other: give one')
    a.skipped = {m: 'not run: %s not in --methods' % m for m in METHODS
                 if m not in a.methods}
    if a.no_registry and 'avro' in a.methods:
        a.methods.remove('avro')
        a.skipped['avro'] = 'not run: --no-registry'
    variants = []
    for v in a.variant:
        name, _, spec = v.partition('=')
        words, env, binary = shlex.split(spec), {}, None
        while words and re.match(r'[A-Z_][A-Z0-9_]*=', words[0]):
            k, _, val = words.pop(0).partition('=')
            env[k] = val
        if words and words[0].startswith('/'):
            binary = words.pop(0)
        variants.append((name, (binary, dict(os.environ, **env) if env else None, words)))
    a.variants = variants
    return a


def main(argv=None):
    a = parse_args(argv)
    t_start = time.monotonic()
    workdir = tempfile.mkdtemp(prefix='nfkafka-bench-')
    binary_src = a.nfkafka
    meta = metadata(a, binary_src)
    # Others may rebuild ./nfkafka while we run: time one fixed copy.
    a.nfkafka = os.path.join(workdir, 'nfkafka')
    shutil.copy2(binary_src, a.nfkafka)
    a.variants = [(n, (b or a.nfkafka, env, words)) for n, (b, env, words) in a.variants]
    meta['load'] = 'loadavg %s at start' % loadavg()
    b = Bench(a, workdir)
    try:
        wins = {}
        t0 = time.monotonic()
        for flows in a.sizes:
            wins[flows] = bench_window(flows, log=log)
        meta['windows'] = '%s flows, 2 channels (chanA:chanB), NetFlow v5 from ' \
            'tests/tools/nfgen.py, cached in %s (ready in %.1f s)' % (
                '/'.join(human(f) for f in a.sizes),
                os.path.dirname(wins[a.sizes[0]][0].rsplit('/', 1)[0]),
                time.monotonic() - t0)
        b.start_broker()
        if 'avro' in a.methods and not a.schema_registry:
            b.start_registry()
        # Warm-up: the broker's first idempotent producer waits for its
        # coordinator, a fresh registry's JVM answers its first
        # registration slowly; no timed run should pay that.
        topic = b.new_topic('warmup')
        b.run_nfkafka(*wins[a.sizes[0]], 'flow', topic)
        b.drop_topic(topic)
        if 'avro' in a.methods:
            topic = b.new_topic('warmup-avro')
            b.run_avro(*wins[a.sizes[0]], 'flow', topic)
            b.drop_topic(topic)
        for query in [q for q in QUERIES if q in a.queries]:
            for flows in a.sizes:
                b.run_case(query, flows, *wins[flows])
        if not a.no_peer:
            try:
                b.run_peer()
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                b.peer = {'why': 'FAILED: %s' % str(e)[-500:]}
                log('peer: FAILED: %s' % e)
        if not a.no_live:
            try:
                b.run_live()
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                b.live = {'error': str(e)[-2000:]}
                log('live: FAILED: %s' % e)
    finally:
        if b.registry is not None:
            if b.registry_up is not None:   # else interrupted while starting
                meta['registry'] = registry_meta(b, a)
            b.registry.stop()
        elif b.registry_why:
            meta['registry'] = 'none: ' + b.registry_why
        if b.broker is not None:
            b.close_clients()
            b.broker.stop()
    meta['load'] += ', %s at end' % loadavg()
    b.notes.append('total bench time %.0f s' % (time.monotonic() - t_start))
    text = report(b, a, meta)
    sys.stdout.write(text)
    os.makedirs(a.results, exist_ok=True)
    path = os.path.join(a.results, '%s-%s.txt' % (meta['stamp'], meta['sha']))
    with open(path, 'w') as f:
        f.write(text)
    shutil.copyfile(path, os.path.join(a.results, 'latest.txt'))
    log('results in %s (and latest.txt)' % path)
    shutil.rmtree(workdir, ignore_errors=True)
    invalid = sum(not r.ok for rs in b.results.values() for r in rs)
    if invalid or (b.live is not None and not b.live.get('ok')):
        log('%d invalid run(s)%s: see the table' % (
            invalid, ', live invalid' if b.live is not None and not b.live.get('ok') else ''))
        return 1
    if b.registry_why:
        log(b.registry_why)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
