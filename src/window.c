/*
 * Pending windows in time order. A window is exported when all its
 * channels have rotated it, or after a grace period if a channel is late;
 * windows never overtake each other, so consumers see them in order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"
#include "xmalloc.h"

struct windows {
	uv_loop_t *loop;
	size_t nchannels;
	unsigned long all;
	uint64_t grace_ms;
	char floor[NFCAPD_STAMP_LEN + 1];
	char (*newest)[NFCAPD_STAMP_LEN + 1]; /* per channel */
	struct window *head;
	size_t count;
	uv_timer_t *timer;
	windows_wake_cb cb;
	void *arg;
};

static void windows_timer_fired(uv_timer_t *t)
{
	struct windows *ws = t->data;

	ws->cb(ws->arg);
}

struct windows *windows_new(uv_loop_t *loop, size_t nchannels,
    uint64_t grace_ms, windows_wake_cb cb, void *arg)
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

int windows_add(struct windows *ws, size_t channel, const char *relfile,
    const char *stamp)
{
	struct window **wp, *w;
	uint64_t now = uv_now(ws->loop);

	if (strcmp(stamp, ws->newest[channel]) > 0)
		memcpy(ws->newest[channel], stamp, sizeof ws->newest[channel]);
	if (strcmp(stamp, ws->floor) <= 0)
		return -EALREADY;
	for (wp = &ws->head; *wp != NULL; wp = &(*wp)->next) {
		int cmp = strcmp((*wp)->stamp, stamp);

		if (cmp == 0) {
			(*wp)->mask |= 1UL << channel;
			(*wp)->last_ms = now;
			return 0;
		}
		if (cmp > 0)
			break;
	}
	w = xcalloc(1, sizeof *w);
	memcpy(w->stamp, stamp, sizeof w->stamp);
	w->relfile = xstrdup(relfile);
	w->mask = 1UL << channel;
	w->first_ms = w->last_ms = now;
	w->next = *wp;
	*wp = w;
	ws->count++;
	return 0;
}

void windows_set_floor(struct windows *ws, const char *stamp)
{
	while (ws->head != NULL && strcmp(ws->head->stamp, stamp) <= 0)
		windows_pop(ws);
	memcpy(ws->floor, stamp, sizeof ws->floor);
}

const char *windows_floor(const struct windows *ws)
{
	return ws->floor;
}

/* A missing channel that rotated a newer window skipped this one. */
static int windows_missing_moved_on(const struct windows *ws,
    const struct window *w)
{
	for (size_t i = 0; i < ws->nchannels; i++) {
		if (!(w->mask & (1UL << i)) &&
		    strcmp(ws->newest[i], w->stamp) <= 0)
			return 0;
	}
	return 1;
}

struct window *windows_ready(struct windows *ws)
{
	struct window *w = ws->head;
	uint64_t now = uv_now(ws->loop), due;

	if (w == NULL)
		return NULL;
	if (w->mask == ws->all || windows_missing_moved_on(ws, w))
		return w;
	due = w->first_ms + ws->grace_ms;
	if (now >= due)
		return w;
	uv_timer_start(ws->timer, windows_timer_fired, due - now, 0);
	return NULL;
}

struct window *windows_head(struct windows *ws)
{
	return ws->head;
}

void windows_pop(struct windows *ws)
{
	struct window *w = ws->head;

	if (w == NULL)
		return;
	memcpy(ws->floor, w->stamp, sizeof ws->floor);
	ws->head = w->next;
	ws->count--;
	free(w->relfile);
	free(w);
}

size_t windows_pending(const struct windows *ws)
{
	return ws->count;
}

uint64_t windows_oldest_age(const struct windows *ws)
{
	return ws->head != NULL ? uv_now(ws->loop) - ws->head->first_ms : 0;
}

void windows_set_grace(struct windows *ws, uint64_t grace_ms)
{
	ws->grace_ms = grace_ms;
}

static void windows_timer_closed(uv_handle_t *h)
{
	free(h);
}

void windows_free(struct windows *ws)
{
	if (ws == NULL)
		return;
	while (ws->head != NULL)
		windows_pop(ws);
	uv_close((uv_handle_t *)ws->timer, windows_timer_closed);
	free(ws->newest);
	free(ws);
}
