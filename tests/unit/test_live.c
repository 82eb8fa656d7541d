/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * live: windows on disk exported in order, retried, revised, stopped (the
 * window in flight finished, or abandoned).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dialect.h"
#include "export.h"
#include "kafka.h"
#include "live.h"
#include "profile.h"
#include "query.h"
#include "strv.h"
#include "xmalloc.h"
#include "mock.h"

#define TOPIC "flows"
#define ROWS 3

struct fixture {
	uv_loop_t loop;
	struct mock m;
	char dir[64];
	char *chan;
	char *state;
	struct profile p;
	struct dialect d;
	struct kafka_options ko;
	struct kafka *k;
	struct exporter *x;
	struct export_options o;
	struct live_options lo;
	struct live *l;
	int exited;
	int status;
	int outcomes[3];	/* by enum live_outcome */
};

static void fixture_init(struct fixture *f, const char *nfdump_body)
{
	char err[256];

	memset(f, 0, sizeof *f);
	uv_loop_init(&f->loop);
	mock_start(&f->m, TOPIC, 1);
	snprintf(f->dir, sizeof f->dir, "/tmp/nfkafka-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	xasprintf(&f->chan, "%s/c", f->dir);
	mkdir(f->chan, 0700);
	xasprintf(&f->state, "%s/state", f->dir);
	assert_int_equal(profile_parse(f->chan, &f->p, err, sizeof err), 0);
	f->d = dialect_of(DIALECT_V(1, 7, 1));
	f->ko.brokers = f->m.brokers;
	f->ko.topic = TOPIC;
	f->o.query = xcalloc(1, sizeof *f->o.query);
	assert_int_equal(query_parse(QUERY_DEFAULT, &f->d, f->o.query, err,
	    sizeof err), 0);
	f->o.profile = &f->p;
	snprintf(f->o.timestamp, sizeof f->o.timestamp, "send");
	f->o.interval_s = 300;
	f->o.headers = 1;
	f->o.batch = 1;
	f->o.nfdump = mock_nfdump(f->dir, nfdump_body);
	f->lo = (struct live_options){ .since = "", .replay_from = "",
		.replay_to = "", .backoff_min_ms = 10, .backoff_max_ms = 40,
		.ledger_windows = 16 };
}

/* A rotated nfcapd file of the channel, with some bytes in it. */
static void fixture_file(struct fixture *f, const char *stamp12,
    const char *bytes)
{
	char *path;
	int fd;

	xasprintf(&path, "%s/nfcapd.%s", f->chan, stamp12);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, strlen(bytes)), (int)strlen(bytes));
	close(fd);
	free(path);
}

static void fixture_exit(void *arg, int status)
{
	struct fixture *f = arg;

	f->exited = 1;
	f->status = status;
}

static void fixture_report(void *arg, const struct live_report *rep)
{
	struct fixture *f = arg;

	f->outcomes[rep->outcome]++;
}

static void fixture_start(struct fixture *f)
{
	char err[512];

	assert_int_equal(kafka_new(&f->loop, &f->ko, &f->k, err, sizeof err),
	    0);
	assert_int_equal(exporter_new(&f->loop, &f->o, f->k, &f->ko, &f->x,
	    err, sizeof err), 0);
	f->lo.report = fixture_report;
	assert_int_equal(live_start(&f->loop, &f->p, f->x, &f->lo,
	    fixture_exit, f, &f->l, err, sizeof err), 0);
}

/* Replays the windows from..to (one when to is NULL) to the service's end. */
static void fixture_replay(struct fixture *f, const char *from,
    const char *to)
{
	f->lo.replay_from = from;
	f->lo.replay_to = to != NULL ? to : from;
	fixture_start(f);
	mock_run_until(&f->loop, &f->exited);
}

static void fixture_free(struct fixture *f)
{
	char *cmd;

	live_free(f->l);
	kafka_flush(f->k, 1000);
	exporter_free(f->x);
	mock_kafka_end(&f->loop, f->k, 0);
	free((char *)f->o.nfdump);
	xasprintf(&cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->chan);
	free(f->state);
	profile_free(&f->p);
	mock_stop(&f->m);
}

