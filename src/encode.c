/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Records → CBOR with libcbor's streaming encoders into one reused buffer:
 * no allocation per record or per value on the hot path.
 */
#include <cbor.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "utf8.h"
#include "json.h"
#include "xmalloc.h"

/* RFC 8949 epoch time, RFC 9164 IPv4 and IPv6 addresses. */
#define TAG_EPOCH 1
#define TAG_IPV4 52
#define TAG_IPV6 54

/* The largest CBOR head: major type byte plus an 8-byte argument. */
#define HEAD_MAX 9

struct encoder {
	enum encode_format format;
	enum encode_values mode;
	struct json json;	/* the JSON format's buffer */
	unsigned char *buf;
	size_t cap;
	size_t len;
};

struct encoder *encoder_new_format(enum encode_format format,
    enum encode_values mode)
{
	struct encoder *enc = xcalloc(1, sizeof *enc);

	enc->format = format;
	enc->mode = mode;
	enc->cap = 4096;
	enc->buf = xmalloc(enc->cap);
	if (format == ENCODE_JSON)
		json_init(&enc->json);
	return enc;
}

struct encoder *encoder_new(enum encode_values mode)
{
	return encoder_new_format(ENCODE_CBOR, mode);
}

void encoder_free(struct encoder *enc)
{
	if (enc == NULL)
		return;
	if (enc->format == ENCODE_JSON)
		json_free(&enc->json);
	free(enc->buf);
	free(enc);
}

static unsigned char *encoder_reserve(struct encoder *enc, size_t n)
{
	enc->buf = buf_grow(enc->buf, &enc->cap, enc->len, n);
	return enc->buf + enc->len;
}

static void encoder_text(struct encoder *enc, const char *s, size_t n)
{
	unsigned char *p = encoder_reserve(enc, HEAD_MAX + n);
	size_t head = cbor_encode_string_start(n, p, HEAD_MAX);

	memcpy(p + head, s, n);
	enc->len += head + n;
}

static void encoder_uint(struct encoder *enc, uint64_t v)
{
	enc->len += cbor_encode_uint(v, encoder_reserve(enc, HEAD_MAX),
	    HEAD_MAX);
}

static void encoder_tag(struct encoder *enc, uint64_t tag)
{
	enc->len += cbor_encode_tag(tag, encoder_reserve(enc, HEAD_MAX),
	    HEAD_MAX);
}

static void encoder_double(struct encoder *enc, double v)
{
	enc->len += cbor_encode_double(v, encoder_reserve(enc, HEAD_MAX),
	    HEAD_MAX);
}

static void encoder_bytes(struct encoder *enc, const unsigned char *b,
    size_t n)
{
	unsigned char *p = encoder_reserve(enc, HEAD_MAX + n);
	size_t head = cbor_encode_bytestring_start(n, p, HEAD_MAX);

	memcpy(p + head, b, n);
	enc->len += head + n;
}

/* Text that is not UTF-8 goes as its exact bytes, a CBOR byte string. */
static void encoder_text_or_bytes(struct encoder *enc, const char *s,
    size_t n)
{
	if (utf8_valid(s, n))
		encoder_text(enc, s, n);
	else
		encoder_bytes(enc, (const unsigned char *)s, n);
}

/* Whole seconds stay integers; a fraction makes the epoch a float64. */
static void encoder_time(struct encoder *enc, int64_t sec, uint32_t nsec)
{
	encoder_tag(enc, TAG_EPOCH);
	if (nsec == 0 && sec >= 0)
		encoder_uint(enc, (uint64_t)sec);
	else
		encoder_double(enc, (double)sec + nsec / 1e9);
}

static void encoder_value(struct encoder *enc, const struct value *v)
{
	switch (v->type) {
	case FIELD_UINT:
		encoder_uint(enc, v->u);
		break;
	case FIELD_FLOAT:
		encoder_double(enc, v->d);
		break;
	case FIELD_TIME:
	case FIELD_EPOCH:
	case FIELD_MSEC:
		encoder_time(enc, v->t.sec, v->t.nsec);
		break;
	case FIELD_ADDR:
		encoder_tag(enc, v->a.family == 4 ? TAG_IPV4 : TAG_IPV6);
		encoder_bytes(enc, v->a.bytes, v->a.family == 4 ? 4 : 16);
		break;
	case FIELD_TEXT:
		break;
	}
}

void encoder_record(struct encoder *enc, const struct schema *schema,
    const struct slice *values, const unsigned char **out, size_t *outlen,
    size_t *untyped)
{
	if (enc->format == ENCODE_JSON) {
		json_record(&enc->json, schema, values,
		    enc->mode == ENCODE_STRINGS, untyped);
		*out = (const unsigned char *)enc->json.buf;
		*outlen = enc->json.len;
		return;
	}
	enc->len = 0;
	enc->len = cbor_encode_map_start(schema->nfields,
	    encoder_reserve(enc, HEAD_MAX), HEAD_MAX);
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct field *f = &schema->fields[i];
		struct value v;

		memcpy(encoder_reserve(enc, f->keylen), f->key, f->keylen);
		enc->len += f->keylen;
		if (enc->mode == ENCODE_STRINGS || f->type == FIELD_TEXT) {
			encoder_text_or_bytes(enc, values[i].p, values[i].n);
		} else if (record_value(f->type, values[i], &v) == 0) {
			encoder_value(enc, &v);
		} else {
			encoder_text_or_bytes(enc, values[i].p, values[i].n);
			(*untyped)++;
		}
	}
	*out = enc->buf;
	*outlen = enc->len;
}
