"""Pipeline files to specs: every problem reported at once, each with file, line and YAML path."""

from __future__ import annotations

import json
import logging
import sys
import textwrap
import types
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

import hub.plugins
import schemas
from hub import secrets
from hub.errors import ConfigError, PluginError
from hub.log.config import TopicConfig
from hub.pipeline import (
    BatchPolicy,
    ErrorPolicy,
    Schedule,
    TransformSpec,
    check_pipelines,
    load_pipeline,
    load_pipelines,
)
from hub.pipeline.spec import TopicSchema
from tests.pipeline.fake_plugins import BrokenPlugin, fake_registry

REGISTRY = fake_registry()

EXAMPLE = """\
pipeline: orders
topics:
  orders: {partitions: 4, retention: 7d}
sources:
  - name: orders-csv
    type: file
    topic: orders
    key: id
    schedule: {every: 30s}
    tasks: 2
    config: {path: data/orders/*.csv, format: csv}
    transforms:
      - {type: rename, fields: {a: b}, when: "amount > 10"}
      - type: drop
        fields: [internal]
    errors: {tolerance: all, dead_letter_topic: orders.dlq}
    batch: {max_records: 1000, max_bytes: 1MiB, linger: 50ms}
sinks:
  - name: orders-out
    type: file
    topics: [orders]
    config: {path: out/orders, format: jsonl}
    batch: {max_records: 5000, max_bytes: 4MiB, linger: 200ms}
    errors: {tolerance: none, retry_timeout: 1m, max_backoff: 5s}
"""


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    yield
    secrets.clear()


@pytest.fixture(autouse=True)
def _any_condition_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Conditions belong to ``hub.expressions``; these tests only need ``when`` to get there."""
    fake = types.ModuleType("hub.expressions")
    fake.compile_condition = lambda text: text  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hub.expressions", fake)


def write(directory: Path, text: str, name: str = "pipeline.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def problems_of(
    directory: Path, text: str, environ: Mapping[str, str] | None = None
) -> tuple[Path, list[str]]:
    path = write(directory, text)
    (result,) = check_pipelines([path], registry=REGISTRY, environ=environ or {})
    assert result.spec is None, "expected problems, the file is valid"
    return path, list(result.problems)


def problem_at(problems: list[str], file: Path, line: int, path: str) -> str:
    """The one problem at ``file:line: path:``; fails listing them all otherwise."""
    prefix = f"{file}:{line}: {path}: " if path else f"{file}:{line}: "
    found = [p for p in problems if p.startswith(prefix)]
    assert len(found) == 1, f"no single problem at {prefix!r} in:\n" + "\n".join(problems)
    return found[0]


# -- a valid file ----------------------------------------------------------------------------------
def test_the_example_pipeline_becomes_typed_specs(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    spec = load_pipeline(path, registry=REGISTRY)
    assert spec.name == "orders"
    assert spec.path == path
    assert spec.topics == {"orders": TopicConfig(partitions=4, retention_ms=7 * 86_400_000)}
    (source,) = spec.sources
    assert (source.name, source.type, source.topic, source.key) == (
        "orders-csv",
        "file",
        "orders",
        "id",
    )
    assert source.schedule == Schedule(every_ms=30_000)
    assert source.tasks == 2
    assert source.config == {"path": "data/orders/*.csv", "format": "csv"}
    assert source.transforms == (
        TransformSpec(
            "rename", {"fields": {"a": "b"}}, "amount > 10", f"{path}:13: sources[0].transforms[0]"
        ),
        TransformSpec(
            "drop", {"fields": ["internal"]}, None, f"{path}:14: sources[0].transforms[1]"
        ),
    )
    assert source.errors == ErrorPolicy("all", "orders.dlq")
    assert source.batch == BatchPolicy(max_records=1000, max_bytes=1 << 20, linger_ms=50)
    (sink,) = spec.sinks
    assert (sink.name, sink.type, sink.topics, sink.tasks) == ("orders-out", "file", ("orders",), 1)
    assert sink.group == "orders.orders-out"
    assert sink.errors == ErrorPolicy("none", None, retry_timeout_ms=60_000, max_backoff_ms=5_000)
    assert sink.batch == BatchPolicy()


def test_optional_sections_take_their_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pipeline: minimal
        sinks:
          - {name: out, type: stdout, topics: [a, b]}
        """,
    )
    spec = load_pipeline(path, registry=REGISTRY)
    assert spec.topics == {}
    assert spec.sources == ()
    (sink,) = spec.sinks
    assert sink.config == {}
    assert sink.errors == ErrorPolicy()
    assert sink.batch == BatchPolicy()
    assert sink.transforms == ()


