/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Avro registration hold: what it asks for first, what an answer does,
 * and that a gone window's answer reaches nobody. A registry's success is
 * proved against a real one in tests/integration/test_avro.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "schemahold.h"

struct answer {
	int called;
	int status;
	char why[512];
};

static void answered(void *arg, int status, const char *why)
{
	struct answer *a = arg;

	a->called++;
	a->status = status;
	snprintf(a->why, sizeof a->why, "%s", why);
}

static void open_avro(struct encode_handle *enc)
{
	char err[256];

	assert_int_equal(encode_open(ENCODE_AVRO, &(struct encode_options){
	    ENCODE_TYPED, 0, "flows", "http://127.0.0.1:1" }, enc, err,
	    sizeof err), 0);
}

/* Without a registry the window fails with the fix, as a fault of ours. */
static void test_no_registry(void **state)
{
	uv_loop_t loop;
	struct schemahold *h;
	struct encode_handle enc;
	struct answer a = { 0 };
	char why[256];

	(void)state;
	uv_loop_init(&loop);
	open_avro(&enc);
	assert_int_equal(schemahold_new(&loop, NULL, NULL, "flows", NULL, &h,
	    why, sizeof why), 0);
	schemahold_window(h, "20260101000000", &enc, answered, &a);
	assert_int_equal(schemahold_ready(h, NULL, why, sizeof why), 0);
	assert_int_equal(schemahold_ready(h, &(struct schema){ 0 }, why,
	    sizeof why), -EINVAL);
	assert_non_null(strstr(why, "--format avro needs --schema-registry"));
	assert_int_equal(a.called, 0);
	schemahold_free(h);
	encode_close(&enc);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/*
 * The summary's schema is asked for first, and the window is held while
 * the registry answers; a registry that is down fails it, naming the
 * subject, to be retried.
 */
static void test_registry_down(void **state)
{
	uv_loop_t loop;
	struct schemahold *h;
	struct encode_handle enc;
	struct answer a = { 0 };
	char why[256];

	(void)state;
	uv_loop_init(&loop);
	open_avro(&enc);
	assert_int_equal(schemahold_new(&loop, "http://127.0.0.1:1", NULL,
	    "flows", "windows", &h, why, sizeof why), 0);
	schemahold_window(h, "20260101000000", &enc, answered, &a);
	assert_int_equal(schemahold_ready(h, NULL, why, sizeof why), 1);
	assert_int_equal(schemahold_ready(h, NULL, why, sizeof why), 1);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(a.called, 1);
	assert_int_equal(a.status, -EAGAIN);
	assert_non_null(strstr(a.why, "(subject windows-value)"));
	assert_int_equal(schemahold_summary_ready(h), 0);
	schemahold_free(h);
	encode_close(&enc);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* An answer for a window that has gone (abandoned, done) is dropped. */
static void test_dropped_window(void **state)
{
	uv_loop_t loop;
	struct schemahold *h;
	struct encode_handle enc;
	struct answer a = { 0 }, b = { 0 };
	char why[256];

	(void)state;
	uv_loop_init(&loop);
	open_avro(&enc);
	assert_int_equal(schemahold_new(&loop, "http://127.0.0.1:1", NULL,
	    "flows", "windows", &h, why, sizeof why), 0);
	schemahold_window(h, "20260101000000", &enc, answered, &a);
	assert_int_equal(schemahold_ready(h, NULL, why, sizeof why), 1);
	schemahold_drop(h);
	/* The next window, not yet asking: the old answer is not its own. */
	schemahold_window(h, "20260101000500", &enc, answered, &b);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(a.called, 0);
	assert_int_equal(b.called, 0);
	schemahold_free(h);
	encode_close(&enc);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_registry),
		cmocka_unit_test(test_registry_down),
		cmocka_unit_test(test_dropped_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
