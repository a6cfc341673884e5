"""Check a published table or a whole release against the contract.

Used by ``events validate`` and by the release tests; every problem is reported with the file, the
column or row and the value, so a user can find and fix it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from events import taxonomy
from events.release import sha256_file
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


def _read_table(path: Path, report: ValidationReport) -> pl.DataFrame | None:
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        if path.suffix == ".csv":
            return read_csv(path)
    except Exception as exc:
        report.add(f"{path.name}: cannot be read as {path.suffix[1:]}: {exc}")
        return None
    report.add(f"{path.name}: unsupported file type (expected .parquet or .csv)")
    return None


def _report_rows(report: ValidationReport, name: str, frame: pl.DataFrame, message: str, column: str) -> None:
    if frame.height == 0:
        return
    shown = frame.head(MAX_REPORTED_PER_CHECK)
    for row in shown.iter_rows(named=True):
        report.add(f"{name}: event {row.get('event_id')!r}: {message} (value {row.get(column)!r})")
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
    _report_rows(report, name, late, "date after the article's publication", "date")
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


def validate_path(path: Path) -> ValidationReport:
    report = ValidationReport(path=str(path))
    if not path.exists():
        report.add(f"{path} does not exist")
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
