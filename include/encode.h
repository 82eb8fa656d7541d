/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_ENCODE_H
#define NFKAFKA_ENCODE_H

#include <stddef.h>

#include "record.h"
#include "schema.h"

enum encode_values {
	ENCODE_TYPED,	/* numbers, tagged times and addresses */
	ENCODE_STRINGS, /* every value as text, like the cron script */
};

enum encode_format {
	ENCODE_CBOR,	/* a CBOR map per record (RFC 8949) */
	ENCODE_JSON,	/* a JSON object per record (RFC 8259), src/json.c */
	ENCODE_AVRO,	/* Avro binary, Confluent framing, src/avro.c */
};

struct encoder;

/* A CBOR encoder: what every consumer before --format expects. */
struct encoder *encoder_new(enum encode_values mode);
struct encoder *encoder_new_format(enum encode_format format,
    enum encode_values mode);
void encoder_free(struct encoder *enc);
/*
 * Encodes one record as a CBOR map (or JSON object) of field name → value
 * into the encoder's
 * reused buffer; *out stays valid until the next call. A value that does not
 * parse as its type is kept as text and counted in *untyped.
 */
void encoder_record(struct encoder *enc, const struct schema *schema,
    const struct slice *values, const unsigned char **out, size_t *outlen,
    size_t *untyped);

#endif