/* Replay exports the windows in time order, whatever the disk's order. */
static void test_replay_in_order(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	const char *want[] = { "20261127105000", "20261127105500",
		"20261127110000" };
	char *body = mock_rows(ROWS, 0);

	(void)state;
	fixture_init(&f, body);
	fixture_file(&f, "202611271100", "x");
	fixture_file(&f, "202611271050", "x");
	fixture_file(&f, "202611271055", "x");
	fixture_file(&f, "202611271105", "x"); /* after the range */
	fixture_replay(&f, "20261127105000", "20261127110000");
	assert_int_equal(f.status, 0);
	assert_int_equal(f.outcomes[LIVE_EXPORTED], 3);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 16), 3 * ROWS);
	for (int i = 0; i < 3 * ROWS; i++)
		assert_string_equal(msgs[i].window, want[i / ROWS]);
	fixture_free(&f);
	free(body);
}

/* A failed nfdump run is retried after a backoff; nothing is lost. */
static void test_retry_after_backoff(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *rows = mock_rows(ROWS, 0), *body;

	(void)state;
	/* Fails once: the first run leaves a mark beside the script. */
	xasprintf(&body, "mark=\"$(dirname \"$0\")/ran\"\n"
	    "[ -e \"$mark\" ] || { : > \"$mark\"; echo broken >&2; exit 3; }\n"
	    "%s", rows);
	fixture_init(&f, body);
	fixture_file(&f, "202611271050", "x");
	fixture_replay(&f, "20261127105000", NULL);
	assert_int_equal(f.status, 0);
	assert_int_equal(f.outcomes[LIVE_RETRYING], 1);
	assert_int_equal(f.outcomes[LIVE_EXPORTED], 1);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 16), ROWS);
	fixture_free(&f);
	free(body);
	free(rows);
}

/* A window nfdump fails on three times is skipped, and replay says so. */
static void test_skip_after_three_failures(void **state)
{
	struct fixture f;
	char *rows = mock_rows(ROWS, 0), *body;

	(void)state;
	/* Fails on the window's file; the probe of the query alone passes. */
	xasprintf(&body, "case \"$*\" in *nfcapd.2026*) echo corrupt >&2; "
	    "exit 3;; esac\n%s", rows);
	free(rows);
	fixture_init(&f, body);
	fixture_file(&f, "202611271050", "x");
	fixture_replay(&f, "20261127105000", NULL);
	assert_int_equal(f.status, 1);
	assert_int_equal(f.outcomes[LIVE_RETRYING], 2);
	assert_int_equal(f.outcomes[LIVE_SKIPPED], 1);
	fixture_free(&f);
	free(body);
}

/* A fault of the query stops the service at once: no retry helps. */
static void test_query_fault_stops(void **state)
{
	struct fixture f;
	char *body = mock_rows(ROWS, 0);

	(void)state;
	fixture_init(&f, body);
	strv_push(&f.o.key_fields, &f.o.nkey_fields, "nosuchfield");
	fixture_file(&f, "202611271050", "x");
	fixture_file(&f, "202611271055", "x");
	fixture_replay(&f, "20261127105000", "20261127105500");
	assert_int_equal(f.status, 1);
	assert_int_equal(f.outcomes[LIVE_RETRYING], 0);
	assert_int_equal(f.outcomes[LIVE_EXPORTED], 0);
	fixture_free(&f);
	free(body);
}

/*
 * Live mode: a window whose file grows after its export is exported again
 * as its next revision; the state file and ledger remember both.
 */
