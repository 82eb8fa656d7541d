/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The service: rotated files → windows → one export at a time, in order →
 * durable progress. A window that fails is retried whole after a backoff;
 * nothing after it is exported first, so the state file always means
 * "everything up to here is in Kafka". An exported window whose files
 * change later (nfcapd appending, a late channel) is exported again, whole,
 * as its next revision: the ledger remembers what each export covered.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "live.h"
#include "log.h"
#include "notify.h"
#include "recover.h"
#include "state.h"
#include "watch.h"
#include "window.h"
#include "xmalloc.h"

/* nfdump failures are retried this often before the window is skipped. */
#define LIVE_NFDUMP_ATTEMPTS 3

struct live {
	uv_loop_t *loop;
	const struct profile *p;
	struct exporter *x;
	struct live_options o;
	struct windows *ws;
	int lock_fd;		/* holds the state file's lock; -1 if none */
	struct window *inflight; /* being exported, until live_done */
	/* nfdump is asked about the query after inflight's failed export. */
	int probing;
	struct export_result failed; /* that export's result, meanwhile */
	struct ledger *lg;	/* exported windows; NULL in replay */
	struct ledger_file *snap; /* the files of the export in flight */
	struct watch *watch;
	uv_timer_t *retry;
	uv_timer_t *rescan;	/* looks at the disk again (lost events) */
	uv_timer_t *drain;	/* how long a stop waits for the window */
	int replay;
	int scanning;
	int rescanning;
	size_t unseen;		/* files the rescan found, events did not */
	char **future;		/* files refused as ahead, warned once each */
	size_t nfuture;
	time_t future_at;	/* when future_limit was made */
	char future_limit[NFCAPD_STAMP_LEN + 1]; /* now + --future-slack */
	int stopping;
	int draining;		/* stopping once the window in flight is done */
	int failed_windows;	/* skipped after nfdump failures */
	int attempts;		/* of the window at the head */
	int backoff_ms;
	char last_error[1024];	/* logged once until it changes */
	char *state_error;
	int backlog_warned;
	int recovered;		/* exactly-once: Kafka's progress was read */
	struct recover *reading; /* the read-back under way */
	uint64_t started_ms;	/* when the export in flight began */
	live_exit_cb cb;
	void *arg;
};

static void live_kick(struct live *l);
static void live_changed(struct live *l, size_t channel, const char *relfile,
    const char *stamp);

static void live_finish(struct live *l, int status)
{
	if (l->stopping)
		return;
	l->stopping = 1;
	watch_stop(l->watch);
	l->watch = NULL;
	uv_timer_stop(l->retry);
	uv_timer_stop(l->rescan);
	uv_timer_stop(l->drain);
	l->cb(l->arg, status);
}

/*
 * Queues the next revision of an exported window if any channel's file is
 * not what its last export read (grown, replaced, or new). 1 if it did.
 */
static int live_recheck(struct live *l, const struct ledger_window *e)
{
	struct ledger_file *now = xcalloc(l->p->nchannels, sizeof *now);
	unsigned long changed = 0;
	char *names;

	ledger_look(l->p, e->relfile, now);
	for (size_t i = 0; i < l->p->nchannels; i++) {
		if (ledger_changed(&e->files[i], &now[i]))
			changed |= 1UL << i;
	}
	free(now);
	if (changed == 0 || window_add_revision(l->ws, e->stamp, e->relfile,
	    e->revision + 1) != 1)
		return changed != 0;
	names = profile_names(l->p, changed, ",");
	log_info("window %s: the file of %s changed after revision %u was "
	    "exported; exporting the window again as revision %u", e->stamp,
	    names, e->revision, e->revision + 1);
	free(names);
	return 1;
}

/* A file of a window at or below the floor was reported: did it change? */
static void live_changed(struct live *l, size_t channel, const char *relfile,
    const char *stamp)
{
	const struct ledger_window *e = ledger_find(l->lg, stamp);

	if (e != NULL) {
		live_recheck(l, e);
		return;
	}
	log_warn("window %s: channel %s's file %s changed after the window was "
	    "exported, but the window is older than the %zu remembered "
	    "(--ledger-windows); export it again with --replay %s %s", stamp,
	    l->p->channels[channel], relfile, ledger_count(l->lg), stamp,
	    stamp);
}

