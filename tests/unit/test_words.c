/* SPDX-License-Identifier: BSD-2-Clause */
/* words_split: quoting as a shell does, and nothing more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "strv.h"
#include "words.h"

static void expect_words(const char *line, const char **want, size_t n)
{
	char **w;
	size_t count;
	char err[128];

	assert_int_equal(words_split(line, &w, &count, err, sizeof err), 0);
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(w[i], want[i]);
	assert_null(w[n]);
	strv_free(w);
}

static void test_plain_and_quotes(void **state)
{
	const char *a[] = { "-A", "dstgeo", "-o", "fmt:%ts,%dc", "-N" };
	const char *b[] = { "proto tcp and port 80", "x" };
	const char *c[] = { "it's", "a\"b", "c d" };

	(void)state;
	expect_words("-A dstgeo -o 'fmt:%ts,%dc' -N", a, 5);
	expect_words("  \"proto tcp and port 80\"\tx  ", b, 2);
	expect_words("it\\'s \"a\\\"b\" c\\ d", c, 3);
}

static void test_empty_words(void **state)
{
	const char *a[] = { "", "x" };

	(void)state;
	expect_words("'' x", a, 2);
	expect_words("   ", NULL, 0);
}

static void test_no_expansion(void **state)
{
	const char *a[] = { "$HOME", "*", "~", "`id`" };

	(void)state;
	expect_words("$HOME * ~ `id`", a, 4);
}

static void test_unterminated(void **state)
{
	char **w;
	char err[128];

	(void)state;
	assert_int_equal(words_split("-o 'fmt:%ts", &w, NULL, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, "single quote"));
	assert_int_equal(words_split("\"x", &w, NULL, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "double quote"));
	assert_int_equal(words_split("x\\", &w, NULL, err, sizeof err),
	    -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quotes),
		cmocka_unit_test(test_empty_words),
		cmocka_unit_test(test_no_expansion),
		cmocka_unit_test(test_unterminated),
	};

	return cmocka_run_group_tests_name("words", tests, NULL, NULL);
}
