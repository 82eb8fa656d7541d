/* SPDX-License-Identifier: BSD-2-Clause */
/* export: a window's records through a fake nfdump into the mock cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dialect.h"
#include "export.h"
#include "kafka.h"
#include "profile.h"
#include "query.h"
#include "strv.h"
#include "xmalloc.h"
#include "mock.h"

#define TOPIC "flows"
#define STAMP "20261127105500"
#define RELFILE "nfcapd.202611271055"

struct fixture {
	uv_loop_t loop;
	struct mock m;
	char dir[64];
	struct profile p;
	struct dialect d;
	struct kafka_prop props[4];
	struct kafka_options ko;
	struct kafka *k;
	struct exporter *x;
	struct export_options o;
	struct export_result r;
	int done;
	int calls;
};

static void fixture_init(struct fixture *f)
{
	char err[256], *chan;

	memset(f, 0, sizeof *f);
	uv_loop_init(&f->loop);
	mock_start(&f->m, TOPIC, 1);
	snprintf(f->dir, sizeof f->dir, "/tmp/nfkafka-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	xasprintf(&chan, "%s/c", f->dir);
	mkdir(chan, 0700);
	assert_int_equal(profile_parse(chan, &f->p, err, sizeof err), 0);
	free(chan);
	f->d = dialect_of(DIALECT_V(1, 7, 1));
	f->ko.brokers = f->m.brokers;
	f->ko.topic = TOPIC;
	f->ko.props = f->props;
	f->o.query = xcalloc(1, sizeof *f->o.query);
	assert_int_equal(query_parse(QUERY_DEFAULT, &f->d, f->o.query, err,
	    sizeof err), 0);
	f->o.profile = &f->p;
	f->o.values = ENCODE_TYPED;
	f->o.format = ENCODE_CBOR;
	snprintf(f->o.timestamp, sizeof f->o.timestamp, "send");
	f->o.interval_s = 300;
	f->o.headers = EXPORT_HEADERS_SEPARATE;
	f->o.batch = 1;
}

/* -X name=value for the producer. */
static void fixture_prop(struct fixture *f, const char *name,
    const char *value)
{
	f->props[f->ko.nprops].name = (char *)name;
	f->props[f->ko.nprops++].value = (char *)value;
}

static void fixture_start(struct fixture *f, const char *nfdump_body)
{
	char err[512];

	f->o.nfdump = mock_nfdump(f->dir, nfdump_body);
	assert_int_equal(kafka_new(&f->loop, &f->ko, &f->k, err, sizeof err),
	    0);
	assert_int_equal(exporter_new(&f->loop, &f->o, f->k, &f->ko, &f->x,
	    err, sizeof err), 0);
}

static void fixture_done(void *arg, const char *stamp,
    const struct export_result *r)
{
	struct fixture *f = arg;

	assert_string_equal(stamp, STAMP);
	f->r = *r;
	f->done = 1;
	f->calls++;
}

/* Exports the window as revision, to its end. */
static void fixture_export(struct fixture *f, unsigned revision)
{
	struct export_window w = { RELFILE, STAMP, 1, revision };

	f->done = 0;
	assert_int_equal(export_start(f->x, &w, fixture_done, f), 0);
	mock_run_until(&f->loop, &f->done);
	assert_int_equal(export_busy(f->x), 0);
	assert_int_equal(export_children(f->x), 0);
}

static void fixture_free(struct fixture *f)
{
	char *path;

	kafka_flush(f->k, 1000);
	exporter_free(f->x);
	mock_kafka_end(&f->loop, f->k, 0);
	unlink(f->o.nfdump);
	free((char *)f->o.nfdump);
	xasprintf(&path, "%s/c", f->dir);
	rmdir(path);
	free(path);
	rmdir(f->dir);
	profile_free(&f->p);
	mock_stop(&f->m);
}

