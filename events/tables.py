"""Reading and writing the events table in its published formats (Parquet and CSV).

CSV layout (documented in docs/columns.md): UTF-8 with BOM; dates ISO 8601; list columns joined with
``"; "``; ``participants`` as ``name (role)`` items. Inside an item, a backslash escapes ``\\``,
``;``, ``(`` and ``)`` so that names containing them survive a round trip; readers that ignore the
escapes (a spreadsheet, the scorer) still see the names.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import polars as pl

from events.schema import LIST_SEPARATOR, list_columns, polars_schema

_ESCAPE = re.compile(r"([\\;()])")
_SPLIT = re.compile(r"(?<!\\)(?:\\\\)*; ")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _split_items(cell: str | None) -> list[str]:
    if not cell:
        return []
    items: list[str] = []
    start = 0
    for match in _SPLIT.finditer(cell):
        end = match.end() - len(LIST_SEPARATOR)
        items.append(cell[start:end])
        start = match.end()
    items.append(cell[start:])
    return items


def join_list(values: list[str] | None) -> str:
    return LIST_SEPARATOR.join(_escape(v) for v in values or [])


def join_participants(values: list[dict[str, Any]] | None) -> str:
    items = []
    for p in values or []:
        role = p.get("role")
        items.append(_escape(p["name"]) + (f" ({_escape(role)})" if role else ""))
    return LIST_SEPARATOR.join(items)


def split_list(cell: str | None) -> list[str]:
    return [_unescape(item) for item in _split_items(cell)]


def split_participants(cell: str | None, persons: list[str]) -> list[dict[str, Any]]:
    out = []
    for item in _split_items(cell):
        match = re.fullmatch(r"(.*?) \(((?:[^()\\]|\\.)*)\)", item, flags=re.DOTALL)
        name, role = (match.group(1), _unescape(match.group(2))) if match else (item, None)
        name = _unescape(name)
        out.append({"name": name, "kind": "person" if name in persons else "organization", "role": role})
    return out


def sort_events(df: pl.DataFrame) -> pl.DataFrame:
    return df.sort(["date", "event_id"])


def _escaped(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"([\\;()])", r"\$1")


def to_csv_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The table as CSV cells: list columns joined, dates and timestamps ISO 8601 (vectorised)."""
    exprs = []
    for name in df.columns:
        dtype = df.schema[name]
        if name == "participants":
            item = pl.element()
            role = item.struct.field("role")
            cell = pl.concat_str(
                [
                    _escaped(item.struct.field("name")),
                    pl.when(role.is_not_null() & (role != ""))
                    .then(pl.concat_str([pl.lit(" ("), _escaped(role), pl.lit(")")]))
                    .otherwise(pl.lit("")),
                ]
            )
            exprs.append(pl.col(name).list.eval(cell).list.join(LIST_SEPARATOR).fill_null("").alias(name))
        elif isinstance(dtype, pl.List):
            exprs.append(
                pl.col(name).list.eval(_escaped(pl.element())).list.join(LIST_SEPARATOR).fill_null("").alias(name)
            )
        elif isinstance(dtype, pl.Datetime):
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%dT%H:%M:%S").alias(name))
        elif isinstance(dtype, pl.Date):
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d").alias(name))
        elif isinstance(dtype, pl.Float64):
            # Python's shortest round-trip repr: deterministic and lossless
            exprs.append(pl.col(name).map_elements(repr, return_dtype=pl.String).alias(name))
        else:
            exprs.append(pl.col(name))
    if df.height == 0:
        return pl.DataFrame(schema={n: pl.String for n in df.columns})
    return df.select(exprs)


def write_csv_bytes(df: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    to_csv_frame(df).write_csv(buffer, quote_style="necessary", line_terminator="\n")
    return b"\xef\xbb\xbf" + buffer.getvalue()


def write_parquet_bytes(df: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.write_parquet(buffer, compression="zstd", compression_level=3, statistics=True)
    return buffer.getvalue()


def read_csv(path: Path | io.BytesIO) -> pl.DataFrame:
    """Read a published CSV back into the typed table (inverse of write_csv_bytes)."""
    raw = pl.read_csv(path, infer_schema_length=0, encoding="utf8")
    if raw.columns and raw.columns[0].startswith("\ufeff"):
        raw = raw.rename({raw.columns[0]: raw.columns[0].lstrip("\ufeff")})
    schema = polars_schema()
    rows = []
    lists = set(list_columns())
    for record in raw.iter_rows(named=True):
        row: dict[str, Any] = {}
        for name, value in record.items():
            if name not in schema:
                continue
            if name == "participants":
                continue
            if name in lists:
                row[name] = split_list(value)
            else:
                row[name] = value
        if "participants" in record:
            row["participants"] = split_participants(record["participants"], row.get("persons", []))
        rows.append(row)
    frame = pl.DataFrame(rows, schema={n: pl.String if n not in lists else schema[n] for n in raw.columns
                                       if n in schema})
    casts = []
    for name in frame.columns:
        dtype = schema[name]
        if isinstance(dtype, pl.Date):
            casts.append(pl.col(name).str.to_date("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            casts.append(pl.col(name).str.to_datetime("%Y-%m-%dT%H:%M:%S", time_unit="us"))
        elif isinstance(dtype, pl.Float64):
            casts.append(pl.col(name).cast(pl.Float64))
        else:
            casts.append(pl.col(name))
    return frame.select(casts)