static void test_revision_after_change(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *body = mock_rows(ROWS, 0);
	size_t n = 0;
	uint64_t deadline = uv_hrtime() + 60000000000ULL;

	(void)state;
	fixture_init(&f, body);
	fixture_file(&f, "202611271050", "x");
	f.lo.state = f.state;
	f.lo.since = "20261127105000";
	fixture_start(&f);
	while (f.outcomes[LIVE_EXPORTED] < 1 && uv_hrtime() < deadline)
		uv_run(&f.loop, UV_RUN_ONCE);
	assert_int_equal(f.outcomes[LIVE_EXPORTED], 1);
	fixture_file(&f, "202611271050", "more");
	while (f.outcomes[LIVE_EXPORTED] < 2 && uv_hrtime() < deadline)
		uv_run(&f.loop, UV_RUN_ONCE);
	assert_int_equal(f.outcomes[LIVE_EXPORTED], 2);
	live_stop(f.l);
	mock_run_until(&f.loop, &f.exited);
	assert_int_equal(f.status, 0);
	n = mock_consume(&f.m, TOPIC, 1, 1, msgs, 16);
	assert_int_equal(n, 2 * ROWS);
	assert_string_equal(msgs[0].revision, "0");
	assert_string_equal(msgs[ROWS].revision, "1");
	assert_string_equal(msgs[ROWS].window, "20261127105000");
	fixture_free(&f);
	free(body);
}

/*
 * The backoff doubles from its minimum up to its maximum and stays there,
 * also for a maximum near INT_MAX, where doubling overflowed an int after
 * about twelve days of retries (UBSan aborts on that in make asan).
 */
static void test_backoff_steps(void **state)
{
	int d = 0, i;

	(void)state;
	assert_int_equal(live_backoff_step(0, 500, 60000), 500);
	assert_int_equal(live_backoff_step(500, 500, 60000), 1000);
	assert_int_equal(live_backoff_step(40000, 500, 60000), 60000);
	assert_int_equal(live_backoff_step(60000, 500, 60000), 60000);
	for (i = 0; i < 64; i++) {
		d = live_backoff_step(d, 1000, INT_MAX);
		assert_true(d > 0);
	}
	assert_int_equal(d, INT_MAX);
	assert_int_equal(live_backoff_step(INT_MAX / 2 + 1, 1, INT_MAX),
	    INT_MAX);
}

/*
 * A fake nfdump that fails on the window's file until a file "fixed" is
 * beside it, and, asked about the query alone (the probe's empty window of
 * 1970), refuses it, or writes its pid beside itself and hangs until it is
 * killed.
 */
static char *probe_body(int refuse)
{
	char *rows = mock_rows(ROWS, 0), *body;

	xasprintf(&body, "here=\"$(dirname \"$0\")\"\n"
	    "case \"$*\" in *nfcapd.1970*) %s;; esac\n"
	    "[ -e \"$here/fixed\" ] || { echo corrupt >&2; exit 3; }\n%s",
	    refuse ? "echo 'Can not use print format fmt:x to aggregate "
	    "flows' >&2; exit 1" : "echo $$ > \"$here/probing\"; "
	    "exec sleep 120", rows);
	free(rows);
	return body;
}

/* The hanging probe's pid, once it has started; 0 before. */
static int probe_pid(const struct fixture *f)
{
	char *path;
	FILE *fp;
	int pid = 0;

	xasprintf(&path, "%s/probing", f->dir);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	free(path);
	return pid;
}

struct probe_watch {
	struct fixture *f;
	int pid;
	int seen;		/* the loop ran while the probe hung */
	int reload;		/* then 1: SIGHUP's reload; 0: shutdown */
};

/* SIGHUP: a new query (the same text) and a fixed nfdump. */
static void probe_reload(struct fixture *f)
{
	struct export_options o = f->o;
	char err[256], *fixed;

	o.query = xcalloc(1, sizeof *o.query);
	assert_int_equal(query_parse(QUERY_DEFAULT, &f->d, o.query, err,
	    sizeof err), 0);
	o.key_fields = NULL;
	o.nkey_fields = 0;
	xasprintf(&fixed, "%s/fixed", f->dir);
	close(open(fixed, O_WRONLY | O_CREAT, 0644));
	free(fixed);
	export_reconfigure(f->x, &o);
}

/*
 * A timer on the loop fires while the probe hangs only if the loop is not
 * blocked on the probe; then shutdown or a reload arrives.
 */
static void probe_tick(uv_timer_t *t)
{
	struct probe_watch *pw = t->data;

	if ((pw->pid = probe_pid(pw->f)) == 0)
		return;
	/* A blocking probe would have been killed by its timeout by now. */
	assert_int_equal(kill(pw->pid, 0), 0);
	pw->seen = 1;
	uv_timer_stop(t);
	if (pw->reload)
		probe_reload(pw->f);
	else
		live_stop(pw->f->l);
}

