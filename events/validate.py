"""Check a published table, a whole release, or an output directory of releases against the contract.

Used by ``events validate`` and by the release tests; every problem is reported with the file, the
column or row and the value, so a user can find and fix it. An output directory (one holding
``releases.json``) is checked as a whole: the index, every file it lists, and every listed release.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from events import taxonomy
from events.fsutil import sha256_file
from events.release import RELEASES_INDEX, VERSION_PATTERN
from events.schema import list_columns, polars_schema
from events.tables import read_csv

MAX_REPORTED_PER_CHECK = 20


@dataclass
class ValidationReport:
    path: str
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        self.problems.append(problem)


_CSV_KINDS = {pl.Date: ("a date (YYYY-MM-DD)", lambda c: c.str.to_date("%Y-%m-%d", strict=False)),
              pl.Datetime: ("a date-time (YYYY-MM-DDTHH:MM:SS)",
                            lambda c: c.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False)),
              pl.Float64: ("a number", lambda c: c.cast(pl.Float64, strict=False))}


def _csv_cells_problems(path: Path, report: ValidationReport) -> bool:
    """Missing columns and cells that do not parse as their column's type, named by CSV line; True if any."""
    raw = pl.read_csv(path, infer_schema_length=0, encoding="utf8")
    if raw.columns and raw.columns[0].startswith("\ufeff"):
        raw = raw.rename({raw.columns[0]: raw.columns[0].lstrip("\ufeff")})
    schema = polars_schema()
    found = False
    for column in schema:
        if column not in raw.columns:
            report.add(f"{path.name}: missing column {column!r}")
            found = True
    for column, dtype in schema.items():
        kind = next((k for d, k in _CSV_KINDS.items() if isinstance(dtype, d) or dtype == d), None)
        if kind is None or column not in raw.columns:
            continue
        text = pl.col(column)
        bad = raw.with_row_index("line", offset=2).filter(
            text.is_not_null() & (text != "") & kind[1](text).is_null())
        if bad.height:
            line, value = bad.row(0, named=True)["line"], bad.row(0, named=True)[column]
            report.add(f"{path.name}: column {column!r}: {bad.height} value(s) not {kind[0]} "
                       f"(first on line {line}: {value!r})")
            found = True
    return found


def _read_table(path: Path, report: ValidationReport) -> pl.DataFrame | None:
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        if path.suffix == ".csv":
            return None if _csv_cells_problems(path, report) else read_csv(path)
    except Exception as exc:
        report.add(f"{path.name}: cannot be read as {path.suffix[1:]}: {exc}")
        return None
    report.add(f"{path.name}: unsupported file type (expected .parquet or .csv)")
    return None


