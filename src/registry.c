/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The schema registry client. A registration runs as one libcurl easy
 * transfer on libuv's thread pool: registrations are rare (one a window),
 * so a pooled thread blocked for at most the timeouts below is simpler
 * than driving curl's multi interface from the loop, and the loop itself
 * never waits. Built without libcurl (NFKAFKA_CURL unset: the Makefile
 * sets it where libcurl is installed), the client refuses to start.
 */
#ifdef NFKAFKA_CURL
#include <curl/curl.h>
#endif
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "registry.h"
#include "xmalloc.h"

#define REGISTRY_CONNECT_MS 5000
#define REGISTRY_TIMEOUT_MS 15000
/* An answer larger than this is no registry's. */
#define REGISTRY_BODY_MAX (1024 * 1024)

struct registry {
	uv_loop_t *loop;
	char *url;		/* base, without a trailing '/' */
	char *name;		/* url without user and password */
	char *auth;
	uv_work_t work;
	int busy;
	int freed;		/* registry_free came while busy */
	atomic_int cancel;	/* the same, for the pool thread */

	/* The request in flight: set on the loop, used on the pool thread. */
	char *req_url;
	char *req_body;
	registry_cb cb;
	void *arg;
	/* Its result: set on the pool thread, read back on the loop. */
	long http_status;
	char *resp;
	size_t resp_len;
	int failed;		/* no answer: error says why */
	char error[256];
};

#ifdef NFKAFKA_CURL
/* The URL without user and password, to free; -EINVAL if none. */
static int registry_shown(const char *url, char **shown, char *errstr,
    size_t errlen)
{
	CURLU *u = curl_url();
	char *s = NULL;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		snprintf(errstr, errlen, "--schema-registry: not a valid URL");
		return -EINVAL;
	}
	curl_url_cleanup(u);
	*shown = xstrdup(s);
	curl_free(s);
	return 0;
}
#else
static int registry_shown(const char *url, char **shown, char *errstr,
    size_t errlen)
{
	(void)url;
	(void)shown;
	snprintf(errstr, errlen, "--schema-registry: this nfkafka was built "
	    "without libcurl; build it where libcurl's development files are "
	    "installed");
	return -ENOTSUP;
}
#endif

int registry_check_url(const char *url, char *errstr, size_t errlen)
{
	char *shown;

	/* The URL itself is not shown: it may hold a password. */
	if (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) {
		snprintf(errstr, errlen, "--schema-registry: expected an "
		    "http:// or https:// URL");
		return 0;
	}
	if (registry_shown(url, &shown, errstr, errlen) != 0)
		return 0;
	free(shown);
	return 1;
}

int registry_new(uv_loop_t *loop, const char *url, const char *auth,
    struct registry **rp, char *errstr, size_t errlen)
{
	struct registry *r;
	char *shown;
	size_t n = strlen(url);
	int error;

	if (!registry_check_url(url, errstr, errlen))
		return -EINVAL;
	error = registry_shown(url, &shown, errstr, errlen);
	if (error != 0)
		return error;
#ifdef NFKAFKA_CURL
	/* Here, on the loop thread, before any transfer: not thread-safe. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(shown);
		snprintf(errstr, errlen, "--schema-registry: libcurl did not "
		    "initialize");
		return -ENOMEM;
	}
#endif
	r = xcalloc(1, sizeof *r);
	r->loop = loop;
	while (n > 0 && url[n - 1] == '/')
		n--;
	r->url = xstrndup(url, n);
	n = strlen(shown);
	while (n > 0 && shown[n - 1] == '/')
		n--;
	r->name = xstrndup(shown, n);
	free(shown);
	r->auth = auth != NULL ? xstrdup(auth) : NULL;
	r->work.data = r;
	*rp = r;
	return 0;
}

static void registry_destroy(struct registry *r)
{
	free(r->url);
	free(r->name);
	if (r->auth != NULL)
		memset(r->auth, 0, strlen(r->auth));
	free(r->auth);
	free(r->req_url);
	free(r->req_body);
	free(r->resp);
	free(r);
}

void registry_free(struct registry *r)
{
	if (r == NULL)
		return;
	if (r->busy) {
		r->freed = 1;
		atomic_store(&r->cancel, 1);
	} else
		registry_destroy(r);
}

const char *registry_name(const struct registry *r)
{
	return r->name;
}

char *registry_body(const char *schema)
{
	struct encode_buf j;
	char *s;

	encode_buf_init(&j);
	json_raw(&j, "{", 1);
	json_key(&j, "schema");
	json_text(&j, schema, strlen(schema));
	json_raw(&j, "}", 1);
	s = xstrndup((const char *)j.p, j.len);
	encode_buf_free(&j);
	return s;
}

/* The text after "key": in a flat JSON object, or NULL; never at the end. */
static const char *registry_member(const char *body, size_t len,
    const char *key)
{
	size_t k = strlen(key);

	for (const char *p = body; p + k + 2 < body + len; p++) {
		const char *q;

		if (*p != '"' || memcmp(p + 1, key, k) != 0 || p[k + 1] != '"')
			continue;
		q = p + k + 2;
		while (q < body + len && (*q == ' ' || *q == '\n'))
			q++;
		if (q < body + len && *q == ':') {
			for (q++; q < body + len && (*q == ' ' || *q == '\n');)
				q++;
			/* Nothing after the ':' is no value. */
			return q < body + len ? q : NULL;
		}
	}
	return NULL;
}

/* The registry's "message", unescaped enough to be read, into why. */
static void registry_message(const char *body, size_t len, char *why,
    size_t whylen)
{
	const char *p = registry_member(body, len, "message");
	size_t n = 0;

	if (p == NULL || *p != '"') {
		/* Not the API's error object: show the start of what came. */
		for (p = body; p < body + len && n + 1 < whylen && n < 200; p++)
			why[n++] = (*p >= ' ' && *p < 127) ? *p : ' ';
		why[n] = '\0';
		return;
	}
	for (p++; p < body + len && *p != '"' && n + 1 < whylen; p++) {
		if (*p == '\\' && p + 1 < body + len)
			p++;
		why[n++] = (*p >= ' ' && *p < 127) ? *p : ' ';
	}
	why[n] = '\0';
}

int registry_answer(long http_status, const char *body, size_t len,
    uint32_t *id, char *why, size_t whylen)
{
	const char *p = registry_member(body, len, "id");
	char msg[512];

	if (http_status >= 200 && http_status < 300 && p != NULL) {
		uint64_t v = 0;
		const char *q = p;

		while (q < body + len && *q >= '0' && *q <= '9' &&
		    v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(*q++ - '0');
		if (q > p && v <= UINT32_MAX) {
			*id = (uint32_t)v;
			return 0;
		}
	}
	registry_message(body, len, msg, sizeof msg);
	snprintf(why, whylen, "HTTP %ld: %s", http_status, msg[0] != '\0' ?
	    msg : "no schema id in the answer");
	/* A refusal stays one until the schema or the registry changes. */
	return http_status >= 400 && http_status < 500 && http_status != 408 &&
	    http_status != 429 ? -EPERM : -EAGAIN;
}

#ifdef NFKAFKA_CURL
static size_t registry_write(char *data, size_t size, size_t n, void *arg)
{
	struct registry *r = arg;
	size_t len = size * n;

	if (r->resp_len + len > REGISTRY_BODY_MAX)
		return 0;
	r->resp = xrealloc(r->resp, r->resp_len + len + 1);
	memcpy(r->resp + r->resp_len, data, len);
	r->resp_len += len;
	r->resp[r->resp_len] = '\0';
	return len;
}

/*
 * curl asks this about once a second even while nothing moves: a nonzero
 * answer ends the transfer, so a shutdown does not wait for the timeout.
 */
static int registry_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct registry *r = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&r->cancel);
}

