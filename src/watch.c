/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * inotify through uv_fs_event: one watch per directory, since inotify does
 * not recurse. nfcapd creates date directories (-S) at rotation time, often
 * several levels at once and before the first watch on them exists, so a
 * new directory is watched first and then read, and everything found in it
 * is reported.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "watch.h"
#include "xmalloc.h"

/* nfcapd -S layouts are at most four levels deep (%Y/%m/%d/%H). */
#define WATCH_MAX_DEPTH 5
/*
 * Each watch costs kernel memory and counts against max_user_watches; a
 * profile tree needs a handful. Beyond this, files are still found by the
 * periodic rescan.
 */
#define WATCH_MAX_DIRS 4096

struct watch_dir {
	uv_fs_event_t ev;
	struct watch *w;
	size_t channel;
	char *rel;		/* relative to the channel directory; "" at top */
	int depth;
	struct watch_dir *next;
};

struct watch {
	uv_loop_t *loop;
	const struct profile *p;
	watch_file_cb cb;
	void *arg;
	struct watch_dir *dirs;
	size_t ndirs;
	size_t added;		/* watches started, ever */
	int open;		/* handles not yet closed */
	int stopping;
	int full_warned;
};

static char *watch_join(const char *a, const char *b)
{
	char *out;

	if (a[0] == '\0')
		return xstrdup(b);
	xasprintf(&out, "%s/%s", a, b);
	return out;
}

static char *watch_path(const struct profile *p, size_t channel,
    const char *rel)
{
	return profile_path(p, channel, rel[0] != '\0' ? rel : NULL);
}

/*
 * type is readdir's d_type, DT_UNKNOWN if not known: a rescan of a long
 * history then costs no lstat per file, which dominated it.
 */
static void watch_report(const struct profile *p, size_t channel,
    const char *rel, const char *name, unsigned char type, watch_file_cb cb,
    void *arg)
{
	char stamp[NFCAPD_STAMP_LEN + 1];
	char *relfile, *path;
	struct stat st;

	if (nfcapd_parse_name(name, stamp) != 0)
		return;
	relfile = watch_join(rel, name);
	/* A symbolic link could hand nfdump any file on the host: skipped. */
	if (type == DT_UNKNOWN) {
		path = profile_path(p, channel, relfile);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			type = DT_REG;
		free(path);
	}
	if (type == DT_REG)
		cb(arg, channel, relfile, stamp);
	free(relfile);
}

