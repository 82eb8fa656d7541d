/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The paths the watcher accepts: a tree made from the input (directories,
 * or symbolic links out of the channel where a name starts with '@') with
 * a window file at its end. Whatever watch_scan reports must be a regular
 * file inside the channel directory, named relative to it without "..",
 * and must come back unchanged from the state file.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "ledger.h"
#include "state.h"
#include "watch.h"

static char base[64], chan[96], state[96];
static char *channels[] = { "chanA", NULL };
static struct profile profile = { NULL, channels, 1 };

static int fuzz_rm(const char *p, const struct stat *st, int flag,
    struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void fuzz_cleanup(void)
{
	nftw(base, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_check(void *arg, size_t channel, const char *relfile,
    const char *stamp)
{
	char *full, *real, st[NFCAPD_STAMP_LEN + 1], err[256];
	struct ledger *lg = ledger_new(1, 2), *back = ledger_new(1, 2);
	struct ledger_file f = { 1, 2, 3 };
	struct stat sb;

	(void)arg;
	if (channel != 0 || relfile[0] == '/' ||
	    nfcapd_check_relfile(relfile, st, err, sizeof err) != 0 ||
	    strcmp(st, stamp) != 0)
		abort();
	full = profile_path(&profile, 0, relfile);
	real = realpath(full, NULL);
	if (lstat(full, &sb) != 0 || !S_ISREG(sb.st_mode) || real == NULL ||
	    strncmp(real, chan, strlen(chan)) != 0 || real[strlen(chan)] != '/')
		abort();
	ledger_put(lg, stamp, relfile, 0, &f);
	if (state_save(state, &profile, stamp, lg, err, sizeof err) != 0 ||
	    state_load(state, &profile, st, back, err, sizeof err) != 0 ||
	    ledger_find(back, stamp) == NULL ||
	    strcmp(ledger_find(back, stamp)->relfile, relfile) != 0)
		abort();
	ledger_free(lg);
	ledger_free(back);
	free(real);
	free(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size), *save, *name, *dir;
	FILE *f;

	if (base[0] == '\0') {
		snprintf(base, sizeof base, "/tmp/nfkafka-fuzz-watch.XXXXXX");
		if (mkdtemp(base) == NULL)
			abort();
		snprintf(chan, sizeof chan, "%s/chanA", base);
		snprintf(state, sizeof state, "%s/state", base);
		profile.dir = base;
		atexit(fuzz_cleanup);
	}
	nftw(chan, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(chan, 0700) != 0)
		abort();
	dir = strdup(chan);
	for (name = strtok_r(in, "/", &save); name != NULL;
	    name = strtok_r(NULL, "/", &save)) {
		char *next;

		if (asprintf(&next, "%s/%s", dir, name[0] == '@' ? name + 1 :
		    name) < 0)
			abort();
		if (name[0] == '@' && name[1] != '\0')
			(void)symlink(base, next);
		else
			(void)mkdir(next, 0700);
		free(dir);
		dir = next;
	}
	name = NULL;
	if (asprintf(&name, "%s/nfcapd.202611271000", dir) < 0)
		abort();
	if ((f = fopen(name, "w")) != NULL)
		fclose(f);
	watch_scan(&profile, fuzz_check, NULL);
	free(name);
	free(dir);
	free(in);
	return 0;
}
