/* SPDX-License-Identifier: BSD-2-Clause */
/* The JSON writer and the JSON encoding of records, checked byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "json.h"
#include "record.h"
#include "schema.h"
#include "summary.h"

static void expect(struct encode_buf *j, const char *want)
{
	assert_int_equal(j->len, strlen(want));
	assert_memory_equal(j->p, want, j->len);
	j->len = 0;
}

static void test_text_escapes(void **state)
{
	struct encode_buf j;

	(void)state;
	encode_buf_init(&j);
	json_text(&j, "a\"b\\c\n\x01", 7);
	expect(&j, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	/* UTF-8 stays; a lone continuation, an overlong form and a cut
	 * sequence each become U+FFFD. */
	json_text(&j, "\xc3\xa9|\x80|\xc0\xaf|\xe2\x82", 10);
	expect(&j, "\"\xc3\xa9|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
	    "\xef\xbf\xbd\xef\xbf\xbd\"");
	/* A surrogate encoded in UTF-8 is not UTF-8. */
	json_text(&j, "\xed\xa0\x80", 3);
	expect(&j, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	encode_buf_free(&j);
}

static void test_numbers(void **state)
{
	struct encode_buf j;

	(void)state;
	encode_buf_init(&j);
	json_uint(&j, 18446744073709551615ULL);
	expect(&j, "18446744073709551615");
	json_uint(&j, 0);
	expect(&j, "0");
	json_double(&j, 0.1);
	expect(&j, "0.1");
	json_double(&j, 1.0 / 3);
	expect(&j, "0.3333333333333333");
	json_double(&j, 2);
	expect(&j, "2.0");
	json_double(&j, 1e300);
	expect(&j, "1e+300");
	json_double(&j, 1.0 / 0.0);
	expect(&j, "null");
	encode_buf_free(&j);
}

static void test_times(void **state)
{
	struct encode_buf j;

	(void)state;
	encode_buf_init(&j);
	json_time(&j, 1795782530, 106000000);
	expect(&j, "1795782530.106");
	json_time(&j, 1795782530, 0);
	expect(&j, "1795782530.000");
	json_time(&j, 1795782530, 106000001);
	expect(&j, "1795782530.106000001");
	json_time(&j, -2, 500000000);
	expect(&j, "-1.500");
	json_time(&j, -1, 250000000);
	expect(&j, "-0.750");
	encode_buf_free(&j);
}

static void test_record(void **state)
{
	const char *fmt = "%ts,%sa,%da,%pkt,%td,%pr";
	const char *line = "2026-11-27 12:28:50.106,  10.0.0.1, 2001:db8::1, "
	    "  12, 1.500, TCP";
	struct schema s;
	struct row row;
	struct encode_handle h;
	struct encode_buf out = { 0 };
	char err[256];
	const char *want = "{\"first_seen\":1795782530.106,"
	    "\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"2001:db8::1\","
	    "\"packets\":12,\"duration\":1.500,\"proto\":\"TCP\"}";

	(void)state;
	assert_int_equal(schema_from_fmt(fmt, &s, err, sizeof err), 0);
	record_row_init(&row, &s);
	assert_int_equal(record_parse(&row, line, strlen(line), 0), 0);
	assert_int_equal(row.misfits, 0);
	assert_int_equal(encode_open(ENCODE_JSON, &(struct encode_options){
	    ENCODE_TYPED, 0, NULL, NULL }, &h, err, sizeof err), 0);
	assert_int_equal(encode_record(&h, &row, &out, err, sizeof err), 0);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.p, want, out.len);
	encode_close(&h);
	assert_int_equal(record_parse(&row, line, strlen(line), 1), 0);
	assert_int_equal(encode_open(ENCODE_JSON, &(struct encode_options){
	    ENCODE_STRINGS, 0, NULL, NULL }, &h, err, sizeof err), 0);
	assert_int_equal(encode_record(&h, &row, &out, err, sizeof err), 0);
	want = "{\"first_seen\":\"2026-11-27 12:28:50.106\","
	    "\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"2001:db8::1\","
	    "\"packets\":\"12\",\"duration\":\"1.500\",\"proto\":\"TCP\"}";
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.p, want, out.len);
	encode_close(&h);

	/* --identity: the window, its revision and the row index follow. */
	assert_int_equal(encode_open(ENCODE_JSON, &(struct encode_options){
	    ENCODE_TYPED, 1, NULL, NULL }, &h, err, sizeof err), 0);
	row.window_start = 1795782000;
	row.revision = 2;
	row.index = 7;
	line = "2026-11-27 12:28:50,1.2.3.4,::1,1.5,x,UDP";
	assert_int_equal(record_parse(&row, line, strlen(line), 0), 0);
	/* Not of its type: null, counted, the field keeps its type. */
	assert_int_equal(row.misfits, 2);
	assert_int_equal(row.misfit, 3);
	assert_int_equal(encode_record(&h, &row, &out, err, sizeof err), 0);
	want = "{\"first_seen\":1795782530.000,\"src_addr\":\"1.2.3.4\","
	    "\"dst_addr\":\"::1\",\"packets\":null,\"duration\":null,"
	    "\"proto\":\"UDP\",\"window_start\":1795782000.000,"
	    "\"window_revision\":2,\"window_row\":7}";
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.p, want, out.len);
	encode_close(&h);
	encode_buf_free(&out);
	record_row_free(&row);
	schema_free(&s);
}

