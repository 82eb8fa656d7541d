/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_PROFILE_H
#define NFKAFKA_PROFILE_H

#include <stddef.h>

/* A window's channel set is a bit mask; this many channels fit in one. */
#define PROFILE_MAX_CHANNELS (sizeof(unsigned long) * 8)

/* An nfdump profile: a directory and the channel directories in it. */
struct profile {
	char *dir;
	char **channels;
	size_t nchannels;
};

/* Parses nfdump's -M syntax "/dir/chanA:chanB"; checks the directories. */
int profile_parse(const char *arg, struct profile *p, char *errstr,
    size_t errlen);
/* The mask with every channel's bit set. */
unsigned long profile_all(const struct profile *p);
/* The -M argument for the channels whose bit is set in mask. */
char *profile_arg(const struct profile *p, unsigned long mask);
/* The channels' names whose bit is set in mask, joined by sep. */
char *profile_names(const struct profile *p, unsigned long mask,
    const char *sep);
/* The mask of channels that have relfile. */
unsigned long profile_present(const struct profile *p, const char *relfile);
char *profile_path(const struct profile *p, size_t channel,
    const char *relfile);
void profile_free(struct profile *p);

#endif
