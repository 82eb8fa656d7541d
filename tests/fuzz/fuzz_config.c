/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A config file's text (-c), as config_parse reads it after its own checks:
 * libinih's sections and keys, every option's value, [kafka] properties
 * through librdkafka's own checks.
 */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[1024], *text = fuzz_string(data, size);

	memset(&c, 0, sizeof c);
	(void)config_load_string(&c, "fuzz.conf", text, size, err, sizeof err);
	config_free(&c);
	free(text);
	return 0;
}