def test_cron_schedule_and_bare_millisecond_durations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pipeline: p
        sources:
          - {name: a, type: generate, topic: t, schedule: {cron: "*/5 * * * *"}}
          - {name: b, type: generate, topic: t, schedule: {every: 1500}, batch: {linger: 0}}
        """,
    )
    a, b = load_pipeline(path, registry=REGISTRY).sources
    assert a.schedule == Schedule(cron="*/5 * * * *")
    assert b.schedule == Schedule(every_ms=1500)
    assert b.batch.linger_ms == 0


def test_anchors_aliases_and_merge_keys_work(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pipeline: p
        sources:
          - &base {name: a, type: generate, topic: t, batch: &batch {max_records: 10}}
          - <<: *base
            name: b
            batch: *batch
        """,
    )
    a, b = load_pipeline(path, registry=REGISTRY).sources
    assert (a.name, b.name) == ("a", "b")
    assert b.batch.max_records == a.batch.max_records == 10


def test_dates_stay_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pipeline: p
        sources:
          - {name: a, type: file, topic: t, config: {path: x, since: 2024-01-31}}
        """,
    )
    (source,) = load_pipeline(path, registry=REGISTRY).sources
    assert source.config["since"] == "2024-01-31"


def test_the_installed_plugins_are_used_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub.plugins, "registry", lambda: REGISTRY)
    assert load_pipeline(write(tmp_path, EXAMPLE)).name == "orders"


def test_plugins_that_fail_to_import_are_a_plugin_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> hub.plugins.Registry:
        raise ModuleNotFoundError("No module named 'connectors.files.plugin'")

    monkeypatch.setattr(hub.plugins, "registry", broken)
    with pytest.raises(PluginError, match=r"connectors\.files\.plugin"):
        load_pipeline(write(tmp_path, EXAMPLE))


# -- YAML itself -----------------------------------------------------------------------------------
def test_invalid_yaml_reports_line_and_column(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - name: a
            type: [file
        """,
    )
    (problem,) = problems
    assert problem.startswith(f"{file}:5: invalid YAML at column 1: ")


def test_unquoted_references_work_inside_flow_collections(tmp_path: Path) -> None:
    """YAML ends a plain scalar at a brace inside ``{...}``: references are hidden from it."""
    path = write(
        tmp_path,
        """\
        pipeline: p
        sources:
          - {name: a, type: file, topic: t, config: {path: ${env:DIR}/in, columns: [${env:COL}]}}
        """,
    )
    (source,) = load_pipeline(path, registry=REGISTRY, environ={"DIR": "/d", "COL": "id"}).sources
    assert source.config == {"path": "/d/in", "columns": ["id"]}


def test_columns_of_yaml_errors_count_references_as_written(tmp_path: Path) -> None:
    file, problems = problems_of(tmp_path, "pipeline: p\nx: {a: ${env:PW}, b: ]}\n")
    (problem,) = problems
    assert problem.startswith(f"{file}:2: invalid YAML at column 22: ")


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("", 1, "the file is empty"),
        ("# only a comment\n", 1, "the file is empty"),
        ("pipeline: a\n---\npipeline: b\n", 2, "expected a single document"),
        ("- pipeline: a\n", 1, "expected a mapping, got a list"),
        ("pipeline: a\nsinks: []\nbad: \x07\n", 3, "invalid YAML: special characters"),
    ],
)
def test_files_that_are_no_pipeline_at_all(
    tmp_path: Path, text: str, line: int, expected: str
) -> None:
    file, problems = problems_of(tmp_path, text)
    assert any(p.startswith(f"{file}:{line}: ") and expected in p for p in problems), problems


