/*
 * Runs nfdump as a child process and streams its stdout line by line. The
 * child is finished only when its exit status and EOF on both pipes have
 * arrived; pausing stops reading, so a full Kafka queue holds nfdump back
 * through the pipe instead of filling memory.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nfdump.h"
#include "xmalloc.h"

#define NFDUMP_LINE_MAX (64 * 1024)
#define NFDUMP_BUF_SIZE (256 * 1024)
#define NFDUMP_ERR_MAX 1024

struct nfdump {
	uv_process_t proc;
	uv_pipe_t out;
	uv_pipe_t err;
	int open_handles;
	int exited;
	int status;
	int paused;
	int out_eof;
	int out_closed;
	int discard;	/* killed: output is no longer wanted */
	int overlong;

	char *buf;	/* stdout bytes not yet consumed: [head, tail) */
	size_t head;
	size_t tail;
	char errtext[NFDUMP_ERR_MAX];
	size_t errlen;

	nfdump_line_cb line_cb;
	nfdump_done_cb done_cb;
	void *arg;
};

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

static void nfdump_exited(uv_process_t *p, int64_t status, int signal)
{
	struct nfdump *n = p->data;

	n->exited = 1;
	n->status = signal != 0 ? 128 + signal : (int)status;
	uv_close((uv_handle_t *)p, nfdump_closed);
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
	static char scratch[4096];

	(void)h;
	(void)hint;
	*buf = uv_buf_init(scratch, sizeof scratch);
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
		n->errlen += take;
		n->errtext[n->errlen] = '\0';
		return;
	}
	if (nread < 0)
		uv_close((uv_handle_t *)s, nfdump_closed);
}

int nfdump_start(uv_loop_t *loop, char *const *argv, nfdump_line_cb line_cb,
    nfdump_done_cb done_cb, void *arg, struct nfdump **np)
{
	struct nfdump *n = xcalloc(1, sizeof *n);
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	/* UTC: times parse the same whatever the machine's zone; C: numbers. */
	char *env[] = { "TZ=UTC", "LC_ALL=C", NULL, NULL };
	char pathvar[4096];
	const char *path = getenv("PATH");
	int error;

	if (path != NULL) {
		snprintf(pathvar, sizeof pathvar, "PATH=%s", path);
		env[2] = pathvar;
	}
	n->buf = xmalloc(NFDUMP_BUF_SIZE);
	n->line_cb = line_cb;
	n->done_cb = done_cb;
	n->arg = arg;
	uv_pipe_init(loop, &n->out, 0);
	uv_pipe_init(loop, &n->err, 0);
	n->out.data = n->err.data = n->proc.data = n;
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&n->out;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&n->err;
	opts.file = argv[0];
	opts.args = (char **)argv;
	opts.env = env;
	opts.stdio = stdio;
	opts.stdio_count = 3;
	opts.exit_cb = nfdump_exited;
	n->open_handles = 3;
	error = uv_spawn(loop, &n->proc, &opts);
	if (error != 0) {
		/* Report through the return value only; free once closed. */
		n->done_cb = NULL;
		uv_close((uv_handle_t *)&n->proc, nfdump_closed);
		uv_close((uv_handle_t *)&n->out, nfdump_closed);
		uv_close((uv_handle_t *)&n->err, nfdump_closed);
		return error;
	}
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
	if (!n->exited)
		uv_process_kill(&n->proc, SIGTERM);
	if (n->paused) {
		n->paused = 0;
		if (n->out_eof)
			nfdump_close_out(n);
		else
			uv_read_start((uv_stream_t *)&n->out, nfdump_alloc,
			    nfdump_read_out);
	}
}
