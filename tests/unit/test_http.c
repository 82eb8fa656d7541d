/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http: the metrics endpoint, driven by libuv clients on the server's own
 * loop. One thread and one loop keep the order of events deterministic;
 * where a test needs the server to have done something first, it waits for
 * the handles it can see on the loop rather than for a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "http.h"

#define BODY "nfkafka_up 1\n"
#define TYPE "text/plain; version=0.0.4; charset=utf-8"
#define MAX_CLIENTS 70

struct piece {
	const char *p;
	size_t len;
};
#define P(s) { s, sizeof(s) - 1 }

enum client_act {
	ACT_REQUEST,		/* send the pieces, read until EOF */
	ACT_CLOSE_AT_ONCE,	/* connect and close */
	ACT_RESET_AFTER_SEND,	/* send the pieces, then a reset */
	ACT_RESET_AFTER_READ,	/* reset after the first bytes of response */
	ACT_HALF_CLOSE,		/* send the pieces and EOF, read a bit, close */
};

struct harness;

struct client {
	struct harness *h;
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_connect_t conn;
	uv_shutdown_t shut;
	enum client_act act;
	const struct piece *pieces;
	size_t npieces;
	size_t next;
	unsigned int pause_ms;
	char *resp;
	size_t len;
	int eof;
	int error;
	int closing;
	int handles;
	int done;
	uint64_t started;
	uint64_t ended;
	void (*done_cb)(struct client *);
};

struct harness {
	uv_loop_t loop;
	struct http_server *s;
	int stopped;
	int v6;
	uv_timer_t watchdog;
	uv_timer_t waiter;
	int (*pred)(struct harness *);
	void (*then)(struct harness *);
	int clients;		/* client TCP handles not closing */
	struct client c[MAX_CLIENTS];
	int step;
	size_t big;		/* the handler's body size, 0 for BODY */
	int calls;
	char path[256];
};

static void handler(void *arg, const char *path, struct http_response *resp)
{
	struct harness *h = arg;

	h->calls++;
	snprintf(h->path, sizeof h->path, "%s", path);
	if (h->big > 0) {
		resp->body = malloc(h->big);
		assert_non_null(resp->body);
		memset(resp->body, 'x', h->big);
		resp->len = h->big;
		return;
	}
	resp->content_type = TYPE;
	resp->body = strdup(BODY);
	resp->len = strlen(BODY);
}

static void watchdog_fired(uv_timer_t *t)
{
	(void)t;
	fail_msg("the loop did not finish in time");
}

static void harness_start(struct harness *h, const char *addr)
{
	char err[256];

	memset(h, 0, sizeof *h);
	assert_int_equal(uv_loop_init(&h->loop), 0);
	assert_int_equal(http_start(&h->loop, addr, handler, h, &h->s, err,
	    sizeof err), 0);
	assert_true(http_port(h->s) > 0);
	/* Unreferenced: it must not be what keeps the loop running. */
	uv_timer_init(&h->loop, &h->watchdog);
	uv_timer_start(&h->watchdog, watchdog_fired, 20000, 0);
	uv_unref((uv_handle_t *)&h->watchdog);
	uv_timer_init(&h->loop, &h->waiter);
}

static void harness_stop(struct harness *h)
{
	if (h->stopped)
		return;
	h->stopped = 1;
	http_stop(h->s);
	uv_close((uv_handle_t *)&h->waiter, NULL);
}

/* Runs until every handle but the watchdog is closed; all must be. */
static void harness_run(struct harness *h)
{
	assert_int_equal(uv_run(&h->loop, UV_RUN_DEFAULT), 0);
	assert_true(h->stopped);
	uv_close((uv_handle_t *)&h->watchdog, NULL);
	assert_int_equal(uv_run(&h->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&h->loop), 0);
}

static void harness_free(struct harness *h)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		free(h->c[i].resp);
}

