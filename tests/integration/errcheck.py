# SPDX-License-Identifier: BSD-2-Clause
"""Shared by the bad-input tests (test_bad_*.py, test_secrets.py): a real
window to export, the helpers that read nfkafka's one-line errors, and fake
nfdumps.

Exit statuses (nfkafka(8)): 0 ok, 1 export failed, 2 usage or configuration.
Every run has a short subprocess timeout, so a hang fails the test."""
import os
import uuid

import pytest
from confluent_kafka import Consumer

import nflog
from collector import make_window
from conftest import VALGRIND
from watermark import topic_size


CHANNELS = ('chanA', 'chanB')
FLOWS = 2000                 # per channel in the good window
SLOW = 10 if VALGRIND else 1  # valgrind needs longer timeouts
QUICK = 10 * SLOW            # a usage error or a failed nfdump: seconds
FMT_QUERY = "-o 'fmt:%ts,%pr,%byt'"


@pytest.fixture(scope='module')
def profile(tmp_path_factory):
    """One real window (FLOWS per channel) under base/chanA:chanB."""
    base = str(tmp_path_factory.mktemp('errors'))
    rel = make_window(base, CHANNELS, FLOWS)
    return base, rel


def channels(base):
    return '%s/%s' % (base, ':'.join(CHANNELS))


@pytest.fixture
def empty_topic(broker, topic):
    """A topic that exists, so published() can read its offsets at once."""
    broker.create_topic(topic)
    return topic


def published(broker, topic):
    """Messages the topic holds: the sum of its high watermarks.  Unlike
    consume() this needs no idle wait, and it counts aborted transactional
    records too, so 0 means nothing at all reached Kafka."""
    # read_uncommitted: the high watermark itself, not the last stable
    # offset, which lags while a transaction's abort markers are written.
    c = Consumer({'bootstrap.servers': broker.bootstrap,
                  'group.id': 'errors-%s' % uuid.uuid4().hex,
                  'isolation.level': 'read_uncommitted'})
    try:
        return topic_size(c, topic)
    finally:
        c.close()


def stderr_lines(run):
    """nfkafka's stderr lines, without valgrind's (NFKAFKA_VALGRIND=1)."""
    return nflog.texts(run.stderr)


def error_lines(run):
    return nflog.at_level(run.stderr, 'error')


def assert_usage_error(run, *needles):
    """Exit 2 and exactly one stderr line, 'nfkafka: ...', naming needles."""
    assert run.returncode == 2, run
    lines = stderr_lines(run)
    assert len(lines) == 1, run
    assert lines[0].startswith('nfkafka: '), run
    for n in needles:
        assert n in lines[0], 'error line lacks %r: %s' % (n, lines[0])
    return lines[0]


def assert_window_failed(run, stamp, *needles):
    """Exit 1 and one error line naming the window and the reason."""
    assert run.returncode == 1, run
    errs = error_lines(run)
    assert len(errs) == 1, run
    assert 'window %s' % stamp in errs[0], run
    for n in needles:
        assert n in errs[0], 'error line lacks %r: %s' % (n, errs[0])
    return errs[0]


def stamp_of(rel):
    return os.path.basename(rel).split('.')[1]


# Fake nfdumps: the real one cannot be made to fail in all these ways on
# purpose.  Each ignores its arguments.
ROWS = ('2026-11-27 10:55:01.000,6,1000\n'
        '2026-11-27 10:55:02.000,17,2000\n'
        '2026-11-27 10:55:03.000,1,3000\n')


HEADER = 'Date first seen         Proto    Bytes\n'


SUMMARY = ('Summary: total flows: 3, total bytes: 6000, total packets: 3, '
           'avg bps: 0, avg pps: 0, avg bpp: 0\n')


# The empty window nfkafka runs the query on at start (query_probe).
PROBE_FILE = 'nfcapd.197001010005'


def fake_nfdump(tmp_path, body, version='NSEL-NEL1.7.1'):
    """A shell script as --nfdump: it answers nfkafka's "nfdump -V" and its
    query check on an empty window at start as the nfdump of that version
    would, and runs body for everything else."""
    path = tmp_path / 'fake-nfdump'
    path.write_text('#!/bin/sh\nif [ "$1" = -V ]; then echo "nfdump: Version: '
                    '%s"; exit 0; fi\ncase "$*" in *%s*) echo "No matching '
                    'flows"; exit 0;; esac\n%s' % (version, PROBE_FILE, body))
    path.chmod(0o755)
    return path


SECRET = 'hunter2-sEcReT'
