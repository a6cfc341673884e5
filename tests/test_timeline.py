"""The timeline page's data: round trip, determinism, aggregation, offline embedding (no browser here).

``synthetic_frame`` is also used by tests/test_timeline_browser.py and benchmarks/bench_timeline.py.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import tracemalloc
import unicodedata
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from events import timeline
from events.schema import events_to_frame, polars_schema, validate_event
from events.taxonomy import event_type_slugs, industry_slugs

# (place, admin1, country_code, latitude, longitude, location_precision)
PLACES: list[tuple[str | None, str | None, str | None, float | None, float | None, str | None]] = [
    ("Zhuhai", "Guangdong", "CN", 22.271, 113.5767, "city"),
    ("Foshan", "Guangdong", "CN", 23.0215, 113.1214, "city"),
    ("Wuhan", "Hubei", "CN", 30.5928, 114.3055, "city"),
    ("Xiangyang", "Hubei", "CN", 32.009, 112.1224, "city"),
    ("Hubei", "Hubei", "CN", 30.9756, 112.2707, "province"),
    ("Suzhou", "Jiangsu", "CN", 31.299, 120.5853, "city"),
    ("Changzhou", "Jiangsu", "CN", 31.8107, 119.9741, "city"),
    ("Xi'an", "Shaanxi", "CN", 34.3416, 108.9398, "city"),
    ("Xiamen", "Fujian", "CN", 24.4798, 118.0894, "city"),
    ("Nanning", "Guangxi", "CN", 22.817, 108.3665, "city"),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", 45.764, 4.8357, "city"),
    (None, None, None, None, None, None),
]
# (name as written, pinyin or the same name, role)
PEOPLE = [
    ("周海涛", "Zhou Haitao", "Secretary of the Municipal Party Committee"),
    ("韩静怡", "Han Jingyi", "mayor"),
    ("邓国梁", "Deng Guoliang", "chairman"),
    ("蒋立新", "Jiang Lixin", None),
    ("吕晓峰", "Lü Xiaofeng", "vice governor"),
    ("Amara Okonkwo", "Amara Okonkwo", "chief executive"),
    ("Henrik Solberg", "Henrik Solberg", None),
]
ORGANIZATIONS = ["Lingxi Semiconductor Co., Ltd.", "华川新能源集团", "Northwind Logistics",
                 "东岳智能装备有限公司"]
PRECISIONS = ["day"] * 6 + ["month", "year", "approximate"]


def synthetic_events(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` plausible event rows (validated against the contract), the same for the same seed."""
    rng = random.Random(seed)
    types = sorted(event_type_slugs())
    industries = sorted(industry_slugs())
    start = dt.date(2021, 1, 4)
    rows = []
    for k in range(n):
        place, admin1, country, lat, lon, precision = rng.choice(PLACES)
        people = rng.sample(PEOPLE, rng.choice([0, 1, 1, 2, 3]))
        orgs = rng.sample(ORGANIZATIONS, rng.choice([0, 1, 1, 2]))
        chinese = bool(people) and not people[0][0].isascii()
        who = people[0][0] if people else (orgs[0] if orgs else "代表团" if chinese else "A delegation")
        if chinese:
            title = f"{who}{rng.choice(['调研', '会见', '出席签约仪式'])}{orgs[0] if orgs else '企业'}"
        else:
            title = f"{who} {rng.choice(['visits', 'meets', 'signs with'])} {orgs[0] if orgs else 'partners'}"
        date_precision = rng.choice(PRECISIONS)
        date = start + dt.timedelta(days=rng.randrange(0, 1100))
        if date_precision == "month":
            date = date.replace(day=1)
        elif date_precision == "year":
            date = date.replace(month=1, day=1)
        article = k // 2
        has_source = article % 5 != 0
        rows.append(
            validate_event({
                "event_id": f"ev{k:07d}",
                "article_id": f"art_{article:06d}",
                "title": title,
                "event_type": rng.choice(types),
                "date": date,
                "date_precision": date_precision,
                "date_text": None,
                "place": place,
                "admin1": admin1,
                "country_code": country,
                "latitude": lat,
                "longitude": lon,
                "location_precision": precision,
                "persons": [p[0] for p in people],
                "organizations": orgs,
                "participants": [{"name": p[0], "kind": "person", "role": p[2]} for p in people]
                + [{"name": o, "kind": "organization", "role": None} for o in orgs],
                "industries": rng.sample(industries, rng.choice([0, 1, 1, 2, 3])),
                "language": "zh" if chinese else "en",
                "source_title": f"Industry news {article}" if has_source else None,
                "source_name": "Example Daily" if has_source else None,
                "source_url": f"https://news.example.org/{article}.html" if has_source else None,
                "evidence": title,
                "extractor_version": "test",
                "persons_latin": [p[1] for p in people],
            }).model_dump()
        )
    return rows


