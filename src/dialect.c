/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nfdump's output rules, per version: what a line is, and whether a run
 * ended cleanly. The exporter asks here; it knows no nfdump text itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "nfdump.h"

/* nfdump -V answers at once; one that does not must not hold start-up. */
#define DIALECT_DETECT_MS 10000

/* 1.7.1's getopt string. */
#define DIALECT_OPTS_171 \
	"6aA:Bbc:C:D:E:G:s:ghn:i:jf:qyzr:v:w:J:M:NImO:R:XZt:TVv:x:l:L:o:"
/* 1.7.8's: -H, -P, -W and an optional -z argument are new, -l/-L gone. */
#define DIALECT_OPTS_178 \
	"6aA:Bbc:C:D:E:G:s:gH:hn:i:jf:qyz::r:v:w:J:M:NImO:P:R:XZt:TVv:W:x:o:"

/* 1.6.25's: -K, -l and -L; no -C, -G, -g, -W. */
#define DIALECT_OPTS_16 \
	"6aA:Bbc:D:E:s:hn:i:jf:qyzr:v:w:J:K:M:NImO:R:XZt:TVv:x:l:L:o:"
/*
 * The 1.8 beta's: -D, -t take no argument any more, -K and -l are new;
 * -W is a budget of CPU cores, 1 still being one filter thread.
 */
#define DIALECT_OPTS_18 \
	"6aA:Bbc:C:DE:f:G:gH:hK::l:n:i:jqyz::r:v:w:J:M:NImO:P:R:s:x:XZtTVW:o:"

/* "1.7.1", or what nfdump said when it is not understood. */
static void dialect_set_name(struct dialect *d)
{
	if (d->version == 0)
		snprintf(d->name, sizeof d->name, "of unknown version (%s)",
		    d->text);
	else
		snprintf(d->name, sizeof d->name, "%d.%d.%d", d->version /
		    10000, d->version / 100 % 100, d->version % 100);
}

int dialect_parse(const char *text, struct dialect *d)
{
	const char *v = strstr(text, "Version:");
	int a, b, c, n = 0;

	memset(d, 0, sizeof *d);
	if (v == NULL)
		return -EINVAL;
	v += strlen("Version:");
	v += strspn(v, " ");
	snprintf(d->text, sizeof d->text, "%.*s", (int)strcspn(v, " \n"), v);
	/* "NSEL-NEL1.7.1", "1.7.8-release": the first a.b.c in the word. */
	for (const char *p = d->text; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9' &&
		    sscanf(p, "%d.%d.%d%n", &a, &b, &c, &n) == 3 && n > 0) {
			d->version = DIALECT_V(a, b, c);
			break;
		}
	}
	dialect_set_name(d);
	return d->text[0] != '\0' ? 0 : -EINVAL;
}

int dialect_detect(const char *nfdump, struct dialect *d, char *errstr,
    size_t errlen)
{
	char *argv[] = { (char *)nfdump, "-V", NULL };
	char out[512];
	int status;

	status = nfdump_run_sync(argv, out, sizeof out, DIALECT_DETECT_MS);
	if (status < 0) {
		snprintf(errstr, errlen, "%s -V: %s", nfdump, status ==
		    -ETIMEDOUT ? "no answer within 10 s" : strerror(-status));
		return -EINVAL;
	}
	if (status != 0 || dialect_parse(out, d) != 0) {
		snprintf(errstr, errlen, "%s -V (exit %d) does not say which "
		    "nfdump version it is: \"%.*s\"", nfdump, status,
		    (int)strcspn(out, "\n"), out);
		return -EINVAL;
	}
	return 0;
}

struct dialect dialect_of(int version)
{
	struct dialect d = { .version = version };

	snprintf(d.text, sizeof d.text, "%d.%d.%d", version / 10000,
	    version / 100 % 100, version % 100);
	dialect_set_name(&d);
	return d;
}

int dialect_at_least(const struct dialect *d, int version)
{
	return d != NULL && d->version >= version;
}

const char *dialect_name(const struct dialect *d)
{
	return d != NULL ? d->name : "of unknown version ()";
}

