/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_REGISTRY_H
#define NFKAFKA_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/*
 * A client of a Confluent-compatible schema registry's REST API
 * (Confluent Schema Registry, Apicurio's /apis/ccompat/v7, Karapace,
 * Redpanda). Requests run on libuv's thread pool with libcurl, bounded by
 * timeouts, so the loop never waits on the network.
 */
struct registry;

/*
 * Called on the loop thread: status 0 and the schema's id, or -EAGAIN
 * (registry unreachable, 5xx: worth retrying) or -EPERM (the registry
 * refused the schema, 4xx) with a one-line reason naming the registry.
 */
typedef void (*registry_cb)(void *arg, int status, uint32_t id,
    const char *why);

/*
 * url: the API's base, such as http://127.0.0.1:8081 or
 * http://host/apis/ccompat/v7. auth: "user:password" for HTTP basic
 * authentication, or NULL; never logged, nor is a password in the URL.
 */
int registry_new(uv_loop_t *loop, const char *url, const char *auth,
    struct registry **rp, char *errstr, size_t errlen);
/*
 * 0 if url cannot be a registry's (not http or https, or this nfkafka was
 * built without libcurl), with the reason in errstr.
 */
int registry_check_url(const char *url, char *errstr, size_t errlen);
/* Frees at once, or after the request in flight has returned. */
void registry_free(struct registry *r);
/* The URL as it may be shown: without user or password. */
const char *registry_name(const struct registry *r);
/*
 * POST /subjects/SUBJECT/versions: registers schema (Avro JSON) under
 * subject, or finds it registered, and calls cb with its id. Registering
 * the same schema again is idempotent and answers the same id. -EBUSY
 * while a request is in flight.
 */
int registry_register(struct registry *r, const char *subject,
    const char *schema, registry_cb cb, void *arg);

/* The request body of a registration: {"schema":"..."}, to free. */
char *registry_body(const char *schema);
/*
 * Reads a registry's answer: 0 with *id from {"id":N}; otherwise -EAGAIN
 * or -EPERM as registry_cb's status, with the registry's own message.
 */
int registry_answer(long http_status, const char *body, size_t len,
    uint32_t *id, char *why, size_t whylen);

#endif
