"""A read-only ``LocalLog`` in a process of its own, driven by ``tests/log/test_readers.py``.

Usage: ``python reader_child.py DATA_DIR``. Reads one JSON request per line on stdin and answers
each with one JSON line on stdout: ``{"ok": result}`` or ``{"error": class name, "message": ...}``.
Values travel as hex.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from hub.errors import HubError
from hub.log import LocalLog
from hub.record import Record


def handle(log: LocalLog, request: dict[str, Any]) -> Any:
    op = request.pop("op")
    if op == "read":
        records = log.read(**request)
        return [[r.offset, None if r.value is None else r.value.hex()] for r in records]
    if op == "earliest":
        return log.earliest_offset(**request)
    if op == "latest":
        return log.latest_offset(**request)
    if op == "list":
        return log.list_topics()
    if op == "describe":
        description = log.describe_topic(**request)
        return [[p.earliest, p.latest, p.segments] for p in description.partitions]
    if op == "offset_for_time":
        return log.offset_for_time(**request)
    if op == "append":
        return log.append(request["topic"], [Record(b"from a reader")])
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    log = LocalLog(sys.argv[1], read_only=True)
    print(json.dumps({"ok": "ready"}), flush=True)
    for line in sys.stdin:
        try:
            reply = {"ok": handle(log, json.loads(line))}
        except HubError as exc:
            reply = {"error": type(exc).__name__, "message": str(exc)}
        print(json.dumps(reply), flush=True)
    log.close()


if __name__ == "__main__":
    main()
