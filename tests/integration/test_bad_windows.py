# SPDX-License-Identifier: BSD-2-Clause
"""Corrupt, truncated, symlinked and hostile windows.

nfdump 1.7.1 behaviours this file relies on (observed with nfdump -M DIR/chanA
-r FILE -o fmt:... -N -6, see test_corrupt_window for the exact texts):
- an unknown option prints "nfdump: invalid option" on stderr and its usage
  on stdout, and exits 0;
- a missing file, a zero-length, truncated or random-bytes file: one complaint
  on stderr ("appendix offset error", "read() error", "bad magic"), then
  "No matching flows" and a summary of 0 flows on stdout, exit 0 -- exactly
  what an empty window prints, except for the stderr;
- garbage over a data block: the flows before it, a complaint ("Unknown
  extension", "ptr error", "Corrupt data file"), no summary, exit 255 or 1;
- a few overwritten bytes inside flow values: no complaint at all, every flow
  printed, exit 0 -- the file format has no checksum, so wrong values are
  undetectable by nfdump and therefore by nfkafka;
- a single overwritten record header byte can give "Skip unknown record type
  N" on stderr with one flow fewer, a summary and exit 0;
- with -M DIR/chanA:chanB it stops at the first bad file and still exits 0
  with a summary: flows of the channels after it are never read.
"""
import os
import random
import subprocess
import uuid

import pytest

from collector import make_window
from compare import assert_rows_match
from conftest import consume, run_nfkafka
from errcheck import (CHANNELS, FLOWS, FMT_QUERY, HEADER, QUICK, SLOW, SUMMARY,
                      assert_window_failed, channels, empty_topic, fake_nfdump,
                      profile, published, stamp_of, stderr_lines)
from nfdump_ref import nfdump_rows, path_version


def corrupt(path, kind):
    data = open(path, 'rb').read()
    rnd = random.Random(kind)
    if kind == 'truncated-300':
        data = data[:300]
    elif kind == 'truncated-half':
        data = data[:len(data) // 2]
    elif kind == 'garbage-middle':
        mid = len(data) // 2
        data = data[:mid] + rnd.randbytes(4096) + data[mid + 4096:]
    elif kind == 'zero-length':
        data = b''
    elif kind == 'random-bytes':
        data = rnd.randbytes(50_000)
    with open(path, 'wb') as f:
        f.write(data)


def reference_nfdump(chans, rel):
    """What nfdump itself does with the window, as nfkafka runs it."""
    return subprocess.run(['nfdump', '-M', chans, '-r', rel, '-o',
                           'fmt:%ts,%pr,%byt', '-N', '-6'],
                          capture_output=True, text=True, timeout=QUICK,
                          env=dict(os.environ, TZ='UTC', LC_ALL='C'))


CORRUPT = ['truncated-300', 'truncated-half', 'garbage-middle', 'zero-length',
           'random-bytes']


@pytest.fixture(scope='module')
def corrupt_profiles(profile, tmp_path_factory):
    """{kind: base}: copies of the good window with both channels damaged
    alike, and 'only-chanA', 'only-chanB' with one channel truncated."""
    good, rel = profile
    out = {}
    for kind in CORRUPT + ['only-chanA', 'only-chanB']:
        base = str(tmp_path_factory.mktemp(kind))
        for ch in CHANNELS:
            os.makedirs(os.path.join(base, ch))
            dst = os.path.join(base, ch, rel)
            with open(os.path.join(good, ch, rel), 'rb') as src:
                open(dst, 'wb').write(src.read())
            if kind in CORRUPT:
                corrupt(dst, kind)
            elif kind == 'only-' + ch:
                corrupt(dst, 'truncated-half')
        out[kind] = base
    return out


@pytest.mark.parametrize('kind', CORRUPT)
def test_corrupt_window(broker, empty_topic, profile, corrupt_profiles, kind):
    """nfdump complains on stderr (but exits 0 for most of these); nfkafka
    fails the window naming it and quoting the complaint."""
    _good, rel = profile
    chans = channels(corrupt_profiles[kind])
    ref = reference_nfdump(chans, rel)
    complaint = ref.stderr.strip().splitlines()
    assert complaint, 'nfdump 1.7.1 always complained for these: %r' % ref
    if kind != 'garbage-middle':
        # The point: same exit status and stdout as an empty window.
        assert ref.returncode == 0 and 'No matching flows' in ref.stdout, ref
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', chans, '-Q', FMT_QUERY], timeout=QUICK)
    if kind == 'garbage-middle' and path_version() >= (1, 7, 5):
        # 1.7.5 and later print a hex dump of the bad block among the
        # rows: the window fails on that line, before nfdump's complaint.
        assert_window_failed(run, stamp_of(rel), 'does not fit')
    else:
        assert_window_failed(run, stamp_of(rel), complaint[0].strip())
    n = published(broker, empty_topic)
    if kind == 'garbage-middle':
        # nfdump printed the flows before the garbage, then failed; those
        # may be in Kafka (at-least-once), never the whole window.
        assert n < 2 * FLOWS
    else:
        assert n == 0


def test_corrupt_window_transactional(broker, empty_topic, profile,
                                      corrupt_profiles):
    """Exactly-once mode: the flows read before the garbage are aborted."""
    _good, rel = profile
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(corrupt_profiles['garbage-middle']),
                       '-Q', FMT_QUERY,
                       '--transactional-id', 'errors-%s' % uuid.uuid4().hex],
                      timeout=QUICK * 3)
    assert_window_failed(run, stamp_of(rel))
    if path_version() < (1, 7, 5):
        # 1.7.1 prints rows before the garbage (1.7.5 its hex dump first).
        assert published(broker, empty_topic) > 0   # written, then aborted
    assert consume(broker.bootstrap, empty_topic, timeout=10,
                   isolation='read_committed') == []


