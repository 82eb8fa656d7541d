/* SPDX-License-Identifier: BSD-2-Clause */
/* output: a fake nfdump's stdout sorted and its end judged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "output.h"
#include "query.h"
#include "xmalloc.h"
#include "mock.h"

struct seen {
	int schemas;
	int records;
	uint64_t last_lineno;
	int stop_after;		/* output_stop after this many records; 0: never */
	int pause_ms;		/* hold the first record this long; 0: never */
	uv_loop_t *loop;
	uv_timer_t resume;
	struct output *out;
	int done;
	struct output_end end;
};

static int seen_schema(void *arg, const struct schema *schema)
{
	struct seen *s = arg;

	assert_true(schema->nfields > 0);
	s->schemas++;
	return 0;
}

static void seen_resume(uv_timer_t *t)
{
	struct seen *s = t->data;

	uv_close((uv_handle_t *)t, NULL);
	output_resume(s->out);
}

static int seen_record(void *arg, const char *line, size_t len,
    uint64_t lineno)
{
	struct seen *s = arg;

	if (s->pause_ms > 0) {
		/* A full producer queue: the reader holds nfdump back. */
		uv_timer_init(s->loop, &s->resume);
		s->resume.data = s;
		uv_timer_start(&s->resume, seen_resume, (uint64_t)s->pause_ms, 0);
		s->pause_ms = 0;
		return 1;
	}
	assert_int_equal(len, strlen(LINE_DEFAULT));
	assert_memory_equal(line, LINE_DEFAULT, len);
	s->records++;
	s->last_lineno = lineno;
	if (s->stop_after > 0 && s->records == s->stop_after)
		output_stop(s->out);
	return 0;
}

static void seen_done(void *arg, const struct output_end *end)
{
	struct seen *s = arg;

	s->end = *end;
	s->done = 1;
}

static const struct output_sink sink = { NULL, seen_schema, seen_record,
	seen_done };

/* Runs the default query through a fake nfdump with body. */
static void run(const char *body, struct seen *s)
{
	char dir[] = "/tmp/nfkafka-output.XXXXXX", err[256], *nfdump;
	struct dialect d = dialect_of(DIALECT_V(1, 7, 1));
	struct query q;
	uv_loop_t loop;

	assert_non_null(mkdtemp(dir));
	nfdump = mock_nfdump(dir, body);
	assert_int_equal(query_parse(QUERY_DEFAULT, &d, &q, err, sizeof err),
	    0);
	uv_loop_init(&loop);
	s->loop = &loop;
	assert_int_equal(output_start(&loop, &q, nfdump, "/p/c",
	    "nfcapd.202611271055", 0, &sink, s, &s->out), 0);
	mock_run_until(&loop, &s->done);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	query_free(&q);
	unlink(nfdump);
	free(nfdump);
	rmdir(dir);
}

/* Header, records, nfdump's summary with its totals: a clean run. */
static void test_records_and_totals(void **state)
{
	struct seen s = { 0 };
	char *body = mock_rows(4, 0);

	(void)state;
	run(body, &s);
	assert_int_equal(s.schemas, 1);
	assert_int_equal(s.records, 4);
	assert_int_equal(s.last_lineno, 4);
	assert_int_equal(s.end.failure.kind, FAILURE_NONE);
	assert_true(s.end.totals.known);
	assert_int_equal(s.end.totals.flows, 31);
	assert_int_equal(s.end.totals.bytes, 1544282);
	assert_int_equal(s.end.totals.packets, 1307);
	free(body);
}

/* Output cut before nfdump's summary is incomplete: the window failed. */
static void test_no_summary(void **state)
{
	struct seen s = { 0 };

	(void)state;
	run("echo header\necho '" LINE_DEFAULT "'", &s);
	assert_int_equal(s.records, 1);
	assert_int_equal(s.end.failure.kind, FAILURE_WINDOW);
	assert_non_null(strstr(s.end.failure.message, "without its summary"));
}

/* nfdump's usage text is no record: the query is not understood. */
static void test_usage(void **state)
{
	struct seen s = { 0 };

	(void)state;
	run("echo 'usage nfdump [options] [\"filter\"]'\necho '-h this text'",
	    &s);
	assert_int_equal(s.schemas, 0);
	assert_int_equal(s.records, 0);
	assert_int_not_equal(s.end.failure.kind, FAILURE_NONE);
	assert_non_null(strstr(s.end.failure.message, "usage"));
}

/* Stopped by its reader: no more records, and no verdict on the window. */
static void test_stopped(void **state)
{
	struct seen s = { .stop_after = 2 };
	char *body = mock_rows(5000, 0);

	(void)state;
	run(body, &s);
	assert_int_equal(s.records, 2);
	assert_int_equal(s.end.failure.kind, FAILURE_NONE);
	free(body);
}

/*
 * Held back longer than nfdump's grace after exit (a slow broker): its
 * output's end cannot show while nobody reads, so that is no fault of
 * nfdump's; every record comes once the reader goes on.
 */
static void test_paused_past_exit(void **state)
{
	struct seen s = { .pause_ms = 7000 };
	char *body = mock_rows(4, 0);

	(void)state;
	run(body, &s);
	assert_int_equal(s.records, 4);
	assert_int_equal(s.end.failure.kind, FAILURE_NONE);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_and_totals),
		cmocka_unit_test(test_no_summary),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_stopped),
		cmocka_unit_test(test_paused_past_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
