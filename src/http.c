/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small HTTP/1.1 server for the metrics endpoint, on the caller's loop.
 * One request per connection: read the head, answer from the handler, shut
 * down our side and close once the client has closed its own. One deadline
 * per connection, from its accept, bounds all of these phases together
 * (no phase and no byte restarts it), and the number of connections is
 * capped, so a slow or silent client cannot hold the endpoint.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define HTTP_HEAD_MAX 8192
#define HTTP_MAX_CONNS 64
#define HTTP_TIMEOUT_MS 10000
#define HTTP_BACKLOG 128

enum http_state { HTTP_READING, HTTP_WRITING, HTTP_DRAINING };

struct http_conn {
	struct http_server *s;
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_write_t wr;
	uv_shutdown_t shut;
	enum http_state state;
	int eof;		/* the client has closed its side */
	int head_only;		/* HEAD: the same headers, no body */
	int closing;
	int handles;		/* tcp and timer, until both are closed */
	char *out;		/* status line and headers */
	char *body;
	size_t len;
	char head[HTTP_HEAD_MAX + 1];
	struct http_conn *prev, *next;
};

struct http_server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	char *addr;
	http_handler_cb cb;
	void *arg;
	uint64_t timeout;
	int port;
	struct http_conn *conns;
	int nconns;		/* live connections, against HTTP_MAX_CONNS */
	int open;		/* handles not yet closed, the listener included */
	int stopping;
	int full;		/* the limit was reached and said so in the log */
};

static const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	}
	/* Clients go by the number; the phrase is for people reading traces. */
	return "Status";
}

/*
 * Every handle's close callback drops one reference; the listener holds one
 * until http_stop, so the server is never freed while still in use.
 */
static void http_release(struct http_server *s)
{
	if (--s->open > 0)
		return;
	free(s->addr);
	free(s);
}

static void http_listener_closed(uv_handle_t *h)
{
	http_release(h->data);
}

static void http_conn_closed(uv_handle_t *h)
{
	struct http_conn *c = h->data;
	struct http_server *s = c->s;

	if (--c->handles > 0)
		return;
	free(c->out);
	free(c->body);
	free(c);
	http_release(s);
}

static void http_conn_close(struct http_conn *c)
{
	struct http_server *s = c->s;

	if (c->closing)
		return;
	c->closing = 1;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	/* Said again only after the crowd has gone: one line per flood. */
	if (--s->nconns < HTTP_MAX_CONNS / 2)
		s->full = 0;
	/* A pending write or shutdown is called back with UV_ECANCELED before
	 * the close callbacks, so c is still there for it. */
	uv_close((uv_handle_t *)&c->tcp, http_conn_closed);
	uv_close((uv_handle_t *)&c->timer, http_conn_closed);
}

static void http_timeout(uv_timer_t *t)
{
	struct http_conn *c = t->data;

	log_debug("http %s: connection timed out", c->s->addr);
	http_conn_close(c);
}

static void http_written(uv_write_t *req, int status)
{
	struct http_conn *c = req->data;

	if (status < 0 && !c->closing) {
		log_debug("http %s: write: %s", c->s->addr,
		    uv_strerror(status));
		http_conn_close(c);
	}
}

/*
 * Closing a socket with unread input makes the kernel send a reset, which
 * can destroy the response before the client reads it (an oversized head
 * is the usual case). So we shut down our side, discard what still comes
 * and close on the client's EOF.
 */
static void http_shut(uv_shutdown_t *req, int status)
{
	struct http_conn *c = req->data;

	if (c->closing)
		return;
	if (status < 0 || c->eof) {
		http_conn_close(c);
		return;
	}
	c->state = HTTP_DRAINING;
}

/* Takes body; sends the response and then EOF. */
static void http_respond(struct http_conn *c, int status, const char *type,
    const char *extra, char *body, size_t len)
{
	uv_stream_t *stream = (uv_stream_t *)&c->tcp;
	uv_buf_t bufs[2];
	unsigned int nbufs = 1;
	int n, error;

	c->state = HTTP_WRITING;
	c->body = body;
	c->len = len;
	n = xasprintf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n%sConnection: close\r\n\r\n", status,
	    http_reason(status), type, len, extra);
	bufs[0] = uv_buf_init(c->out, n);
	if (!c->head_only && len > 0)
		bufs[nbufs++] = uv_buf_init(body, len);

	c->wr.data = c;
	c->shut.data = c;
	error = uv_write(&c->wr, stream, bufs, nbufs, http_written);
	if (error == 0)
		error = uv_shutdown(&c->shut, stream, http_shut);
	if (error != 0) {
		log_debug("http %s: write: %s", c->s->addr,
		    uv_strerror(error));
		http_conn_close(c);
	}
}

