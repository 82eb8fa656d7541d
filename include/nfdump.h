#ifndef NFKAFKA_NFDUMP_H
#define NFKAFKA_NFDUMP_H

#include <stddef.h>
#include <uv.h>

struct nfdump;

/*
 * Called for each line of nfdump's stdout, without its newline. Return 0
 * when the line is consumed, or 1 to pause: the same line is offered again
 * after nfdump_resume().
 */
typedef int (*nfdump_line_cb)(void *arg, const char *line, size_t len);
/*
 * Called once nfdump has exited and both of its output streams are closed.
 * status is the exit status, or 128 + signal; errtext holds the start of
 * what nfdump wrote to stderr ("" when nothing).
 */
typedef void (*nfdump_done_cb)(void *arg, int status, const char *errtext);

/* Starts argv (no shell). On error nothing is started and no cb is called. */
int nfdump_start(uv_loop_t *loop, char *const *argv, nfdump_line_cb line_cb,
    nfdump_done_cb done_cb, void *arg, struct nfdump **np);
void nfdump_resume(struct nfdump *n);
/* Asks nfdump to stop early; done_cb still follows. */
void nfdump_kill(struct nfdump *n);

#endif
