/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An operator's nfdump query → the argv nfkafka runs for each window. nfkafka
 * owns the window (-M, -r), the header and summary lines (no -q) and the
 * number format (-N, -6); the rest is the operator's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "strv.h"
#include "words.h"
#include "xmalloc.h"

struct query_refusal {
	char opt;
	const char *why;
};

/* Options whose output is not one record per line, or that write files. */
static const struct query_refusal query_refused[] = {
	{ 's', "prints statistics tables, not records; aggregate with -A" },
	{ 'w', "writes a file instead of printing records" },
	{ 'J', "modifies the nfcapd files" },
	{ 'i', "modifies the nfcapd files" },
	{ 'I', "prints file statistics, not records" },
	{ 'g', "prints gnuplot lines, not records" },
	{ 'E', "prints exporter information, not records" },
	{ 'v', "verifies a file instead of printing records" },
	{ 'x', "verifies a file instead of printing records" },
	{ 'X', "dumps the filter table instead of printing records" },
	{ 'Z', "checks the filter and exits" },
	{ 'h', "prints usage" },
	{ 'V', "prints the version" },
};

/* 1 if opt takes an argument, 2 if only one attached to it ("-z::"). */
static int query_takes_arg(const struct query *q, char opt)
{
	const char *p = strchr(dialect_optstring(q->dialect), opt);

	if (p == NULL || p[1] != ':')
		return 0;
	return p[2] == ':' ? 2 : 1;
}

static const char *query_refusal(char opt)
{
	for (size_t i = 0; i < sizeof query_refused / sizeof *query_refused;
	    i++) {
		if (query_refused[i].opt == opt)
			return query_refused[i].why;
	}
	return NULL;
}

static void query_push_opt(struct query *q, char opt, const char *arg)
{
	char flag[3] = { '-', opt, '\0' };

	strv_push(&q->opts, &q->nopts, flag);
	if (arg != NULL)
		strv_push(&q->opts, &q->nopts, arg);
}

static int query_output(struct query *q, const char *mode, char *errstr,
    size_t errlen)
{
	if (strcmp(mode, "csv") == 0) {
		q->mode = DIALECT_CSV;
		q->csv = 1;
		return 0;
	}
	if (strcmp(mode, "csv-fast") == 0) {
		q->mode = DIALECT_CSV_FAST;
		schema_csv_fast(&q->schema);
		return 0;
	}
	if (strncmp(mode, "csv:", 4) == 0) {
		q->mode = DIALECT_CSV_TOKENS;
		return schema_from_csv_tokens(q->dialect, mode + 4, &q->schema,
		    errstr, errlen);
	}
	if (strncmp(mode, "fmt:", 4) == 0) {
		q->mode = DIALECT_FMT;
		return schema_from_tokens(q->dialect, mode + 4, &q->schema,
		    errstr, errlen);
	}
	snprintf(errstr, errlen, "output format -o %s cannot be read back; "
	    "use -o 'fmt:%%ts,...', -o csv, -o 'csv:%%ts,...' or -o csv-fast",
	    mode);
	return -EINVAL;
}

/* One option with its argument, if any; *seen collects -o, -N and -6. */
static int query_option(struct query *q, char opt, const char *arg,
    int *has_output, int *has_plain, int *has_ipv6, char *errstr,
    size_t errlen)
{
	const char *why = query_refusal(opt);
	int error;

	/* ':' marks an argument in the getopt string; it is no option. */
	if (opt == ':' || strchr(dialect_optstring(q->dialect), opt) == NULL) {
		snprintf(errstr, errlen, "unknown nfdump option -%c (nfdump %s)",
		    opt, dialect_name(q->dialect));
		return -EINVAL;
	}
	if (why != NULL) {
		snprintf(errstr, errlen, "nfdump option -%c %s", opt, why);
		return -EINVAL;
	}
	switch (opt) {
	case 'M': case 'r': case 'R': case 'q':
		return 0; /* the window's, and the summary we need */
	case 'o':
		if (*has_output) {
			snprintf(errstr, errlen, "more than one -o");
			return -EINVAL;
		}
		*has_output = 1;
		if ((error = query_output(q, arg, errstr, errlen)) != 0)
			return error;
		break;
	case 'N':
		*has_plain = 1;
		break;
	case 'A':
		q->aggregated = 1;
		break;
	case '6':
		*has_ipv6 = 1;
		break;
	}
	query_push_opt(q, opt, arg);
	return 0;
}

/* One word of dashes: each option letter, and an argument if it takes one. */
static int query_cluster(struct query *q, char **w, size_t n, size_t *i,
    int *has_output, int *has_plain, int *has_ipv6, char *errstr,
    size_t errlen)
{
	for (const char *c = w[*i] + 1; *c != '\0'; c++) {
		const char *arg = NULL;
		int error;

		int takes = query_takes_arg(q, *c);

		if (takes) {
			if (c[1] != '\0')
				arg = c + 1;
			else if (takes == 2)
				arg = NULL;
			else if (*i + 1 < n)
				arg = w[++*i];
			else {
				snprintf(errstr, errlen, "nfdump option -%c needs "
				    "an argument", *c);
				return -EINVAL;
			}
		}
		error = query_option(q, *c, arg, has_output, has_plain,
		    has_ipv6, errstr, errlen);
		if (error != 0 || arg != NULL || takes == 2)
			return error;
	}
	return 0;
}

static const char *query_mode_name(enum dialect_mode mode)
{
	static const char *const names[] = { "fmt:", "csv", "csv:",
		"csv-fast" };

	return names[mode];
}

/*
 * nfdump 1.7.8 filters with several threads and prints a window's rows in
 * a different order from one run to the next; a retried window would then
 * give a row index to another record, and consumers that drop duplicates
 * by (window, revision, row) would drop flows. One filter thread keeps one
 * order per file, unless the operator chose -W.
 */
