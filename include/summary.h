/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_SUMMARY_H
#define NFKAFKA_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"
#include "nfcapd.h"
#include "profile.h"

/* nfdump's own totals for a window, from the summary it prints. */
struct summary_totals {
	int known;		/* 0: nfdump printed none we could read */
	uint64_t flows;
	uint64_t bytes;
	uint64_t packets;
};

/* Where a window's records went in one partition. */
struct summary_part {
	int64_t first;		/* lowest offset */
	int64_t last;		/* highest offset */
	uint64_t messages;	/* 0: nothing went here */
	uint64_t records;	/* more than messages with --batch */
};

/* What a consumer needs to prove one exported window complete. */
struct summary {
	char stamp[NFCAPD_STAMP_LEN + 1];
	unsigned revision;
	int64_t start;		/* window start, seconds since the epoch */
	int interval_s;		/* window length */
	const struct profile *profile;
	unsigned long mask;	/* channels exported */
	const char *topic;
	uint64_t records;
	struct summary_totals totals;
	struct summary_part *parts; /* indexed by partition */
	size_t nparts;
	double nfdump_secs;
	double export_secs;
};

/* Notes one acknowledged message of count records at partition, offset. */
void summary_ack(struct summary *s, int32_t partition, int64_t offset,
    uint32_t count);
/* The summary as a map in h's encoding, replacing what out held. */
void summary_encode(const struct summary *s, struct encode_handle *h,
    struct encode_buf *out);
void summary_free(struct summary *s);
/*
 * nfdump's rule for its totals: "Summary: total flows: N, total bytes: N,
 * total packets: N, ..." after -o fmt: output, "flows,bytes,packets,..."
 * values after csv's "Summary" block. -EINVAL when the line is not that
 * with plain numbers (without -N nfdump scales them: "62.3 M").
 */
int summary_parse_totals(const char *line, size_t len, int csv,
    struct summary_totals *t);

#endif
