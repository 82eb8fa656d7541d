# SPDX-License-Identifier: BSD-2-Clause
"""A real single-node Kafka broker (KRaft) for tests, stdlib only.

The jars come from tests/setup/kafka.sh (Maven Central, cached). Readiness
and topic creation speak the Kafka wire protocol directly (Metadata v4,
CreateTopics v1) so this module needs no client library.
"""

import atexit
import base64
import ctypes
import hashlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

from wait import wait_until

KAFKA_SH = Path(__file__).resolve().parents[1] / "setup" / "kafka.sh"
_live = set()  # brokers with a JVM we may have to kill at exit
_classpath = None


def kafka_classpath():
    """Classpath of the cached broker jars (fetched on first use)."""
    global _classpath
    if _classpath is None:
        r = subprocess.run(["sh", str(KAFKA_SH), "classpath"], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{KAFKA_SH} classpath failed:\n{r.stderr}")
        _classpath = r.stdout.strip()
    return _classpath


def _java_bin():
    if os.environ.get("JAVA_HOME"):
        return os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    return shutil.which("java") or "java"


def _cds_archive():
    """Where the CDS archive for this java + these jars lives (in the cache).

    An archive only fits the exact JVM build and jar files it was made
    with; the key changes with either, so a stale one is simply not used."""
    java = os.path.realpath(_java_bin())
    key = f"{java}:{os.stat(java).st_mtime_ns}:{kafka_classpath()}"
    lib = Path(kafka_classpath().split(":")[0]).parent
    return lib.parent / f"broker-{hashlib.sha1(key.encode()).hexdigest()[:12]}.jsa"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _random_cluster_id():
    # Kafka's Uuid.randomUuid: url-safe base64 without padding, never
    # starting with '-' (that would read as a command-line option).
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def _die_with_parent():
    # If the test process is SIGKILLed, atexit never runs: have the kernel
    # kill the JVM too. Caveat: fires when the *thread* that started the
    # broker exits, so start brokers from a long-lived thread.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@atexit.register
def _kill_all():
    for b in list(_live):
        b.kill()


# --- minimal Kafka protocol (non-flexible versions, request header v1) ---

def _str(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class _Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        s = self.buf[self.pos:self.pos + n].decode()
        self.pos += n
        return s


def _request(addr, api_key, version, body, timeout=2.0):
    hdr = struct.pack(">hhi", api_key, version, 1) + _str("nfkafka-test")
    with socket.create_connection(addr, timeout=timeout) as s:
        msg = hdr + body
        s.sendall(struct.pack(">i", len(msg)) + msg)
        buf = b""
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("broker closed the connection")
            buf += chunk
    return _Reader(buf[8:])  # skip size and correlation id


def _metadata(addr, topics=None, timeout=2.0):
    """Metadata v4 -> (broker node ids, {topic: (error, [leader per partition])})."""
    if topics is None:
        body = struct.pack(">i", -1)
    else:
        body = struct.pack(">i", len(topics)) + b"".join(_str(t) for t in topics)
    r = _request(addr, 3, 4, body + b"\x00", timeout)  # no auto-create
    r.take(">i")  # throttle
    brokers = []
    for _ in range(r.take(">i")):
        brokers.append(r.take(">i"))
        r.string(), r.take(">i"), r.string()  # host, port, rack
    r.string(), r.take(">i")  # cluster id, controller id
    out = {}
    for _ in range(r.take(">i")):
        err, name, _internal = r.take(">h"), r.string(), r.take(">?")
        leaders = []
        for _ in range(r.take(">i")):
            _perr, _idx, leader = r.take(">hii")
            for _ in range(2):  # replicas, isr
                n = r.take(">i")
                r.pos += 4 * n
            leaders.append(leader)
        out[name] = (err, leaders)
    return brokers, out


class KafkaBroker:
    def __init__(self, workdir, port=None, controller_port=None,
                 auto_create_topics=True, extra_props=None, sasl_users=None):
        self.workdir = Path(workdir).resolve()
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        while self.controller_port == self.port:  # two quick binds can repeat
            self.controller_port = free_port()
        self.auto_create_topics = auto_create_topics
        self.extra_props = dict(extra_props or {})
        # {user: password}: a SASL_PLAINTEXT listener with mechanism PLAIN
        # on sasl_port, beside the PLAINTEXT one the tests' tools use.
        self.sasl_users = dict(sasl_users or {})
        self.sasl_port = None
        if self.sasl_users:
            self.sasl_port = free_port()
            while self.sasl_port in (self.port, self.controller_port):
                self.sasl_port = free_port()
        self.data_dir = self.workdir / "data"
        self.log_path = self.workdir / "broker.log"
        self.proc = None
        self._cds_tmp = None
        self.start_seconds = None  # how long the last start() took

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap(self):
        return f"127.0.0.1:{self.sasl_port}"

    def _sasl_props(self, props):
        """Adds the SASL_PLAINTEXT listener and its JAAS user list."""
        if not self.sasl_users:
            return
        for u, pw in self.sasl_users.items():
            if '"' in pw or '\\' in pw or '\n' in pw:
                raise ValueError("no quote, backslash or newline in a "
                                 "JAAS password: %r" % u)
        users = " ".join(f'user_{u}="{pw}"' for u, pw in self.sasl_users.items())
        props["listeners"] += f",SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}"
        props["advertised.listeners"] += \
            f",SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}"
        props["listener.security.protocol.map"] += \
            ",SASL_PLAINTEXT:SASL_PLAINTEXT"
        props["sasl.enabled.mechanisms"] = "PLAIN"
        props["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = (
            "org.apache.kafka.common.security.plain.PlainLoginModule "
            f"required {users};")

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _write_config(self):
        props = {
            "process.roles": "broker,controller",
            "node.id": 1,
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},"
                         f"CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": self.data_dir,
            "num.partitions": 1,
            "auto.create.topics.enable": str(self.auto_create_topics).lower(),
            "offsets.topic.replication.factor": 1,
            # One partition instead of 50: the first consumer group (and the
            # first transaction) then waits for 1 partition, not 50.
            "offsets.topic.num.partitions": 1,
            "transaction.state.log.replication.factor": 1,
            "transaction.state.log.min.isr": 1,
            "transaction.state.log.num.partitions": 1,
            "group.initial.rebalance.delay.ms": 0,
            # Unfencing waits for a heartbeat; the default 2 s costs start time.
            "broker.heartbeat.interval.ms": 200,
            # After a SIGKILL the controller refuses the restarted broker until
            # the old session expires (default 9 s): keep restarts quick.
            "broker.session.timeout.ms": 2000,
            # Small footprint: 2 cores, many brokers per test run.
            "num.network.threads": 2,
            "num.io.threads": 2,
            "background.threads": 2,
            "num.recovery.threads.per.data.dir": 1,
            "log.cleaner.dedupe.buffer.size": 2 * 1024 * 1024,  # default 128 MiB
            "auto.leader.rebalance.enable": "false",
        }
        self._sasl_props(props)
        props.update(self.extra_props)
        self.workdir.mkdir(parents=True, exist_ok=True)
        cfg = self.workdir / "server.properties"
        cfg.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        # Console appender; the JVM's stdout/stderr go to broker.log, which
        # then also holds JVM errors that happen before log4j starts.
        l4j = self.workdir / "log4j.properties"
        l4j.write_text(
            "log4j.rootLogger=INFO, out\n"
            "log4j.appender.out=org.apache.log4j.ConsoleAppender\n"
            "log4j.appender.out.layout=org.apache.log4j.PatternLayout\n"
            "log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
            "log4j.logger.state.change.logger=WARN\n"
            "log4j.logger.kafka.request.logger=WARN\n")
        return cfg, l4j

    def _java(self, l4j, *args, cds=()):
        # SerialGC and C1-only JIT start noticeably faster and use less
        # memory; peak throughput does not matter for tests.
        return [_java_bin(), "-Xmx512m", "-Xss512k", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", *cds,
                "-Djava.awt.headless=true", f"-Dlog4j.configuration=file:{l4j}",
                "-cp", kafka_classpath(), *args]

    def _format(self, cfg, l4j, cds):
        # Only on first start: formatting again would refuse (or wipe state).
        if (self.data_dir / "meta.properties").exists():
            return
        r = subprocess.run(self._java(l4j, "kafka.tools.StorageTool", "format",
                                      "-t", _random_cluster_id(), "-c", str(cfg), cds=cds),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"kafka storage format failed:\n{r.stdout}{r.stderr}")

    def start(self, timeout=60):
        if self.running():
            return
        t0 = time.monotonic()
        cfg, l4j = self._write_config()
        # A class-data-sharing archive of the broker's classes halves the
        # start time (~2 s -> ~1 s). The first broker that stops cleanly
        # without one writes it (at JVM exit); see _finish_cds().
        archive = _cds_archive()
        cds = [f"-XX:SharedArchiveFile={archive}"] if archive.exists() else []
        self._format(cfg, l4j, cds)
        self._cds_tmp = None
        if not cds:
            self._cds_tmp = archive.with_name(f"{archive.name}.{os.getpid()}.{id(self)}.tmp")
            cds = [f"-XX:ArchiveClassesAtExit={self._cds_tmp}"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self._java(l4j, "kafka.Kafka", str(cfg), cds=cds), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
                preexec_fn=_die_with_parent)
        _live.add(self)
        try:
            self._wait_ready(t0 + timeout)
        except BaseException:
            self.kill()
            raise
        self.start_seconds = time.monotonic() - t0

    def _finish_cds(self, clean):
        # Publish the archive only if the JVM exited by itself (not SIGKILL,
        # which could cut a dump short); os.replace keeps parallel writers safe.
        tmp, self._cds_tmp = self._cds_tmp, None
        if tmp is None or not tmp.exists():
            return
        # A damaged archive would crash every later JVM, so try it first.
        if clean and subprocess.run(
                self._java(self.workdir / "log4j.properties", "-version",
                             cds=["-Xshare:on", f"-XX:SharedArchiveFile={tmp}"]),
                cwd=self.workdir, capture_output=True).returncode == 0:
            os.replace(tmp, _cds_archive())
        else:
            tmp.unlink()

    def _wait_ready(self, deadline):
        # Ready = the broker answers Metadata and lists itself; it only does
        # so once it is registered and unfenced, i.e. can take produce requests.
        def answers():
            try:
                return _metadata(("127.0.0.1", self.port), [], timeout=1.0)[0]
            except (OSError, struct.error):
                return None
        wait_until(answers, deadline - time.monotonic(),
                   lambda: "kafka did not come up:\n" + self.log_tail(40),
                   proc=self.proc)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _signal(self, sig):
        if self.running():
            self.proc.send_signal(sig)

    def stop(self, timeout=15):
        """Clean shutdown (SIGTERM), SIGKILL if it takes too long."""
        if self.running():
            self._signal(signal.SIGCONT)  # a frozen JVM cannot handle SIGTERM
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
                self._finish_cds(clean=True)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        """Crash: SIGKILL, no clean shutdown."""
        if self.proc is not None:
            self._signal(signal.SIGKILL)
            self.proc.wait()
        self._finish_cds(clean=False)
        _live.discard(self)

    def freeze(self):
        """SIGSTOP: the port stays open but nothing answers (a hung broker)."""
        self._signal(signal.SIGSTOP)

    def thaw(self):
        self._signal(signal.SIGCONT)

    def restart_same_port(self, timeout=60):
        """Start again on the same ports and data (stops it first if running)."""
        self.stop()
        self.start(timeout)

    def create_topic(self, name, partitions=1, timeout=30):
        """Create a topic and wait until every partition has a leader."""
        body = (struct.pack(">i", 1) + _str(name) + struct.pack(">ihii", partitions, 1, 0, 0)
                + struct.pack(">i?", int(timeout * 1000), False))
        r = _request(("127.0.0.1", self.port), 19, 1, body, timeout)  # CreateTopics v1
        r.take(">i")  # topic count
        _name, err, msg = r.string(), r.take(">h"), r.string()
        if err not in (0, 36):  # 36 = TOPIC_ALREADY_EXISTS
            raise RuntimeError(f"create topic {name}: error {err} {msg}")
        def led():
            err, leaders = _metadata(("127.0.0.1", self.port), [name])[1].get(name, (-1, []))
            return err == 0 and leaders and all(x >= 0 for x in leaders)
        wait_until(led, timeout, f"topic {name} has no leader")

    def log_tail(self, n=50):
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no broker log)"
        return "\n".join(lines[-n:])
