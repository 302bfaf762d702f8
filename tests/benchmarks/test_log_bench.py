"""``hub bench log`` runs end to end with consistent numbers; speed itself is not asserted."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from hub.bench.log import run_log_bench
from hub.cli import cli


def test_bench_log_reports_every_measure_as_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(tmp_path),
            "bench",
            "log",
            "--records",
            "5000",
            "--record-size",
            "64",
            "--partitions",
            "2",
            "--batch-size",
            "500",
            "--rounds",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["records"] == 5000
    assert report["partitions"] == 2
    for measure in (
        "append_records_per_s",
        "append_mb_per_s",
        "read_records_per_s",
        "decode_records_per_s",
        "raw_write_mb_per_s",
    ):
        assert report[measure] > 0, measure
    assert report["append_p50_ms"] <= report["append_p99_ms"]
    ratio = report["append_mb_per_s"] / report["raw_write_mb_per_s"]
    assert report["append_vs_raw"] == pytest.approx(ratio)


def test_bench_cleans_up_its_working_folders(tmp_path: Path) -> None:
    run_log_bench(tmp_path, records=2000, record_size=100, batch_size=100, rounds=2)
    assert list(tmp_path.iterdir()) == []


def test_bench_records_per_second_and_bytes_per_second_agree(tmp_path: Path) -> None:
    result = run_log_bench(tmp_path, records=3000, record_size=200, batch_size=300, rounds=1)
    assert result.append_mb_per_s == pytest.approx(result.append_records_per_s * 200 / 1e6)
