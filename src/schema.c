/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The schema of nfdump's output: which field each printed column is, and its
 * type. One table serves "-o fmt:%tokens", "-o csv:%tokens" and the column
 * titles of "-o csv", for each nfdump version.
 */
#include <cbor.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "json.h"
#include "schema.h"
#include "xmalloc.h"

struct schema_token {
	const char *token;	/* %token in fmt: and csv: */
	const char *csv171;	/* its column in 1.7.1's -o csv, or NULL */
	const char *csv178;	/* its column title in 1.7.5's csv, or NULL */
	const char *name;	/* field name in the record */
	enum field_type type;
	int words;		/* words of a value; 0 for free text */
	int since;		/* first nfdump that has it; 0: 1.7.1 does */
	int gone;		/* first nfdump without it; 0: none */
};

/*
 * The output tokens of nfdump 1.7.1 and 1.7.8, each checked against both
 * (nfdump -o fmt:%token), plus Flowmon's %dcc and %scc. A token 1.7.1 lacks
 * is marked as newer; the releases between were not tested, so a token is
 * refused only where it is known to be missing.
 */
#define SCHEMA_NEWER DIALECT_V(1, 7, 2)
#define SCHEMA_178 DIALECT_V(1, 7, 8)
/* Only Flowmon's build: allowed where the version is not an upstream one. */
#define SCHEMA_FLOWMON (-1)

