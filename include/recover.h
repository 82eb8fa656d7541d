/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_RECOVER_H
#define NFKAFKA_RECOVER_H

#include <stddef.h>

#include "kafka.h"
#include "nfcapd.h"

/*
 * Exactly-once after a crash: the state file is written after a window's
 * transaction commits, so a crash in between leaves the file one window
 * behind Kafka. This reads the end of every partition of the topic as a
 * read_committed consumer and finds the newest window of this profile
 * directory that is committed there ("" if none), whatever its revision
 * (a revision re-exports an older window). Blocks for at most
 * timeout_ms. 0, or a negative errno with errstr when Kafka cannot answer.
 */
/*
 * The export a crash may have cut short (the state file's "inflight"):
 * committed is set when a message of that window and revision is among
 * the committed ones read. Only the last transaction can be committed
 * without the state knowing, and it is at the end of the partitions read.
 */
struct recover_want {
	const char *stamp;
	unsigned revision;
	int committed;
};

int recover_last_window(const struct kafka_options *o, const char *profile_dir,
    int timeout_ms, char stamp[NFCAPD_STAMP_LEN + 1],
    struct recover_want *want, char *errstr, size_t errlen);

#endif