/* Every record is one message, named by window, revision and row. */
static void test_window_messages(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *body = mock_rows(5, 0);
	char row[16];

	(void)state;
	fixture_init(&f);
	fixture_start(&f, body);
	fixture_export(&f, 2);
	assert_int_equal(f.r.failure.kind, FAILURE_NONE);
	assert_int_equal(f.r.rows, 5);
	assert_int_equal(f.r.acked, 5);
	assert_int_equal(f.r.nfdump_ran, 1);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 16), 5);
	for (int i = 0; i < 5; i++) {
		snprintf(row, sizeof row, "%d", i);
		assert_string_equal(msgs[i].window, STAMP);
		assert_string_equal(msgs[i].revision, "2");
		assert_string_equal(msgs[i].row, row);
		assert_true(msgs[i].len > 0);
	}
	fixture_free(&f);
	free(body);
}

/*
 * --headers compact: one nfkafka-id header, "window,revision,row,count,
 * profile", instead of the separate ones.
 */
static void test_compact_headers(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *body = mock_rows(3, 0);
	char want[256];

	(void)state;
	fixture_init(&f);
	f.o.headers = EXPORT_HEADERS_COMPACT;
	fixture_start(&f, body);
	fixture_export(&f, 2);
	assert_int_equal(f.r.failure.kind, FAILURE_NONE);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 16), 3);
	for (int i = 0; i < 3; i++) {
		snprintf(want, sizeof want, "%s,2,%d,1,%s/c", STAMP, i,
		    f.dir);
		assert_string_equal(msgs[i].id, want);
		assert_string_equal(msgs[i].window, "");
		assert_string_equal(msgs[i].row, "");
	}
	fixture_free(&f);
	free(body);
}

/* nfdump failing on the window's files is the window's fault. */
static void test_nfdump_failure(void **state)
{
	struct fixture f;
	char *body = mock_rows(3, 2);

	(void)state;
	fixture_init(&f);
	fixture_start(&f, body);
	fixture_export(&f, 0);
	assert_int_equal(f.r.failure.kind, FAILURE_WINDOW);
	assert_false(f.r.failure.permanent);
	assert_non_null(strstr(f.r.failure.message, "exited with status 2"));
	fixture_free(&f);
	free(body);
}

/* A key field the query does not print fails every window: stop. */
static void test_key_field_missing(void **state)
{
	struct fixture f;
	char *body = mock_rows(3, 0);

	(void)state;
	fixture_init(&f);
	strv_push(&f.o.key_fields, &f.o.nkey_fields, "nosuchfield");
	fixture_start(&f, body);
	fixture_export(&f, 0);
	assert_int_equal(f.r.failure.kind, FAILURE_QUERY);
	assert_true(f.r.failure.permanent);
	assert_non_null(strstr(f.r.failure.message, "nosuchfield"));
	assert_int_equal(f.r.rows, 0);
	fixture_free(&f);
	free(body);
}

/* The broker refusing the records for good fails the window for good. */
static void test_refused_message(void **state)
{
	struct fixture f;
	char *body = mock_rows(3, 0);

	(void)state;
	fixture_init(&f);
	fixture_prop(&f, "enable.idempotence", "false");
	fixture_prop(&f, "retries", "0");
	rd_kafka_mock_push_request_errors(f.m.mc, MOCK_API_PRODUCE, 8,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
	fixture_start(&f, body);
	fixture_export(&f, 0);
	assert_int_equal(f.r.failure.kind, FAILURE_KAFKA);
	assert_true(f.r.failure.permanent);
	assert_true(f.r.delivery_errors > 0);
	assert_int_equal(f.r.acked + f.r.delivery_errors, f.r.rows);
	fixture_free(&f);
	free(body);
}

/* A producer queue of 5 messages holds nfdump back; nothing is lost. */
static void test_full_queue_pauses_nfdump(void **state)
{
	struct fixture f;
	static struct mock_msg msgs[2100];
	char *body = mock_rows(2000, 0);
	char row[16];

	(void)state;
	fixture_init(&f);
	fixture_prop(&f, "queue.buffering.max.messages", "5");
	/* 400 batches of 5 would each linger nfkafka's 50 ms: 20 s. */
	fixture_prop(&f, "linger.ms", "5");
	fixture_start(&f, body);
	fixture_export(&f, 0);
	if (f.r.failure.kind != FAILURE_NONE)
		print_message("the window failed: %s\n", f.r.failure.message);
	assert_int_equal(f.r.failure.kind, FAILURE_NONE);
	assert_int_equal(f.r.acked, 2000);
	assert_true(f.r.pauses > 0);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 2100), 2000);
	for (int i = 0; i < 2000; i++) {
		snprintf(row, sizeof row, "%d", i);
		assert_string_equal(msgs[i].row, row);
	}
	fixture_free(&f);
	free(body);
}

