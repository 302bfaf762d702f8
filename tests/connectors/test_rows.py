"""Finding row ends without parsing: newlines outside quoted fields, as Arrow reads them."""

from __future__ import annotations

import pytest

from connectors.files.rows import RowScanner, row_ends


@pytest.mark.parametrize(
    ("data", "ends"),
    [
        (b"a\nbb\n\nc", [2, 5, 6]),
        (b'1,"x\ny"\n2,z\n', [8, 12]),
        (b'1,"x""\ny"\n2\n', [10, 12]),  # an escaped quote does not close the field
        (b'1,5"\n2,"a\nb"\n', [5, 13]),  # a quote inside an unquoted field is a character
        (b'"a"b"\nc\n', [6, 8]),
        (b'1,"open\n', []),  # the quoted field is not closed yet
    ],
)
def test_row_ends(data: bytes, ends: list[int]) -> None:
    assert row_ends(data, '"').tolist() == ends


def test_without_quoting_every_newline_ends_a_row() -> None:
    assert row_ends(b'"a\n"\n').tolist() == [3, 5]


def test_the_scan_continues_as_the_buffer_grows() -> None:
    scanner = RowScanner(3, '"')
    assert scanner.scan(b'1,"a\n') is None
    assert scanner.scan(b'1,"a\nb"\n2\n') is None
    assert (scanner.rows, scanner.last_end) == (2, 10)
    assert scanner.scan(b'1,"a\nb"\n2\n3\n4\n') == 12
