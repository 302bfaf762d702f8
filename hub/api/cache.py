"""Repeated lookups answered from memory, before routing.

Serializers ask the same few questions again and again: the schema of an id, the version of a
subject holding a schema, a subject's latest version. Answering them through FastAPI, a thread
hop and a store query costs about a millisecond; answering a repeat from memory costs a tenth
of that. What is kept:

- schemas by id (``GET /schemas/ids/{id}``, ``.../schema``), for good: an id never changes
  its schema and schemas are never deleted;
- versions (``GET /subjects/{s}/versions/{v}``, ``.../schema``) and lookups (``POST
  /subjects/{s}``), for ``ttl`` seconds, and forgotten on every write this server takes.

So a reader of this server sees its writes at once, and writes made by another process on the
same store (``hub run`` registering a schema) within ``ttl``: the freshness Confluent's own
clients settle for, as they cache these answers themselves. Only 200 answers are kept; an
unknown subject or schema is asked again every time.
"""

from __future__ import annotations

import re
import time
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BYTES = 64 << 20  # per kind of entry; past it, everything is dropped and refilled

_BY_ID = re.compile(r"/schemas/ids/\d+(/schema)?")
_VERSION = re.compile(r"/subjects/[^/]+/versions/[^/]+(/schema)?")
_LOOKUP = re.compile(r"/subjects/[^/]+")
_READS = frozenset({"GET", "HEAD", "OPTIONS"})

Answer = tuple[list[Any], bytes]  # response headers, body


class LookupCache:
    """Pure ASGI middleware: see the module's docstring for what it keeps and for how long."""

    def __init__(self, app: ASGIApp, *, ttl: float = 1.0) -> None:
        self.app = app
        self.ttl = ttl
        self._fixed = _Entries()  # key -> answer
        self._recent = _Entries()  # key -> (expiry, answer)
        self._generation = 0  # changes when a write starts or ends

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        fixed = method == "GET" and _BY_ID.fullmatch(path) is not None
        recent = self.ttl > 0 and (
            (method == "GET" and _VERSION.fullmatch(path) is not None)
            or (method == "POST" and _LOOKUP.fullmatch(path) is not None)
        )
        if fixed or recent:
            await self._cached(scope, receive, send, fixed=fixed)
        elif method in _READS or path.startswith("/compatibility/"):
            await self.app(scope, receive, send)
        else:
            await self._write(scope, receive, send)

    async def _cached(self, scope: Scope, receive: Receive, send: Send, *, fixed: bool) -> None:
        body = b""
        if scope["method"] == "POST":
            body = await _read_body(receive)
            receive = _replay(body, receive)
        key = b"\0".join(
            (scope["path"].encode(), scope["query_string"], _header(scope, b"content-type"), body)
        )
        now = time.monotonic()
        found = self._fixed.get(key) if fixed else self._fresh(key, now)
        if found is not None:
            await _send_answer(send, found)
            return
        generation = self._generation
        answer = await _capture(self.app, scope, receive, send)
        if answer is None or generation != self._generation:
            return  # not a 200, or a write may have changed it meanwhile
        if fixed:
            self._fixed.put(key, answer, len(answer[1]))
        else:
            self._recent.put(key, (now + self.ttl, answer), len(answer[1]))

    def _fresh(self, key: bytes, now: float) -> Answer | None:
        entry = self._recent.get(key)
        if entry is None or entry[0] < now:
            return None
        answer: Answer = entry[1]
        return answer

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._forget()
        try:
            await self.app(scope, receive, send)
        finally:
            self._forget()

    def _forget(self) -> None:
        self._generation += 1
        self._recent.clear()


class _Entries:
    """A dict that drops everything once its values pass ``MAX_BYTES``."""

    def __init__(self) -> None:
        self._entries: MutableMapping[bytes, Any] = {}
        self._bytes = 0

    def get(self, key: bytes) -> Any:
        return self._entries.get(key)

    def put(self, key: bytes, value: Any, size: int) -> None:
        if self._bytes + size > MAX_BYTES:
            self.clear()
        self._entries[key] = value
        self._bytes += size

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0


async def _capture(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> Answer | None:
    """Run ``app``, passing its answer on; return it too if it is a 200."""
    headers: list[Any] = []
    chunks: list[bytes] = []
    status = 0

    async def keep(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.extend(message.get("headers", ()))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    await app(scope, receive, keep)
    return (headers, b"".join(chunks)) if status == 200 else None


async def _send_answer(send: Send, answer: Answer) -> None:
    headers, body = answer
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then the server's messages
    (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""
