"""Topic schemas in ``hub run``: infer and evolve, enforce, and the wire format in the log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tests.e2e.support import HubCommand, all_records, write_text

PIPELINE = """
    pipeline: people
    topics:
      people:
        partitions: 1
        schema: {{{schema}}}
    sources:
      - name: in
        type: file
        topic: people
        config: {{path: "in/*.csv"}}
        errors: {{tolerance: all, dead_letter_topic: people.dlq}}
    sinks:
      - name: out
        type: file
        topics: [people]
        config: {{path: out, format: jsonl}}
"""


def write_csv(path: Path, header: str, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n")


def pipeline(workdir: Path, schema: str = "") -> Path:
    return write_text(workdir / "people.yaml", PIPELINE.format(schema=schema))


def subject(hub: HubCommand, name: str = "people-value", version: str = "latest") -> Any:
    return hub.json("schemas", "show", name, "--version", version)


def test_infer_registers_the_schema_and_frames_values_with_its_id(
    hub: HubCommand, workdir: Path
) -> None:
    write_csv(workdir / "in" / "a.csv", "id,name,score", ["1,ada,1.5", "2,grace,2.5"])
    pipeline(workdir)

    hub.ok("run", "people.yaml", "--once")

    found = subject(hub)
    assert found["version"] == 1
    schema = found["schema"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == ["id", "name", "score"]
    assert "integer" in orjson.dumps(schema["properties"]["id"]).decode()
    logged = hub.consume_full("people")
    assert {r["schema_id"] for r in logged} == {found["id"]}
    assert [r["value"] for r in logged] == [
        {"id": 1, "name": "ada", "score": 1.5},
        {"id": 2, "name": "grace", "score": 2.5},
    ]
    # The sink gets plain JSON: the prefix never reaches the files.
    assert sorted(all_records(workdir / "out"), key=lambda r: r["id"]) == [
        r["value"] for r in logged
    ]


def test_values_in_the_log_use_confluents_wire_format(hub: HubCommand, workdir: Path) -> None:
    write_csv(workdir / "in" / "a.csv", "id,name", ["1,ada"])
    pipeline(workdir)
    hub.ok("run", "people.yaml", "--once")

    raw = hub.ok("consume", "people", "--from-beginning", "--format", "value")
    found = subject(hub)
    from hub.log import LocalLog

    with LocalLog(hub.data_dir, read_only=True) as log:
        [batch] = log.fetch("people", 0, 0)
        [value] = batch.columns().values
    assert value is not None
    assert value[0] == 0
    assert int.from_bytes(value[1:5], "big") == found["id"]
    assert orjson.loads(value[5:]) == {"id": 1, "name": "ada"}
    assert raw.stdout == '{"id":1,"name":"ada"}\n'  # consume shows the JSON only


def test_a_new_optional_column_evolves_the_subject(hub: HubCommand, workdir: Path) -> None:
    write_csv(workdir / "in" / "a.csv", "id,name", ["1,ada"])
    pipeline(workdir)
    hub.ok("run", "people.yaml", "--once")
    write_csv(workdir / "in" / "b.csv", "id,name,city", ["2,grace,paris"])

    hub.ok("run", "people.yaml", "--once")

    first, second = subject(hub, version="1"), subject(hub)
    assert second["version"] == 2
    assert list(second["schema"]["properties"]) == ["id", "name", "city"]
    assert "city" not in second["schema"].get("required", [])
    ids = [r["schema_id"] for r in hub.consume_full("people")]
    assert ids == [first["id"], second["id"]]


def test_an_incompatible_change_stops_the_source_and_says_how_to_proceed(
    hub: HubCommand, workdir: Path
) -> None:
    write_csv(workdir / "in" / "a.csv", "id,name", ["1,ada"])
    pipeline(workdir)
    hub.ok("run", "people.yaml", "--once")
    write_csv(workdir / "in" / "b.csv", "id,name", ["x7,grace"])

    done = hub("run", "people.yaml", "--once")

    assert done.returncode == 1
    assert "no longer fit subject 'people-value'" in done.stderr
    assert "#/properties/id" in done.stderr
    assert "hub schemas config people-value --level NONE" in done.stderr
    assert subject(hub)["version"] == 1
    assert len(hub.consume_full("people")) == 1  # nothing of the bad file was appended


def test_the_level_in_the_pipeline_is_set_on_the_subject(hub: HubCommand, workdir: Path) -> None:
    write_csv(workdir / "in" / "a.csv", "id,name", ["1,ada"])
    pipeline(workdir, "level: NONE")
    hub.ok("run", "people.yaml", "--once")
    write_csv(workdir / "in" / "b.csv", "id,name", ["x7,grace"])

    hub.ok("run", "people.yaml", "--once")

    assert hub.json("schemas", "config", "people-value")["compatibilityLevel"] == "NONE"
    assert subject(hub)["version"] == 2


ENFORCED = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "maxLength": 5},
    },
    "required": ["id", "name"],
}


def test_enforce_sends_invalid_rows_to_the_dead_letter_topic_with_the_pointer(
    hub: HubCommand, workdir: Path
) -> None:
    schema_file = workdir / "person.json"
    schema_file.write_bytes(orjson.dumps(ENFORCED))
    hub.ok("schemas", "register", "people-value", str(schema_file))
    write_csv(workdir / "in" / "a.csv", "id,name", ["1,ada", "0,grace", "3,barbara", "4,alan"])
    pipeline(workdir, "mode: enforce")

    hub.ok("run", "people.yaml", "--once")

    written = sorted(all_records(workdir / "out"), key=lambda r: r["id"])
    assert written == [{"id": 1, "name": "ada"}, {"id": 4, "name": "alan"}]
    dead = hub.consume_full("people.dlq")
    by_value = {r["value"]["id"]: r["headers"] for r in dead}
    assert sorted(by_value) == [0, 3]
    assert "/id" in by_value[0]["hub.error.message"]
    assert "/name" in by_value[3]["hub.error.message"]
    assert "people-value version 1" in by_value[3]["hub.error.message"]
    assert {r["schema_id"] for r in hub.consume_full("people")} == {subject(hub)["id"]}


def test_enforce_without_a_registered_schema_fails_with_the_fix(
    hub: HubCommand, workdir: Path
) -> None:
    write_csv(workdir / "in" / "a.csv", "id,name", ["1,ada"])
    pipeline(workdir, "mode: enforce")

    done = hub("run", "people.yaml", "--once")

    assert done.returncode == 1
    assert "hub schemas register people-value" in done.stderr


def test_mode_none_writes_plain_json(hub: HubCommand, workdir: Path) -> None:
    write_csv(workdir / "in" / "a.csv", "id,name", ["1,ada"])
    pipeline(workdir, "mode: none")

    hub.ok("run", "people.yaml", "--once")

    assert [r["schema_id"] for r in hub.consume_full("people")] == [None]
    assert hub.json("schemas", "list") == []
