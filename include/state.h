#ifndef NFKAFKA_STATE_H
#define NFKAFKA_STATE_H

#include <stddef.h>

#include "nfcapd.h"

/*
 * The state file holds the newest window whose records were all
 * acknowledged, as its nfcapd time stamp: "YYYYMMDDhhmm" (as the cron
 * script's `last` file) or "YYYYMMDDhhmmss".
 */

/* 0 with the stamp, -ENOENT when there is no file, -EINVAL if unreadable. */
int state_load(const char *path, char stamp[NFCAPD_STAMP_LEN + 1],
    char *errstr, size_t errlen);
/* Replaces the file atomically and durably (write, fsync, rename, fsync). */
int state_save(const char *path, const char *stamp, char *errstr,
    size_t errlen);
/* Checks the file's directory is writable before any window is exported. */
int state_check(const char *path, char *errstr, size_t errlen);

#endif
