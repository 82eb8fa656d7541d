/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_SCHEMA_H
#define NFKAFKA_SCHEMA_H

#include <stddef.h>

/*
 * A field's one type, decided by its token (and the nfdump version), never
 * by a value: the same in every record and every encoding.
 */
enum field_type {
	FIELD_TEXT,  /* text string, as printed */
	FIELD_UINT,  /* counters, numbers (nfdump's hex too): unsigned */
	FIELD_FLOAT, /* durations, latencies (seconds), rates: float64 */
	FIELD_TIME,  /* "YYYY-MM-DD hh:mm:ss[.mmm]" in UTC: tag 1 epoch */
	FIELD_EPOCH, /* fractional seconds since the epoch: tag 1 epoch */
	FIELD_MSEC,  /* milliseconds since the epoch: tag 1 epoch */
	FIELD_ADDR,  /* IPv4/IPv6 address: RFC 9164 tag 52/54 */
	FIELD_PORT,  /* a port, or ICMP's "type.code" as type * 256 + code */
	FIELD_NULL,  /* a value only: absent, or not of its field's type */
};

struct field {
	char *name;
	enum field_type type;
	/* Literal printed after the value, trimmed; "" means blanks only. */
	char *sep;
	size_t seplen;
	/* Words the value spans when sep is blank; 0: free text, needs a sep. */
	int words;
	/* The name as a CBOR text string, encoded once for every record. */
	unsigned char *key;
	size_t keylen;
	/* The name as a JSON object's key ("name":), the same way. */
	char *jsonkey;
	size_t jsonkeylen;
};

/* The columns of one nfdump output format, left to right. */
struct schema {
	size_t nfields;
	struct field *fields;
	/* Literal printed before the first value, trimmed. */
	char *lead;
	size_t leadlen;
	/*
	 * Why the token table would refuse a token it does not know for this
	 * nfdump, which prints it as text if it accepts the query; or NULL.
	 */
	char *doubt;
};

struct dialect;

/*
 * Schema of an "-o fmt:..." format for the nfdump of d; -EINVAL with
 * errstr when unparseable. A token the table does not know for that
 * nfdump becomes a text field and sets doubt (with d NULL: -EINVAL).
 */
int schema_from_tokens(const struct dialect *d, const char *fmt,
    struct schema *schema, char *errstr, size_t errlen);
int schema_from_fmt(const char *fmt, struct schema *schema, char *errstr,
    size_t errlen);
/* Schema of "-o csv:%tok,%tok" (nfdump 1.7.5 and later). */
int schema_from_csv_tokens(const struct dialect *d, const char *tokens,
    struct schema *schema, char *errstr, size_t errlen);
/* Schema of "-o csv-fast" (nfdump 1.7.5 and later). */
void schema_csv_fast(struct schema *schema);
/* Schema of "-o csv" output from its header line, for the nfdump of d. */
int schema_from_header(const struct dialect *d, const char *line,
    size_t len, struct schema *schema, char *errstr, size_t errlen);
/* The same for nfdump 1.7.1. */
int schema_from_csv_header(const char *line, size_t len,
    struct schema *schema, char *errstr, size_t errlen);
int schema_find(const struct schema *schema, const char *name);
const char *schema_type_name(enum field_type type);
void schema_free(struct schema *schema);

#endif
