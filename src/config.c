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
#include "http.h"
#include "kafka.h"
#include "log.h"
#include "nfcapd.h"
#include "query.h"
#include "registry.h"
#include "xmalloc.h"

/* A config file is a page of settings; anything bigger is a mistake. */
#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_FILE_MAX_TEXT "1 MiB"

/* Room for getopt's tables; the unit test checks the table fits. */
#define CONFIG_GETOPT_MAX 96

/* getopt's long options and optstring, built from the options table. */
struct config_getopt {
	char shortopts[2 * CONFIG_GETOPT_MAX];
	struct option longopts[CONFIG_GETOPT_MAX + 1];
};

/* What getopt returns for row i: its letter, or 256 and up. */
static int config_val(size_t i)
{
	return config_table[i].shortname != 0 ? config_table[i].shortname :
	    256 + (int)i;
}

static void config_getopt_init(struct config_getopt *g)
{
	size_t n = 0;

	if (config_table_size > CONFIG_GETOPT_MAX)
		fatalx("options table: more than %d rows", CONFIG_GETOPT_MAX);
	/* A leading ':' tells a missing argument from an unknown option. */
	g->shortopts[n++] = ':';
	for (size_t i = 0; i < config_table_size; i++) {
		const struct config_option *o = &config_table[i];

		g->longopts[i] = (struct option){ o->name, o->arg != NULL ?
		    required_argument : no_argument, NULL, config_val(i) };
		if (o->shortname == 0)
			continue;
		g->shortopts[n++] = (char)o->shortname;
		if (o->arg != NULL)
			g->shortopts[n++] = ':';
	}
	g->shortopts[n] = '\0';
	g->longopts[config_table_size] = (struct option){ NULL, 0, NULL, 0 };
}

/* The row of what getopt returned, or NULL. */
static const struct config_option *config_by_val(int val)
{
	if (val >= 256 && (size_t)(val - 256) < config_table_size)
		return &config_table[val - 256];
	for (size_t i = 0; i < config_table_size && val > 0; i++) {
		if (config_table[i].shortname == val)
			return &config_table[i];
	}
	return NULL;
}

static const struct config_option *config_by_name(const char *name)
{
	for (size_t i = 0; i < config_table_size; i++) {
		if (strcmp(config_table[i].name, name) == 0)
			return &config_table[i];
	}
	return NULL;
}

/* How errors name an option: its letter if it has one. */
static void config_opt_name(const struct config_option *o, char *buf,
    size_t len)
{
	if (o->shortname != 0)
		snprintf(buf, len, "-%c", o->shortname);
	else
		snprintf(buf, len, "--%s", o->name);
}

static void config_usage_row(const struct config_option *o)
{
	char left[64];

	snprintf(left, sizeof left, "%s%c%s--%s%s%s", o->shortname ? "-" :
	    " ", o->shortname ? o->shortname : ' ', o->shortname ? ", " :
	    "  ", o->name, o->arg != NULL ? " " : "", o->arg != NULL ?
	    o->arg : "");
	/* A long one on a line of its own keeps the help in one column. */
	if (strlen(left) > 30)
		printf("  %s\n  %-30s %s", left, "", o->help);
	else
		printf("  %-30s %s", left, o->help);
	if (o->def != NULL)
		printf(" (default %s)", o->def);
	printf("\n");
}

