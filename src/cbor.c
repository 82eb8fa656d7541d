/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CBOR encoding (RFC 8949): a map per record, written with libcbor's
 * streaming encoders into the caller's reused buffer, with no allocation
 * per record or per value; its schema in CDDL (RFC 8610).
 */
#include <cbor.h>
#include <errno.h>
#include <string.h>

#include "encode.h"
#include "utf8.h"
#include "xmalloc.h"

/* RFC 8949 epoch time, RFC 9164 IPv4 and IPv6 addresses. */
#define TAG_EPOCH 1
#define TAG_IPV4 52
#define TAG_IPV6 54

/* The largest CBOR head: major type byte plus an 8-byte argument. */
#define HEAD_MAX 9

struct encoder {
	struct encode_options o;
	/* --identity's keys, encoded once: key i ends at idkeyend[i]. */
	struct encode_buf idkeys;
	size_t idkeyend[ENCODE_IDENTITY];
};

static void cbor_text(struct encode_buf *b, const char *s, size_t n);

static int cbor_open(const struct encode_options *o, struct encoder **encp,
    char *errstr, size_t errlen)
{
	struct encoder *enc = xcalloc(1, sizeof *enc);

	(void)errstr;
	(void)errlen;
	enc->o = *o;
	encode_buf_init(&enc->idkeys);
	for (size_t i = 0; i < ENCODE_IDENTITY; i++) {
		cbor_text(&enc->idkeys, encode_identity_names[i],
		    strlen(encode_identity_names[i]));
		enc->idkeyend[i] = enc->idkeys.len;
	}
	*encp = enc;
	return 0;
}

static void cbor_close(struct encoder *enc)
{
	encode_buf_free(&enc->idkeys);
	free(enc);
}

static void cbor_head(struct encode_buf *b, size_t (*head)(uint64_t,
    unsigned char *, size_t), uint64_t v)
{
	b->len += head(v, encode_buf_reserve(b, HEAD_MAX), HEAD_MAX);
}

static size_t cbor_string_head(uint64_t n, unsigned char *p, size_t size)
{
	return cbor_encode_string_start((size_t)n, p, size);
}

static size_t cbor_bytes_head(uint64_t n, unsigned char *p, size_t size)
{
	return cbor_encode_bytestring_start((size_t)n, p, size);
}

static size_t cbor_map_head(uint64_t n, unsigned char *p, size_t size)
{
	return cbor_encode_map_start((size_t)n, p, size);
}

static size_t cbor_array_head(uint64_t n, unsigned char *p, size_t size)
{
	return cbor_encode_array_start((size_t)n, p, size);
}

static void cbor_text(struct encode_buf *b, const char *s, size_t n)
{
	/* Text that is not UTF-8 goes as its exact bytes, a byte string. */
	cbor_head(b, utf8_valid(s, n) ? cbor_string_head : cbor_bytes_head,
	    n);
	encode_buf_add(b, s, n);
}

static void cbor_double(struct encode_buf *b, double v)
{
	b->len += cbor_encode_double(v, encode_buf_reserve(b, HEAD_MAX),
	    HEAD_MAX);
}

/*
 * Always a float64, whole second or not: the item under the tag is then
 * of one type in every record (exact to the microsecond for this era).
 */
static void cbor_time(struct encode_buf *b, int64_t sec, uint32_t nsec)
{
	cbor_head(b, cbor_encode_tag, TAG_EPOCH);
	cbor_double(b, (double)sec + nsec / 1e9);
}

