/* The command line: options, their defaults, and checks of their form. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "nfcapd.h"
#include "query.h"
#include "xmalloc.h"

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
};

static const char config_shortopts[] = "M:b:i:p:t:X:Q:k:vqhV";

static const struct option config_longopts[] = {
	{ "profile", required_argument, NULL, 'M' },
	{ "once", required_argument, NULL, OPT_ONCE },
	{ "brokers", required_argument, NULL, 'b' },
	{ "host", required_argument, NULL, 'i' },
	{ "port", required_argument, NULL, 'p' },
	{ "topic", required_argument, NULL, 't' },
	{ "property", required_argument, NULL, 'X' },
	{ "query", required_argument, NULL, 'Q' },
	{ "nfdump", required_argument, NULL, OPT_NFDUMP },
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
	if (errno != 0 || end == arg || *end != '\0' || v < 0 ||
	    v > INT_MAX / 1000) {
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
		c->props = xrealloc(c->props,
		    (c->nprops + 2) * sizeof *c->props);
		c->props[c->nprops++] = xstrdup(arg);
		c->props[c->nprops] = NULL;
		break;
	case 'Q': config_set(&c->query, arg); break;
	case OPT_NFDUMP: config_set(&c->nfdump, arg); break;
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
	if (c->help || c->version || c->list_props)
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
	if (c->backoff_min_ms > c->backoff_max_ms) {
		snprintf(errstr, errlen, "--backoff-min is above "
		    "--backoff-max");
		return -EINVAL;
	}
	if (c->backoff_min_ms < 10)
		c->backoff_min_ms = 10;
	return 0;
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
	c->grace_s = CONFIG_DEFAULT_GRACE;
	c->backoff_min_ms = 1000;
	c->backoff_max_ms = 60000;
	c->backlog_warn_s = 3600;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, config_shortopts,
	    config_longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			if (optopt != 0 && strchr(config_shortopts, optopt))
				snprintf(errstr, errlen, "option -%c needs "
				    "an argument (see nfkafka --help)",
				    optopt);
			else
				snprintf(errstr, errlen, "unknown option %s "
				    "(see nfkafka --help)", argv[optind - 1]);
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
	for (size_t i = 0; i < c->nprops; i++)
		free(c->props[i]);
	free(c->props);
	free(c->query);
	free(c->nfdump);
	free(c->key);
	free(c->log_file);
	free(c->state);
	free(c->transactional_id);
	memset(c, 0, sizeof *c);
}
