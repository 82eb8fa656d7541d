/* nfkafka: command line → checked configuration → the export loop. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <uv.h>

#include "config.h"
#include "export.h"
#include "live.h"
#include "log.h"
#include "nfcapd.h"
#include "profile.h"
#include "query.h"
#include "words.h"
#include "xmalloc.h"

#define NFKAFKA_VERSION "0.1.0"

/* Exit statuses, documented in nfkafka(8). */
#define EXIT_EXPORT_FAILED 1
#define EXIT_USAGE 2

struct app {
	struct config c;
	struct query query;
	struct profile profile;
	char **key_fields;
	size_t nkey_fields;
	uv_loop_t loop;
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_signal_t sighup;
	struct exporter *x;
	struct live *live;
	int stopping;
	int exit_status;
};

static void usage_error(const char *what, const char *why)
{
	fprintf(stderr, "nfkafka: %s%s%s\n", what, what[0] ? ": " : "", why);
	exit(EXIT_USAGE);
}

/* Splits -k into field names and checks them when the schema is known. */
static void app_key_fields(struct app *a)
{
	char errstr[256];
	char *list;

	if (a->c.key == NULL)
		return;
	list = xstrdup(a->c.key);
	for (char *f = strtok(list, ","); f != NULL; f = strtok(NULL, ",")) {
		if (!a->query.csv && schema_find(&a->query.schema, f) < 0) {
			snprintf(errstr, sizeof errstr, "field %s is not in "
			    "the query's output format", f);
			usage_error("-k", errstr);
		}
		a->key_fields = xrealloc(a->key_fields,
		    (a->nkey_fields + 2) * sizeof *a->key_fields);
		a->key_fields[a->nkey_fields++] = xstrdup(f);
		a->key_fields[a->nkey_fields] = NULL;
	}
	free(list);
	if (a->nkey_fields == 0)
		usage_error("-k", "no field names");
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
static void app_configure(struct app *a, int argc, char **argv)
{
	char errstr[512];

	if (config_parse(argc, argv, &a->c, errstr, sizeof errstr) != 0)
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
	if (query_parse(a->c.query, &a->query, errstr, sizeof errstr) != 0)
		usage_error("-Q", errstr);
	if (profile_parse(a->c.profile, &a->profile, errstr,
	    sizeof errstr) != 0)
		usage_error("-M", errstr);
	app_key_fields(a);
}

static struct kafka_options app_kafka_options(const struct app *a)
{
	return (struct kafka_options){
		.brokers = a->c.brokers,
		.topic = a->c.topic,
		.props = a->c.props,
		.nprops = a->c.nprops,
		.transactional_id = a->c.transactional_id,
	};
}

static void app_walk_close(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Stops intake; the loop ends once no nfdump is left running. */
static void app_stop(struct app *a)
{
	if (a->stopping)
		return;
	a->stopping = 1;
	uv_close((uv_handle_t *)&a->sigint, NULL);
	uv_close((uv_handle_t *)&a->sigterm, NULL);
	uv_close((uv_handle_t *)&a->sighup, NULL);
}

static void app_once_done(void *arg, const char *stamp,
    const struct export_result *r)
{
	struct app *a = arg;

	if (r->ok) {
		log_info("window %s: exported %" PRIu64 " records "
		    "(nfdump %.3f s, last ack after %.3f s)", stamp, r->rows,
		    r->nfdump_secs, r->total_secs);
		a->exit_status = 0;
	} else {
		log_error("window %s: failed: %s", stamp, r->error);
		a->exit_status = EXIT_EXPORT_FAILED;
	}
	if (r->untyped > 0)
		log_warn("window %s: %" PRIu64 " values did not parse as "
		    "their type and were sent as text", stamp, r->untyped);
	app_stop(a);
}

static void app_signal(uv_signal_t *h, int signum)
{
	struct app *a = h->data;

	log_info("%s: stopping", strsignal(signum));
	if (a->live != NULL) {
		live_stop(a->live);
		return;
	}
	log_warn("window %s: not exported: interrupted", a->c.once);
	export_abandon(a->x);
	a->exit_status = EXIT_EXPORT_FAILED;
	app_stop(a);
}

static void app_hangup(uv_signal_t *h, int signum)
{
	(void)h;
	(void)signum;
	log_reopen();
	log_info("SIGHUP: log file reopened");
}

static void app_live_exit(void *arg, int status)
{
	struct app *a = arg;

	a->exit_status = status;
	app_stop(a);
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
	};
	char errstr[512];

	if (live_start(&a->loop, &a->profile, a->x, &lo, app_live_exit, a,
	    &a->live, errstr, sizeof errstr) != 0) {
		log_error("%s", errstr);
		exit(EXIT_USAGE);
	}
	if (lo.replay_from[0] == '\0')
		log_info("watching %s for rotated windows", a->c.profile);
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
	if (mask != (1UL << a->profile.nchannels) - 1) {
		char *missing = profile_names(&a->profile, ~mask, ",");

		log_warn("window %s: channel(s) %s have no %s; exporting the "
		    "others", stamp, missing, a->c.once);
		free(missing);
	}
	error = export_start(a->x, a->c.once, stamp, mask, app_once_done, a);
	if (error != 0) {
		log_error("window %s: cannot run %s: %s", stamp, a->c.nfdump,
		    uv_strerror(error));
		exit(EXIT_EXPORT_FAILED);
	}
}

int main(int argc, char **argv)
{
	struct app a = { .exit_status = EXIT_EXPORT_FAILED };
	struct export_options eo;
	struct kafka_options ko;
	char errstr[512];

	app_configure(&a, argc, argv);
	ko = app_kafka_options(&a);
	if (kafka_check(&ko, errstr, sizeof errstr) != 0)
		usage_error("", errstr);
	eo = (struct export_options){
		.query = &a.query,
		.profile = &a.profile,
		.nfdump = a.c.nfdump,
		.values = a.c.values,
		.key_fields = a.key_fields,
		.nkey_fields = a.nkey_fields,
	};
	uv_loop_init(&a.loop);
	if (exporter_new(&a.loop, &eo, &ko, &a.x, errstr,
	    sizeof errstr) != 0)
		usage_error("kafka", errstr);
	uv_signal_init(&a.loop, &a.sigint);
	uv_signal_init(&a.loop, &a.sigterm);
	uv_signal_init(&a.loop, &a.sighup);
	a.sigint.data = a.sigterm.data = a.sighup.data = &a;
	uv_signal_start(&a.sigint, app_signal, SIGINT);
	uv_signal_start(&a.sigterm, app_signal, SIGTERM);
	uv_signal_start(&a.sighup, app_hangup, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)uv_hrtime());

	if (a.c.once != NULL)
		app_once(&a);
	else
		app_live(&a);
	while (!(a.stopping && export_children(a.x) == 0))
		uv_run(&a.loop, UV_RUN_ONCE);

	exporter_free(a.x, a.c.flush_ms);
	live_free(a.live);
	uv_walk(&a.loop, app_walk_close, NULL);
	uv_run(&a.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&a.loop) != 0)
		log_warn("event loop: handles left open at exit");
	query_free(&a.query);
	profile_free(&a.profile);
	words_free(a.key_fields);
	config_free(&a.c);
	log_close();
	return a.exit_status;
}
