/* SPDX-License-Identifier: BSD-2-Clause */
/* record_split and record_value on lines as nfdump 1.7.1 prints them. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "record.h"
#include "schema.h"
#include "nfdump_lines.h"

#define FMT_BLANKS "%ts %td %pr %sap -> %dap %pkt %byt %fl"

/* 2026-11-27 12:00:41 UTC, from date -u -d '2026-11-27 12:00:41' +%s. */
#define T_20261127_120041 INT64_C(1795780841)

#define MAXFIELDS 64

static void fmt_schema(const char *fmt, struct schema *s)
{
	char err[256];

	assert_int_equal(schema_from_fmt(fmt, s, err, sizeof err), 0);
}

static void expect_split(const struct schema *s, const char *line,
    const char **want, size_t n)
{
	struct slice v[MAXFIELDS];

	assert_int_equal(s->nfields, n);
	assert_int_equal(record_split(s, line, strlen(line), v), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].n, strlen(want[i]));
		assert_memory_equal(v[i].p, want[i], v[i].n);
		/* Values point into the line, not into a copy. */
		assert_true(v[i].p >= line && v[i].p + v[i].n <= line +
		    strlen(line));
	}
}

static void expect_not_record(const struct schema *s, const char *line)
{
	struct slice v[MAXFIELDS];

	assert_int_equal(record_split(s, line, strlen(line), v), -EINVAL);
}

static struct slice slice_of(const char *s)
{
	return (struct slice){ s, strlen(s) };
}

static void expect_uint(const char *text, uint64_t want)
{
	struct value v;

	assert_int_equal(record_value(FIELD_UINT, slice_of(text), &v), 0);
	assert_int_equal(v.type, FIELD_UINT);
	assert_true(v.u == want);
}

static void expect_float(const char *text, double want)
{
	struct value v;

	assert_int_equal(record_value(FIELD_FLOAT, slice_of(text), &v), 0);
	assert_int_equal(v.type, FIELD_FLOAT);
	assert_true(v.d == want);
}

static void expect_time(enum field_type type, const char *text, int64_t sec,
    uint32_t nsec)
{
	struct value v;

	assert_int_equal(record_value(type, slice_of(text), &v), 0);
	assert_int_equal(v.type, FIELD_TIME);
	assert_true(v.t.sec == sec);
	assert_int_equal(v.t.nsec, nsec);
}

static void expect_invalid(enum field_type type, const char *text)
{
	struct value v;

	assert_int_equal(record_value(type, slice_of(text), &v), -EINVAL);
}

static void expect_addr(const char *text, int family,
    const unsigned char *bytes)
{
	struct value v;

	assert_int_equal(record_value(FIELD_ADDR, slice_of(text), &v), 0);
	assert_int_equal(v.type, FIELD_ADDR);
	assert_int_equal(v.a.family, family);
	assert_memory_equal(v.a.bytes, bytes, family == 4 ? 4 : 16);
}

static void test_split_default(void **state)
{
	const char *a[] = { "2026-11-27 12:00:41.000", "..", "4.900", "1307",
		"1544282", "266", "2521276", "31" };
	const char *b[] = { "2026-11-27 12:08:09.001", "..", "2.994", "98957",
		"77579544", "33051", "207293370", "200" };
	const char *c[] = { "2026-11-27 12:08:09.001", "US", "0.000", "1",
		"40", "0", "0", "1" };
	struct schema s;

	(void)state;
	fmt_schema(FMT_DEFAULT, &s);
	expect_split(&s, "2026-11-27 12:00:41.000,..,           4.900,    "
	    "1307, 1544282,     266, 2521276,   31", a, 8);
	expect_split(&s, "2026-11-27 12:08:09.001,..,           2.994,   "
	    "98957,77579544,   33051,207293370,  200", b, 8);
	/* Leading blanks and a stray carriage return are not values. */
	expect_split(&s, "  2026-11-27 12:08:09.001,US,0.000,1,40,0,0,1\r",
	    c, 8);
	schema_free(&s);
}