@pytest.mark.parametrize('bad', CHANNELS)
def test_one_corrupt_channel_fails_the_window(broker, empty_topic, profile,
                                              corrupt_profiles, bad):
    """nfdump 1.7.1 stops at the first bad file of -M a:b and still exits 0
    with a summary: chanA bad -> "No matching flows", chanB's flows are never
    read; chanB bad -> chanA's flows and a summary of FLOWS flows.  Only
    stderr tells.  Either way the window fails instead of being published
    as empty or as half of itself."""
    _good, rel = profile
    chans = channels(corrupt_profiles['only-' + bad])
    ref = reference_nfdump(chans, rel)
    shown = 0 if bad == 'chanA' else FLOWS
    assert ref.returncode == 0, ref
    assert 'Summary: total flows: %d,' % shown in ref.stdout, ref
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', chans, '-Q', FMT_QUERY], timeout=QUICK)
    assert_window_failed(run, stamp_of(rel), ref.stderr.splitlines()[0].strip())
    assert published(broker, empty_topic) <= shown   # at-least-once


def test_nfdump_control_bytes_are_escaped_in_the_log(broker, empty_topic,
                                                     profile, tmp_path):
    """nfdump's stderr is quoted in the error line: an escape sequence or a
    newline in it must not reach the terminal or forge a second line."""
    base, rel = profile
    body = "printf 'bad\\033[31m red\\nnfkafka: error: forged\\n' >&2\nexit 1\n"
    run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', empty_topic,
                       '-M', channels(base), '-Q', FMT_QUERY,
                       '--nfdump', fake_nfdump(tmp_path, body)], timeout=QUICK)
    err = assert_window_failed(run, stamp_of(rel), 'exited with status 1')
    assert '\x1b' not in run.stderr
    assert 'bad\\x1b[31m red' in err
    assert not any('forged' in l and l.startswith('nfkafka: error: forged')
                   for l in stderr_lines(run)), run


def test_non_utf8_values_reach_a_strict_decoder(broker, empty_topic, profile,
                                                 tmp_path):
    """A value that is not UTF-8 is sent as a CBOR byte string with its exact
    bytes, so strict decoders (cbor2) read every record."""
    base, rel = profile
    rows = ('2026-11-27 10:55:01.000,6,1000\n'
            '2026-11-27 10:55:02.000,\\377\\376,2000\n'
            '2026-11-27 10:55:03.000,caf\\303\\251,3000\n')
    body = "printf '%s%s%s'\nexit 0\n" % (HEADER, rows, SUMMARY)
    for values in ('typed', 'strings'):
        topic = '%s-%s' % (empty_topic, values)
        broker.create_topic(topic)
        run = run_nfkafka(['--once', rel, '-b', broker.bootstrap, '-t', topic,
                           '-M', channels(base), '-Q', FMT_QUERY,
                           '--values', values,
                           '--nfdump', fake_nfdump(tmp_path, body)],
                          timeout=60 * SLOW)
        assert run.returncode == 0, run
        got = consume(broker.bootstrap, topic, expect=3)
        assert len(got) == 3, got
        protos = [m['value']['proto'] for m in got]
        assert protos[1] == b'\xff\xfe', protos
        assert protos[2] == 'caf\u00e9', protos


def test_symlinked_window_is_not_followed(profile, tmp_path):
    """A nfcapd.* symbolic link in a channel directory could hand nfdump any
    file on the host: it is not a window file."""
    base, rel = profile
    chan = tmp_path / 'chanA'
    chan.mkdir()
    name = 'nfcapd.202611271055'
    os.symlink(os.path.join(base, 'chanA', rel), chan / name)
    run = run_nfkafka(['--once', name, '-b', '127.0.0.1:9',
                       '-M', '%s/chanA' % tmp_path], timeout=QUICK)
    assert_window_failed(run, '202611271055', 'no channel has')


def test_symlinked_window_is_skipped_live(broker, topic, tmp_path, daemons):
    """Live: a nfcapd.* symbolic link that appears in a channel directory is
    not a window; the real window after it is exported, alone."""
    base = tmp_path / 'p'
    (base / 'chanA').mkdir(parents=True)
    d = daemons(['-M', '%s/chanA' % base, '-b', broker.bootstrap, '-t', topic,
                 '-Q', FMT_QUERY, '--state', tmp_path / 'state', '--grace', '1'])
    d.wait_log('watching', timeout=60)
    elsewhere = make_window(str(tmp_path / 'elsewhere'), ('chanA',), 25)
    os.symlink(tmp_path / 'elsewhere' / 'chanA' / elsewhere,
               base / 'chanA' / elsewhere)
    rel = make_window(str(base), ('chanA',), 40)
    assert stamp_of(rel) > stamp_of(elsewhere)
    d.wait_log('window %s: chanA: 40 records' % stamp_of(rel), timeout=120)
    rows = nfdump_rows('%s/chanA' % base, rel, ['-o', 'fmt:%ts,%pr,%byt'])
    msgs = consume(broker.bootstrap, topic, expect=len(rows), timeout=60)
    assert_rows_match([m['value'] for m in msgs], rows,
                      ['first_seen', 'proto', 'bytes'])
    assert 'window %s' % stamp_of(elsewhere) not in d.text()
