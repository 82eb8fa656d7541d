/* SPDX-License-Identifier: BSD-2-Clause */
/* The CBOR encoding of typed rows, checked by decoding its output with libcbor's cbor_load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "utf8.h"
#include "record.h"
#include "schema.h"
#include "nfdump_lines.h"

#define MAXFIELDS 64

/* The CBOR encoder, given the values of a row as printed. */
struct tenc {
	struct encode_handle h;
	struct encode_buf out;
};

static struct tenc *tenc_new(enum encode_values mode)
{
	struct tenc *t = calloc(1, sizeof *t);
	char err[256];

	assert_non_null(t);
	assert_int_equal(encode_open(ENCODE_CBOR, &(struct encode_options){
	    .values = mode }, &t->h, err, sizeof err), 0);
	encode_buf_init(&t->out);
	return t;
}

static void tenc_free(struct tenc *t)
{
	if (t == NULL)
		return;
	encode_close(&t->h);
	encode_buf_free(&t->out);
	free(t);
}

static void tenc_record(struct tenc *t, const struct schema *schema,
    const struct slice *values, const unsigned char **out, size_t *outlen,
    size_t *untyped)
{
	struct row row;
	char err[256];

	record_row_init(&row, schema);
	for (size_t i = 0; i < schema->nfields; i++)
		row.text[i] = values[i];
	record_type(&row, t->h.o.values == ENCODE_STRINGS);
	*untyped += row.misfits;
	assert_int_equal(encode_record(&t->h, &row, &t->out, err, sizeof err),
	    0);
	record_row_free(&row);
	*out = t->out.p;
	*outlen = t->out.len;
}

/* One line through the schema and the encoder, decoded again. */
struct encoded {
	struct schema schema;
	struct slice values[MAXFIELDS];
	const unsigned char *out;
	size_t outlen;
	cbor_item_t *map;
};

static cbor_item_t *decode(const unsigned char *out, size_t outlen)
{
	struct cbor_load_result res;
	cbor_item_t *item = cbor_load(out, outlen, &res);

	assert_non_null(item);
	assert_int_equal(res.error.code, CBOR_ERR_NONE);
	/* One item and nothing after it. */
	assert_int_equal(res.read, outlen);
	return item;
}

static void encode_line(struct tenc *enc, struct encoded *e,
    const char *fmt, const char *line, size_t *untyped)
{
	char err[256];

	assert_int_equal(schema_from_fmt(fmt, &e->schema, err, sizeof err),
	    0);
	assert_true(e->schema.nfields <= MAXFIELDS);
	assert_int_equal(record_split(&e->schema, line, strlen(line),
	    e->values), 0);
	tenc_record(enc, &e->schema, e->values, &e->out, &e->outlen,
	    untyped);
	e->map = decode(e->out, e->outlen);
	assert_true(cbor_isa_map(e->map));
	assert_true(cbor_map_is_definite(e->map));
	assert_int_equal(cbor_map_size(e->map), e->schema.nfields);
}

static void encoded_free(struct encoded *e)
{
	cbor_decref(&e->map);
	schema_free(&e->schema);
}

static void expect_text(const cbor_item_t *item, const char *want)
{
	assert_true(cbor_isa_string(item));
	assert_true(cbor_string_is_definite(item));
	assert_int_equal(cbor_string_length(item), strlen(want));
	assert_memory_equal(cbor_string_handle(item), want, strlen(want));
}

/* The i-th value of map, after checking that its key is name. */
static cbor_item_t *map_value(const cbor_item_t *map, size_t i,
    const char *name)
{
	struct cbor_pair *pairs = cbor_map_handle(map);

	assert_true(i < cbor_map_size(map));
	expect_text(pairs[i].key, name);
	return pairs[i].value;
}

static void expect_uint(const cbor_item_t *item, uint64_t want)
{
	assert_true(cbor_isa_uint(item));
	assert_true(cbor_get_int(item) == want);
}

static void expect_float64(const cbor_item_t *item, double want)
{
	assert_true(cbor_isa_float_ctrl(item));
	assert_int_equal(cbor_float_get_width(item), CBOR_FLOAT_64);
	assert_true(cbor_float_get_float8(item) == want);
}

/* Tag 1 around a float64 of seconds, whole or not. */
static void expect_epoch_float(const cbor_item_t *item, double sec)
{
	cbor_item_t *tagged;

	assert_true(cbor_isa_tag(item));
	assert_true(cbor_tag_value(item) == 1);
	tagged = cbor_tag_item(item);
	expect_float64(tagged, sec);
	cbor_decref(&tagged);
}

