/* SPDX-License-Identifier: BSD-2-Clause */
/* Shell-style word splitting with quotes, and nothing else a shell does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "words.h"
#include "xmalloc.h"

struct words_builder {
	char **words;
	size_t count;
	char *cur;
	size_t len;
	int in_word;
};

static void words_put(struct words_builder *b, char c)
{
	b->cur[b->len++] = c;
	b->in_word = 1;
}

static void words_end(struct words_builder *b)
{
	if (!b->in_word)
		return;
	strv_pushn(&b->words, &b->count, b->cur, b->len);
	b->len = 0;
	b->in_word = 0;
}

/* Inside "...", a backslash only escapes the characters a shell says it does. */
static int words_dquote_escapes(char c)
{
	return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

int words_split(const char *line, char ***wordsp, size_t *countp,
    char *errstr, size_t errlen)
{
	struct words_builder b = { 0 };
	const char *p = line;
	char quote = 0;

	b.cur = xmalloc(strlen(line) + 1);
	b.words = xcalloc(1, sizeof *b.words);
	for (; *p != '\0'; p++) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = 0;
			else
				words_put(&b, *p);
		} else if (quote == '"') {
			if (*p == '"')
				quote = 0;
			else if (*p == '\\' && words_dquote_escapes(p[1]))
				words_put(&b, *++p);
			else
				words_put(&b, *p);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			b.in_word = 1;
		} else if (*p == '\\') {
			if (p[1] == '\0')
				break;
			words_put(&b, *++p);
		} else if (*p == ' ' || *p == '\t' || *p == '\n') {
			words_end(&b);
		} else {
			words_put(&b, *p);
		}
	}
	if (quote != 0 || *p == '\\') {
		snprintf(errstr, errlen, "unterminated %s",
		    quote == '\'' ? "single quote" :
		    quote == '"' ? "double quote" : "backslash at the end");
		free(b.cur);
		strv_free(b.words);
		return -EINVAL;
	}
	words_end(&b);
	free(b.cur);
	*wordsp = b.words;
	if (countp != NULL)
		*countp = b.count;
	return 0;
}
