/* SPDX-License-Identifier: BSD-2-Clause */
/* Growable buffers and the decimal writer of the encoders and headers. */
#include "buf.h"
#include "xmalloc.h"

void *buf_grow(void *buf, size_t *cap, size_t len, size_t n)
{
	size_t c = *cap > 0 ? *cap : 64;

	while (c - len < n)
		c *= 2;
	if (c != *cap || buf == NULL) {
		buf = xrealloc(buf, c);
		*cap = c;
	}
	return buf;
}

/* Without snprintf's cost on every record. */
size_t buf_decimal(uint64_t v, char *out)
{
	char tmp[20];
	size_t n = 0, len;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (len = 0; n > 0; len++)
		out[len] = tmp[--n];
	return len;
}