/* Changes made while nfkafka was down; forgets windows gone from disk. */
static void live_check_ledger(struct live *l)
{
	struct ledger_file *now = xcalloc(l->p->nchannels, sizeof *now);

	for (size_t i = ledger_count(l->lg); i-- > 0;) {
		const struct ledger_window *e = ledger_at(l->lg, i);

		if (ledger_look(l->p, e->relfile, now) == 0)
			ledger_drop(l->lg, e->stamp);
		else
			live_recheck(l, e);
	}
	free(now);
}

static void live_report_file(struct live *l, const char *stamp,
    enum live_outcome outcome)
{
	struct live_report rep = { stamp, outcome, NULL, 0 };

	if (l->o.report != NULL)
		l->o.report(l->arg, &rep);
}

/*
 * Named further ahead of the clock than the slack allows. The limit is
 * made a stamp once a second, so a scan of a long history compares
 * strings instead of calling mktime for every file.
 */
static int live_future(struct live *l, const char *stamp)
{
	time_t now = time(NULL), t;
	struct tm tm;

	if (now != l->future_at) {
		l->future_at = now;
		t = now + l->o.future_slack_s;
		localtime_r(&t, &tm);
		strftime(l->future_limit, sizeof l->future_limit,
		    "%Y%m%d%H%M%S", &tm);
	}
	return strcmp(stamp, l->future_limit) > 0;
}

/*
 * A file too far ahead would move the floor there and drop every real
 * window after it: refused, and said once per file.
 */
static void live_refuse_future(struct live *l, size_t channel,
    const char *relfile, const char *stamp)
{
	char *key;

	xasprintf(&key, "%s/%s", l->p->channels[channel], relfile);
	for (size_t i = 0; i < l->nfuture; i++) {
		if (strcmp(l->future[i], key) == 0) {
			free(key);
			return;
		}
	}
	log_warn("window %s: channel %s's file %s is named more than %d s "
	    "ahead of the clock; not exported (check the collector's clock, "
	    "or remove the stray file; --future-slack)", stamp,
	    l->p->channels[channel], relfile, l->o.future_slack_s);
	live_report_file(l, stamp, LIVE_FUTURE);
	if (l->nfuture >= 1024) {
		free(key);
		return;
	}
	l->future = xrealloc(l->future, (l->nfuture + 1) * sizeof *l->future);
	l->future[l->nfuture++] = key;
}

/*
 * Below the floor and never exported: the clock stepped back and nfcapd
 * named new windows before the last exported one. The ledger holds every
 * window exported since its oldest, so only a stamp inside its span can
 * be told apart from history already exported.
 */
static int live_late(const struct live *l, const char *stamp)
{
	return l->lg != NULL && ledger_count(l->lg) > 0 &&
	    strcmp(stamp, ledger_at(l->lg, 0)->stamp) > 0 &&
	    ledger_find(l->lg, stamp) == NULL;
}

/* A file at or below the floor, from the watch or a scan. */
static void live_below(struct live *l, size_t channel, const char *relfile,
    const char *stamp)
{
	const struct ledger_window *e;

	if (l->replay)
		return;
	if (live_late(l, stamp)) {
		uint64_t before = window_recorded(l->ws);

		window_add_late(l->ws, channel, relfile, stamp);
		if (window_recorded(l->ws) == before)
			return;
		log_info("window %s: channel %s's file %s is older than the "
		    "last exported window but was never exported (the clock "
		    "stepped back?): exporting it", stamp,
		    l->p->channels[channel], relfile);
		live_report_file(l, stamp, LIVE_LATE);
		if (l->rescanning)
			l->unseen++;
		return;
	}
	if (l->scanning)
		return;
	/* A scan reports history too: only an event means a change. */
	if (!l->rescanning)
		live_changed(l, channel, relfile, stamp);
	else if ((e = ledger_find(l->lg, stamp)) != NULL)
		live_recheck(l, e);
}

/* A file from the watch, the start-up scan or a rescan. */
static void live_file(void *arg, size_t channel, const char *relfile,
    const char *stamp)
{
	struct live *l = arg;
	uint64_t before;

	if (l->replay && (strcmp(stamp, l->o.replay_from) < 0 ||
	    strcmp(stamp, l->o.replay_to) > 0))
		return;
	if (l->o.since[0] != '\0' && strcmp(stamp, l->o.since) < 0)
		return;
	if (!l->replay && live_future(l, stamp)) {
		live_refuse_future(l, channel, relfile, stamp);
		return;
	}
	before = window_recorded(l->ws);
	if (window_add(l->ws, channel, relfile, stamp) == -EALREADY)
		live_below(l, channel, relfile, stamp);
	else if (l->rescanning && window_recorded(l->ws) != before) {
		log_info("window %s: channel %s's file %s was found by the "
		    "rescan, not by a file-system event", stamp,
		    l->p->channels[channel], relfile);
		live_report_file(l, stamp, LIVE_UNSEEN);
		l->unseen++;
	}
	if (!l->scanning && !l->rescanning)
		live_kick(l);
}

