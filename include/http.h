/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_HTTP_H
#define NFKAFKA_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct http_server;

/*
 * What a handler answers. The server fills in status 200 and a text/plain
 * content type before the call; body is malloc'ed by the handler (or NULL
 * for an empty body) and freed by the server.
 */
struct http_response {
	int status;
	const char *content_type;
	char *body;
	size_t len;
};

/* A request head's parts, pointing into the head. */
struct http_request {
	const char *method;
	const char *target;	/* the path, cut at any '?' or '#' */
};

/*
 * Where a request head in h[0..len) ends, just past its empty line,
 * searching from offset from on; 0 while it is incomplete.
 */
size_t http_head_end(const char *h, size_t len, size_t from);
/*
 * Parses the request head in head[0..end), which ends with its empty line;
 * head must have room for a NUL at end. Cuts it in place. 0 with req
 * filled in, or the HTTP status to answer (400).
 */
int http_parse_request(char *head, size_t end, struct http_request *req);

/* Called for every GET or HEAD, with the path up to any query string. */
typedef void (*http_handler_cb)(void *arg, const char *path,
    struct http_response *resp);

/*
 * Listens on addr, "HOST:PORT", "[IPV6]:PORT" or ":PORT" (127.0.0.1: the
 * metrics are never exposed on every interface unless asked for with
 * 0.0.0.0 or [::]). HOST is numeric or "localhost". One request per
 * connection, then the server closes it. Returns 0, or a negative errno with
 * the reason in errstr; after a failed bind the listener is still closing
 * and is freed once the loop runs. Sets SIGPIPE to ignored if it was at its
 * default, since a client leaving mid-response would otherwise end the
 * process.
 */
/* Whether addr is one http_start would listen on: 0 or -EINVAL, said. */
int http_check_addr(const char *addr, char *errstr, size_t errlen);
int http_start(uv_loop_t *loop, const char *addr, http_handler_cb cb,
    void *arg, struct http_server **sp, char *errstr, size_t errlen);
/* The bound port, the one to use after asking for port 0. */
int http_port(const struct http_server *s);
/*
 * How long a connection may take for each of its phases: sending the request
 * head, taking the response, closing its end. 10 s unless changed.
 */
void http_set_timeout(struct http_server *s, uint64_t ms);
/* Closes the listener and every connection; memory goes with the last one. */
void http_stop(struct http_server *s);

#endif
