/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Records → Avro binary with Confluent's framing, and the Avro schemas of
 * records and summaries that a schema registry holds for them.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "avro.h"
#include "json.h"
#include "utf8.h"
#include "xmalloc.h"

/* A long takes at most 10 varint bytes. */
#define AVRO_LONG_MAX 10

void avro_init(struct avro *a)
{
	a->cap = 4096;
	a->buf = xmalloc(a->cap);
	a->len = 0;
}

void avro_free(struct avro *a)
{
	free(a->buf);
	a->buf = NULL;
	a->cap = a->len = 0;
}

static unsigned char *avro_reserve(struct avro *a, size_t n)
{
	if (a->cap - a->len < n) {
		while (a->cap - a->len < n)
			a->cap *= 2;
		a->buf = xrealloc(a->buf, a->cap);
	}
	return a->buf + a->len;
}

static void avro_raw(struct avro *a, const void *p, size_t n)
{
	memcpy(avro_reserve(a, n), p, n);
	a->len += n;
}

void avro_frame(struct avro *a, uint32_t id)
{
	unsigned char h[5] = { 0, (unsigned char)(id >> 24),
		(unsigned char)(id >> 16), (unsigned char)(id >> 8),
		(unsigned char)id };

	avro_raw(a, h, sizeof h);
}

void avro_long(struct avro *a, int64_t v)
{
	uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	unsigned char *p = avro_reserve(a, AVRO_LONG_MAX);
	size_t n = 0;

	while (z >= 0x80) {
		p[n++] = (unsigned char)(z | 0x80);
		z >>= 7;
	}
	p[n++] = (unsigned char)z;
	a->len += n;
}

void avro_double(struct avro *a, double v)
{
	uint64_t bits;
	unsigned char b[8];

	memcpy(&bits, &v, sizeof bits);
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(bits >> (8 * i));
	avro_raw(a, b, sizeof b);
}

void avro_bytes(struct avro *a, const void *p, size_t n)
{
	avro_long(a, (int64_t)n);
	avro_raw(a, p, n);
}

void avro_string(struct avro *a, const char *s, size_t n)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t at, out = 0;

	if (utf8_valid(s, n)) {
		avro_bytes(a, s, n);
		return;
	}
	/* The length comes first, so count the repaired text once. */
	for (size_t i = 0; i < n; i += at) {
		at = utf8_char_len(u + i, n - i);
		out += at > 0 ? at : 3;
		at = at > 0 ? at : 1;
	}
	avro_long(a, (int64_t)out);
	for (size_t i = 0; i < n; i += at) {
		at = utf8_char_len(u + i, n - i);
		avro_raw(a, at > 0 ? s + i : fffd, at > 0 ? at : 3);
		at = at > 0 ? at : 1;
	}
}

/* Milliseconds since the epoch: Avro's timestamp-millis. */
static int64_t avro_millis(const struct value *v)
{
	return v->t.sec * 1000 + (int64_t)(v->t.nsec / 1000000);
}

/* A typed value: the union's branch 1, then the value as its Avro type. */
static void avro_value(struct avro *a, const struct value *v,
    struct slice text)
{
	char addr[64];

	avro_long(a, 1);
	switch (v->type) {
	case FIELD_UINT:
		avro_long(a, (int64_t)v->u);
		break;
	case FIELD_FLOAT:
		avro_double(a, v->d);
		break;
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		avro_long(a, avro_millis(v));
		break;
	case FIELD_ADDR:
		/* The address as inet_ntop writes it, whatever nfdump printed. */
		if (inet_ntop(v->a.family == 4 ? AF_INET : AF_INET6,
		    v->a.bytes, addr, sizeof addr) != NULL)
			avro_string(a, addr, strlen(addr));
		else
			avro_string(a, text.p, text.n);
		break;
	case FIELD_TEXT:
		avro_string(a, text.p, text.n);
		break;
	}
}

