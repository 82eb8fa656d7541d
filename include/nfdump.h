/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_NFDUMP_H
#define NFKAFKA_NFDUMP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct nfdump;

/*
 * A status of NFDUMP_SIGNALLED + n means killed by signal n: beyond every
 * exit status, as nfdump itself exits 250, 254 and 255.
 */
#define NFDUMP_SIGNALLED 256

/*
 * Called for each line of nfdump's stdout, without its newline. Return 0
 * when the line is consumed, or 1 to pause: the same line is offered again
 * after nfdump_resume().
 */
typedef int (*nfdump_line_cb)(void *arg, const char *line, size_t len);
/*
 * Called once nfdump has exited and both of its output streams are closed.
 * status is the exit status, or NFDUMP_SIGNALLED + signal; errtext holds
 * the start of what nfdump wrote to stderr ("" when nothing).
 */
typedef void (*nfdump_done_cb)(void *arg, int status, const char *errtext);

/*
 * Starts argv (no shell). On error nothing is started and no cb is called.
 * A run longer than timeout_ms (0: no limit) is stopped, and errtext says
 * so.
 */
int nfdump_start(uv_loop_t *loop, char *const *argv, uint64_t timeout_ms,
    nfdump_line_cb line_cb, nfdump_done_cb done_cb, void *arg,
    struct nfdump **np);
void nfdump_resume(struct nfdump *n);
/*
 * Asks nfdump to stop early (SIGTERM, then SIGKILL if it is still there
 * after a grace); done_cb still follows.
 */
void nfdump_kill(struct nfdump *n);
/* Inside done_cb: whether it was stopped for running past timeout_ms. */
int nfdump_timed_out(const struct nfdump *n);
/* Marks every descriptor above stderr close-on-exec before a spawn. */
void nfdump_cloexec(void);
/*
 * Runs argv to completion, stdin and stderr /dev/null, with its stdout
 * (cut to outlen) in out if out is not NULL: the exit status (+ NFDUMP_SIGNALLED
 * when killed), -ETIMEDOUT when it ran longer than timeout_ms (it is
 * killed), or -errno.
 */
int nfdump_run_sync(char *const argv[], char *out, size_t outlen,
    int timeout_ms);
/* The same with stderr in out too, in the order nfdump wrote them. */
int nfdump_run_sync_all(char *const argv[], char *out, size_t outlen,
    int timeout_ms);

#endif
