/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Durable progress: the floor (every window up to it is exported) and the
 * ledger of recently exported windows, in one file replaced atomically.
 *
 *	20261127105000			the floor, or "-": none yet
 *	nfkafka-ledger 2
 *	window STAMP REV RELFILE CHAN=SIZE,MTIME_NS,INODE ...
 *	inflight STAMP REV RELFILE CHAN=...	(exactly-once, at most one)
 *
 * The first line alone is what the cron script's `last` file and earlier
 * versions wrote; such a file still loads, with an empty ledger. Version 2
 * writes RELFILE percent-escaped (controls, space, '%', DEL), so that no
 * directory name can split a line or forge one; version 1 wrote it raw.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "xmalloc.h"

/* The ledger's lines this version writes and reads. */
#define STATE_VERSION 2
/* A line's bytes besides its file names: kind, stamp, revision, numbers. */
#define STATE_LINE_BYTES 64
/* A relative file name: five directory levels at most, escaped (x3). */
#define STATE_RELFILE_BYTES (3 * 6 * 256)

/*
 * The largest file a ledger can make, so that whatever was saved loads,
 * also after --ledger-windows was lowered: derived from the largest ledger
 * and the channels, not a fixed guess.
 */
static size_t state_max_bytes(const struct profile *p)
{
	size_t line = STATE_LINE_BYTES + STATE_RELFILE_BYTES;

	for (size_t i = 0; i < p->nchannels; i++)
		line += strlen(p->channels[i]) + STATE_LINE_BYTES;
	return (1 << 20) + (LEDGER_MAX_WINDOWS + 1) * line;
}

/* Refuses links, FIFOs and devices: --state must name a regular file. */
static int state_check_type(const char *path, char *errstr, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		int error = errno;

		if (error == ENOENT)
			return 0;
		snprintf(errstr, errlen, "state file %s: %s", path,
		    strerror(error));
		return -error;
	}
	if (S_ISREG(st.st_mode))
		return 0;
	snprintf(errstr, errlen, "state file %s: is a %s, not a regular file; "
	    "point --state at a file in a directory only nfkafka writes",
	    path, S_ISLNK(st.st_mode) ? "symbolic link" : S_ISFIFO(st.st_mode)
	    ? "FIFO" : S_ISDIR(st.st_mode) ? "directory" : "special file");
	return -EINVAL;
}

