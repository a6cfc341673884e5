"""Parquet → CSV → read-back is lossless, including awkward names."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from events.schema import Participant, events_to_frame, validate_event
from events.tables import join_list, read_csv, split_list, write_csv_bytes, write_parquet_bytes

FRAGMENTS = [*list("ab ;,\"'()\\\n中国（）·-"), "; ", "\\;", "Wu", "李"]
names = (
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda s: s.strip() == s and s != "")
)


def make_event(persons: list[str], orgs: list[str], roles: list[str | None]) -> object:
    participants = [
        Participant(name=p, kind="person", role=roles[i % len(roles)] if roles else None)
        for i, p in enumerate(persons)
    ] + [Participant(name=o, kind="organization") for o in orgs]
    return validate_event({
        "event_id": "e1", "article_id": "a", "title": "T, \"quoted\"; 标题", "event_type": "signing",
        "date": dt.date(2020, 1, 2), "date_precision": "day", "language": "zh", "evidence": "line1\nline2",
        "extractor_version": "0", "persons": persons, "organizations": orgs, "participants": participants,
        "persons_latin": persons, "published_at": dt.datetime(2020, 1, 3, 4, 5, 6), "latitude": 30.123456789,
        "longitude": 104.1,
    })


@settings(max_examples=150, deadline=None)
@given(
    persons=st.lists(names, max_size=4, unique=True),
    orgs=st.lists(names, max_size=3, unique=True),
    roles=st.lists(st.none() | names, max_size=3),
)
def test_csv_round_trip_is_lossless(persons: list[str], orgs: list[str], roles: list[str | None]) -> None:
    orgs = [o for o in orgs if o not in persons]
    frame = events_to_frame([make_event(persons, orgs, roles)])  # type: ignore[list-item]
    import io

    back = read_csv(io.BytesIO(write_csv_bytes(frame)))
    assert_frame_equal(back.select(frame.columns), frame)


@given(st.lists(names, max_size=5))
def test_join_split_inverse(values: list[str]) -> None:
    assert split_list(join_list(values)) == values


def test_csv_has_bom_and_plain_separator() -> None:
    frame = events_to_frame([make_event(["Yuan Fang", "皮亦鸣"], ["Huawei"], ["mayor"])])  # type: ignore[list-item]
    data = write_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Yuan Fang; 皮亦鸣" in text
    assert "Yuan Fang (mayor); 皮亦鸣 (mayor); Huawei" in text


def test_parquet_bytes_are_deterministic() -> None:
    frame = events_to_frame([make_event(["A"], ["B"], [None])])  # type: ignore[list-item]
    assert write_parquet_bytes(frame) == write_parquet_bytes(frame.clone())
    assert pl.read_parquet(__import__("io").BytesIO(write_parquet_bytes(frame))).equals(frame)
