# SPDX-License-Identifier: BSD-2-Clause
"""Kafka Connect standalone with a file sink, as a consumer of a topic:
its jars from the set-up scripts, a worker with the converters a test
names, and the sink's lines once it has written what the test expects."""
import contextlib
import os
import subprocess
import sys
import time

import pytest

from kafka_broker import free_port
from procs import stop_process
from wait import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

LOG4J = ('log4j.rootLogger=WARN, stderr\n'
         'log4j.appender.stderr=org.apache.log4j.ConsoleAppender\n'
         'log4j.appender.stderr.Target=System.err\n'
         'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n'
         'log4j.appender.stderr.layout.ConversionPattern=%p %c: %m%n\n')


def setup_classpath(script, command, what):
    """The classpath `sh tests/setup/SCRIPT COMMAND` prints (it fetches
    the jars once into the cache); the test fails naming what is missing."""
    p = subprocess.run(['sh', os.path.join(ROOT, 'tests', 'setup', script),
                        command], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        pytest.fail('%s: %s' % (what, p.stderr[-2000:]))
    return p.stdout.strip()


def connect_classpath():
    return setup_classpath('connect.sh', 'classpath', 'Kafka Connect jars')


class FileSink:
    """A running Connect worker whose file sink writes to self.path."""

    def __init__(self, java, path, log_path):
        self.java = java
        self.path = path
        self.log_path = log_path

    def lines(self):
        return self.path.read_text().splitlines() if self.path.exists() else []

    def wait(self, count):
        """The sink's lines and Connect's log once it has written count
        lines, or after a generous deadline (the test's assertions then say
        what is missing), and a little later: anything beyond count would
        show by then. Connect's log goes to stderr for pytest to show."""
        try:
            wait_until(lambda: len(self.lines()) >= count, 180,
                       lambda: 'Connect wrote %d of %d records' % (
                           len(self.lines()), count),
                       interval=0.5, proc=self.java)
        except TimeoutError:
            pass
        time.sleep(2)
        lines = self.lines()
        text = self.log_path.read_text()
        sys.stderr.write('--- connect log\n' + text[-5000:])
        return lines, text


@contextlib.contextmanager
def file_sink(tmp_path, classpath, bootstrap, topic, name, converters):
    """Starts ConnectStandalone reading topic from the start into a file
    sink named name; converters are the worker's converter properties.
    Yields a FileSink; stops the worker on the way out."""
    sink = tmp_path / 'sink.txt'
    (tmp_path / 'worker.properties').write_text('\n'.join(
        ['bootstrap.servers=%s' % bootstrap] + list(converters) + [
            'offset.storage.file.filename=%s' % (tmp_path / 'offsets'),
            'offset.flush.interval.ms=1000',
            'listeners=http://127.0.0.1:%d' % free_port(),
            'plugin.discovery=only_scan', '']))
    (tmp_path / 'sink.properties').write_text('\n'.join([
        'name=%s' % name,
        'connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector',
        'tasks.max=1', 'topics=%s' % topic, 'file=%s' % sink,
        'consumer.override.auto.offset.reset=earliest', '']))
    (tmp_path / 'log4j.properties').write_text(LOG4J)
    log_path = tmp_path / 'connect.log'
    with open(log_path, 'w') as log:
        java = subprocess.Popen(
            ['java', '-Xmx256m', '-XX:TieredStopAtLevel=1',
             '-Dlog4j.configuration=file:%s' % (tmp_path / 'log4j.properties'),
             '-cp', classpath, 'org.apache.kafka.connect.cli.ConnectStandalone',
             str(tmp_path / 'worker.properties'),
             str(tmp_path / 'sink.properties')],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            yield FileSink(java, sink, log_path)
        finally:
            stop_process(java)
