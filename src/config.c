/* SPDX-License-Identifier: BSD-2-Clause */
/* The command line: options, their defaults, and checks of their form. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "kafka.h"
#include "nfcapd.h"
#include "query.h"
#include "xmalloc.h"

/* A config file is a page of settings; anything bigger is a mistake. */
#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_FILE_MAX_TEXT "1 MiB"

enum {
	OPT_ONCE = 256,
	OPT_NFDUMP,
	OPT_VALUES,
	OPT_LOG_FILE,
	OPT_FLUSH_TIMEOUT,
	OPT_STATE,
	OPT_GRACE,
	OPT_SINCE,
	OPT_REPLAY,
	OPT_BACKOFF_MIN,
	OPT_BACKOFF_MAX,
	OPT_TRANSACTIONAL_ID,
	OPT_BACKLOG_WARN,
	OPT_LOG_LEVEL,
	OPT_METRICS,
	OPT_HEALTH_BACKLOG,
	OPT_CHECK_CONFIG,
	OPT_HEADERS,
	OPT_LEDGER_WINDOWS,
	OPT_BATCH,
	OPT_FORMAT,
	OPT_TIMESTAMP,
	OPT_SUMMARY_TOPIC,
	OPT_INTERVAL,
	OPT_NFDUMP_TIMEOUT,
	OPT_SCHEMA,
	OPT_IDENTITY,
	OPT_SCHEMA_REGISTRY,
	OPT_SCHEMA_REGISTRY_AUTH,
};

/* The leading ':' makes getopt tell a missing argument from an unknown option. */
static const char config_shortopts[] = ":c:M:b:i:p:t:X:Q:k:vqhV";

