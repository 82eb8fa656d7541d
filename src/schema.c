/*
 * The schema of nfdump's output: which field each printed column is, and its
 * type. One table serves both "-o fmt:%tokens" and the "-o csv" header names.
 */
#include <cbor.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "xmalloc.h"

struct schema_token {
	const char *token;	/* %token in fmt: */
	const char *csv;	/* column name in -o csv, or NULL */
	const char *name;	/* field name in the record */
	enum field_type type;
	int words;		/* words of a value; 0 for free text */
};

/* nfdump 1.7.1 output tokens (nfdump(1)), plus Flowmon's %dcc and %scc. */
static const struct schema_token schema_tokens[] = {
	{ "cnt", NULL, "count", FIELD_UINT, 1 },
	{ "nfv", NULL, "netflow_version", FIELD_UINT, 1 },
	{ "ts", "ts", "first_seen", FIELD_TIME, 2 },
	{ "tfs", NULL, "first_seen", FIELD_TIME, 2 },
	{ "tsr", NULL, "first_seen", FIELD_EPOCH, 1 },
	{ "te", "te", "last_seen", FIELD_TIME, 2 },
	{ "ter", NULL, "last_seen", FIELD_EPOCH, 1 },
	{ "tr", "tr", "received", FIELD_TIME, 2 },
	{ "trr", NULL, "received", FIELD_EPOCH, 1 },
	{ "td", "td", "duration", FIELD_FLOAT, 1 },
	{ "pr", "pr", "proto", FIELD_TEXT, 1 },
	{ "exp", "exid", "exporter_id", FIELD_UINT, 1 },
	{ "eng", "eng", "engine", FIELD_TEXT, 1 },
	{ "lbl", NULL, "flow_label", FIELD_TEXT, 1 },
	{ "sa", "sa", "src_addr", FIELD_ADDR, 1 },
	{ "da", "da", "dst_addr", FIELD_ADDR, 1 },
	{ "sap", NULL, "src_addr_port", FIELD_TEXT, 1 },
	{ "dap", NULL, "dst_addr_port", FIELD_TEXT, 1 },
	{ "gsap", NULL, "src_geo_addr_port", FIELD_TEXT, 1 },
	{ "gdap", NULL, "dst_geo_addr_port", FIELD_TEXT, 1 },
	{ "sp", "sp", "src_port", FIELD_UINT, 1 },
	{ "dp", "dp", "dst_port", FIELD_UINT, 1 },
	{ "it", NULL, "icmp_type", FIELD_UINT, 1 },
	{ "ic", NULL, "icmp_code", FIELD_UINT, 1 },
	{ "sn", NULL, "src_net", FIELD_TEXT, 1 },
	{ "dn", NULL, "dst_net", FIELD_TEXT, 1 },
	{ "nh", "nh", "next_hop", FIELD_ADDR, 1 },
	{ "nhb", "nhb", "bgp_next_hop", FIELD_ADDR, 1 },
	{ "ra", "ra", "router_addr", FIELD_ADDR, 1 },
	{ "sas", "sas", "src_as", FIELD_UINT, 1 },
	{ "das", "das", "dst_as", FIELD_UINT, 1 },
	{ "nas", NULL, "next_as", FIELD_UINT, 1 },
	{ "pas", NULL, "prev_as", FIELD_UINT, 1 },
	{ "in", "in", "in_if", FIELD_UINT, 1 },
	{ "out", "out", "out_if", FIELD_UINT, 1 },
	{ "pkt", NULL, "packets", FIELD_UINT, 1 },
	{ "ipkt", "ipkt", "in_packets", FIELD_UINT, 1 },
	{ "opkt", "opkt", "out_packets", FIELD_UINT, 1 },
	{ "byt", NULL, "bytes", FIELD_UINT, 1 },
	{ "ibyt", "ibyt", "in_bytes", FIELD_UINT, 1 },
	{ "obyt", "obyt", "out_bytes", FIELD_UINT, 1 },
	{ "fl", NULL, "flows", FIELD_UINT, 1 },
	{ "flg", "flg", "tcp_flags", FIELD_TEXT, 1 },
	{ "tos", NULL, "tos", FIELD_UINT, 1 },
	{ "stos", "stos", "src_tos", FIELD_UINT, 1 },
	{ "dtos", "dtos", "dst_tos", FIELD_UINT, 1 },
	{ "dir", "dir", "direction", FIELD_TEXT, 1 },
	{ "smk", "smk", "src_mask", FIELD_UINT, 1 },
	{ "dmk", "dmk", "dst_mask", FIELD_UINT, 1 },
	{ "fwd", "fwd", "fwd_status", FIELD_UINT, 1 },
	{ "svln", "svln", "src_vlan", FIELD_UINT, 1 },
	{ "dvln", "dvln", "dst_vlan", FIELD_UINT, 1 },
	{ "ismc", "ismc", "in_src_mac", FIELD_TEXT, 1 },
	{ "odmc", "odmc", "out_dst_mac", FIELD_TEXT, 1 },
	{ "idmc", "idmc", "in_dst_mac", FIELD_TEXT, 1 },
	{ "osmc", "osmc", "out_src_mac", FIELD_TEXT, 1 },
	{ "mpls1", "mpls1", "mpls1", FIELD_TEXT, 1 },
	{ "mpls2", "mpls2", "mpls2", FIELD_TEXT, 1 },
	{ "mpls3", "mpls3", "mpls3", FIELD_TEXT, 1 },
	{ "mpls4", "mpls4", "mpls4", FIELD_TEXT, 1 },
	{ "mpls5", "mpls5", "mpls5", FIELD_TEXT, 1 },
	{ "mpls6", "mpls6", "mpls6", FIELD_TEXT, 1 },
	{ "mpls7", "mpls7", "mpls7", FIELD_TEXT, 1 },
	{ "mpls8", "mpls8", "mpls8", FIELD_TEXT, 1 },
	{ "mpls9", "mpls9", "mpls9", FIELD_TEXT, 1 },
	{ "mpls10", "mpls10", "mpls10", FIELD_TEXT, 1 },
	{ "mpls", NULL, "mpls", FIELD_TEXT, 0 },
	{ "bps", NULL, "bps", FIELD_UINT, 1 },
	{ "pps", NULL, "pps", FIELD_UINT, 1 },
	{ "bpp", NULL, "bpp", FIELD_UINT, 1 },
	{ "sc", NULL, "src_ctr", FIELD_TEXT, 1 },
	{ "dc", NULL, "dst_ctr", FIELD_TEXT, 1 },
	{ "scc", NULL, "src_ctr", FIELD_TEXT, 1 },
	{ "dcc", NULL, "dst_ctr", FIELD_TEXT, 1 },
	{ "sloc", NULL, "src_loc", FIELD_TEXT, 0 },
	{ "dloc", NULL, "dst_loc", FIELD_TEXT, 0 },
	{ "ipl", NULL, "in_payload", FIELD_TEXT, 0 },
	{ "opl", NULL, "out_payload", FIELD_TEXT, 0 },
	{ "nbid", NULL, "nbar_id", FIELD_TEXT, 1 },
	/* A flow without a ja3 hash prints blanks. */
	{ "ja3", NULL, "ja3", FIELD_TEXT, 0 },
	{ "sni", NULL, "sni", FIELD_TEXT, 0 },
	{ "nbnam", NULL, "nbar_name", FIELD_TEXT, 0 },
	{ "odid", NULL, "observation_domain_id", FIELD_UINT, 1 },
	{ "opid", NULL, "observation_point_id", FIELD_UINT, 1 },
	{ "nfc", NULL, "conn_id", FIELD_UINT, 1 },
	{ "evt", NULL, "event", FIELD_TEXT, 1 },
	{ "xevt", NULL, "ext_event", FIELD_TEXT, 1 },
	{ "sgt", NULL, "src_sgt", FIELD_UINT, 1 },
	{ "msec", NULL, "event_time_msec", FIELD_UINT, 1 },
	/* ACL id, ACE id and extended ACE id. */
	{ "iacl", NULL, "ingress_acl", FIELD_TEXT, 3 },
	{ "eacl", NULL, "egress_acl", FIELD_TEXT, 3 },
	{ "xsa", NULL, "xlate_src_addr", FIELD_ADDR, 1 },
	{ "xda", NULL, "xlate_dst_addr", FIELD_ADDR, 1 },
	{ "xsp", NULL, "xlate_src_port", FIELD_UINT, 1 },
	{ "xdp", NULL, "xlate_dst_port", FIELD_UINT, 1 },
	{ "xsap", NULL, "xlate_src_addr_port", FIELD_TEXT, 1 },
	{ "xdap", NULL, "xlate_dst_addr_port", FIELD_TEXT, 1 },
	{ "uname", NULL, "user_name", FIELD_TEXT, 0 },
	{ "nevt", NULL, "nat_event", FIELD_TEXT, 1 },
	{ "ivrf", NULL, "ingress_vrf", FIELD_UINT, 1 },
	{ "evrf", NULL, "egress_vrf", FIELD_UINT, 1 },
	{ "nsa", NULL, "nat_src_addr", FIELD_ADDR, 1 },
	{ "nda", NULL, "nat_dst_addr", FIELD_ADDR, 1 },
	{ "nsp", NULL, "nat_src_port", FIELD_UINT, 1 },
	{ "ndp", NULL, "nat_dst_port", FIELD_UINT, 1 },
	{ "pbstart", NULL, "nat_pool_start", FIELD_UINT, 1 },
	{ "pbend", NULL, "nat_pool_end", FIELD_UINT, 1 },
	{ "pbstep", NULL, "nat_pool_step", FIELD_UINT, 1 },
	{ "pbsize", NULL, "nat_pool_size", FIELD_UINT, 1 },
	{ "cl", "cl", "client_latency", FIELD_FLOAT, 1 },
	{ "sl", "sl", "server_latency", FIELD_FLOAT, 1 },
	{ "al", "al", "app_latency", FIELD_FLOAT, 1 },
};