/*
 * The kernel drops events when its queue overflows (a burst of files, a
 * paused process) and libuv does not say so: look at the disk again on a
 * schedule. What the events missed is exported now, and said.
 */
static void live_rescan_fired(uv_timer_t *t)
{
	struct live *l = t->data;
	uint64_t t0;
	size_t dirs;

	if (l->watch == NULL)
		return;
	l->rescanning = 1;
	l->unseen = 0;
	t0 = uv_hrtime();
	dirs = watch_rescan(l->watch);
	l->rescanning = 0;
	log_debug("rescan: %.1f ms", (uv_hrtime() - t0) / 1e6);
	if (l->unseen > 0 || dirs > 0)
		log_warn("rescan: %zu window file(s) and %zu directory(ies) "
		    "that no file-system event reported: events were lost "
		    "(kernel queue overflow: fs.inotify.max_queued_events); "
		    "%s", l->unseen, dirs, l->unseen > 0 ? "exporting them" :
		    "watching them now");
	live_kick(l);
}

/* Saves the floor (the current one if NULL) and the ledger. */
static void live_save(struct live *l, const char *floor)
{
	char errstr[512];

	if (l->o.state == NULL || l->replay)
		return;
	if (state_save(l->o.state, l->p, floor != NULL ? floor :
	    window_floor(l->ws), l->lg, errstr, sizeof errstr) != 0) {
		/* The window is in Kafka; a restart would only resend it. */
		if (l->state_error == NULL ||
		    strcmp(l->state_error, errstr) != 0)
			log_error("%s; windows are exported but progress is "
			    "not saved", errstr);
		free(l->state_error);
		l->state_error = xstrdup(errstr);
	} else if (l->state_error != NULL) {
		log_info("state file %s: saved again", l->o.state);
		free(l->state_error);
		l->state_error = NULL;
	}
}

static void live_wake(void *arg)
{
	live_kick(arg);
}

static void live_retry_fired(uv_timer_t *t)
{
	live_kick(t->data);
}

/* Exponential backoff with jitter, so restarts do not march in step. */
int live_backoff_step(int prev_ms, int min_ms, int max_ms)
{
	/* prev * 2 past max_ms / 2 would overflow an int near INT_MAX. */
	int d = prev_ms == 0 ? min_ms : prev_ms > max_ms / 2 ? max_ms :
	    prev_ms * 2;

	return d > max_ms ? max_ms : d;
}

static int live_next_backoff(struct live *l)
{
	int d = live_backoff_step(l->backoff_ms, l->o.backoff_min_ms,
	    l->o.backoff_max_ms);

	l->backoff_ms = d;
	return d / 2 + (int)(random() % (d / 2 + 1));
}

static void live_report(struct live *l, const struct window *w,
    enum live_outcome outcome, const struct export_result *r, double lag)
{
	struct live_report rep = { w->stamp, outcome, r, lag };

	if (l->o.report != NULL)
		l->o.report(l->arg, &rep);
}

static void live_log_done(struct live *l, const struct window *w,
    const struct export_result *r, double lag)
{
	char *names = profile_names(l->p, w->mask, ",");
	char *missing = profile_names(l->p, ~w->mask, ",");
	double start = l->started_ms > w->last_ms ?
	    (l->started_ms - w->last_ms) / 1e3 : 0;

	char rev[32] = "";

	if (w->revision > 0)
		snprintf(rev, sizeof rev, ", revision %u", w->revision);
	log_info("window %s: %s: %" PRIu64 " records, nfdump %.3f s, acked "
	    "%.3f s, %.3f s after rotation (started after %.3f s)%s%s%s%s",
	    w->stamp, names, r->rows, r->nfdump_secs, r->total_secs, lag,
	    start, missing[0] ? " (missing: " : "", missing,
	    missing[0] ? ")" : "", rev);
	notify_status("last window %s: %" PRIu64 " records; %zu pending",
	    w->stamp, r->rows, window_pending(l->ws) - 1);
	free(names);
	free(missing);
}

