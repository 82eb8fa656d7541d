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
	char stamp[16];

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_earlier_version_line),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_ledger_bound),
		cmocka_unit_test(test_hostile_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
