/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One nfdump output row through the data path's parsers: split by a fmt or
 * a csv schema, every value typed, the record encoded in both value modes
 * and both encodings (CBOR decoded again).
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
static struct row rows[NSCHEMAS];
static struct encode_handle cbor, json;
static struct encode_buf buf;

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
	for (size_t i = 0; i < NSCHEMAS; i++)
		record_row_init(&rows[i], &schemas[i]);
	if (encode_open(ENCODE_CBOR, &(struct encode_options){ 0 }, &cbor,
	    err, sizeof err) != 0 || encode_open(ENCODE_JSON,
	    &(struct encode_options){ 0 }, &json, err, sizeof err) != 0)
		abort();
	encode_buf_init(&buf);
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
	struct row *row;
	char err[256];
	char *line;

	if (buf.p == NULL)
		fuzz_init();
	if (size == 0)
		return 0;
	row = &rows[data[0] % NSCHEMAS];
	line = fuzz_string(data + 1, size - 1);
	for (int strings = 0; strings < 2; strings++) {
		if (record_parse(row, line, size - 1, strings) != 0)
			break;
		if (encode_record(&cbor, row, &buf, err, sizeof err) != 0)
			abort();
		fuzz_check_cbor(buf.p, buf.len);
		if (encode_record(&json, row, &buf, err, sizeof err) != 0)
			abort();
	}
	free(line);
	return 0;
}