/*
 * The window is done (exported or skipped): the ledger notes what it read,
 * the floor moves up, and a file that changed meanwhile makes a revision.
 */
static void live_settle(struct live *l, struct window *w,
    const struct export_result *r, double lag)
{
	char stamp[NFCAPD_STAMP_LEN + 1];
	const char *floor = window_floor(l->ws);

	memcpy(stamp, w->stamp, sizeof stamp);
	if (l->lg != NULL) {
		ledger_put(l->lg, w->stamp, w->relfile, w->revision, l->snap);
		ledger_set_inflight(l->lg, NULL, NULL, 0, NULL);
	}
	/* Durable first: "window W: N records" means W is saved as done. */
	live_save(l, strcmp(stamp, floor) > 0 ? stamp : floor);
	if (r != NULL)
		live_log_done(l, w, r, lag);
	window_done(l->ws, w);
	l->inflight = NULL;
	if (l->lg != NULL && ledger_find(l->lg, stamp) != NULL)
		live_recheck(l, ledger_find(l->lg, stamp));
}

/* An export's end, judged: done, skipped, retried or fatal. */
static void live_judge(struct live *l, const struct export_result *r)
{
	/* Not the head: a revision may have been queued ahead of it. */
	struct window *w = l->inflight;
	double lag = 0;
	int delay;
	int ok = !failure_failed(&r->failure);

	if (ok || (r->failure.kind == FAILURE_WINDOW &&
	    ++l->attempts >= LIVE_NFDUMP_ATTEMPTS)) {
		if (ok) {
			lag = (uv_now(l->loop) - w->last_ms) / 1e3;
			live_report(l, w, LIVE_EXPORTED, r, lag);
			if (l->last_error[0] != '\0')
				log_info("window %s: exported after earlier "
				    "failures", w->stamp);
		} else {
			log_error("window %s: skipped after %d failed nfdump "
			    "runs: %s; once the file is fixed, export it with "
			    "--replay %s %s", w->stamp, l->attempts,
			    r->failure.message, w->stamp, w->stamp);
			l->failed_windows++;
			live_report(l, w, LIVE_SKIPPED, r, 0);
		}
		live_settle(l, w, ok ? r : NULL, lag);
		l->attempts = 0;
		l->backoff_ms = 0;
		l->last_error[0] = '\0';
		live_kick(l);
		return;
	}
	l->inflight = NULL;
	if (r->failure.permanent) {
		log_error("window %s: %s; retrying cannot help: fix %s (see "
		    "nfkafka(8), EXIT STATUS)", w->stamp, r->failure.message,
		    r->failure.kind == FAILURE_QUERY ? "the query or its options" :
		    "the topic, credentials, permissions or record size");
		live_finish(l, 1);
		return;
	}
	live_report(l, w, LIVE_RETRYING, r, 0);
	delay = live_next_backoff(l);
	if (strcmp(l->last_error, r->failure.message) != 0) {
		log_warn("window %s: %s; retrying the window, backing off up "
		    "to %.1f s", w->stamp, r->failure.message,
		    l->o.backoff_max_ms / 1e3);
		snprintf(l->last_error, sizeof l->last_error, "%s",
		    r->failure.message);
	} else {
		log_debug("window %s: %s; retry in %.1f s", w->stamp,
		    r->failure.message, delay / 1e3);
	}
	uv_timer_start(l->retry, live_retry_fired, (uint64_t)delay, 0);
}

/*
 * A query or nfdump that fails on every window is no fault of this one:
 * skipping would lose window after window. nfdump, asked again on an empty
 * file, tells; then nfkafka stops (exit 1, systemd restarts it and the
 * start-up check names the fault again) and the window stays to export.
 */
static void live_probed(void *arg, int status, const char *why)
{
	struct live *l = arg;
	struct window *w = l->inflight;

	l->probing = 0;
	if (status != -EINVAL) {
		live_judge(l, &l->failed);
		return;
	}
	log_error("window %s: %s; %s: a fault of the query or of nfdump, not "
	    "of the window, which is left to export once it is fixed",
	    w->stamp, l->failed.failure.message, why);
	l->inflight = NULL;
	live_finish(l, 1);
}

/*
 * Asks nfdump about the query on the loop, which goes on serving the
 * watchdog, the metrics and the signals; the window waits, and nothing
 * else is exported meanwhile. 1 while it runs.
 */
