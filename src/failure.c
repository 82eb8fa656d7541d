/* SPDX-License-Identifier: BSD-2-Clause */
/* One failure per export: its kind, its permanence, its message. */
#include <stdarg.h>
#include <stdio.h>

#include "failure.h"

int failure_set(struct failure *f, enum failure_kind kind, int permanent,
    const char *fmt, ...)
{
	va_list ap;

	if (f->kind != FAILURE_NONE) {
		if (f->kind == kind && permanent)
			f->permanent = 1;
		return 0;
	}
	f->kind = kind;
	f->permanent = permanent;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	return 1;
}

int failure_failed(const struct failure *f)
{
	return f->kind != FAILURE_NONE;
}
