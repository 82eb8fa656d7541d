/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Several records in one Kafka message (--batch): encoded straight into
 * one reused buffer, framed as their encoding says (a CBOR sequence, JSON
 * lines), so a batch costs no copy of its records.
 */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "xmalloc.h"

struct batch {
	struct encode_handle *h;
	struct encode_buf buf;
	size_t max_bytes;
	uint32_t count;
	uint32_t max;
	uint64_t first;
	int ended;		/* batch_end written */
};

struct batch *batch_new(uint32_t max, size_t max_bytes,
    struct encode_handle *h)
{
	struct batch *b = xcalloc(1, sizeof *b);

	b->h = h;
	b->max = max;
	b->max_bytes = max_bytes;
	encode_buf_init(&b->buf);
	return b;
}

void batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	encode_buf_free(&b->buf);
	free(b);
}

int batch_add(struct batch *b, uint64_t row, const struct row *r,
    char *errstr, size_t errlen)
{
	const struct encoding *e = b->h->e;
	size_t len = b->buf.len;
	int error;

	if (b->count == 0 && e->batch_start != NULL)
		e->batch_start(b->h->enc, &b->buf);
	else if (b->count > 0 && e->batch_next != NULL)
		e->batch_next(b->h->enc, &b->buf);
	error = e->record(b->h->enc, r, &b->buf, errstr, errlen);
	if (error != 0) {
		b->buf.len = len;
		return error;
	}
	if (b->count++ == 0)
		b->first = row;
	return 0;
}

int batch_full(const struct batch *b)
{
	return b->count >= b->max || b->buf.len >= b->max_bytes;
}

uint32_t batch_count(const struct batch *b)
{
	return b->count;
}

uint64_t batch_first(const struct batch *b)
{
	return b->first;
}

const unsigned char *batch_data(struct batch *b, size_t *len)
{
	if (!b->ended && b->count > 0 && b->h->e->batch_end != NULL)
		b->h->e->batch_end(b->h->enc, &b->buf, b->count);
	b->ended = 1;
	*len = b->buf.len;
	return b->buf.p;
}

void batch_clear(struct batch *b)
{
	b->buf.len = 0;
	b->count = 0;
	b->ended = 0;
}