/* RFC 9164: tag 52 + 4 bytes, or tag 54 + 16 bytes. */
static void expect_addr(const cbor_item_t *item, int family,
    const unsigned char *bytes)
{
	size_t n = family == 4 ? 4 : 16;
	cbor_item_t *tagged;

	assert_true(cbor_isa_tag(item));
	assert_true(cbor_tag_value(item) == (family == 4 ? 52 : 54));
	tagged = cbor_tag_item(item);
	assert_true(cbor_isa_bytestring(tagged));
	assert_true(cbor_bytestring_is_definite(tagged));
	assert_int_equal(cbor_bytestring_length(tagged), n);
	assert_memory_equal(cbor_bytestring_handle(tagged), bytes, n);
	cbor_decref(&tagged);
}

static void test_typed_default(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct encoded e;
	size_t untyped = 0;

	(void)state;
	encode_line(enc, &e, FMT_DEFAULT, LINE_DEFAULT, &untyped);
	assert_int_equal(untyped, 0);
	assert_int_equal(cbor_map_size(e.map), 8);
	expect_epoch_float(map_value(e.map, 0, "first_seen"), 1795780841);
	expect_text(map_value(e.map, 1, "dst_ctr"), "..");
	expect_float64(map_value(e.map, 2, "duration"), 4.9);
	expect_uint(map_value(e.map, 3, "packets"), 1307);
	expect_uint(map_value(e.map, 4, "bytes"), 1544282);
	/* Rates are floats in every record, whole or not. */
	expect_float64(map_value(e.map, 5, "pps"), 266);
	expect_float64(map_value(e.map, 6, "bps"), 2521276);
	expect_uint(map_value(e.map, 7, "flows"), 31);
	encoded_free(&e);
	tenc_free(enc);
}

static void test_typed_csv(void **state)
{
	const unsigned char sa[] = { 10, 0, 160, 19 };
	const unsigned char ra[] = { 127, 0, 0, 1 };
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct schema s;
	struct slice v[MAXFIELDS];
	const unsigned char *out;
	size_t outlen, untyped = 0;
	char err[256];
	cbor_item_t *map;

	(void)state;
	assert_int_equal(schema_from_csv_header(CSV_HEADER,
	    strlen(CSV_HEADER), &s, err, sizeof err), 0);
	assert_int_equal(record_split(&s, CSV_LINE, strlen(CSV_LINE), v), 0);
	tenc_record(enc, &s, v, &out, &outlen, &untyped);
	assert_int_equal(untyped, 0);
	/* 48 pairs need a one-byte length after the map head. */
	assert_int_equal(out[0], 0xb8);
	assert_int_equal(out[1], 48);
	map = decode(out, outlen);
	assert_int_equal(cbor_map_size(map), 48);
	expect_epoch_float(map_value(map, 0, "first_seen"), 1795780841);
	expect_epoch_float(map_value(map, 1, "last_seen"), 1795780845);
	expect_float64(map_value(map, 2, "duration"), 4.9);
	expect_addr(map_value(map, 3, "src_addr"), 4, sa);
	expect_uint(map_value(map, 5, "src_port"), 45435);
	expect_uint(map_value(map, 6, "dst_port"), 443);
	expect_text(map_value(map, 7, "proto"), "TCP");
	expect_text(map_value(map, 8, "tcp_flags"), "...AP...");
	expect_uint(map_value(map, 12, "in_bytes"), 64055);
	expect_text(map_value(map, 27, "in_src_mac"), "00:00:00:00:00:00");
	expect_text(map_value(map, 40, "mpls10"), "0-0-0");
	expect_float64(map_value(map, 41, "client_latency"), 0.0);
	expect_addr(map_value(map, 44, "router_addr"), 4, ra);
	expect_text(map_value(map, 45, "engine"), "0/0");
	expect_uint(map_value(map, 46, "exporter_id"), 1);
	expect_epoch_float(map_value(map, 47, "received"), 1795780846.548);
	cbor_decref(&map);
	schema_free(&s);
	tenc_free(enc);
}

static void test_times(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct encoded e;
	size_t untyped = 0;

	(void)state;
	/* Two tokens naming one field: the second key gets a suffix. */
	encode_line(enc, &e, "%ts|%tsr|%ter|%tr",
	    "2026-11-27 12:00:41.585|1795781291.141|1795781291|"
	    "1969-12-31 23:59:59", &untyped);
	assert_int_equal(untyped, 0);
	expect_epoch_float(map_value(e.map, 0, "first_seen"), 1795780841.585);
	expect_epoch_float(map_value(e.map, 1, "first_seen_2"), 1795781291.141);
	expect_epoch_float(map_value(e.map, 2, "last_seen"), 1795781291);
	/* Before the epoch: a negative number of seconds. */
	expect_epoch_float(map_value(e.map, 3, "received"), -1.0);
	encoded_free(&e);
	tenc_free(enc);
}

