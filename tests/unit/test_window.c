/* SPDX-License-Identifier: BSD-2-Clause */
/* windows: order, grace, floor, the start-up scan, and revisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "window.h"

static int woken;

static void wake(void *arg)
{
	(void)arg;
	woken++;
}

static struct windows *make(uv_loop_t *loop, size_t nch, uint64_t grace)
{
	uv_loop_init(loop);
	woken = 0;
	return window_new(loop, nch, grace, wake, NULL);
}

static void done(uv_loop_t *loop, struct windows *ws)
{
	window_free(ws);
	uv_run(loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(loop), 0);
}

static void test_order_and_merge(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 2, 0);

	(void)state;
	assert_int_equal(window_add(ws, 0, "nfcapd.202611271010", "20261127101000"), 0);
	assert_int_equal(window_add(ws, 0, "nfcapd.202611271000", "20261127100000"), 0);
	assert_int_equal(window_add(ws, 1, "nfcapd.202611271005", "20261127100500"), 0);
	assert_int_equal(window_add(ws, 1, "nfcapd.202611271000", "20261127100000"), 0);
	assert_int_equal(window_pending(ws), 3);
	assert_string_equal(window_head(ws)->stamp, "20261127100000");
	assert_int_equal(window_head(ws)->mask, 3);
	window_pop(ws);
	assert_string_equal(window_floor(ws), "20261127100000");
	assert_string_equal(window_head(ws)->stamp, "20261127100500");
	window_pop(ws);
	assert_string_equal(window_head(ws)->stamp, "20261127101000");
	/* A newer window after the tail goes last; one between goes between. */
	window_add(ws, 0, "nfcapd.202611271020", "20261127102000");
	window_add(ws, 0, "nfcapd.202611271015", "20261127101500");
	window_pop(ws);
	assert_string_equal(window_head(ws)->stamp, "20261127101500");
	window_pop(ws);
	assert_string_equal(window_head(ws)->stamp, "20261127102000");
	window_pop(ws);
	assert_null(window_head(ws));
	window_add(ws, 0, "nfcapd.202611271030", "20261127103000");
	assert_string_equal(window_head(ws)->stamp, "20261127103000");
	done(&loop, ws);
}

static void test_grace(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 2, 3600 * 1000);

	(void)state;
	window_add(ws, 0, "nfcapd.202611271000", "20261127100000");
	/* chanB is late and has rotated nothing newer: wait. */
	assert_null(window_ready(ws));
	window_add(ws, 1, "nfcapd.202611271000", "20261127100000");
	assert_non_null(window_ready(ws));
	window_pop(ws);
	window_add(ws, 0, "nfcapd.202611271005", "20261127100500");
	assert_null(window_ready(ws));
	/* chanB moved on to a newer window: it skipped this one. */
	window_add(ws, 1, "nfcapd.202611271010", "20261127101000");
	assert_string_equal(window_ready(ws)->stamp, "20261127100500");
	done(&loop, ws);
}

static void test_grace_expires(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 2, 50);

	(void)state;
	window_add(ws, 0, "nfcapd.202611271000", "20261127100000");
	assert_null(window_ready(ws));
	uv_run(&loop, UV_RUN_ONCE);	/* the grace timer */
	assert_int_equal(woken, 1);
	uv_update_time(&loop);
	assert_non_null(window_ready(ws));
	done(&loop, ws);
}

static void test_floor(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 1, 0);

	(void)state;
	window_set_floor(ws, "20261127100500");
	assert_int_equal(window_add(ws, 0, "nfcapd.202611271000",
	    "20261127100000"), -EALREADY);
	assert_int_equal(window_add(ws, 0, "nfcapd.202611271005",
	    "20261127100500"), -EALREADY);
	assert_int_equal(window_add(ws, 0, "nfcapd.202611271010",
	    "20261127101000"), 0);
	assert_int_equal(window_add(ws, 0, "nfcapd.202611271015",
	    "20261127101500"), 0);
	window_set_floor(ws, "20261127101000");
	assert_int_equal(window_pending(ws), 1);
	assert_string_equal(window_head(ws)->stamp, "20261127101500");
	/* The floor never moves back. */
	window_set_floor(ws, "20261127090000");
	assert_string_equal(window_floor(ws), "20261127101000");
	done(&loop, ws);
}

static void test_scan_sorts_and_merges(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 2, 0);
	char stamp[32], name[48];
	const struct window *w;
	size_t n = 0;

	(void)state;
	window_set_floor(ws, "20261127000010");
	window_scan_begin(ws);
	for (int i = 9999; i >= 0; i--) {
		int s = (i * 7919) % 10000;	/* every number once, shuffled */

		snprintf(stamp, sizeof stamp, "2026112700%04d", s);
		snprintf(name, sizeof name, "nfcapd.%s", stamp);
		if (s % 100 >= 60)
			continue;	/* no such second */
		window_add(ws, 0, name, stamp);
		if (s % 2 == 0)
			window_add(ws, 1, name, stamp);
	}
	window_scan_end(ws);
	for (w = window_head(ws); w != NULL; w = window_head(ws)) {
		assert_true(strcmp(w->stamp, window_floor(ws)) > 0);
		assert_int_equal(w->mask, (w->stamp[13] - '0') % 2 == 0 ? 3 : 1);
		window_pop(ws);
		n++;
	}
	assert_int_equal(n, 6000 - 11);
	done(&loop, ws);
}

