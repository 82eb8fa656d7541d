# SPDX-License-Identifier: BSD-2-Clause
"""Real nfcapd collectors for tests: one per channel, fed by tests/tools/nfgen.

    with Collector(tmp, interval=2) as c:
        c.send('chanA', 1000)
        rel = c.wait_rotated('chanA')[0]      # e.g. 'nfcapd.20261127120046'
        nfdump -M c.profile_arg() -r rel ...

    rel = make_window(tmp, ('chanA', 'chanB'), 100_000)   # one exact window

The nfcapd (and nfdump) run is the first on PATH: the tests' nfdump_version
fixture puts 1.7.1 (/usr/bin) or 1.7.8 (the test cache) there.

nfcapd 1.7.1 facts this relies on (observed, see the harness report; 1.7.8
behaves the same except that its open file is nfcapd.current.<random hex>):
- it names a file after the *start* of its interval, aligned to the interval
  (-t 3600 at 12:05 -> nfcapd.202611271200); 14 digits when -t < 60;
- SIGTERM rotates the current file, but drops datagrams still queued in the
  socket, so we wait for the socket's rx queue to drain first;
- renaming onto an existing name MERGES into that file (flows are added),
  hence make_window stages privately and picks an unused name itself;
- SIGSTOP stops rotation; after SIGCONT it rotates once, then only on
  received packets, one catch-up rotation per packet with consecutive
  (back-dated) names, until back on schedule: resume() nudges it.
"""
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import nfgen  # noqa: E402
from procs import stop_process  # noqa: E402
from wait import wait_until  # noqa: E402

ROTATED_RE = re.compile(r'^nfcapd\.\d{12}(\d{2})?$')
FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1'
BUFSIZE = 8 << 20            # nfcapd -B; the kernel grants it as root
_ALL_PROCS = set()           # every nfcapd we started, killed at exit


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _udp_stats(port):
    """(rx_queue_bytes, drops) of the 127.0.0.1:port UDP socket, or None."""
    want = '0100007F:%04X' % port
    with open('/proc/net/udp') as f:
        for line in f:
            p = line.split()
            if len(p) > 12 and p[1] == want:
                return int(p[4].split(':')[1], 16), int(p[12])
    return None


def _wait_drained(port, timeout=60.0):
    """Wait until nfcapd has read everything queued on its socket."""
    def drained():
        st = _udp_stats(port)
        return st is None or st[0] == 0
    wait_until(drained, timeout, 'nfcapd on port %d did not drain its socket'
               % port, interval=0.02)
    time.sleep(0.05)   # let it finish the datagram it just read


def _current_files(flowdir):
    """nfcapd's open files: nfcapd.current.<pid> (1.7.1) or
    nfcapd.current.<6 random hex digits> (1.7.8)."""
    try:
        return {f for f in os.listdir(flowdir) if f.startswith('nfcapd.current.')}
    except FileNotFoundError:
        return set()


_DIR_FLAG = {}


def _nfcapd_dir_flag():
    """How the nfcapd on PATH is told its directory: -l DIR up to 1.6, -w
    DIR since 1.7 (where -l launches a program)."""
    path = os.environ.get('PATH', '')
    if path not in _DIR_FLAG:
        p = subprocess.run(['nfcapd', '-V'], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL)
        m = re.search(r'(\d+)\.(\d+)\.(\d+)', p.stdout + p.stderr)
        old = m is not None and tuple(map(int, m.groups())) < (1, 7, 0)
        _DIR_FLAG[path] = '-l' if old else '-w'
    return _DIR_FLAG[path]


