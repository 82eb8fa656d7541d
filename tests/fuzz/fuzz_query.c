/* SPDX-License-Identifier: BSD-2-Clause */
/* The -Q query: shell-like word splitting, then nfdump's options checked. */
#include "fuzz.h"
#include "query.h"
#include "strv.h"
#include "words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Each version's options, modes and tokens: 1.7.1, 1.7.8, unknown. */
	const struct dialect d[] = { dialect_of(DIALECT_V(1, 7, 1)),
		dialect_of(DIALECT_V(1, 7, 8)), { 0 } };
	struct query q;
	char err[512], **words, *text = fuzz_string(data, size);
	size_t n;

	if (words_split(text, &words, &n, err, sizeof err) == 0)
		strv_free(words);
	for (size_t i = 0; i < sizeof d / sizeof *d; i++) {
		if (query_parse(text, &d[i], &q, err, sizeof err) != 0)
			continue;
		char **argv = query_argv(&q, "nfdump", "/d/chan", "nfcapd.1");
		char *filter = query_filter_text(&q);

		strv_free(argv);
		free(filter);
		query_free(&q);
	}
	free(text);
	return 0;
}
