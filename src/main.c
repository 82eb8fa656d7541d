/* SPDX-License-Identifier: BSD-2-Clause */
/* nfkafka: command line → checked configuration → the export loop. */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "check.h"
#include "config.h"
#include "describe.h"
#include "dialect.h"
#include "export.h"
#include "live.h"
#include "log.h"
#include "metrics.h"
#include "nfcapd.h"
#include "notify.h"
#include "profile.h"
#include "options.h"
#include "query_probe.h"
#include "recover.h"
#include "state.h"
#include "xmalloc.h"

#define NFKAFKA_VERSION "0.3.0"

/* Exit statuses, documented in nfkafka(8). */
#define EXIT_EXPORT_FAILED 1
#define EXIT_USAGE 2

/* A SIGHUP's configuration, while nfdump is asked about its query. */
struct reload {
	struct app *a;
	struct config next;
	struct export_options eo;
	struct query_probe *probe;
};

struct app {
	int argc;
	char **argv;
	struct config c;
	struct profile profile;
	struct dialect dialect;	/* of the nfdump in use, found at start */
	uv_loop_t loop;
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_signal_t sighup;
	struct kafka *kafka;	/* the one producer; the exports borrow it */
	struct exporter *x;
	struct live *live;
	struct metrics_server *metrics;
	struct kafka_options ko;
	struct reload *reloading; /* a SIGHUP's configuration being checked */
	int reload_probes;	/* its nfdump, and any cancelled, not yet gone */
	int stopping;
	int signalled;		/* asked to stop: the window in flight may end */
	uint64_t flush_by;	/* a stop's deadline (loop time), or 0 */
	int exit_status;
};

static void usage_error(const char *what, const char *why)
{
	log_stderr("%s%s%s", what, what[0] ? ": " : "", why);
	exit(EXIT_USAGE);
}

/* A regular file we may run: access() alone also passes directories. */
static int app_is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/* nfdump must be there before any window is taken on. */
static int app_find_program(const char *prog)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL, *full;
	int found = 0;

	if (strchr(prog, '/') != NULL)
		return app_is_program(prog);
	dirs = xstrdup(path != NULL ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		xasprintf(&full, "%s/%s", dir, prog);
		found = app_is_program(full);
		free(full);
	}
	free(dirs);
	return found;
}

/* Checks everything that can be checked before touching the network. */
static void app_configure(struct app *a)
{
	char errstr[512], stamp[NFCAPD_STAMP_LEN + 1];

	if (config_parse(a->argc, a->argv, &a->c, errstr, sizeof errstr) != 0)
		usage_error("", errstr);
	if (a->c.help) {
		config_usage();
		exit(0);
	}
	if (a->c.version) {
		printf("nfkafka %s (librdkafka %s, libuv %s)\n",
		    NFKAFKA_VERSION, rd_kafka_version_str(),
		    uv_version_string());
		exit(0);
	}
	if (a->c.list_props) {
		kafka_list_properties();
		exit(0);
	}
	log_set_level(a->c.log_level);
	if (a->c.log_file != NULL && log_open_file(a->c.log_file) != 0) {
		snprintf(errstr, sizeof errstr, "%s: %s", a->c.log_file,
		    strerror(errno));
		usage_error("--log-file", errstr);
	}
	if (!app_find_program(a->c.nfdump)) {
		snprintf(errstr, sizeof errstr, "%s: not found or not "
		    "executable; install nfdump or give --nfdump PATH",
		    a->c.nfdump);
		usage_error("--nfdump", errstr);
	}
	if (dialect_detect(a->c.nfdump, &a->dialect, errstr,
	    sizeof errstr) != 0)
		usage_error("--nfdump", errstr);
	if ((a->c.profile != NULL || a->c.schema == NULL) &&
	    profile_parse(a->c.profile, &a->profile, errstr,
	    sizeof errstr) != 0)
		usage_error("-M", errstr);
	if (a->c.once != NULL && nfcapd_check_relfile(a->c.once, stamp,
	    errstr, sizeof errstr) != 0)
		usage_error("--once", errstr);
}

