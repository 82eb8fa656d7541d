/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Records → JSON, written by hand into one reused buffer: no allocation
 * per record or per value, and string escaping that never emits invalid
 * JSON whatever bytes nfdump prints.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "utf8.h"
#include "xmalloc.h"

void json_init(struct json *j)
{
	j->cap = 4096;
	j->buf = xmalloc(j->cap);
	j->len = 0;
}

void json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->cap = j->len = 0;
}

static char *json_reserve(struct json *j, size_t n)
{
	j->buf = buf_grow(j->buf, &j->cap, j->len, n);
	return j->buf + j->len;
}

void json_raw(struct json *j, const char *s, size_t n)
{
	memcpy(json_reserve(j, n), s, n);
	j->len += n;
}

void json_text(struct json *j, const char *s, size_t n)
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
static void json_raw_text(struct json *j, struct slice text)
{
	char *p = json_reserve(j, text.n + 2);

	p[0] = '"';
	memcpy(p + 1, text.p, text.n);
	p[text.n + 1] = '"';
	j->len += text.n + 2;
}

void json_key(struct json *j, const char *name)
{
	json_text(j, name, strlen(name));
	json_raw(j, ":", 1);
}

void json_uint(struct json *j, uint64_t v)
{
	j->len += buf_decimal(v, json_reserve(j, 20));
}

void json_double(struct json *j, double v)
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
static void json_digits(struct json *j, unsigned long v, int width)
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
void json_time(struct json *j, int64_t sec, uint32_t nsec)
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

void json_addr(struct json *j, const struct value *v)
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
static void json_float(struct json *j, struct slice text, double d)
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
static void json_address(struct json *j, struct slice text,
    const struct value *v)
{
	if (v->a.family == 4)
		json_raw_text(j, text);
	else
		json_addr(j, v);
}

static void json_value(struct json *j, struct slice text,
    const struct value *v)
{
	switch (v->type) {
	case FIELD_UINT:
		json_uint(j, v->u);
		break;
	case FIELD_FLOAT:
		json_float(j, text, v->d);
		break;
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		json_time(j, v->t.sec, v->t.nsec);
		break;
	case FIELD_ADDR:
		json_address(j, text, v);
		break;
	case FIELD_TEXT:
		break;
	}
}

void json_record(struct json *j, const struct schema *schema,
    const struct slice *values, int strings, size_t *untyped)
{
	j->len = 0;
	json_raw(j, "{", 1);
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct field *f = &schema->fields[i];
		struct value v;

		if (i > 0)
			json_raw(j, ",", 1);
		json_key(j, f->name);
		if (strings || f->type == FIELD_TEXT) {
			json_text(j, values[i].p, values[i].n);
		} else if (record_value(f->type, values[i], &v) == 0) {
			json_value(j, values[i], &v);
		} else {
			json_text(j, values[i].p, values[i].n);
			(*untyped)++;
		}
	}
	json_raw(j, "}", 1);
}
