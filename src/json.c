/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The JSON encoding (RFC 8259): an object per record, written by hand into
 * the caller's reused buffer with no allocation per record or per value,
 * string escaping that never emits invalid JSON whatever bytes nfdump
 * prints, and its schema in JSON Schema (2020-12).
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "json.h"
#include "utf8.h"
#include "xmalloc.h"

static char *json_reserve(struct encode_buf *j, size_t n)
{
	return (char *)encode_buf_reserve(j, n);
}

void json_raw(struct encode_buf *j, const char *s, size_t n)
{
	memcpy(json_reserve(j, n), s, n);
	j->len += n;
}

void json_text(struct encode_buf *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	/* Worst case: every byte a \u00XX or a 3-byte U+FFFD. */
	char *p = json_reserve(j, 6 * n + 2), *start = p;
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	*p++ = '"';
	while (i < n) {
		unsigned char c = u[i];
		size_t len;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			*p++ = (char)c;
			i++;
		} else if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
			i++;
		} else if (c < 0x20) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[c >> 4];
			p[5] = hex[c & 15];
			p += 6;
			i++;
		} else if ((len = utf8_char_len(u + i, n - i)) > 0) {
			memcpy(p, u + i, len);
			p += len;
			i += len;
		} else {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			i++;
		}
	}
	*p++ = '"';
	j->len += (size_t)(p - start);
}

/* A string known to need no escaping, such as a dotted quad. */
static void json_raw_text(struct encode_buf *j, struct slice text)
{
	char *p = json_reserve(j, text.n + 2);

	p[0] = '"';
	memcpy(p + 1, text.p, text.n);
	p[text.n + 1] = '"';
	j->len += text.n + 2;
}

void json_key(struct encode_buf *j, const char *name)
{
	json_text(j, name, strlen(name));
	json_raw(j, ":", 1);
}

void json_uint(struct encode_buf *j, uint64_t v)
{
	j->len += buf_decimal(v, json_reserve(j, 20));
}

void json_double(struct encode_buf *j, double v)
{
	char *p = json_reserve(j, 32);
	int n = 0;

	if (!isfinite(v)) {
		json_raw(j, "null", 4);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(p, 32, "%.*g", prec, v);
		if (strtod(p, NULL) == v)
			break;
	}
	/* A float stays a float for the reader: 2 is written 2.0. */
	if (strpbrk(p, ".e") == NULL) {
		memcpy(p + n, ".0", 2);
		n += 2;
	}
	j->len += (size_t)n;
}

/* Writes v as width digits, zero padded. */
static void json_digits(struct encode_buf *j, unsigned long v, int width)
{
	char *p = json_reserve(j, (size_t)width);

	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	j->len += (size_t)width;
}

/*
 * Written exactly from the integers, never through a double: seconds,
 * then milliseconds, or nanoseconds when finer ones are set.
 */
void json_time(struct encode_buf *j, int64_t sec, uint32_t nsec)
{
	if (sec < 0 && nsec > 0) {
		/* -2 s + 0.5 s is -1.5 s. */
		sec++;
		nsec = 1000000000 - nsec;
		if (sec == 0)
			json_raw(j, "-", 1);
	}
	if (sec < 0) {
		json_raw(j, "-", 1);
		json_uint(j, (uint64_t)-sec);
	} else {
		json_uint(j, (uint64_t)sec);
	}
	json_raw(j, ".", 1);
	if (nsec % 1000000 == 0)
		json_digits(j, nsec / 1000000, 3);
	else
		json_digits(j, nsec, 9);
}

void json_addr(struct encode_buf *j, const struct value *v)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(v->a.family == 4 ? AF_INET : AF_INET6, v->a.bytes, text,
	    sizeof text);
	json_text(j, text, strlen(text));
}

/*
 * Whether text is a JSON number (RFC 8259): -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?. nfdump prints "1.086": that text reads back as the
 * very double record_value made of it, and copying it is far cheaper than
 * formatting the double again.
 */
