/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The data path's CPU per record without a broker: nfdump's output text
 * (a file of record lines, as nfdump -q prints them) parsed and encoded
 * as export.c does, for callgrind to count (issue 21). Prints a hash of
 * every encoded byte, so a change that pays must also leave it unchanged.
 *
 *   make && cc -std=c11 -D_DEFAULT_SOURCE -O2 -g -Iinclude \
 *       -o build/encode_cost tests/tools/encode_cost.c \
 *       $(ls build/obj/[a-z]*.o | grep -v main.o) \
 *       $(pkg-config --libs libuv rdkafka libcbor inih libcurl jemalloc)
 *   valgrind --tool=callgrind --toggle-collect=encode_cost_run \
 *       build/encode_cost cbor 'fmt:%ts,...' rows.txt
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro.h"
#include "dialect.h"
#include "encode.h"
#include "record.h"
#include "schema.h"

struct encode_cost {
	struct row row;
	struct encode_handle h;
	struct encode_buf out;
	int strings;
	uint64_t hash;
	uint64_t misfits;
	uint64_t rejected;
};

/* FNV-1a over the encoded messages, each followed by its length. */
static void encode_cost_hash(struct encode_cost *c)
{
	for (size_t i = 0; i < c->out.len; i++)
		c->hash = (c->hash ^ c->out.p[i]) * UINT64_C(1099511628211);
	c->hash = (c->hash ^ c->out.len) * UINT64_C(1099511628211);
}

/* The measured part: one line parsed, typed and encoded. */
__attribute__((noinline)) int encode_cost_run(struct encode_cost *c,
    const char *line, size_t len);

int encode_cost_run(struct encode_cost *c, const char *line, size_t len)
{
	char why[256];

	/* Not a record: counted, and hashed as an empty message. */
	if (record_parse(&c->row, line, len, c->strings) != 0) {
		c->out.len = 0;
		c->rejected++;
		return 0;
	}
	c->misfits += c->row.misfits;
	c->row.index++;
	if (encode_record(&c->h, &c->row, &c->out, why, sizeof why) != 0) {
		fprintf(stderr, "%s\n", why);
		return -1;
	}
	return 0;
}

static int encode_cost_lines(struct encode_cost *c, char *text, size_t len)
{
	char *p = text, *end = text + len, *nl;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (encode_cost_run(c, p, (size_t)(nl - p)) != 0)
			return -1;
		encode_cost_hash(c);
	}
	return 0;
}

static char *encode_cost_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		return NULL;
	rewind(f);
	text = malloc((size_t)n + 1);
	if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n)
		return NULL;
	fclose(f);
	*len = (size_t)n;
	return text;
}

int main(int argc, char **argv)
{
	struct dialect d = dialect_of(DIALECT_V(1, 7, 1));
	struct encode_options o = { .values = ENCODE_TYPED };
	struct encode_cost c = { .hash = UINT64_C(14695981039346656037) };
	enum encode_format format;
	struct schema schema;
	char err[256];
	size_t len;
	char *text;

	if (argc < 4) {
		fprintf(stderr, "usage: encode_cost cbor|json|avro[-strings|"
		    "-identity] fmt:... rows.txt\n");
		return 2;
	}
	format = strncmp(argv[1], "json", 4) == 0 ? ENCODE_JSON :
	    strncmp(argv[1], "avro", 4) == 0 ? ENCODE_AVRO : ENCODE_CBOR;
	c.strings = strstr(argv[1], "-strings") != NULL;
	o.values = c.strings ? ENCODE_STRINGS : ENCODE_TYPED;
	o.identity = strstr(argv[1], "-identity") != NULL;
	o.topic = "cost";
	if (strncmp(argv[2], "fmt:", 4) != 0 ||
	    schema_from_tokens(&d, argv[2] + 4, &schema, err, sizeof err) !=
	    0) {
		fprintf(stderr, "%s: %s\n", argv[2], err);
		return 2;
	}
	if ((text = encode_cost_read(argv[3], &len)) == NULL) {
		perror(argv[3]);
		return 2;
	}
	if (encode_open(format, &o, &c.h, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (format == ENCODE_AVRO)
		avro_set_id(c.h.enc, 0, 1);
	record_row_init(&c.row, &schema);
	c.row.window_start = 1764650200;
	encode_buf_init(&c.out);
	if (encode_cost_lines(&c, text, len) != 0)
		return 1;
	printf("%s: %" PRIu64 " records, %" PRIu64 " misfits, %" PRIu64
	    " not records, hash %016" PRIx64 "\n", argv[1], c.row.index,
	    c.misfits, c.rejected, c.hash);
	encode_buf_free(&c.out);
	record_row_free(&c.row);
	encode_close(&c.h);
	schema_free(&schema);
	free(text);
	return 0;
}
