/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_JSON_H
#define NFKAFKA_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"
#include "record.h"
#include "schema.h"

/* Appends bytes as they are: punctuation such as "{", ",", "}". */
void json_raw(struct encode_buf *j, const char *s, size_t n);
/*
 * A string: quotes, backslash and control characters escaped; bytes that
 * are not UTF-8 become U+FFFD, so the text always parses.
 */
void json_text(struct encode_buf *j, const char *s, size_t n);
/* "name": */
void json_key(struct encode_buf *j, const char *name);
void json_uint(struct encode_buf *j, uint64_t v);
/*
 * The shortest of %.15g, %.16g, %.17g that reads back exactly, always with
 * a "." or an exponent; NaN and infinities: null.
 */
void json_double(struct encode_buf *j, double v);
/*
 * A time as a JSON number of seconds since the epoch: 1795782530.106.
 * Like CBOR's tag 1, it is UTC by definition, and ClickHouse's default
 * date_time_input_format (basic) reads it into DateTime64, which it does
 * not for an ISO 8601 text with "Z" or an offset.
 */
void json_time(struct encode_buf *j, int64_t sec, uint32_t nsec);
/* The text form of an address record_value parsed. */
void json_addr(struct encode_buf *j, const struct value *v);

#endif
