/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pending windows in time order. A window is exported when all its
 * channels have rotated it, or after a grace period if a channel is late;
 * windows never overtake each other, so consumers see them in order. A
 * revision (an exported window whose files changed) waits in the same
 * queue until its files have settled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"
#include "xmalloc.h"

/* nfcapd appends a file in bursts of blocks: export once it is quiet. */
#define WINDOWS_SETTLE_MS 2000

struct windows {
	uv_loop_t *loop;
	size_t nchannels;
	unsigned long all;
	uint64_t grace_ms;
	char floor[NFCAPD_STAMP_LEN + 1];
	char (*newest)[NFCAPD_STAMP_LEN + 1]; /* per channel */
	struct window *head;
	struct window *tail;
	size_t count;
	int bulk;		/* scanning: append now, sort at the end */
	uint64_t recorded;	/* channel files newly recorded, ever */
	uv_timer_t *timer;
	window_wake_cb cb;
	void *arg;
};

static void window_timer_fired(uv_timer_t *t)
{
	struct windows *ws = t->data;

	ws->cb(ws->arg);
}

struct windows *window_new(uv_loop_t *loop, size_t nchannels,
    uint64_t grace_ms, window_wake_cb cb, void *arg)
{
	struct windows *ws = xcalloc(1, sizeof *ws);

	ws->loop = loop;
	ws->nchannels = nchannels;
	ws->all = nchannels >= sizeof(unsigned long) * 8 ? ~0UL :
	    (1UL << nchannels) - 1;
	ws->grace_ms = grace_ms;
	ws->newest = xcalloc(nchannels, sizeof *ws->newest);
	ws->timer = xmalloc(sizeof *ws->timer);
	uv_timer_init(loop, ws->timer);
	ws->timer->data = ws;
	ws->cb = cb;
	ws->arg = arg;
	return ws;
}

static struct window *window_make(struct windows *ws, const char *stamp,
    const char *relfile)
{
	struct window *w = xcalloc(1, sizeof *w);

	memcpy(w->stamp, stamp, sizeof w->stamp);
	w->relfile = xstrdup(relfile);
	w->first_ms = w->last_ms = uv_now(ws->loop);
	ws->count++;
	return w;
}

static void window_append(struct windows *ws, struct window *w)
{
	w->next = NULL;
	if (ws->tail != NULL)
		ws->tail->next = w;
	else
		ws->head = w;
	ws->tail = w;
}

/*
 * The window with stamp, or NULL with *wp where it belongs. New windows
 * are nearly always the newest: the tail answers that in O(1).
 */
static struct window *window_find(struct windows *ws, const char *stamp,
    struct window ***wp)
{
	struct window **p;
	int cmp;

	if (ws->tail != NULL && (cmp = strcmp(ws->tail->stamp, stamp)) <= 0) {
		*wp = &ws->tail->next;
		return cmp == 0 ? ws->tail : NULL;
	}
	for (p = &ws->head; *p != NULL; p = &(*p)->next) {
		cmp = strcmp((*p)->stamp, stamp);
		if (cmp == 0)
			return *p;
		if (cmp > 0)
			break;
	}
	*wp = p;
	return NULL;
}

static void window_insert(struct windows *ws, struct window **wp,
    struct window *w)
{
	w->next = *wp;
	*wp = w;
	if (w->next == NULL)
		ws->tail = w;
}

/* Queues channel's file of the window stamp, merged with its other files. */
static int window_put(struct windows *ws, size_t channel, const char *relfile,
    const char *stamp, int late)
{
	struct window **wp, *w;

	if (ws->bulk) {
		ws->recorded++;
		w = window_make(ws, stamp, relfile);
		w->mask = 1UL << channel;
		w->late = late;
		window_append(ws, w);
		return 0;
	}
	if ((w = window_find(ws, stamp, &wp)) != NULL) {
		/* Seen again (a rescan, a second event): nothing new. */
		if (w->revision == 0 && !(w->mask & (1UL << channel))) {
			w->mask |= 1UL << channel;
			w->last_ms = uv_now(ws->loop);
			ws->recorded++;
		}
		return 0;
	}
	ws->recorded++;
	w = window_make(ws, stamp, relfile);
	w->mask = 1UL << channel;
	w->late = late;
	window_insert(ws, wp, w);
	return 0;
}

int window_add(struct windows *ws, size_t channel, const char *relfile,
    const char *stamp)
{
	if (strcmp(stamp, ws->newest[channel]) > 0)
		memcpy(ws->newest[channel], stamp, sizeof ws->newest[channel]);
	if (strcmp(stamp, ws->floor) <= 0)
		return -EALREADY;
	return window_put(ws, channel, relfile, stamp, 0);
}

int window_add_late(struct windows *ws, size_t channel, const char *relfile,
    const char *stamp)
{
	return window_put(ws, channel, relfile, stamp, 1);
}

uint64_t window_recorded(const struct windows *ws)
{
	return ws->recorded;
}

int window_add_revision(struct windows *ws, const char *stamp,
    const char *relfile, unsigned revision)
{
	struct window **wp, *w;

	if ((w = window_find(ws, stamp, &wp)) != NULL) {
		/* Still changing: wait for it to settle again. */
		w->last_ms = uv_now(ws->loop);
		return w->revision == revision ? 0 : -EEXIST;
	}
	w = window_make(ws, stamp, relfile);
	w->revision = revision;
	window_insert(ws, wp, w);
	return 1;
}