#define SCHEMA_NTOKENS (sizeof schema_tokens / sizeof schema_tokens[0])

static const struct schema_token *schema_lookup_token(const char *s, size_t n)
{
	for (size_t i = 0; i < SCHEMA_NTOKENS; i++) {
		if (strlen(schema_tokens[i].token) == n &&
		    memcmp(schema_tokens[i].token, s, n) == 0)
			return &schema_tokens[i];
	}
	return NULL;
}

static const struct schema_token *schema_lookup_csv(const char *s, size_t n)
{
	for (size_t i = 0; i < SCHEMA_NTOKENS; i++) {
		const char *csv = schema_tokens[i].csv;

		if (csv != NULL && strlen(csv) == n && memcmp(csv, s, n) == 0)
			return &schema_tokens[i];
	}
	return NULL;
}

static char *schema_trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static struct field *schema_add(struct schema *schema, const char *name,
    enum field_type type, int words)
{
	struct field *f;
	int copies = 1;

	/* A CBOR map cannot hold a key twice: "%ts ... %tsr" → first_seen_2. */
	for (size_t i = 0; i < schema->nfields; i++) {
		const char *have = schema->fields[i].name;
		size_t n = strlen(name);

		if (strncmp(have, name, n) == 0 && (have[n] == '\0' ||
		    (have[n] == '_' && strspn(have + n + 1, "0123456789") ==
		    strlen(have + n + 1) && have[n + 1] != '\0')))
			copies++;
	}
	schema->fields = xrealloc(schema->fields,
	    (schema->nfields + 1) * sizeof *schema->fields);
	f = &schema->fields[schema->nfields++];
	if (copies > 1)
		xasprintf(&f->name, "%s_%d", name, copies);
	else
		f->name = xstrdup(name);
	f->type = type;
	f->words = words;
	f->sep = NULL;
	f->seplen = 0;
	f->key = NULL;
	f->keylen = 0;
	return f;
}

