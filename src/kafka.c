/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Kafka producer. Delivery reports come through librdkafka's main queue,
 * which writes to a pipe when it becomes non-empty; a uv_poll on that pipe
 * serves them on the loop thread: no polling timer, no extra thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka.h"
#include "log.h"
#include "strv.h"
#include "xmalloc.h"

/* Defaults chosen for nfkafka; any of them can be overridden with -X. */
static const char *const kafka_defaults[][2] = {
	{ "client.id", "nfkafka" },
	/* Broker-side de-duplication of librdkafka's own retries. */
	{ "enable.idempotence", "true" },
	/* A window fails, and is retried whole, after a minute of outage. */
	{ "message.timeout.ms", "60000" },
	/*
	 * Bounds memory: a full queue pauses nfdump instead. Each queued
	 * message costs several times its bytes in librdkafka's bookkeeping.
	 */
	{ "queue.buffering.max.kbytes", "4096" },
	/*
	 * The byte bound counts payload only: small records would fill it
	 * with ~45k messages of bookkeeping and headers (~20 MiB). 10000 is
	 * one librdkafka batch (batch.num.messages) in flight and one filling.
	 */
	{ "queue.buffering.max.messages", "10000" },
	/*
	 * At 5 ms librdkafka 2.0's broker thread called poll(2) about once
	 * per record (766k times for 1M records; 8k at 50 ms): 6 % of
	 * nfkafka's CPU with four headers, 16 % with one, and 16 MiB of peak
	 * RSS. A window's last batch waits at most this long.
	 */
	{ "linger.ms", "50" },
	/* librdkafka's logs are served on the loop thread with ours. */
	{ "log.queue", "true" },
#ifdef NFKAFKA_STATIC
	/*
	 * The static build runs on boxes whose CA store is not where its
	 * OpenSSL was told (Debian's /etc/ssl): librdkafka probes the usual
	 * places (Debian, EL's /etc/pki, SUSE...).
	 */
	{ "ssl.ca.location", "probe" },
#endif
};

struct kafka {
	const struct kafka_options *o;
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	rd_kafka_topic_t *summary_rkt; /* NULL without --summary-topic */
	rd_kafka_queue_t *mainq;
	uv_poll_t poll;
	int pipefd[2];
	int last_error;
	int brokers_down;
	int transactional;
	int txn_ready;		/* init_transactions succeeded */
	int txn_open;
	kafka_delivery_cb delivery_cb;
	kafka_drain_cb drain_cb;
	void *arg;
	int auth_failed;	/* purged after an authentication failure */
	char auth_reason[512];
	char **secrets;		/* values of secret properties, to mask */
	size_t nsecrets;
};

/*
 * Passwords, keys and tokens never reach a log line or an error. The test is
 * generous on purpose: a misspelt name ("sasl.passwd") is as secret as the
 * right one, so anything that looks like a credential is masked.
 */
static int kafka_secret(const char *name)
{
	static const char *const words[] = { "pass", "secret", "key",
		"token", "credential", "jaas", "oauthbearer", "auth", "pwd",
		NULL };
	char lower[256];
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof lower; i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] - 'A' + 'a' : name[i]);
	lower[i] = '\0';
	for (const char *const *w = words; *w != NULL; w++) {
		if (strstr(lower, *w) != NULL)
			return 1;
	}
	return 0;
}

/* Keeps the secret values given, to keep them out of librdkafka's words. */
static void kafka_keep_secrets(struct kafka *k, const struct kafka_options *o)
{
	for (size_t i = 0; i < o->nprops; i++) {
		if (o->props[i].value[0] != '\0' &&
		    kafka_secret(o->props[i].name))
			strv_push(&k->secrets, &k->nsecrets,
			    o->props[i].value);
	}
}

static void kafka_free_secrets(struct kafka *k)
{
	strv_free(k->secrets);
}

/* Whether a value may end here: "127" is no secret inside "127.0.0.1". */
static int kafka_edge(char c)
{
	return c == '\0' || strchr(" \t\r\n'\"`=,;:@/()[]{}<>", c) != NULL;
}