static void count_tcp(uv_handle_t *handle, void *arg)
{
	if (handle->type == UV_TCP && !uv_is_closing(handle))
		(*(int *)arg)++;
}

/* Connections the server holds: every open TCP handle but ours. */
static int server_conns(struct harness *h)
{
	int n = 0;

	uv_walk(&h->loop, count_tcp, &n);
	return n - h->clients - (h->stopped ? 0 : 1);
}

static void waiter_tick(uv_timer_t *t)
{
	struct harness *h = t->data;

	if (!h->pred(h))
		return;
	uv_timer_stop(t);
	h->then(h);
}

/* Calls then once pred holds, looking after every loop iteration. */
static void wait_until(struct harness *h, int (*pred)(struct harness *),
    void (*then)(struct harness *))
{
	h->pred = pred;
	h->then = then;
	h->waiter.data = h;
	uv_timer_start(&h->waiter, waiter_tick, 1, 1);
}

static void client_closed(uv_handle_t *handle)
{
	struct client *c = handle->data;

	if (--c->handles > 0)
		return;
	c->done = 1;
	c->ended = uv_now(&c->h->loop);
	if (c->done_cb != NULL)
		c->done_cb(c);
}

static void client_close(struct client *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->h->clients--;
	uv_close((uv_handle_t *)&c->tcp, client_closed);
	uv_close((uv_handle_t *)&c->timer, client_closed);
}

static void client_reset(struct client *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->h->clients--;
	assert_int_equal(uv_tcp_close_reset(&c->tcp, client_closed), 0);
	uv_close((uv_handle_t *)&c->timer, client_closed);
}

static void client_alloc(uv_handle_t *handle, size_t hint, uv_buf_t *buf)
{
	struct client *c = handle->data;

	(void)hint;
	c->resp = realloc(c->resp, c->len + 65536 + 1);
	assert_non_null(c->resp);
	*buf = uv_buf_init(c->resp + c->len, 65536);
}

static void client_read(uv_stream_t *stream, ssize_t nread,
    const uv_buf_t *buf)
{
	struct client *c = stream->data;

	(void)buf;
	if (nread < 0) {
		if (nread == UV_EOF)
			c->eof = 1;
		else
			c->error = (int)nread;
		client_close(c);
		return;
	}
	c->len += nread;
	c->resp[c->len] = '\0';
	if (nread > 0 && c->act == ACT_RESET_AFTER_READ)
		client_reset(c);
	/* Unread data is waiting: the kernel answers with a reset. */
	if (nread > 0 && c->act == ACT_HALF_CLOSE)
		client_close(c);
}

static void client_send_next(struct client *c);

static void client_pause_over(uv_timer_t *t)
{
	client_send_next(t->data);
}

static void client_written(uv_write_t *req, int status)
{
	struct client *c = req->data;

	free(req);
	if (status < 0 || c->closing)
		return;
	if (c->next < c->npieces && c->pause_ms > 0)
		uv_timer_start(&c->timer, client_pause_over, c->pause_ms, 0);
	else
		client_send_next(c);
}

static void client_send_next(struct client *c)
{
	uv_write_t *req;
	uv_buf_t buf;

	if (c->next == c->npieces) {
		if (c->act == ACT_RESET_AFTER_SEND)
			client_reset(c);
		if (c->act == ACT_HALF_CLOSE)
			assert_int_equal(uv_shutdown(&c->shut,
			    (uv_stream_t *)&c->tcp, NULL), 0);
		return;
	}
	req = malloc(sizeof *req);
	assert_non_null(req);
	req->data = c;
	buf = uv_buf_init((char *)c->pieces[c->next].p,
	    c->pieces[c->next].len);
	c->next++;
	assert_int_equal(uv_write(req, (uv_stream_t *)&c->tcp, &buf, 1,
	    client_written), 0);
}