static int watch_is_dir(const char *path)
{
	struct stat st;

	/* Symbolic links are not followed: no loops, no foreign trees. */
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Reads one directory: files are reported, subdirectories passed to sub. */
static void watch_list(const struct profile *p, size_t channel,
    const char *rel, watch_file_cb cb, void *arg,
    void (*sub)(void *, const char *), void *subarg)
{
	char *path = watch_path(p, channel, rel);
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL) {
		if (errno != ENOENT)
			log_warn("channel %s: cannot read %s: %s",
			    p->channels[channel], path, strerror(errno));
		free(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char *child;

		if (e->d_name[0] == '.')
			continue;
		if (strncmp(e->d_name, "nfcapd.", 7) == 0) {
			watch_report(p, channel, rel, e->d_name, e->d_type, cb,
			    arg);
			continue;
		}
		if (sub == NULL || (e->d_type != DT_DIR &&
		    e->d_type != DT_UNKNOWN))
			continue;
		child = watch_join(rel, e->d_name);
		if (e->d_type == DT_DIR)
			sub(subarg, child);
		else {
			char *full = profile_path(p, channel, child);

			if (watch_is_dir(full))
				sub(subarg, child);
			free(full);
		}
		free(child);
	}
	closedir(d);
	free(path);
}

struct watch_scan_ctx {
	const struct profile *p;
	size_t channel;
	int depth;
	watch_file_cb cb;
	void *arg;
};

static void watch_scan_sub(void *arg, const char *rel)
{
	struct watch_scan_ctx *ctx = arg;

	if (ctx->depth >= WATCH_MAX_DEPTH)
		return;
	ctx->depth++;
	watch_list(ctx->p, ctx->channel, rel, ctx->cb, ctx->arg,
	    watch_scan_sub, ctx);
	ctx->depth--;
}

void watch_scan(const struct profile *p, watch_file_cb cb, void *arg)
{
	for (size_t i = 0; i < p->nchannels; i++) {
		struct watch_scan_ctx ctx = { p, i, 0, cb, arg };

		watch_list(p, i, "", cb, arg, watch_scan_sub, &ctx);
	}
}

struct watch_newest_ctx {
	const struct profile *p;
	char *stamp;
	char *path;
};

static void watch_newest_file(void *arg, size_t channel, const char *relfile,
    const char *stamp)
{
	struct watch_newest_ctx *n = arg;

	if (strcmp(stamp, n->stamp) <= 0)
		return;
	memcpy(n->stamp, stamp, NFCAPD_STAMP_LEN + 1);
	free(n->path);
	n->path = profile_path(n->p, channel, relfile);
}

void watch_newest(const struct profile *p, char stamp[NFCAPD_STAMP_LEN + 1],
    char **path)
{
	struct watch_newest_ctx n = { p, stamp, NULL };

	stamp[0] = '\0';
	watch_scan(p, watch_newest_file, &n);
	if (path != NULL)
		*path = n.path;
	else
		free(n.path);
}

static void watch_add(struct watch *w, size_t channel, const char *rel,
    int depth, int report);

static struct watch_dir *watch_find(struct watch *w, size_t channel,
    const char *rel)
{
	for (struct watch_dir *d = w->dirs; d != NULL; d = d->next) {
		if (d->channel == channel && strcmp(d->rel, rel) == 0)
			return d;
	}
	return NULL;
}

static void watch_closed(uv_handle_t *h)
{
	struct watch_dir *d = h->data;
	struct watch *w = d->w;

	free(d->rel);
	free(d);
	if (--w->open == 0 && w->stopping)
		free(w);
}

static void watch_drop(struct watch *w, struct watch_dir *gone)
{
	for (struct watch_dir **dp = &w->dirs; *dp != NULL;
	    dp = &(*dp)->next) {
		if (*dp == gone) {
			*dp = gone->next;
			w->ndirs--;
			uv_close((uv_handle_t *)&gone->ev, watch_closed);
			return;
		}
	}
}

static void watch_event(uv_fs_event_t *h, const char *name, int events,
    int status)
{
	struct watch_dir *d = h->data;
	struct watch *w = d->w;
	char *child, *path;

	(void)events;
	if (status < 0) {
		log_warn("channel %s: watching %s: %s",
		    w->p->channels[d->channel], d->rel[0] ? d->rel : ".",
		    uv_strerror(status));
		return;
	}
	if (name == NULL || name[0] == '.')
		return;
	/* Creates, moves and deletes all arrive as UV_RENAME: look. */
	child = watch_join(d->rel, name);
	path = profile_path(w->p, d->channel, child);
	if (strncmp(name, "nfcapd.", 7) == 0) {
		watch_report(w->p, d->channel, d->rel, name, DT_UNKNOWN, w->cb,
		    w->arg);
	} else if (watch_is_dir(path)) {
		if (d->depth < WATCH_MAX_DEPTH)
			watch_add(w, d->channel, child, d->depth + 1, 1);
	} else {
		struct watch_dir *sub = watch_find(w, d->channel, child);

		if (sub != NULL)
			watch_drop(w, sub); /* removed by nfexpire */
	}
	free(path);
	free(child);
}

struct watch_add_ctx {
	struct watch *w;
	size_t channel;
	int depth;
	int report;
	char *newest;
};

/* A new directory: watch all; at start, only the newest (see below). */
static void watch_add_sub(void *arg, const char *rel)
{
	struct watch_add_ctx *ctx = arg;

	if (ctx->report) {
		watch_add(ctx->w, ctx->channel, rel, ctx->depth + 1, 1);
		return;
	}
	if (ctx->newest == NULL || strcmp(rel, ctx->newest) > 0) {
		free(ctx->newest);
		ctx->newest = xstrdup(rel);
	}
}

static void watch_nothing(void *arg, size_t channel, const char *relfile,
    const char *stamp)
{
	(void)arg;
	(void)channel;
	(void)relfile;
	(void)stamp;
}

/*
 * Watches rel and then reads it. With report, a directory that appeared
 * while running: everything in it is new. Without, at start: files are left
 * to watch_scan, and only the newest subdirectory is followed, since nfcapd
 * only ever writes into the newest date directory and old ones would cost
 * an inotify watch each.
 */
static void watch_add(struct watch *w, size_t channel, const char *rel,
    int depth, int report)
{
	struct watch_add_ctx ctx = { w, channel, depth, report, NULL };
	struct watch_dir *d;
	char *path;
	int error;

	/* Also for trees that appear while running: no deeper, no more. */
	if (depth > WATCH_MAX_DEPTH || watch_find(w, channel, rel) != NULL)
		return;
	if (w->ndirs >= WATCH_MAX_DIRS) {
		if (!w->full_warned)
			log_warn("channel %s: not watching %s: already %d "
			    "directories watched; files there are found by "
			    "the rescan (--rescan)", w->p->channels[channel],
			    rel, WATCH_MAX_DIRS);
		w->full_warned = 1;
		return;
	}
	d = xcalloc(1, sizeof *d);
	d->w = w;
	d->channel = channel;
	d->rel = xstrdup(rel);
	d->depth = depth;
	path = watch_path(w->p, channel, rel);
	uv_fs_event_init(w->loop, &d->ev);
	d->ev.data = d;
	w->open++;
	error = uv_fs_event_start(&d->ev, watch_event, path, 0);
	if (error != 0) {
		log_error("channel %s: cannot watch %s: %s",
		    w->p->channels[channel], path, uv_strerror(error));
		uv_close((uv_handle_t *)&d->ev, watch_closed);
		free(path);
		return;
	}
	free(path);
	d->next = w->dirs;
	w->dirs = d;
	w->ndirs++;
	w->added++;
	watch_list(w->p, channel, rel, report ? w->cb : watch_nothing,
	    w->arg, watch_add_sub, &ctx);
	if (ctx.newest != NULL && depth < WATCH_MAX_DEPTH)
		watch_add(w, channel, ctx.newest, depth + 1, 0);
	free(ctx.newest);
}

/* Watches the newest subdirectory at each level below rel, as at start. */
static void watch_follow(struct watch *w, size_t channel, const char *rel,
    int depth)
{
	struct watch_add_ctx ctx = { w, channel, depth, 0, NULL };

	if (watch_find(w, channel, rel) == NULL) {
		watch_add(w, channel, rel, depth, 0);
		return;
	}
	watch_list(w->p, channel, rel, watch_nothing, NULL, watch_add_sub,
	    &ctx);
	if (ctx.newest != NULL && depth < WATCH_MAX_DEPTH)
		watch_follow(w, channel, ctx.newest, depth + 1);
	free(ctx.newest);
}

size_t watch_rescan(struct watch *w)
{
	size_t before = w->added;

	for (size_t i = 0; i < w->p->nchannels; i++)
		watch_follow(w, i, "", 0);
	watch_scan(w->p, w->cb, w->arg);
	return w->added - before;
}

int watch_start(uv_loop_t *loop, const struct profile *p, watch_file_cb cb,
    void *arg, struct watch **wp, char *errstr, size_t errlen)
{
	struct watch *w = xcalloc(1, sizeof *w);

	w->loop = loop;
	w->p = p;
	w->cb = cb;
	w->arg = arg;
	for (size_t i = 0; i < p->nchannels; i++) {
		watch_add(w, i, "", 0, 0);
		if (watch_find(w, i, "") == NULL) {
			snprintf(errstr, errlen, "cannot watch channel %s "
			    "(see the log; inotify limits: "
			    "fs.inotify.max_user_watches)", p->channels[i]);
			*wp = w;
			watch_stop(w);
			return -EIO;
		}
	}
	*wp = w;
	return 0;
}

void watch_stop(struct watch *w)
{
	if (w == NULL)
		return;
	w->stopping = 1;
	while (w->dirs != NULL)
		watch_drop(w, w->dirs);
	if (w->open == 0)
		free(w);
}