static const struct option config_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "profile", required_argument, NULL, 'M' },
	{ "once", required_argument, NULL, OPT_ONCE },
	{ "brokers", required_argument, NULL, 'b' },
	{ "host", required_argument, NULL, 'i' },
	{ "port", required_argument, NULL, 'p' },
	{ "topic", required_argument, NULL, 't' },
	{ "property", required_argument, NULL, 'X' },
	{ "query", required_argument, NULL, 'Q' },
	{ "nfdump", required_argument, NULL, OPT_NFDUMP },
	{ "nfdump-timeout", required_argument, NULL, OPT_NFDUMP_TIMEOUT },
	{ "key", required_argument, NULL, 'k' },
	{ "values", required_argument, NULL, OPT_VALUES },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "flush-timeout", required_argument, NULL, OPT_FLUSH_TIMEOUT },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "backoff-min", required_argument, NULL, OPT_BACKOFF_MIN },
	{ "backoff-max", required_argument, NULL, OPT_BACKOFF_MAX },
	{ "transactional-id", required_argument, NULL, OPT_TRANSACTIONAL_ID },
	{ "backlog-warn", required_argument, NULL, OPT_BACKLOG_WARN },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "health-backlog", required_argument, NULL, OPT_HEALTH_BACKLOG },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "headers", required_argument, NULL, OPT_HEADERS },
	{ "ledger-windows", required_argument, NULL, OPT_LEDGER_WINDOWS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "timestamp", required_argument, NULL, OPT_TIMESTAMP },
	{ "summary-topic", required_argument, NULL, OPT_SUMMARY_TOPIC },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "schema", required_argument, NULL, OPT_SCHEMA },
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "schema-registry", required_argument, NULL, OPT_SCHEMA_REGISTRY },
	{ "schema-registry-auth", required_argument, NULL,
	    OPT_SCHEMA_REGISTRY_AUTH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void config_usage(void)
{
	printf("usage: nfkafka -M DIR/CHAN[:CHAN...] -b BROKERS [options]\n"
	    "       nfkafka --once FILE -M DIR/CHAN[:CHAN...] -b BROKERS "
	    "[options]\n"
	    "Exports each nfcapd window to Kafka as it rotates.\n"
	    "  -M DIR/CHAN[:CHAN]  channels to export (nfdump -M syntax)\n"
	    "  --once FILE         export one window, e.g. "
	    "2026/11/27/nfcapd.202611271055\n"
	    "  -b HOST:PORT[,...]  Kafka brokers (or -i HOST [-p PORT])\n"
	    "  -t TOPIC            topic (default %s)\n"
	    "  -Q 'ARGS'           nfdump query (default %s)\n"
	    "  -k FIELD[,FIELD]    message key from record fields\n"
	    "  --state FILE        remember the last exported window\n"
	    "  --grace SECONDS     wait for late channels (default %d)\n"
	    "  --since TIME, --replay FROM TO   export past windows\n"
	    "  --format FORMAT     cbor, json or avro (default cbor)\n"
	    "  --schema-registry URL  where Avro's schemas are registered\n"
	    "  --identity yes|no   window, revision, row fields in records\n"
	    "  --schema FORMAT     print the records' schema: cddl, "
	    "json-schema,\n"
	    "                      avro or clickhouse, and exit\n"
	    "  --batch N           up to N records per message (default 1)\n"
	    "  --summary-topic T   one completeness summary per window\n"
	    "  -X NAME=VALUE       librdkafka property; -X list lists them\n"
	    "  -v, -q              more, less logging\n"
	    "Every option is described in nfkafka(8): man nfkafka\n",
	    CONFIG_DEFAULT_TOPIC, QUERY_DEFAULT, CONFIG_DEFAULT_GRACE);
}

static int config_int(const char *opt, const char *arg, long min, long max,
    int *out, char *errstr, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max) {
		snprintf(errstr, errlen, "%s %s: expected a number from %ld "
		    "to %ld", opt, arg, min, max);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

/*
 * A window time as nfcapd names files, in the collector's local time:
 * "202611271055", "2026-11-27 10:55", "2026-11-27T10:55:30" or a date.
 */
static int config_stamp(const char *opt, const char *arg, char *stamp,
    char *errstr, size_t errlen)
{
	char digits[32], name[48];
	size_t n = 0;

	for (const char *p = arg; *p != '\0' && n < sizeof digits - 1; p++) {
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
		else if (strchr("-:/. T", *p) == NULL)
			n = sizeof digits; /* not a time */
	}
	if (n == 8) {
		memcpy(digits + 8, "0000", 4);
		n = 12;
	}
	digits[n < sizeof digits ? n : 0] = '\0';
	snprintf(name, sizeof name, "nfcapd.%s", digits);
	if ((n != 12 && n != 14) || nfcapd_parse_name(name, stamp) != 0) {
		snprintf(errstr, errlen, "%s %s: expected a window time such "
		    "as 202611271055 or \"2026-11-27 10:55\"", opt, arg);
		return -EINVAL;
	}
	return 0;
}

static int config_seconds(const char *opt, const char *arg, int *ms,
    char *errstr, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	/* Written so that NaN, which every comparison fails, is refused. */
	if (errno != 0 || end == arg || *end != '\0' || !(v >= 0 &&
	    v <= INT_MAX / 1000)) {
		snprintf(errstr, errlen, "%s %s: expected seconds, e.g. 1.5",
		    opt, arg);
		return -EINVAL;
	}
	*ms = (int)(v * 1000);
	return 0;
}

static void config_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int config_log_level(const char *arg, enum log_level *level,
    char *errstr, size_t errlen)
{
	static const char *const names[] = { "error", "warn", "info",
		"debug" };

	for (int i = 0; i < 4; i++) {
		if (strcmp(arg, names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	snprintf(errstr, errlen, "--log-level %s: expected error, warn, info "
	    "or debug", arg);
	return -EINVAL;
}

/* A regular file to read; a FIFO or a device would block or never end. */
static FILE *config_open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	return f;
}

/*
 * A secret need not be on the command line, where ps shows it: a value
 * "${env:NAME}" is taken from the environment, "${file:PATH}" from a file
 * (one line). Anything else is the value itself. name is how errors
 * call the setting: "-X sasl.password".
 */
static int config_secret(const char *name, const char *value, char **out,
    char *errstr, size_t errlen)
{
	size_t n = strlen(value);
	char buf[4096];
	FILE *f;

	if (strncmp(value, "${env:", 6) == 0 && value[n - 1] == '}') {
		char *var = xstrndup(value + 6, n - 7);
		const char *v = getenv(var);

		if (v == NULL)
			snprintf(errstr, errlen, "%s: environment variable "
			    "%s is not set", name, var);
		free(var);
		if (v == NULL)
			return -EINVAL;
		*out = xstrdup(v);
		return 0;
	}
	if (strncmp(value, "${file:", 7) == 0 && value[n - 1] == '}') {
		char *path = xstrndup(value + 7, n - 8);

		f = config_open_regular(path);
		if (f == NULL || fgets(buf, sizeof buf, f) == NULL) {
			snprintf(errstr, errlen, "%s: cannot read %s: %s",
			    name, path, f == NULL ? (errno == EINVAL ?
			    "not a regular file" : strerror(errno)) :
			    "empty file");
			if (f != NULL)
				fclose(f);
			free(path);
			return -EINVAL;
		}
		fclose(f);
		free(path);
		buf[strcspn(buf, "\r\n")] = '\0';
		*out = xstrdup(buf);
		return 0;
	}
	*out = xstrdup(value);
	return 0;
}

/* One librdkafka property, kept split, with its secret resolved. */
static int config_add_property(struct config *c, const char *name,
    const char *raw, char *errstr, size_t errlen)
{
	char *value, *label;
	int error;

	xasprintf(&label, "-X %s", name);
	error = config_secret(label, raw, &value, errstr, errlen);
	free(label);
	if (error != 0)
		return -EINVAL;
	c->props = xrealloc(c->props, (c->nprops + 1) * sizeof *c->props);
	c->props[c->nprops].name = xstrdup(name);
	c->props[c->nprops++].value = value;
	return 0;
}

/* -X name=value: split here, once. */
static int config_property(struct config *c, const char *arg, char *errstr,
    size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char *name;
	int error;

	if (eq == NULL || eq == arg) {
		/* Shown only if it looks like a name: it may be a lone secret. */
		int name_like = eq == NULL && strlen(arg) <= 64 &&
		    strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789._-") ==
		    strlen(arg);

		snprintf(errstr, errlen, "-X %s%sexpected property=value (see "
		    "-X list)", name_like ? arg : "", name_like ? ": " : "");
		return -EINVAL;
	}
	name = xstrndup(arg, (size_t)(eq - arg));
	error = config_add_property(c, name, eq + 1, errstr, errlen);
	free(name);
	return error;
}

static int config_format(const char *arg, enum encode_format *format,
    char *errstr, size_t errlen)
{
	if (strcmp(arg, "cbor") == 0)
		*format = ENCODE_CBOR;
	else if (strcmp(arg, "json") == 0)
		*format = ENCODE_JSON;
	else if (strcmp(arg, "avro") == 0)
		*format = ENCODE_AVRO;
	else {
		snprintf(errstr, errlen, "--format %s: expected cbor, json or avro",
		    arg);
		return -EINVAL;
	}
	return 0;
}

static int config_option(struct config *c, int opt, const char *arg,
    char *errstr, size_t errlen)
{
	switch (opt) {
	case 'M': config_set(&c->profile, arg); break;
	case OPT_ONCE: config_set(&c->once, arg); break;
	case 'b': config_set(&c->brokers, arg); break;
	case 'i': config_set(&c->host, arg); break;
	case 'p':
		return config_int("-p", arg, 1, 65535, &c->port, errstr,
		    errlen);
	case 't': config_set(&c->topic, arg); break;
	case 'X':
		if (strcmp(arg, "list") == 0) {
			c->list_props = 1;
			break;
		}
		return config_property(c, arg, errstr, errlen);
	case 'Q': config_set(&c->query, arg); break;
	case OPT_NFDUMP: config_set(&c->nfdump, arg); break;
	case OPT_NFDUMP_TIMEOUT:
		return config_int("--nfdump-timeout", arg, 1, 604800,
		    &c->nfdump_timeout_s, errstr, errlen);
	case 'k': config_set(&c->key, arg); break;
	case OPT_VALUES:
		if (strcmp(arg, "typed") == 0)
			c->values = ENCODE_TYPED;
		else if (strcmp(arg, "strings") == 0)
			c->values = ENCODE_STRINGS;
		else {
			snprintf(errstr, errlen, "--values %s: expected "
			    "typed or strings", arg);
			return -EINVAL;
		}
		break;
	case 'v':
		if (c->log_level < LOG_LVL_DEBUG)
			c->log_level++;
		break;
	case 'q':
		if (c->log_level > LOG_LVL_ERROR)
			c->log_level--;
		break;
	case OPT_LOG_FILE: config_set(&c->log_file, arg); break;
	case OPT_FLUSH_TIMEOUT:
		return config_seconds("--flush-timeout", arg, &c->flush_ms,
		    errstr, errlen);
	case OPT_STATE: config_set(&c->state, arg); break;
	case OPT_GRACE:
		return config_int("--grace", arg, 0, 86400, &c->grace_s,
		    errstr, errlen);
	case OPT_SINCE:
		return config_stamp("--since", arg, c->since, errstr, errlen);
	case OPT_BACKOFF_MIN:
		return config_seconds("--backoff-min", arg,
		    &c->backoff_min_ms, errstr, errlen);
	case OPT_BACKOFF_MAX:
		return config_seconds("--backoff-max", arg,
		    &c->backoff_max_ms, errstr, errlen);
	case OPT_TRANSACTIONAL_ID: config_set(&c->transactional_id, arg); break;
	case 'c': config_set(&c->config_file, arg); break;
	case OPT_LOG_LEVEL:
		return config_log_level(arg, &c->log_level, errstr, errlen);
	case OPT_METRICS: config_set(&c->metrics, arg); break;
	case OPT_HEALTH_BACKLOG:
		return config_int("--health-backlog", arg, 0, 1000000,
		    &c->health_backlog, errstr, errlen);
	case OPT_CHECK_CONFIG: c->check_config = 1; break;
	case OPT_BATCH:
		return config_int("--batch", arg, 1, CONFIG_BATCH_MAX,
		    &c->batch, errstr, errlen);
	case OPT_HEADERS:
		if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0) {
			snprintf(errstr, errlen, "--headers %s: expected yes or "
			    "no", arg);
			return -EINVAL;
		}
		c->headers = strcmp(arg, "yes") == 0;
		break;
	case OPT_LEDGER_WINDOWS:
		return config_int("--ledger-windows", arg, 1, 100000,
		    &c->ledger_windows, errstr, errlen);
	case OPT_FORMAT:
		return config_format(arg, &c->format, errstr, errlen);
	case OPT_SCHEMA: config_set(&c->schema, arg); break;
	case OPT_IDENTITY:
		if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0) {
			snprintf(errstr, errlen, "--identity %s: expected yes or "
			    "no", arg);
			return -EINVAL;
		}
		c->identity = strcmp(arg, "yes") == 0;
		break;
	case OPT_TIMESTAMP:
		if (strlen(arg) == 0 || strlen(arg) >= 64) {
			snprintf(errstr, errlen, "--timestamp %s: expected send, "
			    "window or a time field such as first_seen", arg);
			return -EINVAL;
		}
		config_set(&c->timestamp, arg);
		break;
	case OPT_SUMMARY_TOPIC: config_set(&c->summary_topic, arg); break;
	case OPT_SCHEMA_REGISTRY: config_set(&c->schema_registry, arg); break;
	case OPT_SCHEMA_REGISTRY_AUTH:
		free(c->schema_registry_auth);
		c->schema_registry_auth = NULL;
		return config_secret("--schema-registry-auth", arg,
		    &c->schema_registry_auth, errstr, errlen);
	case OPT_INTERVAL:
		return config_int("--interval", arg, 1, 86400, &c->interval_s,
		    errstr, errlen);
	case OPT_BACKLOG_WARN:
		return config_int("--backlog-warn", arg, 0, 86400 * 365,
		    &c->backlog_warn_s, errstr, errlen);
	case 'h': c->help = 1; break;
	case 'V': c->version = 1; break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* Fills what the command line left out, and checks options together. */
static int config_finish(struct config *c, char *errstr, size_t errlen)
{
	if (c->topic == NULL)
		c->topic = xstrdup(CONFIG_DEFAULT_TOPIC);
	if (c->query == NULL)
		c->query = xstrdup(QUERY_DEFAULT);
	if (c->nfdump == NULL)
		c->nfdump = xstrdup("nfdump");
	if (c->timestamp == NULL)
		c->timestamp = xstrdup("send");
	/* --schema needs the query and the nfdump, not Kafka or channels. */
	if (c->help || c->version || c->list_props || c->schema != NULL)
		return 0;
	if (c->brokers != NULL && c->host != NULL) {
		snprintf(errstr, errlen, "-b and -i both name brokers: give "
		    "one of them");
		return -EINVAL;
	}
	if (c->brokers == NULL && c->host != NULL)
		xasprintf(&c->brokers, "%s:%d", c->host,
		    c->port != 0 ? c->port : CONFIG_DEFAULT_PORT);
	if (c->brokers == NULL) {
		snprintf(errstr, errlen, "no Kafka brokers: give -b "
		    "HOST:PORT (see nfkafka(8))");
		return -EINVAL;
	}
	if (c->profile == NULL) {
		snprintf(errstr, errlen, "no channels: give -M "
		    "DIR/CHAN[:CHAN...] (see nfkafka(8))");
		return -EINVAL;
	}
	if (c->once != NULL && c->replay_from[0] != '\0') {
		snprintf(errstr, errlen, "--once and --replay are two modes: "
		    "give one of them");
		return -EINVAL;
	}
	if (c->summary_topic != NULL && strcmp(c->summary_topic,
	    c->topic) == 0) {
		snprintf(errstr, errlen, "--summary-topic %s: give a topic of "
		    "its own, not the records' topic", c->summary_topic);
		return -EINVAL;
	}
	if (c->backoff_min_ms > c->backoff_max_ms) {
		snprintf(errstr, errlen, "--backoff-min is above "
		    "--backoff-max");
		return -EINVAL;
	}
	if (c->backoff_min_ms < 10)
		c->backoff_min_ms = 10;
	if (c->transactional_id != NULL && !c->headers) {
		snprintf(errstr, errlen, "--headers no with --transactional-id: "
		    "exactly-once reads its progress back from the headers "
		    "at start; keep them");
		return -EINVAL;
	}
	if (c->format == ENCODE_AVRO && c->schema_registry == NULL &&
	    c->schema == NULL) {
		snprintf(errstr, errlen, "--format avro: give --schema-registry "
		    "URL, where consumers find the schema of each message");
		return -EINVAL;
	}
	if (c->batch > 1 && c->key != NULL) {
		snprintf(errstr, errlen, "--batch %d with -k: the records of "
		    "one message would share one key; give one of them",
		    c->batch);
		return -EINVAL;
	}
	return 0;
}

struct config_file {
	struct config *c;
	char err[512];
};

/* Command-line-only options: modes and actions, not settings. */
static const char *const config_file_refused[] = { "config", "once",
	"replay", "help", "version", "check-config", "verbose", "quiet",
	"schema", NULL };

static int config_refused(const char *name)
{
	for (const char *const *r = config_file_refused; *r != NULL; r++) {
		if (strcmp(*r, name) == 0)
			return 1;
	}
	return 0;
}

static const struct option *config_longopt(const char *name)
{
	for (const struct option *o = config_longopts; o->name != NULL; o++) {
		if (strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

/* A [kafka] line is checked at once, so that its error names the line. */
static int config_kafka_line(const struct config *c, char *errstr,
    size_t errlen)
{
	struct kafka_options ko = { .props = &c->props[c->nprops - 1],
		.nprops = 1 };

	return kafka_check(&ko, errstr, errlen);
}

/* One "key = value" of the file: long options at the top, -X in [kafka]. */
static int config_file_entry(void *user, const char *section,
    const char *name, const char *value)
{
	struct config_file *cf = user;
	char why[480];
	const struct option *o;
	int error;

	if (cf->err[0] != '\0')
		return 1; /* report the first error only */
	if (strcmp(section, "kafka") == 0) {
		error = config_add_property(cf->c, name, value, why,
		    sizeof why);
		if (error == 0)
			error = config_kafka_line(cf->c, why, sizeof why);
	} else if (section[0] != '\0' && strcmp(section, "nfkafka") != 0) {
		snprintf(why, sizeof why, "unknown section [%s]: use [kafka] "
		    "for librdkafka properties", section);
		error = -EINVAL;
	} else if (config_refused(name)) {
		snprintf(why, sizeof why, "\"%s\" is a command-line option, "
		    "not a setting", name);
		error = -EINVAL;
	} else if ((o = config_longopt(name)) == NULL) {
		snprintf(why, sizeof why, "unknown key \"%s\" (keys are the "
		    "long options of nfkafka(8))", name);
		error = -EINVAL;
	} else {
		error = config_option(cf->c, o->val, value, why, sizeof why);
	}
	if (error != 0) {
		snprintf(cf->err, sizeof cf->err, "key %s: %s", name, why);
		return 0;
	}
	return 1;
}

/*
 * libinih reads a line longer than INI_MAX_LINE as two, the rest as a line
 * of its own (or a continuation that replaces the value): refuse it here,
 * with control bytes, which no setting has and a NUL would cut the text at.
 */
static int config_check_lines(const char *path, const char *text,
    char *errstr, size_t errlen)
{
	int line = 1;

	for (const char *p = text; *p != '\0'; line++) {
		/* Lines end at LF, as libinih reads them; CR LF is fine too. */
		size_t next = strcspn(p, "\n");
		size_t len = next > 0 && p[next - 1] == '\r' ? next - 1 : next;
		const char *key = p + strspn(p, " \t");
		int keylen = (int)strcspn(key, "=:\r\n");

		for (size_t i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)p[i];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				snprintf(errstr, errlen, "%s:%d: control byte "
				    "0x%02x: not a text file", path, line, ch);
				return -EINVAL;
			}
		}
		if (len > INI_MAX_LINE - 2) {
			if (key[keylen] != '=' && key[keylen] != ':')
				keylen = 0;
			while (keylen > 0 &&
			    strchr(" \t", key[keylen - 1]) != NULL)
				keylen--;
			snprintf(errstr, errlen, "%s:%d: %s%.*s%sline longer "
			    "than %d characters; give this value on the "
			    "command line", path, line, keylen > 0 ? "key " :
			    "", keylen, key, keylen > 0 ? ": " : "",
			    INI_MAX_LINE - 2);
			return -EINVAL;
		}
		p += next;
		if (*p != '\0')
			p++;
	}
	return 0;
}

int config_load_string(struct config *c, const char *path, const char *text,
    size_t len, char *errstr, size_t errlen)
{
	struct config_file cf = { .c = c };
	int line;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(errstr, errlen, "%s: a NUL byte: not a text file",
		    path);
		return -EINVAL;
	}
	if (config_check_lines(path, text, errstr, errlen) != 0)
		return -EINVAL;
	/*
	 * Debian's libinih takes inline comments ("value ; comment") unless
	 * told otherwise at run time, which would cut a password such as
	 * "ab ;cd". Comments are whole lines starting with ';' or '#'.
	 */
	ini_allow_inline_comments = false;
	line = ini_parse_string(text, config_file_entry, &cf);
	if (line != 0) {
		snprintf(errstr, errlen, "%s:%d: %s", path, line, cf.err[0] ?
		    cf.err : "not a \"key = value\" line");
		return -EINVAL;
	}
	return 0;
}

/*
 * The whole file, read once: a regular file of at most CONFIG_FILE_MAX
 * bytes. A device such as /dev/zero would never end, and a FIFO would block
 * the start (O_NONBLOCK opens one without waiting for a writer).
 */
static int config_read_file(const char *path, char **textp, size_t *lenp,
    char *errstr, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t len = 0;
	ssize_t n = 1;
	char *text;

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(errstr, errlen, "config file %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		snprintf(errstr, errlen, "config file %s: %s", path,
		    !S_ISREG(st.st_mode) ? "not a regular file" :
		    "larger than " CONFIG_FILE_MAX_TEXT);
		close(fd);
		return -EINVAL;
	}
	text = xmalloc(CONFIG_FILE_MAX + 2);
	while (len <= CONFIG_FILE_MAX && n > 0) {
		n = read(fd, text + len, CONFIG_FILE_MAX + 1 - len);
		if (n > 0)
			len += (size_t)n;
		else if (n < 0 && errno == EINTR)
			n = 1;
	}
	close(fd);
	if (n < 0 || len > CONFIG_FILE_MAX) {
		snprintf(errstr, errlen, "config file %s: %s", path, n < 0 ?
		    strerror(errno) : "larger than " CONFIG_FILE_MAX_TEXT);
		free(text);
		return -EINVAL;
	}
	text[len] = '\0';
	*textp = text;
	*lenp = len;
	return 0;
}

static int config_load_file(struct config *c, const char *path,
    char *errstr, size_t errlen)
{
	char *text;
	size_t len;
	int error;

	if (config_read_file(path, &text, &len, errstr, errlen) != 0)
		return -EINVAL;
	error = config_load_string(c, path, text, len, errstr, errlen);
	free(text);
	return error;
}

/* -c FILE is read before the rest of the command line, which overrides it. */
static int config_find_file(int argc, char **argv, struct config *c)
{
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, config_shortopts,
	    config_longopts, NULL)) != -1) {
		if (opt == 'c')
			config_set(&c->config_file, optarg);
		else if (opt == OPT_REPLAY && optind < argc)
			optind++;
	}
	return c->config_file != NULL;
}

