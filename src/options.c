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

#include "log.h"
#include "options.h"
#include "strv.h"
#include "xmalloc.h"

/* Splits -k and checks the names against a fmt: query's schema. */
static int options_key_fields(const char *key, const struct query *q,
    char ***fieldsp, size_t *np, char *errstr, size_t errlen)
{
	char **fields = NULL, *list, *save = NULL;
	size_t n = 0;

	*fieldsp = NULL;
	*np = 0;
	if (key == NULL)
		return 0;
	list = xstrdup(key);
	for (char *f = strtok_r(list, ",", &save); f != NULL;
	    f = strtok_r(NULL, ",", &save)) {
		if (!q->csv && schema_find(&q->schema, f) < 0) {
			snprintf(errstr, errlen, "-k: field %s is not in the "
			    "query's output format", f);
			free(list);
			strv_free(fields);
			return -EINVAL;
		}
		strv_push(&fields, &n, f);
	}
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
 * --timestamp FIELD must name a time field of a fmt: query, checked here
 * so that a typo is a start-up or reload error, not a failed window.
 */
static int options_timestamp_field(const char *ts, const struct query *q,
    char *errstr, size_t errlen)
{
	int i;

	if (ts == NULL || strcmp(ts, "send") == 0 || strcmp(ts, "window") == 0 ||
	    q->schema.nfields == 0)
		return 0;
	i = schema_find(&q->schema, ts);
	if (i < 0 || (q->schema.fields[i].type != FIELD_TIME &&
	    q->schema.fields[i].type != FIELD_EPOCH &&
	    q->schema.fields[i].type != FIELD_MSEC)) {
		snprintf(errstr, errlen, "--timestamp %s is not a time field in "
		    "the query's output (see RECORD FORMAT in nfkafka(8))", ts);
		return -EINVAL;
	}
	return 0;
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
	if (options_key_fields(c->key, q, &eo->key_fields, &eo->nkey_fields,
	    errstr, errlen) != 0) {
		query_free(q);
		free(q);
		return -EINVAL;
	}
	if (options_timestamp_field(c->timestamp, q, errstr, errlen) != 0) {
		strv_free(eo->key_fields);
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

static int options_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

static int options_props_differ(const struct config *a,
    const struct config *b)
{
	if (a->nprops != b->nprops)
		return 1;
	for (size_t i = 0; i < a->nprops; i++) {
		if (strcmp(a->props[i].name, b->props[i].name) != 0 ||
		    strcmp(a->props[i].value, b->props[i].value) != 0)
			return 1;
	}
	return 0;
}

void options_report_restart_needed(const struct config *cur,
    const struct config *next)
{
	const struct {
		const char *name;
		int changed;
	} fixed[] = {
		{ "profile", options_differs(cur->profile, next->profile) },
		{ "brokers", options_differs(cur->brokers, next->brokers) },
		{ "topic", options_differs(cur->topic, next->topic) },
		{ "librdkafka properties", options_props_differ(cur, next) },
		{ "transactional-id", options_differs(cur->transactional_id,
		    next->transactional_id) },
		{ "state", options_differs(cur->state, next->state) },
		{ "summary-topic", options_differs(cur->summary_topic,
		    next->summary_topic) },
		{ "nfdump", options_differs(cur->nfdump, next->nfdump) },
		{ "schema-registry", options_differs(cur->schema_registry,
		    next->schema_registry) },
		{ "schema-registry-auth", options_differs(
		    cur->schema_registry_auth, next->schema_registry_auth) },
		{ "metrics", options_differs(cur->metrics, next->metrics) },
		{ "log-file", options_differs(cur->log_file, next->log_file) },
		{ "flush-timeout", cur->flush_ms != next->flush_ms },
		{ "nfdump-timeout", cur->nfdump_timeout_s !=
		    next->nfdump_timeout_s },
		{ "health-backlog", cur->health_backlog !=
		    next->health_backlog },
	};

	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		if (fixed[i].changed)
			log_warn("SIGHUP: %s changed; restart nfkafka to apply "
			    "it", fixed[i].name);
	}
}

static void options_take(char **cur, char **next)
{
	free(*cur);
	*cur = *next;
	*next = NULL;
}

void options_adopt(struct config *cur, struct config *next)
{
	options_take(&cur->query, &next->query);
	options_take(&cur->key, &next->key);
	cur->values = next->values;
	cur->format = next->format;
	options_take(&cur->timestamp, &next->timestamp);
	cur->interval_s = next->interval_s;
	cur->headers = next->headers;
	cur->batch = next->batch;
	cur->identity = next->identity;
	cur->log_level = next->log_level;
	cur->grace_s = next->grace_s;
	cur->backoff_min_ms = next->backoff_min_ms;
	cur->backoff_max_ms = next->backoff_max_ms;
	cur->backlog_warn_s = next->backlog_warn_s;
	config_free(next);
}