static int live_probe(struct live *l, const struct export_result *r)
{
	if (export_probe(l->x, live_probed, l) != 0)
		return 0;
	l->failed = *r;
	l->probing = 1;
	return 1;
}

/*
 * The window a stop waited for failed: it is left for the next start, which
 * retries it (and probes the query, or stops on a permanent fault) anew.
 */
static void live_stop_failed(struct live *l, const struct export_result *r)
{
	log_warn("window %s: %s; stopping: it will be exported again on "
	    "restart", l->inflight->stamp, r->failure.message);
	live_report(l, l->inflight, LIVE_RETRYING, r, 0);
	l->inflight = NULL;
	live_finish(l, 0);
}

static void live_done(void *arg, const char *stamp,
    const struct export_result *r)
{
	struct live *l = arg;

	(void)stamp;
	if (l->draining && failure_failed(&r->failure)) {
		live_stop_failed(l, r);
		return;
	}
	if (failure_failed(&r->failure) && r->failure.kind == FAILURE_WINDOW &&
	    live_probe(l, r))
		return;
	live_judge(l, r);
}

/*
 * The nfcapd files are the buffer while Kafka is away; nfexpire deletes
 * the oldest, so a backlog that grows old is a backlog about to be lost.
 */
static void live_check_backlog(struct live *l)
{
	struct window *w = window_head(l->ws);
	double age;

	if (w == NULL || l->replay || l->o.backlog_warn_s == 0) {
		l->backlog_warned = 0;
		return;
	}
	age = difftime(time(NULL), nfcapd_stamp_time(w->stamp));
	if (age > l->o.backlog_warn_s && !l->backlog_warned) {
		log_warn("backlog: %zu window(s) waiting, the oldest (%s) is "
		    "%.0f minutes old; check that the collector does not "
		    "expire files before they are exported",
		    window_pending(l->ws), w->stamp, age / 60);
		l->backlog_warned = 1;
	} else if (age <= l->o.backlog_warn_s) {
		l->backlog_warned = 0;
	}
}

/*
 * The export cut short by a crash was committed after all: the ledger
 * takes it as done, and only a change since then makes another revision.
 */
static void live_recover_inflight(struct live *l,
    const struct ledger_window *in)
{
	const struct ledger_window *e;

	log_info("exactly-once: Kafka already has window %s revision %u "
	    "committed; not exporting it again", in->stamp, in->revision);
	ledger_put(l->lg, in->stamp, in->relfile, in->revision, in->files);
	e = ledger_find(l->lg, in->stamp);
	if (in->revision > 0)
		window_remove(l->ws, in->stamp);
	if (e != NULL)
		live_recheck(l, e);
}

/* The read-back failed: retried after a backoff, before any export. */
static void live_recover_failed(struct live *l, const char *errstr)
{
	if (strcmp(l->last_error, errstr) != 0)
		log_warn("%s; retrying before the first export", errstr);
	snprintf(l->last_error, sizeof l->last_error, "%s", errstr);
	uv_timer_start(l->retry, live_retry_fired,
	    (uint64_t)live_next_backoff(l), 0);
}

/* Kafka's word on what is committed, applied; then the exports begin. */
static void live_recovered(void *arg, const struct recover_result *res)
{
	struct live *l = arg;
	const struct ledger_window *in = ledger_inflight(l->lg);

	l->reading = NULL;
	if (res->error != 0) {
		live_recover_failed(l, res->errstr);
		return;
	}
	l->recovered = 1;
	l->last_error[0] = '\0';
	l->backoff_ms = 0;
	if (in != NULL && res->committed)
		live_recover_inflight(l, in);
	if (in != NULL)
		ledger_set_inflight(l->lg, NULL, NULL, 0, NULL);
	if (strcmp(res->stamp, window_floor(l->ws)) > 0) {
		log_info("exactly-once: Kafka already has window %s committed; "
		    "resuming after it", res->stamp);
		window_set_floor(l->ws, res->stamp);
	}
	live_save(l, NULL);
	live_kick(l);
}

/*
 * Exactly-once: a crash between a commit and the state file leaves Kafka
 * ahead of the file; Kafka's word wins. Done once, before the first export,
 * in a thread: -EAGAIN until it has answered.
 */
