/* SPDX-License-Identifier: BSD-2-Clause */
/* One nfdump output line → its fields' values, as text and typed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "record.h"
#include "xmalloc.h"

static int record_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static inline struct slice record_trim(const char *p, const char *end)
{
	while (p < end && record_blank(*p))
		p++;
	while (end > p && record_blank(end[-1]))
		end--;
	return (struct slice){ p, (size_t)(end - p) };
}

static inline const char *record_skip_blanks(const char *p,
    const char *end)
{
	uint64_t w;

	/*
	 * nfdump right-aligns its columns in runs of spaces (an IPv4 address
	 * in a 39-wide one): eight bytes at a time, the first that is not a
	 * space found from the lowest byte that differs.
	 */
	while (end - p >= 8) {
		memcpy(&w, p, 8);
		w = le64toh(w) ^ UINT64_C(0x2020202020202020);
		if (w != 0) {
			p += __builtin_ctzll(w) / 8;
			break;
		}
		p += 8;
	}
	while (p < end && record_blank(*p))
		p++;
	return p;
}

/* A value of `words` blank-separated words, such as "2026-11-27 10:55:00". */
static const char *record_words(const char *p, const char *end, int words)
{
	for (int w = 0; w < words; w++) {
		p = record_skip_blanks(p, end);
		if (p == end)
			return NULL;
		while (p < end && !record_blank(*p))
			p++;
	}
	return p;
}

int record_split(const struct schema *schema, const char *line, size_t len,
    struct slice *values)
{
	const char *p = line, *end = line + len;
	size_t leadlen = schema->leadlen;

	p = record_skip_blanks(p, end);
	if (leadlen > 0) {
		if ((size_t)(end - p) < leadlen ||
		    memcmp(p, schema->lead, leadlen) != 0)
			return -EINVAL;
		p += leadlen;
	}
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct field *f = &schema->fields[i];
		size_t seplen = f->seplen;
		int last = i + 1 == schema->nfields;
		const char *stop;

		p = record_skip_blanks(p, end);
		if (last) {
			struct slice rest = record_trim(p, end);

			/*
			 * Nothing follows a last value of fixed words, so a
			 * missing or an extra column shows in its word count.
			 */
			if (seplen == 0 && f->words > 0 && record_words(rest.p,
			    rest.p + rest.n, f->words) != rest.p + rest.n)
				return -EINVAL;
			if (seplen > 0) {
				if (rest.n < seplen || memcmp(rest.p + rest.n -
				    seplen, f->sep, seplen) != 0)
					return -EINVAL;
				rest.n -= seplen;
				rest = record_trim(rest.p, rest.p + rest.n);
			}
			values[i] = rest;
			return 0;
		}
		if (seplen > 0) {
			stop = seplen == 1 ? memchr(p, f->sep[0], (size_t)(end -
			    p)) : memmem(p, (size_t)(end - p), f->sep, seplen);
			if (stop == NULL)
				return -EINVAL;
			values[i] = record_trim(p, stop);
			p = stop + seplen;
		} else {
			stop = record_words(p, end, f->words);
			if (stop == NULL)
				return -EINVAL;
			values[i] = record_trim(p, stop);
			p = stop;
		}
	}
	return -EINVAL;
}

