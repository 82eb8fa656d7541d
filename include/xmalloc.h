/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_XMALLOC_H
#define NFKAFKA_XMALLOC_H

#include <stddef.h>

/* Allocation failure is fatal: a half-exported window is worse than an exit. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
