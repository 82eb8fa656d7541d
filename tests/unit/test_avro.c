/* SPDX-License-Identifier: BSD-2-Clause */
/* The Avro writer and the Avro encoding of records, checked byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro.h"
#include "describe.h"
#include "encode.h"
#include "record.h"
#include "schema.h"
#include "summary.h"

static void expect(struct encode_buf *a, const char *want, size_t n)
{
	assert_int_equal(a->len, n);
	assert_memory_equal(a->p, want, n);
	a->len = 0;
}

/* The specification's own examples of zigzag varints, and the extremes. */
static void test_long(void **state)
{
	struct encode_buf a;

	(void)state;
	encode_buf_init(&a);
	avro_long(&a, 0);
	expect(&a, "\x00", 1);
	avro_long(&a, -1);
	expect(&a, "\x01", 1);
	avro_long(&a, 1);
	expect(&a, "\x02", 1);
	avro_long(&a, -64);
	expect(&a, "\x7f", 1);
	avro_long(&a, 64);
	expect(&a, "\x80\x01", 2);
	avro_long(&a, INT64_MAX);
	expect(&a, "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
	avro_long(&a, INT64_MIN);
	expect(&a, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
	encode_buf_free(&a);
}

static void test_double_string_frame(void **state)
{
	struct encode_buf a;

	(void)state;
	encode_buf_init(&a);
	avro_double(&a, 1.5);
	expect(&a, "\x00\x00\x00\x00\x00\x00\xf8\x3f", 8);
	avro_string(&a, "foo", 3);
	expect(&a, "\x06" "foo", 4);
	/* A byte that is not UTF-8 becomes U+FFFD, and the length follows. */
	avro_string(&a, "a\x80", 2);
	expect(&a, "\x08" "a\xef\xbf\xbd", 5);
	avro_frame(&a, 0x01020304);
	expect(&a, "\x00\x01\x02\x03\x04", 5);
	encode_buf_free(&a);
}

/* Encodes line as one record of fmt, with the records' id 7. */
static size_t encode(const char *fmt, const char *line, int strings,
    struct encode_buf *out)
{
	struct encode_options o = { strings ? ENCODE_STRINGS : ENCODE_TYPED,
		0, "t", NULL };
	struct encode_handle h;
	struct schema s;
	struct row row;
	char err[256];
	size_t misfits;

	assert_int_equal(schema_from_fmt(fmt, &s, err, sizeof err), 0);
	assert_int_equal(encode_open(ENCODE_AVRO, &o, &h, err, sizeof err), 0);
	record_row_init(&row, &s);
	assert_int_equal(record_parse(&row, line, strlen(line), strings), 0);
	/* Not registered yet: no record without its schema's id. */
	assert_int_equal(encode_record(&h, &row, out, err, sizeof err),
	    -EAGAIN);
	avro_set_id(h.enc, 0, 7);
	assert_int_equal(encode_record(&h, &row, out, err, sizeof err), 0);
	misfits = row.misfits;
	record_row_free(&row);
	encode_close(&h);
	schema_free(&s);
	return misfits;
}

static void test_record(void **state)
{
	const char *fmt = "%ts,%sa,%da,%pkt,%td,%pr";
	const char *line = "2026-11-27 12:28:50.106,  10.0.0.1, 2001:db8::1, "
	    "  12, 1.500, TCP";
	const char *bad = "2026-11-27 12:28:50.106,  10.0.0.1, nonsense, "
	    "  12, 1.500, TCP";
	/* 1795782530106 ms, zigzag varint. */
	const char ts[] = "\xf4\xd0\xd6\xcf\xc3\x68";
	struct encode_buf a;
	char want[128];
	size_t n = 0;

	(void)state;
	encode_buf_init(&a);
	assert_int_equal(encode(fmt, line, 0, &a), 0);
	memcpy(want + n, "\x00\x00\x00\x00\x07", 5);
	n += 5;
	memcpy(want + n, "\x02", 1);	/* union branch 1: not null */
	n += 1;
	memcpy(want + n, ts, 6);
	n += 6;
	/* Addresses: fixed(16), IPv4 mapped. */
	memcpy(want + n, "\x02\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\0\0\x01", 17);
	n += 17;
	memcpy(want + n, "\x02\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 17);
	n += 17;
	memcpy(want + n, "\x02\x18", 2);	/* 12 */
	n += 2;
	memcpy(want + n, "\x02\x00\x00\x00\x00\x00\x00\xf8\x3f", 9);
	n += 9;
	memcpy(want + n, "\x06TCP", 4);	/* text: no union */
	n += 4;
	expect(&a, want, n);

	/* A value that does not parse is null, never a string. */
	assert_int_equal(encode(fmt, bad, 0, &a), 1);
	assert_int_equal(a.p[5 + 7 + 17], 0);
	a.len = 0;

	/* ICMP's type.code in a port column: type * 256 + code. */
	assert_int_equal(encode("%dp,%pkt", "3.10, 5", 0, &a), 0);
	expect(&a, "\x00\x00\x00\x00\x07\x02\x94\x0c\x02\x0a", 10);

	/* --values strings: every value a plain string. */
	assert_int_equal(encode("%dp,%pkt", "3.10, 5", 1, &a), 0);
	expect(&a, "\x00\x00\x00\x00\x07\x08" "3.10" "\x02" "5", 12);
	encode_buf_free(&a);
}

static void test_schema(void **state)
{
	struct encode_options typed = { ENCODE_TYPED, 0, "t", NULL };
	struct encode_options strings = { ENCODE_STRINGS, 1, "t", NULL };
	struct schema s;
	char err[256], *text;

	(void)state;
	assert_int_equal(schema_from_fmt("%ts,%sa,%pkt,%td,%pr", &s, err,
	    sizeof err), 0);
	text = avro_schema(&s, &typed);
	assert_string_equal(text, "{\"type\":\"record\",\"name\":\"flow\","
	    "\"namespace\":\"nfkafka\",\"fields\":["
	    "{\"name\":\"first_seen\",\"type\":[\"null\",{\"type\":\"long\","
	    "\"logicalType\":\"timestamp-millis\"}],\"default\":null},"
	    "{\"name\":\"src_addr\",\"type\":[\"null\",{\"type\":\"fixed\","
	    "\"name\":\"ip6\",\"size\":16}],\"default\":null},"
	    "{\"name\":\"packets\",\"type\":[\"null\",\"long\"],"
	    "\"default\":null},"
	    "{\"name\":\"duration\",\"type\":[\"null\",\"double\"],"
	    "\"default\":null},"
	    "{\"name\":\"proto\",\"type\":\"string\"}]}");
	free(text);
	text = avro_schema(&s, &strings);
	assert_non_null(strstr(text, "{\"name\":\"packets\",\"type\":"
	    "\"string\"}"));
	/* --identity's fields last, never null. */
	assert_non_null(strstr(text, ",{\"name\":\"window_row\",\"type\":"
	    "\"long\"}]}"));
	free(text);
	schema_free(&s);
}

/* --schema clickhouse for Avro names the registry, never its password. */
static void test_clickhouse_ddl(void **state)
{
	struct encode_options o = { ENCODE_TYPED, 0, "t",
		"http://me:pw@127.0.0.1:8081/apis/ccompat/v7" };
	struct describe_target t = { ENCODE_AVRO, "h:9092", "flows" };
	struct schema s;
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(out);
	assert_int_equal(schema_from_fmt("%ts,%sa", &s, err, sizeof err), 0);
	assert_int_equal(describe_print("clickhouse", &s, &o, &t, out, err,
	    sizeof err), 0);
	fclose(out);
	assert_non_null(strstr(buf, ") ENGINE = Kafka SETTINGS\n"
	    "    format_avro_schema_registry_url = "
	    "'http://127.0.0.1:8081/apis/ccompat/v7',\n"));
	assert_non_null(strstr(buf, "kafka_format = 'AvroConfluent'"));
	assert_null(strstr(buf, "pw"));
	free(buf);
	schema_free(&s);
}

static void test_name(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(avro_name("mplsLabel1-10", out, sizeof out), 13);
	assert_string_equal(out, "mplsLabel1_10");
	avro_name("1st", out, sizeof out);
	assert_string_equal(out, "_1st");
	avro_name("a-very-long-name-indeed", out, sizeof out);
	assert_string_equal(out, "a_very_long_nam");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_double_string_frame),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_clickhouse_ddl),
		cmocka_unit_test(test_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