static void test_addresses(void **state)
{
	const unsigned char v4[] = { 192, 0, 2, 2 };
	const unsigned char v6[] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0,
		0, 0, 0, 0, 0, 0, 0x07, 0x81 };
	const unsigned char any[16] = { 0 };
	const unsigned char mapped[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff, 192, 0, 2, 1 };
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct encoded e;
	size_t untyped = 0;

	(void)state;
	encode_line(enc, &e, "%sa,%da,%nh,%ra",
	    "192.0.2.2,  2001:db8:100::781,::,::ffff:192.0.2.1", &untyped);
	assert_int_equal(untyped, 0);
	expect_addr(map_value(e.map, 0, "src_addr"), 4, v4);
	expect_addr(map_value(e.map, 1, "dst_addr"), 6, v6);
	expect_addr(map_value(e.map, 2, "next_hop"), 6, any);
	expect_addr(map_value(e.map, 3, "router_addr"), 6, mapped);
	encoded_free(&e);
	tenc_free(enc);
}

static void expect_null(const cbor_item_t *item)
{
	assert_true(cbor_is_null(item));
}

static void test_untyped(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct encoded e;
	size_t untyped = 5;

	(void)state;
	/*
	 * Scaled numbers, a bad date, an empty value: null, so that a field
	 * never changes type; text stays text.
	 */
	encode_line(enc, &e, FMT_DEFAULT,
	    "yesterday,..,00:00:04.900,  1.2 M ,,266.5,2521276,31", &untyped);
	/* Counted on top of what the caller had. */
	assert_int_equal(untyped, 5 + 4);
	expect_null(map_value(e.map, 0, "first_seen"));
	expect_text(map_value(e.map, 1, "dst_ctr"), "..");
	expect_null(map_value(e.map, 2, "duration"));
	expect_null(map_value(e.map, 3, "packets"));
	expect_null(map_value(e.map, 4, "bytes"));
	expect_float64(map_value(e.map, 5, "pps"), 266.5);
	expect_float64(map_value(e.map, 6, "bps"), 2521276);
	expect_uint(map_value(e.map, 7, "flows"), 31);
	encoded_free(&e);

	/* nfdump without -6 shortens IPv6 addresses. */
	untyped = 0;
	encode_line(enc, &e, "%sa,%da", "2001:db..00::781,10.0.0.256",
	    &untyped);
	assert_int_equal(untyped, 2);
	expect_null(map_value(e.map, 0, "src_addr"));
	expect_null(map_value(e.map, 1, "dst_addr"));
	encoded_free(&e);
	tenc_free(enc);
}

/* A counter past 64 bits does not fit: null, never a float instead. */
static void test_overflow_is_null(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct encoded e;
	size_t untyped = 0;

	(void)state;
	encode_line(enc, &e, "%pkt,%byt",
	    "18446744073709551615,18446744073709551616", &untyped);
	assert_int_equal(untyped, 1);
	expect_uint(map_value(e.map, 0, "packets"), UINT64_MAX);
	expect_null(map_value(e.map, 1, "bytes"));
	encoded_free(&e);
	tenc_free(enc);
}

/*
 * ICMP's type and code where nfdump prints a port: "3.10" is type 3 code
 * 10, NetFlow's 3 * 256 + 10, never 3.1 (type 3 code 1 is 769).
 */
static void test_icmp_ports(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct encoded e;
	size_t untyped = 0;

	(void)state;
	encode_line(enc, &e, "%sp,%dp,%xsp,%ndp", "0,3.10,3.1,65535",
	    &untyped);
	assert_int_equal(untyped, 0);
	expect_uint(map_value(e.map, 0, "src_port"), 0);
	expect_uint(map_value(e.map, 1, "dst_port"), 778);
	expect_uint(map_value(e.map, 2, "xlate_src_port"), 769);
	expect_uint(map_value(e.map, 3, "nat_dst_port"), 65535);
	encoded_free(&e);
	encode_line(enc, &e, "%sp,%dp,%xsp", "65536,256.0,3.", &untyped);
	assert_int_equal(untyped, 3);
	encoded_free(&e);
	tenc_free(enc);
}