const char *dialect_optstring(const struct dialect *d)
{
	if (dialect_at_least(d, DIALECT_V(1, 8, 0)))
		return DIALECT_OPTS_18;
	if (dialect_at_least(d, DIALECT_CSV_MODES))
		return DIALECT_OPTS_178;
	if (d != NULL && d->version != 0 && d->version < DIALECT_V(1, 7, 0))
		return DIALECT_OPTS_16;
	return DIALECT_OPTS_171;
}

const char *dialect_refuses(const struct dialect *d, enum dialect_mode mode,
    int aggregated)
{
	int newer = dialect_at_least(d, DIALECT_CSV_MODES);

	if ((mode == DIALECT_CSV_TOKENS || mode == DIALECT_CSV_FAST) && !newer)
		return "needs nfdump 1.7.5 or later";
	/*
	 * 1.7.5 replaces the output format of -A by its own, and refuses
	 * any other than plain csv ("Can not use print format ... to
	 * aggregate flows", on stdout, exit 1); 1.7.6 prints -A into the
	 * query's format again.
	 */
	if ((mode == DIALECT_FMT || mode == DIALECT_CSV_TOKENS) && aggregated &&
	    newer && !dialect_at_least(d, DIALECT_USER_AGGR))
		return "cannot print aggregated flows (-A): this nfdump "
		    "aggregates only into its own columns; use -o csv with -A "
		    "(first_seen, duration, the -A fields, packets, bytes, bps, "
		    "bpp, flows) or nfdump 1.7.6 or later";
	/* 1.7.5 and later: "Invalid print format csv-fast to aggregate". */
	if (mode == DIALECT_CSV_FAST && aggregated)
		return "cannot print aggregated flows (-A); use csv or csv:";
	return NULL;
}

/*
 * 1.7.1 ends fmt and csv output with a summary. Since 1.7.5 only fmt does:
 * its csv modes end with the last record, so there the exit status alone
 * says whether the output is whole. An unknown version is held to 1.7.1's
 * rule: a missing summary fails loudly rather than passing silently.
 */
int dialect_has_summary(const struct dialect *d, enum dialect_mode mode)
{
	if (mode == DIALECT_FMT)
		return 1;
	return !dialect_at_least(d, DIALECT_CSV_MODES);
}

/*
 * Which line of the summary, counted from its first, holds the totals:
 * fmt's "Summary: total flows: ..." itself, or the third line of 1.7.1's
 * csv block ("Summary", its titles, then the values).
 */
int dialect_totals_line(const struct dialect *d, enum dialect_mode mode)
{
	(void)d;
	return mode == DIALECT_FMT ? 0 : 2;
}

static int dialect_is(const char *line, size_t len, const char *text)
{
	size_t n = strlen(text);

	return len >= n && memcmp(line, text, n) == 0;
}

/*
 * Without -q every version prints a title line first, then the records;
 * "No matching flows" stands for none, and the summary ("Summary: total
 * flows: ..." for fmt, a "Summary" block for 1.7.1's csv) ends them.
 */
enum dialect_line dialect_classify(uint64_t lineno, const char *line,
    size_t len)
{
	if (lineno == 0)
		return dialect_is(line, len, "usage") ? DIALECT_USAGE :
		    DIALECT_HEADER;
	if (len == 0)
		return DIALECT_BLANK;
	if (dialect_is(line, len, "Summary: total flows:") ||
	    (len == 7 && dialect_is(line, len, "Summary")))
		return DIALECT_SUMMARY;
	if (len == 17 && dialect_is(line, len, "No matching flows"))
		return DIALECT_NO_FLOWS;
	return DIALECT_RECORD;
}

/*
 * nfdump 1.7.1 exits 0 on an unknown option, a missing file and a corrupt
 * one, so its exit status alone cannot tell a failed query from an empty
 * window: any stderr, its usage text or a missing summary also fail a run.
 * Later versions exit non-zero on those, and the same checks still hold.
 */
/*
 * Notes nfdump writes to stderr on a run that went well, each known by
 * its start and a word in it:
 * - with -W, 1.7.8: "Using N worker threads (...)";
 * - 1.7.5 and later, for an exporter statistics record whose exporter
 *   the file does not name: "Exporter SysID: 0 not found! - Skip stat
 *   record record." It skips that statistics record only, never a flow
 *   (nfdump's exporter.c), and exits 0.
 */
