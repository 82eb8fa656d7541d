/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_BATCH_H
#define NFKAFKA_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"

/*
 * Records gathered for one Kafka message, framed by their encoding (a CBOR
 * sequence, RFC 8742, or JSON lines), with the window row index of the
 * first.
 */
struct batch;

/* A batch is full at max records or once it holds max_bytes bytes. */
struct batch *batch_new(uint32_t max, size_t max_bytes,
    struct encode_handle *h);
void batch_free(struct batch *b);
/*
 * Encodes one record into the batch; the first one added sets the first
 * row. -errno with errstr when the encoder refuses it (nothing added).
 */
int batch_add(struct batch *b, uint64_t row, const struct row *r,
    char *errstr, size_t errlen);
int batch_full(const struct batch *b);
uint32_t batch_count(const struct batch *b);
uint64_t batch_first(const struct batch *b);
/* The message: the records and their encoding's closing frame. */
const unsigned char *batch_data(struct batch *b, size_t *len);
/* Empties the batch, keeping its buffer for the next. */
void batch_clear(struct batch *b);

#endif
