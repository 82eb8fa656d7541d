# SPDX-License-Identifier: BSD-2-Clause
"""The NetFlow side of the harness works against the real nfcapd/nfdump:
channels rotate, files are found in flat and -S 1 layouts, nothing is lost,
and make_window gives windows with exact flow counts."""
import os
import re
import shutil
import time
from collections import Counter

import pytest

from collector import Collector, count_flows, make_window  # noqa: E402
from nfdump_ref import nfdump_rows, path_version  # noqa: E402
from wait import wait_until  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which('nfcapd'), reason='needs nfcapd')

FLAT = re.compile(r'^nfcapd\.\d{14}$')
SUB = re.compile(r'^(\d{4})/(\d{2})/(\d{2})/nfcapd\.(\d{8})\d{6}$')


def total_flows(chandir, rels):
    return sum(count_flows(os.path.join(chandir, r)) for r in rels)


@pytest.mark.parametrize('subdirs', [False, True], ids=['flat', 'subdirs'])
def test_two_channels_rotate(tmp_path, subdirs):
    sent = {'chanA': 3000, 'chanB': 1234}
    with Collector(tmp_path, interval=2, subdirs=subdirs) as c:
        for ch, n in sent.items():
            c.send(ch, n, version=9, ipv6_share=0.1, seed=len(ch))
        for ch in sent:
            c.drain(ch)
            # The window holding the flows, and the one after it, close.
            got = c.wait_rotated(ch, count=2)
            for rel in got:
                m = SUB.match(rel) if subdirs else FLAT.match(rel)
                assert m, rel
                if subdirs:   # YYYY/MM/DD/ matches the name's date
                    assert ''.join(m.groups()[:3]) == m.group(4)
            assert c.drops(ch) == 0
        # .current stays at the top of the channel dir in both layouts.
        for ch in sent:
            assert [f for f in os.listdir(c.chandir(ch)) if 'current' in f]
        # Both channels name their windows alike, and nfdump -M reads them.
        common = sorted(set(c.windows()['chanA']) & set(c.windows()['chanB']))
        assert common
        rows = nfdump_rows(c.profile_arg(), common[-1], ['-o', 'fmt:%fl'])
        assert all(r == ['1'] for r in rows)
    # stop() drained and rotated the current file: every flow is on disk once.
    w = c.windows()
    for ch, n in sent.items():
        assert total_flows(c.chandir(ch), w[ch]) == n
        assert not [f for f in os.listdir(c.chandir(ch)) if 'current' in f]


def test_pause_stops_rotation(tmp_path):
    with Collector(tmp_path, interval=2) as c:
        c.wait_rotated('chanA')
        c.pause('chanA')
        before = c.windows()['chanA']
        time.sleep(4.5)
        assert c.windows()['chanA'] == before
        # chanB went on; after resume chanA catches up with the same names.
        later = [w for w in c.windows()['chanB'] if w > before[-1]]
        assert len(later) >= 2
        c.resume('chanA')
        wait_until(lambda: set(later) <= set(c.windows()['chanA']), 5,
                   lambda: (later, c.windows()['chanA']), interval=0.1)
        # ...and then rotates on schedule again.
        c.mark('chanA')
        c.wait_rotated('chanA', timeout=5)


@pytest.mark.parametrize('subdirs', [False, True], ids=['flat', 'subdirs'])
def test_make_window_exact(tmp_path, subdirs):
    want = {'chanA': 100_000, 'chanB': 12_345}
    t = time.monotonic()
    rel = make_window(tmp_path, ('chanA', 'chanB'), want, subdirs=subdirs,
                      version=9, ipv6_share=0.2)
    print('make_window %s: %.2fs' % (want, time.monotonic() - t))
    assert (SUB if subdirs else FLAT).match(rel)
    for ch, n in want.items():
        assert count_flows(tmp_path / ch / rel) == n
    # The whole profile, through the reference helper.
    if path_version() == (1, 7, 5):
        # Debian 13's nfdump aggregates into no -o fmt:; count its flows.
        flows = nfdump_rows('%s/chanA:chanB' % tmp_path, rel,
                            ['-o', 'fmt:%pr'])
        rows = [[p, str(n)] for p, n in Counter(r[0] for r in flows).items()]
    else:
        rows = nfdump_rows('%s/chanA:chanB' % tmp_path, rel,
                           ['-A', 'proto', '-o', 'fmt:%pr,%fl'])
    assert sum(int(r[1]) for r in rows) == sum(want.values())
    assert {r[0] for r in rows} == {'1', '6', '17', '58'}
    # A second window at once gets its own name, not a merge into the first.
    rel2 = make_window(tmp_path, ('chanA', 'chanB'), 10, subdirs=subdirs)
    assert rel2 != rel
    assert count_flows(tmp_path / 'chanA' / rel2) == 10
    assert count_flows(tmp_path / 'chanA' / rel) == want['chanA']
    csv = nfdump_rows('%s/chanA:chanB' % tmp_path, rel2, ['-o', 'csv'])
    # 1.7.5 and later title -o csv's columns by name, 1.7.1 by token.
    titles = ({'ts', 'sa', 'da', 'ibyt'} if path_version() < (1, 7, 5)
              else {'firstSeen', 'srcAddr', 'dstAddr', 'bytes'})
    assert len(csv) == 20 and titles <= set(csv[0])