static void test_split_csv(void **state)
{
	struct schema s;
	struct slice v[MAXFIELDS];
	char err[256];
	static const struct {
		size_t i;
		const char *text;
	} want[] = {
		{ 0, "2026-11-27 12:00:41" },
		{ 1, "2026-11-27 12:00:45" },
		{ 2, "4.900" },
		{ 3, "10.0.160.19" },
		{ 4, "192.0.2.2" },
		{ 5, "45435" },
		{ 6, "443" },
		{ 7, "TCP" },
		{ 8, "...AP..." },
		{ 11, "25" },
		{ 12, "64055" },
		{ 23, "0.0.0.0" },
		{ 27, "00:00:00:00:00:00" },
		{ 40, "0-0-0" },
		{ 41, "0.000" },
		{ 43, "0.000" },
		{ 44, "127.0.0.1" },
		{ 45, "0/0" },
		{ 46, "1" },
		{ 47, "2026-11-27 12:00:46.548" },
	};

	(void)state;
	assert_int_equal(schema_from_csv_header(CSV_HEADER,
	    strlen(CSV_HEADER), &s, err, sizeof err), 0);
	assert_int_equal(s.nfields, 48);
	assert_int_equal(record_split(&s, CSV_LINE, strlen(CSV_LINE), v), 0);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(v[want[i].i].n, strlen(want[i].text));
		assert_memory_equal(v[want[i].i].p, want[i].text,
		    v[want[i].i].n);
	}
	/* One column short. */
	expect_not_record(&s, "2026-11-27 12:00:41,2026-11-27 12:00:45,4.900");
	/* The summary that follows csv output. */
	expect_not_record(&s, "Summary");
	expect_not_record(&s, "flows,bytes,packets,avg_bps,avg_pps,avg_bpp");
	expect_not_record(&s, "3,887148,1394,3945071,774,636");
	expect_not_record(&s, CSV_HEADER);
	schema_free(&s);
}

static void test_split_blanks(void **state)
{
	const char *a[] = { "2026-11-27 12:08:11.141", "0.763", "6",
		"192.0.2.66:33492", "1.1.1.1:993", "668", "545756", "1" };
	const char *b[] = { "2026-11-27 12:08:10.755", "1.159", "17",
		"2001:db8:100::b82.14533", "2606:4700:4700::1111.53", "740",
		"1085580", "1" };
	const char *c[] = { "2026-11-27 12:08:11.141", "0.763", "6",
		"192.0.2.66:33492", "1.1.1.1:993", "668", "545756", "1" };
	struct schema s;

	(void)state;
	fmt_schema(FMT_BLANKS, &s);
	expect_split(&s, "2026-11-27 12:08:11.141            0.763 6          "
	    "                        192.0.2.66:33492 ->                      "
	    "           1.1.1.1:993        668   545756     1", a, 8);
	expect_split(&s, "2026-11-27 12:08:10.755            1.159 17        "
	    "                  2001:db8:100::b82.14533 ->                    "
	    "2606:4700:4700::1111.53         740  1085580     1", b, 8);
	/* Tabs separate words too, and "->" needs no blanks around it. */
	expect_split(&s, "2026-11-27 12:08:11.141\t0.763\t6 192.0.2.66:33492->"
	    "1.1.1.1:993 668 545756 1", c, 8);
	schema_free(&s);
}

/* nfdump 1.7.1 prints an ACL as three numbers. */
static void test_split_multiword(void **state)
{
	const char *a[] = { "0x0        0x0        0x0",
		"0          0          0", "1" };
	struct schema s;

	(void)state;
	fmt_schema("%iacl %eacl %fl", &s);
	expect_split(&s, "0x0        0x0        0x0                 0          "
	    "0          0    1", a, 3);
	expect_not_record(&s, "0x0 0x0 0x0 0 0 0");
	schema_free(&s);
}

static void test_split_lead_and_seps(void **state)
{
	const char *a[] = { "1" };
	const char *b[] = { "2026-11-27 12:00:41.585", "1.5 M" };
	struct schema s;

	(void)state;
	fmt_schema("x %fl y", &s);
	expect_split(&s, "x     1 y", a, 1);
	expect_split(&s, "  x1y  ", a, 1);
	expect_not_record(&s, "z     1 y");
	expect_not_record(&s, "x     1");
	expect_not_record(&s, "");
	schema_free(&s);

	/* A separator lets a value hold blanks. */
	fmt_schema("[%ts] %byt;", &s);
	expect_split(&s, "[2026-11-27 12:00:41.585]   1.5 M;", b, 2);
	expect_not_record(&s, "2026-11-27 12:00:41.585]   1.5 M;");
	expect_not_record(&s, "[2026-11-27 12:00:41.585   1.5 M;");
	expect_not_record(&s, "[2026-11-27 12:00:41.585]   1.5 M");
	schema_free(&s);
}