static void http_error(struct http_conn *c, int status, const char *extra)
{
	char *body;
	int n;

	n = xasprintf(&body, "%s\n", http_reason(status));
	http_respond(c, status, "text/plain; charset=utf-8", extra, body, n);
}

size_t http_head_end(const char *h, size_t len, size_t from)
{
	/* Bare LF line ends are accepted, as RFC 9112 allows. */
	for (size_t i = from; i + 1 < len; i++) {
		if (h[i] != '\n')
			continue;
		if (h[i + 1] == '\n')
			return i + 2;
		if (h[i + 1] == '\r' && i + 2 < len && h[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Cuts a line at its end in place; returns the next line. */
static char *http_cut_line(char *line)
{
	char *nl = strchr(line, '\n');

	if (nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	*nl = '\0';
	return nl + 1;
}

/* A request line is printable ASCII only, spaces included. */
static int http_printable(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	}
	return 1;
}

int http_parse_request(char *head, size_t end, struct http_request *req)
{
	char *line, *next, *method, *target, *version, *sp;

	/* A NUL would end the string functions' view of the head early. */
	if (memchr(head, '\0', end) != NULL)
		return 400;
	head[end] = '\0';
	line = head;
	next = http_cut_line(line);
	if (!http_printable(line))
		return 400;
	method = line;
	if ((sp = strchr(method, ' ')) == NULL)
		return 400;
	*sp = '\0';
	target = sp + 1;
	if ((sp = strchr(target, ' ')) == NULL)
		return 400;
	*sp = '\0';
	version = sp + 1;
	if (*method == '\0' || *target != '/' ||
	    strncmp(version, "HTTP/1.", 7) != 0 || version[7] < '0' ||
	    version[7] > '9' || version[8] != '\0')
		return 400;

	/* Header fields are not used, but a line that is not one is an error. */
	while (*next != '\r' && *next != '\n') {
		line = next;
		next = http_cut_line(line);
		if (strchr(line, ':') == NULL || *line == ' ' ||
		    *line == '\t')
			return 400;
	}
	target[strcspn(target, "?#")] = '\0';
	req->method = method;
	req->target = target;
	return 0;
}

/* The head in c->head ends at end: answer it. */
static void http_request(struct http_conn *c, size_t end)
{
	struct http_server *s = c->s;
	struct http_response resp;
	struct http_request req;
	const char *type, *method, *target;
	int status;

	if ((status = http_parse_request(c->head, end, &req)) != 0) {
		http_error(c, status, "");
		return;
	}
	method = req.method;
	target = req.target;
	if (strcmp(method, "HEAD") == 0)
		c->head_only = 1;
	else if (strcmp(method, "GET") != 0) {
		http_error(c, 405, "Allow: GET, HEAD\r\n");
		return;
	}

	resp.status = 200;
	resp.content_type = "text/plain; charset=utf-8";
	resp.body = NULL;
	resp.len = 0;
	s->cb(s->arg, target, &resp);
	if (c->closing) {
		/* The handler stopped the server. */
		free(resp.body);
		return;
	}
	if (resp.body == NULL)
		resp.len = 0;
	/* uv_buf_t lengths are unsigned int. */
	if (resp.status < 100 || resp.status > 999 || resp.len > UINT_MAX) {
		log_warn("http %s: handler answered status %d with %zu bytes",
		    s->addr, resp.status, resp.len);
		free(resp.body);
		http_error(c, 500, "");
		return;
	}
	type = resp.content_type != NULL ? resp.content_type :
	    "application/octet-stream";
	http_respond(c, resp.status, type, "", resp.body, resp.len);
}

static void http_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct http_conn *c = h->data;

	(void)hint;
	/* Once answered, the head buffer is free to take what is discarded. */
	if (c->state != HTTP_READING)
		*buf = uv_buf_init(c->head, HTTP_HEAD_MAX);
	else
		*buf = uv_buf_init(c->head + c->len, HTTP_HEAD_MAX - c->len);
}

static void http_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct http_conn *c = stream->data;
	size_t old, end;

	(void)buf;
	if (nread == UV_EOF) {
		c->eof = 1;
		/* While writing, this is a client that half-closed after
		 * its request: it still gets the answer. */
		if (c->state != HTTP_WRITING)
			http_conn_close(c);
		return;
	}
	if (nread < 0) {
		log_debug("http %s: read: %s", c->s->addr, uv_strerror(nread));
		http_conn_close(c);
		return;
	}
	if (c->state != HTTP_READING || nread == 0)
		return;

	old = c->len;
	c->len += nread;
	/* The empty line may have begun in the previous read. */
	if ((end = http_head_end(c->head, c->len, old >= 2 ? old - 2 :
	    0)) != 0)
		http_request(c, end);
	else if (c->len == HTTP_HEAD_MAX)
		http_error(c, 431, "");
}

static void http_rejected(uv_handle_t *h)
{
	struct http_server *s = h->data;

	free(h);
	http_release(s);
}

/* Over the limit: accept, so the backlog does not fill, and close at once. */
static void http_reject(struct http_server *s, uv_stream_t *listener)
{
	uv_tcp_t *t = xmalloc(sizeof *t);

	uv_tcp_init(s->loop, t);
	t->data = s;
	s->open++;
	if (uv_accept(listener, (uv_stream_t *)t) == 0 && !s->full) {
		log_warn("http %s: %d connections open, refusing more",
		    s->addr, HTTP_MAX_CONNS);
		s->full = 1;
	}
	uv_close((uv_handle_t *)t, http_rejected);
}

/*
 * At the limit, the oldest connection that has not sent its whole request
 * makes room, or else the oldest already answered that does not close:
 * otherwise 64 silent sockets (a slowloris), or 64 that sent a request and
 * never read or close, would lock /health out. A client that sends its
 * request at once is answered before it can be the oldest. 1 if one was
 * closed.
 */
static int http_evict_idle(struct http_server *s)
{
	struct http_conn *oldest = NULL;
	int rank = 0;

	/* New connections go to the head: the oldest of a kind is last. */
	for (struct http_conn *c = s->conns; c != NULL; c = c->next) {
		int r = c->closing ? 0 : c->state == HTTP_READING ? 3 :
		    c->state == HTTP_DRAINING ? 2 : 1;

		if (r >= rank && r > 0) {
			oldest = c;
			rank = r;
		}
	}
	if (oldest == NULL)
		return 0;
	if (!s->full) {
		log_warn("http %s: %d connections open, closing the oldest "
		    "idle ones for new ones", s->addr, HTTP_MAX_CONNS);
		s->full = 1;
	}
	http_conn_close(oldest);
	return 1;
}

static void http_accept(uv_stream_t *listener, int status)
{
	struct http_server *s = listener->data;
	struct http_conn *c;
	int error;

	if (status < 0) {
		log_warn("http %s: accept: %s", s->addr, uv_strerror(status));
		return;
	}
	if (s->nconns >= HTTP_MAX_CONNS && !http_evict_idle(s)) {
		http_reject(s, listener);
		return;
	}

	c = xcalloc(1, sizeof *c);
	c->s = s;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->handles = 2;
	s->open++;
	s->nconns++;
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;

	error = uv_accept(listener, (uv_stream_t *)&c->tcp);
	if (error == 0)
		error = uv_read_start((uv_stream_t *)&c->tcp, http_alloc,
		    http_read);
	if (error != 0) {
		log_warn("http %s: accept: %s", s->addr, uv_strerror(error));
		http_conn_close(c);
		return;
	}
	/* One small response: waiting for acknowledgements only delays it. */
	uv_tcp_nodelay(&c->tcp, 1);
	uv_timer_start(&c->timer, http_timeout, s->timeout, 0);
}

static int http_port_parse(const char *p, int *port)
{
	long v = 0;

	if (*p == '\0')
		return -EINVAL;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (*p - '0');
		if (v > 65535)
			return -EINVAL;
	}
	*port = (int)v;
	return 0;
}

/* HOST:PORT, [IPV6]:PORT or :PORT, all numeric (or localhost). */
static int http_parse_addr(const char *addr, struct sockaddr_storage *ss,
    char *errstr, size_t errlen)
{
	char host[64];
	const char *h, *end, *portstr;
	size_t hlen;
	int port, v6;

	if (addr[0] == '[') {
		h = addr + 1;
		end = strchr(h, ']');
		if (end == NULL || end[1] != ':') {
			snprintf(errstr, errlen, "--metrics %s: expected "
			    "[IPV6]:PORT", addr);
			return -EINVAL;
		}
		portstr = end + 2;
		v6 = 1;
	} else {
		h = addr;
		end = strrchr(addr, ':');
		if (end == NULL) {
			snprintf(errstr, errlen, "--metrics %s: expected "
			    "HOST:PORT", addr);
			return -EINVAL;
		}
		if (memchr(addr, ':', end - addr) != NULL) {
			snprintf(errstr, errlen, "--metrics %s: expected "
			    "[IPV6]:PORT for an IPv6 address", addr);
			return -EINVAL;
		}
		portstr = end + 1;
		v6 = 0;
	}
	if (http_port_parse(portstr, &port) != 0) {
		snprintf(errstr, errlen, "--metrics %s: expected a port from 0 "
		    "to 65535", addr);
		return -EINVAL;
	}

	hlen = end - h;
	if (hlen >= sizeof host)
		hlen = sizeof host - 1;	/* too long to be valid anyway */
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (!v6 && (hlen == 0 || strcmp(host, "localhost") == 0))
		strcpy(host, "127.0.0.1");

	memset(ss, 0, sizeof *ss);
	if (v6 ? uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) != 0 :
	    uv_ip4_addr(host, port, (struct sockaddr_in *)ss) != 0) {
		snprintf(errstr, errlen, "--metrics %s: %s is not a numeric "
		    "%s address", addr, host, v6 ? "IPv6" : "IPv4");
		return -EINVAL;
	}
	return 0;
}