/*
 * Exactly-once: a window is one transaction, and a failed window's is
 * aborted, or the next window could not begin its own. (librdkafka 2.0.2's
 * mock cluster keeps no aborted ranges: a read_committed consumer of it
 * sees aborted records too, so the broker's side is the integration
 * suite's.)
 */
static void test_transactions(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *ok = mock_rows(4, 0), *bad = mock_rows(3, 1);

	(void)state;
	fixture_init(&f);
	f.ko.transactional_id = "test-txn";
	fixture_start(&f, bad);
	fixture_export(&f, 0);
	assert_int_equal(f.r.failure.kind, FAILURE_WINDOW);
	free(mock_nfdump(f.dir, ok));
	fixture_export(&f, 1);
	assert_int_equal(f.r.failure.kind, FAILURE_NONE);
	assert_int_equal(f.r.acked, 4);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 0, msgs, 16), 7);
	assert_string_equal(msgs[3].revision, "1");
	fixture_free(&f);
	free(ok);
	free(bad);
}

/* A fenced producer cannot commit, now or ever: the failure is for good. */
static void test_transaction_fenced(void **state)
{
	struct fixture f;
	char *body = mock_rows(2, 0);

	(void)state;
	fixture_init(&f);
	f.ko.transactional_id = "test-fenced";
	rd_kafka_mock_push_request_errors(f.m.mc, MOCK_API_END_TXN, 1,
	    RD_KAFKA_RESP_ERR_PRODUCER_FENCED);
	fixture_start(&f, body);
	fixture_export(&f, 0);
	assert_int_equal(f.r.failure.kind, FAILURE_KAFKA);
	assert_true(f.r.failure.permanent);
	assert_non_null(strstr(f.r.failure.message, "Kafka transaction"));
	fixture_free(&f);
	free(body);
}

/* With a summary topic the window ends once, after the summary's report. */
static void test_summary_once(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *body = mock_rows(3, 0);

	(void)state;
	fixture_init(&f);
	f.ko.summary_topic = "summaries";
	assert_int_equal(rd_kafka_mock_topic_create(f.m.mc, "summaries", 1,
	    1), 0);
	fixture_start(&f, body);
	fixture_export(&f, 0);
	/* Let any stray second finish show itself. */
	uv_run(&f.loop, UV_RUN_NOWAIT);
	assert_int_equal(f.calls, 1);
	assert_int_equal(f.r.failure.kind, FAILURE_NONE);
	assert_int_equal(mock_consume(&f.m, "summaries", 1, 1, msgs, 16), 1);
	assert_string_equal(msgs[0].window, STAMP);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 16), 3);
	fixture_free(&f);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_messages),
		cmocka_unit_test(test_compact_headers),
		cmocka_unit_test(test_nfdump_failure),
		cmocka_unit_test(test_key_field_missing),
		cmocka_unit_test(test_refused_message),
		cmocka_unit_test(test_full_queue_pauses_nfdump),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_transaction_fenced),
		cmocka_unit_test(test_summary_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
