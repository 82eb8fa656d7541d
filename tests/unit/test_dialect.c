/* SPDX-License-Identifier: BSD-2-Clause */
/* dialect: nfdump's version, what its lines are and how a run ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "dialect.h"
#include "nfdump.h"

#define V171 DIALECT_V(1, 7, 1)
#define V178 DIALECT_V(1, 7, 8)

/* What nfdump -V prints, as seen from Debian's and upstream's builds. */
static void test_parse_version(void **state)
{
	struct dialect d;

	(void)state;
	assert_int_equal(dialect_parse("nfdump: Version: NSEL-NEL1.7.1\n",
	    &d), 0);
	assert_int_equal(d.version, V171);
	assert_string_equal(d.text, "NSEL-NEL1.7.1");
	assert_string_equal(dialect_name(&d), "1.7.1");
	assert_int_equal(dialect_parse("/opt/bin/nfdump: Version: "
	    "1.7.8-release options: LZ4 ZSTD BZIP2 date: Fri Apr 18\n", &d), 0);
	assert_int_equal(d.version, V178);
	assert_string_equal(d.text, "1.7.8-release");
	/* A version word without a.b.c: known to be there, not understood. */
	assert_int_equal(dialect_parse("nfdump: Version: flowmon\n", &d), 0);
	assert_int_equal(d.version, 0);
	assert_non_null(strstr(dialect_name(&d), "unknown version (flowmon)"));
	assert_int_equal(dialect_parse("usage nfdump [options]\n", &d),
	    -EINVAL);
}

static void expect_line(uint64_t n, const char *line, enum dialect_line want)
{
	assert_int_equal(dialect_classify(n, line, strlen(line)), want);
}

/* The same rules hold for both versions' fmt and csv output. */
static void test_classify(void **state)
{
	(void)state;
	expect_line(0, "Date first seen          Proto", DIALECT_HEADER);
	expect_line(0, "firstSeen,duration,proto", DIALECT_HEADER);
	expect_line(0, "usage /usr/bin/nfdump [options] [\"filter\"]",
	    DIALECT_USAGE);
	expect_line(1, "2026-12-01 22:39:42.298,6    ", DIALECT_RECORD);
	expect_line(1, "No matching flows", DIALECT_NO_FLOWS);
	expect_line(3, "Summary: total flows: 2, total bytes: 570263",
	    DIALECT_SUMMARY);
	expect_line(3, "Summary", DIALECT_SUMMARY);
	expect_line(3, "", DIALECT_BLANK);
	/* Only the line itself: a record that starts alike is a record. */
	expect_line(3, "Summary,1", DIALECT_RECORD);
	expect_line(2, "No matching flows,1", DIALECT_RECORD);
	expect_line(2, "usage", DIALECT_RECORD);
}

static int verdict(int version, enum dialect_mode mode, int status,
    const char *err, int header, int usage, int summary, char *why,
    size_t len)
{
	struct dialect d = dialect_of(version);
	struct dialect_end end = { status, err, header, usage, summary, NULL };

	why[0] = '\0';
	return dialect_verdict(&d, mode, &end, "nfcapd.202611271200", why,
	    len);
}

/* A clean end: exit 0, quiet stderr, a header, the summary if due. */
static void test_verdict_clean(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(verdict(V171, DIALECT_FMT, 0, "", 1, 0, 1, why,
	    sizeof why), 0);
	assert_int_equal(verdict(V171, DIALECT_CSV, 0, "", 1, 0, 1, why,
	    sizeof why), 0);
	assert_int_equal(verdict(V178, DIALECT_FMT, 0, "", 1, 0, 1, why,
	    sizeof why), 0);
	/* 1.7.5 and later: csv output ends without a summary. */
	assert_int_equal(verdict(V178, DIALECT_CSV, 0, "", 1, 0, 0, why,
	    sizeof why), 0);
	assert_int_equal(verdict(V178, DIALECT_CSV_TOKENS, 0, "", 1, 0, 0, why,
	    sizeof why), 0);
	assert_int_equal(verdict(V178, DIALECT_CSV_FAST, 0, "", 1, 0, 0, why,
	    sizeof why), 0);
}

/*
 * Notes on stderr of a run that went well are no complaint: 1.7.8's
 * worker threads, and 1.7.5's skipped exporter statistics record (it
 * failed a Debian 13 window once); a complaint after them still counts.
 */
