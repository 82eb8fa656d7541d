/* SPDX-License-Identifier: BSD-2-Clause */
/* query_parse and query_argv: an operator's nfdump query, run per window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "query.h"
#include "schema.h"
#include "strv.h"
#include "words.h"

/* The nfdump the query is for; 1.7.1 unless a test says otherwise. */
static struct dialect D;

#define PROFILE "/data/nfsen/profiles-data/live/a:b"
#define RELFILE "2026/11/27/nfcapd.202611271055"

static void expect_vector(char **v, size_t n, const char **want,
    size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(v[i], want[i]);
	if (v != NULL)
		assert_null(v[n]);
}

static void parse_ok(const char *text, struct query *q)
{
	char err[256] = "";

	assert_int_equal(query_parse(text, &D, q, err, sizeof err), 0);
	assert_string_equal(err, "");
}

static void expect_argv(const struct query *q, const char **want,
    size_t nwant)
{
	char **argv = query_argv(q, "nfdump", PROFILE, RELFILE);
	size_t n = 0;

	while (argv[n] != NULL)
		n++;
	expect_vector(argv, n, want, nwant);
	strv_free(argv);
}

/* Expects -EINVAL and an errstr that contains why. */
static void expect_refused(const char *text, const char *why)
{
	struct query q;
	char err[256] = "";

	assert_int_equal(query_parse(text, &D, &q, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, why));
	/* Nothing is left to free, and freeing again is harmless. */
	assert_null(q.opts);
	assert_null(q.filter);
	assert_int_equal(q.nopts, 0);
	assert_int_equal(q.schema.nfields, 0);
	query_free(&q);
}

/*
 * A token the table does not know for this nfdump is left to nfdump to
 * judge (at start, on an empty file): parsed, with the table's reason.
 */
static void expect_doubt(const char *text, const char *why)
{
	struct query q;
	char err[256] = "";

	assert_int_equal(query_parse(text, &D, &q, err, sizeof err), 0);
	assert_non_null(q.schema.doubt);
	assert_non_null(strstr(q.schema.doubt, why));
	query_free(&q);
}

/* 1.7.5 runs the default as -A dstgeo -o csv, with known columns. */
static void test_default_175(void **state)
{
	struct dialect d = dialect_of(DIALECT_V(1, 7, 5));
	struct query q;
	char err[256] = "";

	(void)state;
	assert_int_equal(query_parse(QUERY_DEFAULT, &d, &q, err, sizeof err), 0);
	assert_int_equal(q.csv, 0);
	assert_int_equal(q.mode, DIALECT_CSV);
	assert_int_equal(q.schema.nfields, 8);
	assert_string_equal(q.schema.fields[2].name, "dst_ctr");
	assert_string_equal(q.schema.fields[6].name, "bpp");
	query_free(&q);
}

static void test_default(void **state)
{
	const char *opts[] = { "-A", "dstgeo", "-o",
		"fmt:%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl", "-N", "-6" };
	const char *argv[] = { "nfdump", "-M", PROFILE, "-r", RELFILE, "-A",
		"dstgeo", "-o", "fmt:%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl", "-N",
		"-6" };
	struct query q;

	(void)state;
	parse_ok(QUERY_DEFAULT, &q);
	/* -q is dropped: the header and summary frame the records. */
	expect_vector(q.opts, q.nopts, opts, 6);
	assert_int_equal(q.nfilter, 0);
	assert_null(q.filter);
	assert_int_equal(q.csv, 0);
	assert_int_equal(q.schema.nfields, 8);
	assert_string_equal(q.schema.fields[0].name, "first_seen");
	assert_string_equal(q.schema.fields[7].name, "flows");
	expect_argv(&q, argv, 11);
	query_free(&q);
	assert_null(q.opts);
	assert_int_equal(q.schema.nfields, 0);
}

