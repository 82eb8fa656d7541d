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
 * directory that is committed there ("" if none). Blocks for at most
 * timeout_ms. 0, or a negative errno with errstr when Kafka cannot answer.
 */
int recover_last_window(const struct kafka_options *o, const char *profile_dir,
    int timeout_ms, char stamp[NFCAPD_STAMP_LEN + 1], char *errstr,
    size_t errlen);

#endif
