/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_SCHEMAHOLD_H
#define NFKAFKA_SCHEMAHOLD_H

#include <stddef.h>
#include <uv.h>

#include "encode.h"
#include "schema.h"

/*
 * Avro: a window's output is held until the schema registry has given the
 * ids of the schemas its messages name (the summary's, then the records').
 * They are registered anew for every window (a registry answers the same
 * id for the same schema), so a registry restarted with empty storage
 * learns them again, and a reload's new schema is registered before its
 * records.
 */
struct schemahold;

/*
 * The registry's answer, on the loop: status 0 once the schema is
 * registered, or -errno with why naming the subject (the window fails and
 * is retried whole, never skipped).
 */
typedef void (*schemahold_cb)(void *arg, int status, const char *why);

/*
 * url: --schema-registry, or NULL (then Avro windows fail with a reason).
 * The subjects follow Confluent's TopicNameStrategy from topic and
 * summary_topic (NULL: no summaries). -EINVAL with errstr when the
 * registry cannot be set up.
 */
int schemahold_new(uv_loop_t *loop, const char *url, const char *auth,
    const char *topic, const char *summary_topic, struct schemahold **hp,
    char *errstr, size_t errlen);
/*
 * A new window named stamp: nothing is registered for it yet. enc gets the
 * ids; cb is called with each answer the window waited for.
 */
void schemahold_window(struct schemahold *h, const char *stamp,
    struct encode_handle *enc, schemahold_cb cb, void *arg);
/*
 * Before each of nfdump's lines, records' schema once known (else NULL):
 * 0 when every schema the window needs so far is registered; 1 while one
 * is being registered (cb follows); -EINVAL with why when no registry was
 * given (a fault of the configuration); another -errno with why when the
 * registry cannot be asked.
 */
int schemahold_ready(struct schemahold *h, const struct schema *records,
    char *why, size_t whylen);
/* Whether the summary's schema is registered for this window. */
int schemahold_summary_ready(const struct schemahold *h);
/* The window has gone: an answer still to come reaches nobody. */
void schemahold_drop(struct schemahold *h);
void schemahold_free(struct schemahold *h);

#endif
