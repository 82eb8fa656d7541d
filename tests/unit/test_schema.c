/* SPDX-License-Identifier: BSD-2-Clause */
/* schema_from_fmt and schema_from_csv_header: which column is which field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "dialect.h"
#include "schema.h"
#include "nfdump_lines.h"

struct want_field {
	const char *name;
	enum field_type type;
	const char *sep;
	int words;
};

static void expect_fields(const struct schema *s, const struct want_field *want,
    size_t n)
{
	assert_int_equal(s->nfields, n);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &s->fields[i];

		assert_string_equal(f->name, want[i].name);
		assert_int_equal(f->type, want[i].type);
		assert_non_null(f->sep);
		assert_string_equal(f->sep, want[i].sep);
		assert_int_equal(f->words, want[i].words);
	}
}

static void expect_fmt(const char *fmt, const char *lead,
    const struct want_field *want, size_t n)
{
	struct schema s;
	char err[256] = "";

	assert_int_equal(schema_from_fmt(fmt, &s, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_non_null(s.lead);
	assert_string_equal(s.lead, lead);
	expect_fields(&s, want, n);
	schema_free(&s);
	assert_int_equal(s.nfields, 0);
	assert_null(s.fields);
	assert_null(s.lead);
}

/* Expects -EINVAL and an errstr that contains each of the given words. */
static void expect_fmt_error(const char *fmt, const char *why,
    const char *why2)
{
	struct schema s;
	char err[256] = "";

	assert_int_equal(schema_from_fmt(fmt, &s, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, why));
	if (why2 != NULL)
		assert_non_null(strstr(err, why2));
	assert_int_equal(s.nfields, 0);
	assert_null(s.fields);
	assert_null(s.lead);
}

static void test_fmt_default(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, ",", 2 },
		{ "dst_ctr", FIELD_TEXT, ",", 1 },
		{ "duration", FIELD_FLOAT, ",", 1 },
		{ "packets", FIELD_UINT, ",", 1 },
		{ "bytes", FIELD_UINT, ",", 1 },
		{ "pps", FIELD_FLOAT, ",", 1 },
		{ "bps", FIELD_FLOAT, ",", 1 },
		{ "flows", FIELD_UINT, "", 1 },
	};

	(void)state;
	expect_fmt(FMT_DEFAULT, "", want, 8);
}

static void test_fmt_flowmon_tokens(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, ",", 2 },
		{ "dst_ctr", FIELD_TEXT, ",", 1 },
		{ "src_ctr", FIELD_TEXT, "", 1 },
	};

	(void)state;
	expect_fmt("%ts,%dcc,%scc", "", want, 3);
}

static void test_fmt_blanks(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, "", 2 },
		{ "duration", FIELD_FLOAT, "", 1 },
		{ "proto", FIELD_TEXT, "", 1 },
		{ "src_addr_port", FIELD_TEXT, "->", 1 },
		{ "dst_addr_port", FIELD_TEXT, "", 1 },
		{ "packets", FIELD_UINT, "", 1 },
		{ "bytes", FIELD_UINT, "", 1 },
		{ "flows", FIELD_UINT, "", 1 },
	};
	const struct want_field adjacent[] = {
		{ "packets", FIELD_UINT, "", 1 },
		{ "bytes", FIELD_UINT, "|", 1 },
	};

	(void)state;
	expect_fmt("%ts %td %pr %sap -> %dap %pkt %byt %fl", "", want, 8);
	/* Tabs and runs of blanks are blanks too. */
	expect_fmt("%ts\t%td  %pr   %sap  ->\t%dap %pkt %byt %fl  ", "",
	    want, 8);
	/* nfdump pads values, so two tokens need no literal between them. */
	expect_fmt("%pkt%byt|", "", adjacent, 2);
}

static void test_fmt_epoch_and_addr(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_EPOCH, "", 1 },
		{ "last_seen", FIELD_EPOCH, "", 1 },
		{ "received", FIELD_EPOCH, "|", 1 },
		{ "src_addr", FIELD_ADDR, "|", 1 },
		{ "dst_addr", FIELD_ADDR, "|", 1 },
		{ "src_net", FIELD_TEXT, "", 1 },
	};

	(void)state;
	expect_fmt("%tsr %ter %trr|%sa|%da|%sn", "", want, 6);
}