static void app_walk_close(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* A reload's check of its query would come too late to matter. */
static void app_reload_cancel(struct app *a)
{
	if (a->reloading != NULL)
		query_probe_cancel(a->reloading->probe);
	a->reloading = NULL;
}

/* Stops intake; the loop ends once no nfdump is left running. */
static void app_stop(struct app *a)
{
	if (a->stopping)
		return;
	a->stopping = 1;
	app_reload_cancel(a);
	if (!a->signalled)
		notify_stopping();
	notify_watchdog_stop();
	metrics_stop(a->metrics);
	a->metrics = NULL;
	/*
	 * The signal handles stay open until the end: closing them would give
	 * a second SIGTERM its default action, killing us before the flush.
	 */
}

static void app_once_done(void *arg, const char *stamp,
    const struct export_result *r)
{
	struct app *a = arg;

	metrics_count_export(r);
	if (!failure_failed(&r->failure)) {
		log_info("window %s: exported %" PRIu64 " records "
		    "(nfdump %.3f s, last ack after %.3f s)", stamp, r->rows,
		    r->nfdump_secs, r->total_secs);
		a->exit_status = 0;
	} else {
		log_error("window %s: failed: %s", stamp, r->failure.message);
		a->exit_status = EXIT_EXPORT_FAILED;
	}
	app_stop(a);
}

static void app_signal(uv_signal_t *h, int signum)
{
	struct app *a = h->data;

	if (a->stopping) {
		log_info("%s: already stopping", strsignal(signum));
		return;
	}
	if (a->live != NULL) {
		if (!a->signalled) {
			log_info("%s: stopping", strsignal(signum));
			notify_stopping();
			uv_update_time(&a->loop);
			a->flush_by = uv_now(&a->loop) +
			    (uint64_t)a->c.flush_ms;
		} else {
			log_info("%s: not waiting for the window in flight",
			    strsignal(signum));
		}
		a->signalled = 1;
		app_reload_cancel(a);
		live_stop(a->live);
		return;
	}
	log_info("%s: stopping", strsignal(signum));
	log_warn("window %s: not exported: interrupted", a->c.once);
	export_abandon(a->x);
	a->exit_status = EXIT_EXPORT_FAILED;
	app_stop(a);
}

/*
 * nfdump is the authority on its own syntax: a query it refuses would fail
 * every window, so it is refused before the first one (or a reload). 1
 * with the reason in errstr: the table's, if it has one, then nfdump's.
 */
static int app_query_verdict(const struct export_options *eo, int error,
    const char *why, char *errstr, size_t errlen)
{
	const char *doubt = eo->query->schema.doubt;

	if (error == -EINVAL && doubt != NULL)
		snprintf(errstr, errlen, "%s; %s", doubt, why);
	else if (error == -EINVAL)
		snprintf(errstr, errlen, "%s", why);
	else if (error != 0 && doubt != NULL)
		snprintf(errstr, errlen, "%s", doubt);
	else if (error != 0)
		log_warn("nfdump %s: could not check the query on an empty "
		    "window (%s); windows will tell", eo->nfdump,
		    strerror(-error));
	else if (doubt != NULL)
		log_info("nfdump %s accepts the query, though %s: its values "
		    "are sent as text", eo->nfdump, doubt);
	return error == -EINVAL || (error != 0 && doubt != NULL);
}

/* At start, before the loop runs: blocking. */
static int app_query_refused(const struct export_options *eo, char *errstr,
    size_t errlen)
{
	char why[512];
	int error = query_probe(eo->query, eo->nfdump, why, sizeof why);

	return app_query_verdict(eo, error, why, errstr, errlen);
}

static void app_probe(const struct export_options *eo)
{
	char errstr[1024];

	if (app_query_refused(eo, errstr, sizeof errstr))
		usage_error("-Q", errstr);
}

static void app_reload_free(struct reload *r)
{
	export_options_free(&r->eo);
	config_free(&r->next);
	free(r);
}

/* The checked configuration takes over; next and eo are handed on. */
static void app_reload_apply(struct app *a, struct reload *r)
{
	options_report_restart_needed(&a->c, &r->next);
	r->eo.schema_registry = a->c.schema_registry;
	r->eo.schema_registry_auth = a->c.schema_registry_auth;
	export_reconfigure(a->x, &r->eo);
	log_set_level(r->next.log_level);
	if (a->live != NULL) {
		live_set_grace(a->live, (uint64_t)r->next.grace_s * 1000);
		live_set_backoff(a->live, r->next.backoff_min_ms,
		    r->next.backoff_max_ms, r->next.backlog_warn_s);
	}
	options_adopt(&a->c, &r->next);
	free(r);
	log_info("SIGHUP: configuration reloaded; it applies from the next "
	    "window");
	notify_ready();
}

/* nfdump's word on the reloaded query, on the loop. */
static void app_reload_probed(void *arg, int status, const char *why)
{
	struct reload *r = arg;
	struct app *a = r->a;
	char errstr[1024];

	a->reload_probes--;
	if (a->reloading == r)
		a->reloading = NULL;
	/* Shutdown, or a newer SIGHUP whose check replaces this one. */
	if (status == -ECANCELED) {
		app_reload_free(r);
		return;
	}
	if (app_query_verdict(&r->eo, status, why, errstr, sizeof errstr)) {
		log_error("SIGHUP: -Q: %s; keeping the running configuration",
		    errstr);
		app_reload_free(r);
		notify_ready();
		return;
	}
	app_reload_apply(a, r);
}

/*
 * Reopens the log, reads the configuration again and, once nfdump has
 * accepted its query (on the loop: the metrics, the watchdog and the
 * exports go on meanwhile), adopts it.
 */
static void app_hangup(uv_signal_t *h, int signum)
{
	struct app *a = h->data;
	struct reload *r;
	char errstr[512];
	int error;

	(void)signum;
	if (a->stopping || a->signalled)
		return;
	notify_reloading();
	log_reopen();
	if (a->c.log_file != NULL)
		log_info("SIGHUP: log file %s reopened", a->c.log_file);
	r = xcalloc(1, sizeof *r);
	r->a = a;
	if (config_parse(a->argc, a->argv, &r->next, errstr,
	    sizeof errstr) != 0 || options_export(&r->next, &a->profile,
	    &a->dialect, &r->eo, errstr, sizeof errstr) != 0) {
		log_error("SIGHUP: %s; keeping the running configuration",
		    errstr);
		config_free(&r->next);
		free(r);
		notify_ready();
		return;
	}
	r->eo.nfdump = a->c.nfdump; /* fixed until a restart */
	if (a->reloading != NULL)
		log_info("SIGHUP: again before the last one was checked: "
		    "checking the newest configuration");
	app_reload_cancel(a);
	error = query_probe_start(&a->loop, r->eo.query, r->eo.nfdump,
	    app_reload_probed, r, &r->probe);
	a->reload_probes++;
	if (error != 0) {
		/* Could not ask: as at start, the windows will tell. */
		app_reload_probed(r, error, "");
		return;
	}
	a->reloading = r;
}

static void app_live_exit(void *arg, int status)
{
	struct app *a = arg;

	a->exit_status = status;
	app_stop(a);
}

static void app_live_report(void *arg, const struct live_report *rep)
{
	(void)arg;
	metrics_count_window(rep);
}

static void app_gauges(void *arg, struct metrics_gauges *g)
{
	struct app *a = arg;

	g->queue_depth = kafka_outq_len(a->kafka);
	g->broker_up = kafka_broker_up(a->kafka);
	if (a->live != NULL)
		live_gauges(a->live, &g->windows_pending,
		    &g->oldest_pending_age, &g->retrying, &g->last_window);
}

static void app_live(struct app *a)
{
	struct live_options lo = {
		.state = a->c.state,
		.grace_ms = (uint64_t)a->c.grace_s * 1000,
		.since = a->c.since,
		.replay_from = a->c.replay_from,
		.replay_to = a->c.replay_to,
		.backoff_min_ms = a->c.backoff_min_ms,
		.backoff_max_ms = a->c.backoff_max_ms,
		.backlog_warn_s = a->c.backlog_warn_s,
		.ledger_windows = a->c.ledger_windows,
		.rescan_ms = a->c.rescan_ms,
		.future_slack_s = a->c.future_slack_s,
		.stop_ms = a->c.flush_ms,
		.report = app_live_report,
	};
	char errstr[512];

	if (a->c.transactional_id != NULL)
		lo.recover = a->kafka;

	if (live_start(&a->loop, &a->profile, a->x, &lo, app_live_exit, a,
	    &a->live, errstr, sizeof errstr) != 0) {
		log_error("%s", errstr);
		exit(EXIT_USAGE);
	}
	if (lo.replay_from[0] == '\0') {
		log_info("watching %s for rotated windows", a->c.profile);
		notify_ready();
		notify_watchdog_start(&a->loop);
	}
}

static void app_once(struct app *a)
{
	char stamp[NFCAPD_STAMP_LEN + 1], errstr[512];
	unsigned long mask;
	int error;

	if (nfcapd_check_relfile(a->c.once, stamp, errstr,
	    sizeof errstr) != 0)
		usage_error("--once", errstr);
	mask = profile_present(&a->profile, a->c.once);
	if (mask == 0) {
		log_error("window %s: no channel has %s under %s", stamp,
		    a->c.once, a->profile.dir);
		exit(EXIT_EXPORT_FAILED);
	}
	if (mask != profile_all(&a->profile)) {
		char *missing = profile_names(&a->profile, ~mask, ",");

		log_warn("window %s: channel(s) %s have no %s; exporting the "
		    "others", stamp, missing, a->c.once);
		free(missing);
	}
	error = export_start(a->x, &(struct export_window){ a->c.once, stamp,
	    mask, 0 }, app_once_done, a);
	if (error != 0) {
		log_error("window %s: cannot run nfdump: %s", stamp,
		    uv_strerror(error));
		exit(EXIT_EXPORT_FAILED);
	}
}

/* --check-config: everything, then a dry run of the query; no export. */
static int app_check(struct app *a, struct export_options *eo,
    const struct kafka_options *ko)
{
	const char *what;
	char errstr[1024];

	if (a->c.state != NULL && state_check(a->c.state, errstr,
	    sizeof errstr) != 0) {
		export_options_free(eo);
		log_stderr("--state: %s", errstr);
		return EXIT_USAGE;
	}
	if (check_query(&a->loop, eo, ko, &what, errstr,
	    sizeof errstr) != 0) {
		log_stderr("--check-config: %s", errstr);
		return EXIT_USAGE;
	}
	printf("nfkafka: configuration OK (query checked by %s; nfdump %s)\n",
	    what, dialect_name(&a->dialect));
	return 0;
}

static void app_signals(struct app *a)
{
	uv_signal_init(&a->loop, &a->sigint);
	uv_signal_init(&a->loop, &a->sigterm);
	uv_signal_init(&a->loop, &a->sighup);
	a->sigint.data = a->sigterm.data = a->sighup.data = a;
	uv_signal_start(&a->sigint, app_signal, SIGINT);
	uv_signal_start(&a->sigterm, app_signal, SIGTERM);
	uv_signal_start(&a->sighup, app_hangup, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
}

static void app_metrics(struct app *a)
{
	char errstr[512];

	if (a->c.metrics == NULL)
		return;
	if (metrics_start(&a->loop, a->c.metrics, (unsigned)a->c.health_backlog,
	    app_gauges, a, &a->metrics, errstr, sizeof errstr) != 0)
		usage_error("", errstr); /* it starts with "--metrics ADDR" */
	log_info("metrics on http://%s/metrics", a->c.metrics);
}

/*
 * A stop is bounded by --flush-timeout in all: what the window in flight
 * took of it is not given to the flush again. A window that was done has
 * nothing left to flush; one abandoned is sent again on restart anyway.
 */
static int app_flush_ms(struct app *a)
{
	uint64_t now;

	if (a->flush_by == 0)
		return a->c.flush_ms;
	uv_update_time(&a->loop);
	now = uv_now(&a->loop);
	return now < a->flush_by ? (int)(a->flush_by - now) : 0;
}

/* Ends the loop cleanly: flush, close every handle, check none is left. */
static void app_finish(struct app *a)
{
	sigset_t stop;

	/* A read-back's thread reads the producer's options: wait for it. */
	while (!(a->stopping && export_children(a->x) == 0 &&
	    recover_pending() == 0 && a->reload_probes == 0))
		uv_run(&a->loop, UV_RUN_ONCE);
	/*
	 * We are on our way out: a further signal must not cut the flush
	 * short, nor kill us once libuv has put back the default action.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	/* Reports served by the flush still reach the exporter. */
	kafka_flush(a->kafka, app_flush_ms(a));
	exporter_free(a->x);
	kafka_destroy(a->kafka, 0);
	live_free(a->live);
	uv_walk(&a->loop, app_walk_close, NULL);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&a->loop) != 0)
		log_warn("event loop: handles left open at exit");
}

