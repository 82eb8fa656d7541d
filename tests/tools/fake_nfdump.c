/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A stand-in nfdump for a root file system that holds nothing but the
 * static nfkafka (tests/tools/static_check.py): built static, it needs no
 * library. It prints what the real nfdump printed, recorded beforehand:
 * /nfdump.version for -V, /nfdump.out (the test's window) otherwise.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *path = "/nfdump.out";
	char buf[65536];
	size_t n;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-V") == 0)
			path = "/nfdump.version";
	}
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}
