#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""nfkafka end to end on local services, for a first look.

Starts a real Kafka broker (KRaft, 127.0.0.1), two real nfcapd channels
rotating every DEMO_INTERVAL seconds fed with generated NetFlow, and nfkafka
in live mode; a consumer prints every record as it arrives, decoded from
CBOR, while the windows rotate. Run through `make demo`.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))

import cbor2  # noqa: E402
from confluent_kafka import Consumer  # noqa: E402

from collector import Collector  # noqa: E402
from consume import to_json  # noqa: E402
from kafka_broker import KafkaBroker  # noqa: E402

INTERVAL = int(os.environ.get('DEMO_INTERVAL', '10'))
WINDOWS = int(os.environ.get('DEMO_WINDOWS', '3'))
TOPIC = 'network-metadata'
FMT_QUERY = "-A proto,dstip -O bytes -o 'fmt:%ts,%pr,%da,%fl,%pkt,%byt'"
# nfdump 1.7.5 aggregates only into its own csv columns.
CSV_QUERY = '-A proto,dstip -O bytes -o csv'


def demo_query():
    """DEMO_QUERY, or the demo's query in a form the nfdump at hand prints."""
    if os.environ.get('DEMO_QUERY'):
        return os.environ['DEMO_QUERY']
    out = subprocess.run(['nfdump', '-V'], capture_output=True,
                         text=True).stdout
    m = re.search(r'(\d+)\.(\d+)\.(\d+)', out)
    v = tuple(int(x) for x in m.groups()) if m else (0, 0, 0)
    return CSV_QUERY if v[:3] == (1, 7, 5) else FMT_QUERY


def follow(bootstrap, stop, seen):
    """Print each record as it reaches Kafka: the window, the row, the map."""
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'demo',
                  'auto.offset.reset': 'earliest'})
    c.subscribe([TOPIC])
    while not stop.is_set():
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        h = dict(m.headers() or [])
        # nfkafka-id: window,revision,row,count,profile
        window, _, row = h['nfkafka-id'].decode().split(',', 4)[:3]
        seen.append(1)
        print('  kafka  window %s row %s: %s' % (
            window, row,
            json.dumps(to_json(cbor2.loads(m.value())))), flush=True)
    c.close()


def main():
    work = tempfile.mkdtemp(prefix='nfkafka-demo.')
    print('demo: working in %s' % work, flush=True)
    broker = KafkaBroker(os.path.join(work, 'kafka'))
    broker.start()
    print('demo: Kafka broker on %s' % broker.bootstrap, flush=True)
    coll = Collector(os.path.join(work, 'live'), interval=INTERVAL)
    print('demo: nfcapd channels %s rotating every %d s' % (
        coll.profile_arg(), INTERVAL), flush=True)
    # Without a GeoIP database the default per-country query has one row
    # ("..") per window; per protocol and destination shows more.
    nfkafka = subprocess.Popen([os.path.join(ROOT, 'nfkafka'),
                                '-M', coll.profile_arg(), '-b', broker.bootstrap,
                                '-Q', demo_query(),
                                '--state', os.path.join(work, 'state')])
    stop = threading.Event()
    seen = []
    reader = threading.Thread(target=follow, args=(broker.bootstrap, stop,
                                                   seen))
    reader.start()
    try:
        for w in range(WINDOWS):
            for ch, n in (('chanA', 400), ('chanB', 300)):
                coll.send(ch, n, seed=w)
            print('demo: sent NetFlow for window %d of %d; waiting for the '
                  'rotation' % (w + 1, WINDOWS), flush=True)
            time.sleep(INTERVAL)
        coll.stop()
        time.sleep(3)
    finally:
        nfkafka.terminate()
        nfkafka.wait(30)
        stop.set()
        reader.join()
        coll.stop()
        broker.stop()
    print('demo: done; nfkafka exited %d; %d records arrived. Files are in %s'
          % (nfkafka.returncode, len(seen), work))
    if not seen:
        print('demo: FAILED: no record arrived; see nfkafka\'s lines above',
              file=sys.stderr)
        return 1
    return nfkafka.returncode


if __name__ == '__main__':
    sys.exit(main())
