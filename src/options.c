/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Configuration → the options each running object takes (exporter,
 * producer), built the same way at start and on SIGHUP, and which settings
 * a reload can change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "log.h"
#include "options.h"
#include "strv.h"
#include "xmalloc.h"

/* Splits -k into field names. */
static int options_key_fields(const char *key, char ***fieldsp, size_t *np,
    char *errstr, size_t errlen)
{
	char **fields = NULL, *list, *save = NULL;
	size_t n = 0;

	*fieldsp = NULL;
	*np = 0;
	if (key == NULL)
		return 0;
	list = xstrdup(key);
	for (char *f = strtok_r(list, ",", &save); f != NULL;
	    f = strtok_r(NULL, ",", &save))
		strv_push(&fields, &n, f);
	free(list);
	if (n == 0) {
		snprintf(errstr, errlen, "-k: no field names");
		return -EINVAL;
	}
	*fieldsp = fields;
	*np = n;
	return 0;
}

/*
 * The -k and --timestamp fields of a fmt: query, checked here so that a
 * typo is a start-up or reload error, not a failed window; a CSV query's
 * are checked with its header, when nfdump prints it.
 */
static int options_check_fields(const struct export_options *eo,
    const struct query *q, char *errstr, size_t errlen)
{
	int *index, ts, error = 0;

	if (!q->csv) {
		index = xcalloc(eo->nkey_fields + 1, sizeof *index);
		error = fields_key(eo->key_fields, eo->nkey_fields, &q->schema,
		    index, errstr, errlen);
		free(index);
	}
	if (error == 0 && q->schema.nfields > 0)
		error = fields_timestamp(eo->timestamp, &q->schema, &ts, errstr,
		    errlen);
	return error;
}

int options_export(const struct config *c, const struct profile *p,
    const struct dialect *d, struct export_options *eo, char *errstr,
    size_t errlen)
{
	struct query *q = xcalloc(1, sizeof *q);
	char why[480];

	memset(eo, 0, sizeof *eo);
	if (query_parse(c->query, d, q, why, sizeof why) != 0) {
		snprintf(errstr, errlen, "-Q: %s", why);
		free(q);
		return -EINVAL;
	}
	if (options_key_fields(c->key, &eo->key_fields, &eo->nkey_fields,
	    errstr, errlen) != 0) {
		query_free(q);
		free(q);
		return -EINVAL;
	}
	eo->query = q;
	eo->profile = p;
	eo->nfdump = c->nfdump;
	eo->nfdump_timeout_ms = (uint64_t)c->nfdump_timeout_s * 1000;
	eo->values = c->values;
	eo->format = c->format;
	snprintf(eo->timestamp, sizeof eo->timestamp, "%s",
	    c->timestamp != NULL ? c->timestamp : "send");
	eo->interval_s = c->interval_s;
	eo->headers = c->headers;
	eo->batch = (unsigned)c->batch;
	eo->identity = c->identity;
	eo->schema_registry = c->schema_registry;
	eo->schema_registry_auth = c->schema_registry_auth;
	if (options_check_fields(eo, q, errstr, errlen) != 0) {
		export_options_free(eo);
		return -EINVAL;
	}
	return 0;
}

struct kafka_options options_kafka(const struct config *c)
{
	return (struct kafka_options){
		.brokers = c->brokers,
		.topic = c->topic,
		.props = c->props,
		.nprops = c->nprops,
		.transactional_id = c->transactional_id,
		.summary_topic = c->summary_topic,
	};
}

void options_report_restart_needed(const struct config *cur,
    const struct config *next)
{
	for (size_t i = 0; i < config_table_size; i++) {
		const struct config_option *o = &config_table[i];

		if (o->scope == CONFIG_RESTART && config_changed(o, cur, next))
			log_warn("SIGHUP: %s changed; restart nfkafka to apply "
			    "it", o->name);
	}
}

void options_adopt(struct config *cur, struct config *next)
{
	for (size_t i = 0; i < config_table_size; i++) {
		if (config_table[i].scope == CONFIG_RELOAD)
			config_move(&config_table[i], cur, next);
	}
	config_free(next);
}