static void cbor_value(struct encode_buf *b, const struct value *v)
{
	unsigned char null = 0xf6;

	switch (v != NULL ? v->type : FIELD_NULL) {
	case FIELD_UINT:
	case FIELD_PORT:
		cbor_head(b, cbor_encode_uint, v->u);
		break;
	case FIELD_FLOAT:
		cbor_double(b, v->d);
		break;
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		cbor_time(b, v->t.sec, v->t.nsec);
		break;
	case FIELD_ADDR:
		cbor_head(b, cbor_encode_tag, v->a.family == 4 ? TAG_IPV4 :
		    TAG_IPV6);
		cbor_head(b, cbor_bytes_head, v->a.family == 4 ? 4 : 16);
		encode_buf_add(b, v->a.bytes, v->a.family == 4 ? 4 : 16);
		break;
	case FIELD_TEXT:
		cbor_text(b, v->s.p, v->s.n);
		break;
	case FIELD_NULL:
		encode_buf_add(b, &null, 1);
		break;
	}
}

static int cbor_record(struct encoder *enc, const struct row *row,
    struct encode_buf *out, char *errstr, size_t errlen)
{
	const struct schema *schema = row->schema;
	struct value id[ENCODE_IDENTITY];
	size_t nid = encode_identity(&enc->o, row, id);

	(void)errstr;
	(void)errlen;
	cbor_head(out, cbor_map_head, schema->nfields + nid);
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct field *f = &schema->fields[i];

		encode_buf_add(out, f->key, f->keylen);
		cbor_value(out, &row->values[i]);
	}
	for (size_t i = 0; i < nid; i++) {
		size_t start = i > 0 ? enc->idkeyend[i - 1] : 0;

		encode_buf_add(out, enc->idkeys.p + start, enc->idkeyend[i] -
		    start);
		cbor_value(out, &id[i]);
	}
	return 0;
}

static void cbor_open_nested(struct encode_writer *w, const char *key,
    int array, size_t n)
{
	if (key != NULL)
		cbor_text(w->out, key, strlen(key));
	cbor_head(w->out, array ? cbor_array_head : cbor_map_head, n);
}

static void cbor_close_nested(struct encode_writer *w, int array)
{
	/* Definite lengths: nothing marks the end. */
	(void)w;
	(void)array;
}

static void cbor_put(struct encode_writer *w, const char *key,
    const struct value *v)
{
	if (key != NULL)
		cbor_text(w->out, key, strlen(key));
	cbor_value(w->out, v);
}

/* The CDDL type of a field's values. */
static const char *cbor_cddl_type(enum field_type type)
{
	switch (type) {
	case FIELD_UINT:
	case FIELD_PORT:
		return "uint";
	case FIELD_FLOAT:
		return "float64";
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		return "time";
	case FIELD_ADDR:
		return "ipv4-address / ipv6-address";
	case FIELD_TEXT:
	case FIELD_NULL:
		break;
	}
	return "tstr / bstr";
}

static int cbor_cddl(const struct schema *schema,
    const struct encode_options *o, FILE *out, char *errstr, size_t errlen)
{
	static const char *const idtype[ENCODE_IDENTITY] = { "time", "uint",
		"uint" };

	(void)errstr;
	(void)errlen;
	fprintf(out, "; One nfkafka record: a CBOR map (RFC 8949). A value "
	    "that does not fit\n; its type is null. Addresses: RFC 9164.\n"
	    "record = {\n");
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct field *f = &schema->fields[i];

		fprintf(out, "  \"%s\": %s%s,\n", f->name,
		    o->values == ENCODE_STRINGS ? "tstr / bstr" :
		    cbor_cddl_type(f->type), o->values == ENCODE_STRINGS ||
		    f->type == FIELD_TEXT ? "" : " / null");
	}
	for (size_t i = 0; o->identity && i < ENCODE_IDENTITY; i++)
		fprintf(out, "  \"%s\": %s,\n", encode_identity_names[i],
		    idtype[i]);
	fprintf(out, "}\nipv4-address = #6.52(bytes .size 4)\n"
	    "ipv6-address = #6.54(bytes .size 16)\n");
	return 0;
}

const struct encoding encode_cbor = {
	.name = "cbor",
	.open = cbor_open,
	.close = cbor_close,
	.record = cbor_record,
	.open_nested = cbor_open_nested,
	.close_nested = cbor_close_nested,
	.put = cbor_put,
	.describe = cbor_cddl,
};