/* Times of all three printed forms are one Avro type. */
static int avro_same_type(enum field_type a, enum field_type b)
{
	int ta = a == FIELD_TIME || a == FIELD_EPOCH || a == FIELD_MSEC;
	int tb = b == FIELD_TIME || b == FIELD_EPOCH || b == FIELD_MSEC;

	return ta && tb;
}

void avro_record(struct avro *a, uint32_t id, const struct schema *schema,
    const struct slice *values, int strings, size_t *untyped)
{
	struct value v;

	a->len = 0;
	avro_frame(a, id);
	for (size_t i = 0; i < schema->nfields; i++) {
		enum field_type type = schema->fields[i].type;

		if (strings || type == FIELD_TEXT) {
			avro_string(a, values[i].p, values[i].n);
			continue;
		}
		/*
		 * record_value may fall back to another type (ICMP's "3.10"
		 * in a port column reads as a float): a long's slot cannot
		 * hold it, so it is null like any value that does not parse.
		 */
		if (record_value(type, values[i], &v) != 0 ||
		    (v.type != type && !avro_same_type(v.type, type))) {
			avro_long(a, 0);	/* null */
			(*untyped)++;
			continue;
		}
		avro_value(a, &v, values[i]);
	}
}

size_t avro_name(const char *name, char *out, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return 0;
	if (name[0] >= '0' && name[0] <= '9' && len + 1 < n)
		out[len++] = '_';
	for (const char *p = name; *p != '\0' && len + 1 < n; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_';

		out[len++] = ok ? *p : '_';
	}
	out[len] = '\0';
	return len;
}

/* The Avro type of a typed field, as JSON. */
static const char *avro_type(enum field_type type)
{
	switch (type) {
	case FIELD_UINT:
		return "\"long\"";
	case FIELD_FLOAT:
		return "\"double\"";
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		return "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
	case FIELD_ADDR:
	case FIELD_TEXT:
		break;
	}
	return "\"string\"";
}

/* {"name":N,"type":T} with T a union with null (default null) if nullable. */
static void avro_field(struct json *j, const char *name, const char *type,
    int nullable)
{
	char avname[256];

	avro_name(name, avname, sizeof avname);
	json_raw(j, "{", 1);
	json_key(j, "name");
	json_text(j, avname, strlen(avname));
	json_raw(j, ",", 1);
	json_key(j, "type");
	if (nullable)
		json_raw(j, "[\"null\",", 8);
	json_raw(j, type, strlen(type));
	if (nullable)
		json_raw(j, "],\"default\":null", 16);
	json_raw(j, "}", 1);
}

/* The JSON text, moved out of j into a NUL-terminated buffer to free. */
static char *avro_text(struct json *j)
{
	char *s = xmalloc(j->len + 1);

	memcpy(s, j->buf, j->len);
	s[j->len] = '\0';
	json_free(j);
	return s;
}

char *avro_schema(const struct schema *schema, int strings)
{
	static const char head[] = "{\"type\":\"record\",\"name\":\"flow\","
	    "\"namespace\":\"nfkafka\",\"fields\":[";
	struct json j;

	json_init(&j);
	json_raw(&j, head, sizeof head - 1);
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct field *f = &schema->fields[i];
		int typed = !strings && f->type != FIELD_TEXT;

		if (i > 0)
			json_raw(&j, ",", 1);
		avro_field(&j, f->name, typed ? avro_type(f->type) :
		    "\"string\"", typed);
	}
	json_raw(&j, "]}", 2);
	return avro_text(&j);
}

