/* SPDX-License-Identifier: BSD-2-Clause */
/* batch: records gathered into one CBOR sequence, full by count or bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "batch.h"

static void test_sequence_in_order(void **state)
{
	struct batch *b = batch_new(3, 1 << 20, 0);
	const unsigned char *data;
	size_t len;

	(void)state;
	assert_int_equal(batch_count(b), 0);
	batch_add(b, 42, "\x01", 1);
	batch_add(b, 43, "\x62hi", 3);
	assert_false(batch_full(b));
	batch_add(b, 44, "\x02", 1);
	assert_true(batch_full(b));
	assert_int_equal(batch_count(b), 3);
	assert_int_equal(batch_first(b), 42);
	data = batch_data(b, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "\x01\x62hi\x02", 5);
	batch_clear(b);
	assert_int_equal(batch_count(b), 0);
	batch_add(b, 45, "\x03", 1);
	assert_int_equal(batch_first(b), 45);
	data = batch_data(b, &len);
	assert_int_equal(len, 1);
	batch_free(b);
}

/* Records larger than the starting buffer, and a byte bound before N. */
static void test_full_by_bytes(void **state)
{
	static unsigned char big[10000];
	struct batch *b = batch_new(100, 25000, 0);
	const unsigned char *data;
	size_t len;

	(void)state;
	memset(big, 0xa5, sizeof big);
	batch_add(b, 0, big, sizeof big);
	batch_add(b, 1, big, sizeof big);
	assert_false(batch_full(b));
	batch_add(b, 2, big, sizeof big);
	assert_true(batch_full(b));
	data = batch_data(b, &len);
	assert_int_equal(len, 3 * sizeof big);
	assert_int_equal(data[len - 1], 0xa5);
	batch_free(b);
}

/* JSON objects become JSON lines. */
static void test_separator(void **state)
{
	struct batch *b = batch_new(10, 1 << 20, '\n');
	const unsigned char *data;
	size_t len;

	(void)state;
	batch_add(b, 0, "{}", 2);
	batch_add(b, 1, "{\"a\":1}", 7);
	data = batch_data(b, &len);
	assert_int_equal(len, 11);
	assert_memory_equal(data, "{}\n{\"a\":1}\n", 11);
	batch_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_in_order),
		cmocka_unit_test(test_full_by_bytes),
		cmocka_unit_test(test_separator),
	};

	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
