/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Records → CBOR with libcbor's streaming encoders into one reused buffer:
 * no allocation per record or per value on the hot path.
 */
#include <cbor.h>
#include <string.h>

#include "encode.h"
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
	if (enc->cap - enc->len < n) {
		while (enc->cap - enc->len < n)
			enc->cap *= 2;
		enc->buf = xrealloc(enc->buf, enc->cap);
	}
	return enc->buf + enc->len;
}

static void encoder_text(struct encoder *enc, const char *s, size_t n)
{
	unsigned char *p = encoder_reserve(enc, HEAD_MAX + n);
	size_t head = cbor_encode_string_start(n, p, HEAD_MAX);

	memcpy(p + head, s, n);
	enc->len += head + n;
}

/*
 * RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * A CBOR text string must be valid UTF-8, and strict decoders reject one
 * that is not.
 */
int encode_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned char c = *p;
		size_t len;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* past U+10FFFF */
		} else
			return 0;
		if ((size_t)(end - p) < len || p[1] < lo || p[1] > hi)
			return 0;
		for (size_t i = 2; i < len; i++) {
			if (p[i] < 0x80 || p[i] > 0xbf)
				return 0;
		}
		p += len;
	}
	return 1;
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
	if (encode_utf8_valid(s, n))
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