/* The summary's fields in the order avro_summary writes them. */
static const char avro_summary_text[] =
    "{\"type\":\"record\",\"name\":\"summary\",\"namespace\":\"nfkafka\","
    "\"fields\":["
    "{\"name\":\"window\",\"type\":\"string\"},"
    "{\"name\":\"window_start\",\"type\":{\"type\":\"long\","
    "\"logicalType\":\"timestamp-millis\"}},"
    "{\"name\":\"window_end\",\"type\":{\"type\":\"long\","
    "\"logicalType\":\"timestamp-millis\"}},"
    "{\"name\":\"revision\",\"type\":\"long\"},"
    "{\"name\":\"topic\",\"type\":\"string\"},"
    "{\"name\":\"channels\",\"type\":{\"type\":\"array\","
    "\"items\":\"string\"}},"
    "{\"name\":\"missing_channels\",\"type\":{\"type\":\"array\","
    "\"items\":\"string\"}},"
    "{\"name\":\"records\",\"type\":\"long\"},"
    "{\"name\":\"nfdump_flows\",\"type\":[\"null\",\"long\"],"
    "\"default\":null},"
    "{\"name\":\"nfdump_bytes\",\"type\":[\"null\",\"long\"],"
    "\"default\":null},"
    "{\"name\":\"nfdump_packets\",\"type\":[\"null\",\"long\"],"
    "\"default\":null},"
    "{\"name\":\"partitions\",\"type\":{\"type\":\"array\",\"items\":"
    "{\"type\":\"record\",\"name\":\"partition\",\"fields\":["
    "{\"name\":\"partition\",\"type\":\"long\"},"
    "{\"name\":\"first_offset\",\"type\":\"long\"},"
    "{\"name\":\"last_offset\",\"type\":\"long\"},"
    "{\"name\":\"messages\",\"type\":\"long\"},"
    "{\"name\":\"records\",\"type\":\"long\"}]}}},"
    "{\"name\":\"nfdump_seconds\",\"type\":\"double\"},"
    "{\"name\":\"export_seconds\",\"type\":\"double\"}]}";

char *avro_summary_schema(void)
{
	return xstrdup(avro_summary_text);
}

/* An array of the channels in (or, with missing, not in) the mask. */
static void avro_channels(struct avro *a, const struct summary *s,
    int missing)
{
	int64_t n = 0;

	for (size_t i = 0; i < s->profile->nchannels; i++)
		n += !(s->mask & (1UL << i)) == !!missing;
	/* An array is blocks of a count and items, ended by a count of 0. */
	if (n > 0)
		avro_long(a, n);
	for (size_t i = 0; i < s->profile->nchannels; i++) {
		const char *c = s->profile->channels[i];

		if (!(s->mask & (1UL << i)) == !!missing)
			avro_string(a, c, strlen(c));
	}
	avro_long(a, 0);
}

static void avro_total(struct avro *a, int known, uint64_t v)
{
	avro_long(a, known ? 1 : 0);
	if (known)
		avro_long(a, (int64_t)v);
}

static void avro_parts(struct avro *a, const struct summary *s)
{
	int64_t n = 0;

	for (size_t i = 0; i < s->nparts; i++)
		n += s->parts[i].messages > 0;
	if (n > 0)
		avro_long(a, n);
	for (size_t i = 0; i < s->nparts; i++) {
		const struct summary_part *p = &s->parts[i];

		if (p->messages == 0)
			continue;
		avro_long(a, (int64_t)i);
		avro_long(a, p->first);
		avro_long(a, p->last);
		avro_long(a, (int64_t)p->messages);
		avro_long(a, (int64_t)p->records);
	}
	avro_long(a, 0);
}

void avro_summary(struct avro *a, uint32_t id, const struct summary *s)
{
	a->len = 0;
	avro_frame(a, id);
	avro_string(a, s->stamp, strlen(s->stamp));
	avro_long(a, s->start * 1000);
	avro_long(a, (s->start + s->interval_s) * 1000);
	avro_long(a, s->revision);
	avro_string(a, s->topic, strlen(s->topic));
	avro_channels(a, s, 0);
	avro_channels(a, s, 1);
	avro_long(a, (int64_t)s->records);
	avro_total(a, s->totals.known, s->totals.flows);
	avro_total(a, s->totals.known, s->totals.bytes);
	avro_total(a, s->totals.known, s->totals.packets);
	avro_parts(a, s);
	avro_double(a, s->nfdump_secs);
	avro_double(a, s->export_secs);
}
