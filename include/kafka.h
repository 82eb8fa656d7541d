/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_KAFKA_H
#define NFKAFKA_KAFKA_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct kafka;

/*
 * A delivery report: err is 0 when the broker acknowledged the message,
 * then partition and offset say where it landed (-1 when unknown).
 */
typedef void (*kafka_delivery_cb)(void *arg, void *msg_opaque, int err,
    const char *errstr, size_t len, int32_t partition, int64_t offset);
/* After a batch of delivery reports: the producer queue has room again. */
typedef void (*kafka_drain_cb)(void *arg);

struct kafka_header {
	const char *name;
	const char *value;
	size_t len;
};

/* One -X librdkafka property, split once where it is read. */
struct kafka_prop {
	char *name;
	char *value;
};

struct kafka_options {
	const char *brokers;
	const char *topic;
	const struct kafka_prop *props;
	size_t nprops;
	const char *transactional_id; /* NULL: at-least-once */
	const char *summary_topic; /* NULL: no window summaries */
};

/* Which topic a message goes to. */
enum kafka_dest {
	KAFKA_RECORDS,	/* the topic */
	KAFKA_SUMMARY,	/* the summary topic */
};

/* One message for kafka_send. */
struct kafka_message {
	enum kafka_dest dest;
	const void *key;	/* NULL: no key */
	size_t keylen;
	const void *value;
	size_t len;
	const struct kafka_header *headers;
	size_t nheaders;
	int64_t timestamp_ms;	/* 0: the send time */
	void *opaque;		/* handed to the delivery callback */
};

/* Validates the properties without connecting; errstr names the bad one. */
int kafka_check(const struct kafka_options *o, char *errstr, size_t errlen);
/*
 * The producer, created once by its owner (main) and borrowed by whoever
 * sends through it; its delivery reports are served on loop.
 */
int kafka_new(uv_loop_t *loop, const struct kafka_options *o,
    struct kafka **kp, char *errstr, size_t errlen);
/*
 * Where delivery reports and drains go from now on: the borrower that
 * sends. NULL callbacks drop them (a borrower that is gone).
 */
void kafka_attach(struct kafka *k, kafka_delivery_cb delivery_cb,
    kafka_drain_cb drain_cb, void *arg);
/* The options it was made with; they must outlive it. */
const struct kafka_options *kafka_options(const struct kafka *k);
/*
 * text (librdkafka's words) with the secret values of the producer's -X
 * properties replaced, in buf; safe from any thread.
 */
const char *kafka_mask(const struct kafka *k, const char *text, char *buf,
    size_t size);
/*
 * Queues one message (a copy is taken). Returns 0, -ENOBUFS when the
 * producer queue is full (retry after the drain callback), or another
 * negative errno.
 */
int kafka_send(struct kafka *k, const struct kafka_message *m);
/*
 * Exactly-once mode: each window is one transaction. These block the loop
 * for up to 10 s (librdkafka's transactional API is synchronous); without
 * a transactional id they do nothing. -EAGAIN: retry the window later;
 * -EPERM: the producer is fenced or broken for good.
 */
int kafka_begin(struct kafka *k, char *errstr, size_t errlen);
int kafka_commit(struct kafka *k, char *errstr, size_t errlen);
void kafka_abort(struct kafka *k);
int kafka_outq_len(struct kafka *k);
/* 0 after librdkafka said all brokers are down, until the next ack. */
int kafka_broker_up(const struct kafka *k);
/* Waits up to timeout_ms for deliveries, serving their reports. */
void kafka_flush(struct kafka *k, int timeout_ms);
/* kafka_flush, then frees; the memory goes once the loop closes it. */
void kafka_destroy(struct kafka *k, int timeout_ms);
/*
 * Nonzero for delivery errors that retrying cannot cure: a missing topic
 * (auto-creation off), denied authorization, a record too large.
 */
int kafka_err_permanent(int err);
/* Prints librdkafka's property list (-X list). */
void kafka_list_properties(void);

#endif
