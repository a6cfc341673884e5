"""The release's interactive timeline: one self-contained HTML page that opens with no network.

The page embeds plotly.js, a world map (``events/static/world-110m.json``) and the events as one JSON
block in a compact columnar form: one array per field, repeated strings (event types, provinces,
places, names, roles, sources) replaced by indexes into sorted dictionaries. The page's own script
(``events/static/timeline.js``) draws the timeline, the monthly bars, the map and the table from it
with shared arrays (one WebGL trace per colour, never one per event), so 100,000 events stay usable.

Above ``max_points`` events only the most recent ``max_points`` are points; the older ones are
counted per week, province, event type and industry set, so the file stays small (≈ 15 MB at the
default 50,000; ≈ 20 MB for a million events). The table may be a lazy Parquet scan: the older events
are then read a slice of ``STEP_ROWS`` at a time and counted by Polars, never turned into Python
objects, and the page is written to its file in pieces, so memory does not grow with the table.

The output is deterministic: rows are sorted by date then event_id, dictionaries are sorted and the
JSON is written with fixed separators, so the same release gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import polars as pl
import yaml
from plotly.offline import get_plotlyjs

from events.fsutil import write_atomic
from events.schema import polars_schema

#: version of the embedded data layout; the page's script reads this one
DATA_FORMAT = 1
#: above this many events, older events are drawn as weekly counts instead of points
DEFAULT_MAX_POINTS = 50_000
#: weekly counts of the older events switch to monthly ones above this many rows (≈ 20 bytes a row)
DEFAULT_MAX_AGGREGATE_ROWS = 200_000
PRECISIONS = ("day", "month", "year", "approximate")
PARTICIPANT_KINDS = ("person", "organization")
#: used when the table has no date_min/date_max and the date words file gives no window
FALLBACK_APPROXIMATE_DAYS = 14
#: the columns the page shows; ``decode_events`` gives them back
VIEW_COLUMNS = (
    "event_id",
    "title",
    "date",
    "date_precision",
    "event_type",
    "place",
    "admin1",
    "country_code",
    "latitude",
    "longitude",
    "persons",
    "organizations",
    "participants",
    "industries",
    "source_title",
    "source_name",
    "source_url",
    "persons_latin",
)
_LIST_COLUMNS = ("persons", "organizations", "participants", "industries", "persons_latin")
#: the order of the points (the published table's order)
SORT_KEY = ["date", "event_id"]
#: what the events that are not points are counted by
COUNTED_COLUMNS = ("date", "admin1", "event_type", "industries")
#: events read at once when a table is checked and counted (one row group of a published table)
STEP_ROWS = 100_000
_DATA_BLOCK = re.compile(r'<script type="application/json" id="ev-data">(.*?)</script>', re.DOTALL)
_EPOCH = dt.date(1970, 1, 1)

FrameLike = pl.DataFrame | pl.LazyFrame


# ---------------------------------------------------------------------------------------------
# package files


@cache
def _static_text(name: str) -> str:
    return resources.files("events").joinpath("static", name).read_text(encoding="utf-8")


@cache
def _approximate_days() -> int:
    """The window of "recently" in days, as the date resolver uses it (events/data/dates_words.yaml)."""
    try:
        text = resources.files("events").joinpath("data", "dates_words.yaml").read_text(encoding="utf-8")
        return int(yaml.safe_load(text).get("approximate_days", FALLBACK_APPROXIMATE_DAYS))
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return FALLBACK_APPROXIMATE_DAYS


# ---------------------------------------------------------------------------------------------
# encoding


def _view_frame(frame: FrameLike) -> pl.LazyFrame:
    """The shown columns, missing optional ones added empty, empty lists for missing lists (in input order)."""
    lazy = frame.lazy()
    present = lazy.collect_schema()
    schema = polars_schema()
    extra = [
        pl.lit([] if name in _LIST_COLUMNS else None, dtype=schema[name]).alias(name)
        for name in VIEW_COLUMNS
        if name not in present
    ]
    windows = [c for c in ("date_min", "date_max") if c in present]
    view = (lazy.with_columns(extra) if extra else lazy).select([*VIEW_COLUMNS, *windows])
    dtypes = view.collect_schema()
    return view.with_columns(pl.col(c).fill_null(pl.lit([], dtype=dtypes[c])) for c in _LIST_COLUMNS)


def _window_offsets(view: pl.DataFrame) -> tuple[list[int], list[int]]:
    """Days from each event's date to the start and end of the period its date stands for."""
    date = pl.col("date")
    precision = pl.col("date_precision")
    year_start = pl.date(date.dt.year(), 1, 1)
    year_end = pl.date(date.dt.year(), 12, 31)
    approx_low = date - pl.duration(days=_approximate_days())
    approx_high = date
    if "date_min" in view.columns:
        approx_low = pl.coalesce(pl.col("date_min").cast(pl.Date), approx_low)
    if "date_max" in view.columns:
        approx_high = pl.coalesce(pl.col("date_max").cast(pl.Date), approx_high)
    low = (
        pl.when(precision == "month").then(date.dt.month_start())
        .when(precision == "year").then(year_start)
        .when(precision == "approximate").then(approx_low)
        .otherwise(date)
    )
    high = (
        pl.when(precision == "month").then(date.dt.month_end())
        .when(precision == "year").then(year_end)
        .when(precision == "approximate").then(approx_high)
        .otherwise(date)
    )
    offsets = view.select(
        (low - date).dt.total_days().clip(upper_bound=0).alias("lo"),
        (high - date).dt.total_days().clip(lower_bound=0).alias("hi"),
    )
    return offsets["lo"].to_list(), offsets["hi"].to_list()


