/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_QUERY_H
#define NFKAFKA_QUERY_H

#include <stddef.h>

#include "dialect.h"
#include "schema.h"

/* The default: the cron script's per-country aggregation, nfdump 1.7 syntax. */
#define QUERY_DEFAULT \
	"-A dstgeo -o 'fmt:%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl' -N -6 -q"

/*
 * The default where nfdump aggregates only into its own csv columns
 * (1.7.5): first_seen, duration, dst_ctr, packets, bytes, bps, bpp, flows.
 */
#define QUERY_DEFAULT_CSV "-A dstgeo -o csv -N -6 -q"
#define QUERY_DEFAULT_CSV_TOKENS "%ts,%td,%dc,%pkt,%byt,%bps,%bpp,%fl"

/* An operator's nfdump query, ready to be run for any window. */
struct query {
	char **opts;	/* options to pass; -M, -r, -R and -q removed */
	size_t nopts;
	char **filter;	/* the filter words, passed after the options */
	size_t nfilter;
	enum dialect_mode mode;
	int csv;	/* -o csv: schema from the header; else schema below */
	int aggregated;	/* -A */
	struct schema schema;
	const struct dialect *dialect; /* the nfdump it is for */
};

/*
 * Parses nfdump arguments as pasted from a shell or Flowmon's Analysis page
 * (a leading "nfdump" word is dropped) for the nfdump of d, which must
 * outlive q. -EINVAL with errstr when nfkafka or that nfdump cannot use
 * them.
 */
int query_parse(const char *text, const struct dialect *d, struct query *q,
    char *errstr, size_t errlen);
/* The filter words joined into the one word nfdump is given. */
char *query_filter_text(const struct query *q);
/* The argv that runs the query on relfile of the channels in profile. */
char **query_argv(const struct query *q, const char *nfdump,
    const char *profile, const char *relfile);
void query_free(struct query *q);

#endif
