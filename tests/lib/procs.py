# SPDX-License-Identifier: BSD-2-Clause
"""Stopping a child process of the harness, bounded in time."""
import signal
import subprocess


def stop_process(proc, timeout=30):
    """SIGTERM (and SIGCONT: a SIGSTOPped child must wake to exit), then
    SIGKILL if it is still there after timeout seconds; waits for it."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGCONT)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
