"""The wire format in pipelines: framing values on the way in, unframing them for sinks."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hub.arrow import ValueArray
from hub.pipeline.value_schemas import frame, unframe
from hub.registry import Registry, wire
from hub.sdk import SinkBatch
from hub.store import Store

PERSON = {"type": "object", "properties": {"name": {"type": "string"}}}
NUMBER = {"type": "number"}


@pytest.fixture
def registry(sqlite_store: Store) -> Registry:
    return Registry(sqlite_store)


def sink_batch(values: list[bytes | None], form: str = "list") -> SinkBatch:
    """A batch whose values are a list, or an Arrow array as the log decodes large batches."""
    count = len(values)
    held = values if form == "list" else ValueArray(pa.array(values, pa.binary()))
    return SinkBatch("t", 0, list(range(count)), [0] * count, [None] * count, held, [()] * count)


FORMS = pytest.mark.parametrize("form", ["list", "array"])


@FORMS
def test_frame_prefixes_every_value_of_a_bound_topic(form: str) -> None:
    prefix = wire.header(7)
    values = sink_batch([b"1", b"2"], form).values

    assert frame(values, None, "t", {"t": prefix}) == [prefix + b"1", prefix + b"2"]
    assert frame(values, None, "t", {}) == [b"1", b"2"]


def test_frame_leaves_values_routed_to_unbound_topics_plain() -> None:
    prefix = wire.header(7)

    framed = frame([b"1", b"2", b"3"], ["t", "u", "t"], "t", {"t": prefix})

    assert framed == [prefix + b"1", b"2", prefix + b"3"]


@FORMS
def test_a_plain_batch_passes_through_unchanged(registry: Registry, form: str) -> None:
    batch = sink_batch([b'{"a":1}', None, b'{"a":2}'], form)

    assert unframe(batch, registry) == [batch]


@FORMS
def test_framed_values_lose_their_prefix_and_bring_their_schema(
    registry: Registry, form: str
) -> None:
    schema_id = registry.register("t-value", PERSON)
    prefix = wire.header(schema_id)

    [run] = unframe(sink_batch([prefix + b'{"name":"ada"}', None, prefix + b"{}"], form), registry)

    assert list(run.values) == [b'{"name":"ada"}', None, b"{}"]
    assert run.schema == PERSON
    assert list(run.offsets) == [0, 1, 2]


@FORMS
def test_only_the_prefix_is_cut_from_equal_values(registry: Registry, form: str) -> None:
    prefix = wire.header(registry.register("t-value", PERSON))

    [run] = unframe(sink_batch([prefix + b'{"name":"ada"}'] * 3, form), registry)

    assert list(run.values) == [b'{"name":"ada"}'] * 3
    assert run.schema == PERSON


@FORMS
def test_a_batch_is_split_where_the_schema_changes(registry: Registry, form: str) -> None:
    first = registry.register("a", PERSON)
    second = registry.register("b", NUMBER)
    values = [wire.header(first) + b"{}", wire.header(second) + b"1", wire.header(second) + b"2"]

    runs = unframe(sink_batch(values, form), registry)

    assert [(list(r.offsets), r.schema) for r in runs] == [([0], PERSON), ([1, 2], NUMBER)]
    assert [list(r.values) for r in runs] == [[b"{}"], [b"1", b"2"]]


def test_wire_header_round_trips_the_id() -> None:
    value = wire.header(123456) + b"{}"

    assert wire.schema_id_of(value) == 123456
    assert wire.unframe(value) == b"{}"
    assert wire.schema_id_of(b"{}") is None
    assert wire.unframe(b"{}") == b"{}"
    with pytest.raises(ValueError, match="4 bytes"):
        wire.header(1 << 32)


def test_a_schema_the_source_declares_is_registered_instead_of_an_inferred_one(
    registry: Registry,
) -> None:
    import pyarrow as pa

    from hub.pipeline.spec import TopicSchema
    from hub.pipeline.value_schemas import SourceSchemas

    declared = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}},
        "required": ["id"],
    }
    schemas = SourceSchemas(registry, {"t": TopicSchema("t-value")}, "source 'db'")
    table = pa.table({"id": [1, 2], "name": ["ada", None]})

    checked = schemas.check(table, None, "t", declared)

    latest = registry.version("t-value")
    assert latest.parsed() == declared
    assert checked.prefixes == {"t": wire.header(latest.id)}
    assert checked.rejected == {}
    assert schemas.check(table, None, "t", declared).prefixes == checked.prefixes
    assert registry.versions("t-value") == [1]
