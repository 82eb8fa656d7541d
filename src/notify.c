/* SPDX-License-Identifier: BSD-2-Clause */
/* Talking to systemd: Type=notify readiness and WatchdogSec pings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"
#include "xmalloc.h"

static uv_timer_t *notify_timer;

void notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void notify_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void notify_status(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", msg);
}

static void notify_ping(uv_timer_t *t)
{
	(void)t;
	sd_notify(0, "WATCHDOG=1");
}

/* A loop that stops turning stops the pings, and systemd restarts us. */
void notify_watchdog_start(uv_loop_t *loop)
{
	uint64_t usec;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return;
	notify_timer = xmalloc(sizeof *notify_timer);
	uv_timer_init(loop, notify_timer);
	uv_timer_start(notify_timer, notify_ping, 0, usec / 2000);
	log_debug("systemd watchdog: ping every %llu ms",
	    (unsigned long long)(usec / 2000));
}

static void notify_timer_closed(uv_handle_t *h)
{
	free(h);
}

void notify_watchdog_stop(void)
{
	if (notify_timer == NULL)
		return;
	uv_close((uv_handle_t *)notify_timer, notify_timer_closed);
	notify_timer = NULL;
}