static void test_strings_mode(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_STRINGS);
	struct encoded e;
	size_t untyped = 0;

	(void)state;
	encode_line(enc, &e, FMT_DEFAULT, LINE_DEFAULT, &untyped);
	assert_int_equal(untyped, 0);
	expect_text(map_value(e.map, 0, "first_seen"),
	    "2026-11-27 12:00:41.000");
	expect_text(map_value(e.map, 1, "dst_ctr"), "..");
	expect_text(map_value(e.map, 2, "duration"), "4.900");
	expect_text(map_value(e.map, 3, "packets"), "1307");
	expect_text(map_value(e.map, 4, "bytes"), "1544282");
	expect_text(map_value(e.map, 5, "pps"), "266");
	expect_text(map_value(e.map, 6, "bps"), "2521276");
	expect_text(map_value(e.map, 7, "flows"), "31");
	encoded_free(&e);

	/* Nothing is untyped when nothing is typed. */
	encode_line(enc, &e, "%sa,%pkt,%tsr", " 2001:db..00::781 ,1.2 M , x ",
	    &untyped);
	assert_int_equal(untyped, 0);
	expect_text(map_value(e.map, 0, "src_addr"), "2001:db..00::781");
	expect_text(map_value(e.map, 1, "packets"), "1.2 M");
	expect_text(map_value(e.map, 2, "first_seen"), "x");
	encoded_free(&e);
	tenc_free(enc);
}

static void expect_bytes(struct tenc *enc, const char *fmt,
    const char *line, const unsigned char *want, size_t n)
{
	struct schema s;
	struct slice v[MAXFIELDS];
	const unsigned char *out;
	size_t outlen, untyped = 0;
	char err[256];

	assert_int_equal(schema_from_fmt(fmt, &s, err, sizeof err), 0);
	assert_int_equal(record_split(&s, line, strlen(line), v), 0);
	tenc_record(enc, &s, v, &out, &outlen, &untyped);
	assert_int_equal(outlen, n);
	assert_memory_equal(out, want, n);
	schema_free(&s);
}