def test_duplicate_keys_are_errors_not_silently_overwritten(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sinks:
          - name: out
            type: stdout
            topics: [t]
            name: again
        """,
    )
    assert "duplicate key; it is already set on line 3" in problem_at(
        problems, file, 6, "sinks[0].name"
    )


def test_keys_yaml_reads_as_booleans_must_be_quoted(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sinks:
          - {name: out, type: stdout, topics: [t]}
        on: x
        """,
    )
    assert "YAML reads this key as true, not text; quote it: 'on'" in problem_at(
        problems, file, 4, "on"
    )


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "latin1.yaml").write_bytes(b"pipeline: caf\xe9\n")
    paths = [tmp_path / "missing.yaml", tmp_path / "dir.yaml", tmp_path / "latin1.yaml"]
    results = check_pipelines(paths, registry=REGISTRY)
    assert [r.problems for r in results] == [
        (f"{paths[0]}: no such file",),
        (f"{paths[1]}: is a directory; give a pipeline file",),
        (f"{paths[2]}: is not UTF-8 text (byte 13)",),
    ]


# -- the schema ------------------------------------------------------------------------------------
def test_unknown_keys_are_errors_everywhere_with_the_allowed_ones(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        piplines: x
        topics:
          t: {partitions: 1, retension: 7d}
        sources:
          - name: a
            type: generate
            topc: t
            topic: t
            schedule: {every: 1s, jitter: 1s}
            errors: {tolerance: none, retries: 3}
            batch: {max_records: 1, size: 1}
        sinks:
          - {name: b, type: stdout, topics: [t], group: x}
        """,
    )
    assert len(problems) == 7, problems
    top = problem_at(problems, file, 2, "piplines")
    assert "unknown key 'piplines' (did you mean 'pipeline'?); allowed keys: " in top
    assert "pipeline, sinks, sources, topics" in top
    assert "did you mean 'retention'?" in problem_at(problems, file, 4, "topics.t.retension")
    assert (
        "allowed keys: batch, config, errors, key, name, schedule, tasks, topic, transforms, type"
        in (problem_at(problems, file, 8, "sources[0].topc"))
    )
    assert "allowed keys: cron, every" in problem_at(
        problems, file, 10, "sources[0].schedule.jitter"
    )
    problem_at(problems, file, 11, "sources[0].errors.retries")
    assert "allowed keys: linger, max_bytes, max_records" in problem_at(
        problems, file, 12, "sources[0].batch.size"
    )
    problem_at(problems, file, 14, "sinks[0].group")


def test_missing_required_keys_say_what_they_are_for(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        sources:
          - name: a
            type: generate
        """,
    )
    assert "missing key 'pipeline'" in problem_at(problems, file, 1, "")
    assert "missing key 'topic' (the topic records go to)" in problem_at(
        problems, file, 2, "sources[0]"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tasks: two", "sources[0].tasks: expected a whole number, got 'two'"),
        ("tasks: 0", "sources[0].tasks: 0 is too small; it must be at least 1"),
        ("key: [a]", "sources[0].key: expected text, got a list"),
        ("key: ''", "sources[0].key: '' must be at least 1 character(s) long"),
        ("schedule: {every: 1s, at: 1s}", "sources[0].schedule.at: unknown key 'at'"),
        (
            "schedule: {every: soon}",
            "sources[0].schedule.every: 'soon' is not valid; expected a duration",
        ),
        ("schedule: {}", "sources[0].schedule: give exactly one of: cron, every"),
        ("schedule: {every: 1s, cron: '* * * * *'}", "give exactly one of: cron, every"),
        ("errors: {tolerance: some}", "'some' is not allowed; allowed: 'none', 'all'"),
        ("batch: {max_bytes: 4 megs}", "'4 megs' is not valid; expected a size such as 512B"),
        (
            "batch: {linger: 1 year}",
            "sources[0].batch.linger: '1 year' is not valid; expected a duration",
        ),
        ("config: [a]", "sources[0].config: expected a mapping, got a list"),
        ("transforms: [rename]", "sources[0].transforms[0]: expected a mapping, got 'rename'"),
        ("transforms: [{fields: {}}]", "sources[0].transforms[0]: missing key 'type'"),
    ],
)
def test_values_of_the_wrong_shape_say_what_is_allowed(
    tmp_path: Path, line: str, expected: str
) -> None:
    file, problems = problems_of(
        tmp_path,
        f"""\
        pipeline: p
        sources:
          - name: a
            type: generate
            topic: t
            {line}
        """,
    )
    assert any(p.startswith(f"{file}:6: ") and expected in p for p in problems), problems


