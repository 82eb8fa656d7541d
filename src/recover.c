/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The newest committed window, read back from the topic itself, by a
 * consumer in a thread of libuv's pool: the loop goes on (and feeds the
 * watchdog) however long the broker takes to answer.
 */
#include <errno.h>
#include <limits.h>
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "log.h"
#include "recover.h"
#include "xmalloc.h"

struct recover {
	uv_work_t work;
	const struct kafka *k;	/* the producer: its options and secrets */
	rd_kafka_t *rk;
	char *topic;
	char *dir;
	size_t dirlen;
	int timeout_ms;
	char stamp[NFCAPD_STAMP_LEN + 1];
	char want_stamp[NFCAPD_STAMP_LEN + 1]; /* "" when nothing is wanted */
	struct recover_want want;
	int found;		/* a message of ours in this partition */
	int error;
	char errstr[512];
	atomic_int cancelled;
	recover_done_cb cb;
	void *arg;
};

static void recover_log(const rd_kafka_t *rk, int level, const char *fac,
    const char *buf)
{
	const struct recover *r = rd_kafka_opaque(rk);
	char masked[2048];

	(void)level;
	/* Producer-only -X properties make this consumer complain; harmless. */
	log_debug("recover: librdkafka: %s: %s", fac, kafka_mask(r->k, buf,
	    masked, sizeof masked));
}

static rd_kafka_t *recover_consumer(struct recover *r,
    const struct kafka_options *o, char *errstr, size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char why[256];
	rd_kafka_t *rk;

	rd_kafka_conf_set_opaque(conf, r);
	rd_kafka_conf_set_log_cb(conf, recover_log);
	/* The operator's -X carries security settings; the rest is ignored. */
	for (size_t i = 0; i < o->nprops; i++)
		rd_kafka_conf_set(conf, o->props[i].name, o->props[i].value,
		    why, sizeof why);
	if (rd_kafka_conf_set(conf, "bootstrap.servers", o->brokers, why,
	    sizeof why) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "group.id", "nfkafka-recover", why,
	    sizeof why) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "isolation.level", "read_committed", why,
	    sizeof why) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "enable.partition.eof", "true", why,
	    sizeof why) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "enable.auto.commit", "false", why,
	    sizeof why) != RD_KAFKA_CONF_OK) {
		snprintf(errstr, errlen, "recover: %s", why);
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
	if (rk == NULL) {
		kafka_mask(r->k, why, errstr, errlen);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}

/* The revision header as a number; messages before revisions had none. */
static unsigned recover_revision(rd_kafka_headers_t *h)
{
	const void *v;
	size_t len;
	char buf[16];

	if (rd_kafka_header_get_last(h, "nfkafka-revision", &v, &len) != 0 ||
	    len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return (unsigned)strtoul(buf, NULL, 10);
}

/*
 * --headers compact's "window,revision,row,count,profile": the window, the
 * revision and the profile; -1 if it is not one.
 */
static int recover_id(const char *v, size_t len, const void **win,
    unsigned *revision, const void **prof, size_t *proflen)
{
	const char *end = v + len, *p = v + NFCAPD_STAMP_LEN;
	unsigned long rev = 0;
	int commas = 0;

	if (len <= NFCAPD_STAMP_LEN || *p != ',')
		return -1;
	for (size_t i = 0; i < NFCAPD_STAMP_LEN; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	for (p++; p < end && *p >= '0' && *p <= '9'; p++)
		rev = rev * 10 + (unsigned long)(*p - '0');
	/* Then ",row,count,": the profile follows the third comma. */
	for (; p < end && commas < 3; p++)
		commas += *p == ',';
	if (commas < 3 || rev > UINT_MAX)
		return -1;
	*win = v;
	*revision = (unsigned)rev;
	*prof = p;
	*proflen = (size_t)(end - p);
	return 0;
}

/* A message's window, revision and profile, from either header layout. */
static int recover_headers(const rd_kafka_message_t *m, const void **win,
    size_t *winlen, unsigned *revision, const void **prof, size_t *proflen)
{
	rd_kafka_headers_t *h;
	const void *id;
	size_t idlen;

	if (rd_kafka_message_headers(m, &h) != 0)
		return -1;
	if (rd_kafka_header_get_last(h, "nfkafka-id", &id, &idlen) == 0) {
		*winlen = NFCAPD_STAMP_LEN;
		return recover_id(id, idlen, win, revision, prof, proflen);
	}
	if (rd_kafka_header_get_last(h, "nfkafka-window", win, winlen) != 0 ||
	    rd_kafka_header_get_last(h, "nfkafka-profile", prof,
	    proflen) != 0)
		return -1;
	*revision = recover_revision(h);
	return 0;
}

/* Keeps the newest window header of a message from our profile. */
static void recover_message(struct recover *r, const rd_kafka_message_t *m)
{
	const void *win, *prof;
	size_t winlen, proflen;
	unsigned revision;
	struct recover_want *want = r->want_stamp[0] != '\0' ? &r->want : NULL;

	if (recover_headers(m, &win, &winlen, &revision, &prof, &proflen) != 0)
		return;
	/* "<dir>/<channels>": the directory says which profile it was. */
	if (winlen != NFCAPD_STAMP_LEN || proflen <= r->dirlen ||
	    memcmp(prof, r->dir, r->dirlen) != 0 ||
	    ((const char *)prof)[r->dirlen] != '/' ||
	    memchr((const char *)prof + r->dirlen + 1, '/',
	    proflen - r->dirlen - 1) != NULL)
		return;
	r->found = 1;
	if (want != NULL && memcmp(win, want->stamp, NFCAPD_STAMP_LEN) == 0 &&
	    revision == want->revision)
		want->committed = 1;
	if (r->stamp[0] == '\0' ||
	    memcmp(win, r->stamp, NFCAPD_STAMP_LEN) > 0) {
		memcpy(r->stamp, win, NFCAPD_STAMP_LEN);
		r->stamp[NFCAPD_STAMP_LEN] = '\0';
	}
}

/* Reads partition p from offset start to its end; -ETIMEDOUT if stuck. */
static int recover_read(struct recover *r, int32_t p, int64_t start)
{
	rd_kafka_topic_partition_list_t *parts =
	    rd_kafka_topic_partition_list_new(1);
	uint64_t deadline = uv_hrtime() + (uint64_t)r->timeout_ms * 1000000;
	int error = -ETIMEDOUT;

	rd_kafka_topic_partition_list_add(parts, r->topic, p)->offset = start;
	rd_kafka_assign(r->rk, parts);
	rd_kafka_topic_partition_list_destroy(parts);
	/* A deadline in time, not in polls: each message is one poll. */
	while (uv_hrtime() < deadline && !atomic_load(&r->cancelled)) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(r->rk, 100);

		if (m == NULL)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			rd_kafka_message_destroy(m);
			error = 0;
			break;
		}
		if (m->err == 0)
			recover_message(r, m);
		rd_kafka_message_destroy(m);
	}
	rd_kafka_assign(r->rk, NULL);
	return error;
}

/*
 * The newest window is in the last few committed messages, unless aborted
 * retries follow it: look further back, eightfold, until one is found.
 */
static int recover_partition(struct recover *r, int32_t p, char *errstr,
    size_t errlen)
{
	int64_t low, high, back = 16, start;
	rd_kafka_resp_err_t err;

	err = rd_kafka_query_watermark_offsets(r->rk, r->topic, p, &low,
	    &high, r->timeout_ms);
	if (err != 0) {
		snprintf(errstr, errlen, "recover: partition %d of %s: %s",
		    (int)p, r->topic, rd_kafka_err2str(err));
		return -EIO;
	}
	/*
	 * Until this partition shows a message of ours: another partition's
	 * newest window may well be the same one.
	 */
	r->found = 0;
	do {
		start = high - back > low ? high - back : low;
		if (recover_read(r, p, start) != 0) {
			snprintf(errstr, errlen, "recover: partition %d of %s: "
			    "timed out reading", (int)p, r->topic);
			return -ETIMEDOUT;
		}
		back *= 8;
	} while (!r->found && start > low);
	return 0;
}

/* The topic's partitions, each read from its end back; in the thread. */
static int recover_topic(struct recover *r, char *errstr, size_t errlen)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(r->rk, r->topic, NULL);
	rd_kafka_resp_err_t err;
	int error = 0;

	err = rd_kafka_metadata(r->rk, 0, rkt, &md, r->timeout_ms);
	if (err != 0 || md->topic_cnt != 1) {
		snprintf(errstr, errlen, "recover: topic %s: %s", r->topic,
		    rd_kafka_err2str(err != 0 ? err : RD_KAFKA_RESP_ERR__FAIL));
		error = -EIO;
	} else if (md->topics[0].err == 0) {
		/* A topic that does not exist yet holds no window: "" */
		for (int i = 0; error == 0 && i < md->topics[0].partition_cnt;
		    i++) {
			if (atomic_load(&r->cancelled))
				error = -ECANCELED;
			else
				error = recover_partition(r,
				    md->topics[0].partitions[i].id, errstr,
				    errlen);
		}
	}
	if (err == 0)
		rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	return error;
}

