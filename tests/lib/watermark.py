# SPDX-License-Identifier: BSD-2-Clause
"""How many messages a topic holds, without consuming them.

The sum of its partitions' high watermarks, read_uncommitted: it counts
aborted transactional records too (0 means nothing at all reached Kafka),
and unlike the last stable offset it does not lag while abort markers are
written.  Raises confluent_kafka.KafkaException while the broker is away.
"""
from confluent_kafka import TopicPartition


def topic_size(consumer, topic, timeout=10):
    """consumer: a confluent_kafka.Consumer; topic: its name."""
    parts = consumer.list_topics(topic, timeout=timeout).topics[topic].partitions
    return sum(consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout,
                                              cached=False)[1]
               for p in parts)