static int state_read(const char *path, size_t max, char **textp,
    char *errstr, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char *text;
	size_t len = 0;
	ssize_t n;
	struct stat st;

	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		snprintf(errstr, errlen, "state file %s: %s", path,
		    strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size > max) {
		snprintf(errstr, errlen, "state file %s: not a regular state "
		    "file, or larger (%jd bytes) than --ledger-windows can "
		    "make (%zu); fix or remove it", path, (intmax_t)st.st_size,
		    max);
		close(fd);
		return -EINVAL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	    (n = read(fd, text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	text[len] = '\0';
	*textp = text;
	return 0;
}

static int state_stamp(const char *word, char stamp[NFCAPD_STAMP_LEN + 1])
{
	char name[48];

	if (strlen(word) > 20)
		return -EINVAL;
	snprintf(name, sizeof name, "nfcapd.%s", word);
	return nfcapd_parse_name(name, stamp);
}

static int state_check_floor(const char *path, const char *word,
    char floor[NFCAPD_STAMP_LEN + 1], char *errstr, size_t errlen)
{
	if (strcmp(word, "-") == 0) {
		floor[0] = '\0';
		return 0;
	}
	if (state_stamp(word, floor) != 0) {
		snprintf(errstr, errlen, "state file %s: \"%.40s\" is not a "
		    "window time YYYYMMDDhhmm[ss]; fix or remove the file",
		    path, word);
		return -EINVAL;
	}
	/* A floor ahead of the clock is the service's to judge (--future-slack). */
	return 0;
}

static int state_channel(const struct profile *p, const char *name,
    size_t len)
{
	for (size_t i = 0; i < p->nchannels; i++) {
		if (strlen(p->channels[i]) == len &&
		    memcmp(p->channels[i], name, len) == 0)
			return (int)i;
	}
	return -1;
}

static int state_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes state_put_name in place: 0, or -EINVAL for a bad or NUL escape. */
static int state_unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		int hi, lo;

		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		if ((hi = state_hex(s[1])) < 0 || (lo = state_hex(s[2])) < 0 ||
		    (hi | lo) == 0)
			return -EINVAL;
		*out++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*out = '\0';
	return 0;
}

/*
 * The relative file name of a ledger line, checked as one given to --once:
 * it is handed to nfdump, so nothing outside the channel directories.
 */
static int state_relfile(char *rel, int version, const char *stamp)
{
	char st[NFCAPD_STAMP_LEN + 1], err[256];

	if (version >= 2 && state_unescape(rel) != 0)
		return -EINVAL;
	if (nfcapd_check_relfile(rel, st, err, sizeof err) != 0 ||
	    strcmp(st, stamp) != 0 || strlen(rel) > STATE_RELFILE_BYTES / 3)
		return -EINVAL;
	return 0;
}

/* "window STAMP REV RELFILE CHAN=SIZE,MTIME,INO...": 0 or -EINVAL. */
static int state_ledger_line(char *line, int version, const struct profile *p,
    struct ledger *lg)
{
	char *save, *kind = strtok_r(line, " ", &save);
	char *word = strtok_r(NULL, " ", &save);
	char *rev = strtok_r(NULL, " ", &save);
	char *rel = strtok_r(NULL, " ", &save), *f, stamp[NFCAPD_STAMP_LEN + 1];
	struct ledger_file *files;
	unsigned revision;

	if (kind == NULL || rel == NULL || state_stamp(word, stamp) != 0 ||
	    sscanf(rev, "%u", &revision) != 1 ||
	    state_relfile(rel, version, stamp) != 0)
		return -EINVAL;
	files = xcalloc(p->nchannels, sizeof *files);
	while ((f = strtok_r(NULL, " ", &save)) != NULL) {
		char *eq = strchr(f, '=');
		struct ledger_file lf;
		int ch;

		if (eq == NULL || sscanf(eq + 1, "%" SCNu64 ",%" SCNd64 ",%"
		    SCNu64, &lf.size, &lf.mtime_ns, &lf.ino) != 3)
			break;
		/* A channel no longer in the profile is forgotten. */
		if ((ch = state_channel(p, f, (size_t)(eq - f))) >= 0)
			files[ch] = lf;
	}
	if (f == NULL && strcmp(kind, "window") == 0)
		ledger_put(lg, stamp, rel, revision, files);
	else if (f == NULL && strcmp(kind, "inflight") == 0)
		ledger_set_inflight(lg, stamp, rel, revision, files);
	else
		f = kind;
	free(files);
	return f == NULL ? 0 : -EINVAL;
}

/* "nfkafka-ledger N": N, or -EINVAL for any other line. */
static int state_version(const char *line)
{
	unsigned v;
	char end;

	if (sscanf(line, "nfkafka-ledger %u%c", &v, &end) != 1 || v == 0 ||
	    v > 1000)
		return -EINVAL;
	return (int)v;
}

/*
 * Line n (from 0) after the floor: the version, then ledger lines. A line
 * that does not parse costs what it recorded (a revision of that window
 * may be missed), never the start, and is said.
 */
static int state_line(const char *path, char *line, int n, int *version,
    const struct profile *p, struct ledger *lg, char *errstr, size_t errlen)
{
	if (n == 1) {
		*version = state_version(line);
		if (*version > STATE_VERSION) {
			snprintf(errstr, errlen, "state file %s: its ledger is "
			    "version %d, from a newer nfkafka (this one reads "
			    "%d); run that version, or keep only the first line "
			    "(the floor) of the file", path, *version,
			    STATE_VERSION);
			return -EINVAL;
		}
		if (*version > 0)
			return 0;
		log_warn("state file %s: line 2 is not \"nfkafka-ledger %d\"; "
		    "reading the ledger as version 1", path, STATE_VERSION);
		*version = 1;
	}
	if (lg != NULL && state_ledger_line(line, *version, p, lg) != 0)
		log_warn("state file %s: line %d is not a ledger line; "
		    "ignored (a later change to its window may not be "
		    "exported again)", path, n + 1);
	return 0;
}

int state_load(const char *path, const struct profile *p,
    char floor[NFCAPD_STAMP_LEN + 1], struct ledger *lg, char *errstr,
    size_t errlen)
{
	char *text = NULL, *line, *save, *save2, *word;
	int error, n = 0, version = 0;

	if ((error = state_check_type(path, errstr, errlen)) != 0)
		return error;
	if ((error = state_read(path, state_max_bytes(p), &text, errstr,
	    errlen)) != 0)
		return error;
	for (line = strtok_r(text, "\r\n", &save); error == 0 && line != NULL;
	    line = strtok_r(NULL, "\r\n", &save), n++) {
		line[strcspn(line, "\t")] = '\0';
		if (n == 0) {
			word = strtok_r(line, " ", &save2);
			error = state_check_floor(path, word ? word : "",
			    floor, errstr, errlen);
		}
		else
			error = state_line(path, line, n, &version, p, lg,
			    errstr, errlen);
	}
	if (n == 0 && error == 0) {
		snprintf(errstr, errlen, "state file %s: empty; fix or remove "
		    "the file", path);
		error = -EINVAL;
	}
	free(text);
	return error;
}

/* Percent-escapes what would split or end a line, and '%' itself. */
static void state_put_name(FILE *f, const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if (*c <= ' ' || *c == '%' || *c == 0x7f)
			fprintf(f, "%%%02X", *c);
		else
			fputc(*c, f);
	}
}

static void state_put_window(FILE *f, const char *kind,
    const struct profile *p, const struct ledger_window *w)
{
	fprintf(f, "%s %s %u ", kind, w->stamp, w->revision);
	state_put_name(f, w->relfile);
	for (size_t i = 0; i < p->nchannels; i++) {
		if (w->files[i].ino != 0)
			fprintf(f, " %s=%" PRIu64 ",%" PRId64 ",%" PRIu64,
			    p->channels[i], w->files[i].size,
			    w->files[i].mtime_ns, w->files[i].ino);
	}
	fputc('\n', f);
}

static char *state_format(const struct profile *p, const char *floor,
    const struct ledger *lg, size_t *lenp)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, lenp);

	if (f == NULL)
		return NULL;
	if (floor[0] == '\0')
		fputs("-\n", f);
	else	/* Minute windows keep the cron script's 12-digit format. */
		fprintf(f, "%.*s\n", strcmp(floor + 12, "00") == 0 ? 12 :
		    NFCAPD_STAMP_LEN, floor);
	if (lg != NULL && (ledger_count(lg) > 0 || ledger_inflight(lg))) {
		fprintf(f, "nfkafka-ledger %d\n", STATE_VERSION);
		for (size_t i = 0; i < ledger_count(lg); i++)
			state_put_window(f, "window", p, ledger_at(lg, i));
		if (ledger_inflight(lg) != NULL)
			state_put_window(f, "inflight", p, ledger_inflight(lg));
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
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

/*
 * Never through a link planted as STATE.tmp: O_EXCL|O_NOFOLLOW, and a
 * stale one (a crash mid-save) is removed, not followed.
 */
static int state_open_tmp(const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(tmp, flags, 0644);

	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, flags, 0644);
	return fd < 0 ? -errno : fd;
}