static void probe_run(struct fixture *f, struct probe_watch *pw)
{
	uv_timer_t tick;
	uint64_t deadline = uv_hrtime() + 60000000000ULL;

	pw->f = f;
	uv_timer_init(&f->loop, &tick);
	tick.data = pw;
	uv_timer_start(&tick, probe_tick, 10, 10);
	mock_run_until(&f->loop, &f->exited);
	/* As main does before it frees the exporter: nfdump reaped. */
	while (export_children(f->x) > 0 && uv_hrtime() < deadline)
		uv_run(&f->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&tick, NULL);
	uv_run(&f->loop, UV_RUN_NOWAIT);
	assert_true(pw->seen);
	/* Killed, with what it started, and reaped. */
	assert_int_equal(kill(pw->pid, 0), -1);
	assert_int_equal(export_children(f->x), 0);
}

/*
 * nfdump asked about the query after a failed window runs on the loop;
 * shutdown meanwhile stops it (its process group) and exits cleanly, the
 * window neither retried nor skipped.
 */
static void probe_stopped(struct fixture *f, int reload, char **body)
{
	struct probe_watch pw = { .reload = reload };

	*body = probe_body(0);
	fixture_init(f, *body);
	fixture_file(f, "202611271050", "x");
	f->lo.replay_from = f->lo.replay_to = "20261127105000";
	fixture_start(f);
	probe_run(f, &pw);
}

static void test_probe_stopped_by_shutdown(void **state)
{
	struct fixture f;
	char *body;

	(void)state;
	probe_stopped(&f, 0, &body);
	assert_int_equal(f.status, 0);
	assert_int_equal(f.outcomes[LIVE_RETRYING], 0);
	assert_int_equal(f.outcomes[LIVE_SKIPPED], 0);
	fixture_free(&f);
	free(body);
}

/*
 * A reload while the probe runs: the probe judged the old query, so it is
 * stopped and the window retried with the new one, as before the probe
 * ran on the loop.
 */
static void test_probe_stopped_by_reload(void **state)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *body;

	(void)state;
	probe_stopped(&f, 1, &body);
	assert_int_equal(f.status, 0);
	assert_int_equal(f.outcomes[LIVE_RETRYING], 1);
	assert_int_equal(f.outcomes[LIVE_EXPORTED], 1);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 16), ROWS);
	fixture_free(&f);
	free(body);
}

/*
 * nfdump refuses the query alone too: a fault of the configuration; the
 * service stops at the first failure, the window neither retried nor
 * skipped.
 */
static void test_probe_refusal_stops(void **state)
{
	struct fixture f;
	char *body = probe_body(1);

	(void)state;
	fixture_init(&f, body);
	fixture_file(&f, "202611271050", "x");
	fixture_replay(&f, "20261127105000", NULL);
	assert_int_equal(f.status, 1);
	assert_int_equal(f.outcomes[LIVE_RETRYING], 0);
	assert_int_equal(f.outcomes[LIVE_SKIPPED], 0);
	assert_int_equal(export_children(f.x), 0);
	fixture_free(&f);
	free(body);
}

/*
 * A fake nfdump that prints its rows (then exits with status) only once a
 * file "go" is beside it, so that a stop surely comes mid-window.
 */
static char *gated_body(int status)
{
	char *rows = mock_rows(ROWS, status), *body;

	xasprintf(&body, "here=\"$(dirname \"$0\")\"\n"
	    "while [ ! -e \"$here/go\" ]; do sleep 0.05; done\n%s", rows);
	free(rows);
	return body;
}

static void gate_open(struct fixture *f)
{
	char *go;

	xasprintf(&go, "%s/go", f->dir);
	close(open(go, O_WRONLY | O_CREAT, 0644));
	free(go);
}

