/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The window summary: one message per exported window saying how many
 * records went where, so a consumer can prove a window arrived complete.
 * Encoded like the records (CBOR or JSON); produced after the last record
 * is acknowledged, inside the window's transaction in exactly-once mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "xmalloc.h"

void summary_ack(struct summary *s, int32_t partition, int64_t offset,
    uint32_t count)
{
	struct summary_part *p;

	if (partition < 0 || offset < 0)
		return;
	if ((size_t)partition >= s->nparts) {
		size_t n = (size_t)partition + 1;

		s->parts = xrealloc(s->parts, n * sizeof *s->parts);
		memset(s->parts + s->nparts, 0, (n - s->nparts) *
		    sizeof *s->parts);
		s->nparts = n;
	}
	p = &s->parts[partition];
	if (p->messages == 0 || offset < p->first)
		p->first = offset;
	if (p->messages == 0 || offset > p->last)
		p->last = offset;
	p->messages++;
	p->records += count;
}

void summary_free(struct summary *s)
{
	free(s->parts);
	s->parts = NULL;
	s->nparts = 0;
}

/* Reads digits up to the end or a ','; -EINVAL if there are none. */
static int summary_number(const char **pp, const char *end, uint64_t *v)
{
	const char *p = *pp;

	*v = 0;
	if (p == end || *p < '0' || *p > '9')
		return -EINVAL;
	while (p < end && *p >= '0' && *p <= '9')
		*v = *v * 10 + (uint64_t)(*p++ - '0');
	if (p < end && *p != ',')
		return -EINVAL;
	*pp = p;
	return 0;
}

static int summary_expect(const char **pp, const char *end, const char *text)
{
	size_t n = strlen(text);

	if ((size_t)(end - *pp) < n || memcmp(*pp, text, n) != 0)
		return -EINVAL;
	*pp += n;
	return 0;
}

int summary_parse_totals(const char *line, size_t len, int csv,
    struct summary_totals *t)
{
	const char *p = line, *end = line + len;
	const char *sep[3] = { "Summary: total flows: ", ", total bytes: ",
		", total packets: " };
	uint64_t *out[3] = { &t->flows, &t->bytes, &t->packets };

	for (int i = 0; i < 3; i++) {
		if (summary_expect(&p, end, csv ? (i == 0 ? "" : ",") :
		    sep[i]) != 0 || summary_number(&p, end, out[i]) != 0)
			return -EINVAL;
	}
	t->known = 1;
	return 0;
}

/* The channels in (or, with missing, not in) the mask, as names. */
static size_t summary_channels(const struct summary *s, int missing,
    const char **names)
{
	size_t n = 0;

	for (size_t i = 0; i < s->profile->nchannels; i++) {
		if (!(s->mask & (1UL << i)) == !!missing)
			names[n++] = s->profile->channels[i];
	}
	return n;
}

static void summary_names(struct encode_writer *w, const char *key,
    const struct summary *s, int missing, const char **names)
{
	size_t n = summary_channels(s, missing, names);

	encode_open_array(w, key, n);
	for (size_t i = 0; i < n; i++)
		encode_put_text(w, NULL, names[i]);
	encode_close_array(w);
}

/* nfdump's totals, null when it printed none we could read. */
static void summary_total(struct encode_writer *w, const char *key,
    uint64_t v, int known)
{
	if (known)
		encode_put_uint(w, key, v);
	else
		encode_put_null(w, key);
}

static void summary_parts(struct encode_writer *w, const struct summary *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nparts; i++)
		n += s->parts[i].messages > 0;
	encode_open_array(w, "partitions", n);
	for (size_t i = 0; i < s->nparts; i++) {
		const struct summary_part *p = &s->parts[i];

		if (p->messages == 0)
			continue;
		encode_open_map(w, NULL, 5);
		encode_put_uint(w, "partition", i);
		encode_put_uint(w, "first_offset", (uint64_t)p->first);
		encode_put_uint(w, "last_offset", (uint64_t)p->last);
		encode_put_uint(w, "messages", p->messages);
		encode_put_uint(w, "records", p->records);
		encode_close_map(w);
	}
	encode_close_array(w);
}

/* Written once, in whatever encoding the records use. */
void summary_encode(const struct summary *s, struct encode_handle *h,
    struct encode_buf *out)
{
	const char **names = xcalloc(s->profile->nchannels + 1,
	    sizeof *names);
	struct encode_writer w;

	encode_writer_start(&w, h, out);
	encode_open_map(&w, NULL, 14);
	encode_put_text(&w, "window", s->stamp);
	encode_put_time(&w, "window_start", s->start);
	encode_put_time(&w, "window_end", s->start + s->interval_s);
	encode_put_uint(&w, "revision", s->revision);
	encode_put_text(&w, "topic", s->topic);
	summary_names(&w, "channels", s, 0, names);
	summary_names(&w, "missing_channels", s, 1, names);
	encode_put_uint(&w, "records", s->records);
	summary_total(&w, "nfdump_flows", s->totals.flows, s->totals.known);
	summary_total(&w, "nfdump_bytes", s->totals.bytes, s->totals.known);
	summary_total(&w, "nfdump_packets", s->totals.packets,
	    s->totals.known);
	summary_parts(&w, s);
	encode_put_double(&w, "nfdump_seconds", s->nfdump_secs);
	encode_put_double(&w, "export_seconds", s->export_secs);
	encode_close_map(&w);
	free(names);
}
