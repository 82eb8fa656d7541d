/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_BUF_H
#define NFKAFKA_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * buf, holding len bytes in cap, with room for n more: doubled as needed
 * and reallocated at most once, so a buffer reused from message to message
 * stops growing at its largest message. Returns the (maybe moved) buffer.
 */
void *buf_grow(void *buf, size_t *cap, size_t len, size_t n);
/* Writes v's decimal digits to out, which has room for 20; their count. */
size_t buf_decimal(uint64_t v, char *out);

#endif
