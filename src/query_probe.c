/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Asks nfdump whether it accepts a query, by running it on an empty window
 * written for the purpose: blocking before the loop runs, or as a child on
 * the loop after a failed window, so that the watchdog, the metrics and the
 * signals are served meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nfdump.h"
#include "query_probe.h"
#include "strv.h"
#include "xmalloc.h"

/* An nfcapd name any version reads (not --check-config's window). */
#define QUERY_PROBE_FILE "nfcapd.197001010005"
#define QUERY_PROBE_MS 10000
/* nfdump 1.6's file header (magic, layout 1, ident) and statistics. */
#define QUERY_PROBE_HEADER 140
#define QUERY_PROBE_STATS 136
#define QUERY_PROBE_OUT 4096

struct query_probe {
	const struct dialect *dialect;
	struct nfdump *nfdump;
	char dir[4096];
	char path[4200];
	char out[QUERY_PROBE_OUT]; /* its stdout, as much as fits */
	size_t len;
	int cancelled;
	query_probe_cb cb;
	void *arg;
};

/*
 * An nfcapd file with no flows in nfdump 1.6's layout, which 1.6 and 1.7
 * read as an empty window: with it, 1.6 (which opens its files before it
 * checks its output format) judges the whole query too. 1.8 refuses the
 * layout, naming the file, after its own checks.
 */
static int query_probe_write(const char *path)
{
	unsigned char buf[QUERY_PROBE_HEADER + QUERY_PROBE_STATS] = { 0 };
	uint16_t magic = 0xA50C, layout = 1;
	int fd, error = 0;

	memcpy(buf, &magic, sizeof magic);
	memcpy(buf + 2, &layout, sizeof layout);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0)
		return -errno;
	if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
		error = -EIO;
	close(fd);
	return error;
}

/* The empty window in a directory of its own, under $TMPDIR. */
static int query_probe_window(char dir[4096], char path[4200])
{
	const char *tmp = getenv("TMPDIR");
	int error;

	snprintf(dir, 4096, "%s/nfkafka-probe-XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -errno;
	snprintf(path, 4200, "%s/%s", dir, QUERY_PROBE_FILE);
	if ((error = query_probe_write(path)) != 0) {
		unlink(path);
		rmdir(dir);
	}
	return error;
}

static void query_probe_unlink(const char *dir, const char *path)
{
	unlink(path);
	rmdir(dir);
}

/* nfdump's words, stderr and stdout together, judged by its dialect. */
static int query_probe_judge(const struct dialect *d, int status,
    const char *out, char *errstr, size_t errlen)
{
	char why[320];

	if (dialect_probe_verdict(status, out, QUERY_PROBE_FILE, why,
	    sizeof why) != 0) {
		snprintf(errstr, errlen, "nfdump %s refuses the query: %s; "
		    "give -Q a query this nfdump accepts", dialect_name(d), why);
		return -EINVAL;
	}
	return 0;
}

int query_probe(const struct query *q, const char *nfdump, char *errstr,
    size_t errlen)
{
	char dir[4096], path[4200], out[QUERY_PROBE_OUT];
	char **argv;
	int status, error;

	if ((error = query_probe_window(dir, path)) != 0)
		return error;
	argv = query_argv(q, nfdump, dir, QUERY_PROBE_FILE);
	status = nfdump_run_sync_all(argv, out, sizeof out, QUERY_PROBE_MS);
	strv_free(argv);
	query_probe_unlink(dir, path);
	if (status < 0)
		return status;
	return query_probe_judge(q->dialect, status, out, errstr, errlen);
}

static int query_probe_line(void *arg, const char *line, size_t len)
{
	struct query_probe *p = arg;
	size_t room = sizeof p->out - 1 - p->len;

	if (room > 0) {
		if (len > room - 1)
			len = room - 1;
		memcpy(p->out + p->len, line, len);
		p->len += len;
		p->out[p->len++] = '\n';
		p->out[p->len] = '\0';
	}
	return 0;
}

static void query_probe_done(void *arg, int status, const char *errtext)
{
	struct query_probe *p = arg;
	char words[QUERY_PROBE_OUT + 1024 + 2], why[512] = "";
	int verdict;

	query_probe_unlink(p->dir, p->path);
	if (p->cancelled) {
		verdict = -ECANCELED;
	} else if (nfdump_timed_out(p->nfdump)) {
		verdict = -ETIMEDOUT;
	} else {
		/*
		 * nfdump complains on stderr, and may print its usage on
		 * stdout after: its complaint goes first, as in the order
		 * it wrote them.
		 */
		snprintf(words, sizeof words, "%s%s%s", errtext,
		    errtext[0] != '\0' ? "\n" : "", p->out);
		verdict = query_probe_judge(p->dialect, status, words, why,
		    sizeof why);
	}
	p->cb(p->arg, verdict, why);
	free(p);
}

int query_probe_start(uv_loop_t *loop, const struct query *q,
    const char *nfdump, query_probe_cb cb, void *arg,
    struct query_probe **pp)
{
	struct query_probe *p = xcalloc(1, sizeof *p);
	char **argv;
	int error;

	p->dialect = q->dialect;
	p->cb = cb;
	p->arg = arg;
	if ((error = query_probe_window(p->dir, p->path)) != 0) {
		free(p);
		return error;
	}
	argv = query_argv(q, nfdump, p->dir, QUERY_PROBE_FILE);
	error = nfdump_start(loop, argv, QUERY_PROBE_MS, query_probe_line,
	    query_probe_done, p, &p->nfdump);
	strv_free(argv);
	if (error != 0) {
		query_probe_unlink(p->dir, p->path);
		free(p);
		return error;
	}
	*pp = p;
	return 0;
}

void query_probe_cancel(struct query_probe *p)
{
	p->cancelled = 1;
	nfdump_kill(p->nfdump);
}
