#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Stand-in for the cron script nfkafka replaces, for the benchmark only.

    cron_export.py -b HOST:PORT -t TOPIC -M PROFILE -r RELFILE -- NFDUMP ARGS...

Faithful to the original Flowmon script: run nfdump as a subprocess and
read its whole output, drop the header line and the 4 summary lines, split
each row on ',', make a dict of strings (names below for the per-country
query, else the fmt: field names), CBOR-encode it with cbor2 and `send` it
with kafka-python, one message per row; `flush` at the end.
"""
import argparse
import os
import subprocess
import sys

import cbor2
from kafka import KafkaProducer

# The original script's names for -A dstgeo -o 'fmt:%ts,%dc,%td,%pkt,...'.
AGG_NAMES = ['first_seen', 'dst_ctr', 'duration', 'packets', 'bytes', 'pps',
             'bps', 'flows']


def field_names(nfdump_args):
    """AGG_NAMES for an aggregated query, else the fmt: names ('%ts' -> 'ts')."""
    if '-A' in nfdump_args:
        return AGG_NAMES
    fmt = next(a for a in nfdump_args if a.startswith('fmt:'))
    return [f.strip().lstrip('%') for f in fmt[4:].split(',')]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-b', required=True)
    ap.add_argument('-t', required=True)
    ap.add_argument('-M', required=True)
    ap.add_argument('-r', required=True)
    ap.add_argument('nfdump_args', nargs='*')
    a = ap.parse_args()
    names = field_names(a.nfdump_args)
    out = subprocess.check_output(
        ['nfdump', '-M', a.M, '-r', a.r] + a.nfdump_args,
        env=dict(os.environ, TZ='UTC', LC_ALL='C'))
    lines = out.decode().splitlines()[1:-4]
    producer = KafkaProducer(bootstrap_servers=a.b)
    for line in lines:
        values = [v.strip() for v in line.split(',')]
        producer.send(a.t, cbor2.dumps(dict(zip(names, values))))
    producer.flush()
    producer.close()
    print('cron_export: sent %d rows' % len(lines), file=sys.stderr)


if __name__ == '__main__':
    main()
