/* SPDX-License-Identifier: BSD-2-Clause */
/* The --state file's content, read back at start. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "ledger.h"
#include "state.h"

static char path[64];
static char *channels[] = { "chanA", "chanB", NULL };
static const struct profile profile = { "/nonexistent", channels, 2 };

static void fuzz_state_remove(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char stamp[NFCAPD_STAMP_LEN + 1], err[512];
	struct ledger *lg;
	FILE *f;

	/* A real file: state_load reads a path, as nfkafka does. */
	if (path[0] == '\0') {
		int fd;

		snprintf(path, sizeof path, "/tmp/nfkafka-fuzz-state.XXXXXX");
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
		atexit(fuzz_state_remove);
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	lg = ledger_new(profile.nchannels, 8);
	/* The floor is a whole stamp, or "" when nothing was on disk. */
	if (state_load(path, &profile, stamp, lg, err, sizeof err) == 0 &&
	    stamp[0] != '\0' && strlen(stamp) != NFCAPD_STAMP_LEN)
		abort();
	ledger_free(lg);
	return 0;
}
