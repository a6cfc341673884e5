"""``events validate`` on tampered copies of a real release: every defect found, each with a precise message.

Each case changes the seeds release's ``events.parquet`` with polars, then validates the file alone, the
release directory and the whole output directory (``releases.json`` and every release it lists).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from events.cli import app
from events.tables import write_csv_bytes
from events.validate import validate_path

runner = CliRunner()
VERSION = "1.0.0"  # the version conftest's seeds_release builds

Change = Callable[[pl.DataFrame], pl.DataFrame]


def _flat(text: str) -> str:
    """Rich wraps long lines at the terminal width; compare with whitespace runs made single spaces."""
    return " ".join(text.split())


def _validate(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, _flat(result.output)


def _set(column: str, value: object, row: int = 0) -> Change:
    def change(frame: pl.DataFrame) -> pl.DataFrame:
        values = frame[column].to_list()
        values[row] = value
        return frame.with_columns(pl.Series(column, values, dtype=frame.schema[column]))

    return change


def _date_after_publication(frame: pl.DataFrame) -> pl.DataFrame:
    published = frame["published_at"][0]
    return _set("date", published.date() + dt.timedelta(days=10))(frame)


def _duplicate_id(frame: pl.DataFrame) -> pl.DataFrame:
    return _set("event_id", frame["event_id"][0], row=1)(frame)


#: (case, change, message with {id0} for the first row's event id, {published} for its publication time)
CONTENT_CASES: list[tuple[str, Change, str]] = [
    ("missing-column", lambda f: f.drop("industries"), "missing column 'industries'"),
    ("wrong-type", lambda f: f.with_columns(pl.col("latitude").cast(pl.String)),
     "column 'latitude' has type String, expected Float64"),
    ("unknown-industry", _set("industries", ["space-mining"]),
     "event '{id0}': unknown industry slug (value ['space-mining'])"),
    ("event-type", _set("event_type", "teleportation"),
     "event '{id0}': event_type not in the taxonomy (value 'teleportation')"),
    ("latitude", _set("latitude", 91.5), "event '{id0}': latitude out of range [-90, 90] (value 91.5)"),
    ("longitude", _set("longitude", -181.25), "event '{id0}': longitude out of range [-180, 180] (value -181.25)"),
    ("before-1949", _set("date", dt.date(1948, 12, 31)), "event '{id0}': date before 1949 (value 1948-12-31)"),
    ("after-publication", _date_after_publication,
     "event '{id0}': date after the article's publication (value {late}; published_at {published})"),
    ("duplicate-id", _duplicate_id, "event '{id0}': duplicate event_id (value '{id0}')"),
    ("empty-title", _set("title", None), "event '{id0}': title is empty (value None)"),
    ("date-precision", _set("date_precision", "fortnight"),
     "event '{id0}': unknown date_precision (value 'fortnight')"),
    ("country-code", _set("country_code", "CHN"),
     "event '{id0}': country_code is not ISO 3166-1 alpha-2 (value 'CHN')"),
]


@pytest.fixture()
def dist_copy(seeds_release: Path, tmp_path: Path) -> Path:
    """A copy of the whole output directory of the seeds release (releases.json and 1.0.0/)."""
    return Path(shutil.copytree(seeds_release.parent, tmp_path / "dist"))


def _expected(message: str, frame: pl.DataFrame, changed: pl.DataFrame) -> str:
    published = frame["published_at"][0]
    return message.format(id0=frame["event_id"][0], published=published.isoformat(),
                          late=(published.date() + dt.timedelta(days=10)).isoformat()
                          if "date" in changed.columns else "")


def test_the_untouched_release_is_valid(dist_copy: Path) -> None:
    for path in (dist_copy, dist_copy / "releases.json", dist_copy / VERSION, dist_copy / VERSION / "events.parquet",
                 dist_copy / VERSION / "events.csv"):
        code, output = _validate(path)
        assert code == 0, output
        assert output.endswith("rows checked)")


@pytest.mark.parametrize(("case", "change", "message"), CONTENT_CASES, ids=[c[0] for c in CONTENT_CASES])
def test_a_tampered_parquet_is_caught_with_a_precise_message(dist_copy: Path, case: str, change: Change,
                                                             message: str) -> None:
    parquet = dist_copy / VERSION / "events.parquet"
    frame = pl.read_parquet(parquet)
    changed = change(frame)
    changed.write_parquet(parquet)
    expected = _expected(message, frame, changed)

    code, output = _validate(parquet)  # the file alone: only the content problem
    assert code == 1
    assert f"FAIL events.parquet: {expected}" in output
    assert f"error: {parquet}: " in output and "problem(s)" in output
    assert "checksum" not in output

    code, output = _validate(dist_copy / VERSION)  # the release: the content problem and the broken checksum
    assert code == 1
    assert f"FAIL events.parquet: {expected}" in output
    assert "FAIL events.parquet: sha256 checksum mismatch (file changed since the release was built)" in output

    code, output = _validate(dist_copy)  # the output directory: the same, named by version, plus the index
    assert code == 1
    assert f"FAIL {VERSION}/events.parquet: {expected}" in output
    assert f"FAIL {VERSION}/events.parquet: sha256 checksum mismatch with releases.json" in output


def test_a_duplicate_id_names_both_rows(dist_copy: Path) -> None:
    parquet = dist_copy / VERSION / "events.parquet"
    frame = pl.read_parquet(parquet)
    _duplicate_id(frame).write_parquet(parquet)
    report = validate_path(parquet)
    duplicate = [p for p in report.problems if "duplicate event_id" in p]
    assert len(duplicate) == 2, report.problems


@pytest.mark.parametrize("position", [0.1, 0.5, 0.9])
def test_a_tampered_byte_breaks_the_checksum(dist_copy: Path, position: float) -> None:
    parquet = dist_copy / VERSION / "events.parquet"
    data = bytearray(parquet.read_bytes())
    offset = int(len(data) * position)
    data[offset] ^= 0x01
    parquet.write_bytes(bytes(data))
    code, output = _validate(dist_copy / VERSION)
    assert code == 1
    assert "FAIL events.parquet: sha256 checksum mismatch (file changed since the release was built)" in output
    code, output = _validate(dist_copy)
    assert code == 1 and f"FAIL {VERSION}/events.parquet: sha256 checksum mismatch with releases.json" in output


def test_same_rows_in_other_bytes_break_only_the_checksums(dist_copy: Path) -> None:
    parquet = dist_copy / VERSION / "events.parquet"
    pl.read_parquet(parquet).write_parquet(parquet, compression="uncompressed")
    report = validate_path(dist_copy / VERSION)
    assert [p for p in report.problems if "sha256" not in p and "size" not in p] == []
    assert "events.parquet: sha256 checksum mismatch (file changed since the release was built)" in report.problems


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("event_type", "teleportation"), "event_type not in the taxonomy (value 'teleportation')"),
        (lambda f: f.drop("persons"), "missing column 'persons'"),
        (_set("latitude", -95.0), "latitude out of range [-90, 90] (value -95.0)"),
    ],
)
def test_a_tampered_csv_is_caught(dist_copy: Path, change: Change, message: str) -> None:
    csv = dist_copy / VERSION / "events.csv"
    frame = pl.read_parquet(dist_copy / VERSION / "events.parquet")
    csv.write_bytes(write_csv_bytes(change(frame)))
    code, output = _validate(csv)
    assert code == 1 and "FAIL events.csv: " in output and message in output
    code, output = _validate(dist_copy / VERSION)
    assert code == 1 and "FAIL events.csv: sha256 checksum mismatch" in output and message in output


def test_an_unreadable_table_is_named(dist_copy: Path) -> None:
    (dist_copy / VERSION / "events.parquet").write_bytes(b"PAR1 this is not parquet PAR1")
    code, output = _validate(dist_copy / VERSION / "events.parquet")
    assert code == 1 and "FAIL events.parquet: cannot be read as parquet:" in output
    (dist_copy / VERSION / "events.csv").write_text("latitude\nnorth\n", encoding="utf-8")
    code, output = _validate(dist_copy / VERSION / "events.csv")
    assert code == 1 and "FAIL events.csv: missing column 'event_id'" in output


def test_missing_files_and_row_counts(dist_copy: Path) -> None:
    release = dist_copy / VERSION
    (release / "events.csv").unlink()
    parquet = release / "events.parquet"
    frame = pl.read_parquet(parquet)
    frame.head(frame.height - 1).write_parquet(parquet)
    report = validate_path(release)
    assert "events.csv is missing" in report.problems
    assert "events.csv: listed in datapackage.json but missing" in report.problems
    assert f"events.parquet: {frame.height - 1} rows, datapackage.json says {frame.height}" in report.problems


def test_an_unsafe_path_in_the_datapackage(dist_copy: Path) -> None:
    package_path = dist_copy / VERSION / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    package["resources"][0]["path"] = "../../etc/passwd"
    package_path.write_text(json.dumps(package), encoding="utf-8")
    code, output = _validate(dist_copy / VERSION)
    assert code == 1 and "resource 'events' has an unsafe path '../../etc/passwd'" in output


# --- the output directory: releases.json ----------------------------------------------------------------------


def _edit_index(dist: Path, edit: Callable[[dict[str, object]], object]) -> None:
    path = dist / "releases.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    edit(index)
    path.write_text(json.dumps(index), encoding="utf-8")


def _first_files(index: dict[str, object]) -> list[dict[str, object]]:
    releases = index["releases"]
    assert isinstance(releases, list)
    files = releases[0]["files"]
    assert isinstance(files, list)
    return files


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda index: index.update(latest="9.9"), "releases.json: latest '9.9' is not a listed release"),
        (lambda index: _first_files(index)[0].update(sha256="0" * 64),
         f"{VERSION}/CHANGELOG.md: sha256 checksum mismatch with releases.json"),
        (lambda index: _first_files(index)[0].update(bytes=1), f"{VERSION}/CHANGELOG.md: size"),
        (lambda index: _first_files(index)[0].update(path=f"{VERSION}/../../outside.txt"),
         f"releases.json: release '{VERSION}' lists an unsafe path '{VERSION}/../../outside.txt'"),
        (lambda index: _first_files(index).append({"path": f"{VERSION}/gone.csv", "bytes": 1, "sha256": "0" * 64}),
         f"{VERSION}/gone.csv: listed in releases.json but missing"),
        (lambda index: index["releases"].append({"version": "2.0.0", "files": []}),
         "releases.json: release '2.0.0' is listed but 2.0.0/ is missing"),
        (lambda index: index["releases"].append({"version": "../up"}),
         "releases.json: release #2 has no valid 'version' ('../up')"),
        (lambda index: index.pop("releases"), "releases.json: expected an object with a 'releases' list"),
    ],
)
def test_a_broken_index_is_caught(dist_copy: Path, edit: Callable[[dict[str, object]], object], message: str) -> None:
    _edit_index(dist_copy, edit)
    code, output = _validate(dist_copy)
    assert code == 1 and message in output


def test_an_index_that_is_not_json(dist_copy: Path) -> None:
    (dist_copy / "releases.json").write_text('{"latest": "1.0.0", "releases": [', encoding="utf-8")
    code, output = _validate(dist_copy)
    assert code == 1 and "FAIL releases.json is not valid JSON: Expecting value: line 1 column 34 (char 33)" in output


def test_a_missing_path_exits_1(tmp_path: Path) -> None:
    code, output = _validate(tmp_path / "nowhere")
    assert code == 1 and "does not exist" in output


@pytest.mark.parametrize(
    ("column", "value", "kind"),
    [
        ("latitude", "north", "a number"),
        ("date", "2019-13-45", "a date (YYYY-MM-DD)"),
        ("published_at", "yesterday", "a date-time (YYYY-MM-DDTHH:MM:SS)"),
    ],
)
def test_a_csv_cell_of_the_wrong_type_is_named_by_line(dist_copy: Path, column: str, value: str, kind: str) -> None:
    csv = dist_copy / VERSION / "events.csv"
    frame = pl.read_csv(csv, infer_schema_length=0)
    frame = frame.rename({frame.columns[0]: frame.columns[0].lstrip("\ufeff")})
    second_row = pl.int_range(pl.len()) == 1
    frame = frame.with_columns(pl.when(second_row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    csv.write_bytes(frame.write_csv().encode("utf-8"))
    code, output = _validate(csv)
    assert code == 1
    assert f"FAIL events.csv: column '{column}': 1 value(s) not {kind} (first on line 3: '{value}')" in output
