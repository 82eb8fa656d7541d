/* SPDX-License-Identifier: BSD-2-Clause */
/* The fields -k and --timestamp name, checked against a query's schema. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"

int fields_key(char *const *names, size_t n, const struct schema *schema,
    int *index, char *errstr, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		index[i] = schema_find(schema, names[i]);
		if (index[i] < 0) {
			snprintf(errstr, errlen, "-k: key field %s is not in the "
			    "query's output", names[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int fields_timestamp(const char *ts, const struct schema *schema, int *index,
    char *errstr, size_t errlen)
{
	int i;

	*index = -1;
	if (strcmp(ts, "send") == 0 || strcmp(ts, "window") == 0)
		return 0;
	i = schema_find(schema, ts);
	if (i < 0 || (schema->fields[i].type != FIELD_TIME &&
	    schema->fields[i].type != FIELD_EPOCH &&
	    schema->fields[i].type != FIELD_MSEC)) {
		snprintf(errstr, errlen, "--timestamp %s is not a time field in "
		    "the query's output (see RECORD FORMAT in nfkafka(8))", ts);
		return -EINVAL;
	}
	*index = i;
	return 0;
}
