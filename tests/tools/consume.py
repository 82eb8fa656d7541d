#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Independent consumer/decoder for what nfkafka wrote to Kafka.

As a module: consume(bootstrap, topic, ...) -> list of dicts.
As a CLI:    consume.py -b HOST:PORT -t TOPIC [--expect N] [--read-committed]
             prints one JSON line per record (a batched message, --batch,
             holds several).

It assigns every partition from the beginning instead of subscribing, so
there is no group rebalance to wait for and nothing is committed.
"""

import argparse
import datetime
import io
import ipaddress
import json
import sys
import time
import uuid

import cbor2
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

SETTLE_EXPECT = 1.0  # with expect: wait this long for extra (unexpected) messages
SETTLE_IDLE = 3.0    # without: stop once at every partition end and idle this long


def _wait_for_partitions(c, topic, deadline):
    """Partition ids of topic, waiting for it to exist (nfkafka may create it)."""
    while True:
        md = c.list_topics(topic, timeout=max(0.1, min(2.0, deadline - time.monotonic())))
        t = md.topics.get(topic)
        if t is not None and t.error is None and t.partitions:
            return sorted(t.partitions)
        if time.monotonic() >= deadline:
            return []
        time.sleep(0.1)


def _items(raw, decode=None):
    """The items of a message: one, or a batch (--batch): a CBOR sequence
    (RFC 8742) decoded one item after another, or JSON lines."""
    if decode is not None:
        # Only JSON comes in lines: a CBOR value may hold a newline byte.
        if raw[:1] != b'{':
            return [decode(raw)]
        return [decode(line) for line in raw.splitlines() if line.strip()]
    fp = io.BytesIO(raw)
    items = []
    while fp.tell() < len(raw):
        items.append(cbor2.CBORDecoder(fp).decode())
    return items


IDENTITY = ("nfkafka-window", "nfkafka-revision", "nfkafka-row",
            "nfkafka-count", "nfkafka-profile")


def identity(headers):
    """A message's identity from either header layout, by the separate
    headers' names (bytes): --headers compact's one nfkafka-id
    ("window,revision,row,count,profile") or --headers separate's own;
    {} without headers."""
    if "nfkafka-id" in headers:
        return dict(zip(IDENTITY, headers["nfkafka-id"].split(b",", 4)))
    return {k: v for k, v in headers.items() if k in IDENTITY}


def _records(msg, decode=None):
    """One dict per record of the message, in order. "row" is the record's
    row index in its window (nfkafka-row plus its place in a batch), None
    without headers; "window" its window's stamp and "id" the message's
    identity (see identity()), from either header layout; "count" is how
    many records the message held."""
    raw = msg.value()
    try:
        values = [None] if raw is None else _items(raw, decode)
    except Exception as e:
        raise ValueError(f"{msg.topic()}[{msg.partition()}]@{msg.offset()}: "
                         f"not valid {'CBOR' if decode is None else 'JSON'}: "
                         f"{e}; raw={raw[:64].hex()}") from e
    headers = {k: v for k, v in (msg.headers() or [])}
    ident = identity(headers)
    first, window = ident.get("nfkafka-row"), ident.get("nfkafka-window")
    return [{
        "value": value,
        "key": msg.key(),
        "headers": headers,
        "id": ident,
        "row": None if first is None else int(first) + i,
        "window": None if window is None else window.decode(),
        "index": i,
        "count": len(values),
        "partition": msg.partition(),
        "offset": msg.offset(),
        "timestamp": msg.timestamp()[1],  # ms since epoch
        "raw": raw,
    } for i, value in enumerate(values)]


def consume(bootstrap, topic, expect=None, timeout=30, isolation="read_uncommitted",
            group=None, decode=None):
    """Read topic from the beginning; see the module doc and SETTLE_* above.

    One entry per record: a batched message (--batch) gives one per record
    of its CBOR sequence, and expect counts records, not messages.

    Returns what was read even when the timeout hits first; callers assert
    on the count. decode: the values' decoder (json.loads for --format
    json); by default they are cbor2-decoded (tag 1 -> datetime, tag 52 ->
    IPv4Address/IPv4Network, tag 54 -> IPv6...)."""
    fatal = []
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group or f"consume-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": isolation,
        "fetch.wait.max.ms": 100,  # end-of-partition is noticed sooner
        # Broker outages are expected in tests; only fatal errors matter.
        "error_cb": lambda e: fatal.append(e) if e.fatal() else None,
    })
    out = []
    try:
        deadline = time.monotonic() + timeout
        parts = _wait_for_partitions(c, topic, deadline)
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        at_end = set()
        last_news = time.monotonic()
        while parts and time.monotonic() < deadline:
            if fatal:
                raise RuntimeError(f"kafka consumer: {fatal[0]}")
            msg = c.poll(0.1)
            now = time.monotonic()
            if msg is None:
                pass
            elif msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    raise RuntimeError(f"kafka consumer: {msg.error()}")
                at_end.add(msg.partition())
            else:
                out.extend(_records(msg, decode))
                at_end.discard(msg.partition())
                last_news = now
            if expect is not None:
                if len(out) >= expect and now - last_news >= SETTLE_EXPECT:
                    break
            elif len(at_end) == len(parts) and now - last_news >= SETTLE_IDLE:
                break
    finally:
        c.close()
    return out


def to_json(obj):
    """Turn a decoded CBOR value into something json.dumps takes."""
    if isinstance(obj, datetime.datetime):
        if obj.tzinfo is None:
            obj = obj.replace(tzinfo=datetime.timezone.utc)
        return obj.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(obj, (ipaddress._BaseAddress, ipaddress._BaseNetwork, uuid.UUID)):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return obj.hex()
    if isinstance(obj, dict):
        return {k if isinstance(k, str) else json.dumps(to_json(k)): to_json(v)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_json(v) for v in obj]
    if isinstance(obj, cbor2.CBORTag):
        return {"tag": obj.tag, "value": to_json(obj.value)}
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)  # Decimal, Fraction, undefined, ...


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-b", "--bootstrap", required=True, help="HOST:PORT")
    ap.add_argument("-t", "--topic", required=True)
    ap.add_argument("--expect", type=int, help="stop after N records (+1 s settle)")
    ap.add_argument("--read-committed", action="store_true")
    ap.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args(argv)
    msgs = consume(a.bootstrap, a.topic, expect=a.expect, timeout=a.timeout,
                   isolation="read_committed" if a.read_committed else "read_uncommitted")
    for m in msgs:
        m = dict(m)
        m.pop("raw")
        print(json.dumps(to_json(m)))
    if a.expect is not None and len(msgs) != a.expect:
        print(f"consume.py: expected {a.expect} records, got {len(msgs)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