static int state_write(const char *path, const char *tmp, const char *text,
    size_t len)
{
	int fd = state_open_tmp(tmp), error = 0;
	ssize_t written;

	if (fd < 0)
		return fd;
	if ((written = write(fd, text, len)) != (ssize_t)len)
		error = written < 0 ? -errno : -EIO;
	else if (fsync(fd) != 0)
		error = -errno;
	if (close(fd) != 0 && error == 0)
		error = -errno;
	if (error == 0 && rename(tmp, path) != 0)
		error = -errno;
	if (error == 0)
		error = state_fsync_dir(path);
	return error;
}

int state_save(const char *path, const struct profile *p, const char *floor,
    const struct ledger *lg, char *errstr, size_t errlen)
{
	char *tmp, *text;
	size_t len;
	int error;

	if ((error = state_check_type(path, errstr, errlen)) != 0)
		return error;
	if ((text = state_format(p, floor, lg, &len)) == NULL) {
		snprintf(errstr, errlen, "state file %s: out of memory", path);
		return -ENOMEM;
	}
	xasprintf(&tmp, "%s.tmp", path);
	error = state_write(path, tmp, text, len);
	if (error != 0) {
		snprintf(errstr, errlen, "state file %s: %s", path,
		    strerror(-error));
		if (error != -EEXIST)
			unlink(tmp);
	}
	free(text);
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
	if (error == 0)
		error = state_check_type(path, errstr, errlen);
	return error;
}

/* The pid of the nfkafka holding the lock, as it wrote it; 0 if unknown. */
static long state_lock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int state_lock(const char *path, int *fdp, char *errstr, size_t errlen)
{
	char *lock, pid[32];
	int fd, error = 0, n;

	xasprintf(&lock, "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		error = -errno;
		snprintf(errstr, errlen, "state file %s: lock %s: %s", path,
		    lock, strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		error = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (error == -EBUSY)
			snprintf(errstr, errlen, "state file %s is in use by "
			    "another nfkafka (pid %ld): stop it, or give each "
			    "instance its own --state", path,
			    state_lock_holder(fd));
		else
			snprintf(errstr, errlen, "state file %s: lock %s: %s",
			    path, lock, strerror(-error));
		close(fd);
	} else {
		n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
			log_debug("state file %s: cannot note our pid in %s",
			    path, lock);
		*fdp = fd;
	}
	free(lock);
	return error;
}
