/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The data path for one window: the query's records → CBOR → Kafka, on a
 * producer borrowed from its owner. A window is done only when nfdump has
 * finished cleanly and every record it produced has a delivery report.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "buf.h"
#include "export.h"
#include "export_summary.h"
#include "fields.h"
#include "log.h"
#include "nfcapd.h"
#include "output.h"
#include "query_probe.h"
#include "schemahold.h"
#include "strv.h"
#include "summary.h"
#include "xmalloc.h"

/*
 * A batch stays well below the broker's default message.max.bytes (1 MB)
 * however large its records.
 */
#define EXPORT_BATCH_BYTES (256 * 1024)

/*
 * What a delivery report is for: a run's summary, or count records of it.
 * Unbatched records all point at the run's one rec_msg; each batched
 * message has its own.
 */
struct export_msg {
	struct export_run *run;
	int summary;
	uint32_t count;
	int owned;		/* allocated for one batched message */
};

/*
 * Where a run is (tmux's job states): it moves down this list, except that
 * a full producer queue pauses it and a drain resumes it, and that
 * export_abandon can stop it anywhere.
 */
enum export_state {
	EXPORT_NFDUMP,		/* nfdump runs; its records are queued */
	EXPORT_PAUSED,		/* nfdump held back: the queue is full */
	EXPORT_FLUSHING,	/* nfdump done; its last batch waits for room */
	EXPORT_ACKS,		/* all queued; waiting for delivery reports */
	EXPORT_SUMMARY,		/* the summary is queued; waiting for its report */
	EXPORT_FINISHING,	/* complete: judged on the loop's next turn */
	EXPORT_ABANDONED,	/* stopped at shutdown; freed after its reports */
};

struct export_run {
	struct exporter *x;
	enum export_state state;
	struct output *out;	/* while nfdump runs */
	char stamp[NFCAPD_STAMP_LEN + 1];
	unsigned revision;
	char revision_text[12];	/* the revision as its header says it */
	size_t revision_len;
	char *profile_arg;	/* -M of the channels read; a header */
	size_t profile_len;
	char *id;		/* --headers compact: nfkafka-id's value */
	size_t id_prefix;	/* its "window,revision," */
	const struct schema *schema;
	int *key_index;
	struct row row;		/* the record being sent, typed once */
	char misfit[160];	/* the window's first value not of its type */
	int ts_index;		/* the --timestamp field, or -1 */
	int64_t ts_window;	/* window start in ms, for --timestamp window */

	struct export_msg rec_msg;
	struct export_msg sum_msg;
	struct batch *batch;	/* --batch above 1: records not yet queued */
	struct summary sum;	/* counted as records are acknowledged */
	uint64_t t_start;
	struct export_result r;	/* r.failure: set by export_fail only */

	export_done_cb cb;
	void *arg;
};

struct exporter {
	uv_loop_t *loop;
	struct export_options o;
	struct kafka *kafka;	/* borrowed */
	struct encode_handle enc;
	struct encode_buf out;	/* one record or the summary, encoded */
	struct export_run *run;	/* the window in flight */
	struct export_run *abandoned; /* stopped at shutdown, freed last */
	const char *topic;
	int summaries;		/* a summary topic was given */
	char *keybuf;
	size_t keycap;
	int children;		/* nfdump processes not yet reaped */
	uv_timer_t *finish;
	struct export_options next; /* from a reload; query NULL if none */
	struct schemahold *hold; /* Avro: the schema registry's ids */
	struct query_probe *probe; /* after a failed window, or NULL */
	export_probe_cb probe_cb; /* NULL once cancelled */
	void *probe_arg;
};

static void export_run_free(struct export_run *run)
{
	/* The registry's answer must not reach a window that has gone. */
	schemahold_drop(run->x->hold);
	summary_free(&run->sum);
	batch_free(run->batch);
	free(run->key_index);
	record_row_free(&run->row);
	free(run->profile_arg);
	free(run->id);
	free(run);
}

