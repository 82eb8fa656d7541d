/* SPDX-License-Identifier: BSD-2-Clause */
/* What nfcapd's rotated files are called. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "nfcapd.h"

static int nfcapd_num(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

int nfcapd_parse_name(const char *name, char stamp[NFCAPD_STAMP_LEN + 1])
{
	const char *d = name + 7;
	size_t n;
	int y, mo, day;

	if (strncmp(name, "nfcapd.", 7) != 0)
		return -EINVAL;
	n = strlen(d);
	if (n != 12 && n != 14)
		return -EINVAL;
	if (strspn(d, "0123456789") != n)
		return -EINVAL;
	y = nfcapd_num(d, 4);
	mo = nfcapd_num(d + 4, 2);
	day = nfcapd_num(d + 6, 2);
	if (y < 1970 || !date_valid(y, mo, day) || nfcapd_num(d + 8, 2) > 23 ||
	    nfcapd_num(d + 10, 2) > 59 ||
	    (n == 14 && nfcapd_num(d + 12, 2) > 59))
		return -EINVAL;
	memcpy(stamp, d, n);
	if (n == 12)
		memcpy(stamp + 12, "00", 2);
	stamp[NFCAPD_STAMP_LEN] = '\0';
	return 0;
}

time_t nfcapd_stamp_time(const char *stamp)
{
	struct tm tm = { 0 };

	tm.tm_year = nfcapd_num(stamp, 4) - 1900;
	tm.tm_mon = nfcapd_num(stamp + 4, 2) - 1;
	tm.tm_mday = nfcapd_num(stamp + 6, 2);
	tm.tm_hour = nfcapd_num(stamp + 8, 2);
	tm.tm_min = nfcapd_num(stamp + 10, 2);
	tm.tm_sec = nfcapd_num(stamp + 12, 2);
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* A ".." path component would leave the channel directory. */
static int nfcapd_has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2) {
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 1;
	}
	return 0;
}

int nfcapd_check_relfile(const char *relfile, char stamp[NFCAPD_STAMP_LEN + 1],
    char *errstr, size_t errlen)
{
	const char *base = strrchr(relfile, '/');

	base = base != NULL ? base + 1 : relfile;
	if (relfile[0] == '/' || nfcapd_has_dotdot(relfile)) {
		snprintf(errstr, errlen, "window file \"%s\" must be relative "
		    "to the channel directories, e.g. 2026/11/27/"
		    "nfcapd.202611271055", relfile);
		return -EINVAL;
	}
	if (nfcapd_parse_name(base, stamp) != 0) {
		snprintf(errstr, errlen, "window file \"%s\" is not a rotated "
		    "nfcapd file (nfcapd.YYYYMMDDhhmm[ss])", relfile);
		return -EINVAL;
	}
	return 0;
}