def _start_nfcapd(flowdir, interval, subdirs, bufsize, log, faketime=None):
    """Start nfcapd on a free port; retry if the port was taken meanwhile.
    faketime: a libfaketime spec such as '@2026-12-31 23:59:55', to make
    nfcapd cross a day boundary now."""
    for _ in range(5):
        port = _free_udp_port()
        argv = ['nfcapd', '-b', '127.0.0.1', '-p', str(port),
                _nfcapd_dir_flag(), flowdir,
                '-t', str(interval), '-B', str(bufsize)]
        env = None
        if faketime:
            # Preloaded directly, not through faketime(1), so the pid in
            # nfcapd.current.<pid> is the one we started.
            env = dict(os.environ, FAKETIME=faketime, LD_PRELOAD=FAKETIME_LIB)
        if subdirs:
            # True: -S 1 (%Y/%m/%d); a number: that nfcapd -S layout.
            argv += ['-S', str(int(subdirs))]
        before = _current_files(flowdir)
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env)
        _ALL_PROCS.add(proc)
        try:
            # Ready = socket bound and the first file open.
            wait_until(lambda: _udp_stats(port) is not None and
                       _current_files(flowdir) - before, 10,
                       'nfcapd on port %d' % port, interval=0.02, proc=proc)
            return proc, port
        except TimeoutError:
            _terminate(proc)
    raise RuntimeError('could not start nfcapd in %s (see its log)' % flowdir)


def _terminate(proc, timeout=15):
    stop_process(proc, timeout)
    _ALL_PROCS.discard(proc)


@atexit.register
def _cleanup():
    for proc in list(_ALL_PROCS):
        _terminate(proc, timeout=5)


def rotated_files(chandir):
    """Sorted rotated file names under chandir, relative to it ('/'-separated)."""
    out = []
    for root, _dirs, files in os.walk(chandir):
        rel = os.path.relpath(root, chandir)
        for f in files:
            if ROTATED_RE.match(f):
                out.append(f if rel == '.' else rel.replace(os.sep, '/') + '/' + f)
    # Sort by the timestamp, so flat and -S 1 names order the same way.
    return sorted(out, key=lambda r: (r.rsplit('/', 1)[-1], r))