/* Values that nfdump prints as several words, or as none at all. */
static void test_fmt_word_counts(void **state)
{
	const struct want_field acl[] = {
		{ "ingress_acl", FIELD_TEXT, "", 3 },
		{ "egress_acl", FIELD_TEXT, "", 3 },
		{ "flows", FIELD_UINT, "", 1 },
	};
	const struct want_field freetext[] = {
		{ "ja3", FIELD_TEXT, "|", 0 },
		{ "mpls", FIELD_TEXT, "|", 0 },
		{ "nbar_name", FIELD_TEXT, "|", 0 },
		{ "flows", FIELD_UINT, "", 1 },
	};

	(void)state;
	expect_fmt("%iacl %eacl %fl", "", acl, 3);
	expect_fmt("%ja3|%mpls|%nbnam|%fl", "", freetext, 4);
	expect_fmt_error("%ja3 %fl", "ja3", "separator");
	expect_fmt_error("%mpls %fl", "mpls", "separator");
}

static void test_fmt_longest_token(void **state)
{
	const struct want_field times[] = {
		{ "first_seen", FIELD_EPOCH, "|", 1 },
		{ "first_seen_2", FIELD_TIME, "|", 2 },
		{ "received", FIELD_EPOCH, "|", 1 },
		{ "received_2", FIELD_TIME, "", 2 },
	};
	const struct want_field mpls[] = {
		{ "mpls10", FIELD_TEXT, "|", 1 },
		{ "mpls1", FIELD_TEXT, "|", 1 },
		{ "mpls", FIELD_TEXT, "", 0 },
	};
	/* A run longer than any token: the longest known prefix, then text. */
	const struct want_field prefix[] = {
		{ "mpls1", FIELD_TEXT, "1|", 1 },
		{ "first_seen", FIELD_TIME, "X,", 2 },
		{ "flows", FIELD_UINT, "", 1 },
	};

	(void)state;
	expect_fmt("%tsr|%ts|%trr|%tr", "", times, 4);
	expect_fmt("%mpls10|%mpls1|%mpls", "", mpls, 3);
	expect_fmt("%mpls11|%tsX,%fl", "", prefix, 3);
}

/* An unknown token is an error that names it, never a text column. */
static void test_fmt_unknown_token(void **state)
{
	(void)state;
	expect_fmt_error("%ts,%foo,%fl", "unknown output token %foo", NULL);
	expect_fmt_error("%fl %xyz9", "%xyz9", NULL);
	expect_fmt_error("%ts%n%fl", "%n", "one record per line");
}

/* Expects the nfdump of version v to refuse fmt, errstr containing why. */
static void expect_version_error(int v, const char *fmt, const char *why)
{
	struct dialect d = dialect_of(v);
	struct schema s;
	char err[256] = "";

	assert_int_equal(schema_from_tokens(&d, fmt, &s, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, why));
	assert_int_equal(s.nfields, 0);
}

static void expect_version_ok(int v, const char *fmt, size_t nfields)
{
	struct dialect d = dialect_of(v);
	struct schema s;
	char err[256] = "";

	assert_int_equal(schema_from_tokens(&d, fmt, &s, err, sizeof err), 0);
	assert_int_equal(s.nfields, nfields);
	schema_free(&s);
}

/* Each token only where that nfdump prints it (checked on both). */
static void test_fmt_token_versions(void **state)
{
	(void)state;
	expect_version_error(10701, "%ts,%tsg,%fl",
	    "%tsg needs an nfdump newer than 1.7.1");
	expect_version_error(10701, "%idt,%fl", "%idt");
	expect_version_error(10701, "%sasn,%fl", "%sasn");
	expect_version_ok(10708, "%ts,%tsg,%teg,%tsr,%idt,%sasn,%dasn,%fl", 8);
	expect_version_ok(10701, "%ts,%tsr,%ter,%tds,%fl", 5);
	expect_version_error(10708, "%nevt,%fl", "%nevt is gone from nfdump "
	    "1.7.8");
	expect_version_ok(10701, "%nevt,%sgt,%fl", 3);
	expect_version_error(10708, "%dcc,%fl", "Flowmon");
	expect_version_error(10701, "%scc,%fl", "Flowmon");
	/* 1.7.5 and later refuse "%tsX"; 1.7.1 reads %ts and text. */
	expect_version_error(10708, "%tsX,%fl", "unknown output token %tsX");
	expect_version_ok(10701, "%tsX,%fl", 2);
}

