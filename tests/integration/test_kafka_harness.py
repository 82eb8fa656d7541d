# SPDX-License-Identifier: BSD-2-Clause
"""Smoke test of the Kafka side of the harness: broker, consumer, outages."""

import datetime
import ipaddress
import socket

import cbor2
import pytest
from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient

from consume import consume  # noqa: E402
from kafka_broker import KafkaBroker  # noqa: E402


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    with KafkaBroker(tmp_path_factory.mktemp("kafka")) as b:
        yield b


def produce(bootstrap, topic, values):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for i, v in enumerate(values):
        p.produce(topic, cbor2.dumps(v), key=b"k%d" % i, headers={"n": b"%d" % i})
    assert p.flush(10) == 0


def reachable(bootstrap, timeout=1.0):
    try:
        AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=timeout)
        return True
    except KafkaException:
        return False


def test_roundtrip(broker):
    values = [
        {"first": cbor2.CBORTag(1, 1700000000), "src": cbor2.CBORTag(52, b"\xc0\x00\x02\x01")},
        [1, "two", b"\x03"],
        None,  # CBOR null, not a tombstone
    ]
    produce(broker.bootstrap, "rt", values)
    got = consume(broker.bootstrap, "rt", expect=3, timeout=20)
    assert [m["offset"] for m in got] == [0, 1, 2]
    assert [m["key"] for m in got] == [b"k0", b"k1", b"k2"]
    assert got[2]["headers"] == {"n": b"2"}
    assert got[0]["value"] == {
        "first": datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc),
        "src": ipaddress.IPv4Address("192.0.2.1"),
    }
    assert got[1]["value"] == [1, "two", b"\x03"]
    assert got[2]["value"] is None


def test_freeze_thaw(broker):
    broker.freeze()
    try:
        # The port still accepts TCP connections, but nothing answers.
        socket.create_connection(("127.0.0.1", broker.port), timeout=1).close()
        assert not reachable(broker.bootstrap)
    finally:
        broker.thaw()
    assert reachable(broker.bootstrap, timeout=10)


def test_kill_and_restart_same_port(broker):
    produce(broker.bootstrap, "kr", ["before"])
    bootstrap = broker.bootstrap
    broker.kill()
    assert not broker.running()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", broker.port), timeout=1)
    broker.restart_same_port()
    assert broker.bootstrap == bootstrap
    produce(broker.bootstrap, "kr", ["after"])  # acked data survived SIGKILL
    assert [m["value"] for m in consume(bootstrap, "kr", expect=2, timeout=20)] == \
        ["before", "after"]


def test_create_topic_without_auto_create(tmp_path):
    with KafkaBroker(tmp_path, auto_create_topics=False) as b:
        b.create_topic("three", partitions=3)
        md = AdminClient({"bootstrap.servers": b.bootstrap}).list_topics(timeout=5)
        assert len(md.topics["three"].partitions) == 3
        assert "other" not in md.topics
