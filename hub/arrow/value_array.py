"""Record values held in one Arrow binary array, seen as a ``Sequence[bytes | None]``.

The hot path never makes a Python object per value: a source's JSON rows are assembled by Arrow
kernels into one array, encoded into the log by array arithmetic, decoded from it the same way,
and joined into lines or parsed into a table in bulk. Code that wants Python values (a
third-party sink, a dead letter) indexes or iterates as it would a list, and pays for the
conversion once; code that works in bulk takes ``.array``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NOTHING = pa.scalar(b"", pa.binary())
_INT32_MAX = 2**31 - 1
_SCALAR_LOOKUPS = 16


class ValueArray(Sequence[bytes | None]):
    """Values (``None`` for a null) backed by a binary Arrow array."""

    __slots__ = ("_lookups", "_values", "array")

    def __init__(self, array: pa.Array | pa.ChunkedArray) -> None:
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array.type != pa.binary():
            array = array.cast(pa.binary())
        self.array: pa.Array = array
        self._values: list[bytes | None] | None = None
        self._lookups = 0

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> bytes | None: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes | None]: ...

    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes | None] | None:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self.array))
            if step == 1:
                return ValueArray(self.array.slice(start, max(stop - start, 0)))
            return self.to_list()[index]
        if self._values is None and self._lookups < _SCALAR_LOOKUPS:
            # A look at the first or last value should not convert them all; a loop over
            # indexes soon does, once.
            self._lookups += 1
            value: bytes | None = self.array[index].as_py()
            return value
        return self.to_list()[index]

    def __iter__(self) -> Iterator[bytes | None]:
        return iter(self.to_list())

    def __contains__(self, value: object) -> bool:
        if value is None:
            return self.array.null_count > 0
        return value in self.to_list()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ValueArray):
            return self.array.equals(other.array)
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return self.to_list() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like a list

    def __repr__(self) -> str:
        return f"ValueArray({self.to_list()!r})"

    def to_list(self) -> list[bytes | None]:
        """The values as Python ``bytes``, converted once."""
        if self._values is None:
            self._values = self.array.to_pylist()
        return self._values

    def take(self, rows: Sequence[int]) -> ValueArray:
        return ValueArray(self.array.take(pa.array(rows, pa.int64())))

    def prefixed(self, prefix: bytes) -> ValueArray:
        """Each value with ``prefix`` in front (nulls stay null)."""
        return ValueArray(
            pc.binary_join_element_wise(pa.scalar(prefix, pa.binary()), self.array, _NOTHING)
        )

    def without_prefix(self, prefix: bytes) -> ValueArray | None:
        """Each value with ``prefix`` cut off; ``None`` unless every value starts with it."""
        if self.array.null_count or not len(self.array):
            return None
        heads = pc.binary_slice(self.array, 0, len(prefix))
        if not pc.all(pc.equal(heads, pa.scalar(prefix, pa.binary()))).as_py():
            return None
        # An explicit stop: pyarrow 26 miscomputes the output size of an open-ended slice.
        return ValueArray(pc.binary_slice(self.array, len(prefix), _INT32_MAX))

    def sizes(self) -> np.ndarray:
        """Each value's length in bytes (0 for a null)."""
        return value_sizes(self.array)

    def join(self, separator: bytes, *, end: bytes = b"") -> bytes:
        """The non-null values with ``separator`` between them and ``end`` after the last,
        as ``separator.join(values) + end`` would give, assembled by Arrow."""
        array = self.array.drop_null() if self.array.null_count else self.array
        if len(array) == 0:
            return b""
        joined = pc.binary_join_element_wise(array, pa.scalar(separator, pa.binary()), _NOTHING)
        data = array_bytes(joined)
        return data[: len(data) - len(separator)] + end if separator != end else data


def value_sizes(array: pa.Array) -> np.ndarray:
    """Each value's length in bytes (int64; 0 for a null) of a binary or string array, read off
    its offsets."""
    large = array.type in (pa.large_binary(), pa.large_string())
    offsets: np.ndarray = np.frombuffer(array.buffers()[1], np.int64 if large else np.int32)
    return np.diff(offsets[array.offset : array.offset + len(array) + 1]).astype(np.int64)


def array_bytes(array: pa.Array) -> bytes:
    """The bytes of every value of a binary array, end to end."""
    offsets = np.frombuffer(array.buffers()[1], np.int32)
    first, last = int(offsets[array.offset]), int(offsets[array.offset + len(array)])
    return array.buffers()[2][first:last].to_pybytes()


def present_values(values: Sequence[bytes | None]) -> Sequence[bytes]:
    """The non-null values, in order (a ``ValueArray`` stays one)."""
    if isinstance(values, ValueArray):
        present = values if not values.array.null_count else ValueArray(values.array.drop_null())
        return cast("Sequence[bytes]", present)
    return [v for v in values if v is not None]


def join_values(values: Sequence[bytes], separator: bytes, *, end: bytes = b"") -> bytes:
    """``separator.join(values) + end``, in bulk when the values are a ``ValueArray``."""
    if isinstance(values, ValueArray):
        return values.join(separator, end=end)
    return separator.join(values) + end
