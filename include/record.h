/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_RECORD_H
#define NFKAFKA_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

/* A value as printed, trimmed; points into the output line. */
struct slice {
	const char *p;
	size_t n;
};

/* A value converted to its field's type. */
struct value {
	enum field_type type;
	union {
		uint64_t u;
		double d;
		struct {
			int64_t sec;
			uint32_t nsec;
		} t;
		struct {
			int family; /* 4 or 6 */
			unsigned char bytes[16];
		} a;
	};
};

/* Cuts one output line into its fields; -EINVAL if it is not a record. */
int record_split(const struct schema *schema, const char *line, size_t len,
    struct slice *values);
/* Converts a printed value to type; -EINVAL if it does not parse. */
int record_value(enum field_type type, struct slice text, struct value *v);

#endif
