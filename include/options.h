/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_OPTIONS_H
#define NFKAFKA_OPTIONS_H

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
int options_export(const struct config *c, const struct profile *p,
    const struct dialect *d, struct export_options *eo, char *errstr,
    size_t errlen);
struct kafka_options options_kafka(const struct config *c);
/* Logs each setting that changed but only applies after a restart. */
void options_report_restart_needed(const struct config *cur,
    const struct config *next);
/* Takes the reloadable settings of next into cur; frees next. */
void options_adopt(struct config *cur, struct config *next);

#endif
