/* SPDX-License-Identifier: BSD-2-Clause */
/* --check-config: the query meets a real nfdump before the service starts. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "nfcapd.h"
#include "nfdump.h"
#include "profile.h"
#include "watch.h"
#include "strv.h"
#include "xmalloc.h"

#define CHECK_WINDOW "nfcapd.197001010000"
/* Copying the newest window may take a while; a hung nfdump may not. */
#define CHECK_RUN_MS (10 * 60 * 1000)

/*
 * Runs argv to completion, quietly, with the environment a window's run
 * gets (a secret from the environment must not reach nfdump here either).
 */
static int check_run(char *const argv[])
{
	return nfdump_run_sync(argv, NULL, 0, CHECK_RUN_MS);
}

/* The query's filter alone, when there is no file to run it on. */
static int check_filter(const struct export_options *o, char *errstr,
    size_t errlen)
{
	char *filter = query_filter_text(o->query);
	/* "--": a filter that starts with '-' is no option. */
	char *argv[] = { (char *)o->nfdump, "-Z", "--", filter, NULL };
	int status;

	status = check_run(argv);
	free(filter);
	if (status != 0) {
		snprintf(errstr, errlen, "nfdump rejects the filter (nfdump -Z "
		    "exits %d)", status);
		return -EINVAL;
	}
	return 0;
}

struct check_result {
	int done;
	struct export_result r;
};

static void check_done(void *arg, const char *stamp,
    const struct export_result *r)
{
	struct check_result *res = arg;

	(void)stamp;
	res->r = *r;
	res->done = 1;
}

/* Exports the empty window; no record means nothing is sent to Kafka. */
static int check_export(uv_loop_t *loop, struct export_options *o,
    const struct kafka_options *ko, const char *dir, char *errstr,
    size_t errlen)
{
	struct check_result res = { 0 };
	struct kafka_options dry = *ko;
	struct kafka *k;
	struct exporter *x;
	struct profile p;
	char stamp[] = "19700101000000", *chan;
	int error;

	xasprintf(&chan, "%s/c", dir);
	error = profile_parse(chan, &p, errstr, errlen);
	free(chan);
	if (error != 0) {
		export_options_free(o);
		return error;
	}
	o->profile = &p;
	/* The dry run sends nothing: no window summary either. */
	dry.summary_topic = NULL;
	error = kafka_new(loop, &dry, &k, errstr, errlen);
	if (error != 0) {
		export_options_free(o);
		profile_free(&p);
		return error; /* librdkafka's reason is in errstr */
	}
	error = exporter_new(loop, o, k, &dry, &x, errstr, errlen);
	if (error != 0) {
		export_options_free(o);
		kafka_destroy(k, 0);
		profile_free(&p);
		return error;
	}
	error = export_start(x, &(struct export_window){ CHECK_WINDOW, stamp,
	    1, 0 }, check_done, &res);
	while (error == 0 && !res.done)
		uv_run(loop, UV_RUN_ONCE);
	exporter_free(x);
	kafka_destroy(k, 0);
	uv_run(loop, UV_RUN_NOWAIT);
	profile_free(&p);
	if (error != 0) {
		snprintf(errstr, errlen, "cannot run nfdump: %s",
		    uv_strerror(error));
		return error;
	}
	if (failure_failed(&res.r.failure)) {
		/* The operator never named that empty window: do not show it. */
		const char *msg = res.r.failure.message;
		const char *own = strstr(msg, " on " CHECK_WINDOW);

		if (own != NULL)
			snprintf(errstr, errlen, "%.*s, in a dry run on an empty "
			    "window,%s", (int)(own - msg), msg,
			    own + strlen(" on " CHECK_WINDOW));
		else
			snprintf(errstr, errlen, "%s", msg);
		return -EINVAL;
	}
	return 0;
}

/* An empty copy of the newest window: same format, same nfdump, no flows. */
static int check_empty_window(const struct export_options *o,
    const char *newest, char *dir, char *errstr, size_t errlen)
{
	char *out, *chan;
	char *argv[] = { (char *)o->nfdump, "-r", (char *)newest, "-w", NULL,
		"proto 255 and not proto 255", NULL };
	int status;

	xasprintf(&chan, "%s/c", dir);
	mkdir(chan, 0700);
	xasprintf(&out, "%s/%s", chan, CHECK_WINDOW);
	argv[4] = out;
	status = check_run(argv);
	free(out);
	free(chan);
	if (status != 0) {
		snprintf(errstr, errlen, "nfdump cannot read %s (exit %d)",
		    newest, status);
		return -EINVAL;
	}
	return 0;
}

static void check_remove(const char *dir)
{
	char *path;

	xasprintf(&path, "%s/c/%s", dir, CHECK_WINDOW);
	unlink(path);
	free(path);
	xasprintf(&path, "%s/c", dir);
	rmdir(path);
	free(path);
	rmdir(dir);
}

int check_query(uv_loop_t *loop, struct export_options *o,
    const struct kafka_options *ko, const char **what, char *errstr,
    size_t errlen)
{
	char dir[] = "/tmp/nfkafka-check.XXXXXX";
	char stamp[NFCAPD_STAMP_LEN + 1], *newest;
	int error;

	watch_newest(o->profile, stamp, &newest);
	if (newest == NULL) {
		*what = "the filter only: no window on disk yet";
		error = check_filter(o, errstr, errlen);
		export_options_free(o);
		return error;
	}
	*what = "a dry run of the query";
	if (mkdtemp(dir) == NULL) {
		error = -errno;
		snprintf(errstr, errlen, "%s: %s", dir, strerror(-error));
		export_options_free(o);
		free(newest);
		return error;
	}
	error = check_empty_window(o, newest, dir, errstr, errlen);
	if (error == 0)
		error = check_export(loop, o, ko, dir, errstr, errlen);
	else
		export_options_free(o);
	check_remove(dir);
	free(newest);
	return error;
}