static const struct {
	const char *start;
	const char *word;
} dialect_notes[] = {
	{ "Using ", " worker threads" },
	{ "Exporter SysID: ", " - Skip stat record" },
};

static int dialect_is_note(const char *line, int n)
{
	size_t i;

	for (i = 0; i < sizeof dialect_notes / sizeof dialect_notes[0]; i++)
		if (strncmp(line, dialect_notes[i].start,
		    strlen(dialect_notes[i].start)) == 0 &&
		    memmem(line, (size_t)n, dialect_notes[i].word,
		    strlen(dialect_notes[i].word)) != NULL)
			return 1;
	return 0;
}

/* The first line of stderr that is a complaint, not one of the notes. */
static const char *dialect_complaint(const char *err, int *n)
{
	for (;;) {
		err += strspn(err, "\n");
		*n = (int)strcspn(err, "\n");
		if (*n == 0 || !dialect_is_note(err, *n))
			return err;
		err += *n;
	}
}

int dialect_verdict(const struct dialect *d, enum dialect_mode mode,
    const struct dialect_end *end, const char *relfile, char *why,
    size_t whylen)
{
	int errn;
	const char *err = dialect_complaint(end->errtext, &errn);
	const char *colon;

	/*
	 * Some complaints go to stdout, as its only line (1.7.5: "Can not
	 * use print format ... to aggregate flows"): a run that failed with
	 * a silent stderr shows that line instead.
	 */
	if (errn == 0 && end->status != 0 && end->status < NFDUMP_SIGNALLED &&
	    end->firstline != NULL) {
		err = end->firstline;
		errn = (int)strcspn(err, "\n");
	}
	if (errn > 200)
		errn = 200;
	colon = errn > 0 ? ": " : "";

	if (end->status >= NFDUMP_SIGNALLED)
		snprintf(why, whylen, "nfdump on %s was killed by signal %d%s"
		    "%.*s", relfile, end->status - NFDUMP_SIGNALLED, colon, errn, err);
	else if (end->status != 0)
		snprintf(why, whylen, "nfdump on %s exited with status %d%s"
		    "%.*s", relfile, end->status, colon, errn, err);
	else if (errn > 0)
		snprintf(why, whylen, "nfdump on %s: %.*s", relfile, errn, err);
	else if (end->usage)
		snprintf(why, whylen, "nfdump printed its usage: the query has "
		    "an option this nfdump does not know");
	else if (!end->header)
		snprintf(why, whylen, "nfdump on %s printed nothing: output "
		    "incomplete", relfile);
	else if (!end->summary && dialect_has_summary(d, mode))
		snprintf(why, whylen, "nfdump output ended without its "
		    "summary: output incomplete");
	else
		return 0;
	return -EIO;
}

/*
 * On an empty window (query.c's, in 1.6's layout), 1.6 and 1.7 print no
 * flows and exit 0; 1.8 checks its options, output format and filter
 * first, then refuses the old layout, naming the file. So a run that exits
 * 0 without its usage, or that names the file, accepted the query; any
 * other run is nfdump refusing it, in its own words: its first line.
 */
int dialect_probe_verdict(int status, const char *out, const char *file,
    char *why, size_t whylen)
{
	const char *line = out + strspn(out, "\n");
	int n = (int)strcspn(line, "\n");
	int usage = strstr(out, "\nusage ") != NULL ||
	    strncmp(out, "usage ", 6) == 0;

	if ((status == 0 && !usage) || (status < NFDUMP_SIGNALLED &&
	    strstr(out, file) != NULL))
		return 0;
	if (status >= NFDUMP_SIGNALLED)
		snprintf(why, whylen, "killed by signal %d%s%.*s",
		    status - NFDUMP_SIGNALLED, n > 0 ? ": " : "", n, line);
	else
		snprintf(why, whylen, "\"%.*s\" (exit %d)", n > 200 ? 200 : n,
		    line, status);
	return -EINVAL;
}
