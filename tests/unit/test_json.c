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

static void expect(struct json *j, const char *want)
{
	assert_int_equal(j->len, strlen(want));
	assert_memory_equal(j->buf, want, j->len);
	j->len = 0;
}

static void test_text_escapes(void **state)
{
	struct json j;

	(void)state;
	json_init(&j);
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
	json_free(&j);
}

static void test_numbers(void **state)
{
	struct json j;

	(void)state;
	json_init(&j);
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
	json_free(&j);
}

static void test_times(void **state)
{
	struct json j;

	(void)state;
	json_init(&j);
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
	json_free(&j);
}

static void test_record(void **state)
{
	const char *fmt = "%ts,%sa,%da,%pkt,%td,%pr";
	const char *line = "2026-11-27 12:28:50.106,  10.0.0.1, 2001:db8::1, "
	    "  12, 1.500, TCP";
	struct schema s;
	struct slice v[8];
	struct encoder *enc;
	const unsigned char *out;
	size_t len, untyped = 0;
	char err[256];
	const char *want = "{\"first_seen\":1795782530.106,"
	    "\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"2001:db8::1\","
	    "\"packets\":12,\"duration\":1.500,\"proto\":\"TCP\"}";

	(void)state;
	assert_int_equal(schema_from_fmt(fmt, &s, err, sizeof err), 0);
	assert_int_equal(record_split(&s, line, strlen(line), v), 0);
	enc = encoder_new_format(ENCODE_JSON, ENCODE_TYPED);
	encoder_record(enc, &s, v, &out, &len, &untyped);
	assert_int_equal(untyped, 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	encoder_free(enc);
	enc = encoder_new_format(ENCODE_JSON, ENCODE_STRINGS);
	encoder_record(enc, &s, v, &out, &len, &untyped);
	want = "{\"first_seen\":\"2026-11-27 12:28:50.106\","
	    "\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"2001:db8::1\","
	    "\"packets\":\"12\",\"duration\":\"1.500\",\"proto\":\"TCP\"}";
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	encoder_free(enc);
	schema_free(&s);
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
		cmocka_unit_test(test_totals),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
