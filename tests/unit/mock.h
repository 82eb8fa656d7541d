/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_TEST_MOCK_H
#define NFKAFKA_TEST_MOCK_H

/*
 * What the data path's unit tests share: librdkafka's mock cluster (a
 * broker in this process, transactions included), a consumer that reads a
 * topic back, a fake nfdump, and a loop run until a condition holds.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "kafka.h"
#include "nfdump_lines.h"

/* Kafka's protocol numbers requests; librdkafka's names stay private. */
#define MOCK_API_PRODUCE 0
#define MOCK_API_END_TXN 26

struct mock {
	rd_kafka_t *rk;		/* the handle the cluster hangs on */
	rd_kafka_mock_cluster_t *mc;
	const char *brokers;
};

static inline void mock_start(struct mock *m, const char *topic,
    int partitions)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	sigset_t all, old;
	char err[256];

	rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
	m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	assert_non_null(m->rk);
	/*
	 * The cluster's thread inherits our signal mask. libuv's SIGCHLD (a
	 * fake nfdump ending) delivered to it ends its poll, and then the
	 * thread itself, closing the broker: it must block every signal.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	m->mc = rd_kafka_mock_cluster_new(m->rk, 1);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	assert_non_null(m->mc);
	m->brokers = rd_kafka_mock_cluster_bootstraps(m->mc);
	assert_int_equal(rd_kafka_mock_topic_create(m->mc, topic, partitions,
	    1), 0);
}

static inline void mock_stop(struct mock *m)
{
	rd_kafka_mock_cluster_destroy(m->mc);
	rd_kafka_destroy(m->rk);
}

/*
 * One message "x" on the topic's partition, with headers h (which the
 * message then owns), from a producer of its own, flushed before return.
 */
static inline void mock_produce(const struct mock *m, const char *topic,
    int32_t partition, rd_kafka_headers_t *h)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[256];
	rd_kafka_t *p;
	rd_kafka_resp_err_t e;

	rd_kafka_conf_set(conf, "bootstrap.servers", m->brokers, err,
	    sizeof err);
	p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	assert_non_null(p);
	e = rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic),
	    RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_VALUE("x", 1),
	    RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
	assert_int_equal(e, 0);
	assert_int_equal(rd_kafka_flush(p, 10000), 0);
	rd_kafka_destroy(p);
}

/* A loop and nfkafka's producer on it, for the cluster m. */
static inline struct kafka *mock_kafka_new(const struct mock *m,
    uv_loop_t *loop, struct kafka_options *ko)
{
	struct kafka *k;
	char err[512];

	ko->brokers = m->brokers;
	uv_loop_init(loop);
	assert_int_equal(kafka_new(loop, ko, &k, err, sizeof err), 0);
	return k;
}

/*
 * Destroys the producer (waiting up to grace_ms for its queue), then runs
 * the loop until every handle is closed: the loop must close cleanly.
 */
static inline void mock_kafka_end(uv_loop_t *loop, struct kafka *k,
    int grace_ms)
{
	kafka_destroy(k, grace_ms);
	uv_run(loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(loop), 0);
}

/* One message read back: its value's length and some of its headers. */
struct mock_msg {
	size_t len;
	int32_t partition;
	char window[16];
	char revision[16];
	char row[24];
	char id[256];		/* --headers compact */
};

static inline void mock_header(rd_kafka_headers_t *h, const char *name,
    char *out, size_t size)
{
	const void *v;
	size_t len;

	out[0] = '\0';
	if (h != NULL && rd_kafka_header_get_last(h, name, &v, &len) == 0 &&
	    len < size) {
		memcpy(out, v, len);
		out[len] = '\0';
	}
}

/*
 * Reads every message of the topic's partitions (up to max), as a
 * read_committed or read_uncommitted consumer; returns how many.
 */
static inline size_t mock_consume(const struct mock *m, const char *topic,
    int partitions, int committed, struct mock_msg *out, size_t max)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_partition_list_t *parts;
	char err[256];
	size_t n = 0;
	int eofs = 0;
	uint64_t deadline = uv_hrtime() + 30000000000ULL;
	rd_kafka_t *c;

	rd_kafka_conf_set(conf, "bootstrap.servers", m->brokers, err,
	    sizeof err);
	rd_kafka_conf_set(conf, "group.id", "test", err, sizeof err);
	rd_kafka_conf_set(conf, "enable.partition.eof", "true", err,
	    sizeof err);
	rd_kafka_conf_set(conf, "isolation.level", committed ?
	    "read_committed" : "read_uncommitted", err, sizeof err);
	c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
	assert_non_null(c);
	parts = rd_kafka_topic_partition_list_new(partitions);
	for (int p = 0; p < partitions; p++)
		rd_kafka_topic_partition_list_add(parts, topic, p)->offset =
		    RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(c, parts);
	rd_kafka_topic_partition_list_destroy(parts);
	while (eofs < partitions && uv_hrtime() < deadline) {
		rd_kafka_message_t *msg = rd_kafka_consumer_poll(c, 100);
		rd_kafka_headers_t *h = NULL;

		if (msg == NULL)
			continue;
		if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			eofs++;
		} else if (msg->err == 0 && n < max) {
			rd_kafka_message_headers(msg, &h);
			out[n].len = msg->len;
			out[n].partition = msg->partition;
			mock_header(h, "nfkafka-window", out[n].window,
			    sizeof out[n].window);
			mock_header(h, "nfkafka-revision", out[n].revision,
			    sizeof out[n].revision);
			mock_header(h, "nfkafka-row", out[n].row,
			    sizeof out[n].row);
			mock_header(h, "nfkafka-id", out[n].id,
			    sizeof out[n].id);
			n++;
		}
		rd_kafka_message_destroy(msg);
	}
	assert_int_equal(eofs, partitions);
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	return n;
}

/*
 * A fake nfdump in dir: prints a header, rows copies of line and nfdump's
 * summary, or what body says instead, then exits with status. It gets no
 * environment of ours (nfdump_env), so everything is written into it.
 */
static inline char *mock_nfdump(const char *dir, const char *body)
{
	char *path = malloc(strlen(dir) + 16);
	FILE *f;

	sprintf(path, "%s/nfdump", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

static inline void mock_tick(uv_timer_t *t)
{
	(void)t;
}

/*
 * A fake nfdump's body: a header, rows records like nfdump 1.7.1's for the
 * default query, its summary, and exit status.
 */
static inline char *mock_rows(unsigned rows, int status)
{
	char *body = malloc(1024);

	snprintf(body, 1024, "echo 'Date first seen,Dst Country,Duration'\n"
	    "i=0; while [ $i -lt %u ]; do echo '" LINE_DEFAULT "'; "
	    "i=$((i+1)); done\necho\necho 'Summary: total flows: 31, "
	    "total bytes: 1544282, total packets: 1307, avg bps: 1, avg pps: "
	    "1, avg bpp: 1'\nexit %d", rows, status);
	return body;
}

/* Runs the loop until *flag is set, failing after a generous deadline. */
static inline void mock_run_until(uv_loop_t *loop, const int *flag)
{
	uv_timer_t tick;
	uint64_t deadline = uv_hrtime() + 60000000000ULL;

	/* A timer, so that the loop wakes to look at the deadline. */
	uv_timer_init(loop, &tick);
	uv_timer_start(&tick, mock_tick, 100, 100);
	while (!*flag && uv_hrtime() < deadline)
		uv_run(loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&tick, NULL);
	uv_run(loop, UV_RUN_NOWAIT);
	assert_true(*flag);
}

#endif
