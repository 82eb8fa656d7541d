/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_STRV_H
#define NFKAFKA_STRV_H

#include <stddef.h>

/*
 * Growable, NULL-terminated vectors of strings (argv, word and field
 * lists): *v may start NULL with *n 0; each push copies its string.
 */
void strv_push(char ***v, size_t *n, const char *s);
void strv_pushn(char ***v, size_t *n, const char *s, size_t len);
/* Frees every string and the vector; NULL is fine. */
void strv_free(char **v);

#endif
