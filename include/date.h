/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_DATE_H
#define NFKAFKA_DATE_H

#include <stdint.h>

/* Proleptic Gregorian calendar arithmetic, with no time zone involved. */

/* 1 if y-mo-d is a real date ("2026-02-30" is not), else 0. */
int date_valid(int y, int mo, int d);
/* Days from 1970-01-01 to y-mo-d (negative before). */
int64_t date_days(int64_t y, unsigned mo, unsigned d);

#endif
