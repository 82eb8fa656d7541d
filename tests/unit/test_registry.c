/* SPDX-License-Identifier: BSD-2-Clause */
/* The schema registry client: its requests, its reading of answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

static void test_body(void **state)
{
	char *b;

	(void)state;
	b = registry_body("{\"type\":\"string\"}");
	assert_string_equal(b,
	    "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}");
	free(b);
}

static void test_answer(void **state)
{
	const char *ok = "{\"id\": 42}";
	const char *refused = "{\"error_code\":409,\"message\":\"Schema being "
	    "registered is incompatible with an earlier schema \\\"x\\\"\"}";
	const char *down = "<html>Bad Gateway</html>";
	uint32_t id = 0;
	char why[256];

	(void)state;
	assert_int_equal(registry_answer(200, ok, strlen(ok), &id, why,
	    sizeof why), 0);
	assert_int_equal(id, 42);
	assert_int_equal(registry_answer(409, refused, strlen(refused), &id,
	    why, sizeof why), -EPERM);
	assert_string_equal(why, "HTTP 409: Schema being registered is "
	    "incompatible with an earlier schema \"x\"");
	assert_int_equal(registry_answer(502, down, strlen(down), &id, why,
	    sizeof why), -EAGAIN);
	assert_string_equal(why, "HTTP 502: <html>Bad Gateway</html>");
	/* A 200 without an id is no registration. */
	assert_int_equal(registry_answer(200, "{}", 2, &id, why, sizeof why),
	    -EAGAIN);
	assert_int_equal(registry_answer(429, "{}", 2, &id, why, sizeof why),
	    -EAGAIN);
	/* A key at the very end has no value to read (found by fuzzing). */
	assert_int_equal(registry_answer(500, "{\"message\":", 11, &id, why,
	    sizeof why), -EAGAIN);
	assert_string_equal(why, "HTTP 500: {\"message\":");
}

static void test_url(void **state)
{
	struct registry *r;
	char err[256];

	(void)state;
	assert_int_equal(registry_new(uv_default_loop(), "ftp://x", NULL, &r,
	    err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "--schema-registry"));
	assert_int_equal(registry_new(uv_default_loop(),
	    "http://me:s3cret@127.0.0.1:8081/apis/ccompat/v7/", NULL, &r, err,
	    sizeof err), 0);
	assert_string_equal(registry_name(r),
	    "http://127.0.0.1:8081/apis/ccompat/v7");
	registry_free(r);
}

struct outcome {
	int called;
	int status;
	char why[512];
};

static void done(void *arg, int status, uint32_t id, const char *why)
{
	struct outcome *o = arg;

	(void)id;
	o->called++;
	o->status = status;
	snprintf(o->why, sizeof o->why, "%s", why != NULL ? why : "");
}

/* Nothing listens on port 1: a clear, retryable error on the loop. */
static void test_unreachable(void **state)
{
	uv_loop_t loop;
	struct registry *r;
	struct outcome o = { 0 };
	char err[256];

	(void)state;
	uv_loop_init(&loop);
	assert_int_equal(registry_new(&loop, "http://u:pw@127.0.0.1:1",
	    "user:topsecret", &r, err, sizeof err), 0);
	assert_int_equal(registry_register(r, "t-value", "\"string\"", done,
	    &o), 0);
	assert_int_equal(registry_register(r, "t-value", "\"string\"", done,
	    &o), -EBUSY);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(o.called, 1);
	assert_int_equal(o.status, -EAGAIN);
	assert_non_null(strstr(o.why, "schema registry http://127.0.0.1:1"));
	assert_null(strstr(o.why, "pw"));
	assert_null(strstr(o.why, "topsecret"));
	registry_free(r);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