def test_names_must_be_names(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: "my pipeline"
        topics:
          "bad topic": {}
        sinks:
          - {name: -out, type: stdout, topics: [t, "a/b"]}
        """,
    )
    assert "'a/b' does not match the pattern" in problem_at(problems, file, 5, "sinks[0].topics[1]")
    assert "expected a name of 1 to 100 letters" in problem_at(problems, file, 1, "pipeline")
    assert "'bad topic' is not a valid name; expected a topic name" in problem_at(
        problems, file, 3, "topics.bad topic"
    )
    problem_at(problems, file, 5, "sinks[0].name")


# -- checks beyond the schema ----------------------------------------------------------------------
def test_unknown_connector_types_list_the_known_ones(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - {name: a, type: fiel, topic: t}
        sinks:
          - name: b
            topics: [t]
            type: kafka
        """,
    )
    assert "unknown source type 'fiel' (did you mean 'file'?); known sources: file, generate" in (
        problem_at(problems, file, 3, "sources[0].type")
    )
    assert "unknown sink type 'kafka'; known sinks: file, stdout" in problem_at(
        problems, file, 7, "sinks[0].type"
    )


def test_connector_config_is_checked_against_the_connectors_schema(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - name: a
            type: file
            topic: t
            config:
              format: xml
              limit: 0
              colour: red
          - {name: b, type: file, topic: t}
        """,
    )
    # The messages are hub.connector_config's: the runtime rejects the same configs the same way.
    assert "is required" in problem_at(problems, file, 6, "sources[0].config.path")
    assert '"csv", "jsonl"' in problem_at(problems, file, 7, "sources[0].config.format")
    problem_at(problems, file, 8, "sources[0].config.limit")
    assert "unknown key" in problem_at(problems, file, 9, "sources[0].config.colour")
    assert "is required" in problem_at(problems, file, 10, "sources[1].config.path")


def test_transforms_are_checked_against_their_own_schemas(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - name: a
            type: generate
            topic: t
            transforms:
              - type: rename
                fields: {a: 1}
              - type: rename
                feilds: {a: b}
              - {type: upper, when: "x > 1"}
        """,
    )
    assert "must be of type string" in problem_at(
        problems, file, 8, "sources[0].transforms[0].fields.a"
    )
    assert "unknown key" in problem_at(problems, file, 10, "sources[0].transforms[1].feilds")
    assert "is required" in problem_at(problems, file, 9, "sources[0].transforms[1].fields")
    assert "unknown transform type 'upper'; known transforms: drop, rename" in problem_at(
        problems, file, 11, "sources[0].transforms[2].type"
    )


