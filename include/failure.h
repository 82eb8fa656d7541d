/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_FAILURE_H
#define NFKAFKA_FAILURE_H

#include <stddef.h>

/*
 * Why a window's export failed, as one value: what is at fault decides
 * what the service does next (retry, skip the window, or stop).
 */
enum failure_kind {
	FAILURE_NONE,
	FAILURE_WINDOW,		/* nfdump failed on this window's files */
	FAILURE_QUERY,		/* the query or nfdump itself: every window */
	FAILURE_KAFKA,		/* Kafka refused, lost or did not commit */
	FAILURE_SYSTEM,		/* nfdump could not be run */
};

struct failure {
	enum failure_kind kind;
	int permanent;		/* retrying cannot help: stop */
	char message[1024];	/* one line */
};

/*
 * Records a failure. The first one's kind and message are kept: later ones
 * are its consequences. A later failure of the same kind can only make it
 * permanent. Returns 1 when this was the first failure.
 */
int failure_set(struct failure *f, enum failure_kind kind, int permanent,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int failure_failed(const struct failure *f);

#endif