/* GMT forms are times, %tds seconds, %ttl two words. */
static void test_fmt_178_types(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, ",", 2 },
		{ "last_seen", FIELD_TIME, ",", 2 },
		{ "duration", FIELD_FLOAT, ",", 1 },
		{ "ident", FIELD_TEXT, ",", 0 },
		{ "src_as_org", FIELD_TEXT, ",", 0 },
		{ "ttl", FIELD_TEXT, "", 2 },
	};
	struct dialect d = dialect_of(10708);
	struct schema s;
	char err[256] = "";

	(void)state;
	assert_int_equal(schema_from_tokens(&d, "%tsg,%teg,%tds,%idt,%sasn,"
	    "%ttl", &s, err, sizeof err), 0);
	expect_fields(&s, want, 6);
	schema_free(&s);
}

/* csv:%tok,%tok and csv-fast, 1.7.5's own csv forms. */
static void test_csv_tokens_and_fast(void **state)
{
	struct dialect d = dialect_of(10708);
	struct schema s;
	char err[256] = "";

	(void)state;
	assert_int_equal(schema_from_csv_tokens(&d, "%ts,%tsr,%sa,%sasn,%td",
	    &s, err, sizeof err), 0);
	assert_int_equal(s.nfields, 5);
	assert_string_equal(s.fields[1].name, "first_seen_2");
	assert_int_equal(s.fields[1].type, FIELD_EPOCH);
	schema_free(&s);
	assert_int_equal(schema_from_csv_tokens(&d, "%ts %td", &s, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, "separated by ','"));
	assert_int_equal(schema_from_csv_tokens(&d, "%ts,%foo", &s, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, "%foo"));
	/* 1.7.8's csv knows no %ttl and no addr:port forms. */
	assert_int_equal(schema_from_csv_tokens(&d, "%ts,%ttl", &s, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, "%ttl has no csv form"));
	assert_int_equal(schema_from_csv_tokens(&d, "%sap,%fl", &s, err,
	    sizeof err), -EINVAL);
	schema_csv_fast(&s);
	assert_int_equal(s.nfields, 17);
	assert_string_equal(s.fields[2].name, "first_seen");
	assert_int_equal(s.fields[2].type, FIELD_MSEC);
	assert_string_equal(s.fields[16].name, "bytes");
	schema_free(&s);
}

/* 1.7.5's -o csv titles: "firstSeen,duration,...". */
static void test_csv_header_178(void **state)
{
	static const char line[] = "firstSeen,duration,proto,srcAddr,srcPort,"
	    "dstAddr,dstPort,packets,bytes,flows";
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, ",", 2 },
		{ "duration", FIELD_FLOAT, ",", 1 },
		{ "proto", FIELD_TEXT, ",", 1 },
		{ "src_addr", FIELD_ADDR, ",", 1 },
		{ "src_port", FIELD_PORT, ",", 1 },
		{ "dst_addr", FIELD_ADDR, ",", 1 },
		{ "dst_port", FIELD_PORT, ",", 1 },
		{ "packets", FIELD_UINT, ",", 1 },
		{ "bytes", FIELD_UINT, ",", 1 },
		{ "flows", FIELD_UINT, "", 1 },
	};
	struct dialect d = dialect_of(10708);
	struct schema s;
	char err[256] = "";

	(void)state;
	assert_int_equal(schema_from_header(&d, line, strlen(line), &s, err,
	    sizeof err), 0);
	expect_fields(&s, want, 10);
	schema_free(&s);
}

static void test_fmt_free_text_needs_sep(void **state)
{
	(void)state;
	expect_fmt_error("%uname %fl", "user_name", "separator");
	expect_fmt_error("%ts %sni   %fl", "sni", "separator");
	expect_fmt_error("%ts,%ja4\t%fl", "ja4", "%ts,%ja4\t%fl");
}

static void test_fmt_no_token(void **state)
{
	(void)state;
	expect_fmt_error("", "no %token", NULL);
	expect_fmt_error("plain text", "no %token", "\"plain text\"");
	expect_fmt_error("100% , %", "no %token", NULL);
	expect_fmt_error("%,%-%", "no %token", NULL);
}