/* The secret s starts at p as a whole value, not inside a longer word. */
static int kafka_whole(const char *text, const char *p, const char *s)
{
	size_t n = strlen(s);

	return n > 0 && strncmp(p, s, n) == 0 &&
	    (p == text || kafka_edge(p[-1])) && kafka_edge(p[n]);
}

/*
 * librdkafka's text with every whole occurrence of a secret value
 * replaced (a short one must not eat addresses and numbers). Its token parser
 * quotes the rejected rest of sasl.oauthbearer.config after a colon, so
 * whatever follows that colon goes too.
 */
const char *kafka_mask(const struct kafka *k, const char *text, char *buf,
    size_t size)
{
	const char *oauth = strstr(text, "sasl.oauthbearer.config");
	const char *p = text;
	size_t n = 0;

	while (*p != '\0' && n + 1 < size) {
		size_t len = 0;

		for (size_t i = 0; i < k->nsecrets && len == 0; i++) {
			if (kafka_whole(text, p, k->secrets[i]))
				len = strlen(k->secrets[i]);
		}
		if (len == 0 && !(oauth != NULL && p > oauth && *p == ':')) {
			buf[n++] = *p++;
			continue;
		}
		snprintf(buf + n, size - n, "%s(secret)", len > 0 ? "" : ": ");
		n += strlen(buf + n);
		if (len == 0)
			return buf;
		p += len;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * An unknown property's value is never shown: the name may be a misspelt
 * secret. A known one's is shown only if it is not a secret.
 */
static int kafka_set(rd_kafka_conf_t *conf, const char *name,
    const char *value, char *errstr, size_t errlen)
{
	char why[512];
	rd_kafka_conf_res_t res;

	res = rd_kafka_conf_set(conf, name, value, why, sizeof why);
	if (res == RD_KAFKA_CONF_OK)
		return 0;
	if (res == RD_KAFKA_CONF_UNKNOWN)
		/* librdkafka's words here name the property, not the value. */
		snprintf(errstr, errlen, "-X %s: %s (see -X list)", name, why);
	else if (kafka_secret(name))
		snprintf(errstr, errlen, "-X %s=(secret): invalid value (see "
		    "-X list)", name);
	else
		snprintf(errstr, errlen, "-X %s=%s: %s (see -X list)", name,
		    value, why);
	return -EINVAL;
}

/* Builds the configuration: our defaults, then the operator's -X. */
static int kafka_conf(const struct kafka_options *o, rd_kafka_conf_t **confp,
    char *errstr, size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	int error = 0;

	for (size_t i = 0; i < sizeof kafka_defaults / sizeof *kafka_defaults;
	    i++)
		kafka_set(conf, kafka_defaults[i][0], kafka_defaults[i][1],
		    errstr, errlen);
	if (o->brokers != NULL)
		error = kafka_set(conf, "bootstrap.servers", o->brokers,
		    errstr, errlen);
	if (error == 0 && o->transactional_id != NULL)
		error = kafka_set(conf, "transactional.id",
		    o->transactional_id, errstr, errlen);
	for (size_t i = 0; error == 0 && i < o->nprops; i++)
		error = kafka_set(conf, o->props[i].name, o->props[i].value,
		    errstr, errlen);
	if (error != 0) {
		rd_kafka_conf_destroy(conf);
		return error;
	}
	*confp = conf;
	return 0;
}

int kafka_check(const struct kafka_options *o, char *errstr, size_t errlen)
{
	rd_kafka_conf_t *conf;
	int error = kafka_conf(o, &conf, errstr, errlen);

	if (error == 0)
		rd_kafka_conf_destroy(conf);
	return error;
}

static void kafka_report(struct kafka *k, const rd_kafka_message_t *m,
    int err, const char *errstr)
{
	if (k->delivery_cb != NULL)
			k->delivery_cb(k->arg, m->_private, err, errstr, m->len,
		    m->partition, err == 0 ? m->offset : -1);
}

static void kafka_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m,
    void *opaque)
{
	struct kafka *k = opaque;

	(void)rk;
	if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE && k->auth_failed) {
		kafka_report(k, m, RD_KAFKA_RESP_ERR__AUTHENTICATION,
		    k->auth_reason);
		return;
	}
	if (m->err != 0 && m->err != k->last_error) {
		log_warn("kafka: delivery failed: %s", rd_kafka_err2str(m->err));
		k->last_error = m->err;
	} else if (m->err == 0 && k->last_error != 0) {
		log_info("kafka: deliveries succeed again");
		k->last_error = 0;
	}
	if (m->err == 0)
		k->brokers_down = k->auth_failed = 0;
	kafka_report(k, m, m->err, m->err != 0 ? rd_kafka_err2str(m->err) :
	    NULL);
}