def test_conditions_are_compiled_when_the_expression_language_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def compile_condition(text: str) -> object:
        if "==" not in text:
            raise ConfigError(f"condition {text!r} is not valid", ["expected a comparison"])
        return text

    fake = types.ModuleType("hub.expressions")
    fake.compile_condition = compile_condition  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hub.expressions", fake)
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sinks:
          - name: a
            type: stdout
            topics: [t]
            transforms:
              - {type: drop, when: "a == 1"}
              - {type: drop, when: "a ="}
        """,
    )
    assert problems == [
        f"{file}:8: sinks[0].transforms[1].when: condition 'a =' is not valid; expected a "
        "comparison"
    ]


def test_a_plugin_with_a_broken_config_schema_is_reported_not_raised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pipeline: p
        sources:
          - {name: a, type: broken, topic: t}
        """,
    )
    (result,) = check_pipelines([path], registry=fake_registry(BrokenPlugin()))
    (problem,) = result.problems
    assert problem.startswith(f"{path}:3: sources[0].type: ")
    assert "BrokenSchemaSource.config_schema is not valid JSON Schema" in problem


def test_cron_expressions_are_checked_by_apscheduler(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - {name: a, type: generate, topic: t, schedule: {cron: "*/5 * * *"}}
          - name: b
            type: generate
            topic: t
            schedule:
              cron: "0 12 * * 9"
          - {name: c, type: generate, topic: t, schedule: {every: 0s}}
        """,
    )
    assert "Wrong number of fields; got 4, expected 5" in problem_at(
        problems, file, 3, "sources[0].schedule.cron"
    )
    assert "expected five fields: minute hour day month weekday" in problem_at(
        problems, file, 8, "sources[1].schedule.cron"
    )
    assert "must be longer than 0" in problem_at(problems, file, 9, "sources[2].schedule.every")


def test_topic_settings_go_through_the_logs_topic_config(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        topics:
          a: {partitions: 0}
          b:
            retention: 7 days
          c: {retention: 7d, retention.ms: 1000}
          d: []
        sinks:
          - {name: out, type: stdout, topics: [a]}
        """,
    )
    assert "0 is less than the minimum of 1" in problem_at(problems, file, 3, "topics.a.partitions")
    assert "expected a duration such as 7d or 12h, or forever (-1)" in problem_at(
        problems, file, 5, "topics.b.retention"
    )
    assert "retention and retention.ms set the same thing; keep one" in problem_at(
        problems, file, 6, "topics.c"
    )
    assert "expected a mapping, got a list" in problem_at(problems, file, 7, "topics.d")


def test_topic_schema_settings_are_checked_where_they_are(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        topics:
          a:
            schema:
              mode: strict
              level: SIDEWAYS
        sinks:
          - {name: out, type: stdout, topics: [a]}
        """,
    )
    assert "'strict' is not one of ['infer', 'enforce', 'none']" in problem_at(
        problems, file, 5, "topics.a.schema.mode"
    )
    assert "'SIDEWAYS' is not one of" in problem_at(problems, file, 6, "topics.a.schema.level")


def test_topic_schemas_become_bindings_with_the_default_subject(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pipeline: p
        topics:
          a: {schema: {}}
          b: {partitions: 2, schema: {subject: shared, mode: enforce, policy: LENIENT}}
          c: {partitions: 2}
        sinks:
          - {name: out, type: stdout, topics: [a, b, c]}
        """,
    )
    (result,) = check_pipelines([path], registry=REGISTRY, environ={})
    assert result.spec is not None
    assert result.spec.schemas == {
        "a": TopicSchema(subject="a-value", mode="infer"),
        "b": TopicSchema(subject="shared", mode="enforce", policy="LENIENT"),
    }
    assert result.spec.topics["b"].partitions == 2


