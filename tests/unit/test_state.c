/* SPDX-License-Identifier: BSD-2-Clause */
/* state: the floor, the ledger, earlier versions' files, hostile files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

static char *chans[] = { "chanA", "chanB" };
static struct profile prof = { "/nonexistent", chans, 2 };

static char *tmpfile_path(const char *name)
{
	static char dir[] = "/tmp/nfkafka-test-state.XXXXXX";
	static int made;
	char *path;

	if (!made++)
		assert_non_null(mkdtemp(dir));
	path = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	unlink(path);
	return path;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_earlier_version_line(void **state)
{
	char *path = tmpfile_path("old"), floor[NFCAPD_STAMP_LEN + 1], err[256];
	struct ledger *lg = ledger_new(2, 10);

	(void)state;
	put(path, "202611271055\n");
	assert_int_equal(state_load(path, &prof, floor, lg, err, sizeof err), 0);
	assert_string_equal(floor, "20261127105500");
	assert_int_equal(ledger_count(lg), 0);
	put(path, "garbage\n");
	assert_int_equal(state_load(path, &prof, floor, lg, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "not a window time"));
	ledger_free(lg);
	free(path);
}

static void test_round_trip(void **state)
{
	char *path = tmpfile_path("rt"), floor[NFCAPD_STAMP_LEN + 1], err[256];
	struct ledger *lg = ledger_new(2, 10), *back = ledger_new(2, 10);
	struct ledger_file f[2] = { { 100, 1700000000123456789, 42 },
		{ 0, 0, 0 } };
	const struct ledger_window *w;

	(void)state;
	ledger_put(lg, "20261127100000", "2026/11/27/nfcapd.202611271000", 2, f);
	f[1] = (struct ledger_file){ 7, 8, 9 };
	ledger_put(lg, "20261127100500", "2026/11/27/nfcapd.202611271005", 0, f);
	ledger_set_inflight(lg, "20261127101000", "nfcapd.202611271010", 0, f);
	assert_int_equal(state_save(path, &prof, "20261127100500", lg, err,
	    sizeof err), 0);
	assert_int_equal(state_load(path, &prof, floor, back, err, sizeof err),
	    0);
	assert_string_equal(floor, "20261127100500");
	assert_int_equal(ledger_count(back), 2);
	w = ledger_find(back, "20261127100000");
	assert_non_null(w);
	assert_int_equal(w->revision, 2);
	assert_string_equal(w->relfile, "2026/11/27/nfcapd.202611271000");
	assert_int_equal(w->files[0].mtime_ns, 1700000000123456789);
	assert_int_equal(w->files[1].ino, 0);
	assert_int_equal(ledger_find(back, "20261127100500")->files[1].ino, 9);
	assert_string_equal(ledger_inflight(back)->stamp, "20261127101000");
	/* Nothing exported yet is a floor of its own. */
	assert_int_equal(state_save(path, &prof, "", NULL, err, sizeof err), 0);
	assert_int_equal(state_load(path, &prof, floor, NULL, err, sizeof err),
	    0);
	assert_string_equal(floor, "");
	ledger_free(lg);
	ledger_free(back);
	free(path);
}

static void test_ledger_bound(void **state)
{
	struct ledger *lg = ledger_new(1, 3);
	struct ledger_file f = { 1, 1, 1 };
	char stamp[32];	/* room for any int: GCC 14 checks at -O1 */

	(void)state;
	for (int i = 0; i < 6; i++) {
		snprintf(stamp, sizeof stamp, "202611271%d0000", i);
		ledger_put(lg, stamp, "x", 0, &f);
	}
	assert_int_equal(ledger_count(lg), 3);
	assert_string_equal(ledger_at(lg, 0)->stamp, "20261127130000");
	ledger_put(lg, "20261127000000", "x", 0, &f);	/* older than all */
	assert_null(ledger_find(lg, "20261127000000"));
	ledger_drop(lg, "20261127140000");
	assert_int_equal(ledger_count(lg), 2);
	ledger_free(lg);
}

static void test_hostile_files(void **state)
{
	char *path = tmpfile_path("h"), *tmp = tmpfile_path("h.tmp");
	char *victim = tmpfile_path("victim"), floor[NFCAPD_STAMP_LEN + 1];
	char err[256], buf[32] = "";
	FILE *f;

	(void)state;
	/* Ahead of the clock: loaded; the service judges it (--future-slack). */
	put(path, "209901010000\n");
	assert_int_equal(state_load(path, &prof, floor, NULL, err, sizeof err),
	    0);
	assert_string_equal(floor, "20990101000000");
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(state_load(path, &prof, floor, NULL, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "FIFO"));
	assert_int_equal(state_check(path, err, sizeof err), -EINVAL);
	unlink(path);
	put(victim, "precious\n");
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(state_save(path, &prof, "20261127100000", NULL, err,
	    sizeof err), 0);
	f = fopen(victim, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "precious\n");
	unlink(path);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(state_load(path, &prof, floor, NULL, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "symbolic link"));
	unlink(path);
	unlink(victim);
	free(path);
	free(tmp);
	free(victim);
}