void config_usage(void)
{
	printf("usage: nfkafka -M DIR/CHAN[:CHAN...] -b BROKERS [options]\n"
	    "       nfkafka --once FILE -M DIR/CHAN[:CHAN...] -b BROKERS "
	    "[options]\n"
	    "Exports each nfcapd window to Kafka as it rotates.\n");
	for (size_t i = 0; i < config_table_size; i++)
		config_usage_row(&config_table[i]);
	printf("Every option is described in nfkafka(8): man nfkafka\n");
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

/* The longest secret a ${file:} holds, in bytes. */
#define CONFIG_SECRET_MAX 4095

/*
 * A secret file someone else can change is refused; one others can read
 * is a secret no longer, and said. A line longer than the buffer would be
 * cut: refused, never sent short.
 */
static int config_secret_file(const char *name, const char *path, FILE *f,
    const char *line, char *errstr, size_t errlen)
{
	struct stat st;

	if (strchr(line, '\n') == NULL && fgetc(f) != EOF) {
		snprintf(errstr, errlen, "%s: the secret in %s is longer than "
		    "%d bytes; nfkafka reads one line of at most that", name,
		    path, CONFIG_SECRET_MAX);
		return -EINVAL;
	}
	if (fstat(fileno(f), &st) != 0)
		return 0;
	if (st.st_mode & S_IWOTH) {
		snprintf(errstr, errlen, "%s: secret file %s is writable by "
		    "every user (mode %03o); chmod o-w %s", name, path,
		    (unsigned)st.st_mode & 0777, path);
		return -EPERM;
	}
	if (st.st_mode & S_IROTH)
		log_warn("%s: secret file %s is readable by every user (mode "
		    "%03o); chmod o-r %s", name, path,
		    (unsigned)st.st_mode & 0777, path);
	return 0;
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
	char buf[CONFIG_SECRET_MAX + 2];	/* its newline, the NUL */
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
		int error;

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
		error = config_secret_file(name, path, f, buf, errstr, errlen);
		fclose(f);
		free(path);
		if (error != 0)
			return error;
		buf[strcspn(buf, "\r\n")] = '\0';
		*out = xstrdup(buf);
		return 0;
	}
	*out = xstrdup(value);
	return 0;
}

/* Frees a secret's copy, overwritten first. */
static void config_wipe(void *at)
{
	char **s = at;

	if (*s != NULL)
		memset(*s, 0, strlen(*s));
	free(*s);
	*s = NULL;
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

/* One of o's choices, kept as its value. */
static int config_choice(const struct config_option *o, const char *opt,
    const char *arg, int *out, char *errstr, size_t errlen)
{
	size_t n = 0, len;

	for (const struct config_choice *ch = o->choices; ch->name != NULL;
	    ch++, n++) {
		if (strcmp(arg, ch->name) == 0) {
			*out = ch->value;
			return 0;
		}
	}
	snprintf(errstr, errlen, "%s %s: expected ", opt, arg);
	for (size_t i = 0; i < n; i++) {
		len = strlen(errstr);
		snprintf(errstr + len, errlen - len, "%s%s", o->choices[i].name,
		    i + 2 < n ? ", " : i + 2 == n ? " or " : "");
	}
	return -EINVAL;
}

/* A string, of min to max bytes when max is set. */
static int config_string(const struct config_option *o, const char *opt,
    const char *arg, char **out, char *errstr, size_t errlen)
{
	size_t len = strlen(arg);

	if (o->max > 0 && (len < (size_t)o->min || len > (size_t)o->max)) {
		snprintf(errstr, errlen, "%s %s: expected %s", opt, arg,
		    o->hint);
		return -EINVAL;
	}
	config_set(out, arg);
	return 0;
}

/* One option's argument, read as its row says. */
static int config_option(struct config *c, const struct config_option *o,
    const char *arg, char *errstr, size_t errlen)
{
	void *at = (char *)c + o->offset;
	int *level = at;
	char opt[48];

	config_opt_name(o, opt, sizeof opt);
	switch (o->type) {
	case CONFIG_STRING:
		return config_string(o, opt, arg, at, errstr, errlen);
	case CONFIG_SECRET:
		config_wipe(at);
		return config_secret(opt, arg, at, errstr, errlen);
	case CONFIG_NUMBER:
		return config_int(opt, arg, o->min, o->max, at, errstr, errlen);
	case CONFIG_SECONDS:
		return config_seconds(opt, arg, at, errstr, errlen);
	case CONFIG_CHOICE:
		return config_choice(o, opt, arg, at, errstr, errlen);
	case CONFIG_STAMP:
		return config_stamp(opt, arg, at, errstr, errlen);
	case CONFIG_FLAG:
		*(int *)at = 1;
		return 0;
	case CONFIG_LOUDER:
		*level += *level < LOG_LVL_DEBUG;
		return 0;
	case CONFIG_QUIETER:
		*level -= *level > LOG_LVL_ERROR;
		return 0;
	case CONFIG_PROPERTY:
		if (strcmp(arg, "list") == 0) {
			c->list_props = 1;
			return 0;
		}
		return config_property(c, arg, errstr, errlen);
	case CONFIG_REPLAY:
		break; /* two words: config_replay */
	}
	return -EINVAL;
}

/* Every default of the table, read as if given. */
static void config_defaults(struct config *c)
{
	char errstr[256];

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < config_table_size; i++) {
		if (config_table[i].def != NULL && config_option(c,
		    &config_table[i], config_table[i].def, errstr,
		    sizeof errstr) != 0)
			fatalx("options table: %s", errstr);
	}
}