@pytest.mark.parametrize(
    ("errors", "path", "expected"),
    [
        ("{tolerance: all}", "tolerance", "tolerance all needs dead_letter_topic"),
        ("{dead_letter_topic: t.dlq}", "dead_letter_topic", "is used only with tolerance: all"),
        (
            "{tolerance: all, dead_letter_topic: t}",
            "dead_letter_topic",
            "'t' is a topic this source writes; give failed records a topic of their own",
        ),
        ("{max_backoff: 0}", "max_backoff", "must be longer than 0"),
    ],
)
def test_error_policies_must_make_sense(
    tmp_path: Path, errors: str, path: str, expected: str
) -> None:
    file, problems = problems_of(
        tmp_path,
        f"""\
        pipeline: p
        sources:
          - {{name: a, type: generate, topic: t, errors: {errors}}}
        """,
    )
    assert expected in problem_at(problems, file, 3, f"sources[0].errors.{path}")


def test_a_sink_may_not_dead_letter_into_a_topic_it_reads(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sinks:
          - name: out
            type: stdout
            topics: [t, u]
            errors: {tolerance: all, dead_letter_topic: u}
        """,
    )
    assert "'u' is a topic this sink reads" in problem_at(
        problems, file, 6, "sinks[0].errors.dead_letter_topic"
    )


def test_connector_names_are_unique_across_sources_and_sinks(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - {name: a, type: generate, topic: t}
          - {name: b, type: generate, topic: t}
        sinks:
          - {name: a, type: stdout, topics: [t]}
        """,
    )
    assert problems == [
        f"{file}:6: sinks[0].name: 'a' is already the name of sources[0] (line 3); names must be "
        "unique within a pipeline"
    ]


def test_a_pipeline_needs_a_source_or_a_sink(tmp_path: Path) -> None:
    file, problems = problems_of(tmp_path, "pipeline: p\nsources: []\n")
    assert problems == [f"{file}:2: sources: a pipeline needs at least one source or sink"]


def test_pipeline_names_are_unique_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, EXAMPLE, "a.yaml")
    second = write(
        tmp_path,
        "# the same name\npipeline: orders\nsinks: [{name: x, type: stdout, topics: [t]}]\n",
        "b.yaml",
    )
    with pytest.raises(ConfigError) as caught:
        load_pipelines([first, second], registry=REGISTRY)
    assert caught.value.problems == [
        f"{second}:2: pipeline: 'orders' is already the name of the pipeline in {first} (line 1); "
        "pipeline names must be unique"
    ]


# -- every problem at once -------------------------------------------------------------------------
def test_one_error_lists_every_problem_of_every_file_in_line_order(tmp_path: Path) -> None:
    good = write(tmp_path, EXAMPLE, "good.yaml")
    bad = write(
        tmp_path,
        """\
        pipeline: p
        sinks:
          - {name: a, type: stdout, topics: [t], tasks: 0}
        sources:
          - {name: b, type: nope, topic: t}
        """,
        "bad.yaml",
    )
    worse = write(tmp_path, "pipeline: [\n", "worse.yaml")
    with pytest.raises(ConfigError) as caught:
        load_pipelines([good, bad, worse], registry=REGISTRY)
    error = caught.value
    assert [p.split(": ")[0] for p in error.problems] == [f"{bad}:3", f"{bad}:5", f"{worse}:2"]
    assert f"3 problem(s) in pipeline file(s) {bad}, {worse}" in str(error)
    for problem in error.problems:
        assert problem in str(error)


def test_check_pipelines_returns_each_files_verdict(tmp_path: Path) -> None:
    good = write(tmp_path, EXAMPLE, "good.yaml")
    bad = write(tmp_path, "pipeline: p\n", "bad.yaml")
    ok, not_ok = check_pipelines([good, bad], registry=REGISTRY)
    assert ok.ok
    assert ok.spec is not None
    assert ok.spec.name == "orders"
    assert not not_ok.ok
    assert not_ok.spec is None