/* --schema FORMAT: the schema of the records this configuration sends. */
static void app_schema(struct app *a, struct export_options *eo)
{
	const struct query *q = eo->query;
	struct encode_options o = { eo->values, eo->identity, a->c.topic,
		a->c.schema_registry };
	struct describe_target t = { eo->format, a->c.brokers, a->c.topic };
	char errstr[512];

	if (q->csv)
		usage_error("--schema", "-o csv names its columns in nfdump's "
		    "header, at run time; give -o csv:%tok,... or -o fmt: to "
		    "know them beforehand");
	if (describe_print(a->c.schema, &q->schema, &o, &t, stdout, errstr,
	    sizeof errstr) != 0)
		usage_error("", errstr);
	export_options_free(eo);
	profile_free(&a->profile);
	config_free(&a->c);
	exit(fflush(stdout) == 0 ? 0 : EXIT_USAGE);
}

int main(int argc, char **argv)
{
	struct app a = { .argc = argc, .argv = argv,
		.exit_status = EXIT_EXPORT_FAILED };
	struct export_options eo;
	char errstr[512];

	app_configure(&a);
	if (options_export(&a.c, &a.profile, &a.dialect, &eo, errstr,
	    sizeof errstr) != 0)
		usage_error("", errstr);
	app_probe(&eo);
	if (a.c.schema != NULL)
		app_schema(&a, &eo);
	a.ko = options_kafka(&a.c);
	if (kafka_check(&a.ko, errstr, sizeof errstr) != 0)
		usage_error("", errstr);
	uv_loop_init(&a.loop);
	srandom((unsigned)uv_hrtime());
	if (a.c.check_config) {
		/* Freed like a run's, so leak checkers see a clean exit. */
		a.exit_status = app_check(&a, &eo, &a.ko);
		uv_walk(&a.loop, app_walk_close, NULL);
		uv_run(&a.loop, UV_RUN_DEFAULT);
		uv_loop_close(&a.loop);
		profile_free(&a.profile);
		config_free(&a.c);
		log_close();
		return a.exit_status;
	}
	if (kafka_new(&a.loop, &a.ko, &a.kafka, errstr, sizeof errstr) != 0 ||
	    exporter_new(&a.loop, &eo, a.kafka, &a.ko, &a.x, errstr,
	    sizeof errstr) != 0)
		usage_error("kafka", errstr);
	app_signals(&a);
	log_info("nfdump %s: version %s", a.c.nfdump, dialect_name(&a.dialect));
	app_metrics(&a);
	if (a.c.once != NULL)
		app_once(&a);
	else
		app_live(&a);
	app_finish(&a);
	profile_free(&a.profile);
	config_free(&a.c);
	log_close();
	return a.exit_status;
}