/*
 * Keys are escaped once per schema (schema.c), not per record: a column
 * name nfdump's csv header gives may hold any byte.
 */
static void test_record_odd_keys(void **state)
{
	const char *header = "ts,a\"b\\c,n\x01";
	const char *line = "2026-11-27 12:28:50.106,x,y";
	const char *want = "{\"first_seen\":1795782530.106,"
	    "\"a\\\"b\\\\c\":\"x\",\"n\\u0001\":\"y\"}";
	struct schema s;
	struct row row;
	struct encode_handle h;
	struct encode_buf out = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(schema_from_csv_header(header, strlen(header), &s,
	    err, sizeof err), 0);
	record_row_init(&row, &s);
	assert_int_equal(record_parse(&row, line, strlen(line), 0), 0);
	assert_int_equal(encode_open(ENCODE_JSON, &(struct encode_options){
	    ENCODE_TYPED, 0, NULL, NULL }, &h, err, sizeof err), 0);
	assert_int_equal(encode_record(&h, &row, &out, err, sizeof err), 0);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.p, want, out.len);
	encode_close(&h);
	encode_buf_free(&out);
	record_row_free(&row);
	schema_free(&s);
}

/* The summary, written once through the writer calls, in JSON. */
static void test_summary(void **state)
{
	static const char *const channels[] = { "a", "b" };
	struct profile p = { 0 };
	struct summary_part parts[2] = { { 0 }, { 5, 9, 2, 20 } };
	struct summary sum = { .stamp = "202611271200", .revision = 1,
		.start = 1795780800, .interval_s = 300, .profile = &p,
		.mask = 1, .topic = "t", .records = 20, .parts = parts,
		.nparts = 2, .nfdump_secs = 0.5, .export_secs = 1 };
	struct encode_handle h;
	struct encode_buf out = { 0 };
	char err[256];
	const char *want = "{\"window\":\"202611271200\","
	    "\"window_start\":1795780800.000,\"window_end\":1795781100.000,"
	    "\"revision\":1,\"topic\":\"t\",\"channels\":[\"a\"],"
	    "\"missing_channels\":[\"b\"],\"records\":20,"
	    "\"nfdump_flows\":null,\"nfdump_bytes\":null,"
	    "\"nfdump_packets\":null,\"partitions\":[{\"partition\":1,"
	    "\"first_offset\":5,\"last_offset\":9,\"messages\":2,"
	    "\"records\":20}],\"nfdump_seconds\":0.5,"
	    "\"export_seconds\":1.0}";

	(void)state;
	p.channels = (char **)channels;
	p.nchannels = 2;
	assert_int_equal(encode_open(ENCODE_JSON, &(struct encode_options){
	    0 }, &h, err, sizeof err), 0);
	summary_encode(&sum, &h, &out);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.p, want, out.len);
	encode_close(&h);
	encode_buf_free(&out);
}

static void test_totals(void **state)
{
	struct summary_totals t = { 0 };
	const char *l = "Summary: total flows: 2, total bytes: 570263, total "
	    "packets: 877, avg bps: 2791985, avg pps: 536, avg bpp: 650";
	const char *scaled = "Summary: total flows: 2, total bytes: 62.3 M, "
	    "total packets: 877";

	(void)state;
	assert_int_equal(summary_parse_totals(l, strlen(l), 0, &t), 0);
	assert_true(t.known);
	assert_int_equal(t.flows, 2);
	assert_int_equal(t.bytes, 570263);
	assert_int_equal(t.packets, 877);
	t.known = 0;
	assert_int_equal(summary_parse_totals(scaled, strlen(scaled), 0, &t),
	    -EINVAL);
	assert_false(t.known);
	assert_int_equal(summary_parse_totals("2,570263,877,2791985", 20, 1,
	    &t), 0);
	assert_int_equal(t.bytes, 570263);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_record_odd_keys),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_totals),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
