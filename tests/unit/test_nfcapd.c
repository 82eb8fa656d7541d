/* SPDX-License-Identifier: BSD-2-Clause */
/* nfcapd_parse_name and nfcapd_check_relfile: which files are windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfcapd.h"

/* What the stamp holds before a call, to see that a refusal leaves it. */
#define UNTOUCHED "untouched....."

static void expect_name(const char *name, const char *want)
{
	char stamp[NFCAPD_STAMP_LEN + 1] = UNTOUCHED;

	assert_int_equal(nfcapd_parse_name(name, stamp), 0);
	assert_int_equal(strlen(stamp), NFCAPD_STAMP_LEN);
	assert_string_equal(stamp, want);
}

static void expect_bad_name(const char *name)
{
	char stamp[NFCAPD_STAMP_LEN + 1] = UNTOUCHED;

	assert_int_equal(nfcapd_parse_name(name, stamp), -EINVAL);
	assert_string_equal(stamp, UNTOUCHED);
}

static void expect_relfile(const char *relfile, const char *want)
{
	char stamp[NFCAPD_STAMP_LEN + 1] = UNTOUCHED;
	char err[256] = "";

	assert_int_equal(nfcapd_check_relfile(relfile, stamp, err,
	    sizeof err), 0);
	assert_string_equal(stamp, want);
	assert_string_equal(err, "");
}

static void expect_bad_relfile(const char *relfile, const char *why)
{
	char stamp[NFCAPD_STAMP_LEN + 1] = UNTOUCHED;
	char err[256] = "";

	assert_int_equal(nfcapd_check_relfile(relfile, stamp, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, why));
	/* The message names the file the operator gave. */
	assert_non_null(strstr(err, relfile));
	assert_string_equal(stamp, UNTOUCHED);
}

static void test_name_minutes(void **state)
{
	(void)state;
	expect_name("nfcapd.202611271055", "20261127105500");
	expect_name("nfcapd.197001010000", "19700101000000");
	expect_name("nfcapd.202612312359", "20261231235900");
	expect_name("nfcapd.209912312359", "20991231235900");
}

static void test_name_seconds(void **state)
{
	(void)state;
	expect_name("nfcapd.20261127105530", "20261127105530");
	expect_name("nfcapd.20261127105500", "20261127105500");
	expect_name("nfcapd.20261127235959", "20261127235959");
}

/* Both lengths sort as one: a 12-digit name is its 14-digit :00. */
static void test_name_sorts(void **state)
{
	char a[NFCAPD_STAMP_LEN + 1], b[NFCAPD_STAMP_LEN + 1];

	(void)state;
	assert_int_equal(nfcapd_parse_name("nfcapd.202611271055", a), 0);
	assert_int_equal(nfcapd_parse_name("nfcapd.20261127105459", b), 0);
	assert_true(strcmp(b, a) < 0);
	assert_int_equal(nfcapd_parse_name("nfcapd.20261127105501", b), 0);
	assert_true(strcmp(a, b) < 0);
}

static void test_name_not_rotated(void **state)
{
	(void)state;
	expect_bad_name("nfcapd.current.123");
	expect_bad_name("nfcapd.current.");
	expect_bad_name(".nfstat");
	expect_bad_name("nfcapd.");
	expect_bad_name("nfcapd");
	expect_bad_name("");
	expect_bad_name("nfcapd202611271055");
	expect_bad_name("xnfcapd.202611271055");
	expect_bad_name("NFCAPD.202611271055");
	expect_bad_name("nfdump.202611271055");
}

static void test_name_length(void **state)
{
	(void)state;
	expect_bad_name("nfcapd.2026112710550");
	expect_bad_name("nfcapd.20261127105");
	expect_bad_name("nfcapd.202611271055000");
	expect_bad_name("nfcapd.2026112710");
}

static void test_name_bad_date(void **state)
{
	(void)state;
	expect_bad_name("nfcapd.202613271055");
	expect_bad_name("nfcapd.202600271055");
	expect_bad_name("nfcapd.202611001055");
	expect_bad_name("nfcapd.202611311055");
	expect_bad_name("nfcapd.202604311055");
	expect_bad_name("nfcapd.202601321055");
	expect_bad_name("nfcapd.202602301055");
	expect_bad_name("nfcapd.202611272400");
	expect_bad_name("nfcapd.202611271060");
	expect_bad_name("nfcapd.20261127105560");
	expect_bad_name("nfcapd.196912312359");
	expect_bad_name("nfcapd.000001010000");
}