# -- references in pipeline files ------------------------------------------------------------------
def test_references_are_resolved_in_values_nested_anywhere(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "pw").write_text("file-password\n")
    path = write(
        tmp_path,
        """\
        pipeline: ${env:NAME}
        topics:
          orders: {partitions: ${env:PARTITIONS}, retention: "${env:RETENTION:-3d}"}
        sources:
          - name: a
            type: file
            topic: orders
            tasks: ${env:TASKS:-2}
            config:
              path: ${env:DATA}/*.csv
              password: ${file:secrets/pw}
              columns: [id, "${env:EXTRA}", $${env:LITERAL}]
              options: {nested: {deep: "${env:DATA}"}}
        """,
    )
    environ = {"NAME": "from-env", "PARTITIONS": "3", "DATA": "/data/in", "EXTRA": "total"}
    spec = load_pipeline(path, registry=REGISTRY, environ=environ)
    assert spec.name == "from-env"
    assert spec.topics["orders"] == TopicConfig(partitions=3, retention_ms=3 * 86_400_000)
    (source,) = spec.sources
    assert source.tasks == 2
    assert source.config == {
        "path": "/data/in/*.csv",
        "password": "file-password",
        "columns": ["id", "total", "${env:LITERAL}"],
        "options": {"nested": {"deep": "/data/in"}},
    }


def test_secret_files_are_found_next_to_the_pipeline_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "pw").write_text("next-to-the-file")
    path = write(
        tmp_path / "conf",
        """\
        pipeline: p
        sources:
          - {name: a, type: file, topic: t, config: {path: x, password: "${file:pw}"}}
        """,
    )
    monkeypatch.chdir(tmp_path)
    (source,) = load_pipeline(path, registry=REGISTRY).sources
    assert source.config["password"] == "next-to-the-file"


def test_quoted_references_stay_text_unquoted_ones_take_their_type(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pipeline: p
        sources:
          - name: a
            type: generate
            topic: t
            tasks: ${env:N}
            config: {quoted: "${env:N}", plain: ${env:N}, flag: ${env:B}, text: ${env:T}}
        """,
    )
    environ = {"N": "4", "B": "true", "T": "4 apples"}
    (source,) = load_pipeline(path, registry=REGISTRY, environ=environ).sources
    assert source.tasks == 4
    assert source.config == {"quoted": "4", "plain": 4, "flag": True, "text": "4 apples"}


def test_missing_variables_and_files_are_named_with_their_line(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - name: a
            type: file
            topic: t
            tasks: ${env:TASKS}
            config:
              path: ${env:DATA_DIR}/in
              password: ${file:missing/pw.txt}
        """,
    )
    assert len(problems) == 3, "nothing else is reported about the unresolved values"
    assert "environment variable TASKS is not set" in problem_at(
        problems, file, 6, "sources[0].tasks"
    )
    assert "environment variable DATA_DIR is not set" in problem_at(
        problems, file, 8, "sources[0].config.path"
    )
    assert "secret file missing/pw.txt" in problem_at(
        problems, file, 9, "sources[0].config.password"
    )


# -- secrets never leak ----------------------------------------------------------------------------
SECRET = "s3cr3t-Pa55word"


def test_invalid_secret_values_are_shown_as_their_reference(tmp_path: Path) -> None:
    (tmp_path / "fmt").write_text(SECRET)
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - name: a
            type: file
            topic: ${env:SECRET}/x
            config:
              path: ${env:SECRET}
              format: ${file:fmt}
              limit: "${env:SECRET}"
            schedule: {cron: "${env:SECRET}"}
        """,
        environ={"SECRET": SECRET},
    )
    text = "\n".join(problems)
    assert SECRET not in text
    assert "must be one of" in problem_at(problems, file, 8, "sources[0].config.format")
    assert "must be of type integer" in problem_at(problems, file, 9, "sources[0].config.limit")
    assert "the value of ${env:SECRET} does not match the pattern" in problem_at(
        problems, file, 5, "sources[0].topic"
    )
    assert "the value of ${env:SECRET} is not a valid crontab" in problem_at(
        problems, file, 10, "sources[0].schedule.cron"
    )


def test_an_unquoted_secret_read_as_a_number_says_to_quote_it(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        sources:
          - name: a
            type: file
            topic: t
            config:
              path: x
              password: ${env:PIN}
        """,
        environ={"PIN": "12345678"},
    )
    (problem,) = problems
    assert problem == (
        f"{file}:8: sources[0].config.password: must be of type string, not integer; an "
        "unquoted reference reads as a number or boolean: quote it to keep text"
    )