def synthetic_frame(n: int, seed: int = 7) -> pl.DataFrame:
    events = (validate_event(row) for row in synthetic_events(n, seed))
    return events_to_frame(events).sort(["date", "event_id"])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def expected_search(frame: pl.DataFrame, query: str) -> pl.DataFrame:
    """The rows the page's search keeps: every word of the query in title, names or pinyin (folded)."""
    tokens = _fold(query).split()

    def haystack(row: dict[str, Any]) -> str:
        parts = [row["title"], *row["persons"], *row["organizations"]]
        parts += [p["name"] for p in row["participants"]]
        for latin in row["persons_latin"]:
            parts += [latin, re.sub(r"[\s'’-]+", "", latin)]
        return _fold("\n".join(parts))

    keep = [all(t in haystack(row) for t in tokens) for row in frame.iter_rows(named=True)]
    return frame.filter(pl.Series(keep, dtype=pl.Boolean))


META = {"name": "events", "version": "9.9.9", "created": "2024-05-06 07:08 UTC", "articles": 321,
        "rejects": 4}


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return synthetic_frame(240)


# ---------------------------------------------------------------------------------------------
# the embedded data gives the table back


def test_embedded_data_round_trips_to_the_table(frame: pl.DataFrame) -> None:
    page = timeline.build_timeline_html(frame, META)
    decoded = timeline.decode_events(timeline.read_embedded_data(page))
    assert_frame_equal(decoded, frame.select(timeline.VIEW_COLUMNS))


def test_input_order_does_not_matter_and_output_is_byte_stable(frame: pl.DataFrame) -> None:
    first = timeline.build_timeline_html(frame, META)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    assert shuffled["event_id"].to_list() != frame["event_id"].to_list()
    assert timeline.build_timeline_html(shuffled, META) == first
    assert timeline.build_timeline_html(frame, META) == first


def test_dictionaries_are_sorted_and_complete(frame: pl.DataFrame) -> None:
    data = timeline.encode_timeline_data(frame)
    d = data["dict"]
    for key in ("event_type", "province", "industry", "name", "role", "latin"):
        assert d[key] == sorted(set(d[key])), key
    assert d["province"] == sorted({v for v in frame["admin1"].to_list() if v is not None})
    assert set(d["event_type"]) == set(frame["event_type"].to_list())
    assert data["total"] == frame.height == len(data["events"]["id"])
    assert data["aggregate"] is None
    # every column array has one entry per event
    assert {len(v) for v in data["events"].values()} == {frame.height}


@pytest.mark.parametrize(
    ("precision", "date", "window"),
    [
        ("day", dt.date(2023, 5, 17), (0, 0)),
        ("month", dt.date(2023, 2, 1), (0, 27)),
        ("month", dt.date(2024, 2, 1), (0, 28)),
        ("year", dt.date(2022, 1, 1), (0, 364)),
        ("approximate", dt.date(2023, 5, 17), (-14, 0)),
    ],
)
def test_date_windows_follow_the_precision(precision: str, date: dt.date, window: tuple[int, int]) -> None:
    row = synthetic_events(1)[0] | {"date": date, "date_precision": precision}
    data = timeline.encode_timeline_data(events_to_frame([validate_event(row)]))
    assert (data["events"]["lo"][0], data["events"]["hi"][0]) == window


def test_explicit_date_window_columns_are_used_for_approximate_dates() -> None:
    row = synthetic_events(1)[0] | {"date": dt.date(2023, 5, 17), "date_precision": "approximate"}
    frame = events_to_frame([validate_event(row)]).with_columns(
        pl.lit(dt.date(2023, 5, 15)).alias("date_min"), pl.lit(dt.date(2023, 5, 21)).alias("date_max")
    )
    data = timeline.encode_timeline_data(frame)
    assert (data["events"]["lo"][0], data["events"]["hi"][0]) == (-2, 4)


# ---------------------------------------------------------------------------------------------
# above the threshold: the most recent events as points, the rest as counts