static void test_fmt_lead(void **state)
{
	const struct want_field one[] = {
		{ "flows", FIELD_UINT, "y", 1 },
	};
	const struct want_field two[] = {
		{ "first_seen", FIELD_TIME, "|", 2 },
		{ "flows", FIELD_UINT, "flows", 1 },
	};

	(void)state;
	expect_fmt("x %fl y", "x", one, 1);
	expect_fmt("  Flow: %ts | %fl flows ", "Flow:", two, 2);
}

static void test_fmt_errstr_truncated(void **state)
{
	struct schema s;
	char err[8];

	(void)state;
	assert_int_equal(schema_from_fmt("no tokens here", &s, err,
	    sizeof err), -EINVAL);
	assert_int_equal(strlen(err), sizeof err - 1);
}

static void test_csv_header(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, ",", 2 },
		{ "last_seen", FIELD_TIME, ",", 2 },
		{ "duration", FIELD_FLOAT, ",", 1 },
		{ "src_addr", FIELD_ADDR, ",", 1 },
		{ "dst_addr", FIELD_ADDR, ",", 1 },
		{ "src_port", FIELD_PORT, ",", 1 },
		{ "dst_port", FIELD_PORT, ",", 1 },
		{ "proto", FIELD_TEXT, ",", 1 },
		{ "tcp_flags", FIELD_TEXT, ",", 1 },
		{ "fwd_status", FIELD_UINT, ",", 1 },
		{ "src_tos", FIELD_UINT, ",", 1 },
		{ "in_packets", FIELD_UINT, ",", 1 },
		{ "in_bytes", FIELD_UINT, ",", 1 },
		{ "out_packets", FIELD_UINT, ",", 1 },
		{ "out_bytes", FIELD_UINT, ",", 1 },
		{ "in_if", FIELD_UINT, ",", 1 },
		{ "out_if", FIELD_UINT, ",", 1 },
		{ "src_as", FIELD_UINT, ",", 1 },
		{ "dst_as", FIELD_UINT, ",", 1 },
		{ "src_mask", FIELD_UINT, ",", 1 },
		{ "dst_mask", FIELD_UINT, ",", 1 },
		{ "dst_tos", FIELD_UINT, ",", 1 },
		{ "direction", FIELD_TEXT, ",", 1 },
		{ "next_hop", FIELD_ADDR, ",", 1 },
		{ "bgp_next_hop", FIELD_ADDR, ",", 1 },
		{ "src_vlan", FIELD_UINT, ",", 1 },
		{ "dst_vlan", FIELD_UINT, ",", 1 },
		{ "in_src_mac", FIELD_TEXT, ",", 1 },
		{ "out_dst_mac", FIELD_TEXT, ",", 1 },
		{ "in_dst_mac", FIELD_TEXT, ",", 1 },
		{ "out_src_mac", FIELD_TEXT, ",", 1 },
		{ "mpls1", FIELD_TEXT, ",", 1 },
		{ "mpls2", FIELD_TEXT, ",", 1 },
		{ "mpls3", FIELD_TEXT, ",", 1 },
		{ "mpls4", FIELD_TEXT, ",", 1 },
		{ "mpls5", FIELD_TEXT, ",", 1 },
		{ "mpls6", FIELD_TEXT, ",", 1 },
		{ "mpls7", FIELD_TEXT, ",", 1 },
		{ "mpls8", FIELD_TEXT, ",", 1 },
		{ "mpls9", FIELD_TEXT, ",", 1 },
		{ "mpls10", FIELD_TEXT, ",", 1 },
		{ "client_latency", FIELD_FLOAT, ",", 1 },
		{ "server_latency", FIELD_FLOAT, ",", 1 },
		{ "app_latency", FIELD_FLOAT, ",", 1 },
		{ "router_addr", FIELD_ADDR, ",", 1 },
		{ "engine", FIELD_TEXT, ",", 1 },
		{ "exporter_id", FIELD_UINT, ",", 1 },
		{ "received", FIELD_TIME, "", 2 },
	};
	struct schema s;
	char err[256] = "";

	(void)state;
	assert_int_equal(schema_from_csv_header(CSV_HEADER,
	    strlen(CSV_HEADER), &s, err, sizeof err), 0);
	assert_string_equal(s.lead, "");
	expect_fields(&s, want, sizeof want / sizeof want[0]);
	assert_int_equal(schema_find(&s, "exporter_id"), 46);
	assert_int_equal(schema_find(&s, "received"), 47);
	schema_free(&s);
}