static void test_revisions(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 2, 0);

	(void)state;
	window_add(ws, 0, "nfcapd.202611271000", "20261127100000");
	window_pop(ws);
	window_add(ws, 0, "nfcapd.202611271005", "20261127100500");
	/* The changed window 10:00 is queued before 10:05, in stamp order. */
	assert_int_equal(window_add_revision(ws, "20261127100000",
	    "nfcapd.202611271000", 1), 1);
	assert_int_equal(window_add_revision(ws, "20261127100000",
	    "nfcapd.202611271000", 1), 0);
	assert_int_equal(window_add_revision(ws, "20261127100000",
	    "nfcapd.202611271000", 2), -EEXIST);
	assert_int_equal(window_head(ws)->revision, 1);
	/* A revision waits for its files to settle, and holds the rest. */
	assert_null(window_ready(ws));
	/* Moving the floor keeps a queued revision. */
	window_set_floor(ws, "20261127100000");
	assert_int_equal(window_pending(ws), 2);
	uv_run(&loop, UV_RUN_ONCE);
	assert_int_equal(woken, 1);
	uv_update_time(&loop);
	assert_int_equal(window_ready(ws)->revision, 1);
	window_pop(ws);
	/* Popping a revision does not move the floor back. */
	assert_string_equal(window_floor(ws), "20261127100000");
	assert_string_equal(window_ready(ws)->stamp, "20261127100500");
	assert_int_equal(window_remove(ws, "20261127100500"), 0);
	assert_int_equal(window_remove(ws, "20261127100500"), -ENOENT);
	assert_int_equal(window_pending(ws), 0);
	window_add(ws, 0, "nfcapd.202611271010", "20261127101000");
	assert_string_equal(window_head(ws)->stamp, "20261127101000");
	done(&loop, ws);
}

/*
 * A revision of an older window can be queued ahead of the window being
 * exported: finishing that export must remove it, not the revision.
 */
static void test_done_while_a_revision_queues_ahead(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 1, 0);
	struct window *exporting;

	(void)state;
	window_add(ws, 0, "nfcapd.202611271000", "20261127100000");
	window_pop(ws);
	window_add(ws, 0, "nfcapd.202611271005", "20261127100500");
	exporting = window_ready(ws);
	assert_string_equal(exporting->stamp, "20261127100500");
	assert_int_equal(window_add_revision(ws, "20261127100000",
	    "nfcapd.202611271000", 1), 1);
	assert_ptr_not_equal(window_head(ws), exporting);
	window_done(ws, exporting);
	assert_int_equal(window_pending(ws), 1);
	assert_string_equal(window_head(ws)->stamp, "20261127100000");
	assert_int_equal(window_head(ws)->revision, 1);
	assert_string_equal(window_floor(ws), "20261127100500");
	done(&loop, ws);
}

/* Below the floor and never exported: queued in order, kept by the floor. */
static void test_late_windows(void **state)
{
	uv_loop_t loop;
	struct windows *ws = make(&loop, 2, 0);
	uint64_t n;

	(void)state;
	window_set_floor(ws, "20261127102000");
	assert_int_equal(window_add(ws, 0, "nfcapd.202611271010",
	    "20261127101000"), -EALREADY);
	n = window_recorded(ws);
	assert_int_equal(window_add_late(ws, 0, "nfcapd.202611271010",
	    "20261127101000"), 0);
	assert_int_equal(window_recorded(ws), n + 1);
	/* The same file again adds nothing; the other channel does. */
	window_add_late(ws, 0, "nfcapd.202611271010", "20261127101000");
	assert_int_equal(window_recorded(ws), n + 1);
	window_add_late(ws, 1, "nfcapd.202611271010", "20261127101000");
	assert_int_equal(window_recorded(ws), n + 2);
	window_add_late(ws, 0, "nfcapd.202611271005", "20261127100500");
	window_add(ws, 0, "nfcapd.202611271025", "20261127102500");
	window_set_floor(ws, "20261127102000");
	assert_string_equal(window_ready(ws)->stamp, "20261127100500");
	assert_true(window_head(ws)->late);
	window_pop(ws);
	assert_string_equal(window_floor(ws), "20261127102000");
	assert_string_equal(window_ready(ws)->stamp, "20261127101000");
	assert_int_equal(window_head(ws)->mask, 3);
	window_pop(ws);
	assert_string_equal(window_ready(ws)->stamp, "20261127102500");
	done(&loop, ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_merge),
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_grace_expires),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_scan_sorts_and_merges),
		cmocka_unit_test(test_revisions),
		cmocka_unit_test(test_done_while_a_revision_queues_ahead),
		cmocka_unit_test(test_late_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
