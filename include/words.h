/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_WORDS_H
#define NFKAFKA_WORDS_H

#include <stddef.h>

/*
 * Splits a command line as a POSIX shell would quote it ('...', "...", \),
 * without expanding anything: an operator pastes an nfdump command and we
 * run it without a shell. Returns 0 and a NULL-terminated vector (free it
 * with strv_free), or -EINVAL with the reason in errstr.
 */
int words_split(const char *line, char ***wordsp, size_t *countp,
    char *errstr, size_t errlen);

#endif
