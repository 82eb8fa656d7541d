/* The -Q query: shell-like word splitting, then nfdump's options checked. */
#include "fuzz.h"
#include "query.h"
#include "strv.h"
#include "words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query q;
	char err[512], **words, *text = fuzz_string(data, size);
	size_t n;

	if (words_split(text, &words, &n, err, sizeof err) == 0)
		strv_free(words);
	if (query_parse(text, &q, err, sizeof err) == 0) {
		char **argv = query_argv(&q, "nfdump", "/d/chan", "nfcapd.1");
		char *filter = query_filter_text(&q);

		strv_free(argv);
		free(filter);
		query_free(&q);
	}
	free(text);
	return 0;
}