static void client_connected(uv_connect_t *req, int status)
{
	struct client *c = req->data;

	if (status < 0) {
		c->error = status;
		client_close(c);
		return;
	}
	if (c->act == ACT_CLOSE_AT_ONCE) {
		client_close(c);
		return;
	}
	assert_int_equal(uv_read_start((uv_stream_t *)&c->tcp, client_alloc,
	    client_read), 0);
	client_send_next(c);
}

static struct client *client_start(struct harness *h, int i,
    enum client_act act, const struct piece *pieces, size_t npieces,
    unsigned int pause_ms, void (*done_cb)(struct client *))
{
	struct client *c = &h->c[i];
	struct sockaddr_storage ss;

	memset(c, 0, sizeof *c);
	c->h = h;
	c->act = act;
	c->pieces = pieces;
	c->npieces = npieces;
	c->pause_ms = pause_ms;
	c->done_cb = done_cb;
	c->started = uv_now(&h->loop);
	uv_tcp_init(&h->loop, &c->tcp);
	uv_timer_init(&h->loop, &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->conn.data = c;
	c->handles = 2;
	h->clients++;
	if (h->v6)
		uv_ip6_addr("::1", http_port(h->s), (struct sockaddr_in6 *)&ss);
	else
		uv_ip4_addr("127.0.0.1", http_port(h->s),
		    (struct sockaddr_in *)&ss);
	assert_int_equal(uv_tcp_connect(&c->conn, &c->tcp,
	    (struct sockaddr *)&ss, client_connected), 0);
	return c;
}

static void stop_when_done(struct client *c)
{
	harness_stop(c->h);
}

/* One client sends the pieces and reads the answer; then the server stops. */
static void exchange(struct harness *h, const char *addr,
    const struct piece *pieces, size_t n, unsigned int pause_ms)
{
	harness_start(h, addr);
	client_start(h, 0, ACT_REQUEST, pieces, n, pause_ms, stop_when_done);
	harness_run(h);
	assert_true(h->c[0].eof);
	assert_int_equal(h->c[0].error, 0);
}

static int resp_status(const struct client *c)
{
	int status = 0;

	if (c->resp == NULL || sscanf(c->resp, "HTTP/1.1 %d ", &status) != 1)
		return -1;
	return status;
}

/* The value of a response header, or NULL. */
static const char *resp_header(const struct client *c, const char *name)
{
	static char value[256];
	char key[64];
	const char *p, *end;

	snprintf(key, sizeof key, "\r\n%s: ", name);
	if ((p = strstr(c->resp, key)) == NULL)
		return NULL;
	p += strlen(key);
	end = strstr(p, "\r\n");
	snprintf(value, sizeof value, "%.*s", (int)(end - p), p);
	return value;
}

static size_t resp_body(const struct client *c, const char **body)
{
	const char *p = strstr(c->resp, "\r\n\r\n");

	assert_non_null(p);
	*body = p + 4;
	return c->len - (*body - c->resp);
}

static void test_get(void **state)
{
	static const struct piece req[] = {
		P("GET /metrics HTTP/1.1\r\nHost: localhost\r\n"
		    "Accept: text/plain\r\n\r\n")
	};
	struct harness h;
	const char *body;
	size_t len;
	char want[32];

	(void)state;
	exchange(&h, "127.0.0.1:0", req, 1, 0);
	assert_int_equal(resp_status(&h.c[0]), 200);
	assert_int_equal(h.calls, 1);
	assert_string_equal(h.path, "/metrics");
	len = resp_body(&h.c[0], &body);
	assert_int_equal(len, strlen(BODY));
	assert_memory_equal(body, BODY, len);
	snprintf(want, sizeof want, "%zu", strlen(BODY));
	assert_string_equal(resp_header(&h.c[0], "Content-Length"), want);
	assert_string_equal(resp_header(&h.c[0], "Content-Type"), TYPE);
	assert_string_equal(resp_header(&h.c[0], "Connection"), "close");
	harness_free(&h);
}

/* ":PORT" means the loopback address, never every interface. */
static void test_default_host_and_query(void **state)
{
	static const struct piece req[] = {
		P("GET /metrics?name[]=up&x=%20#frag HTTP/1.0\r\n\r\n")
	};
	struct harness h;

	(void)state;
	exchange(&h, ":0", req, 1, 0);
	assert_int_equal(resp_status(&h.c[0]), 200);
	assert_string_equal(h.path, "/metrics");
	harness_free(&h);
}

static void find_listener(uv_handle_t *handle, void *arg)
{
	if (handle->type == UV_TCP)
		*(uv_tcp_t **)arg = (uv_tcp_t *)handle;
}

static void test_default_host_is_loopback(void **state)
{
	struct harness h;
	uv_tcp_t *listener = NULL;
	struct sockaddr_in sin;
	int namelen = sizeof sin;
	char ip[INET_ADDRSTRLEN];

	(void)state;
	harness_start(&h, ":0");
	uv_walk(&h.loop, find_listener, &listener);
	assert_non_null(listener);
	assert_int_equal(uv_tcp_getsockname(listener, (struct sockaddr *)&sin,
	    &namelen), 0);
	uv_ip4_name(&sin, ip, sizeof ip);
	assert_string_equal(ip, "127.0.0.1");
	harness_stop(&h);
	harness_run(&h);
}

static void test_head(void **state)
{
	static const struct piece req[] = {
		P("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	};
	struct harness h;
	const char *body;
	char want[32];

	(void)state;
	exchange(&h, "127.0.0.1:0", req, 1, 0);
	assert_int_equal(resp_status(&h.c[0]), 200);
	snprintf(want, sizeof want, "%zu", strlen(BODY));
	assert_string_equal(resp_header(&h.c[0], "Content-Length"), want);
	assert_int_equal(resp_body(&h.c[0], &body), 0);
	harness_free(&h);
}

static void test_post(void **state)
{
	static const struct piece req[] = {
		P("POST /metrics HTTP/1.1\r\nHost: x\r\n"
		    "Content-Length: 5\r\n\r\nhello")
	};
	struct harness h;

	(void)state;
	exchange(&h, "127.0.0.1:0", req, 1, 0);
	assert_int_equal(resp_status(&h.c[0]), 405);
	assert_string_equal(resp_header(&h.c[0], "Allow"), "GET, HEAD");
	assert_string_equal(resp_header(&h.c[0], "Connection"), "close");
	assert_int_equal(h.calls, 0);
	harness_free(&h);
}

/* A head of n bytes in all, padded with one long header. */
static char *head_of(size_t n)
{
	static const char start[] = "GET /metrics HTTP/1.1\r\nX-Pad: ";
	char *p = malloc(n + 1);

	assert_non_null(p);
	memcpy(p, start, sizeof start - 1);
	memset(p + sizeof start - 1, 'a', n - (sizeof start - 1) - 4);
	memcpy(p + n - 4, "\r\n\r\n", 5);
	return p;
}

static void test_head_limit(void **state)
{
	struct harness h;
	struct piece req[1];
	char *head;

	(void)state;
	/* 8 KiB exactly is still a request. */
	head = head_of(8192);
	req[0].p = head;
	req[0].len = 8192;
	exchange(&h, "127.0.0.1:0", req, 1, 0);
	assert_int_equal(resp_status(&h.c[0]), 200);
	harness_free(&h);
	free(head);

	/* Longer is refused, and the answer arrives whole, not as a reset. */
	head = head_of(8193);
	req[0].p = head;
	req[0].len = 8193;
	exchange(&h, "127.0.0.1:0", req, 1, 0);
	assert_int_equal(resp_status(&h.c[0]), 431);
	assert_int_equal(h.calls, 0);
	harness_free(&h);
	free(head);

	head = head_of(100000);
	req[0].p = head;
	req[0].len = 100000;
	exchange(&h, "127.0.0.1:0", req, 1, 0);
	assert_int_equal(resp_status(&h.c[0]), 431);
	harness_free(&h);
	free(head);
}

static void test_malformed(void **state)
{
	static const struct piece bad[] = {
		P("GARBAGE\r\n\r\n"),
		P("\r\n\r\n"),
		P("GET /metrics\r\n\r\n"),
		P("GET metrics HTTP/1.1\r\n\r\n"),
		P("GET  /metrics HTTP/1.1\r\n\r\n"),
		P("GET /metrics HTTP/2.0\r\n\r\n"),
		P("GET /metrics HTTP/1.1 x\r\n\r\n"),
		P("GET /met\0rics HTTP/1.1\r\n\r\n"),
		P("GET /metrics HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n"),
		P("GET /metrics HTTP/1.1\r\nHost: x\0y\r\n\r\n"),
		P("GET /m\x80 HTTP/1.1\r\n\r\n"),
		P("GET\t/metrics HTTP/1.1\r\n\r\n"),
		P("GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n"),
	};
	struct harness h;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		exchange(&h, "127.0.0.1:0", &bad[i], 1, 0);
		if (resp_status(&h.c[0]) != 400)
			fail_msg("request %zu: got %d", i,
			    resp_status(&h.c[0]));
		assert_int_equal(h.calls, 0);
		harness_free(&h);
	}
}

/* Three writes with pauses, the empty line cut in two; also bare LFs. */
static void test_split(void **state)
{
	static const struct piece req[] = {
		P("GET /met"),
		P("rics?a=b HTTP/1.1\r\nHost: x\r\n\r"),
		P("\n"),
	};
	static const struct piece lf[] = {
		P("GET /metrics HTTP/1.1\nHost: x\n"),
		P("\n"),
	};
	struct harness h;
	const char *body;

	(void)state;
	exchange(&h, "127.0.0.1:0", req, 3, 50);
	assert_int_equal(resp_status(&h.c[0]), 200);
	assert_string_equal(h.path, "/metrics");
	assert_int_equal(resp_body(&h.c[0], &body), strlen(BODY));
	harness_free(&h);

	exchange(&h, "127.0.0.1:0", lf, 2, 50);
	assert_int_equal(resp_status(&h.c[0]), 200);
	harness_free(&h);
}

static int server_idle(struct harness *h)
{
	return server_conns(h) == 0;
}

static const struct piece partial[] = { P("GET /metr") };
static const struct piece get[] = { P("GET /metrics HTTP/1.1\r\n\r\n") };
static const struct piece health[] = { P("GET /health HTTP/1.1\r\n\r\n") };

static void disconnects_step(struct harness *h);

/* The server must have closed its side by itself before the next client. */
static void disconnects_next(struct client *c)
{
	wait_until(c->h, server_idle, disconnects_step);
}

static void disconnects_step(struct harness *h)
{
	switch (h->step++) {
	case 0:
		/* Gone before sending anything. */
		client_start(h, 0, ACT_CLOSE_AT_ONCE, NULL, 0, 0,
		    disconnects_next);
		break;
	case 1:
		/* Gone mid-request, with a reset. */
		client_start(h, 1, ACT_RESET_AFTER_SEND, partial, 1, 0,
		    disconnects_next);
		break;
	case 2:
		/* Gone mid-response: far more than the socket buffers hold. */
		h->big = 64 << 20;
		client_start(h, 2, ACT_RESET_AFTER_READ, get, 1, 0,
		    disconnects_next);
		break;
	case 3:
		/* Half-closed, then gone mid-response: the socket is in
		 * CLOSE_WAIT when the reset comes, the case for EPIPE. */
		client_start(h, 3, ACT_HALF_CLOSE, get, 1, 0,
		    disconnects_next);
		break;
	case 4:
		h->big = 0;
		client_start(h, 4, ACT_REQUEST, get, 1, 0, stop_when_done);
		break;
	}
}

static void test_disconnects(void **state)
{
	struct harness h;

	(void)state;
	harness_start(&h, "127.0.0.1:0");
	disconnects_step(&h);
	harness_run(&h);
	assert_int_equal(h.calls, 3);
	for (int i = 2; i < 4; i++) {
		assert_true(h.c[i].len > 0);
		assert_true(h.c[i].len < (64 << 20));
	}
	assert_int_equal(resp_status(&h.c[4]), 200);
	harness_free(&h);
}

static int one_accepted(struct harness *h)
{
	return server_conns(h) == 1;
}

static void stop_now(struct harness *h)
{
	harness_stop(h);
}

/* http_stop with an idle client connected ends the loop. */
static void test_stop_with_idle_client(void **state)
{
	struct harness h;

	(void)state;
	harness_start(&h, "127.0.0.1:0");
	client_start(&h, 0, ACT_REQUEST, NULL, 0, 0, NULL);
	wait_until(&h, one_accepted, stop_now);
	harness_run(&h);
	assert_true(h.c[0].eof);
	assert_int_equal(h.c[0].len, 0);
	assert_int_equal(h.calls, 0);
	harness_free(&h);
}

static int both_done(struct harness *h)
{
	return h->c[0].done && h->c[1].done;
}

static void test_idle_timeout(void **state)
{
	struct harness h;

	(void)state;
	harness_start(&h, "127.0.0.1:0");
	http_set_timeout(h.s, 150);
	client_start(&h, 0, ACT_REQUEST, NULL, 0, 0, NULL);
	client_start(&h, 1, ACT_REQUEST, partial, 1, 0, NULL);
	wait_until(&h, both_done, stop_now);
	harness_run(&h);
	for (int i = 0; i < 2; i++) {
		assert_true(h.c[i].eof);
		assert_int_equal(h.c[i].len, 0);
		assert_true(h.c[i].ended - h.c[i].started >= 140);
	}
	assert_int_equal(h.calls, 0);
	harness_free(&h);
}

/* 64 idle connections are held, the 65th is closed at once. */
static int limit_reached(struct harness *h)
{
	return server_conns(h) == 64 && h->clients == 64;
}

static void limit_step(struct harness *h)
{
	switch (h->step++) {
	case 0:
		for (int i = 0; i < 65; i++)
			client_start(h, i, ACT_REQUEST, NULL, 0, 0, NULL);
		wait_until(h, limit_reached, limit_step);
		break;
	case 1:
		for (int i = 0; i < 65; i++)
			if (!h->c[i].closing)
				client_close(&h->c[i]);
		wait_until(h, server_idle, limit_step);
		break;
	case 2:
		/* The slots are free again. */
		client_start(h, 65, ACT_REQUEST, get, 1, 0, stop_when_done);
		break;
	}
}

static void test_connection_limit(void **state)
{
	struct harness h;
	int refused = 0;

	(void)state;
	harness_start(&h, "127.0.0.1:0");
	limit_step(&h);
	harness_run(&h);
	for (int i = 0; i < 65; i++) {
		if (h.c[i].eof || h.c[i].error != 0)
			refused++;
	}
	assert_int_equal(refused, 1);
	assert_int_equal(resp_status(&h.c[65]), 200);
	harness_free(&h);
}

/*
 * A slowloris: 66 connections that never send a byte, with a long timeout,
 * and then a /health request, which must be answered: the oldest idle ones
 * make room for it.
 */
static int idle_held(struct harness *h)
{
	return server_conns(h) == 64;
}

static void slowloris_step(struct harness *h)
{
	switch (h->step++) {
	case 0:
		for (int i = 0; i < 66; i++)
			client_start(h, i, ACT_REQUEST, NULL, 0, 0, NULL);
		wait_until(h, idle_held, slowloris_step);
		break;
	case 1:
		client_start(h, 66, ACT_REQUEST, health, 1, 0,
		    stop_when_done);
		break;
	}
}

static void test_slowloris(void **state)
{
	struct harness h;

	(void)state;
	harness_start(&h, "127.0.0.1:0");
	http_set_timeout(h.s, 600000);
	slowloris_step(&h);
	harness_run(&h);
	assert_int_equal(resp_status(&h.c[66]), 200);
	assert_string_equal(h.path, "/health");
	/* No answer for the idle ones, only a close. */
	for (int i = 0; i < 66; i++)
		assert_int_equal(h.c[i].len, 0);
	harness_free(&h);
}

static void test_ipv6(void **state)
{
	static const struct piece req[] = {
		P("GET /metrics HTTP/1.1\r\nHost: [::1]\r\n\r\n")
	};
	struct harness h;
	char err[256];
	struct http_server *s;
	uv_loop_t loop;
	int error;

	(void)state;
	uv_loop_init(&loop);
	error = http_start(&loop, "[::1]:0", handler, NULL, &s, err,
	    sizeof err);
	if (error == 0)
		http_stop(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	if (error != 0) {
		print_message("no IPv6 loopback (%s): skipped\n", err);
		skip();
	}

	harness_start(&h, "[::1]:0");
	h.v6 = 1;
	client_start(&h, 0, ACT_REQUEST, req, 1, 0, stop_when_done);
	harness_run(&h);
	assert_int_equal(resp_status(&h.c[0]), 200);
	assert_string_equal(h.path, "/metrics");
	harness_free(&h);
}

static void test_bad_addresses(void **state)
{
	static const struct {
		const char *addr;
		const char *err;
	} bad[] = {
		{ "1.2.3", "--metrics 1.2.3: expected HOST:PORT" },
		{ "", "--metrics : expected HOST:PORT" },
		{ "9100", "--metrics 9100: expected HOST:PORT" },
		{ "127.0.0.1:", "expected a port from 0 to 65535" },
		{ "127.0.0.1:65536", "expected a port from 0 to 65535" },
		{ "127.0.0.1:-1", "expected a port from 0 to 65535" },
		{ "127.0.0.1:91x", "expected a port from 0 to 65535" },
		{ "1.2.3:9100", "1.2.3 is not a numeric IPv4 address" },
		{ "256.0.0.1:9100", "is not a numeric IPv4 address" },
		{ "metrics.example:9100", "is not a numeric IPv4 address" },
		{ "::1:9100", "expected [IPV6]:PORT" },
		{ "[::1]9100", "expected [IPV6]:PORT" },
		{ "[::1", "expected [IPV6]:PORT" },
		{ "[127.0.0.1]:9100", "is not a numeric IPv6 address" },
	};
	struct http_server *s, *s2;
	uv_loop_t loop;
	char err[256], addr[64], want[128];

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		s = (struct http_server *)&loop;
		assert_int_equal(http_start(&loop, bad[i].addr, handler, NULL,
		    &s, err, sizeof err), -EINVAL);
		assert_null(s);
		if (strstr(err, bad[i].err) == NULL)
			fail_msg("%s: got \"%s\"", bad[i].addr, err);
	}

	/* A port in use is a clear error, and leaves nothing behind. */
	assert_int_equal(http_start(&loop, "127.0.0.1:0", handler, NULL, &s,
	    err, sizeof err), 0);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", http_port(s));
	assert_int_equal(http_start(&loop, addr, handler, NULL, &s2, err,
	    sizeof err), UV_EADDRINUSE);
	assert_null(s2);
	snprintf(want, sizeof want, "--metrics %s: address already in use",
	    addr);
	assert_string_equal(err, want);
	http_stop(s);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_default_host_and_query),
		cmocka_unit_test(test_default_host_is_loopback),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_slowloris),
		cmocka_unit_test(test_post),
		cmocka_unit_test(test_head_limit),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_disconnects),
		cmocka_unit_test(test_stop_with_idle_client),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_connection_limit),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_bad_addresses),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
