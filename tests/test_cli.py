"""The CLI through typer's CliRunner: exit codes 0 ok, 1 failed/invalid, 2 usage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from events.cli import app

from .conftest import SEEDS

runner = CliRunner()


def test_release_then_validate_then_view(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = runner.invoke(app, ["release", "--seeds", str(SEEDS), "--out", str(out), "--version", "t1"])
    assert result.exit_code == 0, result.output
    assert "release t1:" in result.output
    result = runner.invoke(app, ["validate", str(out / "t1")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["view", "--dist", str(out), "--print-path"])
    assert result.exit_code == 0
    assert Path(result.output.strip()) == out / "t1" / "timeline.html"
    again = runner.invoke(app, ["release", "--seeds", str(SEEDS), "--out", str(out), "--version", "t1"])
    assert again.exit_code == 1 and "--force" in again.output


def test_validate_reports_tampering(tmp_path: Path, seeds_release: Path) -> None:
    copy = tmp_path / "rel"
    shutil.copytree(seeds_release, copy)
    data = bytearray((copy / "events.csv").read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    (copy / "events.csv").write_bytes(bytes(data))
    result = runner.invoke(app, ["validate", str(copy)])
    assert result.exit_code == 1
    assert "events.csv: sha256 checksum mismatch" in result.output


def test_extract_prints_events_json() -> None:
    result = runner.invoke(app, ["extract", str(SEEDS / "000_41402a6688905fa1.txt")])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["events"][0]["article_id"] == "000_41402a6688905fa1"
    assert payload["events"][0]["date"] == "2019-07-01"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["release", "--bogus"]).exit_code == 2
    assert runner.invoke(app, ["extract", str(tmp_path / "missing.txt")]).exit_code == 2


def test_missing_seeds_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["release", "--seeds", str(tmp_path / "nope"), "--out", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_view_unknown_version_exit_1(tmp_path: Path, seeds_release: Path) -> None:
    result = runner.invoke(app, ["view", "9.9", "--dist", str(seeds_release.parent), "--print-path"])
    assert result.exit_code == 1 and "unknown version" in result.output


def test_root_shim_runs() -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "cli.py", "--help"], cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0 and "release" in out.stdout
