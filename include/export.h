/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_EXPORT_H
#define NFKAFKA_EXPORT_H

#include <stdint.h>
#include <uv.h>

#include "encode.h"
#include "failure.h"
#include "kafka.h"
#include "profile.h"
#include "query.h"

struct exporter;

/*
 * query and key_fields are allocated by options_export(); they belong to
 * whoever holds the struct: exporter_new() and export_reconfigure() take
 * them (exporter_new only when it succeeds), anyone else frees them with
 * export_options_free().
 */
/* --headers: how each message names its window, revision and row. */
enum export_headers {
	EXPORT_HEADERS_NONE,
	EXPORT_HEADERS_SEPARATE,	/* nfkafka-window, -profile, ... */
	EXPORT_HEADERS_COMPACT,		/* the same in one nfkafka-id */
};

struct export_options {
	struct query *query;
	const struct profile *profile;
	const char *nfdump;	/* program to run */
	uint64_t nfdump_timeout_ms; /* a window's nfdump run at most; 0: none */
	enum encode_values values;
	enum encode_format format;
	/* Message timestamps: "send", "window" or a time field's name. */
	char timestamp[64];
	int interval_s;		/* window length, for the summary's end */
	char **key_fields;	/* record fields forming the message key */
	size_t nkey_fields;
	enum export_headers headers;
	unsigned batch;		/* records per message; 1: one each */
	int identity;		/* --identity: window, revision, row fields */
	const char *schema_registry; /* --schema-registry URL (Avro) */
	const char *schema_registry_auth; /* its USER:PASSWORD, or NULL */
};

/* What became of one window. */
struct export_result {
	struct failure failure;	/* kind FAILURE_NONE: exported */
	uint64_t rows;		/* records produced */
	uint64_t acked;		/* records the broker acknowledged */
	uint64_t acked_bytes;	/* their encoded bytes */
	uint64_t delivery_errors; /* records the broker did not acknowledge */
	int nfdump_ran;		/* nfdump was started and has finished */
	uint64_t untyped;	/* values sent as null: not of their type */
	uint64_t pauses;	/* nfdump held back by a full producer queue */
	double nfdump_secs;	/* nfdump's run time */
	double total_secs;	/* start to last acknowledgement */
};

/* What defines one export: a window, the channels read, its revision. */
struct export_window {
	const char *relfile;	/* nfcapd.YYYYMMDDhhmm[ss] */
	const char *stamp;	/* its 14-digit stamp */
	unsigned long mask;	/* the channels whose file is read */
	/* With stamp, the window's identity: 0, then one more per export. */
	unsigned revision;
};

typedef void (*export_done_cb)(void *arg, const char *stamp,
    const struct export_result *r);

/*
 * The exporter borrows the producer k, which must outlive it; it takes the
 * producer's delivery reports until exporter_free. ko names the topics.
 * -EINVAL with errstr when the encoding or the schema registry cannot be
 * set up.
 */
int exporter_new(uv_loop_t *loop, const struct export_options *o,
    struct kafka *k, const struct kafka_options *ko, struct exporter **xp,
    char *errstr, size_t errlen);
/*
 * Exports window w: runs the query, produces every record, and calls cb
 * once nfdump has finished and every record has its delivery report; a
 * Kafka transaction that cannot begin is reported there too. One window at
 * a time. Returns 0, or the libuv error that kept nfdump from starting (cb
 * is then not called).
 */
int export_start(struct exporter *x, const struct export_window *w,
    export_done_cb cb, void *arg);
int export_busy(const struct exporter *x);
/* Frees the query and key fields of options nobody took. */
void export_options_free(struct export_options *o);
/*
 * New query, key and value mode (SIGHUP): they apply from the next window,
 * never to the one in flight.
 */
void export_reconfigure(struct exporter *x, const struct export_options *o);
/* nfdump processes still running, including abandoned ones and probes. */
int export_children(const struct exporter *x);
/* Stops the window in flight without calling its cb; it counts as undone. */
void export_abandon(struct exporter *x);
/*
 * The probe's verdict: -EINVAL with nfdump's words in why when it refuses
 * the query, a fault of the configuration that every window would meet,
 * not of the window; 0 when it accepts it; -ECANCELED when a reload
 * brought a new query meanwhile (the next window runs that one: let it
 * try); another -errno when nfdump could not tell.
 */
typedef void (*export_probe_cb)(void *arg, int status, const char *why);
/*
 * After nfdump failed on a window: asks nfdump, on the loop, whether it
 * still accepts the query (query_probe_start); cb follows. On error
 * nothing runs and cb is not called: -EAGAIN when a reload's query waits
 * for the next window (let it try), -EBUSY when a probe runs, or the
 * -errno that kept nfdump from starting.
 */
int export_probe(struct exporter *x, export_probe_cb cb, void *arg);
/* Stops the probe in flight, if any; its cb is not called. */
void export_probe_cancel(struct exporter *x);
/*
 * Frees the exporter. The producer should have been flushed: an abandoned
 * window's transaction is aborted here, and reports still to come are
 * dropped. No nfdump may run any more: export_children() is 0.
 */
void exporter_free(struct exporter *x);

#endif
