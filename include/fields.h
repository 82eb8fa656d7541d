/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_FIELDS_H
#define NFKAFKA_FIELDS_H

#include <stddef.h>

#include "schema.h"

/*
 * The fields that options name (-k, --timestamp), found in a query's
 * schema: at start and reload for a fmt: query, whose schema is known, and
 * for every window once nfdump's header has given a CSV query's.
 */

/* index[i] of names[i] in schema; -EINVAL naming the first one absent. */
int fields_key(char *const *names, size_t n, const struct schema *schema,
    int *index, char *errstr, size_t errlen);
/*
 * The --timestamp field's index, or -1 for send and window; -EINVAL when
 * ts names no time field of schema.
 */
int fields_timestamp(const char *ts, const struct schema *schema, int *index,
    char *errstr, size_t errlen);

#endif
