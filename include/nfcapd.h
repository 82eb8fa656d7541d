/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_NFCAPD_H
#define NFKAFKA_NFCAPD_H

#include <stddef.h>
#include <time.h>

/* "YYYYMMDDhhmmss": windows sort by it; 12-digit names get "00". */
#define NFCAPD_STAMP_LEN 14

/*
 * Parses a rotated file's base name, "nfcapd.YYYYMMDDhhmm" or
 * "nfcapd.YYYYMMDDhhmmss", into a 14-digit stamp. -EINVAL for anything
 * else: nfcapd.current.*, .nfstat, temporary files, impossible dates.
 */
int nfcapd_parse_name(const char *name, char stamp[NFCAPD_STAMP_LEN + 1]);
/* When a window began: its stamp read in the collector's local time. */
time_t nfcapd_stamp_time(const char *stamp);
/* Checks a window path relative to the channel directories. */
int nfcapd_check_relfile(const char *relfile, char stamp[NFCAPD_STAMP_LEN + 1],
    char *errstr, size_t errlen);

#endif
