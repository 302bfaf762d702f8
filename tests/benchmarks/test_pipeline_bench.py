"""``hub bench pipeline`` delivers every row exactly once before it reports; speed is untested."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from hub.cli import cli


def test_bench_pipeline_into_json_lines_reports_as_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "bench", "pipeline", "--rows", "3000", "--json"]
    )

    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["rows"] == 3000
    assert report["rows_per_s"] > 0
    assert report["peak_rss_mb"] > 0
    assert len(report["rounds"]) == 3  # the median of three runs by default
    assert list(tmp_path.iterdir()) == []  # its working folder is gone


def test_each_round_into_sql_loads_a_table_of_its_own(tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'target.db'}"
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "bench", "pipeline", "--rows", "2000", "--rounds", "2"]
    result = CliRunner().invoke(cli, [*args, "--sink", "sql", "--url", url, "--json"])

    assert result.exit_code == 0, result.output
    assert len(orjson.loads(result.stdout)["rounds"]) == 2
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        for table in ("rows_1", "rows_2"):
            count = connection.execute(sa.text(f"SELECT count(DISTINCT id) FROM {table}")).scalar()
            assert count == 2000
    engine.dispose()


def test_bench_pipeline_into_sql_needs_a_url(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "bench", "pipeline", "--sink", "sql"], env={}
    )

    assert result.exit_code == 1
    assert "needs a database URL" in result.stderr
