/* SPDX-License-Identifier: BSD-2-Clause */
/* config_parse: defaults, option forms, the config file and its overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "export.h"
#include "query.h"

#define ARGV(...) { "nfkafka", __VA_ARGS__, NULL }
#define ARGC(v) ((int)(sizeof(v) / sizeof *(v)) - 1)

static int parse(char **argv, int argc, struct config *c, char *err,
    size_t errlen)
{
	err[0] = '\0';
	return config_parse(argc, argv, c, err, errlen);
}

/* A config file in a fresh temporary path; the caller unlinks it. */
static char *write_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/nfkafka-test-config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	return path;
}

static void test_defaults(void **state)
{
	char *argv[] = ARGV("-M", "/d/a:b", "-b", "k:9092");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(argv, ARGC(argv), &c, err, sizeof err), 0);
	assert_string_equal(c.topic, CONFIG_DEFAULT_TOPIC);
	assert_string_equal(c.query, QUERY_DEFAULT);
	assert_string_equal(c.nfdump, "nfdump");
	assert_int_equal(c.grace_s, CONFIG_DEFAULT_GRACE);
	assert_int_equal(c.flush_ms, 10000);
	assert_int_equal(c.headers, EXPORT_HEADERS_COMPACT);
	assert_int_equal(c.values, ENCODE_TYPED);
	assert_int_equal(c.nprops, 0);
	config_free(&c);
}

static void test_host_and_port_make_brokers(void **state)
{
	char *argv[] = ARGV("-M", "/d/a", "-i", "kafka1", "-p", "9093");
	char *bare[] = ARGV("-M", "/d/a", "-i", "kafka1");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(argv, ARGC(argv), &c, err, sizeof err), 0);
	assert_string_equal(c.brokers, "kafka1:9093");
	config_free(&c);
	assert_int_equal(parse(bare, ARGC(bare), &c, err, sizeof err), 0);
	assert_string_equal(c.brokers, "kafka1:9092");
	config_free(&c);
}

static void test_property_split_once(void **state)
{
	char *argv[] = ARGV("-M", "/d/a", "-b", "k:1", "-X", "linger.ms=7",
	    "-X", "client.id=a=b");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(argv, ARGC(argv), &c, err, sizeof err), 0);
	assert_int_equal(c.nprops, 2);
	assert_string_equal(c.props[0].name, "linger.ms");
	assert_string_equal(c.props[0].value, "7");
	assert_string_equal(c.props[1].name, "client.id");
	assert_string_equal(c.props[1].value, "a=b");
	config_free(&c);
}

static void test_property_from_environment(void **state)
{
	char *argv[] = ARGV("-M", "/d/a", "-b", "k:1", "-X",
	    "sasl.password=${env:NFKAFKA_TEST_SECRET}");
	char *unset[] = ARGV("-M", "/d/a", "-b", "k:1", "-X",
	    "sasl.password=${env:NFKAFKA_TEST_UNSET}");
	struct config c;
	char err[512];

	(void)state;
	setenv("NFKAFKA_TEST_SECRET", "s3cret", 1);
	unsetenv("NFKAFKA_TEST_UNSET");
	assert_int_equal(parse(argv, ARGC(argv), &c, err, sizeof err), 0);
	assert_string_equal(c.props[0].value, "s3cret");
	config_free(&c);
	assert_int_equal(parse(unset, ARGC(unset), &c, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "NFKAFKA_TEST_UNSET"));
	config_free(&c);
}

static void test_bad_values_name_the_option(void **state)
{
	char *grace[] = ARGV("-M", "/d/a", "-b", "k:1", "--grace", "soon");
	char *port[] = ARGV("-M", "/d/a", "-i", "h", "-p", "70000");
	char *values[] = ARGV("-M", "/d/a", "-b", "k:1", "--values", "x");
	char *since[] = ARGV("-M", "/d/a", "-b", "k:1", "--since",
	    "2026-02-30");
	char *both[] = ARGV("-M", "/d/a", "-b", "k:1", "-i", "h");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(grace, ARGC(grace), &c, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "--grace soon"));
	config_free(&c);
	assert_int_equal(parse(port, ARGC(port), &c, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "-p 70000"));
	config_free(&c);
	assert_int_equal(parse(values, ARGC(values), &c, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "--values x"));
	config_free(&c);
	assert_int_equal(parse(since, ARGC(since), &c, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "--since"));
	config_free(&c);
	assert_int_equal(parse(both, ARGC(both), &c, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "-b and -i"));
	config_free(&c);
}

