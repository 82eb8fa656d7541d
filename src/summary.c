/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The window summary: one message per exported window saying how many
 * records went where, so a consumer can prove a window arrived complete.
 * Encoded like the records (CBOR or JSON); produced after the last record
 * is acknowledged, inside the window's transaction in exactly-once mode.
 */
#include <cbor.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
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

static void summary_json_names(struct json *j, const char *key,
    const char **names, size_t n)
{
	json_raw(j, ",", 1);
	json_key(j, key);
	json_raw(j, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			json_raw(j, ",", 1);
		json_text(j, names[i], strlen(names[i]));
	}
	json_raw(j, "]", 1);
}

static void summary_json_uint(struct json *j, const char *key, uint64_t v,
    int known)
{
	json_raw(j, ",", 1);
	json_key(j, key);
	if (known)
		json_uint(j, v);
	else
		json_raw(j, "null", 4);
}

static void summary_json_parts(struct json *j, const struct summary *s)
{
	int first = 1;

	json_raw(j, ",", 1);
	json_key(j, "partitions");
	json_raw(j, "[", 1);
	for (size_t i = 0; i < s->nparts; i++) {
		if (s->parts[i].messages == 0)
			continue;
		json_raw(j, first ? "{" : ",{", first ? 1 : 2);
		first = 0;
		json_key(j, "partition");
		json_uint(j, i);
		summary_json_uint(j, "first_offset",
		    (uint64_t)s->parts[i].first, 1);
		summary_json_uint(j, "last_offset",
		    (uint64_t)s->parts[i].last, 1);
		summary_json_uint(j, "messages", s->parts[i].messages, 1);
		summary_json_uint(j, "records", s->parts[i].records, 1);
		json_raw(j, "}", 1);
	}
	json_raw(j, "]", 1);
}

static void summary_json(const struct summary *s, struct json *j,
    const char **names)
{
	size_t n;

	json_raw(j, "{", 1);
	json_key(j, "window");
	json_text(j, s->stamp, strlen(s->stamp));
	json_raw(j, ",", 1);
	json_key(j, "window_start");
	json_time(j, s->start, 0);
	json_raw(j, ",", 1);
	json_key(j, "window_end");
	json_time(j, s->start + s->interval_s, 0);
	summary_json_uint(j, "revision", s->revision, 1);
	json_raw(j, ",", 1);
	json_key(j, "topic");
	json_text(j, s->topic, strlen(s->topic));
	n = summary_channels(s, 0, names);
	summary_json_names(j, "channels", names, n);
	n = summary_channels(s, 1, names);
	summary_json_names(j, "missing_channels", names, n);
	summary_json_uint(j, "records", s->records, 1);
	summary_json_uint(j, "nfdump_flows", s->totals.flows, s->totals.known);
	summary_json_uint(j, "nfdump_bytes", s->totals.bytes, s->totals.known);
	summary_json_uint(j, "nfdump_packets", s->totals.packets,
	    s->totals.known);
	summary_json_parts(j, s);
	json_raw(j, ",", 1);
	json_key(j, "nfdump_seconds");
	json_double(j, s->nfdump_secs);
	json_raw(j, ",", 1);
	json_key(j, "export_seconds");
	json_double(j, s->export_secs);
	json_raw(j, "}", 1);
}

/*
 * libcbor fails to add only when it cannot allocate (or was handed the
 * NULL of a failed build), which is fatal here as everywhere; 0.10 warns
 * when the result goes unchecked.
 */
static void summary_cbor_add(cbor_item_t *map, const char *key,
    cbor_item_t *value)
{
	if (!cbor_map_add(map, (struct cbor_pair){
	    .key = cbor_move(cbor_build_string(key)),
	    .value = cbor_move(value) }))
		fatalx("summary: out of memory adding %s", key);
}

static void summary_cbor_push(cbor_item_t *array, cbor_item_t *item)
{
	if (!cbor_array_push(array, cbor_move(item)))
		fatalx("summary: out of memory");
}

