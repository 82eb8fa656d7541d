/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_LIVE_H
#define NFKAFKA_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "export.h"
#include "kafka.h"
#include "profile.h"

/* How one export attempt of live or replay mode ended. */
enum live_outcome {
	LIVE_EXPORTED,		/* every record acknowledged */
	LIVE_RETRYING,		/* failed; the window is retried */
	LIVE_SKIPPED,		/* given up after repeated nfdump failures */
	LIVE_LOST,		/* a file was gone before its export */
	LIVE_FUTURE,		/* a file named too far ahead: refused */
	LIVE_UNSEEN,		/* found by a rescan, not by an event */
	LIVE_LATE,		/* below the floor, never exported: queued */
};

struct live_report {
	const char *stamp;
	enum live_outcome outcome;
	const struct export_result *r;	/* NULL unless exported or failed */
	double lag_s;		/* rotation → last ack, when exported */
};

/* Told of every attempt, for counting; gets the exit callback's arg. */
typedef void (*live_report_cb)(void *arg, const struct live_report *rep);

struct live_options {
	const char *state;	/* state file, or NULL */
	uint64_t grace_ms;
	const char *since;	/* "" or the first window to export */
	const char *replay_from; /* "" in live mode */
	const char *replay_to;
	int backoff_min_ms;
	int backoff_max_ms;
	int backlog_warn_s;	/* warn when the oldest window is this old */
	int ledger_windows;	/* exported windows remembered for revisions */
	int rescan_ms;		/* look at the disk again this often; 0 never */
	int future_slack_s;	/* refuse windows this far ahead of the clock */
	int stop_ms;		/* live_stop waits this long for the window */
	/*
	 * Exactly-once: the producer whose topic holds the newest committed
	 * window, read back before the first export; NULL otherwise.
	 */
	const struct kafka *recover;
	live_report_cb report;	/* or NULL */
};

struct live;

/* The run is over: status is the process exit status. */
typedef void (*live_exit_cb)(void *arg, int status);

/*
 * Live mode: exports every window on disk after the state, then each new
 * window as it rotates, until live_stop(). Replay mode: exports the windows
 * between replay_from and replay_to, then calls exit_cb.
 */
int live_start(uv_loop_t *loop, const struct profile *p, struct exporter *x,
    const struct live_options *o, live_exit_cb cb, void *arg,
    struct live **lp, char *errstr, size_t errlen);
/*
 * Stops intake; exit_cb follows once the window in flight is done, or
 * abandoned: after stop_ms, or at once on a second call.
 */
void live_stop(struct live *l);
void live_set_grace(struct live *l, uint64_t grace_ms);
/* For the metrics endpoint. */
void live_gauges(struct live *l, uint64_t *pending, double *oldest_age,
    int *retrying, const char **last_window);
/*
 * The next retry delay's ceiling after prev_ms (0: the first failure):
 * min_ms, then doubling up to max_ms, never past it nor overflowing.
 */
int live_backoff_step(int prev_ms, int min_ms, int max_ms);
void live_set_backoff(struct live *l, int min_ms, int max_ms,
    int backlog_warn_s);
void live_free(struct live *l);

#endif