/* What an option's argument is, for the error when it is missing. */
static const char *config_arg_hint(int val)
{
	switch (val) {
	case OPT_ONCE:
		return "a window file such as 2026/11/27/nfcapd.202611271055";
	case OPT_STATE:
		return "a file such as /var/lib/nfkafka/state";
	case 'c':
		return "a config file such as /etc/nfkafka.conf";
	case 'M':
		return "channels such as /data/live/chanA:chanB";
	case 'b':
		return "brokers such as 127.0.0.1:9092";
	case 'X':
		return "a librdkafka property=value";
	case OPT_SINCE:
	case OPT_REPLAY:
		return "a window time such as 202611271055";
	}
	return "see nfkafka(8)";
}

static const struct option *config_longopt_val(int val)
{
	for (const struct option *o = config_longopts; o->name != NULL; o++) {
		if (o->val == val)
			return o;
	}
	return NULL;
}

/*
 * getopt's complaint in our words. It names the bad option itself and never
 * another word of the command line: inside a cluster such as -Zv, optind
 * still points past the previous argument, which may be a secret. An
 * unknown long option is shown up to its '=', whose value may be one too.
 */
static void config_getopt_error(int opt, const char *word, char *errstr,
    size_t errlen)
{
	const struct option *o = config_longopt_val(optopt);
	int longform = strncmp(word, "--", 2) == 0;

	if (opt == ':' && o != NULL && (longform || optopt >= 256))
		snprintf(errstr, errlen, "--%s needs an argument (%s)",
		    o->name, config_arg_hint(optopt));
	else if (opt == ':')
		snprintf(errstr, errlen, "-%c needs an argument (%s)",
		    optopt, config_arg_hint(optopt));
	else if (o != NULL)
		snprintf(errstr, errlen, "--%s takes no argument (see nfkafka "
		    "--help)", o->name);
	else if (optopt > 0 && optopt < 256)
		snprintf(errstr, errlen, "unknown option -%c (see nfkafka "
		    "--help)", optopt > 0x20 && optopt < 0x7f ? optopt : '?');
	else
		snprintf(errstr, errlen, "unknown option %.*s (see nfkafka "
		    "--help)", (int)strcspn(word, "="), word);
}

