# SPDX-License-Identifier: BSD-2-Clause
"""Hostile clients of --metrics: idle connections never lock out the
health check."""
import socket
import time

from errcheck import channels, profile


def test_slowloris_does_not_lock_out_health(profile, tmp_path, daemons):
    """70 idle connections to --metrics, then /health: answered at once,
    not refused, and not only after the 10 s idle timeout."""
    import urllib.error
    import urllib.request
    from kafka_broker import free_port
    base, _rel = profile
    port = free_port()
    d = daemons(['-b', '127.0.0.1:9', '-M', channels(base),
                 '--metrics', '127.0.0.1:%d' % port])
    d.wait_log('watching', timeout=60)
    idle = []
    try:
        for _ in range(70):
            idle.append(socket.create_connection(('127.0.0.1', port),
                                                 timeout=5))
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d/health' % port,
                                        timeout=8) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code   # 503: no broker; an answer all the same
        assert status in (200, 503)
        assert time.monotonic() - t0 < 8
    finally:
        for s in idle:
            s.close()
    assert 'closing the oldest idle' in d.text()
    assert d.stop() == 0
