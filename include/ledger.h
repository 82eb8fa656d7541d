/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_LEDGER_H
#define NFKAFKA_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "nfcapd.h"
#include "profile.h"

/* What a channel's file was when it was exported: ino 0 if it had none. */
struct ledger_file {
	uint64_t size;
	int64_t mtime_ns;
	uint64_t ino;
};

/* One exported window: its latest revision and the files it covered. */
struct ledger_window {
	char stamp[NFCAPD_STAMP_LEN + 1];
	unsigned revision;
	char *relfile;
	struct ledger_file *files;	/* one per channel */
};

struct ledger;

/* The most windows a ledger may remember (--ledger-windows). */
#define LEDGER_MAX_WINDOWS 100000

/* Remembers at most max windows (the newest ones). */
struct ledger *ledger_new(size_t nchannels, size_t max);
void ledger_free(struct ledger *lg);
size_t ledger_count(const struct ledger *lg);
size_t ledger_channels(const struct ledger *lg);
/* The i-th window, oldest first. */
const struct ledger_window *ledger_at(const struct ledger *lg, size_t i);
const struct ledger_window *ledger_find(const struct ledger *lg,
    const char *stamp);
/* Adds or replaces a window (files copied); forgets the oldest past max. */
void ledger_put(struct ledger *lg, const char *stamp, const char *relfile,
    unsigned revision, const struct ledger_file *files);
void ledger_drop(struct ledger *lg, const char *stamp);
/*
 * The window being exported (exactly-once writes it down first, so that
 * after a crash the read-back can tell whether it was committed); NULL.
 */
void ledger_set_inflight(struct ledger *lg, const char *stamp,
    const char *relfile, unsigned revision, const struct ledger_file *files);
const struct ledger_window *ledger_inflight(const struct ledger *lg);
/* Each channel's file now; returns the mask of channels that have one. */
unsigned long ledger_look(const struct profile *p, const char *relfile,
    struct ledger_file *files);
/* Channel i's file differs from what was exported (or appeared since). */
int ledger_changed(const struct ledger_file *was,
    const struct ledger_file *now);

#endif