/*
 * A refused password or certificate does not get better by waiting: the
 * queued messages fail now, with the reason, instead of after a whole
 * message.timeout.ms. librdkafka retries the connection and says so again,
 * which fails what was queued since. Messages already sent to a broker that
 * did let us in are left alone.
 */
static void kafka_auth_failed(struct kafka *k, const char *reason)
{
	snprintf(k->auth_reason, sizeof k->auth_reason, "authentication "
	    "failed: %s", reason);
	k->auth_failed = 1;
	rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE);
}

/* Reports each change of the client's error state once, not per retry. */
static void kafka_error(rd_kafka_t *rk, int err, const char *reason,
    void *opaque)
{
	struct kafka *k = opaque;
	char buf[2048];

	(void)rk;
	reason = kafka_mask(k, reason, buf, sizeof buf);
	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		log_error("kafka: fatal error: %s", reason);
		return;
	}
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
		k->brokers_down = 1;
	if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION)
		kafka_auth_failed(k, reason);
	if (err == k->last_error)
		return;
	k->last_error = err;
	log_warn("kafka: %s", reason);
}

static void kafka_log(const rd_kafka_t *rk, int level, const char *fac,
    const char *buf)
{
	enum log_level l = level <= 3 ? LOG_LVL_ERROR : level <= 5 ?
	    LOG_LVL_WARN : level == 6 ? LOG_LVL_INFO : LOG_LVL_DEBUG;
	char masked[2048];

	/*
	 * Connection failures also reach kafka_error, which says them once;
	 * a coordinator still loading at start is retried by librdkafka.
	 */
	if (strcmp(fac, "FAIL") == 0)
		l = LOG_LVL_DEBUG;
	else if (strcmp(fac, "GETPID") == 0 && l < LOG_LVL_INFO)
		l = LOG_LVL_INFO;
	log_at(l, "librdkafka: %s: %s", fac, kafka_mask(rd_kafka_opaque(rk),
	    buf, masked, sizeof masked));
}

static void kafka_serve(uv_poll_t *h, int status, int events)
{
	struct kafka *k = h->data;
	char drain[64];

	(void)status;
	(void)events;
	while (read(k->pipefd[0], drain, sizeof drain) > 0)
		;
	while (rd_kafka_poll(k->rk, 0) > 0)
		;
	if (k->drain_cb != NULL)
		k->drain_cb(k->arg);
}

int kafka_new(uv_loop_t *loop, const struct kafka_options *o,
    struct kafka **kp, char *errstr, size_t errlen)
{
	struct kafka *k;
	rd_kafka_conf_t *conf;
	int error;

