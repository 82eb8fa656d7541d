/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runs nfdump as a child process and streams its stdout line by line. The
 * child is finished only when its exit status and EOF on both pipes have
 * arrived; pausing stops reading, so a full Kafka queue holds nfdump back
 * through the pipe instead of filling memory.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "nfdump.h"
#include "xmalloc.h"

#define NFDUMP_LINE_MAX (64 * 1024)
#define NFDUMP_BUF_SIZE (256 * 1024)
#define NFDUMP_ERR_MAX 1024
/* An nfdump that ignores SIGTERM this long gets SIGKILL. */
#define NFDUMP_KILL_GRACE_MS 5000

/* The environment every nfdump gets: TZ=UTC, LC_ALL=C and PATH only. */
struct nfdump_env {
	char *vars[4];
	char path[4096];
};

struct nfdump {
	uv_process_t proc;
	uv_pipe_t out;
	uv_pipe_t err;
	uv_timer_t timer;	/* the run's time limit, then the kill grace */
	int open_handles;
	int exited;
	int status;
	int paused;
	int out_eof;
	int out_closed;
	int discard;	/* killed: output is no longer wanted */
	int overlong;
	int killed;	/* SIGTERM sent */
	int timed_out;	/* killed for running longer than timeout_ms */
	int err_closed;
	int timer_closed;
	uint64_t timeout_ms;

	char *buf;	/* stdout bytes not yet consumed: [head, tail) */
	size_t head;
	size_t tail;
	char errtext[NFDUMP_ERR_MAX];
	size_t errlen;
	char errread[4096];	/* what a read of stderr lands in */
	struct nfdump_env env;

	nfdump_line_cb line_cb;
	nfdump_done_cb done_cb;
	void *arg;
};

/* UTC: times parse the same whatever the machine's zone; C: numbers. */
static char **nfdump_env(struct nfdump_env *e)
{
	const char *path = getenv("PATH");

	e->vars[0] = "TZ=UTC";
	e->vars[1] = "LC_ALL=C";
	e->vars[2] = e->vars[3] = NULL;
	if (path != NULL) {
		snprintf(e->path, sizeof e->path, "PATH=%s", path);
		e->vars[2] = e->path;
	}
	return e->vars;
}

static void nfdump_maybe_done(struct nfdump *n)
{
	if (n->open_handles > 0)
		return;
	if (n->overlong && n->status == 0)
		n->status = 1;
	if (n->done_cb != NULL)
		n->done_cb(n->arg, n->status, n->errtext);
	free(n->buf);
	free(n);
}

static void nfdump_closed(uv_handle_t *h)
{
	struct nfdump *n = h->data;

	n->open_handles--;
	nfdump_maybe_done(n);
}

static void nfdump_timer(uv_timer_t *t);

/*
 * nfdump runs in a process group of its own (UV_PROCESS_DETACHED: setsid),
 * so that whatever it starts is stopped with it: the group is signalled,
 * not only the pid.
 */
static void nfdump_signal(struct nfdump *n, int sig)
{
	if (kill(-n->proc.pid, sig) != 0 && !n->exited)
		uv_process_kill(&n->proc, sig);
}

/* The run is over once nfdump has exited and both pipes are closed. */
static void nfdump_settle(struct nfdump *n)
{
	if (n->exited && n->out_closed && n->err_closed && !n->timer_closed) {
		n->timer_closed = 1;
		uv_close((uv_handle_t *)&n->timer, nfdump_closed);
	}
}

static void nfdump_exited(uv_process_t *p, int64_t status, int signal)
{
	struct nfdump *n = p->data;

	n->exited = 1;
	n->status = signal != 0 ? NFDUMP_SIGNALLED + signal : (int)status;
	/* A process it left behind would hold its output open for ever. */
	kill(-p->pid, SIGKILL);
	uv_close((uv_handle_t *)p, nfdump_closed);
	if (!n->out_closed || !n->err_closed)
		uv_timer_start(&n->timer, nfdump_timer, NFDUMP_KILL_GRACE_MS, 0);
	nfdump_settle(n);
}

