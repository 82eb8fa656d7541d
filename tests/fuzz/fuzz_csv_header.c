/* SPDX-License-Identifier: BSD-2-Clause */
/* The header line of nfdump -o csv, from which the csv schema is built. */
#include "fuzz.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema schema;
	char err[256], *line = fuzz_string(data, size);

	if (schema_from_csv_header(line, size, &schema, err, sizeof err) == 0) {
		for (size_t i = 0; i < schema.nfields; i++)
			(void)schema_find(&schema, schema.fields[i].name);
		schema_free(&schema);
	}
	free(line);
	return 0;
}