static void test_split_not_records(void **state)
{
	struct schema s;

	(void)state;
	fmt_schema(FMT_DEFAULT, &s);
	expect_not_record(&s, "Date first seen         DC     Duration      "
	    "Packets    Bytes      pps      bps Flows");
	expect_not_record(&s, "No matching flows");
	expect_not_record(&s, "Summary: total flows: 200, total bytes: "
	    "77579544, total packets: 98957, avg bps: 207293370, avg pps: "
	    "33051, avg bpp: 783");
	expect_not_record(&s, "Time window: 2026-11-27 12:08:09 - 2026-11-27 "
	    "12:08:11");
	expect_not_record(&s, "Total flows processed: 200, passed: 200, "
	    "Blocks skipped: 0, Bytes read: 24704");
	expect_not_record(&s, "Sys: 0.0026s User: 0.0000s Wall: 0.0007s "
	    "flows/second: 298527.0 Runtime: 0.0007s");
	/* Too few fields. */
	expect_not_record(&s, "2026-11-27 12:00:41.000,..,4.900,1307,1544282,"
	    "266,2521276");
	expect_not_record(&s, "2026-11-27 12:00:41.000,..,4.900");
	expect_not_record(&s, "");
	expect_not_record(&s, "   ");
	/* Every separator there but the last value missing. */
	expect_not_record(&s, "2026-11-27 12:00:41.000,..,4.900,1307,1544282,"
	    "266,2521276,");
	/* A last value of one word cannot have two. */
	expect_not_record(&s, "2026-11-27 12:00:41.000,..,4.900,1307,1544282,"
	    "266,2521276,31 32");
	schema_free(&s);

	fmt_schema(FMT_BLANKS, &s);
	expect_not_record(&s, "Date first seen             Duration     Proto  "
	    "                           Src IP Addr:Port                      "
	    "           Dst IP Addr:Port   Packets    Bytes Flows");
	expect_not_record(&s, "No matching flows");
	expect_not_record(&s, "");
	/* Too few and too many words. */
	expect_not_record(&s, "2026-11-27 12:08:11.141 0.763 6 "
	    "192.0.2.66:33492 -> 1.1.1.1:993 668 545756");
	expect_not_record(&s, "2026-11-27 12:08:11.141 0.763 6 "
	    "192.0.2.66:33492 -> 1.1.1.1:993 668 545756 1 1");
	expect_not_record(&s, "2026-11-27 12:08:11.141 0.763 6 "
	    "192.0.2.66:33492 1.1.1.1:993 668 545756 1");
	expect_not_record(&s, "2026-11-27");
	schema_free(&s);

	/* A header of blank-separated words, no literal to stop at. */
	fmt_schema("%ts %td %pkt %byt %fl", &s);
	expect_not_record(&s, "Date first seen Duration Packets Bytes Flows");
	schema_free(&s);
}

/*
 * A comma-separated last column cannot tell an extra column from its value:
 * the line splits, and the value fails to parse as its type instead.
 */
static void test_split_extra_column(void **state)
{
	const char *a[] = { "2026-11-27 12:00:41.000", "..", "4.900", "1307",
		"1544282", "266", "2521276", "31,5" };
	struct schema s;
	struct value v;

	(void)state;
	fmt_schema(FMT_DEFAULT, &s);
	expect_split(&s, "2026-11-27 12:00:41.000,..,4.900,1307,1544282,266,"
	    "2521276,31,5", a, 8);
	assert_int_equal(record_value(FIELD_UINT, slice_of("31,5"), &v),
	    -EINVAL);
	schema_free(&s);
}

static void test_split_free_text(void **state)
{
	const char *a[] = { "example.com", "a b  c", "7" };
	const char *b[] = { "7", "free text, with a comma" };
	struct schema s;

	(void)state;
	fmt_schema("%sni|%uname|%fl", &s);
	expect_split(&s, "example.com|  a b  c  |7", a, 3);
	expect_not_record(&s, "example.com|a b c 7");
	schema_free(&s);
	/* Free text last runs to the end of the line. */
	fmt_schema("%fl %sni", &s);
	expect_split(&s, "7 free text, with a comma  ", b, 2);
	schema_free(&s);
}