static void test_flowmon_paste(void **state)
{
	const char *opts[] = { "-A", "dstctry", "-o",
		"fmt:%ts,%dcc,%td,%pkt,%byt,%pps,%bps,%fl", "-6",
		"--no-scale-number" };
	const char *argv[] = { "/usr/bin/nfdump", "-M", PROFILE, "-r",
		RELFILE, "-A", "dstctry", "-o",
		"fmt:%ts,%dcc,%td,%pkt,%byt,%pps,%bps,%fl", "-6",
		"--no-scale-number" };
	struct query q;
	char **v;
	size_t n = 0;

	(void)state;
	/* Flowmon's nfdump: its version is none nfkafka knows. */
	assert_int_equal(dialect_parse("nfdump: Version: 1.6.x-flowmon", &D),
	    0);
	parse_ok("/usr/local/bin/nfdump -M /data/nfsen/profiles-data/live/"
	    "'a:b' -R x -A 'dstctry' -o "
	    "'fmt:%ts,%dcc,%td,%pkt,%byt,%pps,%bps,%fl' -6 "
	    "--no-scale-number", &q);
	/* --no-scale-number is Flowmon's -N: no second one is added. */
	expect_vector(q.opts, q.nopts, opts, 6);
	assert_int_equal(q.nfilter, 0);
	assert_string_equal(q.schema.fields[1].name, "dst_ctr");
	v = query_argv(&q, "/usr/bin/nfdump", PROFILE, RELFILE);
	while (v[n] != NULL)
		n++;
	expect_vector(v, n, argv, 11);
	strv_free(v);
	query_free(&q);
}

static void test_program_word(void **state)
{
	const char *opts[] = { "-o", "csv", "-N", "-6" };
	struct query q;

	(void)state;
	parse_ok("nfdump -o csv", &q);
	expect_vector(q.opts, q.nopts, opts, 4);
	query_free(&q);
	parse_ok("/usr/bin/nfdump -o csv", &q);
	expect_vector(q.opts, q.nopts, opts, 4);
	query_free(&q);
	/* Only a program called nfdump is dropped; other words are filter. */
	parse_ok("mynfdump -o csv", &q);
	assert_int_equal(q.nfilter, 1);
	assert_string_equal(q.filter[0], "mynfdump");
	query_free(&q);
}

static void test_attached_args(void **state)
{
	const char *opts[] = { "-o", "fmt:%ts,%fl", "-A", "proto", "-6", "-N",
		"-n", "10", "-N", "-A", "srcip" };
	struct query q;

	(void)state;
	parse_ok("-ofmt:%ts,%fl -Aproto -6N -n10 -NAsrcip", &q);
	expect_vector(q.opts, q.nopts, opts, 11);
	assert_int_equal(q.schema.nfields, 2);
	query_free(&q);
}

static void test_plain_and_ipv6_added(void **state)
{
	const char *csv[] = { "-o", "csv", "-N", "-6" };
	const char *plain[] = { "-N", "-o", "csv", "-6" };
	const char *ipv6[] = { "-6", "-o", "csv", "-N" };
	struct query q;

	(void)state;
	parse_ok("-o csv", &q);
	expect_vector(q.opts, q.nopts, csv, 4);
	assert_int_equal(q.csv, 1);
	assert_int_equal(q.schema.nfields, 0);
	query_free(&q);
	parse_ok("-N -o csv", &q);
	expect_vector(q.opts, q.nopts, plain, 4);
	query_free(&q);
	parse_ok("-6 -o csv -q", &q);
	expect_vector(q.opts, q.nopts, ipv6, 4);
	query_free(&q);
}

static void test_window_options_removed(void **state)
{
	const char *opts[] = { "-o", "csv", "-t", "2026/11/27.10:55:00", "-N",
		"-6" };
	struct query q;

	(void)state;
	parse_ok("-M /data/x:y -r nfcapd.202611271055 -R a:b -q -o csv "
	    "-t 2026/11/27.10:55:00 -Mother -rfile -q", &q);
	expect_vector(q.opts, q.nopts, opts, 6);
	query_free(&q);
}

