"""``run_registry_bench`` runs end to end against a real ``hub serve``; speed is not asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.bench.registry import run_registry_bench


def test_registry_bench_measures_each_lookup_and_cleans_up(tmp_path: Path) -> None:
    result = run_registry_bench(tmp_path, requests=60, subjects=3, warmup=5)

    assert [r.name for r in result.lookups] == [
        "GET /schemas/ids/{id}",
        "POST /subjects/{subject}",
        "GET /subjects/{subject}/versions/latest",
    ]
    for lookup in result.lookups:
        assert lookup.requests == 60
        assert lookup.per_s > 0
        assert 0 < lookup.p50_ms <= lookup.p99_ms
    total_s = sum(r.requests / r.per_s for r in result.lookups)
    assert result.lookups_per_s == pytest.approx(180 / total_s)
    report = result.as_dict()
    assert report["subjects"] == 3
    assert len(report["lookups"]) == 3
    assert list(tmp_path.iterdir()) == []
