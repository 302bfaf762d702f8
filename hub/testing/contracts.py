"""The contract kit: pytest classes a connector author subclasses to check a connector.

Like singer_sdk's ``get_tap_test_class``, one subclass with a couple of fixtures runs the whole
battery against your connector::

    from hub.testing import SourceContract

    class TestCounterSource(SourceContract):
        source_class = CounterSource

        @pytest.fixture
        def config(self):
            return {"count": 25, "batch_size": 10}

        @pytest.fixture
        def bad_config(self):
            return {"batch_size": 10}  # no count: the ConfigError must name it

Every kind needs ``config`` (a valid config; use ``tmp_path`` and friends freely) and
``bad_config`` (one the connector must refuse, or ``None`` if every config is valid). The field(s)
the ``ConfigError`` must name default to the required fields missing from ``bad_config``;
override ``bad_config_fields`` otherwise. A sink test also implements ``read_back(config)``:
every record the sink made durable, in any order. Override ``comparable(row)`` to compare
records in a normalized form (drop a timestamp, parse a CSV's strings).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pytest

from hub.connector_config import validate_config
from hub.plugins import Kind, load_config_schema
from hub.sdk import Sink, Source, Transform
from hub.testing import checks


class _ConnectorContract:
    kind: ClassVar[Kind]

    def connector(self) -> type:
        """The class under test (``source_class``, ``sink_class`` or ``transform_class``)."""
        cls = getattr(self, f"{self.kind}_class", None)
        if cls is None:
            pytest.fail(f"{type(self).__name__}: set {self.kind}_class to the class under test")
        return cls

    def comparable(self, row: Any) -> Any:
        """A record in the form records are compared in; the record itself by default."""
        return row

    @pytest.fixture
    def config(self) -> Mapping[str, Any]:
        pytest.fail(f"{type(self).__name__}: define a `config` fixture returning a valid config")

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any] | None:
        pytest.fail(
            f"{type(self).__name__}: define a `bad_config` fixture returning a config the "
            "connector must refuse (e.g. without a required field), or None"
        )

    @pytest.fixture
    def bad_config_fields(self, bad_config: Mapping[str, Any] | None) -> Sequence[str]:
        """The required fields ``bad_config`` lacks: its ``ConfigError`` must name each."""
        required = load_config_schema(self.connector()).get("required", [])
        missing = [name for name in required if name not in (bad_config or {})]
        if bad_config is not None and not missing:
            pytest.fail(
                f"{type(self).__name__}: bad_config lacks no required field; define a "
                "`bad_config_fields` fixture listing the field(s) its ConfigError must name"
            )
        return missing

    def test_declares_type_description_and_config_schema(self) -> None:
        checks.check_declaration(self.connector(), self.kind)

    def test_accepts_the_config(self, config: Mapping[str, Any]) -> None:
        validate_config(self.connector(), config)

    def test_rejects_a_bad_config_naming_the_field(
        self, bad_config: Mapping[str, Any] | None, bad_config_fields: Sequence[str]
    ) -> None:
        if bad_config is None:
            pytest.skip("the connector accepts every config")
        checks.check_rejects(self.connector(), self.kind, bad_config, bad_config_fields)


class SourceContract(_ConnectorContract):
    """Checks a ``Source``: set ``source_class``; fixtures ``config`` and ``bad_config``.

    The config should make the source read a few batches (say 3 to 10) and then be caught up.
    """

    kind: ClassVar[Kind] = "source"
    source_class: ClassVar[type[Source]]
    max_polls: ClassVar[int] = checks.MAX_POLLS
    """A source that has not returned ``None`` after this many polls fails the kit."""
    tasks: ClassVar[int] = 2

    def test_polls_until_caught_up(self, config: Mapping[str, Any]) -> None:
        polled = checks.poll_all(self.connector(), config, max_polls=self.max_polls)
        assert any(p.rows for p in polled), "the source read no records from the config"

    def test_resumes_from_checkpointed_offsets(self, config: Mapping[str, Any]) -> None:
        if not getattr(self.connector(), "replayable", False):
            pytest.skip("not replayable: it cannot read the same records again")
        checks.check_source_resumes(
            self.connector(), config, comparable=self.comparable, max_polls=self.max_polls
        )

    def test_tasks_split_the_work(self, config: Mapping[str, Any]) -> None:
        if not getattr(self.connector(), "replayable", False):
            pytest.skip("not replayable: separate runs cannot be compared")
        checks.check_source_tasks(
            self.connector(),
            config,
            tasks=self.tasks,
            comparable=self.comparable,
            max_polls=self.max_polls,
        )


class SinkContract(_ConnectorContract):
    """Checks a ``Sink``: set ``sink_class``; fixtures ``config`` and ``bad_config``; implement
    ``read_back``. Override the ``records`` fixture to send records of your own."""

    kind: ClassVar[Kind] = "sink"
    sink_class: ClassVar[type[Sink]]
    partitions: ClassVar[int] = 2
    batch_size: ClassVar[int] = 7

    def read_back(self, config: Mapping[str, Any]) -> Sequence[Any]:
        """Every record the sink made durable under ``config``, in any order."""
        raise NotImplementedError(
            f"{type(self).__name__}: implement read_back(config) returning what the sink wrote"
        )

    @pytest.fixture
    def records(self) -> Sequence[Any]:
        """What the kit writes: at least 6 batches' worth."""
        return [
            {"id": i, "name": f"record {i}", "price": i * 1.25, "active": i % 3 == 0}
            for i in range(40)
        ]

    def test_writes_every_record_once(
        self, config: Mapping[str, Any], records: Sequence[Any]
    ) -> None:
        checks.check_sink_writes_everything(
            self.connector(),
            config,
            records,
            self.read_back,
            comparable=self.comparable,
            partitions=self.partitions,
            batch_size=self.batch_size,
        )

    @pytest.mark.parametrize("flushed_batches", [0, 3])
    def test_killed_mid_batch_resumes_losing_nothing(
        self, config: Mapping[str, Any], records: Sequence[Any], flushed_batches: int
    ) -> None:
        checks.check_sink_survives_crash(
            self.connector(),
            config,
            records,
            self.read_back,
            flushed_batches=flushed_batches,
            comparable=self.comparable,
            partitions=self.partitions,
            batch_size=self.batch_size,
        )


class TransformContract(_ConnectorContract):
    """Checks a ``Transform``: set ``transform_class``; fixtures ``config``, ``bad_config``,
    ``records`` (input rows) and ``expected`` (what ``apply`` must make of them)."""

    kind: ClassVar[Kind] = "transform"
    transform_class: ClassVar[type[Transform]]

    @pytest.fixture
    def records(self) -> Sequence[Mapping[str, Any]]:
        pytest.fail(f"{type(self).__name__}: define a `records` fixture: the input rows")

    @pytest.fixture
    def expected(self) -> Sequence[Mapping[str, Any]]:
        pytest.fail(f"{type(self).__name__}: define an `expected` fixture: the output rows")

    def test_applies_to_a_table(
        self,
        config: Mapping[str, Any],
        records: Sequence[Mapping[str, Any]],
        expected: Sequence[Mapping[str, Any]],
    ) -> None:
        checks.check_transform(self.connector(), config, records, expected)
