/* SPDX-License-Identifier: BSD-2-Clause */
/* watch: rotated nfcapd files reported through inotify on a temp dir. */
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
#include <uv.h>

#include "profile.h"
#include "watch.h"
#include "xmalloc.h"

struct seen {
	int n;
	size_t channel[8];
	char relfile[8][64];
	char stamp[8][NFCAPD_STAMP_LEN + 1];
};

static void seen_file(void *arg, size_t channel, const char *relfile,
    const char *stamp)
{
	struct seen *s = arg;

	/* A file may be reported twice: keep it once. */
	for (int i = 0; i < s->n; i++) {
		if (s->channel[i] == channel &&
		    strcmp(s->relfile[i], relfile) == 0)
			return;
	}
	if (s->n == 8)
		return;
	s->channel[s->n] = channel;
	snprintf(s->relfile[s->n], sizeof s->relfile[s->n], "%s", relfile);
	snprintf(s->stamp[s->n], sizeof s->stamp[s->n], "%s", stamp);
	s->n++;
}

static void tick(uv_timer_t *t)
{
	(void)t;
}

/* Runs the loop until n files were seen, or a generous deadline. */
static void run_until_seen(uv_loop_t *loop, const struct seen *s, int n)
{
	uint64_t deadline = uv_hrtime() + 30000000000ULL;
	uv_timer_t t;

	/* The timer wakes the loop to look at the deadline. */
	uv_timer_init(loop, &t);
	uv_timer_start(&t, tick, 100, 100);
	while (s->n < n && uv_hrtime() < deadline)
		uv_run(loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&t, NULL);
	uv_run(loop, UV_RUN_NOWAIT);
	assert_int_equal(s->n, n);
}

static void touch(const char *dir, const char *name)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	free(path);
}

static void move(const char *dir, const char *from, const char *to)
{
	char *a, *b;

	xasprintf(&a, "%s/%s", dir, from);
	xasprintf(&b, "%s/%s", dir, to);
	assert_int_equal(rename(a, b), 0);
	free(a);
	free(b);
}

/*
 * nfcapd writes nfcapd.current.PID and renames it at rotation: only the
 * rename counts, in whichever channel it happens, also in a date
 * directory made after the start (nfcapd -S 1).
 */
static void test_rotation_reported(void **state)
{
	char dir[] = "/tmp/nfkafka-watch.XXXXXX", *prof, *a, *b, *day, *cmd;
	struct profile p;
	struct watch *w;
	struct seen s = { 0 };
	uv_loop_t loop;
	char err[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	xasprintf(&a, "%s/a", dir);
	xasprintf(&b, "%s/b", dir);
	mkdir(a, 0700);
	mkdir(b, 0700);
	xasprintf(&prof, "%s/a:b", dir);
	assert_int_equal(profile_parse(prof, &p, err, sizeof err), 0);
	uv_loop_init(&loop);
	assert_int_equal(watch_start(&loop, &p, seen_file, &s, &w, err,
	    sizeof err), 0);
	touch(b, "nfcapd.current.123");
	touch(b, "notes.txt");
	move(b, "nfcapd.current.123", "nfcapd.202611271055");
	run_until_seen(&loop, &s, 1);
	assert_int_equal(s.channel[0], 1);
	assert_string_equal(s.relfile[0], "nfcapd.202611271055");
	assert_string_equal(s.stamp[0], "20261127105500");
	xasprintf(&day, "%s/2026", a);
	mkdir(day, 0700);
	free(day);
	xasprintf(&day, "%s/2026/11", a);
	mkdir(day, 0700);
	free(day);
	xasprintf(&day, "%s/2026/11/27", a);
	mkdir(day, 0700);
	touch(day, "nfcapd.current.7");
	move(day, "nfcapd.current.7", "nfcapd.202611271100");
	run_until_seen(&loop, &s, 2);
	assert_int_equal(s.channel[1], 0);
	assert_string_equal(s.relfile[1], "2026/11/27/nfcapd.202611271100");
	watch_stop(w);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	xasprintf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(day);
	free(prof);
	free(a);
	free(b);
	profile_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