static int live_recover(struct live *l)
{
	const struct ledger_window *in;
	struct recover_want want = { "", 0, 0 };
	char errstr[128];
	int error;

	if (l->o.recover == NULL || l->recovered || l->replay)
		return 0;
	if (l->reading != NULL)
		return -EAGAIN;
	if ((in = ledger_inflight(l->lg)) != NULL) {
		want.stamp = in->stamp;
		want.revision = in->revision;
	}
	error = recover_start(l->loop, l->o.recover, l->p->dir, 10000,
	    in != NULL ? &want : NULL, live_recovered, l, &l->reading);
	if (error != 0) {
		snprintf(errstr, sizeof errstr, "recover: %s",
		    uv_strerror(error));
		live_recover_failed(l, errstr);
	}
	return -EAGAIN;
}

/*
 * Notes the files the export will read. A revision reads every channel
 * that has the file now. Exactly-once writes it down before the export, so
 * that after a crash the read-back can tell whether it was committed.
 */
static int live_snapshot(struct live *l, struct window *w)
{
	unsigned long present = ledger_look(l->p, w->relfile, l->snap);

	/* Checked here, not inferred from what nfdump says or does not. */
	if (w->revision == 0 && (w->mask & ~present) != 0) {
		char *names = profile_names(l->p, w->mask & ~present, ",");

		log_error("window %s: the file %s of %s is gone before its "
		    "export (removed, by nfexpire or by hand): its flows are "
		    "lost%s", w->stamp, w->relfile, names,
		    (w->mask & present) ? "; exporting the other channels" :
		    "");
		free(names);
		live_report_file(l, w->stamp, LIVE_LOST);
		w->mask &= present;
		if (w->mask == 0) {
			window_pop(l->ws);
			live_kick(l);
			return -ENOENT;
		}
	}
	if (w->revision > 0)
		w->mask = present;
	for (size_t i = 0; i < l->p->nchannels; i++) {
		if (!(w->mask & (1UL << i)))
			memset(&l->snap[i], 0, sizeof l->snap[i]);
	}
	if (w->mask == 0) {
		log_warn("window %s: its files are gone; revision %u not "
		    "exported", w->stamp, w->revision);
		window_pop(l->ws);
		live_kick(l);
		return -ENOENT;
	}
	if (l->lg != NULL && l->o.recover != NULL) {
		ledger_set_inflight(l->lg, w->stamp, w->relfile, w->revision,
		    l->snap);
		live_save(l, NULL);
	}
	return 0;
}

/* Starts the next export if the oldest window is ready and nothing runs. */
static void live_kick(struct live *l)
{
	struct window *w;
	int error;

	if (l->stopping || l->probing || export_busy(l->x))
		return;
	if (l->draining) {
		live_finish(l, 0);
		return;
	}
	live_check_backlog(l);
	if (uv_is_active((uv_handle_t *)l->retry))
		return;
	if (window_pending(l->ws) > 0 && live_recover(l) != 0)
		return;
	w = window_ready(l->ws);
	if (w == NULL) {
		if (l->replay && window_pending(l->ws) == 0)
			live_finish(l, l->failed_windows > 0 ? 1 : 0);
		return;
	}
	if (live_snapshot(l, w) != 0)
		return;
	uv_update_time(l->loop);
	l->started_ms = uv_now(l->loop);
	l->inflight = w;
	error = export_start(l->x, &(struct export_window){ w->relfile,
	    w->stamp, w->mask, w->revision }, live_done, l);
	if (error != 0) {
		/* Not this window's fault: wait and try again, lose nothing. */
		struct export_result r = { 0 };

		failure_set(&r.failure, FAILURE_SYSTEM, 0, "cannot run nfdump: "
		    "%s", uv_strerror(error));
		live_done(l, w->stamp, &r);
	}
}

/* The stamp one second before since: the floor that exports since itself. */
static void live_before(const char *since, char out[NFCAPD_STAMP_LEN + 1])
{
	struct tm tm = { 0 };
	time_t t;

	/* Calendar arithmetic only (UTC), so no zone or DST shifts it. */
	sscanf(since, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) - 1;
	gmtime_r(&t, &tm);
	strftime(out, NFCAPD_STAMP_LEN + 1, "%Y%m%d%H%M%S", &tm);
}

struct live_newest_ctx {
	struct live *l;
	char *stamp;
};

static void live_newest_file(void *arg, size_t channel, const char *relfile,
    const char *stamp)
{
	struct live_newest_ctx *n = arg;

	(void)channel;
	(void)relfile;
	if (!live_future(n->l, stamp) && strcmp(stamp, n->stamp) > 0)
		memcpy(n->stamp, stamp, NFCAPD_STAMP_LEN + 1);
}

