/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_JSON_H
#define NFKAFKA_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "schema.h"

/* JSON text built in one growing buffer, reused from message to message. */
struct json {
	char *buf;
	size_t cap;
	size_t len;
};

void json_init(struct json *j);
void json_free(struct json *j);
/* Appends bytes as they are: punctuation such as "{", ",", "}". */
void json_raw(struct json *j, const char *s, size_t n);
/*
 * A string: quotes, backslash and control characters escaped; bytes that
 * are not UTF-8 become U+FFFD, so the text always parses.
 */
void json_text(struct json *j, const char *s, size_t n);
/* "name": */
void json_key(struct json *j, const char *name);
void json_uint(struct json *j, uint64_t v);
/*
 * The shortest of %.15g, %.16g, %.17g that reads back exactly, always with
 * a "." or an exponent; NaN and infinities: null.
 */
void json_double(struct json *j, double v);
/*
 * A time as a JSON number of seconds since the epoch: 1795782530.106.
 * Like CBOR's tag 1, it is UTC by definition, and ClickHouse's default
 * date_time_input_format (basic) reads it into DateTime64, which it does
 * not for an ISO 8601 text with "Z" or an offset.
 */
void json_time(struct json *j, int64_t sec, uint32_t nsec);
/* The text form of an address record_value parsed. */
void json_addr(struct json *j, const struct value *v);
/*
 * One record as a JSON object of field name → value, replacing what the
 * buffer held. strings: every value as a JSON string. A value that does
 * not parse as its type is kept as a string and counted in *untyped.
 */
void json_record(struct json *j, const struct schema *schema,
    const struct slice *values, int strings, size_t *untyped);

#endif
