/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_QUERY_PROBE_H
#define NFKAFKA_QUERY_PROBE_H

#include <stddef.h>
#include <uv.h>

#include "query.h"

/*
 * Asks nfdump whether it accepts a query: a run on an empty window written
 * for the purpose. nfdump is the authority on its own syntax.
 */
struct query_probe;

/*
 * The verdict, on the loop: 0 when nfdump accepts the query; -EINVAL with
 * nfdump's own words in why when it refuses it; -ETIMEDOUT or another
 * -errno when nfdump could not tell; -ECANCELED after query_probe_cancel.
 */
typedef void (*query_probe_cb)(void *arg, int status, const char *why);

/*
 * Blocking, for start-up and reload checks: the verdict as query_probe_cb's
 * status, with why in errstr.
 */
int query_probe(const struct query *q, const char *nfdump, char *errstr,
    size_t errlen);
/*
 * The same on the loop: cb follows once nfdump has finished. On error
 * nothing runs and cb is not called. q is not needed after the call.
 */
int query_probe_start(uv_loop_t *loop, const struct query *q,
    const char *nfdump, query_probe_cb cb, void *arg,
    struct query_probe **pp);
/*
 * Stops the probe: nfdump's process group is signalled; cb follows with
 * -ECANCELED once it has gone and every handle is closed.
 */
void query_probe_cancel(struct query_probe *p);

#endif
