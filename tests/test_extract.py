"""Whole-article extraction on the project's own fixture articles (other places and names than the
seeds): event segmentation, types, dates, places, people, organizations, industries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from events.extract import extract_events
from events.ingest import read_articles
from events.schema import Event

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
EXPECTED: dict[str, list[dict[str, Any]]] = yaml.safe_load((FIXTURES / "expected.yaml").read_text("utf-8"))


def events_of(name: str) -> list[Event]:
    path = FIXTURES / f"{name}.txt"
    (article,) = list(read_articles(path, FIXTURES))
    assert not hasattr(article, "reason"), article
    return extract_events(article)  # type: ignore[arg-type]


def matches(event: Event, expected: dict[str, Any]) -> bool:
    if event.event_type != expected["event_type"]:
        return False
    if "date" in expected and event.date != expected["date"]:
        return False
    return "month_day" not in expected or event.date.strftime("%m-%d") == expected["month_day"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_article(name: str) -> None:
    found = events_of(name)
    assert len(found) == len(EXPECTED[name]), [(e.event_type, e.date) for e in found]
    for expected in EXPECTED[name]:
        event = next((e for e in found if matches(e, expected)), None)
        assert event is not None, (expected, [(e.event_type, e.date) for e in found])
        if "place" in expected:
            assert event.place == expected["place"]
        if "admin1" in expected:
            assert event.admin1 == expected["admin1"]
        assert set(expected.get("persons", [])) <= set(event.persons), event.persons
        assert not set(expected.get("not_persons", [])) & set(event.persons)
        everyone = {p for e in found for p in e.persons}
        assert set(expected.get("article_persons", [])) <= everyone, everyone
        for org in expected.get("organizations", []):
            assert any(org in o for o in event.organizations), event.organizations
        assert not set(expected.get("not_organizations", [])) & set(event.organizations)
        assert set(expected.get("industries", [])) <= set(event.industries), event.industries
        if "weekday" in expected:
            assert event.date.weekday() == expected["weekday"]
        assert event.evidence and event.evidence in " ".join(event.evidence.split("\n"))


def test_event_ids_are_stable_and_unique() -> None:
    first = [e.event_id for e in events_of("en_qingdao_talks_signing")]
    second = [e.event_id for e in events_of("en_qingdao_talks_signing")]
    assert first == second and len(set(first)) == len(first)


def test_chinese_persons_have_pinyin() -> None:
    (event,) = events_of("zh_luoyang_talks")
    latin = dict(zip(event.persons, event.persons_latin, strict=True))
    assert latin["徐衣显"] == "Xu Yixian"


def test_plans_are_not_events() -> None:
    from events.schema import Article

    article = Article(
        article_id="plan", source_path="plan.txt", language="en", title="City to host expo",
        published_at=dt.datetime(2022, 5, 1),
        text="The city will hold an investment fair on June 20, 2022, the organisers said on Friday.",
    )
    assert all(e.date <= dt.date(2022, 5, 1) for e in extract_events(article))


@pytest.mark.parametrize(
    ("url", "place"),
    [
        ("http://english.luoyang.gov.cn/news/2020/1.html", "Luoyang"),
        ("https://www.wuhan.gov.cn/sy/whyw/202101/t20210101_1.shtml", "Wuhan"),
        ("https://www.example.com/lanzhou/news.html", None),
        ("http://en.dl.gov.cn/Government/1.jhtml", None),
        (None, None),
    ],
)
def test_place_from_government_site(url: str | None, place: str | None) -> None:
    from events.extract import _place_from_site

    found = _place_from_site(url)
    assert (found[0].name if found else None) == place


def test_an_announced_plan_gives_no_event() -> None:
    from events.schema import Article

    article = Article(
        article_id="plan2", source_path="plan2.txt", language="en", title="Harbin to host trade fair",
        published_at=dt.datetime(2021, 3, 1),
        text="The Harbin trade fair will be held on July 15, 2031, the organisers said.",
    )
    assert extract_events(article) == []