static void export_fail(struct export_run *run, enum failure_kind kind,
    int permanent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * The one place a run's failure is set. The first reason is kept: later
 * ones are consequences. nfdump's further output is not wanted.
 */
static void export_fail(struct export_run *run, enum failure_kind kind,
    int permanent, const char *fmt, ...)
{
	char msg[sizeof run->r.failure.message];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	failure_set(&run->r.failure, kind, permanent, "%s", msg);
	if (run->out != NULL)
		output_stop(run->out);
}

static int export_failed(const struct export_run *run)
{
	return failure_failed(&run->r.failure);
}

/* Exactly-once: the window's records become visible together, or never. */
static void export_finish_txn(struct export_run *run)
{
	char why[512];
	int error;

	if (export_failed(run)) {
		kafka_abort(run->x->kafka);
		return;
	}
	error = kafka_commit(run->x->kafka, why, sizeof why);
	if (error != 0)
		export_fail(run, FAILURE_KAFKA, error == -EPERM, "%s", why);
}

/*
 * --headers compact: "window,revision,row,count,profile" in one header, as
 * librdkafka allocates each header of each message on its own. The profile
 * goes last, as it is the one value that may hold a comma; count 0 marks
 * the window's summary.
 */
static size_t export_id_header(const struct export_run *run, uint64_t first,
    uint32_t count, struct kafka_header *h)
{
	char *p = run->id + run->id_prefix;

	p += buf_decimal(first, p);
	*p++ = ',';
	p += buf_decimal(count, p);
	*p++ = ',';
	memcpy(p, run->profile_arg, run->profile_len);
	p += run->profile_len;
	*h = (struct kafka_header){ "nfkafka-id", run->id,
		(size_t)(p - run->id) };
	return 1;
}

/* The headers that name the window: on records and summaries alike. */
static size_t export_window_headers(const struct export_run *run,
    struct kafka_header h[3])
{
	if (run->x->o.headers == EXPORT_HEADERS_COMPACT)
		return export_id_header(run, 0, 0, h);
	h[0] = (struct kafka_header){ "nfkafka-window", run->stamp,
		NFCAPD_STAMP_LEN };
	h[1] = (struct kafka_header){ "nfkafka-profile", run->profile_arg,
		run->profile_len };
	h[2] = (struct kafka_header){ "nfkafka-revision",
		run->revision_text, run->revision_len };
	return 3;
}

/*
 * The window's summary, once every record has its report: only then are
 * the offsets known.
 */
static int export_send_summary(struct export_run *run)
{
	struct exporter *x = run->x;
	struct kafka_header h[3];
	struct failure f = { 0 };
	int error;

	run->sum.records = run->r.acked;
	run->sum.nfdump_secs = run->r.nfdump_secs;
	run->sum.export_secs = (uv_hrtime() - run->t_start) / 1e9;
	if (x->o.format == ENCODE_AVRO && !schemahold_summary_ready(x->hold)) {
		/* nfdump printed nothing at all: nothing asked for it. */
		export_fail(run, FAILURE_KAFKA, 0, "window %s: its summary's "
		    "Avro schema is not registered", run->stamp);
		return -EINVAL;
	}
	error = export_summary_send(x->kafka, &run->sum, &x->enc, &x->out, h,
	    x->o.headers ? export_window_headers(run, h) : 0,
	    strcmp(x->o.timestamp, "send") != 0 ? run->ts_window : 0,
	    &run->sum_msg, &f);
	if (error != 0)
		export_fail(run, f.kind, f.permanent, "%s", f.message);
	return error;
}

/*
 * Runs once per run, on the loop, not inside librdkafka's delivery
 * callback: committing a transaction from there would wait for the very
 * report being served.
 */
static void export_finish(uv_timer_t *t)
{
	struct exporter *x = t->data;
	struct export_run *run = x->run;

	export_finish_txn(run);
	if (run->r.untyped > 0)
		log_warn("window %s: %" PRIu64 " values did not fit their "
		    "field's type and were sent as null, first %s",
		    run->stamp, run->r.untyped, run->misfit);
	log_debug("window %s: nfdump paused %" PRIu64 " times for a full "
	    "producer queue", run->stamp, run->r.pauses);
	run->r.total_secs = (uv_hrtime() - run->t_start) / 1e9;
	x->run = NULL;
	run->cb(run->arg, run->stamp, &run->r);
	export_run_free(run);
}

static void export_finishing(struct export_run *run)
{
	run->state = EXPORT_FINISHING;
	uv_timer_start(run->x->finish, export_finish, 0, 0);
}

/*
 * Every record queued has its report: the summary goes, if one is wanted
 * and the window did not fail, and then the run is judged.
 */
static void export_maybe_done(struct export_run *run)
{
	if (run->state != EXPORT_ACKS ||
	    run->r.acked + run->r.delivery_errors < run->r.rows)
		return;
	if (run->x->summaries && !export_failed(run) &&
	    export_send_summary(run) == 0) {
		run->state = EXPORT_SUMMARY;
		return;
	}
	export_finishing(run);
}

/* The record's message timestamp in ms; 0 means the send time. */
static int64_t export_timestamp(const struct export_run *run)
{
	const struct value *v;
	struct value parsed;

	if (run->ts_index < 0)
		return run->ts_window;
	v = &run->row.values[run->ts_index];
	/* --values strings left it text: the time is still in it. */
	if (v->type == FIELD_TEXT && record_value(run->schema->fields[
	    run->ts_index].type, v->s, &parsed) == 0)
		v = &parsed;
	/* Past INT64_MAX ms (a forged or broken value): the window's time. */
	if (v->type != FIELD_TIME || v->t.sec <= 0 ||
	    v->t.sec > INT64_MAX / 1000 - 1)
		return run->ts_window;
	return v->t.sec * 1000 + v->t.nsec / 1000000;
}

/* Resolves the key fields once the schema is known; -EINVAL if absent. */
static int export_bind_schema(void *arg, const struct schema *schema)
{
	struct export_run *run = arg;
	const struct export_options *o = &run->x->o;
	char why[256];

	run->schema = schema;
	record_row_init(&run->row, schema);
	run->row.window_start = run->sum.start;
	run->row.revision = run->revision;
	run->key_index = xcalloc(o->nkey_fields + 1, sizeof *run->key_index);
	if (fields_timestamp(o->timestamp, schema, &run->ts_index, why,
	    sizeof why) != 0 || fields_key(o->key_fields, o->nkey_fields,
	    schema, run->key_index, why, sizeof why) != 0) {
		/* Every window would fail the same way: stop. */
		export_fail(run, FAILURE_QUERY, 1, "%s", why);
		return -EINVAL;
	}
	return 0;
}

/* The message key: the key fields' printed values joined by ','. */
static size_t export_key(struct exporter *x, struct export_run *run)
{
	size_t len = 0;

	for (size_t i = 0; i < x->o.nkey_fields; i++) {
		struct slice v = run->row.text[run->key_index[i]];

		x->keybuf = buf_grow(x->keybuf, &x->keycap, len, v.n + 1);
		if (i > 0)
			x->keybuf[len++] = ',';
		memcpy(x->keybuf + len, v.p, v.n);
		len += v.n;
	}
	return len;
}

/*
 * The headers that let consumers tell windows and rows apart: the row index
 * of the (first) record, and in batched mode how many records follow.
 */
static size_t export_headers(const struct export_run *run, uint64_t first,
    uint32_t count, char row[24], char num[24], struct kafka_header h[5])
{
	size_t n;

	if (run->x->o.headers == EXPORT_HEADERS_NONE)
		return 0;
	if (run->x->o.headers == EXPORT_HEADERS_COMPACT)
		return export_id_header(run, first, count, h);
	n = export_window_headers(run, h);
	h[n++] = (struct kafka_header){ "nfkafka-row", row,
		buf_decimal(first, row) };
	if (run->batch != NULL)
		h[n++] = (struct kafka_header){ "nfkafka-count", num,
			buf_decimal(count, num) };
	return n;
}

/*
 * Queues records [rows, rows + count) as one message. Returns 0, 1 when
 * the producer queue is full (try again after a drain), or -EIO.
 */
static int export_send(struct export_run *run, const void *key,
    size_t keylen, const void *value, size_t len, uint32_t count,
    struct export_msg *msg)
{
	struct exporter *x = run->x;
	struct kafka_header h[5];
	char row[24], num[24];
	size_t nh;
	int error;

	nh = export_headers(run, run->r.rows, count, row, num, h);
	error = kafka_send(x->kafka, &(struct kafka_message){ KAFKA_RECORDS,
	    key, keylen, value, len, h, nh, export_timestamp(run), msg });
	if (error == -ENOBUFS)
		return 1;
	if (error != 0) {
		/* librdkafka refuses at once only what it can never send. */
		export_fail(run, FAILURE_KAFKA, 1, "cannot queue record %"
		    PRIu64 " for Kafka", run->r.rows);
		return -EIO;
	}
	run->r.rows += count;
	return 0;
}

/* Queues the batch gathered so far as one message; as export_send. */
static int export_flush(struct export_run *run)
{
	struct export_msg *msg;
	const unsigned char *data;
	size_t len;
	int error;

	if (run->batch == NULL || batch_count(run->batch) == 0)
		return 0;
	msg = xmalloc(sizeof *msg);
	*msg = (struct export_msg){ run, 0, batch_count(run->batch), 1 };
	data = batch_data(run->batch, &len);
	error = export_send(run, NULL, 0, data, len, msg->count, msg);
	if (error != 0)
		free(msg);
	if (error <= 0)
		batch_clear(run->batch);
	return error;
}

/* Counts values not of their type; the window's first is its example. */
static void export_misfits(struct export_run *run)
{
	const struct slice *t;

	if (run->row.misfits == 0)
		return;
	if (run->r.untyped == 0) {
		t = &run->row.text[run->row.misfit];
		snprintf(run->misfit, sizeof run->misfit, "%s \"%.*s\" in "
		    "record %" PRIu64,
		    run->schema->fields[run->row.misfit].name,
		    (int)(t->n > 64 ? 64 : t->n), t->p, run->r.rows);
	}
	run->r.untyped += run->row.misfits;
}

/* A full producer queue holds nfdump back until the queue drains. */
static int export_pause(struct export_run *run)
{
	run->state = EXPORT_PAUSED;
	run->r.pauses++;
	return 1;
}

/* One record line; returns 1 to pause nfdump when the queue is full. */
static int export_record(void *arg, const char *line, size_t len,
    uint64_t lineno)
{
	struct export_run *run = arg;
	struct exporter *x = run->x;
	size_t keylen = 0;
	char why[256];
	int error;

	/* A full batch goes first, so a full queue pauses before this line. */
	if (run->batch != NULL && batch_full(run->batch) &&
	    export_flush(run) == 1)
		return export_pause(run);
	if (record_parse(&run->row, line, len,
	    x->o.values == ENCODE_STRINGS) != 0) {
		/*
		 * A row we cannot read is a row lost: fail, never skip it.
		 * People count nfdump's lines from 1.
		 */
		export_fail(run, FAILURE_WINDOW, 0, "nfdump line %" PRIu64
		    " does not fit the query's output format: \"%.*s\"",
		    lineno + 1, (int)(len > 200 ? 200 : len), line);
		return 0;
	}
	export_misfits(run);
	run->row.index = run->r.rows + (run->batch != NULL ?
	    batch_count(run->batch) : 0);
	error = run->batch != NULL ? batch_add(run->batch, run->r.rows,
	    &run->row, why, sizeof why) : encode_record(&x->enc, &run->row,
	    &x->out, why, sizeof why);
	if (error != 0) {
		/*
		 * Sending it otherwise would lose it or change its type; like
		 * a refused message, the window is retried, never skipped.
		 */
		export_fail(run, FAILURE_KAFKA, 0, "record %" PRIu64 ": %s",
		    run->row.index, why);
		return 0;
	}
	if (run->batch != NULL)
		return 0;
	if (x->o.nkey_fields > 0)
		keylen = export_key(x, run);
	if (export_send(run, x->o.nkey_fields > 0 ? x->keybuf : NULL,
	    keylen, x->out.p, x->out.len, 1, &run->rec_msg) == 1)
		return export_pause(run);
	return 0;
}

/* The registry's answer: the window goes on, or fails to be retried. */
static void export_registered(void *arg, int status, const char *why)
{
	struct export_run *run = arg;

	if (status != 0)
		export_fail(run, FAILURE_KAFKA, 0, "%s", why);
	if (run->out != NULL)
		output_resume(run->out);
}

/*
 * Before each of nfdump's lines. Avro: 1 to hold nfdump's output while a
 * schema this window needs is being registered, 0 once all are (or the
 * window has failed).
 */
static int export_ready(void *arg)
{
	struct export_run *run = arg;
	char why[512];
	int error;

	if (run->x->o.format != ENCODE_AVRO || export_failed(run))
		return 0;
	error = schemahold_ready(run->x->hold, run->schema, why, sizeof why);
	if (error == -EINVAL)
		export_fail(run, FAILURE_QUERY, 1, "%s", why);
	else if (error < 0)
		export_fail(run, FAILURE_KAFKA, 0, "%s", why);
	return error == 1;
}

static void export_nfdump_done(void *arg, const struct output_end *end)
{
	struct export_run *run = arg;

	run->out = NULL;
	run->x->children--;
	run->r.nfdump_secs = end->secs;
	run->r.nfdump_ran = 1;
	run->sum.totals = end->totals;
	if (failure_failed(&end->failure))
		export_fail(run, end->failure.kind, end->failure.permanent,
		    "%s", end->failure.message);
	if (run->state == EXPORT_ABANDONED)
		return;
	/* A failed window is not worth its last batch: it is retried whole. */
	if (!export_failed(run) && export_flush(run) == 1) {
		run->state = EXPORT_FLUSHING;
		return;
	}
	run->state = EXPORT_ACKS;
	export_maybe_done(run);
}

static const struct output_sink export_sink = {
	export_ready, export_bind_schema, export_record, export_nfdump_done,
};

/* The summary's report: the window is done only once it is acknowledged. */
static void export_summary_report(struct export_run *run, int err,
    const char *errstr)
{
	struct failure f = { 0 };

	if (export_summary_delivered(err, errstr, &f) != 0)
		export_fail(run, f.kind, f.permanent, "%s", f.message);
	if (run->state == EXPORT_SUMMARY)
		export_finishing(run);
}

static void export_delivered(void *arg, void *msg_opaque, int err,
    const char *errstr, size_t len, int32_t partition, int64_t offset)
{
	struct export_msg *msg = msg_opaque;
	struct export_run *run = msg->run;
	uint32_t count = msg->count;

	(void)arg;
	if (msg->summary) {
		export_summary_report(run, err, errstr);
		return;
	}
	if (msg->owned)
		free(msg);
	if (err == 0) {
		/* A batch is one message: one offset, count records. */
		summary_ack(&run->sum, partition, offset, count);
		run->r.acked += count;
		run->r.acked_bytes += len;
	} else {
		run->r.delivery_errors += count;
		export_fail(run, FAILURE_KAFKA, kafka_err_permanent(err),
		    "Kafka delivery failed: %s", errstr);
	}
	export_maybe_done(run);
}

/* The producer queue has room again: a paused run goes on. */
static void export_drained(void *arg)
{
	struct exporter *x = arg;
	struct export_run *run = x->run;

	if (run == NULL)
		return;
	if (run->state == EXPORT_PAUSED) {
		run->state = EXPORT_NFDUMP;
		if (run->out != NULL)
			output_resume(run->out);
	} else if (run->state == EXPORT_FLUSHING) {
		/* nfdump has ended; only its last batch was waiting. */
		if (export_flush(run) == 1)
			return;
		run->state = EXPORT_ACKS;
		export_maybe_done(run);
	}
}

int exporter_new(uv_loop_t *loop, const struct export_options *o,
    struct kafka *k, const struct kafka_options *ko, struct exporter **xp,
    char *errstr, size_t errlen)
{
	struct exporter *x = xcalloc(1, sizeof *x);
	int error;

	x->loop = loop;
	x->o = *o;
	x->kafka = k;
	error = encode_open(o->format, &(struct encode_options){
	    o->values, o->identity, ko->topic, o->schema_registry }, &x->enc,
	    errstr, errlen);
	if (error == 0)
		error = schemahold_new(loop, o->schema_registry,
		    o->schema_registry_auth, ko->topic, ko->summary_topic,
		    &x->hold, errstr, errlen);
	if (error != 0) {
		encode_close(&x->enc);
		free(x);
		return error;
	}
	kafka_attach(k, export_delivered, export_drained, x);
	encode_buf_init(&x->out);
	x->topic = ko->topic;
	x->summaries = ko->summary_topic != NULL;
	x->finish = xmalloc(sizeof *x->finish);
	uv_timer_init(loop, x->finish);
	x->finish->data = x;
	*xp = x;
	return 0;
}

void export_options_free(struct export_options *o)
{
	if (o->query != NULL) {
		query_free(o->query);
		free(o->query);
	}
	strv_free(o->key_fields);
	o->query = NULL;
	o->key_fields = NULL;
}

void export_reconfigure(struct exporter *x, const struct export_options *o)
{
	export_options_free(&x->next);
	x->next = *o;
	/* The probe judged the old query: the next window runs the new one. */
	if (x->probe != NULL)
		query_probe_cancel(x->probe);
}

/* The encoder for reloaded options; the old one stays if it fails. */
static void export_reopen(struct exporter *x)
{
	struct encode_handle h;
	char why[512];

	if (encode_open(x->o.format, &(struct encode_options){ x->o.values,
	    x->o.identity, x->topic, x->o.schema_registry }, &h, why,
	    sizeof why) != 0) {
		log_warn("reload: %s; records keep the previous encoding", why);
		return;
	}
	encode_close(&x->enc);
	x->enc = h;
}

static void export_apply_next(struct exporter *x)
{
	if (x->next.query == NULL)
		return;
	export_options_free(&x->o);
	x->o = x->next;
	memset(&x->next, 0, sizeof x->next);
	export_reopen(x);
}

/* What the headers and the summary say of the window. */
static struct export_run *export_run_new(struct exporter *x,
    const struct export_window *w)
{
	struct export_run *run = xcalloc(1, sizeof *run);
	time_t start = nfcapd_stamp_time(w->stamp);

	run->x = x;
	snprintf(run->stamp, sizeof run->stamp, "%s", w->stamp);
	run->profile_arg = profile_arg(x->o.profile, w->mask);
	run->profile_len = strlen(run->profile_arg);
	run->revision = w->revision;
	run->revision_len = (size_t)snprintf(run->revision_text,
	    sizeof run->revision_text, "%u", run->revision);
	/* Room for "window,revision,row,count," and the profile. */
	run->id = xmalloc(NFCAPD_STAMP_LEN + run->profile_len + 80);
	run->id_prefix = (size_t)sprintf(run->id, "%s,%s,", run->stamp,
	    run->revision_text);
	run->rec_msg = (struct export_msg){ run, 0, 1, 0 };
	run->sum_msg = (struct export_msg){ run, 1, 0, 0 };
	if (x->o.batch > 1)
		run->batch = batch_new(x->o.batch, EXPORT_BATCH_BYTES,
		    &x->enc);
	if (strcmp(x->o.timestamp, "window") == 0)
		run->ts_window = (int64_t)start * 1000;
	memcpy(run->sum.stamp, run->stamp, sizeof run->sum.stamp);
	run->sum.revision = run->revision;
	run->sum.start = start;
	run->sum.interval_s = x->o.interval_s;
	run->sum.profile = x->o.profile;
	run->sum.mask = w->mask;
	run->sum.topic = x->topic;
	run->t_start = uv_hrtime();
	return run;
}

/*
 * A transaction that cannot begin ends the window like any other failure,
 * through its callback, so that export_start's own errors are libuv's only.
 */
static int export_begin(struct export_run *run)
{
	char why[512];
	int error = kafka_begin(run->x->kafka, why, sizeof why);

	if (error == 0)
		return 0;
	export_fail(run, FAILURE_KAFKA, error == -EPERM, "%s", why);
	run->x->run = run;
	export_finishing(run);
	return error;
}

int export_start(struct exporter *x, const struct export_window *w,
    export_done_cb cb, void *arg)
{
	struct export_run *run;
	int error;

	if (x->run != NULL)
		return -EBUSY;
	export_apply_next(x);
	run = export_run_new(x, w);
	run->cb = cb;
	run->arg = arg;
	schemahold_window(x->hold, run->stamp, &x->enc, export_registered, run);
	if (export_begin(run) != 0)
		return 0;
	error = output_start(x->loop, x->o.query, x->o.nfdump,
	    run->profile_arg, w->relfile, x->o.nfdump_timeout_ms, &export_sink,
	    run, &run->out);
	if (error != 0) {
		kafka_abort(x->kafka);
		export_run_free(run);
		return error;
	}
	run->state = EXPORT_NFDUMP;
	x->run = run;
	x->children++;
	return 0;
}

int export_busy(const struct exporter *x)
{
	return x->run != NULL;
}

int export_children(const struct exporter *x)
{
	return x->children;
}

void export_abandon(struct exporter *x)
{
	struct export_run *run = x->run;

	if (run == NULL)
		return;
	x->run = NULL;
	schemahold_drop(x->hold);
	if (run->state == EXPORT_FINISHING) {
		/* Complete but not yet judged: drop it whole. */
		uv_timer_stop(x->finish);
		kafka_abort(x->kafka);
		export_run_free(run);
		return;
	}
	/* nfdump's last batch, if it waits, is dropped with the window. */
	run->state = EXPORT_ABANDONED;
	if (run->out != NULL)
		output_stop(run->out);
	/* Its reports may still come: freed by exporter_free, after them. */
	x->abandoned = run;
}

static void export_probed(void *arg, int status, const char *why)
{
	struct exporter *x = arg;
	export_probe_cb cb = x->probe_cb;

	x->probe = NULL;
	x->probe_cb = NULL;
	x->children--;
	if (cb != NULL)
		cb(x->probe_arg, status, why);
}

int export_probe(struct exporter *x, export_probe_cb cb, void *arg)
{
	int error;

	/* A reloaded query is the one the next window runs: let it try. */
	if (x->next.query != NULL)
		return -EAGAIN;
	if (x->probe != NULL)
		return -EBUSY;
	error = query_probe_start(x->loop, x->o.query, x->o.nfdump,
	    export_probed, x, &x->probe);
	if (error != 0)
		return error;
	x->probe_cb = cb;
	x->probe_arg = arg;
	x->children++;
	return 0;
}

void export_probe_cancel(struct exporter *x)
{
	if (x->probe == NULL)
		return;
	x->probe_cb = NULL;
	query_probe_cancel(x->probe);
}

static void export_timer_closed(uv_handle_t *h)
{
	free(h);
}

void exporter_free(struct exporter *x)
{
	uv_close((uv_handle_t *)x->finish, export_timer_closed);
	/* No report reaches this exporter any more. */
	kafka_attach(x->kafka, NULL, NULL, NULL);
	/* Kafka's consumers never see it; a restart exports it again. */
	if (x->abandoned != NULL) {
		kafka_abort(x->kafka);
		export_run_free(x->abandoned);
	}
	export_options_free(&x->o);
	export_options_free(&x->next);
	encode_close(&x->enc);
	encode_buf_free(&x->out);
	schemahold_free(x->hold);
	free(x->keybuf);
	free(x);
}
