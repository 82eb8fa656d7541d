/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_OUTPUT_H
#define NFKAFKA_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "failure.h"
#include "query.h"
#include "summary.h"

/*
 * One run of the query on a window, read as the nfdump in use prints it:
 * a header (which names csv's columns), records, a summary with nfdump's
 * totals, and an end that its dialect judges. The exporter sees only the
 * schema, the record lines and the verdict.
 */
struct output;

/* How the run ended; failure says what went wrong, if anything. */
struct output_end {
	double secs;		/* nfdump's run time */
	struct summary_totals totals;
	struct failure failure;
};

struct output_sink {
	/*
	 * Before each line: 0, or 1 to hold nfdump's output until
	 * output_resume (the line is offered again). NULL: always ready.
	 */
	int (*ready_cb)(void *arg);
	/*
	 * The schema of the records to come, once the header has arrived:
	 * 0, or -EINVAL to stop the run (the sink keeps the reason).
	 */
	int (*schema_cb)(void *arg, const struct schema *schema);
	/*
	 * One record line, lineno counted from 0 over all of nfdump's lines:
	 * 0 when consumed, 1 to pause (offered again after output_resume).
	 */
	int (*record_cb)(void *arg, const char *line, size_t len,
	    uint64_t lineno);
	/* Once: nfdump has finished. The output is freed after it returns. */
	void (*done_cb)(void *arg, const struct output_end *end);
};

/*
 * Runs q on relfile of the channels in profile_arg. On error nothing is
 * started and no callback is called: a libuv error.
 */
int output_start(uv_loop_t *loop, const struct query *q, const char *nfdump,
    const char *profile_arg, const char *relfile, uint64_t timeout_ms,
    const struct output_sink *sink, void *arg, struct output **op);
void output_resume(struct output *o);
/*
 * The rest of the output is not wanted: nfdump is stopped, no more records
 * come, no verdict is given; done_cb still follows.
 */
void output_stop(struct output *o);

#endif
