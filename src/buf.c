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

/*
 * Without snprintf's cost on every record: the length first, from powers
 * of ten, then two digits per division from the last pair back.
 */
size_t buf_decimal(uint64_t v, char *out)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	size_t len = 1;
	char *p;

	for (uint64_t ten = 10; len < 20 && v >= ten; ten *= 10)
		len++;
	p = out + len;
	while (v >= 100) {
		const char *d = pairs + 2 * (v % 100);

		v /= 100;
		*--p = d[1];
		*--p = d[0];
	}
	if (v >= 10) {
		*--p = pairs[2 * v + 1];
		*--p = pairs[2 * v];
	} else {
		*--p = (char)('0' + v);
	}
	return len;
}