static void test_verdict_notes(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(verdict(V178, DIALECT_FMT, 0,
	    "Using 1 worker threads (1 cores)\n", 1, 0, 1, why, sizeof why), 0);
	assert_int_equal(verdict(V178, DIALECT_CSV, 0,
	    "Exporter SysID: 0 not found! - Skip stat record record.\n"
	    "Exporter SysID: 0 not found! - Skip stat record record.\n", 1, 0,
	    0, why, sizeof why), 0);
	assert_int_equal(verdict(V178, DIALECT_CSV, 0,
	    "Exporter SysID: 0 not found! - Skip stat record record.\n"
	    "Corrupt data file\n", 1, 0, 0, why, sizeof why), -EIO);
	assert_non_null(strstr(why, "Corrupt data file"));
	/* Only the whole note: the same start with other words complains. */
	assert_int_equal(verdict(V178, DIALECT_FMT, 0,
	    "Exporter SysID: 3 unknown\n", 1, 0, 1, why, sizeof why), -EIO);
}

/* The summary is due where the version prints one, and only there. */
static void test_verdict_summary(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(verdict(V171, DIALECT_CSV, 0, "", 1, 0, 0, why,
	    sizeof why), -EIO);
	assert_non_null(strstr(why, "without its summary"));
	assert_int_equal(verdict(V178, DIALECT_FMT, 0, "", 1, 0, 0, why,
	    sizeof why), -EIO);
	assert_non_null(strstr(why, "without its summary"));
	/* An unknown version is held to the strict rule. */
	assert_int_equal(verdict(0, DIALECT_CSV, 0, "", 1, 0, 0, why,
	    sizeof why), -EIO);
	assert_int_equal(dialect_has_summary(&(struct dialect){ 0 },
	    DIALECT_CSV), 1);
}

static void test_verdict_failures(void **state)
{
	char why[256];

	(void)state;
	/* 1.7.1 exits 0 on a missing file: its stderr is the error. */
	assert_int_equal(verdict(V171, DIALECT_FMT, 0, "\nOpen file 'x': No "
	    "such file\nmore\n", 1, 0, 1, why, sizeof why), -EIO);
	assert_string_equal(why, "nfdump on nfcapd.202611271200: Open file "
	    "'x': No such file");
	assert_int_equal(verdict(V178, DIALECT_CSV, 1, "Output format parse "
	    "error at: %foo\n", 1, 0, 0, why, sizeof why), -EIO);
	assert_string_equal(why, "nfdump on nfcapd.202611271200 exited with "
	    "status 1: Output format parse error at: %foo");
	assert_int_equal(verdict(V178, DIALECT_CSV, NFDUMP_SIGNALLED + 9, "", 1,
	    0, 0, why, sizeof why), -EIO);
	assert_non_null(strstr(why, "killed by signal 9"));
	/* nfdump's own exit 254 (a filter error) is no signal. */
	assert_int_equal(verdict(V178, DIALECT_FMT, 254, "Line 1: syntax error",
	    1, 0, 0, why, sizeof why), -EIO);
	assert_non_null(strstr(why, "exited with status 254: Line 1"));
	assert_int_equal(verdict(V171, DIALECT_FMT, 0, "", 1, 1, 0, why,
	    sizeof why), -EIO);
	assert_non_null(strstr(why, "usage"));
	/* Even where no summary is due, a run that printed nothing failed. */
	assert_int_equal(verdict(V178, DIALECT_CSV, 0, "", 0, 0, 0, why,
	    sizeof why), -EIO);
	assert_non_null(strstr(why, "printed nothing"));
}

/* 1.7.5 says why it refuses -A with fmt: on stdout, its only line. */
static void test_verdict_stdout_complaint(void **state)
{
	struct dialect d = dialect_of(DIALECT_V(1, 7, 5));
	struct dialect_end end = { .status = 1, .errtext = "", .header = 1,
		.firstline = "Can not use print format fmt:%ts to aggregate "
		    "flows" };
	char why[256];

	(void)state;
	assert_int_equal(dialect_verdict(&d, DIALECT_FMT, &end,
	    "nfcapd.202611271200", why, sizeof why), -EIO);
	assert_string_equal(why, "nfdump on nfcapd.202611271200 exited with "
	    "status 1: Can not use print format fmt:%ts to aggregate flows");
}

