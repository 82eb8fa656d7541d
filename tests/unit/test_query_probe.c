/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The query probe: blocking and on the loop, the same verdict on the same
 * nfdump; a cancelled one is stopped and leaves no empty window behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "query_probe.h"
#include "xmalloc.h"
#include "mock.h"

struct fixture {
	char dir[64];
	struct dialect d;
	struct query q;
	char *nfdump;
};

struct verdict {
	int called;
	int status;
	char why[512];
};

static void fixture_init(struct fixture *f, const char *body)
{
	char err[256];

	snprintf(f->dir, sizeof f->dir, "/tmp/nfkafka-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* The probes' empty windows go here, to see them removed. */
	setenv("TMPDIR", f->dir, 1);
	f->d = dialect_of(DIALECT_V(1, 7, 1));
	assert_int_equal(query_parse(QUERY_DEFAULT, &f->d, &f->q, err,
	    sizeof err), 0);
	f->nfdump = mock_nfdump(f->dir, body);
}

/* Only the fake nfdump is left in the directory. */
static void fixture_free(struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	int entries = 0;

	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			entries++;
	}
	closedir(d);
	assert_int_equal(entries, 1);
	unlink(f->nfdump);
	rmdir(f->dir);
	free(f->nfdump);
	query_free(&f->q);
	unsetenv("TMPDIR");
}

static void judged(void *arg, int status, const char *why)
{
	struct verdict *v = arg;

	v->called++;
	v->status = status;
	snprintf(v->why, sizeof v->why, "%s", why);
}

/* The verdict of a probe on the loop. */
static struct verdict probe_on_loop(struct fixture *f, int cancel)
{
	uv_loop_t loop;
	struct query_probe *p;
	struct verdict v = { 0 };

	uv_loop_init(&loop);
	assert_int_equal(query_probe_start(&loop, &f->q, f->nfdump, judged,
	    &v, &p), 0);
	if (cancel)
		query_probe_cancel(p);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_int_equal(v.called, 1);
	return v;
}

static void test_accepted(void **state)
{
	struct fixture f;
	char why[512];

	(void)state;
	fixture_init(&f, "echo 'No matching flows'; exit 0");
	assert_int_equal(query_probe(&f.q, f.nfdump, why, sizeof why), 0);
	assert_int_equal(probe_on_loop(&f, 0).status, 0);
	fixture_free(&f);
}

/* nfdump's complaint on stderr goes first, before its usage on stdout. */
static void test_refused(void **state)
{
	struct fixture f;
	struct verdict v;
	char why[512];

	(void)state;
	fixture_init(&f, "echo \"nfdump: invalid option -- 'z'\" >&2; "
	    "echo 'usage nfdump [options] [\"filter\"]'; exit 255");
	assert_int_equal(query_probe(&f.q, f.nfdump, why, sizeof why),
	    -EINVAL);
	v = probe_on_loop(&f, 0);
	assert_int_equal(v.status, -EINVAL);
	assert_string_equal(v.why, why);
	assert_non_null(strstr(why, "nfdump 1.7.1 refuses the query: "
	    "\"nfdump: invalid option -- 'z'\" (exit 255)"));
	fixture_free(&f);
}

/* 1.8 refuses the empty window's layout, naming it, after its checks. */
static void test_file_named(void **state)
{
	struct fixture f;
	char why[512];

	(void)state;
	fixture_init(&f, "echo \"Open file '$2/nfcapd.197001010005': bad "
	    "layout\" >&2; exit 255");
	assert_int_equal(query_probe(&f.q, f.nfdump, why, sizeof why), 0);
	assert_int_equal(probe_on_loop(&f, 0).status, 0);
	fixture_free(&f);
}

/* A cancelled probe is killed, with what it started, and says so. */
static void test_cancelled(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f, "sleep 120; exit 0");
	assert_int_equal(probe_on_loop(&f, 1).status, -ECANCELED);
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_file_named),
		cmocka_unit_test(test_cancelled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
