/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Several records in one Kafka message (--batch): one reused buffer of
 * concatenated CBOR items, so a batch costs one copy of each record.
 */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "buf.h"
#include "xmalloc.h"

struct batch {
	unsigned char *buf;
	size_t len;
	size_t cap;
	size_t max_bytes;
	uint32_t count;
	uint32_t max;
	uint64_t first;
	char sep;
};

struct batch *batch_new(uint32_t max, size_t max_bytes, char sep)
{
	struct batch *b = xcalloc(1, sizeof *b);

	b->sep = sep;
	b->max = max;
	b->max_bytes = max_bytes;
	b->cap = 4096;
	b->buf = xmalloc(b->cap);
	return b;
}

void batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	free(b->buf);
	free(b);
}

void batch_add(struct batch *b, uint64_t row, const void *item, size_t len)
{
	b->buf = buf_grow(b->buf, &b->cap, b->len, len + 1);
	if (b->count++ == 0)
		b->first = row;
	memcpy(b->buf + b->len, item, len);
	b->len += len;
	if (b->sep != 0)
		b->buf[b->len++] = b->sep;
}

int batch_full(const struct batch *b)
{
	return b->count >= b->max || b->len >= b->max_bytes;
}

uint32_t batch_count(const struct batch *b)
{
	return b->count;
}

uint64_t batch_first(const struct batch *b)
{
	return b->first;
}

const unsigned char *batch_data(const struct batch *b, size_t *len)
{
	*len = b->len;
	return b->buf;
}

void batch_clear(struct batch *b)
{
	b->len = 0;
	b->count = 0;
}