static cbor_item_t *summary_cbor_time(int64_t sec)
{
	return cbor_build_tag(1, cbor_move(cbor_build_uint64(
	    sec > 0 ? (uint64_t)sec : 0)));
}

static cbor_item_t *summary_cbor_count(uint64_t v, int known)
{
	return known ? cbor_build_uint64(v) : cbor_new_null();
}

static cbor_item_t *summary_cbor_names(const char **names, size_t n)
{
	cbor_item_t *a = cbor_new_definite_array(n);

	for (size_t i = 0; i < n; i++)
		summary_cbor_push(a, cbor_build_string(names[i]));
	return a;
}

static cbor_item_t *summary_cbor_parts(const struct summary *s)
{
	size_t n = 0;
	cbor_item_t *a;

	for (size_t i = 0; i < s->nparts; i++)
		n += s->parts[i].messages > 0;
	a = cbor_new_definite_array(n);
	for (size_t i = 0; i < s->nparts; i++) {
		cbor_item_t *m;

		if (s->parts[i].messages == 0)
			continue;
		m = cbor_new_definite_map(5);
		summary_cbor_add(m, "partition", cbor_build_uint32(
		    (uint32_t)i));
		summary_cbor_add(m, "first_offset", cbor_build_uint64(
		    (uint64_t)s->parts[i].first));
		summary_cbor_add(m, "last_offset", cbor_build_uint64(
		    (uint64_t)s->parts[i].last));
		summary_cbor_add(m, "messages", cbor_build_uint64(
		    s->parts[i].messages));
		summary_cbor_add(m, "records", cbor_build_uint64(
		    s->parts[i].records));
		summary_cbor_push(a, m);
	}
	return a;
}

/* One map per window: libcbor's item tree is simple and cheap enough. */
static cbor_item_t *summary_cbor(const struct summary *s, const char **names)
{
	cbor_item_t *m = cbor_new_definite_map(14);
	size_t n;

	summary_cbor_add(m, "window", cbor_build_string(s->stamp));
	summary_cbor_add(m, "window_start", summary_cbor_time(s->start));
	summary_cbor_add(m, "window_end", summary_cbor_time(s->start +
	    s->interval_s));
	summary_cbor_add(m, "revision", cbor_build_uint32(s->revision));
	summary_cbor_add(m, "topic", cbor_build_string(s->topic));
	n = summary_channels(s, 0, names);
	summary_cbor_add(m, "channels", summary_cbor_names(names, n));
	n = summary_channels(s, 1, names);
	summary_cbor_add(m, "missing_channels", summary_cbor_names(names, n));
	summary_cbor_add(m, "records", cbor_build_uint64(s->records));
	summary_cbor_add(m, "nfdump_flows", summary_cbor_count(
	    s->totals.flows, s->totals.known));
	summary_cbor_add(m, "nfdump_bytes", summary_cbor_count(
	    s->totals.bytes, s->totals.known));
	summary_cbor_add(m, "nfdump_packets", summary_cbor_count(
	    s->totals.packets, s->totals.known));
	summary_cbor_add(m, "partitions", summary_cbor_parts(s));
	summary_cbor_add(m, "nfdump_seconds", cbor_build_float8(
	    s->nfdump_secs));
	summary_cbor_add(m, "export_seconds", cbor_build_float8(
	    s->export_secs));
	return m;
}

void summary_encode(const struct summary *s, enum encode_format format,
    unsigned char **out, size_t *outlen)
{
	const char **names = xcalloc(s->profile->nchannels + 1,
	    sizeof *names);

	if (format == ENCODE_JSON) {
		struct json j;

		json_init(&j);
		summary_json(s, &j, names);
		*out = (unsigned char *)j.buf;
		*outlen = j.len;
	} else {
		cbor_item_t *m = summary_cbor(s, names);
		size_t size;

		*outlen = cbor_serialize_alloc(m, out, &size);
		cbor_decref(&m);
		if (*outlen == 0)
			fatalx("summary: cannot encode window %s", s->stamp);
	}
	free(names);
}
