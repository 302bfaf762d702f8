"""Data-driven cases: ``data/diff-schema-examples.json``.

The cases were written for this project, one per behaviour of Confluent Schema Registry's JSON
Schema ``SchemaDiff``. Their expectations were checked against Confluent's published examples
(``json-schema-provider/src/test/resources/diff-schema-examples.json`` and
``diff-combined-schema-examples.json`` in confluentinc/schema-registry, Confluent Community
License), whose schemas and texts are not copied here. Each case lists every difference
(``"TYPE #/pointer"``) and the overall verdict, compared as in Confluent's ``SchemaDiffTest``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.registry.compatibility import compare

CASES = json.loads((Path(__file__).parent / "data" / "diff-schema-examples.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[case["description"] for case in CASES])
def test_confluent_behaviour(case: dict[str, Any]) -> None:
    differences = compare(case["original"], case["update"])

    assert sorted(f"{d.type} {d.path}" for d in differences) == sorted(case["changes"])
    assert all(d.compatible for d in differences) is case["compatible"]


def test_the_examples_cover_every_verdict() -> None:
    assert {case["compatible"] for case in CASES} == {True, False}
    assert len(CASES) >= 80