static int record_uint(struct slice s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.n == 0 || s.n > 20)
		return -EINVAL;
	for (size_t i = 0; i < s.n; i++) {
		unsigned d = (unsigned)(s.p[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * "4.900": up to 15 digits are an exact integer, and one division by an
 * exact power of ten rounds correctly, the same double strtod gives.
 */
static int record_decimal(struct slice s, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
		1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	uint64_t m = 0;
	int digits = 0, frac = -1;

	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (s.p[i] < '0' || s.p[i] > '9' || ++digits > 15)
			return -EINVAL;
		m = m * 10 + (uint64_t)(s.p[i] - '0');
		if (frac >= 0)
			frac++;
	}
	if (digits == 0)
		return -EINVAL;
	*out = (double)m / pow10[frac > 0 ? frac : 0];
	return 0;
}

static int record_double(struct slice s, double *out)
{
	char buf[64];
	char *endp;

	if (record_decimal(s, out) == 0)
		return 0;
	if (s.n == 0 || s.n >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	*out = strtod(buf, &endp);
	return *endp == '\0' ? 0 : -EINVAL;
}

static int record_digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (d > 9)
			return -1;
		v = v * 10 + (int)d;
	}
	return v;
}

/* Fraction digits after a '.', as nanoseconds. */
static int record_fraction(const char *p, size_t n, uint32_t *nsec)
{
	static const uint32_t scale[] = { 0, 100000000, 10000000, 1000000,
		100000, 10000, 1000, 100, 10, 1 };
	uint32_t v = 0;

	if (n == 0 || n > 9)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (d > 9)
			return -EINVAL;
		v = v * 10 + d;
	}
	*nsec = v * scale[n];
	return 0;
}

/* "YYYY-MM-DD hh:mm:ss[.fff]", which nfdump prints in TZ=UTC for us. */
static int record_time(struct slice s, int64_t *sec, uint32_t *nsec)
{
	const char *p = s.p;
	int y, mo, d, h, mi, se;

	if (s.n < 19 || p[4] != '-' || p[7] != '-' || p[10] != ' ' ||
	    p[13] != ':' || p[16] != ':')
		return -EINVAL;
	y = record_digits(p, 4);
	mo = record_digits(p + 5, 2);
	d = record_digits(p + 8, 2);
	h = record_digits(p + 11, 2);
	mi = record_digits(p + 14, 2);
	se = record_digits(p + 17, 2);
	if (y < 0 || !date_valid(y, mo, d) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return -EINVAL;
	*nsec = 0;
	if (s.n > 19 && (p[19] != '.' ||
	    record_fraction(p + 20, s.n - 20, nsec) != 0))
		return -EINVAL;
	*sec = date_days(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
	return 0;
}

/* "1764240900.585": seconds since the epoch with an optional fraction. */
static int record_epoch(struct slice s, int64_t *sec, uint32_t *nsec)
{
	const char *dot = memchr(s.p, '.', s.n);
	struct slice whole = { s.p, dot != NULL ? (size_t)(dot - s.p) : s.n };
	uint64_t u;

	*nsec = 0;
	if (record_uint(whole, &u) != 0 || u > INT64_MAX)
		return -EINVAL;
	if (dot != NULL && record_fraction(dot + 1,
	    s.n - whole.n - 1, nsec) != 0)
		return -EINVAL;
	*sec = (int64_t)u;
	return 0;
}

/* "1796164782298": milliseconds since the epoch (csv-fast). */
static int record_msec(struct slice s, int64_t *sec, uint32_t *nsec)
{
	uint64_t u;

	if (record_uint(s, &u) != 0 || u / 1000 > INT64_MAX)
		return -EINVAL;
	*sec = (int64_t)(u / 1000);
	*nsec = (uint32_t)(u % 1000) * 1000000;
	return 0;
}

/*
 * "192.0.2.1", the form nfdump prints IPv4 in, read without a copy: four
 * decimal octets, no leading zero, as inet_pton(AF_INET) takes them. Any
 * other text is left to inet_pton.
 */
static int record_ipv4(struct slice s, unsigned char bytes[4])
{
	const char *p = s.p, *end = s.p + s.n;

	for (int i = 0; i < 4; i++) {
		unsigned v, d;

		if (i > 0 && (p == end || *p++ != '.'))
			return -EINVAL;
		if (p == end || (v = (unsigned)(*p++ - '0')) > 9)
			return -EINVAL;
		for (int n = 1; n < 3 && p < end &&
		    (d = (unsigned)(*p - '0')) <= 9; n++, p++) {
			if (v == 0)
				return -EINVAL;
			v = v * 10 + d;
		}
		if (v > 255)
			return -EINVAL;
		bytes[i] = (unsigned char)v;
	}
	return p == end ? 0 : -EINVAL;
}

static int record_addr(struct slice s, struct value *v)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (record_ipv4(s, v->a.bytes) == 0) {
		v->a.family = 4;
		return 0;
	}
	if (s.n == 0 || s.n >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	if (inet_pton(AF_INET, buf, v->a.bytes) == 1) {
		v->a.family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, v->a.bytes) == 1) {
		v->a.family = 6;
		return 0;
	}
	return -EINVAL;
}

/* "0x1f": nfdump prints observation domain and point ids in hex. */
static int record_hex(struct slice s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.n < 3 || s.n > 18 || s.p[0] != '0' || s.p[1] != 'x')
		return -EINVAL;
	for (size_t i = 2; i < s.n; i++) {
		char c = s.p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
		    c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
		    c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d > 15)
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* "3.10": ICMP's type and code where a port is printed (NetFlow's rule). */
static int record_port(struct slice s, uint64_t *out)
{
	const char *dot = memchr(s.p, '.', s.n);
	uint64_t type, code;

	if (dot == NULL)
		return record_uint(s, out) == 0 && *out <= 65535 ? 0 : -EINVAL;
	if (record_uint((struct slice){ s.p, (size_t)(dot - s.p) }, &type) ||
	    record_uint((struct slice){ dot + 1, s.n - (size_t)(dot - s.p) -
	    1 }, &code) || type > 255 || code > 255)
		return -EINVAL;
	*out = type * 256 + code;
	return 0;
}

