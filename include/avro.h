/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_AVRO_H
#define NFKAFKA_AVRO_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"
#include "record.h"
#include "schema.h"
#include "summary.h"

/*
 * Avro binary (Apache Avro 1.11 specification) in one growing buffer,
 * reused from message to message, with Confluent's wire framing: magic
 * byte 0, the schema's registry id as 4 bytes big-endian, then the datum.
 */
struct avro {
	unsigned char *buf;
	size_t cap;
	size_t len;
};

void avro_init(struct avro *a);
void avro_free(struct avro *a);
/* Magic byte 0 and the id: what every message (or batched record) starts with. */
void avro_frame(struct avro *a, uint32_t id);
/* int and long: zigzag, then a little-endian base-128 varint. */
void avro_long(struct avro *a, int64_t v);
/* IEEE 754 binary64, little-endian. */
void avro_double(struct avro *a, double v);
/* Its length as a long, then the bytes; a string must be UTF-8. */
void avro_bytes(struct avro *a, const void *p, size_t n);
/* A string whose bytes are not UTF-8 gets U+FFFD for each bad byte. */
void avro_string(struct avro *a, const char *s, size_t n);

/*
 * One record after its frame, replacing what the buffer held. strings:
 * every value as a string. A value that does not parse as its field's type
 * is null (every typed field is a union with null) and counted in *untyped,
 * so a field keeps its one type in every record.
 */
void avro_record(struct avro *a, uint32_t id, const struct schema *schema,
    const struct slice *values, int strings, size_t *untyped);
/*
 * The records' Avro schema as JSON text, in a buffer to free: a record
 * "nfkafka.flow" with a field per column, in order.
 */
char *avro_schema(const struct schema *schema, int strings);
/* The window summary's Avro schema ("nfkafka.summary"), to free. */
char *avro_summary_schema(void);
/* The summary after its frame, replacing what the buffer held. */
void avro_summary(struct avro *a, uint32_t id, const struct summary *s);
/*
 * A column's name as an Avro name: [A-Za-z_][A-Za-z0-9_]*, other bytes as
 * '_'. Returns the length written (at most n - 1).
 */
size_t avro_name(const char *name, char *out, size_t n);

#endif
