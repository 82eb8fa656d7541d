/* SPDX-License-Identifier: BSD-2-Clause */
/* Calendar dates: which exist, and how many days they are from the epoch. */
#include "date.h"

static int date_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_valid(int y, int mo, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (mo < 1 || mo > 12 || d < 1)
		return 0;
	return d <= mdays[mo - 1] + (mo == 2 && date_leap(y));
}

/* H. Hinnant's days_from_civil. */
int64_t date_days(int64_t y, unsigned mo, unsigned d)
{
	y -= mo <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}