int record_value(enum field_type type, struct slice text, struct value *v)
{
	v->type = type;
	switch (type) {
	case FIELD_TEXT:
		v->s = text;
		return 0;
	case FIELD_UINT:
		return record_uint(text, &v->u) == 0 ? 0 :
		    record_hex(text, &v->u);
	case FIELD_PORT:
		v->type = FIELD_UINT;
		return record_port(text, &v->u);
	case FIELD_FLOAT:
		/* The 1.8 beta prints a zero duration so even with -N. */
		if (text.n == 12 && memcmp(text.p, "00:00:00.000", 12) == 0) {
			v->d = 0;
			return 0;
		}
		return record_double(text, &v->d);
	case FIELD_TIME:
		return record_time(text, &v->t.sec, &v->t.nsec);
	case FIELD_EPOCH:
		v->type = FIELD_TIME;
		return record_epoch(text, &v->t.sec, &v->t.nsec);
	case FIELD_MSEC:
		v->type = FIELD_TIME;
		return record_msec(text, &v->t.sec, &v->t.nsec);
	case FIELD_ADDR:
		return record_addr(text, v);
	case FIELD_NULL:
		return 0;
	}
	return -EINVAL;
}

void record_row_init(struct row *row, const struct schema *schema)
{
	memset(row, 0, sizeof *row);
	row->schema = schema;
	row->text = xcalloc(schema->nfields + 1, sizeof *row->text);
	row->values = xcalloc(schema->nfields + 1, sizeof *row->values);
	row->misfit = -1;
}

void record_row_free(struct row *row)
{
	free(row->text);
	free(row->values);
	row->text = NULL;
	row->values = NULL;
}

int record_parse(struct row *row, const char *line, size_t len, int strings)
{
	const struct schema *schema = row->schema;

	if (record_split(schema, line, len, row->text) != 0)
		return -EINVAL;
	record_type(row, strings);
	return 0;
}

void record_type(struct row *row, int strings)
{
	const struct schema *schema = row->schema;

	row->misfits = 0;
	row->misfit = -1;
	for (size_t i = 0; i < schema->nfields; i++) {
		struct value *v = &row->values[i];

		if (strings) {
			record_value(FIELD_TEXT, row->text[i], v);
		} else if (record_value(schema->fields[i].type, row->text[i],
		    v) != 0) {
			/* Null keeps the declared type; a text would not. */
			v->type = FIELD_NULL;
			if (row->misfits++ == 0)
				row->misfit = (int)i;
		}
	}
}
