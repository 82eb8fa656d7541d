/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The memory of recently exported windows: per window its revision and
 * each channel file's identity (size, mtime, inode), so a file that grows
 * (nfcapd appending on a restart), is replaced, or appears late is noticed
 * and the window exported again. Bounded: the newest max windows.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger.h"
#include "xmalloc.h"

struct ledger {
	size_t nchannels;
	size_t max;
	struct ledger_window *v;	/* sorted by stamp */
	size_t n;
	struct ledger_window inflight;	/* stamp "" when none */
};

struct ledger *ledger_new(size_t nchannels, size_t max)
{
	struct ledger *lg = xcalloc(1, sizeof *lg);

	lg->nchannels = nchannels;
	lg->max = max > 0 ? max : 1;
	lg->v = xcalloc(lg->max, sizeof *lg->v);
	lg->inflight.files = xcalloc(nchannels, sizeof *lg->inflight.files);
	return lg;
}

static void ledger_window_clear(struct ledger_window *w)
{
	free(w->relfile);
	free(w->files);
}

void ledger_free(struct ledger *lg)
{
	if (lg == NULL)
		return;
	for (size_t i = 0; i < lg->n; i++)
		ledger_window_clear(&lg->v[i]);
	free(lg->v);
	ledger_window_clear(&lg->inflight);
	free(lg);
}

size_t ledger_count(const struct ledger *lg)
{
	return lg->n;
}

size_t ledger_channels(const struct ledger *lg)
{
	return lg->nchannels;
}

const struct ledger_window *ledger_at(const struct ledger *lg, size_t i)
{
	return i < lg->n ? &lg->v[i] : NULL;
}

/* Index of stamp, or where it would go; *found says which. */
static size_t ledger_index(const struct ledger *lg, const char *stamp,
    int *found)
{
	size_t lo = 0, hi = lg->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(lg->v[mid].stamp, stamp);

		if (cmp == 0) {
			*found = 1;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

const struct ledger_window *ledger_find(const struct ledger *lg,
    const char *stamp)
{
	int found;
	size_t i = ledger_index(lg, stamp, &found);

	return found ? &lg->v[i] : NULL;
}

static void ledger_fill(struct ledger *lg, struct ledger_window *w,
    const char *stamp, const char *relfile, unsigned revision,
    const struct ledger_file *files)
{
	char *rel = xstrdup(relfile);

	free(w->relfile);
	w->relfile = rel;
	memcpy(w->stamp, stamp, sizeof w->stamp);
	w->revision = revision;
	if (w->files == NULL)
		w->files = xcalloc(lg->nchannels, sizeof *w->files);
	memcpy(w->files, files, lg->nchannels * sizeof *w->files);
}

void ledger_put(struct ledger *lg, const char *stamp, const char *relfile,
    unsigned revision, const struct ledger_file *files)
{
	int found;
	size_t i = ledger_index(lg, stamp, &found);

	if (!found) {
		if (lg->n == lg->max) {
			if (i == 0)
				return;	/* older than all we remember */
			ledger_window_clear(&lg->v[0]);
			memmove(lg->v, lg->v + 1, --lg->n * sizeof *lg->v);
			i--;
		}
		memmove(lg->v + i + 1, lg->v + i, (lg->n - i) * sizeof *lg->v);
		memset(&lg->v[i], 0, sizeof lg->v[i]);
		lg->n++;
	}
	ledger_fill(lg, &lg->v[i], stamp, relfile, revision, files);
}

void ledger_drop(struct ledger *lg, const char *stamp)
{
	int found;
	size_t i = ledger_index(lg, stamp, &found);

	if (!found)
		return;
	ledger_window_clear(&lg->v[i]);
	memmove(lg->v + i, lg->v + i + 1, (--lg->n - i) * sizeof *lg->v);
}

void ledger_set_inflight(struct ledger *lg, const char *stamp,
    const char *relfile, unsigned revision, const struct ledger_file *files)
{
	if (stamp == NULL) {
		lg->inflight.stamp[0] = '\0';
		return;
	}
	ledger_fill(lg, &lg->inflight, stamp, relfile, revision, files);
}

const struct ledger_window *ledger_inflight(const struct ledger *lg)
{
	return lg->inflight.stamp[0] != '\0' ? &lg->inflight : NULL;
}

unsigned long ledger_look(const struct profile *p, const char *relfile,
    struct ledger_file *files)
{
	unsigned long mask = 0;

	for (size_t i = 0; i < p->nchannels; i++) {
		char *path = profile_path(p, i, relfile);
		struct stat st;

		memset(&files[i], 0, sizeof files[i]);
		/* Not followed: nfcapd renames regular files into place. */
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			files[i].size = (uint64_t)st.st_size;
			files[i].mtime_ns = (int64_t)st.st_mtim.tv_sec *
			    1000000000 + st.st_mtim.tv_nsec;
			files[i].ino = (uint64_t)st.st_ino;
			mask |= 1UL << i;
		}
		free(path);
	}
	return mask;
}

int ledger_changed(const struct ledger_file *was,
    const struct ledger_file *now)
{
	/* A file that went away (nfexpire) takes no flows from Kafka. */
	if (now->ino == 0)
		return 0;
	return was->ino != now->ino || was->size != now->size ||
	    was->mtime_ns != now->mtime_ns;
}