static void test_value_uint(void **state)
{
	(void)state;
	expect_uint("0", 0);
	expect_uint("31", 31);
	expect_uint("00000000000000000042", 42);
	expect_uint("4294967296", UINT64_C(4294967296));
	expect_uint("18446744073709551615", UINT64_MAX);
	/*
	 * Overflow and fractions do not fit: the field's type is never
	 * traded for the value's (rates are FIELD_FLOAT in the table).
	 */
	expect_invalid(FIELD_UINT, "18446744073709551616");
	expect_invalid(FIELD_UINT, "266.5");
	/* nfdump prints %odid and %opid in hex. */
	expect_uint("0x000000000", 0);
	expect_uint("0x1F", 31);
	expect_uint("0xffffffffffffffff", UINT64_MAX);
	expect_invalid(FIELD_UINT, "0x");
	expect_invalid(FIELD_UINT, "0x1g");
	expect_invalid(FIELD_UINT, "0x1ffffffffffffffff");
	expect_invalid(FIELD_UINT, "");
	expect_invalid(FIELD_UINT, "abc");
	expect_invalid(FIELD_UINT, "12a");
	expect_invalid(FIELD_UINT, "1.2 M");
	expect_invalid(FIELD_UINT, "1 2");
	expect_invalid(FIELD_UINT, "..");
}

static void test_value_float(void **state)
{
	(void)state;
	expect_float("4.900", 4.9);
	expect_float("0.000", 0.0);
	expect_float("2.994", 2.994);
	expect_float("1307", 1307.0);
	expect_float("1e3", 1000.0);
	expect_invalid(FIELD_FLOAT, "");
	expect_invalid(FIELD_FLOAT, "4.9x");
	expect_invalid(FIELD_FLOAT, "00:00:00.763");
	expect_invalid(FIELD_FLOAT, "1.5 M");
	/* Longer than any number nfdump prints. */
	expect_invalid(FIELD_FLOAT, "1.00000000000000000000000000000000000000"
	    "000000000000000000000000000");
}

static void test_value_text(void **state)
{
	struct value v;

	(void)state;
	assert_int_equal(record_value(FIELD_TEXT, slice_of(".."), &v), 0);
	assert_int_equal(v.type, FIELD_TEXT);
	assert_int_equal(record_value(FIELD_TEXT, slice_of(""), &v), 0);
	assert_int_equal(v.type, FIELD_TEXT);
}

static void test_value_time(void **state)
{
	(void)state;
	expect_time(FIELD_TIME, "2026-11-27 12:00:41", T_20261127_120041, 0);
	expect_time(FIELD_TIME, "2026-11-27 12:00:41.000", T_20261127_120041,
	    0);
	expect_time(FIELD_TIME, "2026-11-27 12:00:41.585", T_20261127_120041,
	    585000000);
	expect_time(FIELD_TIME, "2026-11-27 12:00:41.5", T_20261127_120041,
	    500000000);
	expect_time(FIELD_TIME, "2026-11-27 12:00:41.000001",
	    T_20261127_120041, 1000);
	expect_time(FIELD_TIME, "2026-11-27 12:00:41.999999999",
	    T_20261127_120041, 999999999);
	expect_time(FIELD_TIME, "2026-11-27 12:00:46.548", INT64_C(1795780846),
	    548000000);
	expect_time(FIELD_TIME, "1970-01-01 00:00:00", 0, 0);
	expect_time(FIELD_TIME, "1999-12-31 23:59:59", INT64_C(946684799), 0);
	expect_time(FIELD_TIME, "2000-03-01 00:00:00", INT64_C(951868800), 0);
	expect_time(FIELD_TIME, "2100-03-01 00:00:00", INT64_C(4107542400), 0);
	/* Before the epoch. */
	expect_time(FIELD_TIME, "1969-12-31 23:59:59", -1, 0);
}

static void test_value_leap_day(void **state)
{
	(void)state;
	expect_time(FIELD_TIME, "2024-02-29 00:00:00", INT64_C(1709164800), 0);
	expect_time(FIELD_TIME, "2028-02-29 23:59:59", INT64_C(1835481599), 0);
	expect_time(FIELD_TIME, "2000-02-29 12:00:00", INT64_C(951825600), 0);
	expect_invalid(FIELD_TIME, "2026-02-29 00:00:00");
	expect_invalid(FIELD_TIME, "2100-02-29 00:00:00");
}

