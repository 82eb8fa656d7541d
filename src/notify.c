/* SPDX-License-Identifier: BSD-2-Clause */
/* Talking to systemd: Type=notify readiness and WatchdogSec pings. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "xmalloc.h"

static uv_timer_t *notify_timer;

/*
 * sd_notify(3)'s protocol, spoken here so that no build needs libsystemd
 * (the static one has none): one datagram to the AF_UNIX socket named by
 * $NOTIFY_SOCKET, '@' standing for the abstract namespace.
 */
static void notify_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	len = strlen(path);
	if (len >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + len);
	close(fd);
}

/* The watchdog interval systemd set for us (sd_watchdog_enabled), or 0. */
static uint64_t notify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (usec == NULL)
		return 0;
	if (pid != NULL && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno != 0 || end == usec || *end != '\0')
		return 0;
	return v;
}

void notify_ready(void)
{
	notify_send("READY=1");
}

void notify_reloading(void)
{
	notify_send("RELOADING=1");
}

void notify_stopping(void)
{
	notify_send("STOPPING=1");
}

void notify_status(const char *fmt, ...)
{
	char msg[512] = "STATUS=";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + 7, sizeof msg - 7, fmt, ap);
	va_end(ap);
	notify_send(msg);
}

static void notify_ping(uv_timer_t *t)
{
	(void)t;
	notify_send("WATCHDOG=1");
}

/* A loop that stops turning stops the pings, and systemd restarts us. */
void notify_watchdog_start(uv_loop_t *loop)
{
	uint64_t usec = notify_watchdog_usec();

	if (usec == 0)
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