/* The brokers from -b, or from -i and -p. */
static int config_brokers(struct config *c, char *errstr, size_t errlen)
{
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
	return 0;
}

/* Fills what the command line left out, and checks options together. */
static int config_finish(struct config *c, char *errstr, size_t errlen)
{
	/* --schema needs the query and the nfdump, not Kafka or channels. */
	if (c->help || c->version || c->list_props || c->schema != NULL)
		return 0;
	if (config_brokers(c, errstr, errlen) != 0)
		return -EINVAL;
	/* Checked here, so that --check-config refuses what start would. */
	if (c->metrics != NULL && http_check_addr(c->metrics, errstr,
	    errlen) != 0)
		return -EINVAL;
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
	if (c->schema_registry != NULL &&
	    !registry_check_url(c->schema_registry, errstr, errlen))
		return -EINVAL;
	if (c->format == ENCODE_AVRO && c->schema_registry == NULL) {
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
	const struct config_option *o;
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
	} else if ((o = config_by_name(name)) == NULL) {
		snprintf(why, sizeof why, "unknown key \"%s\" (keys are the "
		    "long options of nfkafka(8))", name);
		error = -EINVAL;
	} else if (o->scope == CONFIG_CLI) {
		snprintf(why, sizeof why, "\"%s\" is a command-line option, "
		    "not a setting", name);
		error = -EINVAL;
	} else if (o->type == CONFIG_PROPERTY && strcmp(value, "list") == 0) {
		/* It would print and exit 0 at every start of the service. */
		snprintf(why, sizeof why, "\"list\" is a command-line action "
		    "(nfkafka -X list), not a setting");
		error = -EINVAL;
	} else {
		error = config_option(cf->c, o, value, why, sizeof why);
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
	/* Anyone could name the nfdump binary it runs: refused. */
	if (st.st_mode & S_IWOTH) {
		snprintf(errstr, errlen, "config file %s: writable by every "
		    "user (mode %03o); chmod o-w %s", path,
		    (unsigned)st.st_mode & 0777, path);
		close(fd);
		return -EPERM;
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
static int config_find_file(int argc, char **argv,
    const struct config_getopt *g, struct config *c)
{
	const struct config_option *o;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, g->shortopts, g->longopts,
	    NULL)) != -1) {
		o = config_by_val(opt);
		if (opt == 'c')
			config_set(&c->config_file, optarg);
		else if (o != NULL && o->type == CONFIG_REPLAY && optind < argc)
			optind++;
	}
	return c->config_file != NULL;
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
	const struct config_option *o = config_by_val(optopt);
	const char *hint = o != NULL && o->hint != NULL ? o->hint :
	    "see nfkafka(8)";
	int longform = strncmp(word, "--", 2) == 0;

	if (opt == ':' && o != NULL && (longform || o->shortname == 0))
		snprintf(errstr, errlen, "--%s needs an argument (%s)",
		    o->name, hint);
	else if (opt == ':')
		snprintf(errstr, errlen, "-%c needs an argument (%s)",
		    optopt, hint);
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

/*
 * A word left over. After "-X name=" with an empty value it is likely that
 * value, typed after a space: a secret, so not shown.
 */
static void config_unexpected(const struct config *c, const char *word,
    char *errstr, size_t errlen)
{
	for (size_t i = 0; i < c->nprops; i++) {
		if (c->props[i].value[0] != '\0')
			continue;
		snprintf(errstr, errlen, "unexpected argument (not shown: it may "
		    "be the value of -X %s=, which is empty; write -X "
		    "NAME=VALUE without a space)", c->props[i].name);
		return;
	}
	snprintf(errstr, errlen, "unexpected argument \"%s\" (quote the "
	    "query given to -Q)", word);
}

int config_parse(int argc, char **argv, struct config *c, char *errstr,
    size_t errlen)
{
	const struct config_option *o;
	struct config_getopt g;
	int opt, error;

	config_defaults(c);
	config_getopt_init(&g);
	if (config_find_file(argc, argv, &g, c) &&
	    config_load_file(c, c->config_file, errstr, errlen) != 0)
		return -EINVAL;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts,
	    NULL)) != -1) {
		if (opt == '?' || opt == ':' || (o = config_by_val(opt)) ==
		    NULL) {
			config_getopt_error(opt, argv[optind - 1], errstr, errlen);
			return -EINVAL;
		}
		if (o->type == CONFIG_REPLAY)
			error = config_replay(c, argc, argv, errstr, errlen);
		else
			error = config_option(c, o, optarg, errstr, errlen);
		if (error != 0)
			return error;
	}
	if (optind < argc) {
		config_unexpected(c, argv[optind], errstr, errlen);
		return -EINVAL;
	}
	return config_finish(c, errstr, errlen);
}

