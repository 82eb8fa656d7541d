/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The state file round trip: any file name the watcher can report is
 * saved and loaded back unchanged, as the one window of its line.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "ledger.h"
#include "state.h"

static char path[64];
static char *channels[] = { "chanA", "chanB", NULL };
static const struct profile profile = { "/nonexistent", channels, 2 };

static void fuzz_remove(void)
{
	unlink(path);
}

/*
 * What readdir can give the watcher: up to five directories, each a
 * non-empty name without '/' or NUL that does not start with '.'.
 */
static int fuzz_watchable(const char *dirs, size_t len)
{
	size_t start = 0, levels = 0;

	if (memchr(dirs, '\0', len) != NULL)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && dirs[i] != '/')
			continue;
		if (i == start || dirs[start] == '.' || i - start > 255 ||
		    ++levels > 5)
			return 0;
		start = i + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char stamp[NFCAPD_STAMP_LEN + 1], err[512], *rel;
	struct ledger *lg, *back;
	struct ledger_file f[2] = { { 1, 2, 3 }, { 0, 0, 0 } };
	const struct ledger_window *w;

	if (size == 0 || !fuzz_watchable((const char *)data, size))
		return 0;
	if (path[0] == '\0') {
		int fd;

		snprintf(path, sizeof path, "/tmp/nfkafka-fuzz-rt.XXXXXX");
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
		atexit(fuzz_remove);
	}
	rel = malloc(size + 32);
	if (rel == NULL)
		abort();
	memcpy(rel, data, size);
	strcpy(rel + size, "/nfcapd.202611271000");
	lg = ledger_new(2, 4);
	back = ledger_new(2, 4);
	ledger_put(lg, "20261127100000", rel, 7, f);
	if (state_save(path, &profile, "20261127100000", lg, err,
	    sizeof err) != 0 ||
	    state_load(path, &profile, stamp, back, err, sizeof err) != 0)
		abort();
	w = ledger_find(back, "20261127100000");
	if (ledger_count(back) != 1 || w == NULL || w->revision != 7 ||
	    strcmp(w->relfile, rel) != 0 || w->files[0].ino != 3 ||
	    strcmp(stamp, "20261127100000") != 0)
		abort();
	ledger_free(lg);
	ledger_free(back);
	free(rel);
	return 0;
}
