/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_RECOVER_H
#define NFKAFKA_RECOVER_H

#include <stddef.h>
#include <uv.h>

#include "kafka.h"
#include "nfcapd.h"

/*
 * Exactly-once after a crash: the state file is written after a window's
 * transaction commits, so a crash in between leaves the file one window
 * behind Kafka. This reads the end of every partition of the producer's
 * topic as a read_committed consumer and finds the newest window of this
 * profile directory that is committed there ("" if none), whatever its
 * revision (a revision re-exports an older window).
 *
 * The export a crash may have cut short (the state file's "inflight") is
 * want: committed says whether a message of that window and revision is
 * among the committed ones read. Only the last transaction can be committed
 * without the state knowing, and it is at the end of the partitions read.
 */
struct recover_want {
	const char *stamp;
	unsigned revision;
	int committed;
};

struct recover_result {
	int error;		/* 0, or a negative errno with errstr */
	const char *stamp;	/* the newest committed window, or "" */
	int committed;		/* want's window and revision are committed */
	const char *errstr;	/* secrets masked */
};

struct recover;

typedef void (*recover_done_cb)(void *arg, const struct recover_result *r);

/*
 * Starts the read-back in a thread; cb follows on the loop, each Kafka call
 * bounded by timeout_ms. want may be NULL. Returns 0, or libuv's error
 * (then cb is not called).
 */
int recover_start(uv_loop_t *loop, const struct kafka *k,
    const char *profile_dir, int timeout_ms, const struct recover_want *want,
    recover_done_cb cb, void *arg, struct recover **rp);
/*
 * cb will not be called; the thread stops at its next step (a Kafka call
 * under way finishes first) and frees what it holds.
 */
void recover_cancel(struct recover *r);

#endif