static void config_free_props(struct config *c)
{
	for (size_t i = 0; i < c->nprops; i++) {
		free(c->props[i].name);
		free(c->props[i].value);
	}
	free(c->props);
	c->props = NULL;
	c->nprops = 0;
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < config_table_size; i++) {
		if (config_table[i].type == CONFIG_STRING)
			free(*(char **)((char *)c + config_table[i].offset));
		else if (config_table[i].type == CONFIG_SECRET)
			config_wipe((char *)c + config_table[i].offset);
	}
	config_free_props(c);
	memset(c, 0, sizeof *c);
}

static int config_props_differ(const struct config *a,
    const struct config *b)
{
	if (a->nprops != b->nprops)
		return 1;
	for (size_t i = 0; i < a->nprops; i++) {
		if (strcmp(a->props[i].name, b->props[i].name) != 0 ||
		    strcmp(a->props[i].value, b->props[i].value) != 0)
			return 1;
	}
	return 0;
}

int config_changed(const struct config_option *o, const struct config *a,
    const struct config *b)
{
	const char *pa = (const char *)a + o->offset;
	const char *pb = (const char *)b + o->offset;
	const char *sa, *sb;

	switch (o->type) {
	case CONFIG_STRING:
	case CONFIG_SECRET:
		sa = *(char *const *)pa;
		sb = *(char *const *)pb;
		return sa == NULL || sb == NULL ? sa != sb : strcmp(sa, sb) != 0;
	case CONFIG_STAMP:
		return strcmp(pa, pb) != 0;
	case CONFIG_PROPERTY:
		return config_props_differ(a, b);
	case CONFIG_REPLAY:
		return strcmp(a->replay_from, b->replay_from) != 0 ||
		    strcmp(a->replay_to, b->replay_to) != 0;
	default:
		return *(const int *)pa != *(const int *)pb;
	}
}

void config_move(const struct config_option *o, struct config *to,
    struct config *from)
{
	char *pt = (char *)to + o->offset, *pf = (char *)from + o->offset;

	switch (o->type) {
	case CONFIG_SECRET:
		config_wipe(pt);
		*(char **)pt = *(char **)pf;
		*(char **)pf = NULL;
		break;
	case CONFIG_STRING:
		free(*(char **)pt);
		*(char **)pt = *(char **)pf;
		*(char **)pf = NULL;
		break;
	case CONFIG_STAMP:
		memcpy(pt, pf, sizeof to->since);
		break;
	case CONFIG_PROPERTY:
		config_free_props(to);
		to->props = from->props;
		to->nprops = from->nprops;
		from->props = NULL;
		from->nprops = 0;
		break;
	case CONFIG_REPLAY:
		memcpy(to->replay_from, from->replay_from, sizeof to->replay_from);
		memcpy(to->replay_to, from->replay_to, sizeof to->replay_to);
		break;
	default:
		*(int *)pt = *(int *)pf;
	}
}