/* A stop case: how nfdump and the stop go, and what must follow. */
struct stop_case {
	int status;		/* nfdump's exit status */
	int hangs;		/* nfdump never prints: the stop must give up */
	int stop_ms;
	int stops;		/* live_stop calls while nfdump waits */
	int exported;		/* LIVE_EXPORTED reports that must follow */
	int retrying;		/* LIVE_RETRYING reports */
	int sent;		/* records on the topic */
};

/*
 * Starts the one window, stops the service while its nfdump waits, lets
 * nfdump go on unless it hangs, and runs until the service has ended and
 * its nfdump is reaped (as main does before it frees the exporter).
 */
static void stop_mid_window(struct fixture *f, const struct stop_case *c)
{
	uint64_t deadline = uv_hrtime() + 60000000000ULL;

	fixture_file(f, "202611271050", "x");
	f->lo.replay_from = f->lo.replay_to = "20261127105000";
	f->lo.stop_ms = c->stop_ms;
	fixture_start(f);
	while (!export_busy(f->x) && uv_hrtime() < deadline)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_true(export_busy(f->x));
	for (int i = 0; i < c->stops; i++)
		live_stop(f->l);
	/* Waiting for the window, or not at all after a second stop. */
	assert_int_equal(f->exited, c->stops > 1);
	if (!c->hangs)
		gate_open(f);
	mock_run_until(&f->loop, &f->exited);
	while (export_children(f->x) > 0 && uv_hrtime() < deadline)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_int_equal(export_children(f->x), 0);
}

/*
 * One window stopped as c says: the service ends with 0, the window is
 * reported as c expects and never skipped, and c->sent records are on the
 * topic (a failed window's are sent again on restart).
 */
static void stop_case(const struct stop_case *c)
{
	struct fixture f;
	struct mock_msg msgs[16];
	char *body = gated_body(c->status);

	fixture_init(&f, body);
	stop_mid_window(&f, c);
	assert_int_equal(f.status, 0);
	assert_int_equal(f.outcomes[LIVE_EXPORTED], c->exported);
	assert_int_equal(f.outcomes[LIVE_RETRYING], c->retrying);
	assert_int_equal(f.outcomes[LIVE_SKIPPED], 0);
	assert_int_equal(mock_consume(&f.m, TOPIC, 1, 1, msgs, 16), c->sent);
	fixture_free(&f);
	free(body);
}

/* A stop mid-window lets the window finish: done, nothing to repeat. */
static void test_stop_finishes_the_window(void **state)
{
	(void)state;
	stop_case(&(struct stop_case){ .stop_ms = 60000, .stops = 1,
	    .exported = 1, .sent = ROWS });
}

/* A second stop does not wait: the window is left for the next start. */
static void test_second_stop_abandons_the_window(void **state)
{
	(void)state;
	stop_case(&(struct stop_case){ .stop_ms = 60000, .stops = 2 });
}

/* A window that does not finish in stop_ms (nfdump hangs) is abandoned. */
static void test_stop_gives_up_in_time(void **state)
{
	(void)state;
	stop_case(&(struct stop_case){ .hangs = 1, .stop_ms = 100,
	    .stops = 1 });
}

/*
 * A window that fails while the stop waits for it ends the stop: it is
 * neither retried after a backoff, nor probed, nor skipped.
 */
static void test_stop_does_not_retry_a_failed_window(void **state)
{
	(void)state;
	stop_case(&(struct stop_case){ .status = 3, .stop_ms = 60000,
	    .stops = 1, .retrying = 1, .sent = ROWS });
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_steps),
		cmocka_unit_test(test_replay_in_order),
		cmocka_unit_test(test_retry_after_backoff),
		cmocka_unit_test(test_skip_after_three_failures),
		cmocka_unit_test(test_query_fault_stops),
		cmocka_unit_test(test_probe_stopped_by_shutdown),
		cmocka_unit_test(test_probe_stopped_by_reload),
		cmocka_unit_test(test_probe_refusal_stops),
		cmocka_unit_test(test_revision_after_change),
		cmocka_unit_test(test_stop_finishes_the_window),
		cmocka_unit_test(test_second_stop_abandons_the_window),
		cmocka_unit_test(test_stop_gives_up_in_time),
		cmocka_unit_test(test_stop_does_not_retry_a_failed_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
