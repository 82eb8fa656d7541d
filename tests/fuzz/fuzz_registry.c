/* SPDX-License-Identifier: BSD-2-Clause */
/* The schema registry client's reading of an answer, on what a server sends. */
#include <errno.h>

#include "fuzz.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	uint32_t id;
	long status;
	int error;

	if (size < 1)
		return 0;
	/* The first byte picks the HTTP status: 2xx, 4xx or 5xx. */
	status = data[0] % 3 == 0 ? 200 : data[0] % 3 == 1 ? 409 : 503;
	error = registry_answer(status, (const char *)data + 1, size - 1, &id,
	    why, sizeof why);
	if (error != 0 && error != -EAGAIN && error != -EPERM)
		abort();
	if (error != 0 && memchr(why, '\0', sizeof why) == NULL)
		abort();
	return 0;
}