/* --replay FROM TO: getopt gives FROM; TO is the next word. */
static int config_replay(struct config *c, int argc, char **argv,
    char *errstr, size_t errlen)
{
	if (optind >= argc) {
		snprintf(errstr, errlen, "--replay FROM TO: TO is missing");
		return -EINVAL;
	}
	if (config_stamp("--replay", optarg, c->replay_from, errstr,
	    errlen) != 0 || config_stamp("--replay", argv[optind++],
	    c->replay_to, errstr, errlen) != 0)
		return -EINVAL;
	if (strcmp(c->replay_from, c->replay_to) > 0) {
		snprintf(errstr, errlen, "--replay FROM TO: FROM is after TO");
		return -EINVAL;
	}
	return 0;
}

int config_parse(int argc, char **argv, struct config *c, char *errstr,
    size_t errlen)
{
	int opt, error;

	memset(c, 0, sizeof *c);
	c->log_level = LOG_LVL_INFO;
	c->values = ENCODE_TYPED;
	c->flush_ms = 10000;
	c->nfdump_timeout_s = 3600;
	c->grace_s = CONFIG_DEFAULT_GRACE;
	c->backoff_min_ms = 1000;
	c->backoff_max_ms = 60000;
	c->backlog_warn_s = 3600;
	c->ledger_windows = CONFIG_DEFAULT_LEDGER_WINDOWS;
	c->health_backlog = 2;
	c->headers = 1;
	c->batch = 1;
	c->format = ENCODE_CBOR;
	c->interval_s = 300;
	if (config_find_file(argc, argv, c) &&
	    config_load_file(c, c->config_file, errstr, errlen) != 0)
		return -EINVAL;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, config_shortopts,
	    config_longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			config_getopt_error(opt, argv[optind - 1], errstr, errlen);
			return -EINVAL;
		}
		if (opt == OPT_REPLAY) {
			error = config_replay(c, argc, argv, errstr, errlen);
			if (error != 0)
				return error;
			continue;
		}
		if ((error = config_option(c, opt, optarg, errstr,
		    errlen)) != 0)
			return error;
	}
	if (optind < argc) {
		snprintf(errstr, errlen, "unexpected argument \"%s\" (quote "
		    "the query given to -Q)", argv[optind]);
		return -EINVAL;
	}
	return config_finish(c, errstr, errlen);
}

void config_free(struct config *c)
{
	free(c->profile);
	free(c->once);
	free(c->brokers);
	free(c->host);
	free(c->topic);
	for (size_t i = 0; i < c->nprops; i++) {
		free(c->props[i].name);
		free(c->props[i].value);
	}
	free(c->props);
	free(c->query);
	free(c->nfdump);
	free(c->key);
	free(c->log_file);
	free(c->state);
	free(c->transactional_id);
	free(c->config_file);
	free(c->metrics);
	free(c->timestamp);
	free(c->summary_topic);
	free(c->schema_registry);
	if (c->schema_registry_auth != NULL)
		memset(c->schema_registry_auth, 0,
		    strlen(c->schema_registry_auth));
	free(c->schema_registry_auth);
	free(c->schema);
	memset(c, 0, sizeof *c);
}