static void test_missing_essentials(void **state)
{
	char *nobroker[] = ARGV("-M", "/d/a");
	char *noprofile[] = ARGV("-b", "k:1");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(nobroker, ARGC(nobroker), &c, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, "no Kafka brokers"));
	config_free(&c);
	assert_int_equal(parse(noprofile, ARGC(noprofile), &c, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, "no channels"));
	config_free(&c);
}

static void test_replay_takes_two_times(void **state)
{
	char *ok[] = ARGV("-M", "/d/a", "-b", "k:1", "--replay",
	    "2026-11-27 06:00", "202611271200");
	char *backwards[] = ARGV("-M", "/d/a", "-b", "k:1", "--replay",
	    "202611271200", "202611270600");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(ok, ARGC(ok), &c, err, sizeof err), 0);
	assert_string_equal(c.replay_from, "20261127060000");
	assert_string_equal(c.replay_to, "20261127120000");
	config_free(&c);
	assert_int_equal(parse(backwards, ARGC(backwards), &c, err,
	    sizeof err), -EINVAL);
	assert_non_null(strstr(err, "FROM is after TO"));
	config_free(&c);
}

static void test_file_then_command_line(void **state)
{
	char *path = write_file("profile = /d/a:b\nbrokers = k:1\n"
	    "grace = 5\ntopic = from-file\n[kafka]\nlinger.ms = 9\n");
	char *argv[] = ARGV("-c", path, "-t", "from-cli");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(argv, ARGC(argv), &c, err, sizeof err), 0);
	assert_string_equal(c.profile, "/d/a:b");
	assert_string_equal(c.topic, "from-cli");
	assert_int_equal(c.grace_s, 5);
	assert_int_equal(c.nprops, 1);
	assert_string_equal(c.props[0].name, "linger.ms");
	assert_string_equal(c.props[0].value, "9");
	config_free(&c);
	unlink(path);
}

static void test_file_errors_name_the_line(void **state)
{
	char *path = write_file("profile = /d/a\nbrokers = k:1\n"
	    "no-such-key = 1\n");
	char *argv[] = ARGV("-c", path);
	struct config c;
	char err[512], want[128];

	(void)state;
	assert_int_equal(parse(argv, ARGC(argv), &c, err, sizeof err),
	    -EINVAL);
	snprintf(want, sizeof want, "%s:3:", path);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "no-such-key"));
	config_free(&c);
	unlink(path);
}

static void test_file_refuses_modes(void **state)
{
	char *path = write_file("once = 2026/11/27/nfcapd.202611271055\n");
	char *argv[] = ARGV("-c", path, "-M", "/d/a", "-b", "k:1");
	struct config c;
	char err[512];

	(void)state;
	assert_int_equal(parse(argv, ARGC(argv), &c, err, sizeof err),
	    -EINVAL);
	assert_non_null(strstr(err, "command-line option"));
	config_free(&c);
	unlink(path);
}

/* The man page's option entry that a line starting ".It Fl" begins. */
struct man_entry {
	char names[8][40];	/* letters and long names, without dashes */
	int nnames;
	int scope;		/* enum config_scope, or -1: not said */
};

static void man_entry_names(const char *line, struct man_entry *e)
{
	char copy[512], *save = NULL, *w;
	int after_fl = 0;

	snprintf(copy, sizeof copy, "%s", line);
	for (w = strtok_r(copy, " \t\n", &save); w != NULL;
	    w = strtok_r(NULL, " \t\n", &save)) {
		if (after_fl && e->nnames < 8)
			snprintf(e->names[e->nnames++], sizeof e->names[0], "%s",
			    w[0] == '-' ? w + 1 : w);
		after_fl = strcmp(w, "Fl") == 0;
	}
}