static void test_value_time_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"2026-11-27",
		"2026-11-27 12:00",
		"2026-11-27 12:00:4",
		"2026-13-01 00:00:00",
		"2026-00-10 00:00:00",
		"2026-11-00 00:00:00",
		"2026-11-32 00:00:00",
		"2026-11-31 00:00:00",
		"2026-04-31 00:00:00",
		"2026-02-30 00:00:00",
		"2026-11-27 24:00:00",
		"2026-11-27 12:60:00",
		"2026-11-27 12:00:61",
		"2026/11/27 12:00:41",
		"2026-11-27T12:00:41",
		"2026-11-27 12.00.41",
		"2026-1a-27 12:00:41",
		"-026-11-27 12:00:41",
		"2026-11-27 12:00:41.",
		"2026-11-27 12:00:41.58x",
		"2026-11-27 12:00:41,585",
		"2026-11-27 12:00:41.1234567890",
		"2026-11-27 12:00:41 UTC",
		"1795780841.585",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_invalid(FIELD_TIME, bad[i]);
}

static void test_value_epoch(void **state)
{
	(void)state;
	expect_time(FIELD_EPOCH, "1795781291.141", INT64_C(1795781291),
	    141000000);
	expect_time(FIELD_EPOCH, "1795781291", INT64_C(1795781291), 0);
	expect_time(FIELD_EPOCH, "1795781291.000", INT64_C(1795781291), 0);
	expect_time(FIELD_EPOCH, "0.5", 0, 500000000);
	expect_time(FIELD_EPOCH, "0", 0, 0);
	expect_time(FIELD_EPOCH, "9223372036854775807", INT64_MAX, 0);
	expect_invalid(FIELD_EPOCH, "");
	expect_invalid(FIELD_EPOCH, ".5");
	expect_invalid(FIELD_EPOCH, "1.");
	expect_invalid(FIELD_EPOCH, "-1");
	expect_invalid(FIELD_EPOCH, "1.5x");
	expect_invalid(FIELD_EPOCH, "1.2.3");
	expect_invalid(FIELD_EPOCH, "1.1234567890");
	expect_invalid(FIELD_EPOCH, "9223372036854775808");
	expect_invalid(FIELD_EPOCH, "2026-11-27 12:00:41");
}

static void test_value_ipv4(void **state)
{
	const unsigned char a[] = { 10, 0, 160, 19 };
	const unsigned char b[] = { 0, 0, 0, 0 };
	const unsigned char c[] = { 255, 255, 255, 255 };

	(void)state;
	expect_addr("10.0.160.19", 4, a);
	expect_addr("0.0.0.0", 4, b);
	expect_addr("255.255.255.255", 4, c);
}

static void test_value_ipv6(void **state)
{
	const unsigned char a[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0x01 };
	const unsigned char b[] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0,
		0, 0, 0, 0, 0, 0, 0x07, 0x81 };
	const unsigned char c[16] = { 0 };
	const unsigned char d[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
		192, 0, 2, 1 };
	const unsigned char e[] = { 0x26, 0x06, 0x47, 0x00, 0x47, 0x00, 0, 0,
		0, 0, 0, 0, 0, 0, 0x11, 0x11 };
	const unsigned char f[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
		192, 168, 100, 200 };

	(void)state;
	expect_addr("2001:db8::1", 6, a);
	expect_addr("2001:0db8:0000:0000:0000:0000:0000:0001", 6, a);
	expect_addr("2001:db8:100::781", 6, b);
	expect_addr("2606:4700:4700::1111", 6, e);
	expect_addr("::", 6, c);
	expect_addr("::ffff:192.0.2.1", 6, d);
	/* The longest an address is printed. */
	expect_addr("0000:0000:0000:0000:0000:ffff:192.168.100.200", 6, f);
}

static void test_value_addr_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"10.0.0.256",
		"1.2.3",
		"10.0.160.19:443",
		"192.0.2.66:33492",
		/* nfdump without -6 shortens IPv6 addresses. */
		"2001:db..00::781",
		"2001:db8::1::2",
		"2001:db8::g",
		"fe80::1%eth0",
		"..",
		"0.0.0.0/0",
		"0000:0000:0000:0000:0000:0000:0000:0000:0000",
		"0000:0000:0000:0000:0000:ffff:192.168.100.200x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_invalid(FIELD_ADDR, bad[i]);
}

/*
 * record_value reads IPv4 without inet_pton: on text made of what
 * addresses are made of, it must take exactly what inet_pton takes, to the
 * same bytes (leading zeros, 256, five parts, empty parts, IPv6...).
 */