def _shown(value: Any) -> str:
    """A cell as a user would write it: dates in ISO 8601, strings and lists as Python literals."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return repr(value)


def _report_rows(report: ValidationReport, name: str, frame: pl.DataFrame, message: str, column: str,
                 also: str | None = None) -> None:
    if frame.height == 0:
        return
    shown = frame.head(MAX_REPORTED_PER_CHECK)
    for row in shown.iter_rows(named=True):
        context = f"; {also} {_shown(row.get(also))}" if also else ""
        report.add(f"{name}: event {row.get('event_id')!r}: {message} (value {_shown(row.get(column))}{context})")
    if frame.height > MAX_REPORTED_PER_CHECK:
        report.add(f"{name}: … {frame.height - MAX_REPORTED_PER_CHECK} more rows with: {message}")


def validate_table(frame: pl.DataFrame, name: str, report: ValidationReport) -> None:
    schema = polars_schema()
    report.rows += frame.height
    missing = [c for c in schema if c not in frame.columns]
    for column in missing:
        report.add(f"{name}: missing column {column!r}")
    for column, dtype in schema.items():
        if column in frame.columns and frame.schema[column] != dtype:
            report.add(f"{name}: column {column!r} has type {frame.schema[column]}, expected {dtype}")
    if missing or any(c in frame.columns and frame.schema[c] != d for c, d in schema.items()):
        return  # value checks need the right columns and types
    report.checked.append(f"{name}: columns and types")

    required = ["event_id", "article_id", "title", "event_type", "date", "date_precision", "language",
                "evidence", "extractor_version"]
    for column in required:
        _report_rows(report, name, frame.filter(pl.col(column).is_null()), f"{column} is empty", column)
    for column in list_columns():
        _report_rows(report, name, frame.filter(pl.col(column).is_null()), f"{column} is null", column)

    duplicates = frame.filter(pl.col("event_id").is_duplicated())
    _report_rows(report, name, duplicates, "duplicate event_id", "event_id")

    event_types = sorted(taxonomy.event_type_slugs())
    _report_rows(
        report, name, frame.filter(~pl.col("event_type").is_in(event_types)),
        "event_type not in the taxonomy", "event_type",
    )
    _report_rows(
        report, name, frame.filter(~pl.col("date_precision").is_in(["day", "month", "year", "approximate"])),
        "unknown date_precision", "date_precision",
    )
    slugs = sorted(taxonomy.industry_slugs())
    bad_industry = frame.filter(
        pl.col("industries").list.eval(~pl.element().is_in(slugs)).list.any()
    )
    _report_rows(report, name, bad_industry, "unknown industry slug", "industries")
    _report_rows(
        report, name, frame.filter((pl.col("latitude") < -90) | (pl.col("latitude") > 90)),
        "latitude out of range [-90, 90]", "latitude",
    )
    _report_rows(
        report, name, frame.filter((pl.col("longitude") < -180) | (pl.col("longitude") > 180)),
        "longitude out of range [-180, 180]", "longitude",
    )
    _report_rows(
        report, name, frame.filter(pl.col("date") < dt.date(1949, 1, 1)), "date before 1949", "date"
    )
    late = frame.filter(
        pl.col("published_at").is_not_null()
        & (pl.col("date") > pl.col("published_at").dt.date() + pl.duration(days=1))
    )
    _report_rows(report, name, late, "date after the article's publication", "date", also="published_at")
    bad_cc = frame.filter(pl.col("country_code").is_not_null() & ~pl.col("country_code").str.contains(r"^[A-Z]{2}$"))
    _report_rows(report, name, bad_cc, "country_code is not ISO 3166-1 alpha-2", "country_code")
    report.checked.append(f"{name}: values ({frame.height} rows)")


def _check_datapackage(directory: Path, report: ValidationReport) -> dict[str, Any] | None:
    path = directory / "datapackage.json"
    if not path.exists():
        report.add("datapackage.json is missing")
        return None
    try:
        package: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        report.add(f"datapackage.json is not valid JSON: {exc}")
        return None
    for resource in package.get("resources", []):
        rel = resource.get("path", "")
        file = directory / rel
        if not rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
            report.add(f"datapackage.json: resource {resource.get('name')!r} has an unsafe path {rel!r}")
            continue
        if not file.exists():
            report.add(f"{rel}: listed in datapackage.json but missing")
            continue
        size = file.stat().st_size
        if resource.get("bytes") is not None and size != resource["bytes"]:
            report.add(f"{rel}: size {size} bytes, datapackage.json says {resource['bytes']}")
        expected = str(resource.get("hash", "")).removeprefix("sha256:")
        if expected and sha256_file(file) != expected:
            report.add(f"{rel}: sha256 checksum mismatch (file changed since the release was built)")
    report.checked.append("datapackage.json: sizes and checksums")
    return package


def _safe_relative(path: str) -> bool:
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts and "\\" not in path


def _check_index(root: Path, report: ValidationReport) -> None:
    """``releases.json``: well formed, every listed file present with its size and checksum, each release valid."""
    try:
        data: Any = json.loads((root / RELEASES_INDEX).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.add(f"{RELEASES_INDEX} is not valid JSON: {exc}")
        return
    if not isinstance(data, dict) or not isinstance(data.get("releases"), list):
        report.add(f"{RELEASES_INDEX}: expected an object with a 'releases' list")
        return
    versions: list[str] = []
    for position, entry in enumerate(data["releases"], start=1):
        version = entry.get("version") if isinstance(entry, dict) else None
        if not isinstance(version, str) or not VERSION_PATTERN.match(version):
            report.add(f"{RELEASES_INDEX}: release #{position} has no valid 'version' ({version!r})")
            continue
        if version in versions:
            report.add(f"{RELEASES_INDEX}: version {version!r} is listed twice")
            continue
        versions.append(version)
        if not (root / version).is_dir():
            report.add(f"{RELEASES_INDEX}: release {version!r} is listed but {version}/ is missing")
            continue
        files = entry.get("files")
        for item in files if isinstance(files, list) else []:
            rel = item.get("path") if isinstance(item, dict) else None
            if not isinstance(rel, str) or not _safe_relative(rel) or not rel.startswith(f"{version}/"):
                report.add(f"{RELEASES_INDEX}: release {version!r} lists an unsafe path {rel!r}")
                continue
            file = root / rel
            if not file.is_file():
                report.add(f"{rel}: listed in {RELEASES_INDEX} but missing")
                continue
            if item.get("bytes") is not None and file.stat().st_size != item["bytes"]:
                report.add(f"{rel}: size {file.stat().st_size} bytes, {RELEASES_INDEX} says {item['bytes']}")
            if item.get("sha256") and sha256_file(file) != item["sha256"]:
                report.add(f"{rel}: sha256 checksum mismatch with {RELEASES_INDEX}")
        release = validate_path(root / version)
        report.problems.extend(f"{version}/{problem}" for problem in release.problems)
        report.checked.extend(f"{version}/{line}" for line in release.checked)
        report.rows += release.rows
    latest = data.get("latest")
    if versions and latest not in versions:
        report.add(f"{RELEASES_INDEX}: latest {latest!r} is not a listed release")
    report.checked.append(f"{RELEASES_INDEX}: {len(versions)} release(s), listed files with sizes and checksums")


def validate_path(path: Path) -> ValidationReport:
    """A release directory, an output directory holding ``releases.json`` (or that file), or one table file."""
    report = ValidationReport(path=str(path))
    if not path.exists():
        report.add(f"{path} does not exist")
        return report
    if path.name == RELEASES_INDEX and path.is_file():
        _check_index(path.parent, report)
        return report
    if path.is_dir() and (path / RELEASES_INDEX).is_file() and not (path / "datapackage.json").exists():
        _check_index(path, report)
        return report
    if path.is_dir():
        package = _check_datapackage(path, report)
        frames: dict[str, pl.DataFrame] = {}
        for name in ("events.parquet", "events.csv"):
            file = path / name
            if not file.exists():
                report.add(f"{name} is missing")
                continue
            frame = _read_table(file, report)
            if frame is not None:
                validate_table(frame, name, report)
                frames[name] = frame
        if package is not None:
            for resource in package.get("resources", []):
                rows = resource.get("rows")
                frame = frames.get(resource.get("path", ""))
                if rows is not None and frame is not None and rows != frame.height:
                    report.add(f"{resource['path']}: {frame.height} rows, datapackage.json says {rows}")
        if len(frames) == 2:
            parquet_ids = frames["events.parquet"]["event_id"].sort().to_list()
            csv_ids = frames["events.csv"]["event_id"].sort().to_list()
            if parquet_ids != csv_ids:
                report.add("events.csv and events.parquet hold different event ids")
        return report
    frame = _read_table(path, report)
    if frame is not None:
        validate_table(frame, path.name, report)
    return report
