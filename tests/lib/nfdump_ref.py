# SPDX-License-Identifier: BSD-2-Clause
"""Reference output from the real nfdump, to compare Kafka records against.

    nfdump_rows('/base/chanA:chanB', 'nfcapd.20261127120046',
                ['-A', 'proto', '-o', 'fmt:%pr,%fl,%byt'])
      -> [['6', '1216', '461916032'], ...]
    nfdump_rows(..., ['-o', 'csv', 'proto tcp'])
      -> [{'ts': '2026-11-27 12:09:07', 'sa': '198.51.100.11', ...}, ...]

nfdump 1.7.1 quirks handled here (observed):
- it exits 0 for a missing -M directory or -r file, saying so only on
  stderr, so any stderr output is treated as an error;
- an empty result is the line 'No matching flows' (with or without -q);
- '-o csv' prints its header only without -q, and ends with a 'Summary'
  block (line 'Summary', 'flows,bytes,...' header, one values line);
  '-s ... -o csv' prints one header per statistic, blocks split by a
  blank line;
- values are space padded ('6    ', '    0.000'), hence the trimming.

nfdump 1.7.8 (the first nfdump on PATH is the one run; the tests'
nfdump_version fixture chooses it):
- '-o csv' has a header line (titles such as 'firstSeen', even with -q) but
  no Summary block; an empty result is the header, then 'No matching flows';
- '-o csv:%tok,...' and '-o csv-fast' likewise: a header line, then the
  rows; they are returned as lists, like fmt:, since their titles repeat
  ('firstSeen' for %ts and %tsr alike);
- it exits non-zero on errors, and still any stderr output is an error;
- it reads with one thread per core, so two runs over the same window may
  print the same rows in different orders (prints_in_order() is False).
"""
import os
import re
import shlex
import subprocess

NO_MATCH = 'No matching flows'


def _output_format(args):
    fmt = None
    for i, a in enumerate(args):
        if a == '-o' and i + 1 < len(args):
            fmt = args[i + 1]
        elif a.startswith('-o') and len(a) > 2:
            fmt = a[2:]
    return fmt


_ORDERED = {}


def prints_in_order():
    """Whether the nfdump on PATH prints a window's rows in one fixed order
    (1.7.1), or in an order that varies between runs (1.7.5 and later read
    with several threads)."""
    path = os.environ.get('PATH', '')
    if path not in _ORDERED:
        out = subprocess.run(['nfdump', '-V'], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL).stdout
        m = re.search(r'(\d+)\.(\d+)\.(\d+)', out)
        _ORDERED[path] = m is not None and tuple(map(int, m.groups())) < (1, 7, 5)
    return _ORDERED[path]


def path_version():
    """The version of the nfdump on PATH, as a tuple: (1, 7, 5)."""
    out = subprocess.run(['nfdump', '-V'], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL).stdout
    m = re.search(r'(\d+)\.(\d+)\.(\d+)', out)
    return tuple(map(int, m.groups())) if m else (0, 0, 0)


# nfdump 1.7.5 (Debian 13) says this of an exporter statistics record whose
# exporter it has not seen (seen in a window of 2 x 20000 flows written by
# nfcapd 1.7.5); it skips that statistics record only, never a flow.
_HARMLESS = re.compile(r'^Exporter SysID: \d+ not found! - Skip stat record')


def _complaint(stderr):
    """stderr without the lines that say nothing about the rows."""
    return [ln for ln in stderr.splitlines()
            if ln.strip() and not _HARMLESS.match(ln)]


def run_nfdump(profile_arg, relfile, args, tz='UTC'):
    """Run nfdump -M profile_arg -r relfile args...; return stdout text."""
    argv = ['nfdump', '-M', profile_arg, '-r', relfile] + list(args)
    env = dict(os.environ, TZ=tz, LC_ALL='C')
    p = subprocess.run(argv, capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0 or _complaint(p.stderr):
        raise RuntimeError('%s failed (rc %d): %s%s' % (
            shlex.join(argv), p.returncode, p.stderr.strip(),
            '' if p.returncode == 0 else ' ' + p.stdout.strip()[-500:]))
    return p.stdout


def nfdump_rows(profile_arg, relfile, query_args, tz='UTC'):
    """Data rows of an nfdump query over one window of a profile.

    query_args: list (or shell-quoted string) of nfdump options and filter,
    e.g. ['-A', 'srcip', '-o', 'fmt:%sa,%fl', 'proto udp'].  Any -q is
    dropped and -N (plain numbers) and -6 (full IPv6) added.  For 'fmt:' output: list of rows,
    each a list of trimmed fields split on ','.  For '-o csv': list of dicts
    keyed by the csv header (the Summary block is dropped).
    """
    if isinstance(query_args, str):
        query_args = shlex.split(query_args)
    args = [a for a in query_args if a not in ('-q', '-N', '-6')]
    fmt = _output_format(args) or ''
    csv = fmt == 'csv'
    titled = fmt == 'csv-fast' or fmt.startswith('csv:')
    # Ours go first: the filter expression usually ends the list.
    # -q (no header, no summary) except for csv, whose header we need.
    # -6: without it nfdump shortens IPv6 addresses ('2001:db..00::460').
    args = ['-N', '-6'] + ([] if csv or titled else ['-q']) + args
    out = run_nfdump(profile_arg, relfile, args, tz)
    lines = out.splitlines()
    if titled:
        lines = lines[1:]   # the column titles
    if not csv:
        return [[f.strip() for f in ln.split(',')]
                for ln in lines if ln.strip() and ln.strip() != NO_MATCH]
    rows, header = [], None
    it = iter(lines)
    for ln in it:
        if ln == 'Summary':
            next(it, None)   # 'flows,bytes,packets,...' header
            next(it, None)   # its values
            continue
        if not ln.strip():
            header = None    # blank line ends a statistic's block
            continue
        if ln.strip() == NO_MATCH:
            continue
        fields = [f.strip() for f in ln.split(',')]
        if header is None:
            header = fields
        else:
            rows.append(dict(zip(header, fields)))
    return rows
