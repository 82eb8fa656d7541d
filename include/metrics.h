/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_METRICS_H
#define NFKAFKA_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "export.h"
#include "live.h"

/* Counters made from export results; read by the Prometheus endpoint. */
struct metrics_counters {
	uint64_t windows_exported;
	uint64_t windows_failed;	/* attempts that failed (retried) */
	uint64_t windows_skipped;	/* given up after nfdump failures */
	uint64_t windows_lost;		/* files gone before export */
	uint64_t files_future;		/* refused: too far ahead */
	uint64_t files_unseen;		/* found by a rescan only */
	uint64_t windows_late;		/* below the floor, never exported */
	uint64_t records;		/* records acknowledged by Kafka */
	uint64_t record_bytes;		/* their CBOR bytes */
	uint64_t delivery_errors;	/* records Kafka did not acknowledge */
	uint64_t untyped_values;
	uint64_t nfdump_runs;
	double nfdump_seconds;		/* sum over runs */
	double lag_seconds_last;	/* last rotation → last ack */
	double lag_seconds_sum;
};

/* The one place results become counters: an export's, then a window's. */
void metrics_count_export(const struct export_result *r);
void metrics_count_window(const struct live_report *rep);

/* What the endpoint asks the running service for when scraped. */
struct metrics_gauges {
	uint64_t windows_pending;
	double oldest_pending_age;	/* seconds since its first file */
	int queue_depth;		/* producer queue, messages */
	int broker_up;
	int retrying;			/* a failed window waits for its retry */
	const char *last_window;	/* stamp, "" before the first */
};

typedef void (*metrics_gauges_cb)(void *arg, struct metrics_gauges *g);

struct metrics_server;

/*
 * Serves /metrics (Prometheus text) and /health (200 when keeping up, 503
 * with the reason otherwise) on addr. health_backlog: pending windows above
 * which the service counts as falling behind.
 */
int metrics_start(uv_loop_t *loop, const char *addr, unsigned health_backlog,
    metrics_gauges_cb cb, void *arg, struct metrics_server **mp,
    char *errstr, size_t errlen);
void metrics_stop(struct metrics_server *m);
/* The Prometheus text for these counters and gauges; caller frees. */
char *metrics_render(const struct metrics_gauges *g, size_t *len);

#endif
