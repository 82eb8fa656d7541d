/* SPDX-License-Identifier: BSD-2-Clause */
/* File names in the channel directories, and --once's window path. */
#include "fuzz.h"
#include "nfcapd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char stamp[NFCAPD_STAMP_LEN + 1], err[512];
	char *name = fuzz_string(data, size);

	if (nfcapd_parse_name(name, stamp) == 0) {
		if (strlen(stamp) != NFCAPD_STAMP_LEN)
			abort();
		(void)nfcapd_stamp_time(stamp);
	}
	if (nfcapd_check_relfile(name, stamp, err, sizeof err) == 0 &&
	    strlen(stamp) != NFCAPD_STAMP_LEN)
		abort();
	free(name);
	return 0;
}
