/* SPDX-License-Identifier: BSD-2-Clause */
/* fields_key and fields_timestamp: the fields options name, in a schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "fields.h"

static void test_key_fields_found_or_named(void **state)
{
	char *good[] = { "bytes", "first_seen" }, *bad[] = { "bytes", "nope" };
	struct schema s;
	int index[2];
	char err[256];

	(void)state;
	assert_int_equal(schema_from_fmt("%ts,%byt", &s, err, sizeof err), 0);
	assert_int_equal(fields_key(good, 2, &s, index, err, sizeof err), 0);
	assert_int_equal(index[0], 1);
	assert_int_equal(index[1], 0);
	assert_int_equal(fields_key(bad, 2, &s, index, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "key field nope is not in the query"));
	schema_free(&s);
}

static void test_timestamp_is_a_time_field(void **state)
{
	struct schema s;
	int i;
	char err[256];

	(void)state;
	assert_int_equal(schema_from_fmt("%ts,%byt", &s, err, sizeof err), 0);
	assert_int_equal(fields_timestamp("send", &s, &i, err, sizeof err), 0);
	assert_int_equal(i, -1);
	assert_int_equal(fields_timestamp("window", &s, &i, err, sizeof err),
	    0);
	assert_int_equal(i, -1);
	assert_int_equal(fields_timestamp("first_seen", &s, &i, err,
	    sizeof err), 0);
	assert_int_equal(i, 0);
	assert_int_equal(fields_timestamp("bytes", &s, &i, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "--timestamp bytes is not a time field"));
	assert_int_equal(fields_timestamp("nope", &s, &i, err, sizeof err),
	    -EINVAL);
	schema_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_fields_found_or_named),
		cmocka_unit_test(test_timestamp_is_a_time_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