static void recover_work(uv_work_t *w)
{
	struct recover *r = w->data;
	char errstr[sizeof r->errstr];

	errstr[0] = '\0';
	r->rk = recover_consumer(r, kafka_options(r->k), errstr,
	    sizeof errstr);
	if (r->rk == NULL) {
		r->error = -EINVAL;
	} else {
		r->error = recover_topic(r, errstr, sizeof errstr);
		rd_kafka_consumer_close(r->rk);
		rd_kafka_destroy(r->rk);
	}
	/* librdkafka's words may quote a property's value. */
	kafka_mask(r->k, errstr, r->errstr, sizeof r->errstr);
}

static void recover_free(struct recover *r)
{
	free(r->topic);
	free(r->dir);
	free(r);
}

static void recover_after(uv_work_t *w, int status)
{
	struct recover *r = w->data;
	struct recover_result res = { r->error, r->stamp,
		r->want.committed, r->errstr };

	if (status != 0 && res.error == 0)
		res.error = status;
	if (!atomic_load(&r->cancelled))
		r->cb(r->arg, &res);
	recover_free(r);
}

int recover_start(uv_loop_t *loop, const struct kafka *k,
    const char *profile_dir, int timeout_ms, const struct recover_want *want,
    recover_done_cb cb, void *arg, struct recover **rp)
{
	struct recover *r = xcalloc(1, sizeof *r);
	int error;

	r->k = k;
	r->topic = xstrdup(kafka_options(k)->topic);
	r->dir = xstrdup(profile_dir);
	r->dirlen = strlen(profile_dir);
	r->timeout_ms = timeout_ms;
	if (want != NULL) {
		snprintf(r->want_stamp, sizeof r->want_stamp, "%s",
		    want->stamp);
		r->want.stamp = r->want_stamp;
		r->want.revision = want->revision;
	}
	r->cb = cb;
	r->arg = arg;
	r->work.data = r;
	atomic_init(&r->cancelled, 0);
	error = uv_queue_work(loop, &r->work, recover_work, recover_after);
	if (error != 0) {
		recover_free(r);
		return error;
	}
	*rp = r;
	return 0;
}

void recover_cancel(struct recover *r)
{
	if (r != NULL)
		atomic_store(&r->cancelled, 1);
}
