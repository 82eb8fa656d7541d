/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One nfdump output row through the data path's parsers: split by a fmt or
 * a csv schema, every value typed, the record encoded in both value modes.
 * The first byte picks the schema; the rest is the row, as nfdump printed it.
 */
#include <cbor.h>

#include "encode.h"
#include "fuzz.h"
#include "record.h"
#include "schema.h"

#define CSV_HEADER "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt," \
	"obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc," \
	"idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9," \
	"mpls10,cl,sl,al,ra,eng,exid,tr"

static const char *const fmts[] = {
	"%ts,%dc,%td,%pkt,%byt,%pps,%bps,%fl",
	"%ts,%te,%td,%sa,%da,%sap,%dap,%pr,%flg,%ipkt,%ibyt,%bpp",
	"%ts %pr %sa -> %da %byt",
};

#define NSCHEMAS (sizeof fmts / sizeof *fmts + 1)

static struct schema schemas[NSCHEMAS];
static struct encoder *typed, *strings;

static void fuzz_init(void)
{
	char err[256];

	for (size_t i = 0; i + 1 < NSCHEMAS; i++) {
		if (schema_from_fmt(fmts[i], &schemas[i], err, sizeof err) != 0)
			abort();
	}
	if (schema_from_csv_header(CSV_HEADER, strlen(CSV_HEADER),
	    &schemas[NSCHEMAS - 1], err, sizeof err) != 0)
		abort();
	typed = encoder_new(ENCODE_TYPED);
	strings = encoder_new(ENCODE_STRINGS);
}

static void fuzz_check_cbor(const unsigned char *out, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *item = cbor_load(out, len, &res);

	if (item == NULL || res.read != len || !cbor_isa_map(item))
		abort();
	cbor_decref(&item);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slice values[64];
	const struct schema *schema;
	const unsigned char *out;
	size_t outlen, untyped = 0;
	char *line;

	if (typed == NULL)
		fuzz_init();
	if (size == 0)
		return 0;
	schema = &schemas[data[0] % NSCHEMAS];
	line = fuzz_string(data + 1, size - 1);
	if (schema->nfields <= 64 &&
	    record_split(schema, line, size - 1, values) == 0) {
		for (size_t i = 0; i < schema->nfields; i++) {
			struct value v;

			(void)record_value(schema->fields[i].type, values[i],
			    &v);
		}
		encoder_record(typed, schema, values, &out, &outlen, &untyped);
		fuzz_check_cbor(out, outlen);
		encoder_record(strings, schema, values, &out, &outlen,
		    &untyped);
		fuzz_check_cbor(out, outlen);
	}
	free(line);
	return 0;
}
