/* SPDX-License-Identifier: BSD-2-Clause */
/* nfdump_run_sync: a child run to its end, with nfdump's environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <uv.h>

#include "nfdump.h"

static void test_output_and_status(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "echo 'Version: 1.7.8'; exit 3",
		NULL };
	char out[64];

	(void)state;
	assert_int_equal(nfdump_run_sync(argv, out, sizeof out, 10000), 3);
	assert_string_equal(out, "Version: 1.7.8\n");
}

/* Output beyond outlen is read and dropped, so the child never blocks. */
static void test_output_cut(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "seq 1 100000", NULL };
	char out[8];

	(void)state;
	assert_int_equal(nfdump_run_sync(argv, out, sizeof out, 10000), 0);
	assert_string_equal(out, "1\n2\n3\n4");
}

/* Exit statuses above 128 are nfdump's own; a signal is told apart. */
static void test_signal(void **state)
{
	char *kill9[] = { "/bin/sh", "-c", "kill -9 $$", NULL };
	char *exit254[] = { "/bin/sh", "-c", "exit 254", NULL };

	(void)state;
	assert_int_equal(nfdump_run_sync(kill9, NULL, 0, 10000),
	    NFDUMP_SIGNALLED + 9);
	assert_int_equal(nfdump_run_sync(exit254, NULL, 0, 10000), 254);
}

/* A child that hangs is killed at the deadline. */
static void test_timeout(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "trap '' TERM; exec sleep 30", NULL };
	uint64_t t0 = uv_hrtime();

	(void)state;
	assert_int_equal(nfdump_run_sync(argv, NULL, 0, 300), -ETIMEDOUT);
	assert_true(uv_hrtime() - t0 < 5000000000ULL);
}

/* TZ, LC_ALL and PATH only: nothing of nfkafka's own environment. */
static void test_environment(void **state)
{
	char *argv[] = { "/usr/bin/env", NULL };
	char out[8192];

	(void)state;
	setenv("NFKAFKA_TEST_SECRET", "s3cr3t", 1);
	assert_int_equal(nfdump_run_sync(argv, out, sizeof out, 10000), 0);
	assert_non_null(strstr(out, "TZ=UTC\n"));
	assert_non_null(strstr(out, "LC_ALL=C\n"));
	assert_non_null(strstr(out, "PATH="));
	assert_null(strstr(out, "s3cr3t"));
	assert_int_equal(nfdump_run_sync((char *[]){ "/no/such/nfdump",
	    NULL }, NULL, 0, 1000), -ENOENT);
}

/* True once pid is gone or a zombie, within a generous deadline. */
static int gone(long pid)
{
	uint64_t end = uv_hrtime() + 20000000000ULL;

	while (uv_hrtime() < end) {
		char path[64], line[256], *p;
		FILE *f;

		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			return 1;
		p = fgets(line, sizeof line, f);
		fclose(f);
		if (p != NULL && (p = strrchr(line, ')')) != NULL &&
		    p[1] == ' ' && p[2] == 'Z')
			return 1;
		uv_sleep(20);
	}
	return 0;
}

/*
 * What nfdump leaves behind holding its output is stopped with it (its
 * process group): the run ends when nfdump exits, not at the deadline.
 */
static void test_group_after_exit(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; exit 3", NULL };
	char out[64];
	uint64_t t0 = uv_hrtime();

	(void)state;
	assert_int_equal(nfdump_run_sync_all(argv, out, sizeof out, 20000), 3);
	assert_true(uv_hrtime() - t0 < 15000000000ULL);
	assert_true(gone(strtol(out, NULL, 10)));
}

/* At the deadline the whole group is killed, not only nfdump. */
static void test_group_timeout(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; wait", NULL };
	char out[64] = "";
	long pid;

	(void)state;
	assert_int_equal(nfdump_run_sync_all(argv, out, sizeof out, 500),
	    -ETIMEDOUT);
	pid = strtol(out, NULL, 10);
	assert_true(pid > 0);
	assert_true(gone(pid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_output_cut),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_group_after_exit),
		cmocka_unit_test(test_group_timeout),
	};

	return cmocka_run_group_tests_name("nfdump", tests, NULL, NULL);
}
