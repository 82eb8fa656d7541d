/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nfdump's stdout sorted as its dialect says (header, records, summary) and
 * its end judged: the knowledge of what nfdump prints, next to the code that
 * runs it, so that the exporter only handles records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfdump.h"
#include "output.h"
#include "strv.h"
#include "xmalloc.h"

struct output {
	const struct query *q;
	struct nfdump *nfdump;
	char *relfile;
	struct schema csv_schema;
	const struct output_sink *sink;
	void *arg;
	uint64_t lines;		/* nfdump's lines so far */
	int trailer_lines;	/* its lines after its summary began */
	int usage;		/* it printed its usage */
	int summary;		/* it printed its summary */
	int stopped;		/* output_stop, or the sink refused */
	char first_line[256];	/* nfdump's first line, for its complaint */
	uint64_t t_start;
	struct output_end end;
};

/* The first line: the header, which names -o csv's columns. */
static void output_header(struct output *o, const char *line, size_t len)
{
	const struct query *q = o->q;
	const struct schema *schema = &q->schema;
	char why[256];

	if (q->csv) {
		if (schema_from_header(q->dialect, line, len, &o->csv_schema,
		    why, sizeof why) != 0) {
			failure_set(&o->end.failure, FAILURE_WINDOW, 0,
			    "nfdump csv header: %s", why);
			output_stop(o);
			return;
		}
		schema = &o->csv_schema;
	}
	if (o->sink->schema_cb(o->arg, schema) != 0)
		output_stop(o);
}

/* nfdump's totals: the line of its summary that its dialect names. */
static void output_trailer(struct output *o, const char *line, size_t len)
{
	const struct query *q = o->q;

	if (o->trailer_lines++ == dialect_totals_line(q->dialect, q->mode))
		summary_parse_totals(line, len, q->csv, &o->end.totals);
}

static int output_line(void *arg, const char *line, size_t len)
{
	struct output *o = arg;

	if (o->stopped || o->usage)
		return 0;
	if (o->sink->ready_cb != NULL && o->sink->ready_cb(o->arg) != 0)
		return 1;
	if (o->stopped)
		return 0;
	if (o->summary) {
		output_trailer(o, line, len);
		return 0;
	}
	if (o->lines == 0)
		snprintf(o->first_line, sizeof o->first_line, "%.*s",
		    (int)len, line);
	switch (dialect_classify(o->lines++, line, len)) {
	case DIALECT_USAGE:
		o->usage = 1;
		return 0;
	case DIALECT_HEADER:
		output_header(o, line, len);
		return 0;
	case DIALECT_SUMMARY:
		o->summary = 1;
		output_trailer(o, line, len);
		return 0;
	case DIALECT_NO_FLOWS:
	case DIALECT_BLANK:
		return 0;
	case DIALECT_RECORD:
		break;
	}
	if (o->sink->record_cb(o->arg, line, len, o->lines - 1) == 0)
		return 0;
	o->lines--; /* offered again after the pause */
	return 1;
}

/* The dialect of the nfdump in use says whether the run ended cleanly. */
static void output_judge(struct output *o, int status, const char *errtext)
{
	struct dialect_end end = {
		.status = status,
		.errtext = errtext,
		.firstline = o->first_line,
		.header = o->lines > 0,
		.usage = o->usage,
		.summary = o->summary,
	};
	char why[sizeof o->end.failure.message];

	if (dialect_verdict(o->q->dialect, o->q->mode, &end, o->relfile, why,
	    sizeof why) != 0)
		failure_set(&o->end.failure, FAILURE_WINDOW, 0, "%s", why);
}

static void output_done(void *arg, int status, const char *errtext)
{
	struct output *o = arg;

	o->nfdump = NULL;
	o->end.secs = (uv_hrtime() - o->t_start) / 1e9;
	/* Stopped on purpose: its end says nothing of the window. */
	if (!o->stopped)
		output_judge(o, status, errtext);
	o->sink->done_cb(o->arg, &o->end);
	schema_free(&o->csv_schema);
	free(o->relfile);
	free(o);
}

int output_start(uv_loop_t *loop, const struct query *q, const char *nfdump,
    const char *profile_arg, const char *relfile, uint64_t timeout_ms,
    const struct output_sink *sink, void *arg, struct output **op)
{
	struct output *o = xcalloc(1, sizeof *o);
	char **argv = query_argv(q, nfdump, profile_arg, relfile);
	int error;

	o->q = q;
	o->relfile = xstrdup(relfile);
	o->sink = sink;
	o->arg = arg;
	o->t_start = uv_hrtime();
	error = nfdump_start(loop, argv, timeout_ms, output_line, output_done,
	    o, &o->nfdump);
	strv_free(argv);
	if (error != 0) {
		free(o->relfile);
		free(o);
		return error;
	}
	*op = o;
	return 0;
}

void output_resume(struct output *o)
{
	if (o->nfdump != NULL)
		nfdump_resume(o->nfdump);
}

void output_stop(struct output *o)
{
	o->stopped = 1;
	if (o->nfdump != NULL)
		nfdump_kill(o->nfdump);
}