static const struct schema_token schema_tokens[] = {
	{ "cnt", NULL, "count", "count", FIELD_UINT, 1, 0, 0 },
	{ "nfv", NULL, "version", "netflow_version", FIELD_TEXT, 1, 0, 0 },
	{ "idt", NULL, "Ident", "ident", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "ts", "ts", "firstSeen", "first_seen", FIELD_TIME, 2, 0, 0 },
	{ "tfs", NULL, "firstSeen", "first_seen", FIELD_TIME, 2, 0, 0 },
	{ "tsr", NULL, "firstSeen", "first_seen", FIELD_EPOCH, 1, 0, 0 },
	{ "tsg", NULL, "firstSeen", "first_seen", FIELD_TIME, 2, SCHEMA_NEWER, 0 },
	{ "te", "te", "lastSeen", "last_seen", FIELD_TIME, 2, 0, 0 },
	{ "ter", NULL, "lastSeen", "last_seen", FIELD_EPOCH, 1, 0, 0 },
	{ "teg", NULL, "lastSeen", "last_seen", FIELD_TIME, 2, SCHEMA_NEWER, 0 },
	{ "tr", "tr", "received", "received", FIELD_TIME, 2, 0, 0 },
	{ "trr", NULL, "received", "received", FIELD_EPOCH, 1, 0, 0 },
	{ "trg", NULL, "received", "received", FIELD_TIME, 2, SCHEMA_NEWER, 0 },
	{ "td", "td", "duration", "duration", FIELD_FLOAT, 1, 0, 0 },
	{ "tds", NULL, "duration", "duration", FIELD_FLOAT, 1, 0, 0 },
	{ "pr", "pr", "proto", "proto", FIELD_TEXT, 1, 0, 0 },
	{ "exp", "exid", "exporterID", "exporter_id", FIELD_UINT, 1, 0, 0 },
	{ "eng", "eng", "engine", "engine", FIELD_TEXT, 1, 0, 0 },
	{ "lbl", NULL, "label", "flow_label", FIELD_TEXT, 1, 0, 0 },
	{ "sa", "sa", "srcAddr", "src_addr", FIELD_ADDR, 1, 0, 0 },
	{ "da", "da", "dstAddr", "dst_addr", FIELD_ADDR, 1, 0, 0 },
	{ "sap", NULL, NULL, "src_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "dap", NULL, NULL, "dst_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "gsap", NULL, NULL, "src_geo_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "gdap", NULL, NULL, "dst_geo_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "sp", "sp", "srcPort", "src_port", FIELD_PORT, 1, 0, 0 },
	{ "dp", "dp", "dstPort", "dst_port", FIELD_PORT, 1, 0, 0 },
	{ "it", NULL, "icmpTYpe", "icmp_type", FIELD_UINT, 1, 0, 0 },
	{ "ic", NULL, "icmpCode", "icmp_code", FIELD_UINT, 1, 0, 0 },
	{ "sn", NULL, "srcNet", "src_net", FIELD_TEXT, 1, 0, 0 },
	{ "dn", NULL, "dstNet", "dst_net", FIELD_TEXT, 1, 0, 0 },
	{ "nh", "nh", "nextIP", "next_hop", FIELD_ADDR, 1, 0, 0 },
	{ "nhb", "nhb", "bgpNextIP", "bgp_next_hop", FIELD_ADDR, 1, 0, 0 },
	{ "ra", "ra", "routerIP", "router_addr", FIELD_ADDR, 1, 0, 0 },
	{ "sas", "sas", "srcAS", "src_as", FIELD_UINT, 1, 0, 0 },
	{ "das", "das", "dstAS", "dst_as", FIELD_UINT, 1, 0, 0 },
	{ "nas", NULL, "nextAS", "next_as", FIELD_UINT, 1, 0, 0 },
	{ "pas", NULL, "prevAS", "prev_as", FIELD_UINT, 1, 0, 0 },
	{ "in", "in", "input", "in_if", FIELD_UINT, 1, 0, 0 },
	{ "out", "out", "output", "out_if", FIELD_UINT, 1, 0, 0 },
	{ "pkt", NULL, "packets", "packets", FIELD_UINT, 1, 0, 0 },
	{ "ipkt", "ipkt", "inPackets", "in_packets", FIELD_UINT, 1, 0, 0 },
	{ "opkt", "opkt", "outPackets", "out_packets", FIELD_UINT, 1, 0, 0 },
	{ "byt", NULL, "bytes", "bytes", FIELD_UINT, 1, 0, 0 },
	{ "ibyt", "ibyt", "inBytes", "in_bytes", FIELD_UINT, 1, 0, 0 },
	{ "obyt", "obyt", "outBytes", "out_bytes", FIELD_UINT, 1, 0, 0 },
	{ "fl", NULL, "flows", "flows", FIELD_UINT, 1, 0, 0 },
	{ "flg", "flg", "flags", "tcp_flags", FIELD_TEXT, 1, 0, 0 },
	{ "tos", NULL, "tos", "tos", FIELD_UINT, 1, 0, 0 },
	{ "stos", "stos", "srcTos", "src_tos", FIELD_UINT, 1, 0, 0 },
	{ "dtos", "dtos", "dstTos", "dst_tos", FIELD_UINT, 1, 0, 0 },
	{ "dir", "dir", "direction", "direction", FIELD_TEXT, 1, 0, 0 },
	{ "smk", "smk", "srcMask", "src_mask", FIELD_UINT, 1, 0, 0 },
	{ "dmk", "dmk", "dstMask", "dst_mask", FIELD_UINT, 1, 0, 0 },
	{ "fwd", "fwd", "fwdStatus", "fwd_status", FIELD_UINT, 1, 0, 0 },
	{ "svln", "svln", "srcVlan", "src_vlan", FIELD_UINT, 1, 0, 0 },
	{ "dvln", "dvln", "dstVlan", "dst_vlan", FIELD_UINT, 1, 0, 0 },
	{ "ismc", "ismc", "inSrcMac", "in_src_mac", FIELD_TEXT, 1, 0, 0 },
	{ "odmc", "odmc", "outDstMac", "out_dst_mac", FIELD_TEXT, 1, 0, 0 },
	{ "idmc", "idmc", "inDstMac", "in_dst_mac", FIELD_TEXT, 1, 0, 0 },
	{ "osmc", "osmc", "outSrcMac", "out_src_mac", FIELD_TEXT, 1, 0, 0 },
	{ "mpls1", "mpls1", "mplsLabel1", "mpls1", FIELD_TEXT, 1, 0, 0 },
	{ "mpls2", "mpls2", "mplsLabel2", "mpls2", FIELD_TEXT, 1, 0, 0 },
	{ "mpls3", "mpls3", "mplsLabel3", "mpls3", FIELD_TEXT, 1, 0, 0 },
	{ "mpls4", "mpls4", "mplsLabel4", "mpls4", FIELD_TEXT, 1, 0, 0 },
	{ "mpls5", "mpls5", "mplsLabel5", "mpls5", FIELD_TEXT, 1, 0, 0 },
	{ "mpls6", "mpls6", "mplsLabel6", "mpls6", FIELD_TEXT, 1, 0, 0 },
	{ "mpls7", "mpls7", "mplsLabel7", "mpls7", FIELD_TEXT, 1, 0, 0 },
	{ "mpls8", "mpls8", "mplsLabel8", "mpls8", FIELD_TEXT, 1, 0, 0 },
	{ "mpls9", "mpls9", "mplsLabel9", "mpls9", FIELD_TEXT, 1, 0, 0 },
	{ "mpls10", "mpls10", "mplsLabel10", "mpls10", FIELD_TEXT, 1, 0, 0 },
	{ "mpls", NULL, "mplsLabel1-10", "mpls", FIELD_TEXT, 0, 0, 0 },
	{ "bps", NULL, "bps", "bps", FIELD_FLOAT, 1, 0, 0 },
	{ "pps", NULL, "pps", "pps", FIELD_FLOAT, 1, 0, 0 },
	{ "bpp", NULL, "bpp", "bpp", FIELD_FLOAT, 1, 0, 0 },
	{ "sc", NULL, "srcGeo", "src_ctr", FIELD_TEXT, 1, 0, 0 },
	{ "dc", NULL, "dstGeo", "dst_ctr", FIELD_TEXT, 1, 0, 0 },
	{ "scc", NULL, NULL, "src_ctr", FIELD_TEXT, 1, SCHEMA_FLOWMON, 0 },
	{ "dcc", NULL, NULL, "dst_ctr", FIELD_TEXT, 1, SCHEMA_FLOWMON, 0 },
	{ "sloc", NULL, "srcLocation", "src_loc", FIELD_TEXT, 0, 0, 0 },
	{ "dloc", NULL, "dstLocation", "dst_loc", FIELD_TEXT, 0, 0, 0 },
	{ "ipl", NULL, NULL, "in_payload", FIELD_TEXT, 0, 0, 0 },
	{ "opl", NULL, NULL, "out_payload", FIELD_TEXT, 0, 0, 0 },
	{ "nbid", NULL, "nbarID", "nbar_id", FIELD_TEXT, 1, 0, 0 },
	/* A flow without a ja3 hash prints blanks. */
	{ "ja3", NULL, "ja3", "ja3", FIELD_TEXT, 0, 0, 0 },
	{ "sni", NULL, "sniName", "sni", FIELD_TEXT, 0, 0, 0 },
	{ "nbnam", NULL, "nbarName", "nbar_name", FIELD_TEXT, 0, 0, 0 },
	{ "odid", NULL, "obsDomainID", "observation_domain_id", FIELD_UINT, 1, 0, 0 },
	{ "opid", NULL, "obsPointID", "observation_point_id", FIELD_UINT, 1, 0, 0 },
	{ "nfc", NULL, "connectionID", "conn_id", FIELD_UINT, 1, 0, 0 },
	{ "evt", NULL, "event", "event", FIELD_TEXT, 1, 0, 0 },
	{ "xevt", NULL, "xEvent", "ext_event", FIELD_TEXT, 1, 0, 0 },
	{ "sgt", NULL, NULL, "src_sgt", FIELD_UINT, 1, 0, SCHEMA_178 },
	{ "msec", NULL, "eventTime", "event_time_msec", FIELD_UINT, 1, 0, 0 },
	/* ACL id, ACE id and extended ACE id. */
	{ "iacl", NULL, "ingressACL", "ingress_acl", FIELD_TEXT, 3, 0, 0 },
	{ "eacl", NULL, "egressACL", "egress_acl", FIELD_TEXT, 3, 0, 0 },
	{ "xsa", NULL, "srcXIP", "xlate_src_addr", FIELD_ADDR, 1, 0, 0 },
	{ "xda", NULL, "dstXIP", "xlate_dst_addr", FIELD_ADDR, 1, 0, 0 },
	{ "xsp", NULL, "srcXPort", "xlate_src_port", FIELD_PORT, 1, 0, 0 },
	{ "xdp", NULL, "dstXPort", "xlate_dst_port", FIELD_PORT, 1, 0, 0 },
	{ "xsap", NULL, NULL, "xlate_src_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "xdap", NULL, NULL, "xlate_dst_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "uname", NULL, "nselUser", "user_name", FIELD_TEXT, 0, 0, 0 },
	{ "nevt", NULL, NULL, "nat_event", FIELD_TEXT, 1, 0, SCHEMA_178 },
	{ "ivrf", NULL, "ingressVrfID", "ingress_vrf", FIELD_UINT, 1, 0, 0 },
	{ "evrf", NULL, "egressVrfID", "egress_vrf", FIELD_UINT, 1, 0, 0 },
	{ "nsa", NULL, "srcXIP", "nat_src_addr", FIELD_ADDR, 1, 0, 0 },
	{ "nda", NULL, "dstXIP", "nat_dst_addr", FIELD_ADDR, 1, 0, 0 },
	{ "nsp", NULL, "srcXPort", "nat_src_port", FIELD_PORT, 1, 0, 0 },
	{ "ndp", NULL, "dstXPort", "nat_dst_port", FIELD_PORT, 1, 0, 0 },
	{ "pbstart", NULL, "pbStart", "nat_pool_start", FIELD_UINT, 1, 0, 0 },
	{ "pbend", NULL, "pbEnd", "nat_pool_end", FIELD_UINT, 1, 0, 0 },
	{ "pbstep", NULL, "pbStep", "nat_pool_step", FIELD_UINT, 1, 0, 0 },
	{ "pbsize", NULL, "pbSize", "nat_pool_size", FIELD_UINT, 1, 0, 0 },
	{ "cl", "cl", "clientLatency", "client_latency", FIELD_FLOAT, 1, 0, 0 },
	{ "sl", "sl", "serverLatency", "server_latency", FIELD_FLOAT, 1, 0, 0 },
	{ "al", "al", "appLatency", "app_latency", FIELD_FLOAT, 1, 0, 0 },
	{ "gsa", NULL, NULL, "src_geo_addr", FIELD_TEXT, 1, 0, 0 },
	{ "gda", NULL, NULL, "dst_geo_addr", FIELD_TEXT, 1, 0, 0 },
	{ "bfd", NULL, "biDirection", "biflow_direction", FIELD_UINT, 1, 0, 0 },
	{ "end", NULL, "endReason", "flow_end_reason", FIELD_UINT, 1, 0, 0 },
	{ "inam", NULL, "inIfName", "in_if_name", FIELD_TEXT, 0, 0, 0 },
	{ "onam", NULL, "outIfName", "out_if_name", FIELD_TEXT, 0, 0, 0 },
	{ "tevt", NULL, "eventTime", "event_time", FIELD_TIME, 2, 0, 0 },
	{ "nsap", NULL, NULL, "nat_src_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "ndap", NULL, NULL, "nat_dst_addr_port", FIELD_TEXT, 1, 0, 0 },
	{ "vrf", NULL, "ingressVrfID", "ingress_vrf", FIELD_UINT, 1, 0, 0 },
	{ "ivrfnam", NULL, "ingressVrfName", "ingress_vrf_name", FIELD_TEXT, 0, 0, 0 },
	{ "evrfnam", NULL, "egressVrfName", "egress_vrf_name", FIELD_TEXT, 0, 0, 0 },
	{ "pfifn", NULL, "pfInterface", "pf_interface", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "pfact", NULL, "pfAction", "pf_action", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "pfrea", NULL, "pfReason", "pf_reason", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "pfdir", NULL, "pfDirection", "pf_direction", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "pfrule", NULL, "pfRule", "pf_rule", FIELD_UINT, 1, SCHEMA_NEWER, 0 },
	/* "0x            0": a hex number, padded inside. */
	{ "flid", NULL, "flowID", "flow_id", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "isid", NULL, "inSrvID", "in_service_id", FIELD_UINT, 1, SCHEMA_NEWER, 0 },
	{ "osid", NULL, "outSrvID", "out_service_id", FIELD_UINT, 1, SCHEMA_NEWER, 0 },
	{ "nats", NULL, "natString", "nat_string", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "ja4", NULL, "ja4", "ja4", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "tls", NULL, "tlsVersion", "tls_version", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "sasn", NULL, "srcOrg", "src_as_org", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "dasn", NULL, "dstOrg", "dst_as_org", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "stor", NULL, "srcTor", "src_tor", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "dtor", NULL, "dstTor", "dst_tor", FIELD_TEXT, 0, SCHEMA_NEWER, 0 },
	{ "ttl", NULL, NULL, "ttl", FIELD_TEXT, 2, SCHEMA_NEWER, 0 },
	{ "minttl", NULL, "minTTL", "min_ttl", FIELD_UINT, 1, SCHEMA_NEWER, 0 },
	{ "maxttl", NULL, "maxTTL", "max_ttl", FIELD_UINT, 1, SCHEMA_NEWER, 0 },
	{ "frag", NULL, "Frag", "ip_fragment", FIELD_TEXT, 1, SCHEMA_NEWER, 0 },
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

/* A column title of -o csv: 1.7.1's short names, or 1.7.5's titles. */
static const struct schema_token *schema_lookup_csv(const struct dialect *d,
    const char *s, size_t n)
{
	int newer = dialect_at_least(d, DIALECT_CSV_MODES);

	for (size_t i = 0; i < SCHEMA_NTOKENS; i++) {
		const char *csv = newer ? schema_tokens[i].csv178 :
		    schema_tokens[i].csv171;

		if (csv != NULL && strlen(csv) == n && memcmp(csv, s, n) == 0)
			return &schema_tokens[i];
	}
	return NULL;
}

/* Whether the nfdump of d prints t; version 0 (unknown) is given all. */
static int schema_token_ok(const struct dialect *d,
    const struct schema_token *t)
{
	if (d == NULL || d->version == 0)
		return 1;
	if (t->since == SCHEMA_FLOWMON)
		return 0;
	return d->version >= t->since && (t->gone == 0 ||
	    d->version < t->gone);
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
	f->jsonkey = NULL;
	f->jsonkeylen = 0;
	return f;
}

/*
 * Length of the token at s: the longest known token that prefixes the run
 * of [a-z0-9] after '%'. 1.7.1 reads "%tsX" as %ts followed by text; 1.7.5
 * and later refuse it, and so do we then. An unknown run is taken whole.
 */
static size_t schema_token_len(const struct dialect *d, const char *s,
    const struct schema_token **tp)
{
	size_t run = 0;

	while (isalnum((unsigned char)s[run]))
		run++;
	for (size_t n = run; n > 0; n--) {
		if ((*tp = schema_lookup_token(s, n)) != NULL) {
			if (n < run && d != NULL &&
			    dialect_at_least(d, DIALECT_CSV_MODES))
				break;
			return n;
		}
	}
	*tp = NULL;
	return run;
}

/* Work done once per schema so that none is done once per record. */
static void schema_finish(struct schema *schema)
{
	struct encode_buf j;

	schema->leadlen = strlen(schema->lead);
	for (size_t i = 0; i < schema->nfields; i++) {
		struct field *f = &schema->fields[i];
		size_t n = strlen(f->name);

		f->seplen = strlen(f->sep);
		f->key = xmalloc(n + 9);
		f->keylen = cbor_encode_string_start(n, f->key, 9);
		memcpy(f->key + f->keylen, f->name, n);
		f->keylen += n;
		encode_buf_init(&j);
		json_key(&j, f->name);
		f->jsonkey = xstrndup((const char *)j.p, j.len);
		f->jsonkeylen = j.len;
		encode_buf_free(&j);
	}
}

/* Why token %.*s cannot be used with this nfdump, in errstr. */
static int schema_refuse(const struct dialect *d, const char *tok, size_t n,
    const struct schema_token *t, char *errstr, size_t errlen)
{
	if (t == NULL && n == 1 && tok[0] == 'n')
		snprintf(errstr, errlen, "output token %%n prints a line break; "
		    "nfkafka needs one record per line");
	else if (t == NULL)
		snprintf(errstr, errlen, "unknown output token %%%.*s: nfdump "
		    "%s does not print it (see Fields in nfkafka(8))", (int)n,
		    tok, d != NULL ? dialect_name(d) : "");
	else if (t->since == SCHEMA_FLOWMON)
		snprintf(errstr, errlen, "output token %%%s is Flowmon's; nfdump "
		    "%s does not have it", t->token, dialect_name(d));
	else if (t->gone != 0 && d->version >= t->gone)
		snprintf(errstr, errlen, "output token %%%s is gone from nfdump "
		    "%s", t->token, dialect_name(d));
	else
		snprintf(errstr, errlen, "output token %%%s needs an nfdump "
		    "newer than %s", t->token, dialect_name(d));
	return -EINVAL;
}

/*
 * A token the table does not know for this nfdump: the nfdump at hand is
 * the authority on its own syntax (vendor builds print tokens upstream
 * has not), so it is kept, as text, and the table's reason is kept as the
 * schema's doubt for when nfdump refuses the query too. Only without a
 * dialect to ask, and for %n, is it refused here.
 */
static int schema_doubt(const struct dialect *d, const char *tok, size_t n,
    const struct schema_token *t, struct schema *schema, char *errstr,
    size_t errlen)
{
	char why[256];

	schema_refuse(d, tok, n, t, why, sizeof why);
	if (d == NULL || (t == NULL && n == 1 && tok[0] == 'n')) {
		snprintf(errstr, errlen, "%s", why);
		return -EINVAL;
	}
	if (schema->doubt == NULL)
		schema->doubt = xstrdup(why);
	return 0;
}

/* Every field but the last needs a separator or a fixed word count. */
static int schema_check_seps(struct schema *schema, const char *fmt,
    char *errstr, size_t errlen)
{
	for (size_t i = 0; i + 1 < schema->nfields; i++) {
		struct field *f = &schema->fields[i];

		if (f->sep[0] == '\0' && f->words == 0) {
			snprintf(errstr, errlen, "output field %s can contain "
			    "blanks, so it must be followed by a separator "
			    "such as ',' in \"%s\"", f->name, fmt);
			return -EINVAL;
		}
	}
	return 0;
}

/* fmt: and csv: alike; csv: knows only the tokens that have a csv title. */
static int schema_parse(const struct dialect *d, const char *fmt, int csv,
    struct schema *schema, char *errstr, size_t errlen)
{
	const char *p = fmt, *lit = fmt;

	memset(schema, 0, sizeof *schema);
	while ((p = strchr(p, '%')) != NULL) {
		const struct schema_token *t;
		size_t n = schema_token_len(d, p + 1, &t);

		if (n == 0) {
			p++;
			continue;
		}
		if (t == NULL || !schema_token_ok(d, t)) {
			if (schema_doubt(d, p + 1, n, t, schema, errstr,
			    errlen) != 0) {
				schema_free(schema);
				return -EINVAL;
			}
		} else if (csv && t->csv178 == NULL) {
			snprintf(errstr, errlen, "output token %%%s has no csv "
			    "form: use it in -o fmt:", t->token);
			schema_free(schema);
			return -EINVAL;
		}
		if (schema->nfields == 0)
			schema->lead = schema_trimmed(lit, (size_t)(p - lit));
		else
			schema->fields[schema->nfields - 1].sep =
			    schema_trimmed(lit, (size_t)(p - lit));
		if (t == NULL || !schema_token_ok(d, t)) {
			char *name = xstrndup(p + 1, n);

			schema_add(schema, t != NULL ? t->name : name, FIELD_TEXT,
			    t != NULL ? t->words : 0);
			free(name);
		} else {
			schema_add(schema, t->name, t->type, t->words);
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
	if (schema_check_seps(schema, fmt, errstr, errlen) != 0) {
		schema_free(schema);
		return -EINVAL;
	}
	schema_finish(schema);
	return 0;
}

int schema_from_tokens(const struct dialect *d, const char *fmt,
    struct schema *schema, char *errstr, size_t errlen)
{
	return schema_parse(d, fmt, 0, schema, errstr, errlen);
}

int schema_from_fmt(const char *fmt, struct schema *schema, char *errstr,
    size_t errlen)
{
	return schema_parse(NULL, fmt, 0, schema, errstr, errlen);
}

/* "csv:%ts,%sa": tokens and commas only, as 1.7.5's parser demands. */
int schema_from_csv_tokens(const struct dialect *d, const char *tokens,
    struct schema *schema, char *errstr, size_t errlen)
{
	int error = schema_parse(d, tokens, 1, schema, errstr, errlen);
	size_t last;

	if (error != 0)
		return error;
	last = schema->nfields - 1;
	for (size_t i = 0; i <= last; i++) {
		if (strcmp(schema->fields[i].sep, i < last ? "," : "") != 0 ||
		    schema->lead[0] != '\0') {
			snprintf(errstr, errlen, "-o csv:%s: only %%tokens "
			    "separated by ',' may follow csv:", tokens);
			schema_free(schema);
			return -EINVAL;
		}
	}
	return 0;
}

/* -o csv-fast's fixed columns (1.7.5): times in milliseconds. */
void schema_csv_fast(struct schema *schema)
{
	static const struct {
		const char *name;
		enum field_type type;
	} cols[] = {
		{ "row", FIELD_UINT }, { "address_family", FIELD_UINT },
		{ "first_seen", FIELD_MSEC }, { "last_seen", FIELD_MSEC },
		{ "proto", FIELD_TEXT }, { "src_addr", FIELD_ADDR },
		{ "src_port", FIELD_PORT }, { "dst_addr", FIELD_ADDR },
		{ "dst_port", FIELD_PORT }, { "src_as", FIELD_UINT },
		{ "dst_as", FIELD_UINT }, { "in_if", FIELD_UINT },
		{ "out_if", FIELD_UINT }, { "tcp_flags", FIELD_TEXT },
		{ "src_tos", FIELD_UINT }, { "packets", FIELD_UINT },
		{ "bytes", FIELD_UINT },
	};
	size_t n = sizeof cols / sizeof *cols;

	memset(schema, 0, sizeof *schema);
	schema->lead = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		struct field *f = schema_add(schema, cols[i].name,
		    cols[i].type, 1);

		f->sep = xstrdup(i + 1 < n ? "," : "");
	}
	schema_finish(schema);
}

int schema_from_header(const struct dialect *d, const char *line,
    size_t len, struct schema *schema, char *errstr, size_t errlen)
{
	const char *p = line, *end = line + len;

	memset(schema, 0, sizeof *schema);
	schema->lead = xstrdup("");
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma != NULL ? comma : end;
		char *col = schema_trimmed(p, (size_t)(stop - p));
		const struct schema_token *t =
		    schema_lookup_csv(d, col, strlen(col));
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

int schema_from_csv_header(const char *line, size_t len,
    struct schema *schema, char *errstr, size_t errlen)
{
	struct dialect d = dialect_of(DIALECT_V(1, 7, 1));

	return schema_from_header(&d, line, len, schema, errstr, errlen);
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
		"time", "time", "addr", "port", "null" };

	return names[type];
}

void schema_free(struct schema *schema)
{
	for (size_t i = 0; i < schema->nfields; i++) {
		free(schema->fields[i].name);
		free(schema->fields[i].sep);
		free(schema->fields[i].key);
		free(schema->fields[i].jsonkey);
	}
	free(schema->fields);
	free(schema->lead);
	free(schema->doubt);
	memset(schema, 0, sizeof *schema);
}