/* On a pool thread: the one transfer, touching only the request's fields. */
static void registry_transfer(uv_work_t *w)
{
	struct registry *r = w->data;
	struct curl_slist *hdr = NULL;
	CURL *c = curl_easy_init();

	char error[CURL_ERROR_SIZE] = "";
	CURLcode code;

	if (c == NULL) {
		r->failed = 1;
		snprintf(r->error, sizeof r->error, "libcurl: out of memory");
		return;
	}
	hdr = curl_slist_append(hdr,
	    "Content-Type: application/vnd.schemaregistry.v1+json");
	hdr = curl_slist_append(hdr,
	    "Accept: application/vnd.schemaregistry.v1+json, application/json");
	curl_easy_setopt(c, CURLOPT_URL, r->req_url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->req_body);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)REGISTRY_CONNECT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)REGISTRY_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, registry_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, registry_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, r);
	if (r->auth != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, r->auth);
	}
	code = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->http_status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	r->failed = code != CURLE_OK;
	if (r->failed)
		snprintf(r->error, sizeof r->error, "%s", error[0] != '\0' ?
		    error : curl_easy_strerror(code));
}
#else
/* Never reached: registry_new refuses to start without libcurl. */
static void registry_transfer(uv_work_t *w)
{
	struct registry *r = w->data;

	r->failed = 1;
	snprintf(r->error, sizeof r->error, "built without libcurl");
}
#endif

/* Back on the loop: the answer to the caller, unless it has gone. */
static void registry_done(uv_work_t *w, int status)
{
	struct registry *r = w->data;
	char why[768], msg[640];
	uint32_t id = 0;
	int error;

	r->busy = 0;
	if (r->freed) {
		registry_destroy(r);
		return;
	}
	if (status != 0) {
		error = -EAGAIN;
		snprintf(why, sizeof why, "schema registry %s: request "
		    "cancelled", r->name);
	} else if (r->failed) {
		error = -EAGAIN;
		snprintf(why, sizeof why, "schema registry %s: %s", r->name,
		    r->error);
	} else {
		error = registry_answer(r->http_status, r->resp != NULL ?
		    r->resp : "", r->resp_len, &id, msg, sizeof msg);
		if (error != 0)
			snprintf(why, sizeof why, "schema registry %s: %s",
			    r->name, msg);
	}
	r->cb(r->arg, error, id, error != 0 ? why : NULL);
}

/* Subject names go into the path: anything but a URL's safe bytes escaped. */
static void registry_escape(struct encode_buf *j, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
			json_raw(j, s, 1);
		else
			json_raw(j, e, 3);
	}
}

int registry_register(struct registry *r, const char *subject,
    const char *schema, registry_cb cb, void *arg)
{
	struct encode_buf u;
	int error;

	if (r->busy)
		return -EBUSY;
	encode_buf_init(&u);
	json_raw(&u, r->url, strlen(r->url));
	json_raw(&u, "/subjects/", 10);
	registry_escape(&u, subject);
	json_raw(&u, "/versions", 9);
	free(r->req_url);
	r->req_url = xstrndup((const char *)u.p, u.len);
	encode_buf_free(&u);
	free(r->req_body);
	r->req_body = registry_body(schema);
	free(r->resp);
	r->resp = NULL;
	r->resp_len = 0;
	r->http_status = 0;
	r->cb = cb;
	r->arg = arg;
	error = uv_queue_work(r->loop, &r->work, registry_transfer,
	    registry_done);
	if (error == 0)
		r->busy = 1;
	return error;
}