def test_threshold_keeps_the_most_recent_points_and_counts_the_rest(frame: pl.DataFrame) -> None:
    data = timeline.encode_timeline_data(frame, max_points=90)
    points = timeline.decode_events(data)
    assert_frame_equal(points, frame.tail(90).select(timeline.VIEW_COLUMNS))
    assert data["total"] == frame.height

    aggregate = data["aggregate"]
    assert aggregate["bucket"] == "week"
    d = data["dict"]
    got = pl.DataFrame({
        "week": [dt.date(1970, 1, 1) + dt.timedelta(days=x) for x in aggregate["day"]],
        "admin1": [d["province"][p] if p >= 0 else None for p in aggregate["province"]],
        "event_type": [d["event_type"][t] for t in aggregate["type"]],
        "industries": [[d["industry"][i] for i in aggregate["combos"][c]] for c in aggregate["industries"]],
        "count": aggregate["count"],
    })
    older = frame.head(frame.height - 90)
    expected = (
        older.with_columns(pl.col("date").dt.truncate("1w").alias("week"))
        .group_by(["week", "admin1", "event_type", "industries"])
        .agg(pl.len().cast(pl.Int64).alias("count"))
    )
    keys = ["week", "admin1", "event_type", "industries"]
    assert_frame_equal(got.sort(keys), expected.select(got.columns).sort(keys))
    assert sum(aggregate["count"]) == frame.height - 90
    assert all(day % 7 == 4 for day in aggregate["day"])  # Mondays: 1970-01-05 is day 4


def test_aggregate_falls_back_to_months_when_weeks_are_too_many(frame: pl.DataFrame) -> None:
    data = timeline.encode_timeline_data(frame, max_points=10, max_aggregate_rows=50)
    assert data["aggregate"]["bucket"] == "month"
    assert sum(data["aggregate"]["count"]) == frame.height - 10
    assert all((dt.date(1970, 1, 1) + dt.timedelta(days=x)).day == 1 for x in data["aggregate"]["day"])


def test_max_points_must_be_positive(frame: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="max_points"):
        timeline.encode_timeline_data(frame, max_points=0)


# ---------------------------------------------------------------------------------------------
# the page


def test_header_has_name_version_date_counts_and_relative_downloads(frame: pl.DataFrame) -> None:
    page = timeline.build_timeline_html(frame, META)
    header = page[page.index("<header"):page.index("</header>")]
    assert "events" in header and "9.9.9" in header and "2024-05-06 07:08 UTC" in header
    assert "240 events from 321 articles (4 without events)" in header
    for name in ("events.csv", "events.parquet", "datapackage.json"):
        assert f'href="{name}"' in header


def test_page_is_self_contained(frame: pl.DataFrame) -> None:
    page = timeline.build_timeline_html(frame, META)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", page, re.I)
    assert "@import" not in page and "@font-face" not in page
    assert 'id="ev-geo">{"world_110m":{"type":"Topology"' in page
    assert "Plotly" in page and "installWorldMap" in page and "ev-table" in page
    assert page.count("<script") == page.count("</script>") == 4


def test_hostile_text_cannot_break_out_of_the_data_block() -> None:
    row = synthetic_events(1)[0] | {"title": "</script><script>alert(1)</script><!-- x", "source_url": None}
    page = timeline.build_timeline_html(events_to_frame([validate_event(row)]), META)
    block = page[page.index('id="ev-data">'):]
    block = block[: block.index("</script>")]
    assert "<" not in block.removeprefix('id="ev-data">')
    assert timeline.decode_events(timeline.read_embedded_data(page))["title"].to_list() == [row["title"]]


def test_empty_release_gives_a_working_page() -> None:
    empty = pl.DataFrame(schema=polars_schema())
    page = timeline.build_timeline_html(empty, META | {"articles": 0})
    data = timeline.read_embedded_data(page)
    assert data["total"] == 0 and data["aggregate"] is None and data["events"]["id"] == []
    assert timeline.decode_events(data).height == 0
    assert "0 events from 0 articles" in page


@pytest.mark.parametrize(
    "missing", [["persons_latin"], ["participants", "source_name"], ["latitude", "longitude"]]
)
def test_frames_without_some_columns_still_build(frame: pl.DataFrame, missing: list[str]) -> None:
    decoded = timeline.decode_events(timeline.encode_timeline_data(frame.drop(missing)))
    for name in missing:
        empty: list[Any] | None = [] if name in ("persons_latin", "participants") else None
        assert decoded[name].to_list() == [empty] * frame.height
    kept = [c for c in timeline.VIEW_COLUMNS if c not in missing]
    assert_frame_equal(decoded.select(kept), frame.select(kept))


# ---------------------------------------------------------------------------------------------
# large tables: lazy input, counts made by Polars, the page written in pieces


