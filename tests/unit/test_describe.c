/* SPDX-License-Identifier: BSD-2-Clause */
/* --schema's printers: one type per field, from the token, in each language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"

/* What describe_print wrote, in a buffer to free; NULL on an error. */
static char *printed(const char *kind, const char *fmt, int identity,
    enum encode_format format, char *err, size_t errlen)
{
	struct schema s;
	struct encode_options o = { ENCODE_TYPED, identity, "t-1", NULL };
	struct describe_target t = { format, "h:9092", "flows-1" };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int error;

	assert_non_null(out);
	assert_int_equal(schema_from_fmt(fmt, &s, err, errlen), 0);
	error = describe_print(kind, &s, &o, &t, out, err, errlen);
	fclose(out);
	schema_free(&s);
	if (error != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void test_clickhouse(void **state)
{
	char err[256];
	char *ddl = printed("clickhouse", "%ts,%sa,%dp,%pkt,%bps,%pr", 1,
	    ENCODE_JSON, err, sizeof err);

	(void)state;
	assert_non_null(ddl);
	assert_non_null(strstr(ddl, "CREATE TABLE flows_1_queue (\n"
	    "    first_seen Nullable(DateTime64(3, 'UTC')),\n"
	    "    src_addr Nullable(IPv6),\n"
	    "    dst_port Nullable(UInt16),\n"
	    "    packets Nullable(UInt64),\n"
	    "    bps Nullable(Float64),\n"
	    "    proto String,\n"
	    "    window_start DateTime64(3, 'UTC'),\n"
	    "    window_revision UInt32,\n"
	    "    window_row UInt64\n"
	    ") ENGINE = Kafka SETTINGS\n"
	    "    kafka_broker_list = 'h:9092',\n"
	    "    kafka_topic_list = 'flows-1',\n"));
	assert_non_null(strstr(ddl, "ReplacingMergeTree(window_revision)\n"
	    "    ORDER BY (window_start, window_row);\n"));
	assert_non_null(strstr(ddl, "CREATE MATERIALIZED VIEW flows_1_mv TO "
	    "flows_1 AS SELECT * FROM flows_1_queue;\n"));
	free(ddl);
	/* ClickHouse reads no CBOR. */
	assert_null(printed("clickhouse", "%ts", 0, ENCODE_CBOR, err,
	    sizeof err));
	assert_non_null(strstr(err, "give --format json"));
}

static void test_cddl_and_json_schema(void **state)
{
	char err[256];
	char *cddl = printed("cddl", "%dp,%pps,%pr", 0, ENCODE_CBOR, err,
	    sizeof err);
	char *js = printed("json-schema", "%dp,%pps,%pr", 0, ENCODE_JSON, err,
	    sizeof err);

	(void)state;
	assert_non_null(strstr(cddl, "\"dst_port\": uint / null,\n"
	    "  \"pps\": float64 / null,\n  \"proto\": tstr / bstr,\n}"));
	assert_non_null(strstr(js, "\"dst_port\": {\"type\": [\"integer\", "
	    "\"null\"], \"minimum\": 0, \"maximum\": 65535},\n"
	    "    \"pps\": {\"type\": [\"number\", \"null\"]},\n"
	    "    \"proto\": {\"type\": \"string\"}\n"));
	assert_non_null(strstr(js, "\"required\": [\"dst_port\", \"pps\", "
	    "\"proto\"]"));
	free(cddl);
	free(js);
}

static void test_unknown(void **state)
{
	char err[256];

	(void)state;
	assert_null(printed("xml", "%ts", 0, ENCODE_JSON, err, sizeof err));
	assert_string_equal(err, "--schema xml: expected cddl, json-schema, "
	    "avro or clickhouse");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clickhouse),
		cmocka_unit_test(test_cddl_and_json_schema),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests_name("describe", tests, NULL, NULL);
}
