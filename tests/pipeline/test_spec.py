"""The typed pipeline objects: immutable, slotted, with the documented defaults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import hub.pipeline
from hub.pipeline import (
    BatchPolicy,
    ErrorPolicy,
    PipelineSpec,
    Schedule,
    SinkSpec,
    SourceSpec,
    TransformSpec,
)
from hub.pipeline.spec import group_name


def test_public_names_are_sorted_and_exist() -> None:
    assert hub.pipeline.__all__ == sorted(hub.pipeline.__all__)
    for name in hub.pipeline.__all__:
        assert hasattr(hub.pipeline, name), name


@pytest.mark.parametrize(
    "spec",
    [
        Schedule(every_ms=1000),
        ErrorPolicy(),
        BatchPolicy(),
        TransformSpec("rename"),
        SourceSpec("in", "file", "orders"),
        SinkSpec("out", "file", ("orders",), group="p.out"),
        PipelineSpec("p", Path("p.yaml")),
    ],
)
def test_specs_are_frozen_and_slotted(spec: object) -> None:
    assert not hasattr(spec, "__dict__")
    field = dataclasses.fields(spec)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(spec, field, None)


def test_error_policy_defaults_stop_on_failure_and_retry_for_five_minutes() -> None:
    policy = ErrorPolicy()
    assert policy.tolerance == "none"
    assert policy.dead_letter_topic is None
    assert policy.retry_timeout_ms == 5 * 60_000
    assert policy.max_backoff_ms == 30_000


def test_batch_policy_defaults() -> None:
    assert BatchPolicy() == BatchPolicy(max_records=5000, max_bytes=4 << 20, linger_ms=200)


def test_source_defaults_run_one_continuous_task() -> None:
    source = SourceSpec("in", "file", "orders")
    assert source.schedule is None
    assert source.tasks == 1
    assert source.key is None
    assert source.transforms == ()


def test_a_sink_needs_its_group_by_keyword() -> None:
    with pytest.raises(TypeError):
        SinkSpec("out", "file", ("orders",))  # type: ignore[call-arg]
    assert SinkSpec("out", "file", ("orders",), group="p.out").group == "p.out"


def test_group_of_a_sink_is_pipeline_dot_sink() -> None:
    assert group_name("orders", "to-files") == "orders.to-files"


def test_configs_stay_out_of_repr_because_they_hold_secrets() -> None:
    config = {"password": "s3cr3t-value"}
    transform = TransformSpec("mask", config)
    source = SourceSpec("in", "file", "orders", config=config, transforms=(transform,))
    sink = SinkSpec("out", "file", ("orders",), config=config, group="p.out")
    for spec in (source, sink, PipelineSpec("p", Path("p.yaml"), sources=(source,), sinks=(sink,))):
        assert "s3cr3t-value" not in repr(spec)
