/* SPDX-License-Identifier: BSD-2-Clause */
/* The profile's channel directories, written as nfdump's -M takes them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profile.h"
#include "strv.h"
#include "xmalloc.h"

static int profile_add(struct profile *p, const char *name, size_t n,
    char *errstr, size_t errlen)
{
	if (n == 0 || memchr(name, '/', n) != NULL ||
	    (n == 2 && memcmp(name, "..", 2) == 0) ||
	    (n == 1 && name[0] == '.')) {
		snprintf(errstr, errlen, "channel \"%.*s\" must be a plain "
		    "directory name next to the first one", (int)n, name);
		return -EINVAL;
	}
	for (size_t i = 0; i < p->nchannels; i++) {
		/* The same files twice: every record would be sent twice. */
		if (strlen(p->channels[i]) == n &&
		    memcmp(p->channels[i], name, n) == 0) {
			snprintf(errstr, errlen, "channel \"%.*s\" is given "
			    "twice", (int)n, name);
			return -EINVAL;
		}
	}
	if (p->nchannels == PROFILE_MAX_CHANNELS) {
		snprintf(errstr, errlen, "more than %zu channels: give at "
		    "most %zu", (size_t)PROFILE_MAX_CHANNELS,
		    (size_t)PROFILE_MAX_CHANNELS);
		return -EINVAL;
	}
	strv_pushn(&p->channels, &p->nchannels, name, n);
	return 0;
}

static int profile_check_dirs(const struct profile *p, char *errstr,
    size_t errlen)
{
	for (size_t i = 0; i < p->nchannels; i++) {
		char *path = profile_path(p, i, NULL);
		struct stat st;
		int ok = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		int saved = errno;

		if (!ok) {
			snprintf(errstr, errlen, "channel directory %s: %s",
			    path, saved == 0 || saved == EEXIST ?
			    "not a directory" : strerror(saved));
			free(path);
			return -ENOENT;
		}
		free(path);
	}
	return 0;
}

int profile_parse(const char *arg, struct profile *p, char *errstr,
    size_t errlen)
{
	const char *slash = strrchr(arg, '/');
	const char *s;
	int error = 0;

	memset(p, 0, sizeof *p);
	if (slash == NULL || slash[1] == '\0') {
		snprintf(errstr, errlen, "\"%s\" is not DIR/CHANNEL[:CHANNEL"
		    "...], e.g. /data/nfsen/profiles-data/live/chanA:chanB",
		    arg);
		return -EINVAL;
	}
	p->dir = slash == arg ? xstrdup("/") : xstrndup(arg,
	    (size_t)(slash - arg));
	for (s = slash + 1; error == 0; ) {
		const char *colon = strchr(s, ':');
		size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);

		error = profile_add(p, s, n, errstr, errlen);
		if (colon == NULL)
			break;
		s = colon + 1;
	}
	if (error == 0)
		error = profile_check_dirs(p, errstr, errlen);
	if (error != 0)
		profile_free(p);
	return error;
}

unsigned long profile_all(const struct profile *p)
{
	/* A shift by the mask's width is undefined: 64 channels are ~0. */
	return p->nchannels >= PROFILE_MAX_CHANNELS ? ~0UL :
	    (1UL << p->nchannels) - 1;
}

char *profile_names(const struct profile *p, unsigned long mask,
    const char *sep)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < p->nchannels; i++)
		len += strlen(p->channels[i]) + strlen(sep);
	out = xcalloc(1, len);
	for (size_t i = 0; i < p->nchannels; i++) {
		if (!(mask & (1UL << i)))
			continue;
		if (out[0] != '\0')
			strcat(out, sep);
		strcat(out, p->channels[i]);
	}
	return out;
}

char *profile_arg(const struct profile *p, unsigned long mask)
{
	char *names = profile_names(p, mask, ":");
	char *out;

	xasprintf(&out, "%s/%s", strcmp(p->dir, "/") == 0 ? "" : p->dir,
	    names);
	free(names);
	return out;
}

char *profile_path(const struct profile *p, size_t channel,
    const char *relfile)
{
	char *out;

	xasprintf(&out, "%s/%s%s%s", strcmp(p->dir, "/") == 0 ? "" : p->dir,
	    p->channels[channel], relfile != NULL ? "/" : "",
	    relfile != NULL ? relfile : "");
	return out;
}

unsigned long profile_present(const struct profile *p, const char *relfile)
{
	unsigned long mask = 0;

	for (size_t i = 0; i < p->nchannels; i++) {
		char *path = profile_path(p, i, relfile);
		struct stat st;

		/* Not a symbolic link, which could name any file on the host. */
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			mask |= 1UL << i;
		free(path);
	}
	return mask;
}

void profile_free(struct profile *p)
{
	strv_free(p->channels);
	free(p->dir);
	memset(p, 0, sizeof *p);
}