/*
 * Length of the token at s: the longest known token that prefixes the run
 * of [a-z0-9] after '%', as nfdump reads "%tsr" as one token and "%tsX" as
 * %ts followed by text. An unknown run is taken whole.
 */
static size_t schema_token_len(const char *s, const struct schema_token **tp)
{
	size_t run = 0;

	while (isalnum((unsigned char)s[run]))
		run++;
	for (size_t n = run; n > 0; n--) {
		if ((*tp = schema_lookup_token(s, n)) != NULL)
			return n;
	}
	*tp = NULL;
	return run;
}

/* Work done once per schema so that none is done once per record. */
static void schema_finish(struct schema *schema)
{
	schema->leadlen = strlen(schema->lead);
	for (size_t i = 0; i < schema->nfields; i++) {
		struct field *f = &schema->fields[i];
		size_t n = strlen(f->name);

		f->seplen = strlen(f->sep);
		f->key = xmalloc(n + 9);
		f->keylen = cbor_encode_string_start(n, f->key, 9);
		memcpy(f->key + f->keylen, f->name, n);
		f->keylen += n;
	}
}

int schema_from_fmt(const char *fmt, struct schema *schema, char *errstr,
    size_t errlen)
{
	const char *p = fmt, *lit = fmt;

	memset(schema, 0, sizeof *schema);
	while ((p = strchr(p, '%')) != NULL) {
		const struct schema_token *t;
		size_t n = schema_token_len(p + 1, &t);
		char name[64];

		if (n == 0) {
			p++;
			continue;
		}
		if (schema->nfields == 0)
			schema->lead = schema_trimmed(lit, (size_t)(p - lit));
		else
			schema->fields[schema->nfields - 1].sep =
			    schema_trimmed(lit, (size_t)(p - lit));
		if (t != NULL) {
			schema_add(schema, t->name, t->type, t->words);
		} else {
			/* Flowmon's nfdump knows tokens ours does not. */
			snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
			schema_add(schema, name, FIELD_TEXT, 0);
		}
		p += 1 + n;
		lit = p;
	}
	if (schema->nfields == 0) {
		snprintf(errstr, errlen, "no %%token in output format \"%s\"",
		    fmt);
		schema_free(schema);
		return -EINVAL;
	}
	schema->fields[schema->nfields - 1].sep =
	    schema_trimmed(lit, strlen(lit));
	for (size_t i = 0; i + 1 < schema->nfields; i++) {
		struct field *f = &schema->fields[i];

		if (f->sep[0] == '\0' && f->words == 0) {
			snprintf(errstr, errlen, "output field %s can contain "
			    "blanks, so it must be followed by a separator "
			    "such as ',' in \"%s\"", f->name, fmt);
			schema_free(schema);
			return -EINVAL;
		}
	}
	schema_finish(schema);
	return 0;
}

