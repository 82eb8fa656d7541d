# SPDX-License-Identifier: BSD-2-Clause
"""A real schema registry for the Avro tests: Apicurio Registry 2.6 (its
Quarkus runner, in-memory storage) on 127.0.0.1, started per test like the
Kafka broker. It answers Confluent's REST API under /apis/ccompat/v7, which
is what nfkafka, fastavro's tests and ClickHouse's AvroConfluent speak.
The runner jar comes from tests/setup/registry.sh (Maven, cached)."""
import atexit
import ctypes
import json
import os
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from kafka_broker import free_port
from procs import stop_process
from wait import wait_until

ROOT = Path(__file__).resolve().parents[2]
CCOMPAT = "/apis/ccompat/v7"
_live = set()
_jar = None


def registry_jar():
    """The runner jar, fetched once (tests/setup/registry.sh)."""
    global _jar
    if _jar is None:
        out = subprocess.run(["sh", str(ROOT / "tests/setup/registry.sh"), "fetch"],
                             check=True, capture_output=True, text=True)
        _jar = out.stdout.strip().splitlines()[-1]
    return _jar


def _die_with_parent():
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


@atexit.register
def _kill_all():
    for r in list(_live):
        r.stop()


class SchemaRegistry:
    def __init__(self, workdir, port=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc = None
        self.log_path = self.workdir / f"registry-{self.port}.log"

    @property
    def url(self):
        """The base nfkafka's --schema-registry takes."""
        return f"http://127.0.0.1:{self.port}{CCOMPAT}"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=120):
        if self.running():
            return
        env = dict(os.environ, QUARKUS_HTTP_HOST="127.0.0.1",
                   QUARKUS_HTTP_PORT=str(self.port),
                   # One small JVM: the tests share two cores with a broker.
                   JAVA_TOOL_OPTIONS="-Xmx384m -XX:TieredStopAtLevel=1")
        java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") \
            if os.environ.get("JAVA_HOME") else shutil.which("java") or "java"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([java, "-jar", registry_jar()], env=env,
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         preexec_fn=_die_with_parent)
        _live.add(self)
        try:
            wait_until(self._answers, timeout,
                       lambda: "registry did not come up:\n" + self.log_tail(),
                       interval=0.2, proc=self.proc)
        except TimeoutError:
            self.stop()
            raise

    def _answers(self):
        try:
            self.get("/subjects")
            return True
        except (OSError, urllib.error.URLError):
            return False

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)
        _live.discard(self)

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _call(self, method, path, body=None):
        req = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def get(self, path):
        return self._call("GET", path)

    def put(self, path, body):
        return self._call("PUT", path, body)

    def schema(self, schema_id):
        """The schema registered under id, parsed: GET /schemas/ids/ID."""
        return json.loads(self.get(f"/schemas/ids/{schema_id}")["schema"])

    def versions(self, subject):
        try:
            return self.get(f"/subjects/{subject}/versions")
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return []
            raise
