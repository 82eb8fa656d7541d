/* SPDX-License-Identifier: BSD-2-Clause */
/* batch: records encoded into one framed message, full by count or bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

struct fixture {
	struct schema schema;
	struct row row;
	struct encode_handle h;
};

static void fixture_open(struct fixture *f, enum encode_format format,
    const char *fmt)
{
	char err[256];

	assert_int_equal(schema_from_fmt(fmt, &f->schema, err, sizeof err),
	    0);
	record_row_init(&f->row, &f->schema);
	assert_int_equal(encode_open(format, &(struct encode_options){ 0 },
	    &f->h, err, sizeof err), 0);
}

static void fixture_close(struct fixture *f)
{
	encode_close(&f->h);
	record_row_free(&f->row);
	schema_free(&f->schema);
}

static void add(struct batch *b, struct fixture *f, uint64_t row,
    const char *line)
{
	char err[256];

	assert_int_equal(record_parse(&f->row, line, strlen(line), 0), 0);
	assert_int_equal(batch_add(b, row, &f->row, err, sizeof err), 0);
}

/* CBOR: the items back to back, a CBOR sequence. */
static void test_sequence_in_order(void **state)
{
	struct fixture f;
	struct batch *b;
	const unsigned char *data;
	size_t len;

	(void)state;
	fixture_open(&f, ENCODE_CBOR, "%fl");
	b = batch_new(3, 1 << 20, &f.h);
	assert_int_equal(batch_count(b), 0);
	add(b, &f, 42, "1");
	add(b, &f, 43, "2");
	assert_false(batch_full(b));
	add(b, &f, 44, "3");
	assert_true(batch_full(b));
	assert_int_equal(batch_count(b), 3);
	assert_int_equal(batch_first(b), 42);
	data = batch_data(b, &len);
	assert_int_equal(len, 3 * 8);
	assert_memory_equal(data, "\xa1\x65" "flows\x01", 8);
	assert_memory_equal(data + 16, "\xa1\x65" "flows\x03", 8);
	batch_clear(b);
	assert_int_equal(batch_count(b), 0);
	add(b, &f, 45, "4");
	assert_int_equal(batch_first(b), 45);
	data = batch_data(b, &len);
	assert_int_equal(len, 8);
	batch_free(b);
	fixture_close(&f);
}

/* Records larger than the starting buffer, and a byte bound before N. */
static void test_full_by_bytes(void **state)
{
	static char big[10001];
	struct fixture f;
	struct batch *b;
	const unsigned char *data;
	size_t len;

	(void)state;
	memset(big, 'x', sizeof big - 1);
	fixture_open(&f, ENCODE_CBOR, "%sni");
	b = batch_new(100, 25000, &f.h);
	add(b, &f, 0, big);
	add(b, &f, 1, big);
	assert_false(batch_full(b));
	add(b, &f, 2, big);
	assert_true(batch_full(b));
	data = batch_data(b, &len);
	assert_true(len > 3 * 10000);
	assert_int_equal(data[len - 1], 'x');
	batch_free(b);
	fixture_close(&f);
}

/* JSON objects become JSON lines, each line ended. */
static void test_json_lines(void **state)
{
	struct fixture f;
	struct batch *b;
	const unsigned char *data;
	size_t len;

	(void)state;
	fixture_open(&f, ENCODE_JSON, "%fl");
	b = batch_new(10, 1 << 20, &f.h);
	add(b, &f, 0, "0");
	add(b, &f, 1, "1");
	data = batch_data(b, &len);
	assert_int_equal(len, 24);
	assert_memory_equal(data, "{\"flows\":0}\n{\"flows\":1}\n", 24);
	/* Asking again adds no second end. */
	data = batch_data(b, &len);
	assert_int_equal(len, 24);
	batch_free(b);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_in_order),
		cmocka_unit_test(test_full_by_bytes),
		cmocka_unit_test(test_json_lines),
	};

	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
