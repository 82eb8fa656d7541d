/*
 * An operator's nfdump query → the argv nfkafka runs for each window. nfkafka
 * owns the window (-M, -r), the header and summary lines (no -q) and the
 * number format (-N, -6); the rest is the operator's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "strv.h"
#include "words.h"
#include "xmalloc.h"

/* nfdump 1.7.1's getopt string: which options take an argument. */
#define NFDUMP_OPTSTRING \
	"6aA:Bbc:C:D:E:G:s:ghn:i:jf:qyzr:v:w:J:M:NImO:R:XZt:TVv:x:l:L:o:"

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

static int query_takes_arg(char opt)
{
	const char *p = strchr(NFDUMP_OPTSTRING, opt);

	return p != NULL && p[1] == ':';
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
		q->csv = 1;
		return 0;
	}
	if (strncmp(mode, "fmt:", 4) == 0)
		return schema_from_fmt(mode + 4, &q->schema, errstr, errlen);
	snprintf(errstr, errlen, "output format -o %s cannot be read back; "
	    "use -o 'fmt:%%ts,...' or -o csv", mode);
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
	if (opt == ':' || strchr(NFDUMP_OPTSTRING, opt) == NULL) {
		snprintf(errstr, errlen, "unknown nfdump option -%c", opt);
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

		if (query_takes_arg(*c)) {
			if (c[1] != '\0')
				arg = c + 1;
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
		if (error != 0 || arg != NULL)
			return error;
	}
	return 0;
}

/*
 * Walks the words as nfdump's getopt does: options may come after filter
 * words (GNU getopt permutes them), and "--" ends the options.
 */
static int query_words(struct query *q, char **w, size_t n, char *errstr,
    size_t errlen)
{
	int has_output = 0, has_plain = 0, has_ipv6 = 0, error, options = 1;
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
	/* Scaled numbers ("1.2 M") and shortened IPv6 addresses lose data. */
	if (!has_plain)
		strv_push(&q->opts, &q->nopts, "-N");
	if (!has_ipv6)
		strv_push(&q->opts, &q->nopts, "-6");
	return 0;
}

int query_parse(const char *text, struct query *q, char *errstr,
    size_t errlen)
{
	char **words;
	size_t n;
	int error;

	memset(q, 0, sizeof *q);
	if ((error = words_split(text, &words, &n, errstr, errlen)) != 0)
		return error;
	error = query_words(q, words, n, errstr, errlen);
	strv_free(words);
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