int http_check_addr(const char *addr, char *errstr, size_t errlen)
{
	struct sockaddr_storage ss;

	return http_parse_addr(addr, &ss, errstr, errlen);
}

/*
 * libuv writes to sockets with write(2), not send(2) with MSG_NOSIGNAL, so a
 * client that half-closes and then resets mid-response raises SIGPIPE, whose
 * default action would end the daemon. A disposition the program chose is
 * left alone.
 */
static void http_ignore_sigpipe(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int http_start(uv_loop_t *loop, const char *addr, http_handler_cb cb,
    void *arg, struct http_server **sp, char *errstr, size_t errlen)
{
	struct http_server *s;
	struct sockaddr_storage ss;
	int error, namelen;

	*sp = NULL;
	if ((error = http_parse_addr(addr, &ss, errstr, errlen)) != 0)
		return error;

	s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->addr = xstrdup(addr);
	s->cb = cb;
	s->arg = arg;
	s->timeout = HTTP_TIMEOUT_MS;
	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	s->open = 1;

	/* Linux reports a port in use at listen, not at bind. */
	error = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0);
	if (error == 0)
		error = uv_listen((uv_stream_t *)&s->listener, HTTP_BACKLOG,
		    http_accept);
	namelen = sizeof ss;
	if (error == 0)
		error = uv_tcp_getsockname(&s->listener,
		    (struct sockaddr *)&ss, &namelen);
	if (error != 0) {
		snprintf(errstr, errlen, "--metrics %s: %s", addr,
		    uv_strerror(error));
		s->stopping = 1;
		uv_close((uv_handle_t *)&s->listener, http_listener_closed);
		return error;
	}
	if (ss.ss_family == AF_INET6)
		s->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	http_ignore_sigpipe();
	log_debug("http %s: listening on port %d", addr, s->port);
	*sp = s;
	return 0;
}

int http_port(const struct http_server *s)
{
	return s->port;
}

void http_set_timeout(struct http_server *s, uint64_t ms)
{
	s->timeout = ms;
}

void http_stop(struct http_server *s)
{
	if (s == NULL || s->stopping)
		return;
	s->stopping = 1;
	while (s->conns != NULL)
		http_conn_close(s->conns);
	uv_close((uv_handle_t *)&s->listener, http_listener_closed);
}
