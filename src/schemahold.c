/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Avro schema registration hold: a window's output waits until the
 * registry has the schemas its messages name, and the encoder their ids.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro.h"
#include "log.h"
#include "nfcapd.h"
#include "registry.h"
#include "schemahold.h"
#include "xmalloc.h"

struct schemahold {
	struct registry *reg;	/* --schema-registry, or NULL */
	char *subject;		/* the records' subject: TOPIC-value */
	char *sum_subject;	/* the summaries': SUMMARY_TOPIC-value, or NULL */
	char *sum_schema;

	/* The window in flight. */
	char stamp[NFCAPD_STAMP_LEN + 1];
	struct encode_handle *enc;
	char *avro_schema;	/* the records', once their schema is known */
	int rec_registered;
	int sum_registered;
	int registering;	/* 1: the window waits for an answer */
	schemahold_cb cb;	/* NULL once the window has gone */
	void *arg;
};

int schemahold_new(uv_loop_t *loop, const char *url, const char *auth,
    const char *topic, const char *summary_topic, struct schemahold **hp,
    char *errstr, size_t errlen)
{
	struct schemahold *h = xcalloc(1, sizeof *h);
	int error;

	if (url != NULL && (error = registry_new(loop, url, auth, &h->reg,
	    errstr, errlen)) != 0) {
		free(h);
		return error;
	}
	/* Confluent's TopicNameStrategy: what its deserializers look up. */
	xasprintf(&h->subject, "%s-value", topic);
	if (summary_topic != NULL)
		xasprintf(&h->sum_subject, "%s-value", summary_topic);
	h->sum_schema = avro_summary_schema();
	*hp = h;
	return 0;
}

void schemahold_window(struct schemahold *h, const char *stamp,
    struct encode_handle *enc, schemahold_cb cb, void *arg)
{
	snprintf(h->stamp, sizeof h->stamp, "%s", stamp);
	h->enc = enc;
	free(h->avro_schema);
	h->avro_schema = NULL;
	h->rec_registered = h->sum_registered = 0;
	h->registering = 0;
	h->cb = cb;
	h->arg = arg;
}

/* The registry's answer: the window goes on, or fails to be retried. */
static void schemahold_registered(void *arg, int status, uint32_t id,
    const char *why)
{
	struct schemahold *h = arg;
	int summary = h->sum_subject != NULL && !h->sum_registered;
	const char *subject = summary ? h->sum_subject : h->subject;
	char msg[768];

	/* The window has gone meanwhile, or this is a gone one's answer. */
	if (h->cb == NULL || !h->registering)
		return;
	h->registering = 0;
	if (status != 0) {
		/*
		 * Down or refusing, the registry fails the window as Kafka
		 * would: retried whole with backoff, never skipped.
		 */
		snprintf(msg, sizeof msg, "%s (subject %s)%s", why, subject,
		    status == -EPERM ? "; the registry refuses this schema: "
		    "reload the previous query, or change the subject's "
		    "compatibility rule" : "");
		h->cb(h->arg, status, msg);
		return;
	}
	log_debug("window %s: schema registry %s: subject %s is schema id %"
	    PRIu32, h->stamp, registry_name(h->reg), subject, id);
	avro_set_id(h->enc->enc, summary, id);
	if (summary)
		h->sum_registered = 1;
	else
		h->rec_registered = 1;
	h->cb(h->arg, 0, "");
}

/* Asks the registry for the id of subject's schema; 1 while it answers. */
static int schemahold_register(struct schemahold *h, const char *subject,
    const char *schema, char *why, size_t whylen)
{
	int error;

	if (h->reg == NULL) {
		snprintf(why, whylen, "--format avro needs --schema-registry, "
		    "which a reload cannot add: restart nfkafka");
		return -EINVAL;
	}
	error = registry_register(h->reg, subject, schema,
	    schemahold_registered, h);
	if (error != 0) {
		snprintf(why, whylen, "schema registry %s: cannot send a "
		    "request: %s", registry_name(h->reg), uv_strerror(error));
		return error == -EINVAL ? -EIO : error;
	}
	h->registering = 1;
	return 1;
}

int schemahold_ready(struct schemahold *h, const struct schema *records,
    char *why, size_t whylen)
{
	if (h->registering)
		return 1;
	if (h->sum_subject != NULL && !h->sum_registered)
		return schemahold_register(h, h->sum_subject, h->sum_schema,
		    why, whylen);
	if (records != NULL && !h->rec_registered) {
		if (h->avro_schema == NULL)
			h->avro_schema = avro_schema(records, &h->enc->o);
		return schemahold_register(h, h->subject, h->avro_schema, why,
		    whylen);
	}
	return 0;
}

int schemahold_summary_ready(const struct schemahold *h)
{
	return h->sum_registered;
}

void schemahold_drop(struct schemahold *h)
{
	h->cb = NULL;
	h->arg = NULL;
	h->registering = 0;
}

void schemahold_free(struct schemahold *h)
{
	if (h == NULL)
		return;
	registry_free(h->reg);
	free(h->subject);
	free(h->sum_subject);
	free(h->sum_schema);
	free(h->avro_schema);
	free(h);
}
