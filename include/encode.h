/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_ENCODE_H
#define NFKAFKA_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "schema.h"

/*
 * The encoder interface. Each encoding is one file holding one struct
 * encoding (cbor.c, json.c, avro.c); records reach it as typed rows
 * (record.h), so no encoding parses text. Adding an encoding is one file
 * and one line in encode.c's table.
 */

enum encode_values {
	ENCODE_TYPED,	/* numbers, times and addresses as such */
	ENCODE_STRINGS, /* every value as text, like the cron script */
};

enum encode_format {
	ENCODE_CBOR,	/* a CBOR map per record (RFC 8949), src/cbor.c */
	ENCODE_JSON,	/* a JSON object per record (RFC 8259), src/json.c */
	ENCODE_AVRO,	/* Avro binary, Confluent framing, src/avro.c */
};

/* Bytes an encoder appends to, reused from message to message. */
struct encode_buf {
	unsigned char *p;
	size_t len;
	size_t cap;
};

void encode_buf_init(struct encode_buf *b);
void encode_buf_free(struct encode_buf *b);
/* Makes room for n more bytes: the rare half of encode_buf_reserve. */
void encode_buf_grow(struct encode_buf *b, size_t n);

/*
 * Room for n more bytes at b->p + b->len. Inline: the encoders call it for
 * every value, and it almost never has to grow the buffer.
 */
static inline unsigned char *encode_buf_reserve(struct encode_buf *b,
    size_t n)
{
	if (b->cap - b->len < n)
		encode_buf_grow(b, n);
	return b->p + b->len;
}

static inline void encode_buf_add(struct encode_buf *b, const void *p,
    size_t n)
{
	memcpy(encode_buf_reserve(b, n), p, n);
	b->len += n;
}

/* What an encoder is opened with: the same for --schema's printers. */
struct encode_options {
	enum encode_values values;
	int identity;		/* --identity: window_start, revision, row */
	const char *topic;	/* records' topic (Avro's subject) */
	const char *registry;	/* --schema-registry URL, or NULL (Avro) */
};

/*
 * Nested messages such as the window summary, written once (summary.c)
 * through three calls every encoding provides. key is NULL inside an
 * array; a NULL value is null (the field is declared nullable).
 */
struct encode_writer {
	const struct encoding *e;
	struct encoder *enc;
	struct encode_buf *out;
	int depth;
	unsigned count[16];	/* items written at each depth (JSON's ',') */
};

/* One encoding's functions; a NULL one does nothing. */
struct encoding {
	const char *name;	/* --format's word */
	/* 0 or -errno with errstr; may talk to a schema registry. */
	int (*open)(const struct encode_options *o, struct encoder **encp,
	    char *errstr, size_t errlen);
	void (*close)(struct encoder *enc);
	/*
	 * Appends one record. 0, or -errno with errstr when the record
	 * cannot be encoded at all (Avro: its schema not registered).
	 */
	int (*record)(struct encoder *enc, const struct row *row,
	    struct encode_buf *out, char *errstr, size_t errlen);
	/*
	 * Batch framing (--batch): before the first record of a message,
	 * before each further one, and after the last of count.
	 */
	void (*batch_start)(struct encoder *enc, struct encode_buf *out);
	void (*batch_next)(struct encoder *enc, struct encode_buf *out);
	void (*batch_end)(struct encoder *enc, struct encode_buf *out,
	    uint32_t count);
	/* Nested values: a map or an array of n items, its end, a value. */
	void (*open_nested)(struct encode_writer *w, const char *key,
	    int array, size_t n);
	void (*close_nested)(struct encode_writer *w, int array);
	void (*put)(struct encode_writer *w, const char *key,
	    const struct value *v);
	/*
	 * The schema of the records this encoding writes, in its own schema
	 * language (CBOR: CDDL, JSON: JSON Schema, Avro: Avro), or NULL.
	 */
	int (*describe)(const struct schema *schema,
	    const struct encode_options *o, FILE *out, char *errstr,
	    size_t errlen);
};

/*
 * --identity's fields, after the record's own: the window's start, its
 * revision and the record's row index in it. Fills v; returns how many
 * (0 without --identity).
 */
#define ENCODE_IDENTITY 3
extern const char *const encode_identity_names[ENCODE_IDENTITY];
size_t encode_identity(const struct encode_options *o, const struct row *row,
    struct value v[ENCODE_IDENTITY]);

extern const struct encoding encode_cbor;
extern const struct encoding encode_json;

/* The encoding of format; NULL when this build lacks it. */
const struct encoding *encode_of(enum encode_format format);

/*
 * An encoder: its encoding and the encoding's own state. The record
 * helpers below are what the data path calls.
 */
struct encode_handle {
	const struct encoding *e;
	struct encoder *enc;
	struct encode_options o;
};

int encode_open(enum encode_format format, const struct encode_options *o,
    struct encode_handle *h, char *errstr, size_t errlen);
void encode_close(struct encode_handle *h);
/* The record alone in out, replacing what it held. */
int encode_record(struct encode_handle *h, const struct row *row,
    struct encode_buf *out, char *errstr, size_t errlen);

/* Starts a nested message in out (cleared) for the writer calls below. */
void encode_writer_start(struct encode_writer *w, struct encode_handle *h,
    struct encode_buf *out);
void encode_open_map(struct encode_writer *w, const char *key, size_t n);
void encode_open_array(struct encode_writer *w, const char *key, size_t n);
void encode_close_map(struct encode_writer *w);
void encode_close_array(struct encode_writer *w);
void encode_put(struct encode_writer *w, const char *key,
    const struct value *v);
void encode_put_uint(struct encode_writer *w, const char *key, uint64_t u);
void encode_put_text(struct encode_writer *w, const char *key,
    const char *s);
void encode_put_double(struct encode_writer *w, const char *key, double d);
void encode_put_time(struct encode_writer *w, const char *key, int64_t sec);
void encode_put_null(struct encode_writer *w, const char *key);

#endif
