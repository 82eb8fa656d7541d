/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_LOG_H
#define NFKAFKA_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level level);
int log_open_file(const char *path);
void log_reopen(void);
void log_close(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_at(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * "nfkafka: MESSAGE" on stderr, whatever the log file and level, with the
 * same escaping as every log line: usage errors, said before logging starts.
 */
void log_stderr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fatal() appends strerror(errno); fatalx() does not. Both exit(1). */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
