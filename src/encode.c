/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The encoder interface's one table of encodings, their reused buffer, and
 * the calls the data path makes: a record, a nested message (the summary).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "xmalloc.h"

void encode_buf_init(struct encode_buf *b)
{
	b->cap = 4096;
	b->p = xmalloc(b->cap);
	b->len = 0;
}

void encode_buf_free(struct encode_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void encode_buf_grow(struct encode_buf *b, size_t n)
{
	b->p = buf_grow(b->p, &b->cap, b->len, n);
}

const char *const encode_identity_names[ENCODE_IDENTITY] = {
	"window_start", "window_revision", "window_row"
};

size_t encode_identity(const struct encode_options *o, const struct row *row,
    struct value v[ENCODE_IDENTITY])
{
	if (!o->identity)
		return 0;
	v[0] = (struct value){ .type = FIELD_TIME, .t = { row->window_start,
		0 } };
	v[1] = (struct value){ .type = FIELD_UINT, .u = row->revision };
	v[2] = (struct value){ .type = FIELD_UINT, .u = row->index };
	return ENCODE_IDENTITY;
}

/*
 * Weak, so that a build without avro.c links: the Avro encoding is one
 * file that defines it.
 */
extern const struct encoding encode_avro __attribute__((weak));

const struct encoding *encode_of(enum encode_format format)
{
	switch (format) {
	case ENCODE_CBOR:
		return &encode_cbor;
	case ENCODE_JSON:
		return &encode_json;
	case ENCODE_AVRO:
		return &encode_avro;
	}
	return NULL;
}

int encode_open(enum encode_format format, const struct encode_options *o,
    struct encode_handle *h, char *errstr, size_t errlen)
{
	memset(h, 0, sizeof *h);
	h->e = encode_of(format);
	if (h->e == NULL) {
		snprintf(errstr, errlen, "this nfkafka was built without the "
		    "%s encoding", format == ENCODE_AVRO ? "avro" : "chosen");
		return -ENOTSUP;
	}
	h->o = *o;
	return h->e->open != NULL ? h->e->open(o, &h->enc, errstr, errlen) :
	    0;
}

void encode_close(struct encode_handle *h)
{
	if (h->e != NULL && h->e->close != NULL)
		h->e->close(h->enc);
	memset(h, 0, sizeof *h);
}

int encode_record(struct encode_handle *h, const struct row *row,
    struct encode_buf *out, char *errstr, size_t errlen)
{
	out->len = 0;
	return h->e->record(h->enc, row, out, errstr, errlen);
}

void encode_writer_start(struct encode_writer *w, struct encode_handle *h,
    struct encode_buf *out)
{
	memset(w, 0, sizeof *w);
	w->e = h->e;
	w->enc = h->enc;
	w->out = out;
	out->len = 0;
}

void encode_open_map(struct encode_writer *w, const char *key, size_t n)
{
	w->e->open_nested(w, key, 0, n);
}

void encode_open_array(struct encode_writer *w, const char *key, size_t n)
{
	w->e->open_nested(w, key, 1, n);
}

void encode_close_map(struct encode_writer *w)
{
	w->e->close_nested(w, 0);
}

void encode_close_array(struct encode_writer *w)
{
	w->e->close_nested(w, 1);
}

void encode_put(struct encode_writer *w, const char *key,
    const struct value *v)
{
	w->e->put(w, key, v);
}

void encode_put_uint(struct encode_writer *w, const char *key, uint64_t u)
{
	struct value v = { .type = FIELD_UINT, .u = u };

	w->e->put(w, key, &v);
}

void encode_put_text(struct encode_writer *w, const char *key, const char *s)
{
	struct value v = { .type = FIELD_TEXT, .s = { s, strlen(s) } };

	w->e->put(w, key, &v);
}

void encode_put_double(struct encode_writer *w, const char *key, double d)
{
	struct value v = { .type = FIELD_FLOAT, .d = d };

	w->e->put(w, key, &v);
}

void encode_put_time(struct encode_writer *w, const char *key, int64_t sec)
{
	struct value v = { .type = FIELD_TIME, .t = { sec, 0 } };

	w->e->put(w, key, &v);
}

void encode_put_null(struct encode_writer *w, const char *key)
{
	w->e->put(w, key, NULL);
}