	if ((error = kafka_conf(o, &conf, errstr, errlen)) != 0)
		return error;
	k = xcalloc(1, sizeof *k);
	k->o = o;
	kafka_keep_secrets(k, o);
	rd_kafka_conf_set_opaque(conf, k);
	rd_kafka_conf_set_dr_msg_cb(conf, kafka_delivered);
	rd_kafka_conf_set_error_cb(conf, kafka_error);
	rd_kafka_conf_set_log_cb(conf, kafka_log);
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errlen);
	if (k->rk == NULL) {
		char *why = xstrdup(errstr);

		kafka_mask(k, why, errstr, errlen);
		free(why);
		rd_kafka_conf_destroy(conf);
		kafka_free_secrets(k);
		free(k);
		return -EINVAL;
	}
	/* From here the configuration belongs to the handle. */
	k->transactional = o->transactional_id != NULL;
	k->rkt = rd_kafka_topic_new(k->rk, o->topic, NULL);
	if (o->summary_topic != NULL)
		k->summary_rkt = rd_kafka_topic_new(k->rk, o->summary_topic,
		    NULL);
	if (pipe2(k->pipefd, O_NONBLOCK | O_CLOEXEC) != 0)
		fatal("pipe");
	k->mainq = rd_kafka_queue_get_main(k->rk);
	rd_kafka_set_log_queue(k->rk, NULL);
	rd_kafka_queue_io_event_enable(k->mainq, k->pipefd[1], "1", 1);
	/*
	 * librdkafka writes to the pipe only when the queue turns non-empty:
	 * events queued since rd_kafka_new (a refused connection) would
	 * otherwise wait for ever. Serve the queue once on the loop.
	 */
	if (write(k->pipefd[1], "1", 1) != 1)
		fatal("pipe write");
	uv_poll_init(loop, &k->poll, k->pipefd[0]);
	k->poll.data = k;
	uv_poll_start(&k->poll, UV_READABLE, kafka_serve);
	*kp = k;
	return 0;
}

const struct kafka_options *kafka_options(const struct kafka *k)
{
	return k->o;
}

void kafka_attach(struct kafka *k, kafka_delivery_cb delivery_cb,
    kafka_drain_cb drain_cb, void *arg)
{
	k->delivery_cb = delivery_cb;
	k->drain_cb = drain_cb;
	k->arg = arg;
}

