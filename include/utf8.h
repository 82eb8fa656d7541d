/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_UTF8_H
#define NFKAFKA_UTF8_H

#include <stddef.h>

/*
 * RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * CBOR text strings and JSON must hold it; nfdump prints whatever bytes a
 * flow carried.
 */

/* Length of the valid character at s (1 for ASCII), 0 if none is there. */
size_t utf8_char_len(const unsigned char *s, size_t n);
/* 1 if all of s is valid UTF-8. */
int utf8_valid(const char *s, size_t n);

#endif