static int man_scope(const char *line)
{
	if (strstr(line, "Reload: yes") != NULL)
		return CONFIG_RELOAD;
	if (strstr(line, "Reload: restart") != NULL)
		return CONFIG_RESTART;
	if (strstr(line, "Command line only") != NULL)
		return CONFIG_CLI;
	if (strstr(line, "Used at start only") != NULL)
		return CONFIG_START;
	return -1;
}

/* The entries of nfkafka(8)'s OPTIONS section. */
static int man_entries(struct man_entry *entries, int max)
{
	const char *path = getenv("NFKAFKA_MAN");
	char line[512];
	int in = 0, n = 0;
	FILE *f = fopen(path != NULL ? path : "man/nfkafka.8", "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, ".Sh ", 4) == 0)
			in = strncmp(line, ".Sh OPTIONS", 11) == 0;
		else if (in && strncmp(line, ".It Fl ", 7) == 0) {
			assert_true(n < max);
			memset(&entries[n], 0, sizeof entries[n]);
			entries[n].scope = -1;
			man_entry_names(line, &entries[n++]);
		} else if (in && n > 0 && entries[n - 1].scope < 0)
			entries[n - 1].scope = man_scope(line);
	}
	fclose(f);
	return n;
}

static const struct config_option *table_row(const char *name)
{
	for (size_t i = 0; i < config_table_size; i++) {
		const struct config_option *o = &config_table[i];

		if (strcmp(o->name, name) == 0 || (strlen(name) == 1 &&
		    o->shortname == name[0]))
			return o;
	}
	return NULL;
}

/*
 * Both ways: each entry of the man page's OPTIONS names a row (its letter
 * and long name), with the row's reload behaviour, in the table's order;
 * each row has an entry.
 */
static void test_man_page_lists_the_table(void **state)
{
	struct man_entry entries[128];
	int n = man_entries(entries, 128);
	size_t seen[128] = { 0 };
	ptrdiff_t last = 0;

	(void)state;
	for (int i = 0; i < n; i++) {
		const struct config_option *o = table_row(entries[i].names[0]);
		int has_long = 0;

		if (o == NULL)
			fail_msg("nfkafka(8) has -%s%s, the table has not",
			    strlen(entries[i].names[0]) > 1 ? "-" : "",
			    entries[i].names[0]);
		for (int j = 0; j < entries[i].nnames; j++) {
			if (table_row(entries[i].names[j]) != o)
				fail_msg("nfkafka(8): %s in %s's entry",
				    entries[i].names[j], o->name);
			has_long |= strcmp(entries[i].names[j], o->name) == 0;
		}
		if (!has_long)
			fail_msg("nfkafka(8): --%s missing", o->name);
		if (entries[i].scope != (int)o->scope)
			fail_msg("nfkafka(8): --%s's reload is not the table's",
			    o->name);
		/* --help lists the options in the man page's order. */
		if (o - config_table < last)
			fail_msg("nfkafka(8) has --%s after --%s; the table "
			    "before", o->name, config_table[last].name);
		last = o - config_table;
		seen[last]++;
	}
	for (size_t i = 0; i < config_table_size; i++) {
		if (seen[i] != 1)
			fail_msg("nfkafka(8) has --%s %zu times, not once",
			    config_table[i].name, seen[i]);
	}
}

/* A letter the table's short form would list is its row's. */
static void test_table_is_well_formed(void **state)
{
	(void)state;
	assert_true(config_table_size <= 96);
	for (size_t i = 0; i < config_table_size; i++) {
		const struct config_option *o = &config_table[i];

		assert_non_null(o->help);
		assert_true(o->type != CONFIG_CHOICE || o->choices != NULL);
		assert_true(table_row(o->name) == o);
		assert_true(o->shortname == 0 || table_row((char[]){
		    (char)o->shortname, '\0' }) == o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_host_and_port_make_brokers),
		cmocka_unit_test(test_property_split_once),
		cmocka_unit_test(test_property_from_environment),
		cmocka_unit_test(test_bad_values_name_the_option),
		cmocka_unit_test(test_missing_essentials),
		cmocka_unit_test(test_replay_takes_two_times),
		cmocka_unit_test(test_file_then_command_line),
		cmocka_unit_test(test_file_errors_name_the_line),
		cmocka_unit_test(test_file_refuses_modes),
		cmocka_unit_test(test_man_page_lists_the_table),
		cmocka_unit_test(test_table_is_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