int kafka_send(struct kafka *k, const struct kafka_message *m)
{
	rd_kafka_vu_t vu[17];
	size_t n = 0;
	rd_kafka_error_t *e;
	rd_kafka_resp_err_t err;

	vu[n].vtype = RD_KAFKA_VTYPE_RKT;
	vu[n++].u.rkt = m->dest == KAFKA_SUMMARY && k->summary_rkt != NULL ?
	    k->summary_rkt : k->rkt;
	vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
	vu[n].u.mem.ptr = (void *)m->value;
	vu[n++].u.mem.size = m->len;
	if (m->key != NULL) {
		vu[n].vtype = RD_KAFKA_VTYPE_KEY;
		vu[n].u.mem.ptr = (void *)m->key;
		vu[n++].u.mem.size = m->keylen;
	}
	vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
	vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
	vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
	vu[n++].u.ptr = m->opaque;
	if (m->timestamp_ms > 0) {
		vu[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
		vu[n++].u.i64 = m->timestamp_ms;
	}
	for (size_t i = 0; i < m->nheaders && n < 17; i++, n++) {
		vu[n].vtype = RD_KAFKA_VTYPE_HEADER;
		vu[n].u.header.name = m->headers[i].name;
		vu[n].u.header.val = m->headers[i].value;
		vu[n].u.header.size = (ssize_t)m->headers[i].len;
	}
	e = rd_kafka_produceva(k->rk, vu, n);
	if (e == NULL)
		return 0;
	err = rd_kafka_error_code(e);
	rd_kafka_error_destroy(e);
	if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
		return -ENOBUFS;
	log_error("kafka: cannot queue a message: %s", rd_kafka_err2str(err));
	return -EIO;
}

/* How long a transactional call may block the loop. */
#define KAFKA_TXN_TIMEOUT_MS 10000

/* Maps a transactional API error to -EAGAIN (retry) or -EPERM (fatal). */
static int kafka_txn_error(struct kafka *k, rd_kafka_error_t *e,
    const char *what, char *errstr, size_t errlen)
{
	int fatal = rd_kafka_error_is_fatal(e);
	char buf[1024];

	snprintf(errstr, errlen, "Kafka transaction %s: %s", what,
	    kafka_mask(k, rd_kafka_error_string(e), buf, sizeof buf));
	if (rd_kafka_error_txn_requires_abort(e) && k->txn_open) {
		rd_kafka_error_t *ae = rd_kafka_abort_transaction(k->rk,
		    KAFKA_TXN_TIMEOUT_MS);

		if (ae == NULL)
			k->txn_open = 0;
		else
			rd_kafka_error_destroy(ae);
	}
	rd_kafka_error_destroy(e);
	return fatal ? -EPERM : -EAGAIN;
}

int kafka_begin(struct kafka *k, char *errstr, size_t errlen)
{
	rd_kafka_error_t *e;

	if (!k->transactional)
		return 0;
	if (!k->txn_ready) {
		/* Fences an older instance and aborts what it left open. */
		e = rd_kafka_init_transactions(k->rk, KAFKA_TXN_TIMEOUT_MS);
		if (e != NULL)
			return kafka_txn_error(k, e, "init", errstr, errlen);
		k->txn_ready = 1;
	}
	if ((e = rd_kafka_begin_transaction(k->rk)) != NULL)
		return kafka_txn_error(k, e, "begin", errstr, errlen);
	k->txn_open = 1;
	return 0;
}

int kafka_commit(struct kafka *k, char *errstr, size_t errlen)
{
	rd_kafka_error_t *e;

	if (!k->transactional)
		return 0;
	e = rd_kafka_commit_transaction(k->rk, KAFKA_TXN_TIMEOUT_MS);
	if (e != NULL)
		return kafka_txn_error(k, e, "commit", errstr, errlen);
	k->txn_open = 0;
	return 0;
}

void kafka_abort(struct kafka *k)
{
	rd_kafka_error_t *e;

	if (!k->transactional || !k->txn_open)
		return;
	e = rd_kafka_abort_transaction(k->rk, KAFKA_TXN_TIMEOUT_MS);
	if (e != NULL) {
		log_warn("kafka: transaction abort: %s",
		    rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
		return;
	}
	k->txn_open = 0;
}

int kafka_outq_len(struct kafka *k)
{
	return rd_kafka_outq_len(k->rk);
}

int kafka_broker_up(const struct kafka *k)
{
	return !k->brokers_down;
}

static void kafka_poll_closed(uv_handle_t *h)
{
	struct kafka *k = h->data;

	close(k->pipefd[0]);
	close(k->pipefd[1]);
	kafka_free_secrets(k);
	free(k);
}

void kafka_flush(struct kafka *k, int timeout_ms)
{
	/* Delivery reports served here still reach their callbacks. */
	if (rd_kafka_flush(k->rk, timeout_ms) != 0)
		log_warn("kafka: %d message(s) not delivered at exit",
		    rd_kafka_outq_len(k->rk));
}

void kafka_destroy(struct kafka *k, int timeout_ms)
{
	if (k == NULL)
		return;
	kafka_flush(k, timeout_ms);
	rd_kafka_queue_io_event_enable(k->mainq, -1, NULL, 0);
	rd_kafka_queue_destroy(k->mainq);
	rd_kafka_topic_destroy(k->rkt);
	if (k->summary_rkt != NULL)
		rd_kafka_topic_destroy(k->summary_rkt);
	rd_kafka_destroy(k->rk);
	uv_poll_stop(&k->poll);
	uv_close((uv_handle_t *)&k->poll, kafka_poll_closed);
}

/*
 * Only librdkafka's own __UNKNOWN_TOPIC (the cluster's metadata has no such
 * topic) says the topic is missing. The broker's UNKNOWN_TOPIC_OR_PART in a
 * produce response is retriable in Kafka's own protocol: a broker that has
 * just started answers it while an auto-created topic's partitions load.
 */
int kafka_err_permanent(int err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
	case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
	case RD_KAFKA_RESP_ERR_INVALID_RECORD:
	/* --timestamp of a window older than the broker accepts. */
	case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
	case RD_KAFKA_RESP_ERR__FATAL:
	case RD_KAFKA_RESP_ERR__INVALID_ARG:
	case RD_KAFKA_RESP_ERR__AUTHENTICATION:
	case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
		return 1;
	}
	return 0;
}

void kafka_list_properties(void)
{
	rd_kafka_conf_properties_show(stdout);
}
