/* SPDX-License-Identifier: BSD-2-Clause */
/* Prometheus metrics and a health check, served on the loop. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "xmalloc.h"

static struct metrics_counters metrics;

void metrics_count_export(const struct export_result *r)
{
	metrics.records += r->acked;
	metrics.record_bytes += r->acked_bytes;
	metrics.delivery_errors += r->delivery_errors;
	metrics.untyped_values += r->untyped;
	if (r->nfdump_ran) {
		metrics.nfdump_runs++;
		metrics.nfdump_seconds += r->nfdump_secs;
	}
}

void metrics_count_window(const struct live_report *rep)
{
	if (rep->r != NULL)
		metrics_count_export(rep->r);
	switch (rep->outcome) {
	case LIVE_EXPORTED:
		metrics.windows_exported++;
		metrics.lag_seconds_last = rep->lag_s;
		metrics.lag_seconds_sum += rep->lag_s;
		break;
	case LIVE_RETRYING:
		metrics.windows_failed++;
		break;
	case LIVE_SKIPPED:
		metrics.windows_skipped++;
		break;
	case LIVE_LOST:
		metrics.windows_lost++;
		break;
	case LIVE_FUTURE:
		metrics.files_future++;
		break;
	case LIVE_UNSEEN:
		metrics.files_unseen++;
		break;
	case LIVE_LATE:
		metrics.windows_late++;
		break;
	}
}

struct metrics_server {
	struct http_server *http;
	unsigned health_backlog;
	metrics_gauges_cb cb;
	void *arg;
};

struct metrics_row {
	const char *name;
	const char *type;
	const char *help;
	double value;
};

/* Prometheus' text format: help, type and value of each row. */
static char *metrics_text(const struct metrics_row *rows, size_t n,
    size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		fatal("open_memstream");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "# HELP nfkafka_%s %s\n# TYPE nfkafka_%s %s\n"
		    "nfkafka_%s %.17g\n", rows[i].name, rows[i].help,
		    rows[i].name, rows[i].type, rows[i].name, rows[i].value);
	fclose(f);
	return buf;
}

char *metrics_render(const struct metrics_gauges *g, size_t *len)
{
	const struct metrics_counters *c = &metrics;
	const struct metrics_row rows[] = {
		{ "windows_exported_total", "counter",
		    "Windows whose records were all acknowledged.",
		    (double)c->windows_exported },
		{ "windows_failed_total", "counter",
		    "Window export attempts that failed and were retried.",
		    (double)c->windows_failed },
		{ "windows_skipped_total", "counter",
		    "Windows given up after repeated nfdump failures.",
		    (double)c->windows_skipped },
		{ "window_files_lost_total", "counter",
		    "Window files gone before their export (nfexpire, by "
		    "hand): their flows are lost.", (double)c->windows_lost },
		{ "window_files_future_total", "counter",
		    "Window files refused: named further ahead of the clock "
		    "than --future-slack.", (double)c->files_future },
		{ "window_files_unseen_total", "counter",
		    "Window files found by a rescan that no file-system event "
		    "reported (events were lost).", (double)c->files_unseen },
		{ "windows_late_total", "counter",
		    "Windows below the last exported one that were never "
		    "exported (the clock stepped back), queued for export.",
		    (double)c->windows_late },
		{ "windows_pending", "gauge",
		    "Rotated windows waiting to be exported.",
		    (double)g->windows_pending },
		{ "oldest_pending_window_age_seconds", "gauge",
		    "Time since the oldest pending window's first file "
		    "appeared.", g->oldest_pending_age },
		{ "records_total", "counter",
		    "Records acknowledged by Kafka.", (double)c->records },
		{ "record_bytes_total", "counter",
		    "CBOR bytes of the records acknowledged by Kafka.",
		    (double)c->record_bytes },
		{ "delivery_errors_total", "counter",
		    "Records Kafka did not acknowledge.",
		    (double)c->delivery_errors },
		{ "untyped_values_total", "counter",
		    "Values sent as text because they did not parse as their "
		    "type.", (double)c->untyped_values },
		{ "nfdump_runs_total", "counter", "nfdump processes run.",
		    (double)c->nfdump_runs },
		{ "nfdump_seconds_total", "counter",
		    "Time spent in nfdump runs.", c->nfdump_seconds },
		{ "lag_seconds", "gauge", "Last window: from its last "
		    "channel's rotation to its last acknowledgement.",
		    c->lag_seconds_last },
		{ "lag_seconds_total", "counter",
		    "Sum of the lag over exported windows.",
		    c->lag_seconds_sum },
		{ "producer_queue_messages", "gauge",
		    "Messages in librdkafka's queue, not yet acknowledged.",
		    (double)g->queue_depth },
		{ "broker_up", "gauge", "1 when a Kafka broker is reachable.",
		    (double)g->broker_up },
	};

	return metrics_text(rows, sizeof rows / sizeof *rows, len);
}

/* Keeping up: the broker is there, nothing waits for a retry, no backlog. */
static int metrics_health(const struct metrics_server *m,
    const struct metrics_gauges *g, char **body)
{
	if (!g->broker_up)
		xasprintf(body, "unhealthy: no Kafka broker reachable\n");
	else if (g->retrying)
		xasprintf(body, "unhealthy: a window failed and waits for its "
		    "retry\n");
	else if (g->windows_pending > m->health_backlog)
		xasprintf(body, "unhealthy: %llu windows pending (more than "
		    "%u)\n", (unsigned long long)g->windows_pending,
		    m->health_backlog);
	else {
		xasprintf(body, "ok: last window %s, %llu pending\n",
		    g->last_window[0] ? g->last_window : "none",
		    (unsigned long long)g->windows_pending);
		return 200;
	}
	return 503;
}

static void metrics_serve(void *arg, const char *path,
    struct http_response *resp)
{
	struct metrics_server *m = arg;
	struct metrics_gauges g = { .last_window = "" };

	m->cb(m->arg, &g);
	if (strcmp(path, "/metrics") == 0) {
		resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
		resp->body = metrics_render(&g, &resp->len);
		return;
	}
	if (strcmp(path, "/health") == 0) {
		resp->status = metrics_health(m, &g, &resp->body);
		resp->len = strlen(resp->body);
		return;
	}
	resp->status = 404;
	resp->len = (size_t)xasprintf(&resp->body,
	    "not found: try /metrics or /health\n");
}

int metrics_start(uv_loop_t *loop, const char *addr, unsigned health_backlog,
    metrics_gauges_cb cb, void *arg, struct metrics_server **mp,
    char *errstr, size_t errlen)
{
	struct metrics_server *m = xcalloc(1, sizeof *m);
	int error;

	m->health_backlog = health_backlog;
	m->cb = cb;
	m->arg = arg;
	error = http_start(loop, addr, metrics_serve, m, &m->http, errstr,
	    errlen);
	if (error != 0) {
		free(m);
		return error;
	}
	*mp = m;
	return 0;
}

void metrics_stop(struct metrics_server *m)
{
	if (m == NULL)
		return;
	http_stop(m->http);
	free(m);
}