static int json_is_number(const char *p, size_t n)
{
	size_t i = 0, d;

	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0')
		i++;
	else if (i < n && p[i] >= '1' && p[i] <= '9')
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && p[i] == '.') {
		for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		if (++i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* A float as printed when that is a JSON number, else formatted. */
static void json_float(struct encode_buf *j, struct slice text, double d)
{
	if (!json_is_number(text.p, text.n) || !isfinite(d)) {
		json_double(j, d);
		return;
	}
	json_raw(j, text.p, text.n);
	if (memchr(text.p, '.', text.n) == NULL &&
	    memchr(text.p, 'e', text.n) == NULL &&
	    memchr(text.p, 'E', text.n) == NULL)
		json_raw(j, ".0", 2);
}

/* IPv4 as nfdump prints it is already its text form; IPv6 may not be. */
static void json_address(struct encode_buf *j, struct slice text,
    const struct value *v)
{
	if (v->a.family == 4)
		json_raw_text(j, text);
	else
		json_addr(j, v);
}


/* text: the value as printed, when the row has it (floats copy it). */
static void json_value(struct encode_buf *j, const struct slice *text,
    const struct value *v)
{
	switch (v != NULL ? v->type : FIELD_NULL) {
	case FIELD_UINT:
	case FIELD_PORT:
		json_uint(j, v->u);
		break;
	case FIELD_FLOAT:
		if (text != NULL)
			json_float(j, *text, v->d);
		else
			json_double(j, v->d);
		break;
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		json_time(j, v->t.sec, v->t.nsec);
		break;
	case FIELD_ADDR:
		if (text != NULL)
			json_address(j, *text, v);
		else
			json_addr(j, v);
		break;
	case FIELD_TEXT:
		json_text(j, v->s.p, v->s.n);
		break;
	case FIELD_NULL:
		json_raw(j, "null", 4);
		break;
	}
}

struct encoder {
	struct encode_options o;
	/* --identity's ',"name":', escaped once: i ends at idkeyend[i]. */
	struct encode_buf idkeys;
	size_t idkeyend[ENCODE_IDENTITY];
};

static int json_open(const struct encode_options *o, struct encoder **encp,
    char *errstr, size_t errlen)
{
	struct encoder *enc = xcalloc(1, sizeof *enc);

	(void)errstr;
	(void)errlen;
	enc->o = *o;
	encode_buf_init(&enc->idkeys);
	for (size_t i = 0; i < ENCODE_IDENTITY; i++) {
		json_raw(&enc->idkeys, ",", 1);
		json_key(&enc->idkeys, encode_identity_names[i]);
		enc->idkeyend[i] = enc->idkeys.len;
	}
	*encp = enc;
	return 0;
}

static void json_close(struct encoder *enc)
{
	encode_buf_free(&enc->idkeys);
	free(enc);
}

/* One record as a JSON object appended to j. */
static void json_row(struct encode_buf *j, const struct encoder *enc,
    const struct row *row)
{
	const struct schema *schema = row->schema;
	struct value id[ENCODE_IDENTITY];
	size_t nid = encode_identity(&enc->o, row, id);

	json_raw(j, "{", 1);
	for (size_t i = 0; i < schema->nfields; i++) {
		if (i > 0)
			json_raw(j, ",", 1);
		json_raw(j, schema->fields[i].jsonkey,
		    schema->fields[i].jsonkeylen);
		json_value(j, &row->text[i], &row->values[i]);
	}
	for (size_t i = 0; i < nid; i++) {
		size_t start = i > 0 ? enc->idkeyend[i - 1] : 0;

		json_raw(j, (const char *)enc->idkeys.p + start,
		    enc->idkeyend[i] - start);
		json_value(j, NULL, &id[i]);
	}
	json_raw(j, "}", 1);
}

static int json_record(struct encoder *enc, const struct row *row,
    struct encode_buf *out, char *errstr, size_t errlen)
{
	(void)errstr;
	(void)errlen;
	json_row(out, enc, row);
	return 0;
}

/* JSON lines: one object a line, each line ended. */
static void json_batch_next(struct encoder *enc, struct encode_buf *out)
{
	(void)enc;
	json_raw(out, "\n", 1);
}

static void json_batch_end(struct encoder *enc, struct encode_buf *out,
    uint32_t count)
{
	(void)enc;
	(void)count;
	json_raw(out, "\n", 1);
}

/* The ',' and "key": before an item at the writer's depth. */
static void json_item(struct encode_writer *w, const char *key)
{
	if (w->count[w->depth]++ > 0)
		json_raw(w->out, ",", 1);
	if (key != NULL)
		json_key(w->out, key);
}

static void json_open_nested(struct encode_writer *w, const char *key,
    int array, size_t n)
{
	(void)n;
	if (w->depth > 0 || w->count[0] > 0)
		json_item(w, key);
	json_raw(w->out, array ? "[" : "{", 1);
	if (w->depth + 1 < (int)(sizeof w->count / sizeof w->count[0]))
		w->depth++;
	w->count[w->depth] = 0;
}

static void json_close_nested(struct encode_writer *w, int array)
{
	json_raw(w->out, array ? "]" : "}", 1);
	if (w->depth > 0)
		w->depth--;
}

static void json_put(struct encode_writer *w, const char *key,
    const struct value *v)
{
	json_item(w, key);
	json_value(w->out, NULL, v);
}

/* The JSON Schema of a field's values; a typed one may be null. */
static void json_schema_type(FILE *out, enum field_type type, int strings)
{
	if (strings) {
		fprintf(out, "{\"type\": \"string\"}");
		return;
	}
	switch (type) {
	case FIELD_UINT:
	case FIELD_PORT:
		fprintf(out, "{\"type\": [\"integer\", \"null\"], "
		    "\"minimum\": 0%s}", type == FIELD_PORT ?
		    ", \"maximum\": 65535" : "");
		break;
	case FIELD_FLOAT:
		fprintf(out, "{\"type\": [\"number\", \"null\"]}");
		break;
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		fprintf(out, "{\"type\": [\"number\", \"null\"], "
		    "\"description\": \"seconds since 1970-01-01 UTC\"}");
		break;
	case FIELD_ADDR:
		fprintf(out, "{\"anyOf\": [{\"type\": \"string\", \"format\": "
		    "\"ipv4\"}, {\"type\": \"string\", \"format\": \"ipv6\"}, "
		    "{\"type\": \"null\"}]}");
		break;
	case FIELD_TEXT:
	case FIELD_NULL:
		fprintf(out, "{\"type\": \"string\"}");
		break;
	}
}

static int json_describe(const struct schema *schema,
    const struct encode_options *o, FILE *out, char *errstr, size_t errlen)
{
	static const enum field_type idtype[ENCODE_IDENTITY] = { FIELD_TIME,
		FIELD_UINT, FIELD_UINT };
	size_t n = schema->nfields + (o->identity ? ENCODE_IDENTITY : 0);

	(void)errstr;
	(void)errlen;
	fprintf(out, "{\n  \"$schema\": "
	    "\"https://json-schema.org/draft/2020-12/schema\",\n"
	    "  \"title\": \"nfkafka record\",\n  \"type\": \"object\",\n"
	    "  \"additionalProperties\": false,\n  \"properties\": {\n");
	for (size_t i = 0; i < n; i++) {
		int own = i < schema->nfields;

		fprintf(out, "    \"%s\": ", own ? schema->fields[i].name :
		    encode_identity_names[i - schema->nfields]);
		json_schema_type(out, own ? schema->fields[i].type :
		    idtype[i - schema->nfields], own &&
		    o->values == ENCODE_STRINGS);
		fprintf(out, "%s\n", i + 1 < n ? "," : "");
	}
	fprintf(out, "  },\n  \"required\": [");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s\"%s\"", i > 0 ? ", " : "",
		    i < schema->nfields ? schema->fields[i].name :
		    encode_identity_names[i - schema->nfields]);
	fprintf(out, "]\n}\n");
	return 0;
}

const struct encoding encode_json = {
	.name = "json",
	.open = json_open,
	.close = json_close,
	.record = json_record,
	.batch_next = json_batch_next,
	.batch_end = json_batch_end,
	.open_nested = json_open_nested,
	.close_nested = json_close_nested,
	.put = json_put,
	.describe = json_describe,
};
