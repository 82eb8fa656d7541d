/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Avro encoding: records and summaries in Avro binary with Confluent's
 * framing, and the Avro schemas a schema registry holds for them. Typed
 * fields are unions with null: a value that does not fit its field's type
 * is null, so every record has the one schema (Kafka Connect, ClickHouse's
 * AvroConfluent and ksqlDB all bind a field to one type).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro.h"
#include "json.h"
#include "utf8.h"
#include "xmalloc.h"

/* A long takes at most 10 varint bytes. */
#define AVRO_LONG_MAX 10

struct encoder {
	struct encode_options o;
	uint32_t id[2];		/* records', summaries' */
	int have[2];
};

void avro_frame(struct encode_buf *b, uint32_t id)
{
	unsigned char h[5] = { 0, (unsigned char)(id >> 24),
		(unsigned char)(id >> 16), (unsigned char)(id >> 8),
		(unsigned char)id };

	encode_buf_add(b, h, sizeof h);
}

void avro_long(struct encode_buf *b, int64_t v)
{
	uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	unsigned char *p = encode_buf_reserve(b, AVRO_LONG_MAX);
	size_t n = 0;

	while (z >= 0x80) {
		p[n++] = (unsigned char)(z | 0x80);
		z >>= 7;
	}
	p[n++] = (unsigned char)z;
	b->len += n;
}

void avro_double(struct encode_buf *b, double v)
{
	uint64_t bits;
	unsigned char le[8];

	memcpy(&bits, &v, sizeof bits);
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(bits >> (8 * i));
	encode_buf_add(b, le, sizeof le);
}

void avro_bytes(struct encode_buf *b, const void *p, size_t n)
{
	avro_long(b, (int64_t)n);
	encode_buf_add(b, p, n);
}

void avro_string(struct encode_buf *b, const char *s, size_t n)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t at, out = 0;

	if (utf8_valid(s, n)) {
		avro_bytes(b, s, n);
		return;
	}
	/* The length comes first, so the repaired text is measured first. */
	for (size_t i = 0; i < n; i += at) {
		at = utf8_char_len(u + i, n - i);
		out += at > 0 ? at : 3;
		at = at > 0 ? at : 1;
	}
	avro_long(b, (int64_t)out);
	for (size_t i = 0; i < n; i += at) {
		at = utf8_char_len(u + i, n - i);
		encode_buf_add(b, at > 0 ? s + i : fffd, at > 0 ? at : 3);
		at = at > 0 ? at : 1;
	}
}

/* A typed value as its Avro type: times in timestamp-millis. */
static void avro_value(struct encode_buf *b, const struct value *v)
{
	unsigned char addr[16] = { [10] = 0xff, [11] = 0xff };

	switch (v->type) {
	case FIELD_UINT:
	case FIELD_PORT:
		avro_long(b, (int64_t)v->u);
		break;
	case FIELD_FLOAT:
		avro_double(b, v->d);
		break;
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		avro_long(b, v->t.sec * 1000 + (int64_t)(v->t.nsec / 1000000));
		break;
	case FIELD_ADDR:
		/*
		 * fixed(16), an IPv4 address mapped (::ffff:a.b.c.d): what
		 * ClickHouse's AvroConfluent reads into an IPv6 column (it
		 * refuses a string there), and bytes to Kafka Connect.
		 */
		if (v->a.family == 4)
			memcpy(addr + 12, v->a.bytes, 4);
		else
			memcpy(addr, v->a.bytes, 16);
		encode_buf_add(b, addr, sizeof addr);
		break;
	case FIELD_TEXT:
		avro_string(b, v->s.p, v->s.n);
		break;
	case FIELD_NULL:
		break;
	}
}

/* A nullable field: the union's branch (0 null, 1 the type), the value. */
static void avro_nullable(struct encode_buf *b, const struct value *v)
{
	int null = v == NULL || v->type == FIELD_NULL;
	/* The branch as a long: zigzag 0 and 1 are the bytes 0 and 2. */
	unsigned char branch = null ? 0 : 2;

	encode_buf_add(b, &branch, 1);
	if (!null)
		avro_value(b, v);
}

static int avro_open(const struct encode_options *o, struct encoder **encp,
    char *errstr, size_t errlen)
{
	struct encoder *enc = xcalloc(1, sizeof *enc);

	(void)errstr;
	(void)errlen;
	enc->o = *o;
	*encp = enc;
	return 0;
}

static void avro_close(struct encoder *enc)
{
	free(enc);
}

void avro_set_id(struct encoder *enc, int summary, uint32_t id)
{
	enc->id[summary != 0] = id;
	enc->have[summary != 0] = 1;
}

static int avro_record(struct encoder *enc, const struct row *row,
    struct encode_buf *out, char *errstr, size_t errlen)
{
	const struct schema *schema = row->schema;
	struct value id[ENCODE_IDENTITY];
	size_t nid = encode_identity(&enc->o, row, id);

	if (!enc->have[0]) {
		snprintf(errstr, errlen, "the records' Avro schema is not "
		    "registered");
		return -EAGAIN;
	}
	avro_frame(out, enc->id[0]);
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct value *v = &row->values[i];