/* The error text says why we stopped it; its own stderr comes after. */
static void nfdump_say(struct nfdump *n, const char *fmt, unsigned long v)
{
	char msg[160];
	int len = snprintf(msg, sizeof msg, fmt, v);
	size_t keep = n->errlen;

	if (len <= 0)
		return;
	if ((size_t)len + keep > sizeof n->errtext - 2)
		keep = sizeof n->errtext - 2 - (size_t)len;
	memmove(n->errtext + len + 1, n->errtext, keep);
	memcpy(n->errtext, msg, (size_t)len);
	n->errtext[len] = keep > 0 ? '\n' : '\0';
	n->errlen = (size_t)len + 1 + keep;
	n->errtext[n->errlen] = '\0';
}

static void nfdump_close_out(struct nfdump *n);
static void nfdump_close_err(struct nfdump *n);

static void nfdump_timer(uv_timer_t *t)
{
	struct nfdump *n = t->data;

	if (n->exited) {
		/*
		 * Held back by its reader (a full producer queue), we do not
		 * read: its output's end cannot show yet. The grace counts
		 * while we read.
		 */
		if (n->paused && !n->out_eof && !n->discard) {
			uv_timer_start(&n->timer, nfdump_timer,
			    NFDUMP_KILL_GRACE_MS, 0);
			return;
		}
		/* Something out of its group still holds a pipe: let go. */
		if (!n->out_eof) {
			nfdump_say(n, "exited, but a process it started held "
			    "its output open for %lu s", NFDUMP_KILL_GRACE_MS /
			    1000);
			if (n->status == 0)
				n->status = 1;
			n->discard = 1;
			nfdump_close_out(n);
		}
		nfdump_close_err(n);
		return;
	}
	if (!n->killed) {
		nfdump_say(n, "did not finish within %lu s", (unsigned long)
		    (n->timeout_ms / 1000));
		n->timed_out = 1;
		nfdump_kill(n);
		return;
	}
	log_warn("nfdump (pid %d) ignored SIGTERM for %d s: killing it",
	    (int)n->proc.pid, NFDUMP_KILL_GRACE_MS / 1000);
	nfdump_signal(n, SIGKILL);
}

/* Offers complete lines to the consumer until it pauses or none is left. */
static void nfdump_drain(struct nfdump *n)
{
	while (!n->paused && !n->discard && n->head < n->tail) {
		char *start = n->buf + n->head;
		char *nl = memchr(start, '\n', n->tail - n->head);
		size_t len;

		if (nl == NULL) {
			if (!n->out_eof)
				break;
			nl = n->buf + n->tail; /* a last line without newline */
		}
		len = (size_t)(nl - start);
		if (n->line_cb(n->arg, start, len) != 0) {
			n->paused = 1;
			break;
		}
		n->head += len + (nl < n->buf + n->tail);
	}
	if (n->discard || n->head == n->tail)
		n->head = n->tail = 0;
}

static void nfdump_close_out(struct nfdump *n)
{
	if (n->out_closed)
		return;
	n->out_closed = 1;
	uv_close((uv_handle_t *)&n->out, nfdump_closed);
	nfdump_settle(n);
}

static void nfdump_close_err(struct nfdump *n)
{
	if (n->err_closed)
		return;
	n->err_closed = 1;
	uv_close((uv_handle_t *)&n->err, nfdump_closed);
	nfdump_settle(n);
}

static void nfdump_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct nfdump *n = h->data;

	(void)hint;
	if (n->head > 0 && NFDUMP_BUF_SIZE - n->tail < NFDUMP_LINE_MAX) {
		memmove(n->buf, n->buf + n->head, n->tail - n->head);
		n->tail -= n->head;
		n->head = 0;
	}
	*buf = uv_buf_init(n->buf + n->tail,
	    (unsigned)(NFDUMP_BUF_SIZE - n->tail));
}