/* The exact bytes, for the shortest encodings CBOR allows. */
static void test_exact_bytes(void **state)
{
	const unsigned char flows[] = { 0xa1, 0x65, 'f', 'l', 'o', 'w', 's',
		0x18, 0x1f };
	const unsigned char duration[] = { 0xa1, 0x68, 'd', 'u', 'r', 'a', 't',
		'i', 'o', 'n', 0xfb, 0x40, 0x13, 0x99, 0x99, 0x99, 0x99, 0x99,
		0x9a };
	const unsigned char addr[] = { 0xa1, 0x68, 's', 'r', 'c', '_', 'a',
		'd', 'd', 'r', 0xd8, 0x34, 0x44, 192, 0, 2, 1 };
	const unsigned char time[] = { 0xa1, 0x6a, 'f', 'i', 'r', 's', 't',
		'_', 's', 'e', 'e', 'n', 0xc1, 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0,
		0 };
	const unsigned char max[] = { 0xa1, 0x67, 'p', 'a', 'c', 'k', 'e', 't',
		's', 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const unsigned char two[] = { 0xa2, 0x65, 'f', 'l', 'o', 'w', 's',
		0x00, 0x67, 'd', 's', 't', '_', 'c', 't', 'r', 0x62, 'U', 'S' };
	struct tenc *enc = tenc_new(ENCODE_TYPED);

	(void)state;
	expect_bytes(enc, "%fl", "31", flows, sizeof flows);
	expect_bytes(enc, "%td", "4.900", duration, sizeof duration);
	expect_bytes(enc, "%sa", "192.0.2.1", addr, sizeof addr);
	expect_bytes(enc, "%ts", "1970-01-01 00:00:01", time, sizeof time);
	expect_bytes(enc, "%pkt", "18446744073709551615", max, sizeof max);
	expect_bytes(enc, "%fl %dc", "0 US", two, sizeof two);
	tenc_free(enc);
}

/* "1,xxx...x": a flow count and a free-text value of size bytes. */
static char *long_line(size_t size)
{
	char *line = malloc(size + 3);

	assert_non_null(line);
	memcpy(line, "1,", 2);
	memset(line + 2, 'x', size);
	line[size + 2] = '\0';
	return line;
}

static void expect_long(struct tenc *enc, const struct schema *s,
    size_t size)
{
	char *line = long_line(size);
	struct slice v[2];
	const unsigned char *out;
	size_t outlen, untyped = 0, head;
	cbor_item_t *map, *text;

	assert_int_equal(record_split(s, line, strlen(line), v), 0);
	assert_int_equal(v[1].n, size);
	tenc_record(enc, s, v, &out, &outlen, &untyped);
	/* Map, "flows", 1, "sni", then the text head and its bytes. */
	head = size < 24 ? 1 : size < 256 ? 2 : size < 65536 ? 3 : 5;
	assert_int_equal(outlen, 1 + 6 + 1 + 4 + head + size);
	map = decode(out, outlen);
	expect_uint(map_value(map, 0, "flows"), 1);
	text = map_value(map, 1, "sni");
	assert_int_equal(cbor_string_length(text), size);
	assert_memory_equal(cbor_string_handle(text), line + 2, size);
	cbor_decref(&map);
	free(line);
}

static void test_buffer_reuse(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct schema s;
	struct slice v[MAXFIELDS];
	const unsigned char *out;
	unsigned char first[64];
	size_t outlen, firstlen, untyped = 0;
	char err[256];

	(void)state;
	assert_int_equal(schema_from_fmt("%fl,%sni", &s, err, sizeof err), 0);
	assert_int_equal(record_split(&s, "1,x", 3, v), 0);
	tenc_record(enc, &s, v, &out, &outlen, &untyped);
	assert_true(outlen <= sizeof first);
	memcpy(first, out, outlen);
	firstlen = outlen;

	/* Past the first buffer, then many times past it. */
	expect_long(enc, &s, 10 * 1024);
	expect_long(enc, &s, 4096);
	expect_long(enc, &s, 300 * 1024);
	expect_long(enc, &s, 0);

	/* A small record after big ones is just as small and the same. */
	tenc_record(enc, &s, v, &out, &outlen, &untyped);
	assert_int_equal(outlen, firstlen);
	assert_memory_equal(out, first, firstlen);
	assert_int_equal(untyped, 0);
	schema_free(&s);
	tenc_free(enc);
}

/* RFC 3629's edges: what a strict decoder takes as text, and what not. */
static void test_utf8(void **state)
{
	static const char *const good[] = { "", "plain", "caf\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf",
		"\xf4\x8f\xbf\xbf", "\xef\xbf\xbd" };
	static const char *const bad[] = { "\xff", "\x80", "caf\xc3",
		"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
		"\xf0\x80\x80\xaf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xe2\x82", "\xe2\x28\xa1" };

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		assert_true(utf8_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(utf8_valid(bad[i], strlen(bad[i])));
}

/* Bytes that are not UTF-8 go as a byte string, exactly; in both modes. */
static void test_not_utf8_is_bytes(void **state)
{
	struct schema schema;
	struct slice values[2] = { { "\xff\xfe", 2 }, { "caf\xc3\xa9", 5 } };
	char err[256];

	(void)state;
	assert_int_equal(schema_from_fmt("%pr,%sn", &schema, err, sizeof err),
	    0);
	for (int mode = 0; mode < 2; mode++) {
		struct tenc *enc = tenc_new(mode == 0 ? ENCODE_TYPED :
		    ENCODE_STRINGS);
		const unsigned char *out;
		size_t outlen, untyped = 0;
		cbor_item_t *map;
		struct cbor_pair *pairs;

		tenc_record(enc, &schema, values, &out, &outlen, &untyped);
		map = decode(out, outlen);
		pairs = cbor_map_handle(map);
		assert_true(cbor_isa_bytestring(pairs[0].value));
		assert_int_equal(cbor_bytestring_length(pairs[0].value), 2);
		assert_memory_equal(cbor_bytestring_handle(pairs[0].value),
		    "\xff\xfe", 2);
		assert_true(cbor_isa_string(pairs[1].value));
		cbor_decref(&map);
		tenc_free(enc);
	}
	schema_free(&schema);
}

static void test_zero_fields(void **state)
{
	struct tenc *enc = tenc_new(ENCODE_TYPED);
	struct schema s = { 0 };
	const unsigned char *out;
	size_t outlen = 99, untyped = 0;

	(void)state;
	tenc_record(enc, &s, NULL, &out, &outlen, &untyped);
	assert_int_equal(outlen, 1);
	assert_int_equal(out[0], 0xa0);
	assert_int_equal(untyped, 0);
	tenc_free(enc);
	tenc_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_default),
		cmocka_unit_test(test_typed_csv),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_untyped),
		cmocka_unit_test(test_overflow_is_null),
		cmocka_unit_test(test_icmp_ports),
		cmocka_unit_test(test_strings_mode),
		cmocka_unit_test(test_exact_bytes),
		cmocka_unit_test(test_buffer_reuse),
		cmocka_unit_test(test_zero_fields),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_not_utf8_is_bytes),
	};

	return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
