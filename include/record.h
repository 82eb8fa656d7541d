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
	enum field_type type;	/* the field's, or FIELD_NULL */
	union {
		struct slice s;	/* FIELD_TEXT: as printed */
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

/*
 * One record: every value parsed once, to its field's declared type, for
 * the encoders. A value that does not fit its type is FIELD_NULL.
 */
struct row {
	const struct schema *schema;
	struct slice *text;	/* schema->nfields values as printed */
	struct value *values;	/* the same, typed */
	size_t misfits;		/* this record's values made null: not of
				   their type */
	int misfit;		/* the first one's field index, or -1 */
	/* --identity: the window, its revision and the record's index. */
	int64_t window_start;
	unsigned revision;
	uint64_t index;
};

/* A row for records of schema, its arrays allocated; row_free frees. */
void record_row_init(struct row *row, const struct schema *schema);
void record_row_free(struct row *row);
/*
 * Splits and types one output line into row; -EINVAL if it is not a
 * record. strings: every value stays text (--values strings).
 */
int record_parse(struct row *row, const char *line, size_t len, int strings);
/* The typing half of record_parse, for row->text set by the caller. */
void record_type(struct row *row, int strings);

/* Cuts one output line into its fields; -EINVAL if it is not a record. */
int record_split(const struct schema *schema, const char *line, size_t len,
    struct slice *values);
/* Converts a printed value to type; -EINVAL if it does not parse. */
int record_value(enum field_type type, struct slice text, struct value *v);

#endif
