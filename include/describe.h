/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_DESCRIBE_H
#define NFKAFKA_DESCRIBE_H

#include <stddef.h>
#include <stdio.h>

#include "encode.h"
#include "schema.h"

/* Where the records go, for schemas that name it (ClickHouse's). */
struct describe_target {
	enum encode_format format;
	const char *brokers;	/* NULL: a placeholder */
	const char *topic;
};

/*
 * --schema FORMAT: the records' schema for a consumer, printed to out.
 * FORMAT is cddl, json-schema, avro or clickhouse; -EINVAL with errstr for
 * another, or one the encoding cannot serve.
 */
int describe_print(const char *format, const struct schema *schema,
    const struct encode_options *o, const struct describe_target *t,
    FILE *out, char *errstr, size_t errlen);

#endif
