/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_STATE_H
#define NFKAFKA_STATE_H

#include <stddef.h>

#include "ledger.h"
#include "nfcapd.h"
#include "profile.h"

/*
 * The state file: the floor, the newest window such that it and every
 * window before it are exported ("" when none is yet: every window on disk
 * is to be exported), and the ledger of recently exported windows. Its
 * first line is the floor as "YYYYMMDDhhmm" (as the cron script's `last`
 * file) or "YYYYMMDDhhmmss"; a file of that line alone still loads.
 */

/*
 * 0 with the floor and, if lg is not NULL, the ledger filled in; -ENOENT
 * when there is no file; -EINVAL if unreadable, not a regular file (a
 * link, a FIFO); -ERANGE if the floor is more than a day in the future.
 */
int state_load(const char *path, const struct profile *p,
    char floor[NFCAPD_STAMP_LEN + 1], struct ledger *lg, char *errstr,
    size_t errlen);
/* Replaces the file atomically and durably (write, fsync, rename, fsync). */
int state_save(const char *path, const struct profile *p, const char *floor,
    const struct ledger *lg, char *errstr, size_t errlen);
/*
 * Checks the file's directory is writable and the file, if any, regular,
 * before any window is exported.
 */
int state_check(const char *path, char *errstr, size_t errlen);
/*
 * Two nfkafka on one state file would export every window twice and undo
 * each other's progress: the first takes PATH.lock (flock, released when
 * the process ends, however it ends) and the second is refused with the
 * holder's pid. 0 with *fdp to keep open, or -EBUSY / -errno.
 */
int state_lock(const char *path, int *fdp, char *errstr, size_t errlen);

#endif
