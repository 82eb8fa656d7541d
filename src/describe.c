/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --schema FORMAT: the records' schema in a consumer's own language. Each
 * encoding describes what it writes (CDDL for CBOR, JSON Schema for JSON,
 * Avro for Avro); ClickHouse's DDL is printed here, for the JSON (or Avro)
 * a Kafka-engine table reads.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "describe.h"

/* The ClickHouse type that its default settings read a JSON value into. */
static const char *describe_clickhouse_type(enum field_type type)
{
	switch (type) {
	case FIELD_UINT:
		return "Nullable(UInt64)";
	case FIELD_PORT:
		return "Nullable(UInt16)";
	case FIELD_FLOAT:
		return "Nullable(Float64)";
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		return "Nullable(DateTime64(3, 'UTC'))";
	case FIELD_ADDR:
		/* Takes IPv4 text too, as ::ffff:a.b.c.d: one column. */
		return "Nullable(IPv6)";
	case FIELD_TEXT:
	case FIELD_NULL:
		break;
	}
	return "String";
}

/* A table name from the topic: letters, digits and '_' only. */
static void describe_table_name(const char *topic, char *name, size_t size)
{
	size_t i = 0;

	for (; topic[i] != '\0' && i + 1 < size; i++)
		name[i] = isalnum((unsigned char)topic[i]) ? topic[i] : '_';
	name[i] = '\0';
	if (i == 0 || isdigit((unsigned char)name[0]))
		snprintf(name, size, "nfkafka");
}

static void describe_columns(const struct schema *schema,
    const struct encode_options *o, FILE *out)
{
	static const char *const idtype[ENCODE_IDENTITY] = {
		"DateTime64(3, 'UTC')", "UInt32", "UInt64" };
	size_t n = schema->nfields + (o->identity ? ENCODE_IDENTITY : 0);

	for (size_t i = 0; i < n; i++) {
		int own = i < schema->nfields;

		fprintf(out, "    %s %s%s\n", own ? schema->fields[i].name :
		    encode_identity_names[i - schema->nfields],
		    !own ? idtype[i - schema->nfields] :
		    o->values == ENCODE_STRINGS ? "String" :
		    describe_clickhouse_type(schema->fields[i].type),
		    i + 1 < n ? "," : "");
	}
}

static void describe_registry(const char *url, FILE *out)
{
	const char *host = url != NULL ? strstr(url, "://") : NULL;
	const char *at = host != NULL ? strchr(host, '@') : NULL;
	const char *slash = host != NULL ? strchr(host + 3, '/') : NULL;

	if (url == NULL)
		url = "http://localhost:8081";
	if (at != NULL && (slash == NULL || at < slash))
		fprintf(out, "    format_avro_schema_registry_url = '%.*s%s',\n",
		    (int)(host + 3 - url), url, at + 1);
	else
		fprintf(out, "    format_avro_schema_registry_url = '%s',\n",
		    url);
}

/*
 * The Kafka-engine table, the MergeTree table that keeps the rows and the
 * materialized view between them. With --identity, a ReplacingMergeTree
 * keyed by window and row keeps one copy of a record delivered twice.
 */
static int describe_clickhouse(const struct schema *schema,
    const struct encode_options *o, const struct describe_target *t,
    FILE *out, char *errstr, size_t errlen)
{
	char name[128];

	if (t->format == ENCODE_CBOR) {
		snprintf(errstr, errlen, "--schema clickhouse: ClickHouse "
		    "reads no CBOR; give --format json");
		return -EINVAL;
	}
	describe_table_name(t->topic, name, sizeof name);
	fprintf(out, "CREATE TABLE %s_queue (\n", name);
	describe_columns(schema, o, out);
	fprintf(out, ") ENGINE = Kafka SETTINGS\n");
	/*
	 * AvroConfluent fetches each message's schema by its id; a password
	 * in the URL stays out of what is printed.
	 */
	if (t->format == ENCODE_AVRO)
		describe_registry(o->registry, out);
	fprintf(out, "    kafka_broker_list = '%s',\n"
	    "    kafka_topic_list = '%s',\n"
	    "    kafka_group_name = 'clickhouse-%s',\n"
	    "    kafka_format = '%s';\n\n",
	    t->brokers != NULL ? t->brokers : "localhost:9092", t->topic,
	    name, t->format == ENCODE_AVRO ? "AvroConfluent" : "JSONEachRow");
	if (o->identity)
		fprintf(out, "CREATE TABLE %s AS %s_queue\n    ENGINE = "
		    "ReplacingMergeTree(window_revision)\n    ORDER BY "
		    "(window_start, window_row);\n", name, name);
	else
		fprintf(out, "CREATE TABLE %s AS %s_queue\n    ENGINE = "
		    "MergeTree ORDER BY tuple();\n", name, name);
	fprintf(out, "CREATE MATERIALIZED VIEW %s_mv TO %s AS SELECT * FROM "
	    "%s_queue;\n", name, name, name);
	return 0;
}

int describe_print(const char *format, const struct schema *schema,
    const struct encode_options *o, const struct describe_target *t,
    FILE *out, char *errstr, size_t errlen)
{
	const struct encoding *e = NULL;

	if (strcmp(format, "clickhouse") == 0)
		return describe_clickhouse(schema, o, t, out, errstr, errlen);
	if (strcmp(format, "cddl") == 0)
		e = encode_of(ENCODE_CBOR);
	else if (strcmp(format, "json-schema") == 0)
		e = encode_of(ENCODE_JSON);
	else if (strcmp(format, "avro") == 0)
		e = encode_of(ENCODE_AVRO);
	else {
		snprintf(errstr, errlen, "--schema %s: expected cddl, "
		    "json-schema, avro or clickhouse", format);
		return -EINVAL;
	}
	if (e == NULL || e->describe == NULL) {
		snprintf(errstr, errlen, "--schema %s: this nfkafka has no %s "
		    "encoding", format, format);
		return -ENOTSUP;
	}
	return e->describe(schema, o, out, errstr, errlen);
}