def count_flows(path):
    """Flow records in an nfcapd file, by reading every record with nfdump."""
    p = subprocess.Popen(['nfdump', '-r', path, '-q', '-N', '-o', 'fmt:%pr'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=dict(os.environ, TZ='UTC', LC_ALL='C'))
    n, head = 0, b''
    while chunk := p.stdout.read(1 << 20):
        head = head or chunk[:32]
        n += chunk.count(b'\n')
    if p.wait() != 0:
        raise RuntimeError('nfdump failed reading %s' % path)
    return 0 if head.startswith(b'No matching flows') else n


class Collector:
    """One nfcapd per channel under basedir/<channel>, on its own UDP port."""

    def __init__(self, basedir, channels=('chanA', 'chanB'), interval=2,
                 subdirs=False, bufsize=BUFSIZE, faketime=None):
        self.basedir = os.path.abspath(basedir)
        self.faketime = faketime
        self.channels = tuple(channels)
        self.interval, self.subdirs, self.bufsize = interval, subdirs, bufsize
        self.ports, self._procs, self._seen, self._paused = {}, {}, {}, {}
        self._logdir = os.path.join(self.basedir, '.nfcapd')  # outside channel dirs
        os.makedirs(self._logdir, exist_ok=True)
        try:
            for ch in self.channels:
                self._start(ch)
        except BaseException:
            self.stop()
            raise

    def _start(self, ch):
        d = self.chandir(ch)
        os.makedirs(d, exist_ok=True)
        self._seen[ch] = set(rotated_files(d))   # older files are not "new"
        with open(os.path.join(self._logdir, ch + '.log'), 'ab') as log:
            self._procs[ch], self.ports[ch] = _start_nfcapd(
                d, self.interval, self.subdirs, self.bufsize, log,
                self.faketime)

    def chandir(self, channel):
        return os.path.join(self.basedir, channel)

    def profile_arg(self):
        """The nfdump -M argument for all channels."""
        return '%s/%s' % (self.basedir, ':'.join(self.channels))

    def send(self, channel, flows, **kw):
        """nfgen.send() to that channel's nfcapd; returns flows/s achieved."""
        return nfgen.send(self.ports[channel], flows, **kw)

    def drain(self, channel, timeout=60.0):
        """Wait until that nfcapd has read every datagram sent so far."""
        _wait_drained(self.ports[channel], timeout)

    def drops(self, channel):
        """Datagrams the kernel dropped on that nfcapd's socket (full buffer)."""
        st = _udp_stats(self.ports[channel])
        return st[1] if st else 0

    def windows(self):
        """{channel: sorted rotated file names relative to the channel dir}."""
        return {ch: rotated_files(self.chandir(ch)) for ch in self.channels}

    def mark(self, channel=None):
        """Treat every file present now as already seen by wait_rotated()."""
        for ch in [channel] if channel else self.channels:
            self._seen[ch] = set(rotated_files(self.chandir(ch)))

    def wait_rotated(self, channel, count=1, timeout=None):
        """Wait for `count` rotated files not yet returned (nor present at
        start / last mark()); return the oldest `count` of them, relative."""
        # nfcapd rotates up to ~2 s after an interval ends (seen with -t 2).
        timeout = timeout if timeout is not None else self.interval * (count + 1) + 5
        def new():
            return [f for f in rotated_files(self.chandir(channel))
                    if f not in self._seen[channel]]
        got = wait_until(lambda: new()[:count] if len(new()) >= count else
                         None, timeout, lambda: '%s: %d of %d rotated files: %s'
                         % (channel, len(new()), count, new()))
        self._seen[channel].update(got)
        return got

    def pause(self, channel):
        """Freeze that nfcapd (SIGSTOP): it stops rotating.  Datagrams sent
        meanwhile queue in its socket buffer (about 100k flows fit)."""
        self._procs[channel].send_signal(signal.SIGSTOP)
        self._paused[channel] = time.monotonic()

    def resume(self, channel):
        """SIGCONT, then let nfcapd catch up the windows it missed; they get
        consecutive names, as if the channel had only been slow."""
        self._procs[channel].send_signal(signal.SIGCONT)
        paused = time.monotonic() - self._paused.pop(channel, time.monotonic())
        # nfcapd 1.7.1 re-arms its rotation alarm only while on schedule;
        # once behind, each received packet drives one catch-up rotation
        # (and with no traffic it never rotates again).  Flow-less packets:
        nfgen.nudge(self.ports[channel], int(paused // self.interval) + 3)

    def stop(self):
        """Drain and SIGTERM every nfcapd (this rotates its current file)."""
        for ch, proc in self._procs.items():
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                try:
                    self.drain(ch, timeout=10)
                except TimeoutError:
                    pass
            _terminate(proc)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _stamp_free(basedir, channels, rel):
    return not any(os.path.exists(os.path.join(basedir, ch, rel)) for ch in channels)


def _pick_name(basedir, channels, subdirs, stamp):
    """Relative name for a new window; unused in every channel."""
    def rel_for(st, tm):
        sub = time.strftime('%Y/%m/%d/', tm) if subdirs else ''
        return sub + 'nfcapd.' + st
    if stamp is not None:
        rel = rel_for(stamp, time.strptime(stamp[:8], '%Y%m%d'))
        if not _stamp_free(basedir, channels, rel):
            raise FileExistsError(rel)
        return rel
    t = int(time.time())
    while True:   # same second already used here: take the next one
        tm = time.localtime(t)
        rel = rel_for(time.strftime('%Y%m%d%H%M%S', tm), tm)
        if _stamp_free(basedir, channels, rel):
            return rel
        t += 1


def make_window(basedir, channels=('chanA', 'chanB'), flows_per_channel=1000,
                subdirs=False, version=5, seed=0, rate=None, ipv6_share=0.0,
                stamp=None, retries=2):
    """Create ONE complete rotated window holding exactly the given flows in
    every channel; return its name relative to the channel dirs.

    flows_per_channel: an int, or {channel: int}.  Channel i gets seed+i.
    The name is nfcapd.YYYYMMDDhhmmss (local time, now or the next unused
    second in this basedir), or nfcapd.<stamp> if given; under YYYY/MM/DD/
    when subdirs.  Each channel's file is collected by a private nfcapd in a
    staging dir, verified with nfdump, then renamed into place (atomic), so
    a watcher only ever sees complete files.  Not safe for two concurrent
    make_window calls on the same basedir.
    """
    basedir = os.path.abspath(basedir)
    want = (flows_per_channel if isinstance(flows_per_channel, dict)
            else {ch: flows_per_channel for ch in channels})
    hidden = os.path.join(basedir, '.nfcapd')
    os.makedirs(hidden, exist_ok=True)
    staging = tempfile.mkdtemp(prefix='staging-', dir=hidden)  # same filesystem
    try:
        done = {}
        cur_rate = rate if rate is not None else nfgen.DEFAULT_RATE
        for attempt in range(retries + 1):
            todo = [ch for ch in channels if ch not in done]
            if not todo:
                break
            # Long interval: the file is closed by SIGTERM, not by the clock.
            procs = {}
            try:
                for ch in todo:
                    d = os.path.join(staging, '%s.%d' % (ch, attempt))
                    os.makedirs(d)
                    with open(os.path.join(hidden, 'make_window.log'), 'ab') as log:
                        procs[ch] = (d,) + _start_nfcapd(d, 86400, False, BUFSIZE, log)
                for ch in todo:
                    nfgen.send(procs[ch][2], want[ch], version=version,
                               seed=seed + list(channels).index(ch),
                               rate=cur_rate, ipv6_share=ipv6_share)
                for ch in todo:
                    _wait_drained(procs[ch][2])
            finally:
                for d, proc, port in procs.values():
                    _terminate(proc)
            for ch in todo:
                files = rotated_files(procs[ch][0])
                # More than one file: a day boundary passed mid-send; retry.
                if len(files) == 1:
                    path = os.path.join(procs[ch][0], files[0])
                    if count_flows(path) == want[ch]:
                        done[ch] = path
            cur_rate = max(10_000, cur_rate // 2)
        missing = [ch for ch in channels if ch not in done]
        if missing:
            raise RuntimeError('make_window: flows lost in %s after %d tries'
                               % (missing, retries + 1))
        rel = _pick_name(basedir, channels, subdirs, stamp)
        for ch in channels:
            dst = os.path.join(basedir, ch, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.rename(done[ch], dst)
        return rel
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def collect_once(chandir, flows, seed=0):
    """Run a real nfcapd (-t 86400) in chandir, send it `flows` flows, then
    stop it: it rotates its file to the day's window name.  Run again the
    same day, nfcapd finds that name taken and appends its blocks to the
    existing file (nfdump's RenameAppend), just as a collector restarted
    inside an interval does.  Returns the window's name, relative."""
    os.makedirs(chandir, exist_ok=True)
    log_dir = os.path.join(os.path.dirname(os.path.abspath(chandir)), '.nfcapd')
    os.makedirs(log_dir, exist_ok=True)
    before = {f: os.stat(os.path.join(chandir, f)).st_size
              for f in rotated_files(chandir)}
    with open(os.path.join(log_dir, 'collect_once.log'), 'ab') as log:
        proc, port = _start_nfcapd(chandir, 86400, False, BUFSIZE, log)
    try:
        nfgen.send(port, flows, seed=seed)
        _wait_drained(port)
    finally:
        _terminate(proc)
    after = {f: os.stat(os.path.join(chandir, f)).st_size
             for f in rotated_files(chandir)}
    changed = [f for f in after if before.get(f) != after[f]]
    if len(changed) != 1:
        raise RuntimeError('collect_once: expected one rotated file, got %s'
                           % changed)
    return changed[0]
