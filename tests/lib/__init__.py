# SPDX-License-Identifier: BSD-2-Clause
"""The test harness, shared by the integration tests, the demo and the bench.

venv.sh puts this directory and tests/tools on the venv's import path (a
.pth file), so its modules are imported by name from anywhere:
kafka_broker (a real KRaft broker), collector (real nfcapd channels),
nfdump_ref (nfdump's own output), compare (record-by-record equality),
watermark (a topic's message count), wait (one wait-until helper), nflog
(nfkafka's log lines, parsed), procs (stopping a child).
"""
