/* SPDX-License-Identifier: BSD-2-Clause */
/* Logging: one line per event on stderr (or a file reopened on SIGHUP). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

static enum log_level log_level = LOG_LVL_INFO;
static FILE *log_file;
static char *log_path;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level level)
{
	log_level = level;
}

/* Appends to path; stderr stays the fallback when it cannot be opened. */
int log_open_file(const char *path)
{
	FILE *f = fopen(path, "a");

	if (f == NULL)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	if (log_path != path) {
		free(log_path);
		log_path = xstrdup(path);
	}
	return 0;
}

/* After logrotate moved the file away, start a new one under the same name. */
void log_reopen(void)
{
	int error;

	if (log_path == NULL)
		return;
	error = log_open_file(log_path);
	if (error != 0)
		log_warn("log file %s: cannot reopen: %s", log_path,
		    strerror(-error));
}

void log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	free(log_path);
	log_path = NULL;
}

/*
 * Control bytes become \xNN: file names and nfdump's rows are outside
 * input, and a newline or an escape sequence in them would forge log lines
 * or drive the operator's terminal.
 */
static void log_escape(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0' && n + 5 < size; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch < 0x20 || ch == 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

static void log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	FILE *out = log_file != NULL ? log_file : stderr;
	char raw[2048], msg[sizeof raw * 4];

	if (level > log_level)
		return;
	vsnprintf(raw, sizeof raw, fmt, ap);
	log_escape(raw, msg, sizeof msg);
	if (log_file != NULL) {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(out, "%s.%03ldZ ", stamp, ts.tv_nsec / 1000000);
	}
	/* journald stamps stderr lines itself; a log file needs our own. */
	fprintf(out, "nfkafka: %s: %s\n", log_names[level], msg);
}

#define LOG_FN(name, level)                                                   \
	void name(const char *fmt, ...)                                      \
	{                                                                    \
		va_list ap;                                                  \
		va_start(ap, fmt);                                           \
		log_vwrite(level, fmt, ap);                                  \
		va_end(ap);                                                  \
	}

LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void log_at(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, fmt, ap);
	va_end(ap);
}

void log_stderr(const char *fmt, ...)
{
	char raw[2048], msg[sizeof raw * 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	log_escape(raw, msg, sizeof msg);
	fprintf(stderr, "nfkafka: %s\n", msg);
}

/* Logs msg, with strerror(saved) unless saved is 0, and exits 1. */
static void log_die(int saved, const char *fmt, va_list ap)
    __attribute__((noreturn));

static void log_die(int saved, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (saved != 0)
		log_error("%s: %s", msg, strerror(saved));
	else
		log_error("%s", msg);
	exit(1);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_die(saved, fmt, ap);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_die(0, fmt, ap);
}
