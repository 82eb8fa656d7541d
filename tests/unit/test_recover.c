/* SPDX-License-Identifier: BSD-2-Clause */
/* recover: the newest committed window, read back off the loop thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kafka.h"
#include "recover.h"
#include "mock.h"

#define TOPIC "flows"
#define DIR "/data/live"

struct result {
	int done;
	int error;
	char stamp[NFCAPD_STAMP_LEN + 1];
	int committed;
	char errstr[512];
	unsigned ticks;		/* loop turns while the read-back ran */
};

/* One message as nfkafka sends it: window, profile and revision headers. */
static void produce(const struct mock *m, int32_t partition,
    const char *stamp, const char *profile, const char *revision)
{
	rd_kafka_headers_t *h = rd_kafka_headers_new(3);

	rd_kafka_header_add(h, "nfkafka-window", -1, stamp, -1);
	rd_kafka_header_add(h, "nfkafka-profile", -1, profile, -1);
	rd_kafka_header_add(h, "nfkafka-revision", -1, revision, -1);
	mock_produce(m, TOPIC, partition, h);
}

/* One message as --headers compact sends it: one nfkafka-id header. */
static void produce_id(const struct mock *m, int32_t partition,
    const char *id)
{
	rd_kafka_headers_t *h = rd_kafka_headers_new(1);

	rd_kafka_header_add(h, "nfkafka-id", -1, id, -1);
	mock_produce(m, TOPIC, partition, h);
}

static void done(void *arg, const struct recover_result *r)
{
	struct result *res = arg;

	res->error = r->error;
	snprintf(res->stamp, sizeof res->stamp, "%s", r->stamp);
	res->committed = r->committed;
	snprintf(res->errstr, sizeof res->errstr, "%s", r->errstr);
	res->done = 1;
}

static void tick(uv_timer_t *t)
{
	struct result *res = t->data;

	res->ticks++;
}

/*
 * Runs a read-back of TOPIC on the cluster m, on a loop that also turns a
 * 10 ms timer.
 */
static void read_back(const struct mock *m, const struct recover_want *want,
    int timeout_ms, struct result *res)
{
	struct kafka_options ko = { .topic = TOPIC };
	uv_loop_t loop;
	uv_timer_t t;
	struct kafka *k;
	struct recover *r;

	memset(res, 0, sizeof *res);
	k = mock_kafka_new(m, &loop, &ko);
	uv_timer_init(&loop, &t);
	t.data = res;
	uv_timer_start(&t, tick, 10, 10);
	assert_int_equal(recover_start(&loop, k, DIR, timeout_ms, want, done,
	    res, &r), 0);
	mock_run_until(&loop, &res->done);
	uv_close((uv_handle_t *)&t, NULL);
	mock_kafka_end(&loop, k, 0);
}

/*
 * The read-back finds want's window, the one the crash cut short, and not
 * when another revision of it (other) is wanted.
 */
static void assert_committed(const struct mock *m, struct recover_want *want,
    unsigned other)
{
	struct result res;

	read_back(m, want, 10000, &res);
	assert_int_equal(res.error, 0);
	assert_string_equal(res.stamp, want->stamp);
	assert_int_equal(res.committed, 1);
	assert_int_not_equal(other, want->revision);
	want->revision = other;
	read_back(m, want, 10000, &res);
	assert_int_equal(res.committed, 0);
}

/*
 * The newest window of this profile directory wins over older ones and
 * over other directories', on any partition; the export a crash cut short
 * is found committed.
 */
static void test_newest_window(void **state)
{
	struct mock m;
	struct recover_want want = { "20261127105500", 1, 0 };

	(void)state;
	mock_start(&m, TOPIC, 2);
	produce(&m, 0, "20261127105000", DIR "/a:b", "0");
	produce(&m, 1, "20261127105500", DIR "/a", "1");
	produce(&m, 0, "20261127110000", "/elsewhere/a", "0");
	assert_committed(&m, &want, 2);
	mock_stop(&m);
}

/*
 * --headers compact: the same read-back from "window,revision,row,count,
 * profile", a profile with commas included; a malformed id is ignored.
 */
static void test_compact_header(void **state)
{
	struct mock m;
	struct recover_want want = { "20261127105500", 3, 0 };

	(void)state;
	mock_start(&m, TOPIC, 2);
	produce_id(&m, 0, "20261127105000,0,7,1," DIR "/a:b");
	produce_id(&m, 1, "20261127105500,3,0,1000," DIR "/a,b");
	produce_id(&m, 0, "20261127110000,0,0,0,/elsewhere/a");
	produce_id(&m, 1, "20261127120000,0," DIR "/a");
	produce_id(&m, 1, "2026112712,0,0,0," DIR "/a");
	assert_committed(&m, &want, 2);
	mock_stop(&m);
}

/* A topic without our messages holds no window. */
static void test_empty_topic(void **state)
{
	struct mock m;
	struct result res;

	(void)state;
	mock_start(&m, TOPIC, 1);
	read_back(&m, NULL, 10000, &res);
	assert_int_equal(res.error, 0);
	assert_string_equal(res.stamp, "");
	mock_stop(&m);
}

/*
 * With the broker down, the read-back fails after its timeout, and the
 * loop turns all the while: the watchdog is fed whatever the broker does.
 */
static void test_broker_down_never_blocks(void **state)
{
	struct mock m;
	struct result res;

	(void)state;
	mock_start(&m, TOPIC, 1);
	rd_kafka_mock_broker_set_down(m.mc, 1);
	read_back(&m, NULL, 1000, &res);
	assert_int_not_equal(res.error, 0);
	assert_non_null(strstr(res.errstr, "recover: "));
	/* About 100 turns in a second; a blocked loop makes none. */
	assert_true(res.ticks >= 10);
	mock_stop(&m);
}

static void never(void *arg, const struct recover_result *res)
{
	(void)arg;
	(void)res;
	fail_msg("a cancelled read-back called back");
}

/*
 * A cancelled read-back's thread still uses the producer's options until
 * it ends: it is counted until then, so shutdown waits before freeing them.
 */
static void test_cancel_counted(void **state)
{
	struct mock m;
	struct kafka_options ko = { .topic = TOPIC };
	uv_loop_t loop;
	struct kafka *k;
	struct recover *r;

	(void)state;
	mock_start(&m, TOPIC, 1);
	rd_kafka_mock_broker_set_down(m.mc, 1);
	k = mock_kafka_new(&m, &loop, &ko);
	assert_int_equal(recover_pending(), 0);
	assert_int_equal(recover_start(&loop, k, DIR, 1000, NULL, never,
	    NULL, &r), 0);
	recover_cancel(r);
	assert_int_equal(recover_pending(), 1);
	while (recover_pending() > 0)
		uv_run(&loop, UV_RUN_ONCE);
	mock_kafka_end(&loop, k, 0);
	mock_stop(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newest_window),
		cmocka_unit_test(test_compact_header),
		cmocka_unit_test(test_empty_topic),
		cmocka_unit_test(test_broker_down_never_blocks),
		cmocka_unit_test(test_cancel_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