void window_scan_begin(struct windows *ws)
{
	ws->bulk = 1;
}

static int window_cmp(const void *a, const void *b)
{
	const struct window *x = *(struct window *const *)a;
	const struct window *y = *(struct window *const *)b;

	return strcmp(x->stamp, y->stamp);
}

/* Sorts what the scan appended and merges each window's channels. */
void window_scan_end(struct windows *ws)
{
	struct window **v, *w;
	size_t n = 0;

	ws->bulk = 0;
	if (ws->count == 0)
		return;
	v = xcalloc(ws->count, sizeof *v);
	for (w = ws->head; w != NULL; w = w->next)
		v[n++] = w;
	qsort(v, n, sizeof *v, window_cmp);
	ws->head = ws->tail = NULL;
	for (size_t i = 0; i < n; i++) {
		if (ws->tail != NULL && strcmp(ws->tail->stamp,
		    v[i]->stamp) == 0 && ws->tail->revision == 0 &&
		    v[i]->revision == 0) {
			ws->tail->late &= v[i]->late;
			ws->tail->mask |= v[i]->mask;
			free(v[i]->relfile);
			free(v[i]);
			ws->count--;
			continue;
		}
		window_append(ws, v[i]);
	}
	free(v);
}

static void window_unlink(struct windows *ws, struct window **wp)
{
	struct window *w = *wp, *prev = NULL;

	*wp = w->next;
	if (ws->tail == w) {
		for (struct window *p = ws->head; p != NULL; p = p->next)
			prev = p;
		ws->tail = prev;
	}
	ws->count--;
	free(w->relfile);
	free(w);
}

/*
 * Pending revisions and late windows stay: they are of windows already
 * below any floor.
 */
void window_set_floor(struct windows *ws, const char *stamp)
{
	struct window **wp = &ws->head;

	while (*wp != NULL && strcmp((*wp)->stamp, stamp) <= 0) {
		if ((*wp)->revision == 0 && !(*wp)->late)
			window_unlink(ws, wp);
		else
			wp = &(*wp)->next;
	}
	if (strcmp(stamp, ws->floor) > 0)
		memcpy(ws->floor, stamp, sizeof ws->floor);
}

int window_remove(struct windows *ws, const char *stamp)
{
	for (struct window **wp = &ws->head; *wp != NULL; wp = &(*wp)->next) {
		if (strcmp((*wp)->stamp, stamp) == 0) {
			window_unlink(ws, wp);
			return 0;
		}
	}
	return -ENOENT;
}

const char *window_floor(const struct windows *ws)
{
	return ws->floor;
}

/* A missing channel that rotated a newer window skipped this one. */
static int window_missing_moved_on(const struct windows *ws,
    const struct window *w)
{
	for (size_t i = 0; i < ws->nchannels; i++) {
		if (!(w->mask & (1UL << i)) &&
		    strcmp(ws->newest[i], w->stamp) <= 0)
			return 0;
	}
	return 1;
}

struct window *window_ready(struct windows *ws)
{
	struct window *w = ws->head;
	uint64_t now = uv_now(ws->loop), due;

	if (w == NULL)
		return NULL;
	if (w->revision > 0) {
		due = w->last_ms + WINDOWS_SETTLE_MS;
		if (now >= due)
			return w;
		uv_timer_start(ws->timer, window_timer_fired, due - now, 0);
		return NULL;
	}
	if (w->mask == ws->all || window_missing_moved_on(ws, w))
		return w;
	due = w->first_ms + ws->grace_ms;
	if (now >= due)
		return w;
	uv_timer_start(ws->timer, window_timer_fired, due - now, 0);
	return NULL;
}

struct window *window_head(struct windows *ws)
{
	return ws->head;
}

void window_pop(struct windows *ws)
{
	struct window *w = ws->head;

	if (w == NULL)
		return;
	if (strcmp(w->stamp, ws->floor) > 0)
		memcpy(ws->floor, w->stamp, sizeof ws->floor);
	window_unlink(ws, &ws->head);
}

void window_done(struct windows *ws, struct window *done)
{
	for (struct window **wp = &ws->head; *wp != NULL; wp = &(*wp)->next) {
		if (*wp != done)
			continue;
		if (strcmp(done->stamp, ws->floor) > 0)
			memcpy(ws->floor, done->stamp, sizeof ws->floor);
		window_unlink(ws, wp);
		return;
	}
}

size_t window_pending(const struct windows *ws)
{
	return ws->count;
}

uint64_t window_oldest_age(const struct windows *ws)
{
	return ws->head != NULL ? uv_now(ws->loop) - ws->head->first_ms : 0;
}

void window_set_grace(struct windows *ws, uint64_t grace_ms)
{
	ws->grace_ms = grace_ms;
}

static void window_timer_closed(uv_handle_t *h)
{
	free(h);
}

void window_free(struct windows *ws)
{
	if (ws == NULL)
		return;
	while (ws->head != NULL)
		window_pop(ws);
	uv_close((uv_handle_t *)ws->timer, window_timer_closed);
	free(ws->newest);
	free(ws);
}