int schema_from_csv_header(const char *line, size_t len,
    struct schema *schema, char *errstr, size_t errlen)
{
	const char *p = line, *end = line + len;

	memset(schema, 0, sizeof *schema);
	schema->lead = xstrdup("");
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma != NULL ? comma : end;
		char *col = schema_trimmed(p, (size_t)(stop - p));
		const struct schema_token *t =
		    schema_lookup_csv(col, strlen(col));
		struct field *f;

		if (col[0] == '\0') {
			snprintf(errstr, errlen, "empty column name in csv "
			    "header \"%.*s\"", (int)len, line);
			free(col);
			schema_free(schema);
			return -EINVAL;
		}
		f = t != NULL ? schema_add(schema, t->name, t->type, t->words) :
		    schema_add(schema, col, FIELD_TEXT, 0);
		f->sep = xstrdup(comma != NULL ? "," : "");
		free(col);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	schema_finish(schema);
	return 0;
}

int schema_find(const struct schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->nfields; i++) {
		if (strcmp(schema->fields[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

const char *schema_type_name(enum field_type type)
{
	static const char *const names[] = { "text", "uint", "float", "time",
		"time", "addr" };

	return names[type];
}

void schema_free(struct schema *schema)
{
	for (size_t i = 0; i < schema->nfields; i++) {
		free(schema->fields[i].name);
		free(schema->fields[i].sep);
		free(schema->fields[i].key);
	}
	free(schema->fields);
	free(schema->lead);
	memset(schema, 0, sizeof *schema);
}