/* The newest window on disk that is not too far ahead of the clock. */
static void live_newest(struct live *l,
    char stamp[NFCAPD_STAMP_LEN + 1])
{
	struct live_newest_ctx n = { l, stamp };

	stamp[0] = '\0';
	watch_scan(l->p, live_newest_file, &n);
}

/*
 * A floor far ahead (written by a version that let a stray file move it,
 * or a clock that was wrong) would export nothing until that time: the
 * newest remembered window not ahead of the clock is taken instead.
 */
static int live_floor_not_ahead(struct live *l,
    char stamp[NFCAPD_STAMP_LEN + 1])
{
	char was[NFCAPD_STAMP_LEN + 1];

	if (stamp[0] == '\0' || !live_future(l, stamp))
		return 0;
	memcpy(was, stamp, sizeof was);
	stamp[0] = '\0';
	for (size_t i = ledger_count(l->lg); i-- > 0;) {
		const struct ledger_window *e = ledger_at(l->lg, i);

		if (!live_future(l, e->stamp)) {
			memcpy(stamp, e->stamp, NFCAPD_STAMP_LEN + 1);
			break;
		}
	}
	if (stamp[0] == '\0')
		live_newest(l, stamp);
	log_warn("state %s: window %s is more than %d s ahead of the clock "
	    "(a stray file, or the clock was wrong); resuming after %s "
	    "instead (--future-slack)", l->o.state, was,
	    l->o.future_slack_s, stamp[0] ? stamp : "nothing: every window");
	return 1;
}

/* Where to start: the state, --since, --replay, or the next rotation. */
static int live_floor(struct live *l, char *errstr, size_t errlen)
{
	char stamp[NFCAPD_STAMP_LEN + 1];
	int error;

	if (l->replay)
		return 0;
	if (l->o.state != NULL) {
		error = state_load(l->o.state, l->p, stamp, l->lg, errstr,
		    errlen);
		if (error == 0) {
			if (live_floor_not_ahead(l, stamp))
				live_save(l, stamp);
			/* --since is where to begin, not where to go back to. */
			if (stamp[0] == '\0')
				log_info("state %s: no window done yet: "
				    "exporting every window on disk",
				    l->o.state);
			else if (l->o.since[0] != '\0')
				log_info("state %s: resuming after window %s; "
				    "--since only applies without a state",
				    l->o.state, stamp);
			else
				log_info("state %s: resuming after window %s",
				    l->o.state, stamp);
			l->o.since = "";
			window_set_floor(l->ws, stamp);
			if (l->o.recover == NULL)
				ledger_set_inflight(l->lg, NULL, NULL, 0, NULL);
			return 0;
		}
		if (error != -ENOENT)
			return error;
	}
	if (l->o.since[0] != '\0') {
		live_before(l->o.since, stamp);
		log_info("no state yet: exporting windows from %s (--since)",
		    l->o.since);
	} else {
		live_newest(l, stamp);
		if (stamp[0] != '\0')
			log_info("no state yet: exporting windows after %s, "
			    "the newest on disk", stamp);
		else
			log_info("no state yet and no window on disk: "
			    "exporting every window that rotates");
	}
	window_set_floor(l->ws, stamp);
	/* Written now, so a restart before any export starts from here too. */
	if (l->o.state != NULL)
		return state_save(l->o.state, l->p, stamp, l->lg, errstr,
		    errlen);
	return 0;
}

int live_start(uv_loop_t *loop, const struct profile *p, struct exporter *x,
    const struct live_options *o, live_exit_cb cb, void *arg,
    struct live **lp, char *errstr, size_t errlen)
{
	struct live *l = xcalloc(1, sizeof *l);
	int error;