def _sort_key(values: Sequence[Any]) -> tuple[tuple[bool, Any], ...]:
    """Order tuples that may hold None (first) without comparing None with a value."""
    return tuple((v is not None, v if v is not None else 0) for v in values)


def _index(values: Iterable[Any], key: Any = None) -> dict[Any, int]:
    return {value: i for i, value in enumerate(sorted(set(values), key=key))}


def _clean_float(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _place_key(row: Sequence[Any]) -> tuple[Any, ...] | None:
    place, admin1, country, lat, lon = row
    key = (place, admin1, country, _clean_float(lat), _clean_float(lon))
    return None if all(v is None for v in key) else key


def _in_order(view: pl.LazyFrame, total: int) -> bool:
    """Whether the events are sorted by date then event id already (a published table is), read a slice at a time."""
    date, event_id = pl.col("date"), pl.col("event_id")
    after_previous = ((date > date.shift()) | ((date == date.shift()) & (event_id >= event_id.shift()))).fill_null(True)
    last: tuple[Any, ...] | None = None
    for offset in range(0, total, STEP_ROWS):
        keys = view.slice(offset, STEP_ROWS).select(SORT_KEY).collect()
        if keys.height == 0:
            continue
        if keys["date"].null_count() or keys["event_id"].null_count():
            return False  # nulls sort first: leave those tables to the general case
        if (last is not None and keys.row(0) < last) or not keys.select(after_previous.all()).item():
            return False
        last = keys.row(keys.height - 1)
    return True


def _split(view: pl.LazyFrame, max_points: int) -> tuple[int, pl.DataFrame, list[pl.LazyFrame]]:
    """(events, the ``max_points`` most recent in date order with every shown column, the older ones).

    The older events stay lazy, in slices of at most ``STEP_ROWS`` rows reduced to the columns they are
    counted by. A table already in order (a published one) is cut by position, so a Parquet scan reads
    the shown columns of the points alone and never more than a slice of the others; any other table is
    sorted by its keys first (every event's date and id at once).
    """
    total = view.select(pl.len()).collect().item()
    first = max(total - max_points, 0)
    if _in_order(view, total):
        points = view.slice(first)
        older = [view.slice(offset, min(STEP_ROWS, first - offset)) for offset in range(0, first, STEP_ROWS)]
    else:
        order = view.select(SORT_KEY).with_row_index("_row").sort(SORT_KEY, maintain_order=True).collect()
        rows = view.with_row_index("_row")
        recent = pl.col("_row").is_in(order["_row"].slice(first).implode())
        points = rows.filter(recent).sort(SORT_KEY, maintain_order=True).drop("_row")
        older = [rows.slice(offset, STEP_ROWS).filter(~recent) for offset in range(0, total, STEP_ROWS)]
    return total, points.collect(), [part.select(COUNTED_COLUMNS) for part in older]


@dataclass
class _Tally:
    """What the page needs of the events it does not draw: the distinct values and the counts."""

    types: set[Any] = field(default_factory=set)
    provinces: set[str] = field(default_factory=set)
    industries: set[str] = field(default_factory=set)
    weeks: list[pl.DataFrame] = field(default_factory=list)
    months: list[pl.DataFrame] = field(default_factory=list)

    def add_values(self, events: pl.DataFrame) -> None:
        self.types.update(events["event_type"].unique().to_list())
        self.provinces.update(events["admin1"].drop_nulls().unique().to_list())
        self.industries.update(events["industries"].explode().drop_nulls().unique().to_list())

    def add_counts(self, events: pl.DataFrame) -> None:
        self.add_values(events)
        self.weeks.append(_counts(events, "1w"))
        self.months.append(_counts(events, "1mo"))


_COUNT_KEYS = ["day", "admin1", "event_type", "industries"]


def _counts(events: pl.DataFrame, every: str) -> pl.DataFrame:
    """Events per period, province, event type and industry list (by value; coded afterwards)."""
    day = pl.col("date").dt.truncate(every).cast(pl.Int32).alias("day")
    return events.group_by(day, *_COUNT_KEYS[1:]).agg(pl.len().cast(pl.Int64).alias("count"))


def _merged(parts: list[pl.DataFrame]) -> pl.DataFrame:
    merged = pl.concat(parts)
    return merged.group_by(_COUNT_KEYS).agg(pl.col("count").sum()) if len(parts) > 1 else merged


def _tally(points: pl.DataFrame, older: list[pl.LazyFrame]) -> _Tally:
    """Reads the older events one slice at a time: only a slice's columns and the counts are held."""
    tally = _Tally()
    tally.add_values(points)
    for part in older:
        events = part.collect()
        if events.height:
            tally.add_counts(events)
        del events  # before the next slice is read
    return tally


def _aggregate(tally: _Tally, provinces: dict[str, int], types: dict[str, int],
               industries: dict[str, int], max_rows: int) -> dict[str, Any] | None:
    """Counts of the events not drawn as points, per week (or month when weeks are too many).

    Counted by Polars from the columns alone: only the count rows and the distinct industry lists
    become Python values, never one object per event.
    """
    if not tally.weeks:
        return None
    bucket, counts = "week", _merged(tally.weeks)
    if counts.height > max_rows:
        bucket, counts = "month", _merged(tally.months)
    lists = counts["industries"].unique().to_list()
    coded = [tuple(industries[i] for i in row) for row in lists]
    combo_index = _index(coded)
    combos = pl.DataFrame(
        {"industries": lists, "combo": [combo_index[c] for c in coded]},
        schema={"industries": counts.schema["industries"], "combo": pl.Int32},
    )
    keys = ["day", "province", "type", "industries"]
    rows = counts.join(combos, on="industries", how="left").select(
        pl.col("day"),
        pl.col("admin1").replace_strict(provinces, default=-1, return_dtype=pl.Int32).alias("province"),
        pl.col("event_type").replace_strict(types, return_dtype=pl.Int32).alias("type"),
        pl.col("combo").alias("industries"),
        pl.col("count"),
    ).sort(keys)
    return {
        "bucket": bucket,
        "combos": [list(c) for c in combo_index],
        **{name: rows[name].to_list() for name in (*keys, "count")},
    }


def encode_timeline_data(
    frame: FrameLike,
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    max_aggregate_rows: int = DEFAULT_MAX_AGGREGATE_ROWS,
) -> dict[str, Any]:
    """The page's data: columnar, dictionary-encoded, the most recent ``max_points`` events as points.

    ``frame`` may be lazy (a Parquet scan): then only the points are read whole, the other events
    only by the columns they are counted by.

    Layout (read by events/static/timeline.js): ``dict`` holds sorted dictionaries (event_type,
    province, industry, place as [name, province index, country, lat, lon], name, role, latin,
    source as [title, url, name]); ``events`` holds one array per field, in date order: id, title,
    day (days since 1970-01-01), precision, lo/hi (the date's period as day offsets), type, place,
    industries, participants (flat name/kind/role triples), persons, organizations, latin, source;
    -1 stands for none. ``aggregate`` counts the older events per week (or per month when weeks give
    more than ``max_aggregate_rows`` rows), province, event type and industry set (``combos``).
    """
    if max_points < 1:
        raise ValueError("max_points must be at least 1")
    view = _view_frame(frame)
    total, points, older = _split(view, max_points)

    tally = _tally(points, older)
    types = _index(tally.types)
    provinces = _index(tally.provinces)
    industries = _index(tally.industries)

    place_rows = points.select("place", "admin1", "country_code", "latitude", "longitude").rows()
    place_keys = [_place_key(row) for row in place_rows]
    places = _index((k for k in place_keys if k is not None), key=_sort_key)
    # participants as three parallel list columns: much faster to read than a list of structs
    party = {
        part: points.select(pl.col("participants").list.eval(pl.element().struct.field(part)))
        .to_series().to_list()
        for part in ("name", "kind", "role")
    }
    persons = points["persons"].to_list()
    organizations = points["organizations"].to_list()
    names = _index(
        [n for row in persons for n in row]
        + [n for row in organizations for n in row]
        + [n for row in party["name"] for n in row]
    )
    roles = _index(r for row in party["role"] for r in row if r is not None)
    latin = _index(n for row in points["persons_latin"].to_list() for n in row)
    source_keys = [
        None if all(v is None for v in row) else row
        for row in points.select("source_title", "source_url", "source_name").rows()
    ]
    sources = _index((k for k in source_keys if k is not None), key=_sort_key)
    low, high = _window_offsets(points)
    precision = {p: i for i, p in enumerate(PRECISIONS)}
    kinds = {k: i for i, k in enumerate(PARTICIPANT_KINDS)}

    events = {
        "id": points["event_id"].to_list(),
        "title": points["title"].to_list(),
        "day": points["date"].cast(pl.Int32).to_list(),  # days since 1970-01-01
        "precision": [precision[p] for p in points["date_precision"].to_list()],
        "lo": low,
        "hi": high,
        "type": [types[t] for t in points["event_type"].to_list()],
        "place": [-1 if k is None else places[k] for k in place_keys],
        "industries": [[industries[i] for i in row] for row in points["industries"].to_list()],
        "participants": [  # flat (name, kind, role) triples
            [v for n, k, r in zip(*row, strict=True) for v in (names[n], kinds[k], roles.get(r, -1))]
            for row in zip(party["name"], party["kind"], party["role"], strict=True)
        ],
        "persons": [[names[n] for n in row] for row in persons],
        "organizations": [[names[n] for n in row] for row in organizations],
        "latin": [[latin[n] for n in row] for row in points["persons_latin"].to_list()],
        "source": [-1 if k is None else sources[k] for k in source_keys],
    }
    return {
        "format": DATA_FORMAT,
        "total": total,
        "dict": {
            "event_type": list(types),
            "province": list(provinces),
            "industry": list(industries),
            "precision": list(PRECISIONS),
            "kind": list(PARTICIPANT_KINDS),
            "place": [[k[0], -1 if k[1] is None else provinces[k[1]], k[2], k[3], k[4]] for k in places],
            "name": list(names),
            "role": list(roles),
            "latin": list(latin),
            "source": [list(k) for k in sources],
        },
        "events": events,
        "aggregate": _aggregate(tally, provinces, types, industries, max_aggregate_rows),
    }


def _json_for_script(data: Any) -> str:
    """JSON that can sit inside <script>: no '<' at all, so no '</script>' or '<!--' can end it early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")


def _json_pieces(data: Any, depth: int = 2) -> Iterator[str]:
    """``_json_for_script(data)`` in pieces: objects down to ``depth`` levels are opened here, so no
    string ever holds the whole block (each events column is one piece)."""
    if depth <= 0 or not isinstance(data, dict):
        yield _json_for_script(data)
        return
    yield "{"
    for number, (key, value) in enumerate(data.items()):
        yield f"{',' if number else ''}{_json_for_script(str(key))}:"
        yield from _json_pieces(value, depth - 1)
    yield "}"


# ---------------------------------------------------------------------------------------------
# decoding (the inverse, for checks and for anyone who wants the data back out of a page)


def read_embedded_data(page: str) -> dict[str, Any]:
    match = _DATA_BLOCK.search(page)
    if not match:
        raise ValueError("no events data block in this page")
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def decode_events(data: dict[str, Any]) -> pl.DataFrame:
    """The events drawn as points, back as a table with the columns of ``VIEW_COLUMNS``."""
    d, e = data["dict"], data["events"]
    rows = []
    for i, event_id in enumerate(e["id"]):
        place: list[Any] = d["place"][e["place"][i]] if e["place"][i] >= 0 else [None, -1, None, None, None]
        source: list[Any] = d["source"][e["source"][i]] if e["source"][i] >= 0 else [None, None, None]
        flat = e["participants"][i]
        rows.append({
            "event_id": event_id,
            "title": e["title"][i],
            "date": _EPOCH + dt.timedelta(days=e["day"][i]),
            "date_precision": d["precision"][e["precision"][i]],
            "event_type": d["event_type"][e["type"][i]],
            "place": place[0],
            "admin1": d["province"][place[1]] if place[1] >= 0 else None,
            "country_code": place[2],
            "latitude": place[3],
            "longitude": place[4],
            "persons": [d["name"][n] for n in e["persons"][i]],
            "organizations": [d["name"][n] for n in e["organizations"][i]],
            "participants": [
                {"name": d["name"][flat[j]], "kind": d["kind"][flat[j + 1]],
                 "role": d["role"][flat[j + 2]] if flat[j + 2] >= 0 else None}
                for j in range(0, len(flat), 3)
            ],
            "industries": [d["industry"][n] for n in e["industries"][i]],
            "source_title": source[0],
            "source_name": source[2],
            "source_url": source[1],
            "persons_latin": [d["latin"][n] for n in e["latin"][i]],
        })
    schema = polars_schema()
    return pl.DataFrame(rows, schema={name: schema[name] for name in VIEW_COLUMNS})


# ---------------------------------------------------------------------------------------------
# the page


def _header(meta: dict[str, Any], total: int) -> dict[str, str]:
    name = str(meta.get("name") or "events")
    version = str(meta.get("version") or "")
    articles = int(meta.get("articles") or 0)
    rejects = meta.get("rejects")
    counts = f"{total:,} events from {articles:,} articles"
    if rejects:
        counts += f" ({int(rejects):,} without events)"
    return {
        "page_title": html.escape(f"{name} {version}".strip()),
        "name": html.escape(name),
        "version": html.escape(version),
        "created": html.escape(str(meta.get("created") or "")),
        "counts": html.escape(counts),
    }


def _template_pieces(template: str, values: dict[str, str | Callable[[], Iterable[str]]]) -> Iterator[str]:
    """What ``Template(template).substitute(values)`` gives, in pieces; a callable value is called (and its
    pieces made) only when its placeholder is reached."""
    start = 0
    for match in Template.pattern.finditer(template):
        yield template[start:match.start()]
        start = match.end()
        if match.group("escaped") is not None:
            yield "$"
            continue
        name = match.group("named") or match.group("braced")
        if name is None:
            raise ValueError(f"invalid placeholder in the timeline template at {match.start()}")
        value = values[name]
        if isinstance(value, str):
            yield value
        else:
            yield from value()
    yield template[start:]


@cache
def _geo_json() -> str:
    return _json_for_script({"world_110m": json.loads(_static_text("world-110m.json"))})


def _page_pieces(frame: FrameLike, meta: dict[str, Any], max_points: int, max_aggregate_rows: int) -> Iterator[str]:
    data = encode_timeline_data(frame, max_points=max_points, max_aggregate_rows=max_aggregate_rows)
    values: dict[str, str | Callable[[], Iterable[str]]] = {
        **_header(meta, data["total"]),
        "css": _static_text("timeline.css"),
        "plotly_js": lambda: (get_plotlyjs(),),
        "geo_json": _geo_json(),
        "data_json": lambda: _json_pieces(data),
        "app_js": _static_text("timeline.js"),
    }
    yield from _template_pieces(_static_text("timeline.template.html"), values)


def build_timeline_html(
    frame: FrameLike,
    meta: dict[str, Any],
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    max_aggregate_rows: int = DEFAULT_MAX_AGGREGATE_ROWS,
) -> str:
    """A complete HTML page; deterministic for the same table and metadata."""
    return "".join(_page_pieces(frame, meta, max_points, max_aggregate_rows))


def write_timeline_html(
    path: Path,
    frame: FrameLike,
    meta: dict[str, Any],
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    max_aggregate_rows: int = DEFAULT_MAX_AGGREGATE_ROWS,
) -> int:
    """Write ``build_timeline_html``'s page to ``path`` piece by piece (the page is never one string);
    atomically: a temporary sibling, fsynced, renamed over ``path``. Returns the bytes written."""
    pieces = _page_pieces(frame, meta, max_points, max_aggregate_rows)
    return write_atomic(path, (piece.encode("utf-8") for piece in pieces))