static void test_filter(void **state)
{
	const char *words[] = { "proto", "tcp", "and", "port", "443" };
	const char *quoted[] = { "proto tcp and (port 80 or port 443)" };
	const char *argv[] = { "nfdump", "-M", PROFILE, "-r", RELFILE, "-o",
		"csv", "-N", "-6", "--",
		"proto tcp and (port 80 or port 443)" };
	const char *dashed[] = { "-x", "y" };
	struct query q;

	(void)state;
	parse_ok("-o csv proto tcp and port 443", &q);
	expect_vector(q.filter, q.nfilter, words, 5);
	query_free(&q);

	parse_ok("-o csv 'proto tcp and (port 80 or port 443)'", &q);
	expect_vector(q.filter, q.nfilter, quoted, 1);
	/* The filter follows "--", so nfdump cannot read it as options. */
	expect_argv(&q, argv, 11);
	query_free(&q);

	parse_ok("-o csv -- -x y", &q);
	expect_vector(q.filter, q.nfilter, dashed, 2);
	query_free(&q);

	/* Options after the filter are options, as nfdump's getopt has it. */
	parse_ok("-o csv proto tcp -A srcip", &q);
	assert_int_equal(q.nfilter, 2);
	assert_string_equal(q.filter[1], "tcp");
	assert_int_equal(q.nopts, 6);
	assert_string_equal(q.opts[2], "-A");
	query_free(&q);
}

static void test_csv(void **state)
{
	struct query q;

	(void)state;
	parse_ok("-o csv -A srcip,dstip", &q);
	assert_int_equal(q.csv, 1);
	assert_int_equal(q.schema.nfields, 0);
	query_free(&q);
	parse_ok("-o fmt:%sa,%fl", &q);
	assert_int_equal(q.csv, 0);
	assert_int_equal(q.schema.nfields, 2);
	assert_int_equal(q.schema.fields[0].type, FIELD_ADDR);
	query_free(&q);
}