/* Directory names with a newline, a space, '%': one line, read back. */
static void test_names_that_break_lines(void **state)
{
	char *path = tmpfile_path("names"), floor[NFCAPD_STAMP_LEN + 1];
	char err[256], *text = NULL;
	size_t cap = 0;
	struct ledger *lg = ledger_new(2, 10), *back = ledger_new(2, 10);
	struct ledger_file f[2] = { { 1, 2, 3 }, { 4, 5, 6 } };
	const char *bad = "a b/x\nwindow 20261127100000 0 ..\tetc "
	    "nfcapd.202611271000 chanA=1,1,1\r/100%/nfcapd.202611271000";
	FILE *in;
	int lines = 0;

	(void)state;
	ledger_put(lg, "20261127100000", bad, 0, f);
	assert_int_equal(state_save(path, &prof, "20261127100000", lg, err,
	    sizeof err), 0);
	in = fopen(path, "r");
	while (getline(&text, &cap, in) > 0)
		lines++;
	fclose(in);
	free(text);
	assert_int_equal(lines, 3);	/* floor, version, one window */
	assert_int_equal(state_load(path, &prof, floor, back, err, sizeof err),
	    0);
	assert_int_equal(ledger_count(back), 1);
	assert_string_equal(ledger_at(back, 0)->relfile, bad);
	ledger_free(lg);
	ledger_free(back);
	free(path);
}

/* Paths that leave the channel directories, and unknown lines: said, not fatal. */
static void test_hostile_lines(void **state)
{
	char *path = tmpfile_path("lines"), floor[NFCAPD_STAMP_LEN + 1];
	char err[256];
	struct ledger *lg = ledger_new(2, 10);

	(void)state;
	put(path, "202611271005\nnfkafka-ledger 2\n"
	    "window 20261127100000 0 ../../outside/nfcapd.202611271000 "
	    "chanA=1,1,1\n"
	    "window 20261127100000 0 /etc/nfcapd.202611271000 chanA=1,1,1\n"
	    "window 20261127100000 0 a/nfcapd.202611271001 chanA=1,1,1\n"
	    "window 20261127100000 0 a%00b/nfcapd.202611271000 chanA=1,1,1\n"
	    "something 20261127100000 0 nfcapd.202611271000 chanA=1,1,1\n"
	    "window 20261127100500 1 a%20b/nfcapd.202611271005 chanA=1,1,1\n");
	assert_int_equal(state_load(path, &prof, floor, lg, err, sizeof err),
	    0);
	assert_int_equal(ledger_count(lg), 1);
	assert_string_equal(ledger_at(lg, 0)->relfile,
	    "a b/nfcapd.202611271005");
	/* A newer version's ledger: a person must look; the message says how. */
	put(path, "202611271005\nnfkafka-ledger 3\n");
	assert_int_equal(state_load(path, &prof, floor, lg, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "newer nfkafka"));
	assert_non_null(strstr(err, "first line"));
	/* Version 1 wrote names raw: '%' is a character there. */
	ledger_free(lg);
	lg = ledger_new(2, 10);
	put(path, "202611271005\nnfkafka-ledger 1\n"
	    "window 20261127100500 1 a%20b/nfcapd.202611271005 chanA=1,1,1\n");
	assert_int_equal(state_load(path, &prof, floor, lg, err, sizeof err),
	    0);
	assert_string_equal(ledger_at(lg, 0)->relfile,
	    "a%20b/nfcapd.202611271005");
	ledger_free(lg);
	free(path);
}

/* The largest ledger over many channels loads back (it outgrew 16 MiB). */
static void test_largest_ledger_loads(void **state)
{
	static char names[64][24], *many[64];
	struct profile big = { "/nonexistent", many, 64 };
	struct ledger *lg = ledger_new(64, 20000), *back;
	struct ledger_file f[64];
	char *path = tmpfile_path("big"), floor[NFCAPD_STAMP_LEN + 1];
	char err[256], stamp[32], rel[80];
	struct stat st;

	(void)state;
	for (int i = 0; i < 64; i++) {
		snprintf(names[i], sizeof names[i], "router-%02d", i);
		many[i] = names[i];
		f[i] = (struct ledger_file){ 123456789, 1700000000123456789,
		    1234567 + (uint64_t)i };
	}
	for (int i = 0; i < 20000; i++) {
		snprintf(stamp, sizeof stamp, "2026%02d%02d%02d%02d00",
		    1 + i / 1440 % 12, 1 + i / 60 % 24, i / 60 % 24, i % 60);
		snprintf(rel, sizeof rel, "2026/11/27/nfcapd.%s", stamp);
		ledger_put(lg, stamp, rel, 0, f);
	}
	assert_int_equal(state_save(path, &big, "20261231000000", lg, err,
	    sizeof err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > (16 << 20));
	back = ledger_new(64, 20000);
	assert_int_equal(state_load(path, &big, floor, back, err, sizeof err),
	    0);
	assert_int_equal(ledger_count(back), ledger_count(lg));
	unlink(path);
	ledger_free(lg);
	ledger_free(back);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_earlier_version_line),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_ledger_bound),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_names_that_break_lines),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_largest_ledger_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
