# SPDX-License-Identifier: BSD-2-Clause
"""One way to wait for a condition: poll it until it holds, or fail with
what was awaited and what was seen once a generous deadline has passed.
Never a fixed sleep: the wait ends as soon as the condition holds, so a
busy machine only makes it slower, not wrong."""
import time


def wait_until(cond, timeout, what, interval=0.05, proc=None):
    """Poll cond() until it returns something true, and return that.

    timeout: seconds. what: a string, or a callable giving one, evaluated
    only on failure so that it can show the latest state. proc: a Popen
    whose exit ends the wait early (its exit status is in the message).
    Raises TimeoutError (an OSError; pytest shows its message)."""
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        exited = proc is not None and proc.poll() is not None
        if exited or time.monotonic() > deadline:
            why = 'exited %s' % proc.returncode if exited else \
                'not within %.0f s' % timeout
            raise TimeoutError('%s: %s' % (why, what() if callable(what)
                                             else what))
        time.sleep(interval)
