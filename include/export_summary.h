/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_EXPORT_SUMMARY_H
#define NFKAFKA_EXPORT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"
#include "failure.h"
#include "kafka.h"
#include "summary.h"

/*
 * Queues the window's summary s on the summary topic, encoded by enc into
 * out, keyed by the window's stamp, with the window's headers h and
 * timestamp_ms (0: the send time); opaque comes back with its report.
 * 0, or -errno with the window's failure in f.
 */
int export_summary_send(struct kafka *k, const struct summary *s,
    struct encode_handle *enc, struct encode_buf *out,
    const struct kafka_header *h, size_t nh, int64_t timestamp_ms,
    void *opaque, struct failure *f);
/*
 * The summary's delivery report: 0 once acknowledged; else -EIO with the
 * window's failure in f.
 */
int export_summary_delivered(int err, const char *errstr, struct failure *f);

#endif
