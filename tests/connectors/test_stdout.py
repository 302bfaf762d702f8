"""The ``stdout`` sink, driven through open/write/flush/close."""

from __future__ import annotations

import io
import sys

import orjson
import pytest

from connectors.stdout import StdoutSink
from hub.sdk import SinkBatch
from tests.connectors.drive import sink_batch, sink_context


def test_values_are_printed_one_per_line(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    sink = StdoutSink()
    sink.open({}, sink_context())
    sink.write(
        SinkBatch("t", 0, [0, 1, 2], [0] * 3, [None] * 3, [b'{"a":1}', None, b"2"], [()] * 3)
    )
    sink.flush()
    sink.close()
    assert capsysbinary.readouterr().out == b'{"a":1}\nnull\n2\n'


def test_full_format_shows_where_each_record_comes_from(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    sink = StdoutSink()
    sink.open({"format": "full"}, sink_context())
    batch = SinkBatch(
        "orders", 2, [7, 8], [1000, 2000], [b"k1", None], [b'{"a":1}', b"not json"],
        [(("h", b"v"),), ()],
    )  # fmt: skip
    sink.write(batch)
    sink.flush()
    printed = [orjson.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert printed == [
        {
            "topic": "orders",
            "partition": 2,
            "offset": 7,
            "timestamp": 1000,
            "key": "k1",
            "headers": {"h": "v"},
            "value": {"a": 1},
        },
        {
            "topic": "orders",
            "partition": 2,
            "offset": 8,
            "timestamp": 2000,
            "key": None,
            "headers": {},
            "value": "not json",
        },
    ]


def test_a_text_only_stdout_still_gets_the_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    text = io.StringIO()
    monkeypatch.setattr(sys, "stdout", text)
    sink = StdoutSink()
    sink.open({}, sink_context())
    sink.write(sink_batch([0], [b'{"a":"\xc3\xa9"}']))
    sink.flush()
    assert text.getvalue() == '{"a":"é"}\n'
