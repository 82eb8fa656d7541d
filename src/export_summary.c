/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A window's summary as a Kafka message: queued once every record of the
 * window has its delivery report, as only then are the offsets known, and
 * acknowledged before the window counts as done.
 */
#include <errno.h>

#include "export_summary.h"
#include "nfcapd.h"

int export_summary_send(struct kafka *k, const struct summary *s,
    struct encode_handle *enc, struct encode_buf *out,
    const struct kafka_header *h, size_t nh, int64_t timestamp_ms,
    void *opaque, struct failure *f)
{
	struct kafka_message m = { 0 };
	int error;

	summary_encode(s, enc, out);
	m.dest = KAFKA_SUMMARY;
	m.key = s->stamp;
	m.keylen = NFCAPD_STAMP_LEN;
	m.value = out->p;
	m.len = out->len;
	m.headers = h;
	m.nheaders = nh;
	m.timestamp_ms = timestamp_ms;
	m.opaque = opaque;
	error = kafka_send(k, &m);
	if (error != 0)
		failure_set(f, FAILURE_KAFKA, 0, "cannot queue the summary of "
		    "window %s for Kafka", s->stamp);
	return error;
}

int export_summary_delivered(int err, const char *errstr, struct failure *f)
{
	if (err == 0)
		return 0;
	failure_set(f, FAILURE_KAFKA, kafka_err_permanent(err),
	    "Kafka delivery of the window summary failed: %s", errstr);
	return -EIO;
}
