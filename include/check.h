/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_CHECK_H
#define NFKAFKA_CHECK_H

#include <stddef.h>
#include <uv.h>

#include "export.h"

/*
 * --check-config's dry run of the query: nfdump runs it on an empty window
 * made from the newest file on disk, through the same path as a real export
 * (the output is parsed, the key fields bound), without sending anything.
 * With no window on disk yet, only the filter's syntax can be checked.
 * 0, or -EINVAL with the reason in errstr; *what says what was checked.
 * The options' query and key fields are consumed.
 */
int check_query(uv_loop_t *loop, struct export_options *o,
    const struct kafka_options *ko, const char **what, char *errstr,
    size_t errlen);

#endif
