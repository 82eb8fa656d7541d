/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_WATCH_H
#define NFKAFKA_WATCH_H

#include <stddef.h>
#include <uv.h>

#include "nfcapd.h"
#include "profile.h"

/* A rotated nfcapd file appeared (or was found) in a channel. */
typedef void (*watch_file_cb)(void *arg, size_t channel, const char *relfile,
    const char *stamp);

struct watch;

/*
 * Watches every channel directory and the date subdirectories nfcapd -S
 * creates, including ones made after the start, and reports each rotated
 * file once it has been renamed into place. May report a file twice.
 */
int watch_start(uv_loop_t *loop, const struct profile *p, watch_file_cb cb,
    void *arg, struct watch **wp, char *errstr, size_t errlen);
/*
 * Looks again, for events the kernel dropped (its queue overflowed, which
 * libuv does not pass on): watches the newest directory at each level of
 * every channel as at start, and reports every rotated file on disk.
 * Returns how many directories it started watching.
 */
size_t watch_rescan(struct watch *w);
/* Closes every watch; the memory goes with the last close callback. */
void watch_stop(struct watch *w);
/* Reports every rotated file on disk now, synchronously, in no order. */
void watch_scan(const struct profile *p, watch_file_cb cb, void *arg);
/*
 * The newest rotated file on disk: its stamp ("" if none) and, when path
 * is not NULL, its full path (NULL if none; the caller frees it).
 */
void watch_newest(const struct profile *p, char stamp[NFCAPD_STAMP_LEN + 1],
    char **path);

#endif