static void test_modes_per_version(void **state)
{
	struct dialect d171 = dialect_of(V171), d178 = dialect_of(V178);

	(void)state;
	assert_null(dialect_refuses(&d171, DIALECT_FMT, 1));
	assert_null(dialect_refuses(&d171, DIALECT_CSV, 1));
	assert_non_null(dialect_refuses(&d171, DIALECT_CSV_TOKENS, 0));
	assert_non_null(dialect_refuses(&d171, DIALECT_CSV_FAST, 0));
	assert_null(dialect_refuses(&d178, DIALECT_CSV_TOKENS, 1));
	assert_null(dialect_refuses(&d178, DIALECT_CSV_FAST, 0));
	assert_non_null(dialect_refuses(&d178, DIALECT_CSV_FAST, 1));
	/* 1.7.5 aggregates only into its own csv columns. */
	struct dialect d175 = dialect_of(DIALECT_V(1, 7, 5));

	assert_non_null(dialect_refuses(&d175, DIALECT_FMT, 1));
	assert_non_null(dialect_refuses(&d175, DIALECT_CSV_TOKENS, 1));
	assert_null(dialect_refuses(&d175, DIALECT_CSV, 1));
	assert_null(dialect_refuses(&d175, DIALECT_FMT, 0));
	assert_null(dialect_refuses(&d178, DIALECT_FMT, 1));
	/* 1.6 has -L and no -W; the 1.8 beta's -t takes no argument. */
	struct dialect d16 = dialect_of(DIALECT_V(1, 6, 25));
	struct dialect d18 = dialect_of(DIALECT_V(1, 8, 0));

	assert_non_null(strchr(dialect_optstring(&d16), 'L'));
	assert_null(strchr(dialect_optstring(&d16), 'W'));
	assert_non_null(strstr(dialect_optstring(&d18), "tT"));
	assert_non_null(strstr(dialect_optstring(&d18), "W:"));
	assert_non_null(strchr(dialect_optstring(&d171), 'L'));
	assert_null(strchr(dialect_optstring(&d178), 'L'));
	assert_non_null(strstr(dialect_optstring(&d178), "z::"));
}

/* What nfdump says of an empty file: accepted, or its own refusal. */
static void test_probe_verdict(void **state)
{
	const char *f = "nfcapd.197001010000";
	char why[256];

	(void)state;
	/* 1.7: the header, "No matching flows", a read() complaint, exit 0. */
	assert_int_equal(dialect_probe_verdict(0, "read() error in nffile.c\n"
	    "Date first seen  DC\nNo matching flows\n", f, why, sizeof why), 0);
	/* 1.8 and 1.6 name the file and exit 1 or 250. */
	assert_int_equal(dialect_probe_verdict(1, "Date first seen\nFile size "
	    "error for 'd/nfcapd.197001010000': too small\n", f, why,
	    sizeof why), 0);
	assert_int_equal(dialect_probe_verdict(250, "Open file 'd/nfcapd."
	    "197001010000': bad magic: 0x0\n", f, why, sizeof why), 0);
	/* 1.7.5's refusal of -A with fmt:, on stdout. */
	assert_int_equal(dialect_probe_verdict(1, "Can not use print format "
	    "fmt:%ts to aggregate flows\n", f, why, sizeof why), -EINVAL);
	assert_string_equal(why, "\"Can not use print format fmt:%ts to "
	    "aggregate flows\" (exit 1)");
	/* An unknown option: its usage, and exit 0. */
	assert_int_equal(dialect_probe_verdict(0, "nfdump: invalid option -- "
	    "'Y'\nusage nfdump [options]\n", f, why, sizeof why), -EINVAL);
	assert_non_null(strstr(why, "invalid option -- 'Y'"));
	assert_int_equal(dialect_probe_verdict(NFDUMP_SIGNALLED + 6, "", f, why,
	    sizeof why), -EINVAL);
	assert_non_null(strstr(why, "signal 6"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_version),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_verdict_clean),
		cmocka_unit_test(test_verdict_notes),
		cmocka_unit_test(test_verdict_summary),
		cmocka_unit_test(test_verdict_failures),
		cmocka_unit_test(test_modes_per_version),
		cmocka_unit_test(test_probe_verdict),
		cmocka_unit_test(test_verdict_stdout_complaint),
	};

	return cmocka_run_group_tests_name("dialect", tests, NULL, NULL);
}