static void test_csv_header_unknown(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, ",", 2 },
		{ "foo", FIELD_TEXT, ",", 0 },
		{ "duration", FIELD_FLOAT, ",", 1 },
		/* csv names are not fmt tokens: "pkt" is not a column. */
		{ "pkt", FIELD_TEXT, "", 0 },
	};
	struct schema s;
	char err[256] = "";

	(void)state;
	assert_int_equal(schema_from_csv_header("ts,foo,td,pkt", 13, &s,
	    err, sizeof err), 0);
	expect_fields(&s, want, 4);
	schema_free(&s);
}

static void test_csv_header_blanks_and_len(void **state)
{
	const struct want_field want[] = {
		{ "first_seen", FIELD_TIME, ",", 2 },
		{ "duration", FIELD_FLOAT, "", 1 },
	};
	const char *line = " ts , td\r,sa,da";
	struct schema s;
	char err[256] = "";

	(void)state;
	/* Only len bytes count: the line need not end in a NUL. */
	assert_int_equal(schema_from_csv_header(line, 9, &s, err,
	    sizeof err), 0);
	expect_fields(&s, want, 2);
	schema_free(&s);
}

static void test_csv_header_empty_column(void **state)
{
	static const char *const bad[] = { "ts,,td", "ts,td,", ",ts", "",
		"ts, ,td", "   " };
	struct schema s;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(schema_from_csv_header(bad[i], strlen(bad[i]),
		    &s, err, sizeof err), -EINVAL);
		assert_non_null(strstr(err, "empty column"));
		assert_int_equal(s.nfields, 0);
		assert_null(s.fields);
		assert_null(s.lead);
	}
}

static void test_find(void **state)
{
	struct schema s;
	char err[256];

	(void)state;
	assert_int_equal(schema_from_fmt(FMT_DEFAULT, &s, err, sizeof err),
	    0);
	assert_int_equal(schema_find(&s, "first_seen"), 0);
	assert_int_equal(schema_find(&s, "dst_ctr"), 1);
	assert_int_equal(schema_find(&s, "flows"), 7);
	assert_int_equal(schema_find(&s, "flow"), -1);
	assert_int_equal(schema_find(&s, "fl"), -1);
	assert_int_equal(schema_find(&s, ""), -1);
	assert_int_equal(schema_find(&s, "FLOWS"), -1);
	schema_free(&s);
	assert_int_equal(schema_find(&s, "flows"), -1);
}

static void test_type_name(void **state)
{
	(void)state;
	assert_string_equal(schema_type_name(FIELD_TEXT), "text");
	assert_string_equal(schema_type_name(FIELD_UINT), "uint");
	assert_string_equal(schema_type_name(FIELD_FLOAT), "float");
	assert_string_equal(schema_type_name(FIELD_TIME), "time");
	assert_string_equal(schema_type_name(FIELD_EPOCH), "time");
	assert_string_equal(schema_type_name(FIELD_ADDR), "addr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_default),
		cmocka_unit_test(test_fmt_flowmon_tokens),
		cmocka_unit_test(test_fmt_blanks),
		cmocka_unit_test(test_fmt_epoch_and_addr),
		cmocka_unit_test(test_fmt_word_counts),
		cmocka_unit_test(test_fmt_longest_token),
		cmocka_unit_test(test_fmt_unknown_token),
		cmocka_unit_test(test_fmt_token_versions),
		cmocka_unit_test(test_fmt_178_types),
		cmocka_unit_test(test_csv_tokens_and_fast),
		cmocka_unit_test(test_csv_header_178),
		cmocka_unit_test(test_fmt_free_text_needs_sep),
		cmocka_unit_test(test_fmt_no_token),
		cmocka_unit_test(test_fmt_lead),
		cmocka_unit_test(test_fmt_errstr_truncated),
		cmocka_unit_test(test_csv_header),
		cmocka_unit_test(test_csv_header_unknown),
		cmocka_unit_test(test_csv_header_blanks_and_len),
		cmocka_unit_test(test_csv_header_empty_column),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_type_name),
	};

	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
