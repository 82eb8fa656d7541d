/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_WINDOW_H
#define NFKAFKA_WINDOW_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "nfcapd.h"

/* One capture window: the same file name in one or more channels. */
struct window {
	char stamp[NFCAPD_STAMP_LEN + 1];
	char *relfile;
	unsigned long mask;	/* channels that have rotated it */
	unsigned revision;	/* 0, or the revision of an exported window */
	int late;		/* below the floor, never exported */
	uint64_t first_ms;	/* when the first channel's file was seen */
	uint64_t last_ms;	/* when the latest channel's file was seen */
	struct window *next;
};

struct windows;

/* The oldest pending window may have become ready: see window_ready(). */
typedef void (*window_wake_cb)(void *arg);

struct windows *window_new(uv_loop_t *loop, size_t nchannels,
    uint64_t grace_ms, window_wake_cb cb, void *arg);
/*
 * Records that channel has rotated relfile. Returns 0, or -EALREADY when
 * the window is at or before the floor (already exported).
 */
int window_add(struct windows *ws, size_t channel, const char *relfile,
    const char *stamp);
/*
 * Records channel's file of a window below the floor that was never
 * exported (the clock stepped back): queued in stamp order like any other.
 */
int window_add_late(struct windows *ws, size_t channel, const char *relfile,
    const char *stamp);
/*
 * How many channel files window_add and window_add_late have recorded
 * that were not pending already: what a call added, in O(1).
 */
uint64_t window_recorded(const struct windows *ws);
/*
 * Queues revision of an exported window (its files changed), in stamp
 * order; it is ready once no change has come for a settling time. 1 when
 * queued; again for a queued one restarts that time (0), or -EEXIST if it
 * is queued with another revision.
 */
int window_add_revision(struct windows *ws, const char *stamp,
    const char *relfile, unsigned revision);
/* Drops a queued window or revision: 0, or -ENOENT. */
int window_remove(struct windows *ws, const char *stamp);
/*
 * Between these, window_add appends in O(1) and the end sorts once, so a
 * scan of a long history costs O(n log n), not O(n^2).
 */
void window_scan_begin(struct windows *ws);
void window_scan_end(struct windows *ws);
/*
 * Windows at or before stamp count as exported; pending ones are dropped,
 * queued revisions kept. The floor never moves back.
 */
void window_set_floor(struct windows *ws, const char *stamp);
const char *window_floor(const struct windows *ws);
/*
 * The oldest pending window if it is ready: every channel has rotated it,
 * every missing channel has already rotated a newer window, or the grace
 * period since its first file has passed. Otherwise NULL, and the wake
 * callback is scheduled for when the grace period ends.
 */
struct window *window_ready(struct windows *ws);
/* The oldest pending window, ready or not. */
struct window *window_head(struct windows *ws);
/* Removes the oldest window after its export; the floor moves up to it. */
void window_pop(struct windows *ws);
/*
 * Removes window w after its export, wherever it stands: a revision of an
 * older window may have been queued ahead of it while it was exported.
 */
void window_done(struct windows *ws, struct window *w);
size_t window_pending(const struct windows *ws);
/* Age in ms of the oldest pending window's first file; 0 if none. */
uint64_t window_oldest_age(const struct windows *ws);
void window_set_grace(struct windows *ws, uint64_t grace_ms);
void window_free(struct windows *ws);

#endif
