/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_NOTIFY_H
#define NFKAFKA_NOTIFY_H

#include <uv.h>

/*
 * systemd's service protocol (sd_notify): readiness, status, reload and
 * stop notices, and the watchdog. Everything is a no-op outside systemd.
 */
void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Pings the watchdog from the loop at half its interval, if one is set. */
void notify_watchdog_start(uv_loop_t *loop);
void notify_watchdog_stop(void);

#endif
