# SPDX-License-Identifier: BSD-2-Clause
"""nfkafka's log, parsed in one place.

A line is "[STAMP ]nfkafka: LEVEL: MESSAGE" (the stamp only in a log file,
journald stamps stderr itself), or "nfkafka: MESSAGE" for a usage error said
before logging starts. valgrind's lines (==PID==, NFKAFKA_VALGRIND=1) are
left out: it reports librdkafka's thread stacks as possibly lost at exit().
"""
import re
from collections import namedtuple

LINE_RE = re.compile(r'^(?:(\S+Z) )?nfkafka: (?:(error|warn|info|debug): )?'
                     r'(.*)$')
VALGRIND_RE = re.compile(r'^==\d+==')
# The line of an exported window: "window STAMP: CHANNELS: N records ...".
WINDOW_RE = re.compile(r'window (\d{14}): (\S+): (\d+) records')


class Line(namedtuple('Line', 'text stamp level message')):
    """text: the whole line. level: error, warn, info, debug, or None for a
    usage error. message: after the level; None for a line not nfkafka's."""

    @property
    def ours(self):
        return self.message is not None


def lines(text):
    """Every line but valgrind's, parsed."""
    out = []
    for t in text.splitlines():
        if VALGRIND_RE.match(t):
            continue
        m = LINE_RE.match(t)
        out.append(Line(t, m[1], m[2], m[3]) if m else
                   Line(t, None, None, None))
    return out


def texts(text):
    """The lines as text, valgrind's left out."""
    return [l.text for l in lines(text)]


def at_level(text, level):
    """The whole lines logged at level ('error', 'warn', ...)."""
    return [l.text for l in lines(text) if l.level == level]


def windows(text):
    """[(stamp, channels, records)] of the exported windows, in log order."""
    return [(m[1], m[2], int(m[3])) for m in WINDOW_RE.finditer(text)]