/* A pseudo-random number below n (an LCG: the same cases every run). */
static unsigned addr_rand(uint32_t *seed, unsigned n)
{
	*seed = *seed * 1103515245 + 12345;
	return (*seed >> 16) % n;
}

/* Dotted text near an IPv4 address: parts of 0 to 4 digits, some noise. */
static void addr_text(uint32_t *seed, char *text)
{
	static const char noise[] = "x:. 0-";
	unsigned parts = addr_rand(seed, 8) < 6 ? 4 : 1 + addr_rand(seed, 5);
	size_t n = 0;

	for (unsigned i = 0; i < parts; i++) {
		unsigned digits = addr_rand(seed, 16) == 0 ? 0 :
		    1 + addr_rand(seed, addr_rand(seed, 4) == 0 ? 4 : 3);

		if (i > 0)
			text[n++] = '.';
		for (unsigned k = 0; k < digits; k++)
			text[n++] = (char)('0' + addr_rand(seed, k == 0 &&
			    digits == 3 ? 3 : 10));
	}
	if (addr_rand(seed, 8) == 0)
		text[addr_rand(seed, (unsigned)n + 1)] =
		    noise[addr_rand(seed, sizeof noise - 1)];
	text[n] = '\0';
}

/*
 * record_value reads IPv4 without inet_pton: on text near an address it
 * must take exactly what inet_pton takes, to the same bytes (leading
 * zeros, 256, five parts, empty parts, IPv6's "::").
 */
static void test_value_addr_as_inet_pton(void **state)
{
	uint32_t seed = 1;
	int valid = 0, invalid = 0;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		char text[32];
		unsigned char want[16];
		struct value v;
		int family = 0;

		addr_text(&seed, text);
		if (inet_pton(AF_INET, text, want) == 1)
			family = 4;
		else if (inet_pton(AF_INET6, text, want) == 1)
			family = 6;
		if (family == 0) {
			expect_invalid(FIELD_ADDR, text);
			invalid++;
			continue;
		}
		valid++;
		assert_int_equal(record_value(FIELD_ADDR, slice_of(text), &v),
		    0);
		assert_int_equal(v.a.family, family);
		assert_memory_equal(v.a.bytes, want, family == 4 ? 4 : 16);
	}
	/* Both kinds were tried, many times. */
	assert_true(valid > 10000 && invalid > 10000);
}

/* Values are slices of a longer line: nothing may read past n. */
static void test_value_slice_bounds(void **state)
{
	const char *line = "1307,2026-11-27 12:00:41.585,10.0.160.19,4.9x";
	struct value v;

	(void)state;
	assert_int_equal(record_value(FIELD_UINT, (struct slice){ line, 4 },
	    &v), 0);
	assert_true(v.u == 1307);
	assert_int_equal(record_value(FIELD_TIME,
	    (struct slice){ line + 5, 19 }, &v), 0);
	assert_true(v.t.sec == T_20261127_120041);
	assert_int_equal(v.t.nsec, 0);
	assert_int_equal(record_value(FIELD_ADDR,
	    (struct slice){ line + 29, 11 }, &v), 0);
	assert_int_equal(v.a.family, 4);
	assert_int_equal(record_value(FIELD_FLOAT,
	    (struct slice){ line + 41, 3 }, &v), 0);
	assert_true(v.d == 4.9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_default),
		cmocka_unit_test(test_split_csv),
		cmocka_unit_test(test_split_blanks),
		cmocka_unit_test(test_split_multiword),
		cmocka_unit_test(test_split_lead_and_seps),
		cmocka_unit_test(test_split_not_records),
		cmocka_unit_test(test_split_extra_column),
		cmocka_unit_test(test_split_free_text),
		cmocka_unit_test(test_value_uint),
		cmocka_unit_test(test_value_float),
		cmocka_unit_test(test_value_text),
		cmocka_unit_test(test_value_time),
		cmocka_unit_test(test_value_leap_day),
		cmocka_unit_test(test_value_time_invalid),
		cmocka_unit_test(test_value_epoch),
		cmocka_unit_test(test_value_ipv4),
		cmocka_unit_test(test_value_ipv6),
		cmocka_unit_test(test_value_addr_invalid),
		cmocka_unit_test(test_value_addr_as_inet_pton),
		cmocka_unit_test(test_value_slice_bounds),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