static void test_refused_options(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} refused[] = {
		{ "-o csv -s srcip", "-s prints statistics tables" },
		{ "-o csv -ssrcip/bytes", "-s prints statistics tables" },
		{ "-o csv -w out.nf", "-w writes a file" },
		{ "-o csv -Z", "-Z checks the filter" },
		{ "-o csv -J 1", "-J modifies the nfcapd files" },
		{ "-o csv -i ident", "-i modifies the nfcapd files" },
		{ "-o csv -I", "-I prints file statistics" },
		{ "-o csv -g", "-g prints gnuplot" },
		{ "-o csv -E x", "-E prints exporter" },
		{ "-o csv -v x", "-v verifies a file" },
		{ "-o csv -x x", "-x verifies a file" },
		{ "-o csv -X", "-X dumps the filter table" },
		{ "-o csv -h", "-h prints usage" },
		{ "-o csv -V", "-V prints the version" },
		/* Refused inside a group of flags too. */
		{ "-o csv -NZ", "-Z checks the filter" },
		{ "-s srcip -o csv", "-s prints statistics tables" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		expect_refused(refused[i].text, refused[i].why);
}

static void test_unknown_option(void **state)
{
	(void)state;
	expect_refused("-o csv -k", "unknown nfdump option -k");
	expect_refused("-o csv -N6e", "unknown nfdump option -e");
	/* ':' marks arguments in getopt's string; it is not an option. */
	expect_refused("-o csv -:", "unknown nfdump option -:");
}

static void test_missing_argument(void **state)
{
	(void)state;
	expect_refused("-o csv -A", "-A needs an argument");
	expect_refused("-o", "-o needs an argument");
	expect_refused("-o csv -N -M", "-M needs an argument");
}

static void test_output_errors(void **state)
{
	(void)state;
	expect_refused("", "no output format");
	expect_refused("-A dstgeo -N -6", "no output format");
	expect_refused("-o csv -o csv", "more than one -o");
	expect_refused("-o fmt:%fl -ocsv", "more than one -o");
	expect_refused("-o line", "-o line cannot be read back");
	expect_refused("-o json", "cannot be read back");
	expect_refused("-o long6", "cannot be read back");
	expect_refused("-o 'fmt:no tokens'", "no %token");
	expect_refused("-o 'fmt:%sni %fl'", "sni");
	expect_refused("-o ''", "cannot be read back");
}

/* 1.7.5's csv forms, and which nfdump has them. */
static void test_csv_modes(void **state)
{
	struct query q;

	(void)state;
	expect_refused("-o 'csv:%ts,%sa'", "-o csv: needs nfdump 1.7.5 or "
	    "later; this nfdump is 1.7.1");
	expect_refused("-o csv-fast", "needs nfdump 1.7.5");
	expect_doubt("-o 'fmt:%ts,%tsg'", "%tsg needs an nfdump newer");
	D = dialect_of(10708);
	parse_ok("-o 'csv:%ts,%sa,%fl' proto tcp", &q);
	assert_int_equal(q.mode, DIALECT_CSV_TOKENS);
	assert_int_equal(q.csv, 0);
	assert_int_equal(q.schema.nfields, 3);
	query_free(&q);
	parse_ok("-o csv-fast", &q);
	assert_int_equal(q.mode, DIALECT_CSV_FAST);
	assert_int_equal(q.schema.nfields, 17);
	query_free(&q);
	parse_ok("-A srcip -o csv", &q);
	assert_int_equal(q.mode, DIALECT_CSV);
	assert_int_equal(q.aggregated, 1);
	query_free(&q);
	expect_refused("-A srcip -o csv-fast", "cannot print aggregated");
	expect_doubt("-o 'fmt:%ts,%nevt'", "%nevt is gone");
}

/* Each version's getopt string: -l went, -W came, -z's argument is optional. */
static void test_options_per_version(void **state)
{
	/* 1.7.8 gets one filter thread (-W 1): one row order per file. */
	const char *opts[] = { "-z", "-o", "fmt:%fl", "-N", "-6", "-W", "1" };
	const char *chosen[] = { "-W", "2", "-o", "fmt:%fl", "-N", "-6" };
	struct query q;

	(void)state;
	parse_ok("-l 10 -o fmt:%fl", &q);
	query_free(&q);
	expect_refused("-o fmt:%fl -W 2", "unknown nfdump option -W "
	    "(nfdump 1.7.1)");
	D = dialect_of(10708);
	expect_refused("-l 10 -o fmt:%fl", "unknown nfdump option -l");
	parse_ok("-W 2 -o fmt:%fl", &q);
	expect_vector(q.opts, q.nopts, chosen, 6);
	query_free(&q);
	/* "-z fmt..." would eat -o's word if -z took a separate argument. */
	parse_ok("-z -o fmt:%fl", &q);
	expect_vector(q.opts, q.nopts, opts, 7);
	query_free(&q);
}

static void test_unterminated_quote(void **state)
{
	(void)state;
	expect_refused("-o 'fmt:%ts,%fl", "single quote");
	expect_refused("-o csv \"proto tcp", "double quote");
}

/* Every test starts with 1.7.1, Debian 12's nfdump. */
static int query_setup(void **state)
{
	(void)state;
	D = dialect_of(10701);
	return 0;
}

#define T(f) cmocka_unit_test_setup(f, query_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_default),
		T(test_default_175),
		T(test_flowmon_paste),
		T(test_program_word),
		T(test_attached_args),
		T(test_plain_and_ipv6_added),
		T(test_window_options_removed),
		T(test_filter),
		T(test_csv),
		T(test_refused_options),
		T(test_unknown_option),
		T(test_missing_argument),
		T(test_output_errors),
		T(test_unterminated_quote),
		T(test_csv_modes),
		T(test_options_per_version),
	};

	return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
