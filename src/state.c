/* Durable progress: which window was exported last. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "xmalloc.h"

int state_load(const char *path, char stamp[NFCAPD_STAMP_LEN + 1],
    char *errstr, size_t errlen)
{
	char buf[64], name[80];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		if (errno == ENOENT)
			return -ENOENT;
		snprintf(errstr, errlen, "state file %s: %s", path,
		    strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, " \t\r\n")] = '\0';
	snprintf(name, sizeof name, "nfcapd.%s", buf);
	if (nfcapd_parse_name(name, stamp) != 0) {
		snprintf(errstr, errlen, "state file %s: \"%s\" is not a "
		    "window time YYYYMMDDhhmm[ss]; fix or remove the file",
		    path, buf);
		return -EINVAL;
	}
	return 0;
}

static int state_fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int error = 0;

	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		error = -errno;
	close(fd);
	return error;
}

int state_save(const char *path, const char *stamp, char *errstr,
    size_t errlen)
{
	char *tmp;
	char line[NFCAPD_STAMP_LEN + 2];
	int fd, error = 0;
	ssize_t written;
	size_t len;

	/* Minute windows keep the cron script's 12-digit format. */
	len = strcmp(stamp + 12, "00") == 0 ? 12 : NFCAPD_STAMP_LEN;
	memcpy(line, stamp, len);
	line[len++] = '\n';
	xasprintf(&tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		error = -errno;
	else if ((written = write(fd, line, len)) != (ssize_t)len)
		error = written < 0 ? -errno : -EIO;
	else if (fsync(fd) != 0)
		error = -errno;
	if (fd >= 0 && close(fd) != 0 && error == 0)
		error = -errno;
	if (error == 0 && rename(tmp, path) != 0)
		error = -errno;
	if (error == 0)
		error = state_fsync_dir(path);
	if (error != 0) {
		snprintf(errstr, errlen, "state file %s: %s", path,
		    strerror(-error));
		unlink(tmp);
	}
	free(tmp);
	return error;
}

int state_check(const char *path, char *errstr, size_t errlen)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	int error = access(dir, W_OK | X_OK) == 0 ? 0 : -errno;

	if (error != 0)
		snprintf(errstr, errlen, "state file %s: directory %s: %s",
		    path, dir, strerror(-error));
	free(copy);
	return error;
}
