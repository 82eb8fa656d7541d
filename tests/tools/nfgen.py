#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Deterministic NetFlow v5/v9 sender for tests and benchmarks.

    nfgen.py -p PORT -n FLOWS [-v 5|9] [--seed S] [--ipv6-share F] [--rate R]

Flow *contents* (addresses, ports, protocols, counters, flags, times relative
to the export time) depend only on the seed.  Export times come from the
clock unless start_ms is given, in which case every byte sent is fixed.

Speed: a pool of packet bodies is built once (and cached); sending only
packs the header (count, time, sequence) into a reused buffer with pack_into
and hands header + body to one sendmsg.
Large sends cycle through the pool, so flow i has contents of pool flow
i % (POOL_PACKETS * flows per packet): plenty of variety, and cheap.
"""
import argparse
import errno
import functools
import random
import socket
import struct
import sys
import time

# Flows/s a stock nfcapd 1.7.1 on loopback (2 cores, -B 8 MiB) took without
# a single loss in every trial, 10M-flow runs and CPU-contended runs alike.
# 1-2M/s mostly works but drops datagrams now and then (nfcapd stalls; the
# socket buffer holds ~90k flows, i.e. ~180 ms at this rate).
DEFAULT_RATE = 500_000
POOL_PACKETS = 512           # distinct packets per record kind
UPTIME_MS = 3_600_000        # router "uptime" at export; First/Last are relative
V9_TEMPLATE_EVERY = 64       # data packets between template refreshes

# Addresses: a few well-known public resolvers plus documentation ranges
# (RFC 5737 / RFC 3849) so reports have recognisable, harmless values.
DST4 = ['8.8.8.8', '1.1.1.1', '9.9.9.9', '8.8.4.4', '208.67.222.222',
        '192.0.2.10', '192.0.2.20', '198.51.100.7', '198.51.100.80',
        '203.0.113.5', '203.0.113.99', '203.0.113.200']
SRC4_NETS = ['192.0.2.', '198.51.100.', '203.0.113.']
DST6 = ['2001:4860:4860::8888', '2606:4700:4700::1111', '2620:fe::fe',
        '2001:db8::53', '2001:db8:1::80', '2001:db8:2::443']
SRC6_NET = '2001:db8:100::'
DST_PORTS = [53, 80, 443, 123, 22, 25, 8080, 993]
# ICMP type << 8 | code, in the destination port as NetFlow carries it:
# echo request and reply, unreachable 3.1 and 3.10 and 3.3 (nfdump prints
# "3.1" and "3.10": a decimal reading merges them), time exceeded.
ICMP_TYPE_CODES = [0x0800, 0x0000, 0x0301, 0x030a, 0x0303, 0x0b00]
TCP_FLAG_SETS = [0x02, 0x12, 0x10, 0x18, 0x11, 0x19, 0x1b, 0x04, 0x14, 0x1f]

V5_HDR = struct.Struct('!HHIIIIBBH')            # 24 bytes
V5_REC = struct.Struct('!4s4s4sHHIIIIHHBBBBHHBBH')  # 48 bytes
V5_PER_PKT = 30

V9_HDR = struct.Struct('!HHIIII')               # 20 bytes
V9_SET = struct.Struct('!HH')                   # flowset id, length
# IPv4 / IPv6 data record layouts and the matching template field lists.
V9_FIELDS_COMMON = [(7, 2), (11, 2), (4, 1), (6, 1), (5, 1), (2, 4), (1, 4),
                    (22, 4), (21, 4), (10, 2), (14, 2), (16, 2), (17, 2)]
# ICMP_TYPE (32): v9 collectors take ICMP's type and code from it, not
# from the destination port as in v5.
V9_FIELDS4 = [(8, 4), (12, 4)] + V9_FIELDS_COMMON + [(9, 1), (13, 1), (32, 2)]
V9_FIELDS6 = [(27, 16), (28, 16)] + V9_FIELDS_COMMON + [(29, 1), (30, 1),
                                                       (32, 2)]
V9_REC4 = struct.Struct('!4s4sHHBBBIIIIHHHHBBH')   # 43 bytes
V9_REC6 = struct.Struct('!16s16sHHBBBIIIIHHHHBBH')  # 67 bytes
TID4, TID6 = 256, 257
V9_PER_PKT = {TID4: 30, TID6: 20}


def _flow(rng, v6):
    """One flow as a tuple of field values; times are ms before export."""
    r = rng.random()
    proto = 6 if r < 0.6 else 17 if r < 0.9 else (58 if v6 else 1)
    if v6:
        src = socket.inet_pton(socket.AF_INET6, SRC6_NET + '%x' % rng.randint(1, 0xfff))
        dst = socket.inet_pton(socket.AF_INET6, rng.choice(DST6))
    else:
        src = socket.inet_aton(rng.choice(SRC4_NETS) + str(rng.randint(1, 254)))
        dst = socket.inet_aton(rng.choice(DST4))
    if proto in (1, 58):
        sport, dport = 0, rng.choice(ICMP_TYPE_CODES)
        flags = 0
    else:
        sport, dport = rng.randint(1024, 65535), rng.choice(DST_PORTS)
        flags = rng.choice(TCP_FLAG_SETS) if proto == 6 else 0
    pkts = rng.randint(1, 1000)
    octets = pkts * rng.randint(40, 1500)
    first_ago = rng.randint(0, 3000)            # flows started in the last 3 s
    last_ago = rng.randint(0, first_ago)
    return dict(src=src, dst=dst, sport=sport, dport=dport, proto=proto,
                flags=flags, tos=rng.choice([0, 0, 0, 0x10, 0xb8]),
                pkts=pkts, octets=octets,
                first=UPTIME_MS - first_ago, last=UPTIME_MS - last_ago,
                inif=rng.randint(1, 8), outif=rng.randint(1, 8),
                sas=rng.choice([0, 15169, 13335, 19281]),
                das=rng.choice([0, 15169, 13335, 19281]),
                smask=rng.choice([24, 32]) if not v6 else 64,
                dmask=rng.choice([24, 32]) if not v6 else 64)


def _v5_body(flows):
    buf = bytearray(V5_REC.size * len(flows))
    off = 0
    for f in flows:
        V5_REC.pack_into(buf, off, f['src'], f['dst'], b'\0\0\0\0', f['inif'],
                         f['outif'], f['pkts'], f['octets'], f['first'],
                         f['last'], f['sport'], f['dport'], 0, f['flags'],
                         f['proto'], f['tos'], f['sas'], f['das'], f['smask'],
                         f['dmask'], 0)
        off += V5_REC.size
    return bytes(buf)


def _v9_data_body(tid, flows):
    rec = V9_REC4 if tid == TID4 else V9_REC6
    body = rec.size * len(flows)
    setlen = V9_SET.size + body + (-body % 4)    # flowsets are 4-byte padded
    buf = bytearray(setlen)
    V9_SET.pack_into(buf, 0, tid, setlen)
    off = V9_SET.size
    for f in flows:
        rec.pack_into(buf, off, f['src'], f['dst'], f['sport'], f['dport'],
                      f['proto'], f['flags'], f['tos'], f['pkts'], f['octets'],
                      f['first'], f['last'], f['inif'], f['outif'], f['sas'],
                      f['das'], f['smask'], f['dmask'],
                      f['dport'] if f['proto'] in (1, 58) else 0)
        off += rec.size
    return bytes(buf)


def _v9_template_body():
    body = b''
    for tid, fields in ((TID4, V9_FIELDS4), (TID6, V9_FIELDS6)):
        body += struct.pack('!HH', tid, len(fields))
        body += b''.join(struct.pack('!HH', t, n) for t, n in fields)
    return V9_SET.pack(0, V9_SET.size + len(body)) + body


class _Pool:
    """Precomputed packet bodies (no header) of one kind, cycled; bodies of
    partial packets are built on demand.  Immutable, so shareable."""

    def __init__(self, seed, kind, npackets):
        # Own RNG per kind: IPv4 contents do not depend on ipv6_share.
        rng = random.Random('%d-%d' % (seed, kind))
        self.kind = kind
        self.per_pkt = per_pkt = V5_PER_PKT if kind == 5 else V9_PER_PKT[kind]
        self.flows = [_flow(rng, kind == TID6) for _ in range(per_pkt * npackets)]
        self.bodies = [self._build(self.flows[i * per_pkt:(i + 1) * per_pkt])
                       for i in range(npackets)]

    def _build(self, flows):
        return _v5_body(flows) if self.kind == 5 else _v9_data_body(self.kind, flows)

    def body(self, i, n):
        """Body of packet number i of this kind, holding n flows (n < per_pkt
        only for the last packet)."""
        j = i % len(self.bodies)
        if n == self.per_pkt:
            return self.bodies[j]
        return self._build(self.flows[j * self.per_pkt:j * self.per_pkt + n])


@functools.lru_cache(maxsize=16)
def _pool(seed, kind, npackets):
    # Cached: building costs ~0.1 s, and tests send many times per seed.
    return _Pool(seed, kind, npackets)


def _plan(flows, version, ipv6_share):
    """Per-packet list of (kind, nflows), v6 packets spread evenly among v4 ones."""
    if version == 5:
        full, rest = divmod(flows, V5_PER_PKT)
        return [(5, V5_PER_PKT)] * full + ([(5, rest)] if rest else [])
    n6 = round(flows * ipv6_share)
    out = []
    for tid, n in ((TID4, flows - n6), (TID6, n6)):
        per = V9_PER_PKT[tid]
        full, rest = divmod(n, per)
        out.append([(tid, per)] * full + ([(tid, rest)] if rest else []))
    p4, p6 = out
    if not p6:
        return p4
    if not p4:
        return p6
    # Deterministic even interleave (Bresenham style).
    merged, a, b = [], 0, 0
    total = len(p4) + len(p6)
    for k in range(total):
        if b < len(p6) and (a >= len(p4) or (b + 1) * total <= (k + 1) * len(p6)):
            merged.append(p6[b]); b += 1
        else:
            merged.append(p4[a]); a += 1
    return merged


def send(port, flows, version=5, seed=0, host='127.0.0.1', rate=None,
         ipv6_share=0.0, start_ms=None):
    """Send `flows` flow records to host:port; returns flows/s achieved.

    rate: flows/s to pace at (None = DEFAULT_RATE, 0 = unpaced).
    start_ms: fixed export time (epoch ms) for reproducible bytes; default
    is the live clock, so flows always look a few seconds old on arrival.
    """
    if version not in (5, 9):
        raise ValueError('version must be 5 or 9')
    if version == 5 and ipv6_share:
        raise ValueError('NetFlow v5 cannot carry IPv6')
    if flows <= 0:
        return 0.0
    rate = DEFAULT_RATE if rate is None else rate
    plan = _plan(flows, version, ipv6_share)
    pools = {}
    for kind in {k for k, _ in plan}:
        npk = sum(1 for k, _ in plan if k == kind)
        pools[kind] = _pool(seed, kind, min(POOL_PACKETS, npk))
    tmpl = _v9_template_body() if version == 9 else None
    hdr = bytearray(V5_HDR.size if version == 5 else V9_HDR.size)

    sock = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET,
                         socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    sock.connect((host, port))

    def emit(body):
        # Header and body gathered by the kernel: no copying per packet.
        while True:
            try:
                sock.sendmsg((hdr, body))
                return
            except OSError as e:
                # Local queue full: wait, never drop.  Anything else (e.g.
                # ECONNREFUSED: nobody listening) is a real error.
                if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                time.sleep(0.0005)

    counters = {k: 0 for k in pools}
    seq = 0                      # v5: flows so far; v9: packets so far
    sent = 0
    burst = max(1, min(64, rate // 2000)) if rate else 64  # ~0.5 ms of traffic
    t0 = time.monotonic()
    clock_ms = start_ms
    try:
        for idx, (kind, n) in enumerate(plan):
            if idx % burst == 0:
                if rate:
                    ahead = sent / rate - (time.monotonic() - t0)
                    if ahead > 0:
                        time.sleep(ahead)
                if start_ms is None:
                    clock_ms = int(time.time() * 1000)
            secs, ms = divmod(clock_ms, 1000)
            if version == 9 and idx % V9_TEMPLATE_EVERY == 0:
                V9_HDR.pack_into(hdr, 0, 9, 2, UPTIME_MS, secs, seq, 0)
                emit(tmpl)
                seq += 1
            body = pools[kind].body(counters[kind], n)
            counters[kind] += 1
            if version == 5:
                V5_HDR.pack_into(hdr, 0, 5, n, UPTIME_MS, secs, ms * 1_000_000,
                                 seq, 0, 0, 0)
                seq += n
            else:
                V9_HDR.pack_into(hdr, 0, 9, n, UPTIME_MS, secs, seq, 0)
                seq += 1
            emit(body)
            sent += n
    finally:
        sock.close()
    elapsed = time.monotonic() - t0
    return sent / elapsed if elapsed > 0 else float('inf')


def nudge(port, count=1, host='127.0.0.1'):
    """Send `count` header-only v9 packets: no flows, but each one wakes
    nfcapd's loop (it rotates on packets, see collector.resume())."""
    hdr = bytearray(V9_HDR.size)
    with socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET,
                       socket.SOCK_DGRAM) as sock:
        for i in range(count):
            # Own source id, so it never mixes with send()'s exporter state.
            V9_HDR.pack_into(hdr, 0, 9, 0, UPTIME_MS, int(time.time()), i, 0xfffe)
            sock.sendto(hdr, (host, port))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('-p', '--port', type=int, required=True)
    ap.add_argument('-n', '--flows', type=int, required=True)
    ap.add_argument('-v', '--version', type=int, choices=(5, 9), default=5)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--rate', type=int, default=None,
                    help='flows/s (default %d, 0 = unpaced)' % DEFAULT_RATE)
    ap.add_argument('--ipv6-share', type=float, default=0.0)
    ap.add_argument('--start-ms', type=int, default=None)
    a = ap.parse_args(argv)
    r = send(a.port, a.flows, version=a.version, seed=a.seed, host=a.host,
             rate=a.rate, ipv6_share=a.ipv6_share, start_ms=a.start_ms)
    print('sent %d flows (v%d) at %.0f flows/s' % (a.flows, a.version, r),
          file=sys.stderr)


if __name__ == '__main__':
    main()