static void test_name_leap_day(void **state)
{
	(void)state;
	expect_name("nfcapd.202802291055", "20280229105500");
	expect_name("nfcapd.200002290000", "20000229000000");
	expect_name("nfcapd.202602281055", "20260228105500");
	expect_bad_name("nfcapd.202602291055");
	expect_bad_name("nfcapd.210002290000");
}

static void test_name_not_digits(void **state)
{
	(void)state;
	expect_bad_name("nfcapd.2026112710a5");
	expect_bad_name("nfcapd.20261127 1055");
	expect_bad_name("nfcapd.2026-1127105");
	expect_bad_name("nfcapd.+02611271055");
	expect_bad_name("nfcapd. 02611271055");
	expect_bad_name("nfcapd.202611271055.tmp");
	expect_bad_name("nfcapd.202611271055~");
	expect_bad_name("nfcapd.202611271055\n");
	expect_bad_name("nfcapd.202611271055/");
}

static void test_relfile(void **state)
{
	(void)state;
	expect_relfile("2026/11/27/nfcapd.202611271055", "20261127105500");
	expect_relfile("nfcapd.202611271055", "20261127105500");
	expect_relfile("2026/11/27/10/nfcapd.20261127105530",
	    "20261127105530");
	expect_relfile("2026-11-27/nfcapd.202611271055", "20261127105500");
}

static void test_relfile_not_relative(void **state)
{
	(void)state;
	expect_bad_relfile("/data/nfsen/profiles-data/live/a/2026/11/27/"
	    "nfcapd.202611271055", "must be relative");
	expect_bad_relfile("/nfcapd.202611271055", "must be relative");
	expect_bad_relfile("../nfcapd.202611271055", "must be relative");
	expect_bad_relfile("2026/../../nfcapd.202611271055",
	    "must be relative");
	expect_bad_relfile("2026/11/27/../../../../etc/nfcapd.202611271055",
	    "must be relative");
	expect_bad_relfile("..", "must be relative");
}

static void test_relfile_odd_names(void **state)
{
	(void)state;
	expect_bad_relfile("2026/11/27/nfcapd.current.123", "not a rotated");
	expect_bad_relfile("2026/11/27/.nfstat", "not a rotated");
	expect_bad_relfile("2026/11/27/", "not a rotated");
	expect_bad_relfile("", "not a rotated");
	expect_bad_relfile("2026/11/27/nfcapd.202611271055/", "not a rotated");
	expect_bad_relfile("2026/11/27/nfcapd.2026112710550", "not a rotated");
	expect_bad_relfile("2026/11/27/nfcapd.202611271055.gz",
	    "not a rotated");
	expect_bad_relfile("2026/11/27/nfcapd.202602291055", "not a rotated");
}

/* Stamps are the collector's local time; in UTC they are plain epochs. */
static void test_stamp_time(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	/* date -u -d '2026-11-27 12:00:41' +%s */
	assert_int_equal(nfcapd_stamp_time("20261127120041"), 1795780841);
	assert_int_equal(nfcapd_stamp_time("19700101000000"), 0);
	setenv("TZ", "Europe/Prague", 1);
	tzset();
	/* CET is an hour ahead of UTC in November. */
	assert_int_equal(nfcapd_stamp_time("20261127120041"), 1795777241);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_minutes),
		cmocka_unit_test(test_name_seconds),
		cmocka_unit_test(test_name_sorts),
		cmocka_unit_test(test_name_not_rotated),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_name_bad_date),
		cmocka_unit_test(test_name_leap_day),
		cmocka_unit_test(test_name_not_digits),
		cmocka_unit_test(test_relfile),
		cmocka_unit_test(test_relfile_not_relative),
		cmocka_unit_test(test_relfile_odd_names),
		cmocka_unit_test(test_stamp_time),
	};

	return cmocka_run_group_tests_name("nfcapd", tests, NULL, NULL);
}
