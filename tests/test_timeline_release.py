"""The timeline of a built release: written from the published table, its size set by --timeline-max-points."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from events import timeline
from events.cli import app
from events.fsutil import sha256_file
from events.release import ReleaseError, build_release

from .conftest import SEEDS

runner = CliRunner()


def test_release_page_is_the_page_of_its_table(seeds_release: Path) -> None:
    table = pl.read_parquet(seeds_release / "events.parquet")
    page = (seeds_release / "timeline.html").read_text(encoding="utf-8")
    data = timeline.read_embedded_data(page)
    assert data["total"] == table.height and data["aggregate"] is None
    assert_frame_equal(timeline.decode_events(data), table.select(timeline.VIEW_COLUMNS))
    package = json.loads((seeds_release / "datapackage.json").read_text(encoding="utf-8"))
    entry = next(r for r in package["resources"] if r["path"] == "timeline.html")
    path = seeds_release / "timeline.html"
    assert (entry["bytes"], entry["hash"]) == (path.stat().st_size, f"sha256:{sha256_file(path)}")


def test_timeline_max_points_option_counts_the_older_events(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = runner.invoke(app, ["release", "--seeds", str(SEEDS), "--out", str(out), "--version", "t1",
                                 "--timeline-max-points", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out / "t1" / "events.parquet")
    assert table.height > 2
    data = timeline.read_embedded_data((out / "t1" / "timeline.html").read_text(encoding="utf-8"))
    assert data["total"] == table.height and len(data["events"]["id"]) == 2
    assert_frame_equal(timeline.decode_events(data), table.tail(2).select(timeline.VIEW_COLUMNS))
    assert sum(data["aggregate"]["count"]) == table.height - 2
    assert runner.invoke(app, ["validate", str(out / "t1")]).exit_code == 0


def test_timeline_max_points_must_be_positive(tmp_path: Path) -> None:
    result = runner.invoke(app, ["release", "--seeds", str(SEEDS), "--out", str(tmp_path / "d"),
                                 "--timeline-max-points", "0"])
    assert result.exit_code == 2
    with pytest.raises(ReleaseError, match="timeline-max-points"):
        build_release(SEEDS, tmp_path / "d", timeline_max_points=0)


def test_help_states_the_default_number_of_points() -> None:
    result = runner.invoke(app, ["release", "--help"], env={"COLUMNS": "240"}, terminal_width=240)
    assert result.exit_code == 0
    assert "--timeline-max-points" in result.output
    assert f"{timeline.DEFAULT_MAX_POINTS:,}" in result.output
