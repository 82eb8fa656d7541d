/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_BATCH_H
#define NFKAFKA_BATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Records gathered for one Kafka message: their CBOR items concatenated, a
 * CBOR sequence (RFC 8742), or JSON lines, with the window row index of the
 * first.
 */
struct batch;

/*
 * A batch is full at max records or once it holds max_bytes bytes. sep, if
 * not 0, follows every item: '\n' makes JSON lines of JSON objects.
 */
struct batch *batch_new(uint32_t max, size_t max_bytes, char sep);
void batch_free(struct batch *b);
/* Appends one encoded record; the first one added sets the first row. */
void batch_add(struct batch *b, uint64_t row, const void *item, size_t len);
int batch_full(const struct batch *b);
uint32_t batch_count(const struct batch *b);
uint64_t batch_first(const struct batch *b);
const unsigned char *batch_data(const struct batch *b, size_t *len);
/* Empties the batch, keeping its buffer for the next. */
void batch_clear(struct batch *b);

#endif