def _reference_aggregate(frame: pl.DataFrame, max_points: int, every: str) -> dict[str, Any]:
    """The counts as the first implementation made them: one Python tuple per older event."""
    data = timeline.encode_timeline_data(frame)  # every event a point: gives the full dictionaries
    d = data["dict"]
    provinces = {p: i for i, p in enumerate(d["province"])}
    types = {t: i for i, t in enumerate(d["event_type"])}
    industries = {s: i for i, s in enumerate(d["industry"])}
    older = frame.sort(["date", "event_id"]).head(frame.height - max_points)
    days = older.select(pl.col("date").dt.truncate(every).cast(pl.Int32))["date"].to_list()
    combos = [tuple(industries[i] for i in row) for row in older["industries"].to_list()]
    combo_index = {c: i for i, c in enumerate(sorted(set(combos)))}
    counts: dict[tuple[int, int, int, int], int] = {}
    for day, admin1, event_type, combo in zip(days, older["admin1"].to_list(), older["event_type"].to_list(), combos,
                                              strict=True):
        key = (day, -1 if admin1 is None else provinces[admin1], types[event_type], combo_index[combo])
        counts[key] = counts.get(key, 0) + 1
    rows = sorted(counts.items())
    return {
        "combos": [list(c) for c in combo_index],
        **{name: [key[n] for key, _ in rows] for n, name in enumerate(("day", "province", "type", "industries"))},
        "count": [count for _, count in rows],
    }


@pytest.mark.parametrize(("max_points", "max_rows", "bucket", "every"), [(60, 10_000, "week", "1w"),
                                                                        (25, 100, "month", "1mo")])
@pytest.mark.parametrize("step", [50, 100_000])
def test_counts_equal_counting_every_event_in_python(frame: pl.DataFrame, max_points: int, max_rows: int,
                                                     bucket: str, every: str, step: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline, "STEP_ROWS", step)
    data = timeline.encode_timeline_data(frame, max_points=max_points, max_aggregate_rows=max_rows)
    assert data["aggregate"] == {"bucket": bucket, **_reference_aggregate(frame, max_points, every)}


@pytest.mark.parametrize("step", [37, 100_000])
def test_a_parquet_scan_gives_the_same_page_sorted_or_not(frame: pl.DataFrame, tmp_path: Path, step: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    expected = timeline.build_timeline_html(frame, META, max_points=70)
    monkeypatch.setattr(timeline, "STEP_ROWS", step)  # the older events are read in slices of this many
    frame.write_parquet(tmp_path / "sorted.parquet", row_group_size=50)
    frame.sample(fraction=1.0, shuffle=True, seed=5).write_parquet(tmp_path / "shuffled.parquet")
    for name in ("sorted.parquet", "shuffled.parquet"):
        assert timeline.build_timeline_html(pl.scan_parquet(tmp_path / name), META, max_points=70) == expected


def test_data_block_is_the_json_of_the_encoded_data(frame: pl.DataFrame) -> None:
    page = timeline.build_timeline_html(frame, META, max_points=50)
    data = timeline.encode_timeline_data(frame, max_points=50)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
    assert f'<script type="application/json" id="ev-data">{text}</script>' in page


def test_write_timeline_html_writes_the_page_atomically(frame: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "timeline.html"
    written = timeline.write_timeline_html(path, frame, META, max_points=30)
    expected = timeline.build_timeline_html(frame, META, max_points=30).encode("utf-8")
    assert path.read_bytes() == expected and written == len(expected)
    with pytest.raises(ValueError):  # fails while writing: the old page stays
        timeline.write_timeline_html(path, frame, META | {"articles": "many"})
    assert path.read_bytes() == expected
    assert [p.name for p in tmp_path.iterdir()] == ["timeline.html"]


def _many_events(frame: pl.DataFrame, copies: int) -> pl.DataFrame:
    """``copies`` copies of ``frame`` with distinct ids: many events, few distinct count rows."""
    return pl.concat([frame.with_columns(pl.col("event_id") + f"-{k:04d}") for k in range(copies)])


def test_counting_older_events_makes_no_python_object_per_event(frame: pl.DataFrame) -> None:
    many = _many_events(frame, 500)  # 120,000 events
    timeline.encode_timeline_data(many.head(1000), max_points=100)  # caches, imports
    tracemalloc.start()
    try:
        data = timeline.encode_timeline_data(many.lazy(), max_points=100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data["total"] == many.height and sum(data["aggregate"]["count"]) == many.height - 100
    # one str or list per older event would be several MB; the counts rows are a few thousand
    assert peak < 3_000_000, peak