static void nfdump_read_out(uv_stream_t *s, ssize_t nread,
    const uv_buf_t *buf)
{
	struct nfdump *n = s->data;

	(void)buf;
	if (nread > 0) {
		n->tail += (size_t)nread;
		nfdump_drain(n);
		if (!n->paused && n->tail - n->head >= NFDUMP_LINE_MAX) {
			log_error("nfdump: output line longer than %d bytes",
			    NFDUMP_LINE_MAX);
			n->overlong = 1;
			nfdump_kill(n);
		}
		if (n->paused)
			uv_read_stop(s);
		return;
	}
	if (nread == 0)
		return;
	/* EOF or a read error: whatever is buffered is the last output. */
	n->out_eof = 1;
	uv_read_stop(s);
	nfdump_drain(n);
	if (!n->paused)
		nfdump_close_out(n);
}

static void nfdump_err_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct nfdump *n = h->data;

	(void)hint;
	*buf = uv_buf_init(n->errread, sizeof n->errread);
}

/* Keeps the first part of stderr for the error message, drops the rest. */
static void nfdump_read_err(uv_stream_t *s, ssize_t nread,
    const uv_buf_t *buf)
{
	struct nfdump *n = s->data;

	if (nread > 0) {
		size_t room = sizeof n->errtext - 1 - n->errlen;
		size_t take = (size_t)nread < room ? (size_t)nread : room;

		memcpy(n->errtext + n->errlen, buf->base, take);
		/* A NUL would end the text there, hiding the rest. */
		for (size_t i = n->errlen; i < n->errlen + take; i++) {
			if (n->errtext[i] == '\0')
				n->errtext[i] = '?';
		}
		n->errlen += take;
		n->errtext[n->errlen] = '\0';
		return;
	}
	if (nread < 0)
		nfdump_close_err(n);
}

int nfdump_start(uv_loop_t *loop, char *const *argv, uint64_t timeout_ms,
    nfdump_line_cb line_cb, nfdump_done_cb done_cb, void *arg,
    struct nfdump **np)
{
	struct nfdump *n = xcalloc(1, sizeof *n);
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	int error;

	n->buf = xmalloc(NFDUMP_BUF_SIZE);
	n->line_cb = line_cb;
	n->done_cb = done_cb;
	n->arg = arg;
	uv_pipe_init(loop, &n->out, 0);
	uv_pipe_init(loop, &n->err, 0);
	uv_timer_init(loop, &n->timer);
	n->timeout_ms = timeout_ms;
	n->out.data = n->err.data = n->proc.data = n->timer.data = n;
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&n->out;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&n->err;
	opts.file = argv[0];
	opts.args = (char **)argv;
	opts.env = nfdump_env(&n->env);
	opts.stdio = stdio;
	opts.stdio_count = 3;
	opts.exit_cb = nfdump_exited;
	opts.flags = UV_PROCESS_DETACHED;	/* its own process group */
	n->open_handles = 4;
	nfdump_cloexec();
	error = uv_spawn(loop, &n->proc, &opts);
	if (error != 0) {
		/* Report through the return value only; free once closed. */
		n->done_cb = NULL;
		uv_close((uv_handle_t *)&n->proc, nfdump_closed);
		uv_close((uv_handle_t *)&n->out, nfdump_closed);
		uv_close((uv_handle_t *)&n->err, nfdump_closed);
		uv_close((uv_handle_t *)&n->timer, nfdump_closed);
		return error;
	}
	if (timeout_ms > 0)
		uv_timer_start(&n->timer, nfdump_timer, timeout_ms, 0);
	uv_read_start((uv_stream_t *)&n->out, nfdump_alloc, nfdump_read_out);
	uv_read_start((uv_stream_t *)&n->err, nfdump_err_alloc,
	    nfdump_read_err);
	*np = n;
	return 0;
}

void nfdump_resume(struct nfdump *n)
{
	if (!n->paused)
		return;
	n->paused = 0;
	nfdump_drain(n);
	if (n->paused)
		return;
	if (n->out_eof)
		nfdump_close_out(n);
	else
		uv_read_start((uv_stream_t *)&n->out, nfdump_alloc,
		    nfdump_read_out);
}

