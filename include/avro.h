/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_AVRO_H
#define NFKAFKA_AVRO_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"
#include "schema.h"

/*
 * The Avro encoding (encode_avro, behind encode.h's interface): Avro
 * binary (Apache Avro 1.11 specification) with Confluent's wire framing,
 * magic byte 0 and the schema's registry id as 4 bytes big-endian before
 * every record. A batch (--batch) is framed records one after the other,
 * as ClickHouse's AvroConfluent reads a message. What the registry holds
 * is the exporter's business (registry.c); it hands the ids in here.
 */
extern const struct encoding encode_avro;

/* The id records (summary 0) or summaries (1) are framed with from now on. */
void avro_set_id(struct encoder *enc, int summary, uint32_t id);
/*
 * The records' Avro schema as JSON text, in a buffer to free: a record
 * "nfkafka.flow" with a field per column, in order, then --identity's.
 */
char *avro_schema(const struct schema *schema, const struct encode_options *o);
/* The window summary's Avro schema ("nfkafka.summary"), to free. */
char *avro_summary_schema(void);

/* Magic byte 0 and the id. */
void avro_frame(struct encode_buf *b, uint32_t id);
/* int and long: zigzag, then a little-endian base-128 varint. */
void avro_long(struct encode_buf *b, int64_t v);
/* IEEE 754 binary64, little-endian. */
void avro_double(struct encode_buf *b, double v);
/* Its length as a long, then the bytes. */
void avro_bytes(struct encode_buf *b, const void *p, size_t n);
/* A string: bytes that are not UTF-8 become U+FFFD. */
void avro_string(struct encode_buf *b, const char *s, size_t n);
/*
 * A column's name as an Avro name: [A-Za-z_][A-Za-z0-9_]*, other bytes as
 * '_'. Returns the length written (at most n - 1).
 */
size_t avro_name(const char *name, char *out, size_t n);

#endif
