/* SPDX-License-Identifier: BSD-2-Clause */
/* kafka: the producer, its reports on the loop, its secrets kept out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kafka.h"
#include "mock.h"

#define TOPIC "flows"

struct reports {
	int done;
	int acked;
	int failed;
	int drains;
	int64_t last_offset;
	void *last_opaque;
};

static void delivered(void *arg, void *msg_opaque, int err,
    const char *errstr, size_t len, int32_t partition, int64_t offset)
{
	struct reports *r = arg;

	(void)errstr;
	(void)len;
	(void)partition;
	if (err == 0)
		r->acked++;
	else
		r->failed++;
	r->last_offset = offset;
	r->last_opaque = msg_opaque;
	r->done = r->acked + r->failed == 3;
}

static void drained(void *arg)
{
	struct reports *r = arg;

	r->drains++;
}

static void send3(struct kafka *k, void *opaque)
{
	struct kafka_header h = { "nfkafka-window", "20261127105500", 14 };

	for (int i = 0; i < 3; i++)
		assert_int_equal(kafka_send(k, &(struct kafka_message){
		    KAFKA_RECORDS, "key", 3, "value", 5, &h, 1, 0, opaque }),
		    0);
}

/* Reports come on the loop thread, to whoever borrowed the producer. */
static void test_reports_on_the_loop(void **state)
{
	struct mock m;
	struct kafka_options ko = { .topic = TOPIC };
	struct reports r = { 0 };
	struct mock_msg msgs[8];
	uv_loop_t loop;
	struct kafka *k;
	char tag;

	(void)state;
	mock_start(&m, TOPIC, 1);
	k = mock_kafka_new(&m, &loop, &ko);
	assert_ptr_equal(kafka_options(k), &ko);
	kafka_attach(k, delivered, drained, &r);
	send3(k, &tag);
	mock_run_until(&loop, &r.done);
	assert_int_equal(r.acked, 3);
	assert_int_equal(r.last_offset, 2);
	assert_ptr_equal(r.last_opaque, &tag);
	assert_true(r.drains > 0);
	assert_int_equal(kafka_broker_up(k), 1);
	/* A borrower that is gone gets nothing more. */
	kafka_attach(k, NULL, NULL, NULL);
	send3(k, &tag);
	kafka_flush(k, 10000);
	assert_int_equal(r.acked, 3);
	mock_kafka_end(&loop, k, 0);
	assert_int_equal(mock_consume(&m, TOPIC, 1, 1, msgs, 8), 6);
	assert_string_equal(msgs[0].window, "20261127105500");
	mock_stop(&m);
}

/* A full queue says so (-ENOBUFS) instead of blocking or dropping. */
static void test_queue_full(void **state)
{
	struct mock m;
	struct kafka_prop props[] = {
		{ "queue.buffering.max.messages", "2" },
	};
	struct kafka_options ko = { .topic = TOPIC, .props = props,
		.nprops = 1 };
	uv_loop_t loop;
	struct kafka *k;
	int error = 0;

	(void)state;
	mock_start(&m, TOPIC, 1);
	rd_kafka_mock_broker_set_down(m.mc, 1);
	k = mock_kafka_new(&m, &loop, &ko);
	for (int i = 0; i < 3 && error == 0; i++)
		error = kafka_send(k, &(struct kafka_message){ KAFKA_RECORDS,
		    NULL, 0, "v", 1, NULL, 0, 0, NULL });
	assert_int_equal(error, -ENOBUFS);
	/* The queue counts librdkafka's own requests too. */
	assert_true(kafka_outq_len(k) >= 2);
	rd_kafka_mock_broker_set_up(m.mc, 1);
	mock_kafka_end(&loop, k, 10000);
	mock_stop(&m);
}

/* Secret values never reach a log line or an error, whatever the name. */
static void test_secrets_masked(void **state)
{
	struct kafka_prop props[] = {
		{ "sasl.password", "hunter2" },
		{ "client.id", "visible" },
	};
	struct kafka_options ko = { .brokers = "127.0.0.1:1",
		.topic = TOPIC, .props = props, .nprops = 2 };
	uv_loop_t loop;
	struct kafka *k;
	char err[512], buf[256];

	(void)state;
	uv_loop_init(&loop);
	assert_int_equal(kafka_new(&loop, &ko, &k, err, sizeof err), 0);
	assert_string_equal(kafka_mask(k, "login hunter2 as visible", buf,
	    sizeof buf), "login (secret) as visible");
	mock_kafka_end(&loop, k, 0);
	/* A bad value of a secret property is not shown either. */
	props[0] = (struct kafka_prop){ "enable.sasl.oauthbearer.unsecure.jwt",
		"hunter2" };
	ko.nprops = 1;
	assert_int_equal(kafka_check(&ko, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "unsecure.jwt=(secret)"));
	assert_null(strstr(err, "hunter2"));
}

/* What retrying cannot cure stops the service; the rest is retried. */
static void test_permanent_errors(void **state)
{
	(void)state;
	assert_true(kafka_err_permanent(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
	assert_true(kafka_err_permanent(
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
	assert_false(kafka_err_permanent(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
	assert_false(kafka_err_permanent(RD_KAFKA_RESP_ERR__TRANSPORT));
	/* A missing topic is the cluster metadata's word, not a broker's
	 * answer while it loads (test_broker_down_at_start failed on it). */
	assert_true(kafka_err_permanent(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
	assert_false(kafka_err_permanent(
	    RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reports_on_the_loop),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_secrets_masked),
		cmocka_unit_test(test_permanent_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