		/* Text is never null: it is what nfdump printed. */
		if (enc->o.values == ENCODE_STRINGS ||
		    schema->fields[i].type == FIELD_TEXT)
			avro_string(out, row->text[i].p, row->text[i].n);
		else
			avro_nullable(out, v);
	}
	for (size_t i = 0; i < nid; i++)
		avro_value(out, &id[i]);
	return 0;
}

/*
 * The summary, written through the writer in its schema's field order
 * (summary.c): a record's fields are just concatenated, an array is a
 * block of items ended by a count of 0. The frame goes first.
 */
static void avro_open_nested(struct encode_writer *w, const char *key,
    int array, size_t n)
{
	(void)key;
	if (w->depth++ == 0)
		avro_frame(w->out, w->enc->id[1]);
	if (array && n > 0)
		avro_long(w->out, (int64_t)n);
}

static void avro_close_nested(struct encode_writer *w, int array)
{
	w->depth--;
	if (array)
		avro_long(w->out, 0);
}

/* The summary's fields that may be null: nfdump printed no totals. */
static int avro_summary_nullable(const char *key)
{
	return key != NULL && strncmp(key, "nfdump_", 7) == 0 &&
	    strcmp(key, "nfdump_seconds") != 0;
}

static void avro_put(struct encode_writer *w, const char *key,
    const struct value *v)
{
	if (avro_summary_nullable(key))
		avro_nullable(w->out, v);
	else if (v != NULL)
		avro_value(w->out, v);
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

#define AVRO_MILLIS "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}"

/* The Avro type of a typed field, as JSON. */
static const char *avro_type(enum field_type type)
{
	switch (type) {
	case FIELD_UINT:
	case FIELD_PORT:
		return "\"long\"";
	case FIELD_FLOAT:
		return "\"double\"";
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		return AVRO_MILLIS;
	case FIELD_ADDR:
		return "\"ip6\"";
	case FIELD_TEXT:
	case FIELD_NULL:
		break;
	}
	return "\"string\"";
}

/* An address: 16 bytes, named once and referred to by name after. */
#define AVRO_IP6 "{\"type\":\"fixed\",\"name\":\"ip6\",\"size\":16}"

static void avro_json(struct encode_buf *j, const char *s)
{
	json_raw(j, s, strlen(s));
}

/* {"name":N,"type":T}, T a union with null (default null) if nullable. */
static void avro_field(struct encode_buf *j, const char *name, const char *type,
    int nullable)
{
	char avname[256];

	avro_name(name, avname, sizeof avname);
	avro_json(j, "{\"name\":");
	json_text(j, avname, strlen(avname));
	avro_json(j, nullable ? ",\"type\":[\"null\"," : ",\"type\":");
	avro_json(j, type);
	avro_json(j, nullable ? "],\"default\":null}" : "}");
}

char *avro_schema(const struct schema *schema, const struct encode_options *o)
{
	static const char *const idtype[ENCODE_IDENTITY] = { AVRO_MILLIS,
		"\"long\"", "\"long\"" };
	struct encode_buf j;
	int ip6 = 0;
	char *s;

	encode_buf_init(&j);
	avro_json(&j, "{\"type\":\"record\",\"name\":\"flow\","
	    "\"namespace\":\"nfkafka\",\"fields\":[");
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct field *f = &schema->fields[i];
		int typed = o->values != ENCODE_STRINGS &&
		    f->type != FIELD_TEXT;
		const char *type = typed ? avro_type(f->type) : "\"string\"";

		if (i > 0)
			avro_json(&j, ",");
		if (typed && f->type == FIELD_ADDR && ip6++ == 0)
			type = AVRO_IP6;
		avro_field(&j, f->name, type, typed);
	}
	for (size_t i = 0; o->identity && i < ENCODE_IDENTITY; i++) {
		avro_json(&j, ",");
		avro_field(&j, encode_identity_names[i], idtype[i], 0);
	}
	avro_json(&j, "]}");
	s = xstrndup((const char *)j.p, j.len);
	encode_buf_free(&j);
	return s;
}

/* The summary's fields, in the order summary_encode writes them. */
static const char avro_summary_text[] =
    "{\"type\":\"record\",\"name\":\"summary\",\"namespace\":\"nfkafka\","
    "\"fields\":["
    "{\"name\":\"window\",\"type\":\"string\"},"
    "{\"name\":\"window_start\",\"type\":" AVRO_MILLIS "},"
    "{\"name\":\"window_end\",\"type\":" AVRO_MILLIS "},"
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

/* --schema avro: the schema the records' subject gets. */
static int avro_describe(const struct schema *schema,
    const struct encode_options *o, FILE *out, char *errstr, size_t errlen)
{
	char *s = avro_schema(schema, o);

	(void)errstr;
	(void)errlen;
	fprintf(out, "%s\n", s);
	free(s);
	return 0;
}

const struct encoding encode_avro = {
	.name = "avro",
	.open = avro_open,
	.close = avro_close,
	.record = avro_record,
	.open_nested = avro_open_nested,
	.close_nested = avro_close_nested,
	.put = avro_put,
	.describe = avro_describe,
};
