"""Which columns of a batch are record fields, and how to reach a field by its dotted path.

A batch table carries the records' fields plus a few reserved columns that are not part of any
value: ``KEY_COLUMN`` and ``TOPIC_COLUMN`` (set by transforms, moved into the record's key and
destination by the runtime) and the runtime's own bookkeeping columns, whose names start with
``__hub_`` (row numbers, offsets). Built-in transforms never touch reserved columns and never
write them into JSON values.

A field path ``a.b`` names the column ``a.b`` if there is one (what ``flatten`` produces), else the
field ``b`` of the struct column ``a``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from hub.sdk import KEY_COLUMN, TOPIC_COLUMN

INTERNAL_PREFIX = "__hub_"
"""Columns named so belong to the runtime: transforms keep them, JSON never sees them."""

Path = tuple[str, ...]


def is_reserved(name: str) -> bool:
    """Whether column ``name`` is bookkeeping rather than a field of the records."""
    return name in (KEY_COLUMN, TOPIC_COLUMN) or name.startswith(INTERNAL_PREFIX)


def field_names(schema: pa.Schema | pa.Table) -> list[str]:
    """The record fields of a table or schema, in column order, reserved columns left out."""
    names = schema.names if isinstance(schema, pa.Schema) else schema.column_names
    return [name for name in names if not is_reserved(name)]


def resolve_path(schema: pa.Schema, path: str) -> Path | None:
    """The column and struct fields that ``path`` names, or ``None`` when it names nothing.

    A literal column name wins (``"a.b"`` after ``flatten``); otherwise the longest column name
    that prefixes the path is taken and the rest is looked up in its struct fields.
    """
    if path in schema.names:
        return (path,)
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        name = ".".join(parts[:split])
        if name not in schema.names:
            continue
        found = _inside(schema.field(name).type, parts[split:])
        if found is not None:
            return (name, *found)
    return None


def _inside(type_: pa.DataType, parts: Sequence[str]) -> Path | None:
    """Struct fields of ``type_`` that ``parts`` name, allowing dots inside field names."""
    if not parts:
        return ()
    if not pa.types.is_struct(type_):
        return None
    names = [type_.field(i).name for i in range(type_.num_fields)]
    for split in range(len(parts), 0, -1):
        name = ".".join(parts[:split])
        if name in names:
            rest = _inside(type_.field(name).type, parts[split:])
            if rest is not None:
                return (name, *rest)
    return None


def path_type(schema: pa.Schema, path: Path) -> pa.DataType:
    type_ = schema.field(path[0]).type
    for name in path[1:]:
        type_ = type_.field(name).type
    return type_


def get_path(table: pa.Table, path: Path) -> pa.ChunkedArray:
    """The values at ``path``: null where the field or any struct around it is null."""
    column = table.column(path[0])
    for name in path[1:]:
        column = pc.struct_field(column, [name])
    return column


def column_at(table: pa.Table, path: str) -> pa.ChunkedArray | None:
    """The values of field ``path`` (see ``resolve_path``); ``None`` if there is no such field."""
    resolved = resolve_path(table.schema, path)
    return None if resolved is None else get_path(table, resolved)


def set_path(table: pa.Table, path: Path, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    """``table`` with the field at ``path`` replaced by ``values`` (or added, as a column).

    Struct columns on the way are rebuilt around the new child; their nulls stay null.
    """
    name = path[0]
    if len(path) == 1:
        return _set_column(table, name, values)
    column = table.column(name).combine_chunks()
    return _set_column(table, name, _struct_with(column, path[1:], _combined(values)))


def drop_path(table: pa.Table, path: Path) -> pa.Table:
    """``table`` without the field at ``path`` (a column, or a field inside a struct column)."""
    name = path[0]
    if len(path) == 1:
        return table.drop_columns([name])
    column = table.column(name).combine_chunks()
    return _set_column(table, name, _struct_with(column, path[1:], None))


def _struct_with(struct: pa.StructArray, path: Path, values: pa.Array | None) -> pa.StructArray:
    """``struct`` with child ``path`` replaced by ``values``, or removed when ``values`` is None."""
    head, rest = path[0], path[1:]
    type_ = struct.type
    fields, children = [], []
    found = False
    for i in range(type_.num_fields):
        field = type_.field(i)
        child = struct.field(i)
        if field.name == head:
            found = True
            if rest:
                child = _struct_with(child, rest, values)
            elif values is None:
                continue
            else:
                child = values
            field = pa.field(field.name, child.type)
        fields.append(field)
        children.append(child)
    if not found and values is not None and not rest:
        fields.append(pa.field(head, values.type))
        children.append(values)
    mask = struct.is_null() if struct.null_count else None
    return pa.StructArray.from_arrays(children, fields=fields, mask=mask)


def _combined(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _set_column(table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    index = table.schema.get_field_index(name)
    if index < 0:
        return table.append_column(name, values)
    return table.set_column(index, name, values)