	l->lock_fd = -1;
	l->loop = loop;
	l->p = p;
	l->x = x;
	l->o = *o;
	l->cb = cb;
	l->arg = arg;
	l->replay = o->replay_from[0] != '\0';
	/* Replayed windows are complete on disk: no channel is late. */
	l->ws = window_new(loop, p->nchannels, l->replay ? 0 : o->grace_ms,
	    live_wake, l);
	if (!l->replay)
		l->lg = ledger_new(p->nchannels, o->ledger_windows);
	l->snap = xcalloc(p->nchannels, sizeof *l->snap);
	l->retry = xmalloc(sizeof *l->retry);
	uv_timer_init(loop, l->retry);
	l->retry->data = l;
	l->rescan = xmalloc(sizeof *l->rescan);
	uv_timer_init(loop, l->rescan);
	l->rescan->data = l;
	l->drain = xmalloc(sizeof *l->drain);
	uv_timer_init(loop, l->drain);
	l->drain->data = l;
	*lp = l;
	if (o->state != NULL && !l->replay &&
	    ((error = state_check(o->state, errstr, errlen)) != 0 ||
	    (error = state_lock(o->state, &l->lock_fd, errstr, errlen)) != 0))
		return error;
	if ((error = live_floor(l, errstr, errlen)) != 0)
		return error;
	/* Watch before reading the disk, so no rotation falls in between. */
	if (!l->replay && (error = watch_start(loop, p, live_file, l,
	    &l->watch, errstr, errlen)) != 0) {
		l->watch = NULL;
		return error;
	}
	l->scanning = 1;
	window_scan_begin(l->ws);
	watch_scan(p, live_file, l);
	window_scan_end(l->ws);
	l->scanning = 0;
	if (l->lg != NULL)
		live_check_ledger(l);
	if (window_pending(l->ws) > 0)
		log_info("%zu window(s) on disk to export first",
		    window_pending(l->ws));
	if (!l->replay && o->rescan_ms > 0)
		uv_timer_start(l->rescan, live_rescan_fired,
		    (uint64_t)o->rescan_ms, (uint64_t)o->rescan_ms);
	live_kick(l);
	return 0;
}

/* The window in flight is left to be exported again on the next start. */
static void live_abandon(struct live *l)
{
	if (l->inflight != NULL && (export_busy(l->x) || l->probing))
		log_info("stopping: window %s, in flight, will be exported "
		    "again on restart", l->inflight->stamp);
	export_abandon(l->x);
	/* nfdump's word on the query would come too late to matter. */
	export_probe_cancel(l->x);
	l->probing = 0;
	/* Its answer would come too late to matter. */
	recover_cancel(l->reading);
	l->reading = NULL;
	live_finish(l, 0);
}

static void live_drain_expired(uv_timer_t *t)
{
	struct live *l = t->data;

	log_warn("stopping: window %s not done after %g s (--flush-timeout)",
	    l->inflight != NULL ? l->inflight->stamp : "?", l->o.stop_ms / 1e3);
	live_abandon(l);
}

/*
 * A restart should neither repeat a window's records nor wait for them
 * again: the window being sent gets stop_ms to finish and be marked done.
 * A failed window's probe or a read-back is not waited for, nor is the
 * window after a second stop or once the time is up.
 */
void live_stop(struct live *l)
{
	if (l->stopping)
		return;
	if (!l->draining && !l->probing && l->inflight != NULL &&
	    export_busy(l->x) && l->o.stop_ms > 0) {
		l->draining = 1;
		log_info("stopping: finishing window %s first (at most %g s; "
		    "a second signal abandons it)", l->inflight->stamp,
		    l->o.stop_ms / 1e3);
		uv_timer_start(l->drain, live_drain_expired,
		    (uint64_t)l->o.stop_ms, 0);
		return;
	}
	live_abandon(l);
}

void live_gauges(struct live *l, uint64_t *pending, double *oldest_age,
    int *retrying, const char **last_window)
{
	*pending = window_pending(l->ws);
	*oldest_age = window_oldest_age(l->ws) / 1e3;
	*retrying = uv_is_active((uv_handle_t *)l->retry);
	*last_window = window_floor(l->ws);
}

void live_set_grace(struct live *l, uint64_t grace_ms)
{
	window_set_grace(l->ws, grace_ms);
	live_kick(l);
}

void live_set_backoff(struct live *l, int min_ms, int max_ms,
    int backlog_warn_s)
{
	l->o.backoff_min_ms = min_ms;
	l->o.backoff_max_ms = max_ms;
	l->o.backlog_warn_s = backlog_warn_s;
}

static void live_timer_closed(uv_handle_t *h)
{
	free(h);
}

void live_free(struct live *l)
{
	if (l == NULL)
		return;
	recover_cancel(l->reading);
	watch_stop(l->watch);
	window_free(l->ws);
	ledger_free(l->lg);
	free(l->snap);
	uv_close((uv_handle_t *)l->retry, live_timer_closed);
	uv_close((uv_handle_t *)l->rescan, live_timer_closed);
	uv_close((uv_handle_t *)l->drain, live_timer_closed);
	for (size_t i = 0; i < l->nfuture; i++)
		free(l->future[i]);
	free(l->future);
	free(l->state_error);
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	free(l);
}
