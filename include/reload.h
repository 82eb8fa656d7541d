#ifndef NFKAFKA_RELOAD_H
#define NFKAFKA_RELOAD_H

#include <stddef.h>

#include "config.h"
#include "dialect.h"
#include "export.h"
#include "kafka.h"
#include "profile.h"

/*
 * What a configuration means for the exporter and the producer, and which
 * of it SIGHUP can change while running: the query, key, value mode, log
 * level, grace, backoff and backlog warning apply from the next window;
 * the rest needs a restart.
 */

/* Parses the query and key fields; the result's query/keys are new. */
int reload_export_options(const struct config *c, const struct profile *p,
    const struct dialect *d, struct export_options *eo, char *errstr,
    size_t errlen);
struct kafka_options reload_kafka_options(const struct config *c);
/* Logs each setting that changed but only applies after a restart. */
void reload_report_restart_needed(const struct config *cur,
    const struct config *next);
/* Takes the reloadable settings of next into cur; frees next. */
void reload_adopt(struct config *cur, struct config *next);

#endif