/* Stops nfdump and reads its remaining output only to reach EOF. */
void nfdump_kill(struct nfdump *n)
{
	n->discard = 1;
	if (!n->exited && !n->killed) {
		n->killed = 1;
		nfdump_signal(n, SIGTERM);
		uv_timer_start(&n->timer, nfdump_timer, NFDUMP_KILL_GRACE_MS, 0);
	}
	if (n->paused) {
		n->paused = 0;
		if (n->out_eof)
			nfdump_close_out(n);
		else
			uv_read_start((uv_stream_t *)&n->out, nfdump_alloc,
			    nfdump_read_out);
	}
}

int nfdump_timed_out(const struct nfdump *n)
{
	return n->timed_out;
}

/*
 * librdkafka's pipes, the log file and whatever a library opened without
 * O_CLOEXEC would otherwise be inherited by every nfdump.
 */
void nfdump_cloexec(void)
{
	DIR *dir;
	struct dirent *e;

#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	if ((dir = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		int fd = atoi(e->d_name);

		if (fd > 2 && fd != dirfd(dir))
			fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	}
	closedir(dir);
}

/*
 * Reads the child's stdout into out until EOF or the deadline. Once the
 * child has exited, what it left in its process group is killed, so that
 * none of it holds the pipe open: the same as nfdump_exited.
 */
static int nfdump_collect(pid_t pid, int fd, char *out, size_t outlen,
    int timeout_ms, int *status, int *exited)
{
	size_t len = 0;
	uint64_t end = uv_hrtime() / 1000000 + (uint64_t)timeout_ms;
	int error = 0;

	*exited = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(end - uv_hrtime() / 1000000);
		char scratch[512];
		ssize_t r;

		if (!*exited && waitpid(pid, status, WNOHANG) == pid) {
			*exited = 1;
			kill(-pid, SIGKILL);
		}
		if (left <= 0) {
			error = -ETIMEDOUT;
			break;
		}
		/* Short slices: the child's exit is seen without a pipe. */
		if (poll(&p, 1, *exited || left < 100 ? (int)left : 100) < 0 &&
		    errno != EINTR) {
			error = -errno;
			break;
		}
		if (p.revents == 0)
			continue;
		r = read(fd, scratch, sizeof scratch);
		if (r <= 0)
			break;
		if (out != NULL && len + 1 < outlen) {
			size_t take = (size_t)r < outlen - 1 - len ? (size_t)r :
			    outlen - 1 - len;

			memcpy(out + len, scratch, take);
			len += take;
		}
	}
	if (out != NULL && outlen > 0)
		out[len] = '\0';
	return error;
}

/* Runs argv to completion; with both, stderr joins stdout in out. */
static int nfdump_sync(char *const argv[], char *out, size_t outlen,
    int timeout_ms, int both)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct nfdump_env env;
	int pipefd[2], status, error, exited;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -errno;
	nfdump_cloexec();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	if (both)
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
		    O_WRONLY, 0);
	/* Its own process group, as nfdump_start's runs: killed as one. */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	error = posix_spawnp(&pid, argv[0], &fa, &attr, argv,
	    nfdump_env(&env));
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (error != 0) {
		close(pipefd[0]);
		return -error;
	}
	error = nfdump_collect(pid, pipefd[0], out, outlen, timeout_ms,
	    &status, &exited);
	close(pipefd[0]);
	if (error != 0)
		kill(-pid, SIGKILL);
	while (!exited && waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	/* The group outlives its leader while a member is left: stop it. */
	kill(-pid, SIGKILL);
	if (error != 0)
		return error;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    NFDUMP_SIGNALLED + WTERMSIG(status);
}

int nfdump_run_sync(char *const argv[], char *out, size_t outlen,
    int timeout_ms)
{
	return nfdump_sync(argv, out, outlen, timeout_ms, 0);
}

int nfdump_run_sync_all(char *const argv[], char *out, size_t outlen,
    int timeout_ms)
{
	return nfdump_sync(argv, out, outlen, timeout_ms, 1);
}