static void query_one_worker(struct query *q)
{
	if (strchr(dialect_optstring(q->dialect), 'W') == NULL)
		return;
	for (size_t i = 0; i < q->nopts; i++) {
		if (strcmp(q->opts[i], "-W") == 0)
			return;
	}
	strv_push(&q->opts, &q->nopts, "-W");
	strv_push(&q->opts, &q->nopts, "1");
}

/*
 * Walks the words as nfdump's getopt does: options may come after filter
 * words (GNU getopt permutes them), and "--" ends the options.
 */
static int query_words(struct query *q, char **w, size_t n, char *errstr,
    size_t errlen)
{
	int has_output = 0, has_plain = 0, has_ipv6 = 0, error, options = 1;
	const char *why;
	size_t i = 0;

	if (n > 0 && (strcmp(w[0], "nfdump") == 0 ||
	    (strlen(w[0]) > 7 && strcmp(w[0] + strlen(w[0]) - 7,
	    "/nfdump") == 0)))
		i = 1;
	for (; i < n; i++) {
		if (!options || w[i][0] != '-' || w[i][1] == '\0') {
			strv_push(&q->filter, &q->nfilter, w[i]);
		} else if (strcmp(w[i], "--") == 0) {
			options = 0;
		} else if (w[i][1] == '-') {
			/* Flowmon's nfdump has long options, e.g. --no-scale-number. */
			if (strcmp(w[i], "--no-scale-number") == 0)
				has_plain = 1;
			strv_push(&q->opts, &q->nopts, w[i]);
		} else if ((error = query_cluster(q, w, n, &i, &has_output,
		    &has_plain, &has_ipv6, errstr, errlen)) != 0) {
			return error;
		}
	}
	if (!has_output) {
		snprintf(errstr, errlen, "no output format: add -o 'fmt:%%ts,"
		    "...' or -o csv");
		return -EINVAL;
	}
	if ((why = dialect_refuses(q->dialect, q->mode, q->aggregated)) !=
	    NULL) {
		snprintf(errstr, errlen, "-o %s %s; this nfdump is %s",
		    query_mode_name(q->mode), why, dialect_name(q->dialect));
		return -EINVAL;
	}
	/* Scaled numbers ("1.2 M") and shortened IPv6 addresses lose data. */
	if (!has_plain)
		strv_push(&q->opts, &q->nopts, "-N");
	if (!has_ipv6)
		strv_push(&q->opts, &q->nopts, "-6");
	query_one_worker(q);
	return 0;
}

/*
 * The default query aggregates into -o fmt:, which nfdump 1.7.5 refuses;
 * there it runs as the same aggregation into 1.7.5's own csv columns.
 */
static int query_is_default_csv(const char *text, const struct dialect *d)
{
	return strcmp(text, QUERY_DEFAULT) == 0 &&
	    dialect_refuses(d, DIALECT_FMT, 1) != NULL;
}

/*
 * 1.7.5 prints -A ... -o csv as it would csv:%ts,%td,<the -A fields>,
 * %pkt,%byt,%bps,%bpp,%fl: for the default, nfkafka knows those columns
 * at start, so --key and --timestamp are checked against them.
 */
static int query_default_csv_schema(struct query *q, char *errstr,
    size_t errlen)
{
	schema_free(&q->schema);
	q->csv = 0;
	return schema_from_csv_tokens(q->dialect, QUERY_DEFAULT_CSV_TOKENS,
	    &q->schema, errstr, errlen);
}

int query_parse(const char *text, const struct dialect *d, struct query *q,
    char *errstr, size_t errlen)
{
	int default_csv = query_is_default_csv(text, d);
	char **words;
	size_t n;
	int error;

	memset(q, 0, sizeof *q);
	q->dialect = d;
	if (default_csv)
		text = QUERY_DEFAULT_CSV;
	if ((error = words_split(text, &words, &n, errstr, errlen)) != 0)
		return error;
	error = query_words(q, words, n, errstr, errlen);
	strv_free(words);
	if (error == 0 && default_csv)
		error = query_default_csv_schema(q, errstr, errlen);
	if (error != 0)
		query_free(q);
	return error;
}

/*
 * nfdump 1.7.1 corrupts its heap joining many filter words itself (eleven
 * words abort it), so it gets the filter as one word, joined as it would.
 */
char *query_filter_text(const struct query *q)
{
	size_t len = 1;
	char *text;

	for (size_t i = 0; i < q->nfilter; i++)
		len += strlen(q->filter[i]) + 1;
	text = xmalloc(len);
	text[0] = '\0';
	for (size_t i = 0; i < q->nfilter; i++) {
		if (i > 0)
			strcat(text, " ");
		strcat(text, q->filter[i]);
	}
	return text;
}

char **query_argv(const struct query *q, const char *nfdump,
    const char *profile, const char *relfile)
{
	char **argv = NULL;
	size_t n = 0;

	strv_push(&argv, &n, nfdump);
	strv_push(&argv, &n, "-M");
	strv_push(&argv, &n, profile);
	strv_push(&argv, &n, "-r");
	strv_push(&argv, &n, relfile);
	for (size_t i = 0; i < q->nopts; i++)
		strv_push(&argv, &n, q->opts[i]);
	if (q->nfilter > 0) {
		char *filter = query_filter_text(q);

		strv_push(&argv, &n, "--");
		strv_push(&argv, &n, filter);
		free(filter);
	}
	return argv;
}

void query_free(struct query *q)
{
	strv_free(q->opts);
	strv_free(q->filter);
	schema_free(&q->schema);
	memset(q, 0, sizeof *q);
}
