/* SPDX-License-Identifier: BSD-2-Clause */
/* buf_grow and buf_decimal: room as asked, digits as printf's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void test_grow_keeps_and_doubles(void **state)
{
	size_t cap = 0;
	char *b = buf_grow(NULL, &cap, 0, 10);

	(void)state;
	assert_true(cap >= 10);
	memcpy(b, "0123456789", 10);
	b = buf_grow(b, &cap, 10, 1000);
	assert_true(cap - 10 >= 1000);
	assert_int_equal(cap & (cap - 1), 0);
	assert_memory_equal(b, "0123456789", 10);
	/* Room enough already: the same buffer, the same capacity. */
	{
		size_t before = cap;
		char *same = buf_grow(b, &cap, 10, 5);

		assert_ptr_equal(same, b);
		assert_int_equal(cap, before);
	}
	free(b);
}

static void expect_decimal(uint64_t v)
{
	char got[20], want[24];
	size_t n = buf_decimal(v, got);

	snprintf(want, sizeof want, "%" PRIu64, v);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(got, want, n);
}

static void test_decimal_as_printf(void **state)
{
	const uint64_t cases[] = { 0, 1, 9, 10, 99, 100, 4294967296ULL,
		1796186200, UINT64_MAX, UINT64_MAX - 1 };
	uint64_t ten = 1;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		expect_decimal(cases[i]);
	/* Where the count of digits changes, and odd and even counts. */
	for (int i = 0; i < 20; i++, ten *= 10) {
		expect_decimal(ten);
		expect_decimal(ten - 1);
		expect_decimal(ten + 1);
		expect_decimal(ten * 7 / 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_keeps_and_doubles),
		cmocka_unit_test(test_decimal_as_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
