/* SPDX-License-Identifier: BSD-2-Clause */
/* The metrics endpoint's request head parser, on what a client sends. */
#include "fuzz.h"
#include "http.h"

#define HEAD_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char head[HEAD_MAX + 1];
	struct http_request req;
	size_t end;

	/* The server reads at most HEAD_MAX bytes before it answers 431. */
	if (size > HEAD_MAX)
		size = HEAD_MAX;
	memcpy(head, data, size);
	end = http_head_end(head, size, 0);
	if (end != 0 && http_parse_request(head, end, &req) == 0) {
		if (req.target[0] != '/' || strlen(req.method) == 0)
			abort();
	}
	return 0;
}