def test_secrets_echoed_by_other_parsers_are_redacted(tmp_path: Path) -> None:
    file, problems = problems_of(
        tmp_path,
        """\
        pipeline: p
        topics:
          t: {retention: "${env:RETENTION}"}
        sinks:
          - {name: a, type: stdout, topics: [t]}
        """,
        environ={"RETENTION": "7 fortnights"},
    )
    (problem,) = problems
    assert "7 fortnights" not in problem
    assert problem.startswith(f"{file}:3: topics.t.retention: '***'")


def test_secrets_stay_out_of_error_messages_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(secrets.SecretFilter())
    good = write(
        tmp_path,
        """\
        pipeline: good
        sources:
          - {name: a, type: file, topic: t, config: {path: x, password: "${env:SECRET}"}}
        """,
        "good.yaml",
    )
    bad = write(
        tmp_path,
        """\
        pipeline: bad
        sources:
          - {name: a, type: file, topic: t, config: {path: x, password: "${env:SECRET}", no: 1}}
        """,
        "bad.yaml",
    )
    with caplog.at_level(logging.DEBUG):
        spec = load_pipeline(good, registry=REGISTRY, environ={"SECRET": SECRET})
        logging.getLogger("hub.test").info("opening with %s", spec.sources[0].config["password"])
        with pytest.raises(ConfigError) as caught:
            load_pipeline(bad, registry=REGISTRY, environ={"SECRET": SECRET})
    assert spec.sources[0].config["password"] == SECRET
    assert SECRET not in str(caught.value)
    assert all(SECRET not in p for p in caught.value.problems)
    assert SECRET not in caplog.text
    assert "opening with ***" in caplog.text


# -- the schema file, for editors ------------------------------------------------------------------
def test_pipeline_schema_is_valid_draft_2020_12() -> None:
    schema = schemas.load_schema("pipeline.schema.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_pipeline_schema_embeds_the_topic_schema_unchanged() -> None:
    """Editors get topic settings from one self-contained file; this keeps the copy in step."""

    def embedded(node: object) -> object:
        if isinstance(node, dict):
            return {
                k: v.replace("#/$defs/", "#/$defs/topic/$defs/") if k == "$ref" else embedded(v)
                for k, v in node.items()
                if k not in ("$schema", "$id")
            }
        if isinstance(node, list):
            return [embedded(v) for v in node]
        return node

    pipeline = schemas.load_schema("pipeline.schema.json")
    assert pipeline["$defs"]["topic"] == embedded(schemas.load_schema("topic.schema.json"))


def test_pipeline_schema_has_no_references_outside_itself() -> None:
    text = Path(schemas.schema_path("pipeline.schema.json")).read_text()
    refs = [ref for ref in _refs(json.loads(text)) if not ref.startswith("#/")]
    assert refs == []


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_an_editor_can_validate_a_file_through_its_schema_comment(tmp_path: Path) -> None:
    schema_file = Path(schemas.schema_path("pipeline.schema.json"))
    path = write(tmp_path, f"# yaml-language-server: $schema={schema_file}\n{EXAMPLE}")
    assert load_pipeline(path, registry=REGISTRY).name == "orders"

    # What the editor does: read the comment, load that schema, validate the YAML with it.
    first_line = path.read_text().splitlines()[0]
    schema = json.loads(Path(first_line.split("$schema=", 1)[1]).read_text())
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == []
    broken = yaml.safe_load(path.read_text()) | {"sinks": [{"name": "x", "topics": "t"}]}
    assert {e.validator for e in validator.iter_errors(broken)} == {"required", "type"}
