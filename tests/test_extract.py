"""Whole-article extraction on the project's own fixture articles (other places and names than the
seeds): event segmentation, types, dates, places, people, organizations, industries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("sentence", "language", "types"),
    [
        # the signing happened, the launch is a plan
        ("双方签约后，项目将于年底开工", "zh", {"signing"}),
        ("The two sides signed the agreement, and construction is expected to start in May.", "en", {"signing"}),
        ("The projects, which will create 5,000 jobs, were signed on Monday.", "en", {"signing"}),
        # a speaker's view of the occasion is no new occasion
        ("周强表示，这一次峰会给企业带来了很多机会", "zh", set()),
        ("Mayor Liu said the forum brought many opportunities.", "en", set()),
        # buildings named after occasions
        ("The projects include an international conference and exposition center.", "en", set()),
        ("会议在市会展中心举行", "zh", {"meeting"}),
        ("项目包括会展中心和体育馆", "zh", set()),
        # "announced the start" is the groundbreaking
        ("Mayor Liu attended the ceremony and announced the start of the projects.", "en", {"launch", "announcement"}),
        ("The commencement ceremony of 12 key projects was held.", "en", {"launch"}),
        ("Li Ming met Governor Hans Weber on Monday.", "en", {"talks"}),
        ("Li Ming met the delegation on Monday.", "en", {"talks"}),
        ("宜昌市—襄阳市工作交流会昨天在宜召开", "zh", {"meeting"}),
        # a wish or a directive governs the rest of its sentence
        ("希望两市进一步加深了解，按照签署的合作协议，推动合作走深走实", "zh", set()),
        ("要倒排工期，挂图作战，做到早建成、早投产", "zh", set()),
        ("双方签署了合作协议，希望今后加强交流", "zh", {"signing"}),
        # names of bodies, invitations and directives are no occasions
        ("Wang Hui, vice chairman of the Chinese People's Political Consultative Conference, paid a visit to the park.",
         "en", {"visit"}),
        ("全国政治协商会议委员到园区视察", "zh", {"visit"}),
        ("The two mayors held a bilateral meeting in the afternoon.", "en", {"talks"}),
        ("Mayor Wang invited entrepreneurs to visit Jinhua.", "en", set()),
        ("会议要求，要抓好项目洽谈工作，推进项目早落地、早投产", "zh", {"meeting"}),
    ],
)
def test_occurring_types(sentence: str, language: str, types: set[str]) -> None:
    from events.extract import _occurring_types

    assert _occurring_types(sentence, language) == types


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("HEFEI, Sept. 24 (Xinhua) -- A total of 638 projects were inked at the convention held on Sept. 21.",
         ["on Sept. 21"]),
        ("KUNMING, June 3 (ECNS) -- The fair opened on June 1.", ["on June 1"]),
        ("date 2024-01-04 Lanzhou, China – Groundbreaking events were held on January 2.", ["on January 2"]),
        ("More than 2,000 products were shown, attracting 350,000 visitors as of Sept. 23.", []),
        ("截至9月23日，共签约项目120个。", []),
        ("县委书记宣布全县2021年第一季度重大项目集中开工。", []),
        ("房县举行了2021年春季重大项目集中开工仪式。", []),
        ("The forum was held on Sept. 22 in Hefei.", ["on Sept. 22"]),
    ],
)
def test_datelines_stamps_cutoffs_and_labels_do_not_date_events(sentence: str, kept: list[str]) -> None:
    from events.extract import _sentence_dates
    from events.text import split_sentences

    language = "zh" if "。" in sentence else "en"
    (only,) = split_sentences(sentence)
    found = _sentence_dates([only], dt.date(2024, 9, 24), language, [2024])
    assert [d.text for d in found[0]] == kept


def test_a_line_holding_only_a_date_dates_the_next_one() -> None:
    from events.schema import Article

    article = Article(
        article_id="bare", source_path="bare.txt", language="zh", title="市委书记到开发区调研",
        published_at=None,
        text="7月19日上午\n市委书记王建国到开发区调研在建项目。\n市领导李红参加调研。",
    )
    (event,) = extract_events(article)
    assert (event.event_type, event.date.strftime("%m-%d"), event.date_text) == ("visit", "07-19", "7月19日上午")


def test_project_talks_at_a_conference_are_part_of_it() -> None:
    from events.schema import Article

    article = Article(
        article_id="promo", source_path="promo.txt", language="zh", title="泉州（深圳）招商推介会举行",
        published_at=dt.datetime(2021, 6, 9),
        text="6月8日下午，泉州（深圳）招商推介会在深圳举行。\n推介会还吸引了多个项目前来洽谈，现场签约项目12个。",
    )
    assert sorted(e.event_type for e in extract_events(article)) == ["conference", "signing"]


@pytest.mark.parametrize(
    ("sentence", "language", "refers"),
    [
        ("此次来宜考察交流，是代表团赴襄阳后安排的一项重要行程。", "zh", True),
        ("This visit to Shanghai is the first by a Hamburg mayor since 2015.", "en", True),
        ("次日，代表团考察了产业园。", "zh", False),
        ("周强对王林一行到访表示欢迎。", "zh", True),
        ("The delegation then visited the port.", "en", False),
    ],
)
def test_this_visit_refers_to_the_reported_occasion(sentence: str, language: str, refers: bool) -> None:
    from events.extract import _refers_back

    assert _refers_back(sentence, language) is refers


@pytest.mark.parametrize(
    ("language", "text", "place"),
    [
        ("zh", "6月5日，中国五矿董事长在集团总部会见了来访的洛阳市委书记一行。", "Beijing"),
        ("en", "On June 5, the chairman of Chinalco met the mayor of Luoyang and his delegation at the group's "
               "headquarters.", "Beijing"),
        ("zh", "6月5日，中国一汽董事长在集团总部会见了来访的洛阳市市长一行。", "Changchun"),
        # a headquarters that is the subject of an agreement is no venue
        ("zh", "6月5日，洛阳市与中国五矿在洛阳签订区域总部战略合作协议。", "Luoyang"),
    ],
)
def test_meetings_at_a_company_headquarters(language: str, text: str, place: str) -> None:
    from events.schema import Article

    article = Article(article_id="hq", source_path="hq.txt", language=language, title=None,
                      published_at=dt.datetime(2024, 6, 6), text=text)
    assert extract_events(article)[0].place == place


def test_traditional_articles_keep_their_script() -> None:
    (event,) = events_of("zh_traditional_lanzhou_talks")
    assert event.evidence.startswith("7月12日下午,市委副書記")
    assert dict(zip(event.persons, event.persons_latin, strict=True))["張偉文"] == "Zhang Weiwen"
    assert {p.role for p in event.participants if p.name == "張偉文"} == {"市委副書記、市長"}


def test_seed_articles_are_not_taken_for_traditional() -> None:
    from events.text import is_traditional

    for path in sorted(Path(__file__).parents[1].joinpath("seeds").glob("*.txt")):
        assert not is_traditional(path.read_text(encoding="utf-8")), path.name


_TRIGGER_SOUP = st.lists(
    st.sampled_from(["met", "Met", "MET", "Mayor", "the", "with", "meeting", "Meeting", "between", "signed", "MoU",
                     "MOU", "was", "signing", "Consultative", "Conference", "conference", "and", "exhibition",
                     "center", "visit", "to", "paid", "a", "İ", "ſigned", "talks", "investment", "promotion", ",",
                     ".", " ", "  ", "\n", "groundbreaking", "opening", "ceremony", "Zhang"]),
    max_size=30,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=_TRIGGER_SOUP)
def test_trigger_scan_equals_one_scan_per_type(text: str) -> None:
    """The one lower-case scan finds exactly what scanning with each type's own pattern finds."""
    from events.extract import _triggers, _types_in

    patterns = _triggers().by_language["en"]
    expected = tuple(sorted((m.start(), t) for t, p in patterns.items() for m in p.finditer(text)))
    assert _types_in.__wrapped__(text, "en") == expected


_ZH_TRIGGER_SOUP = st.lists(
    st.sampled_from(["峰会", "论坛", "博览会", "中心", "会议", "协商", "考察", "组", "季", "节", "能", "签约", "协议",
                     "开工", "发布了", "会见", "到访", "一行", "，", "。", "在", "沈阳", "举行", "调研", "要", "将"]),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_ZH_TRIGGER_SOUP)
def test_chinese_trigger_scan_equals_the_combined_pattern(text: str) -> None:
    """Trying the combined pattern only where a trigger word begins finds what its finditer finds."""
    from events.extract import _combined_trigger, _types_in

    expected = tuple((m.start(), m.lastgroup or "") for m in _combined_trigger("zh").finditer(text))
    assert _types_in.__wrapped__(text, "zh") == expected


@settings(max_examples=300, deadline=None)
@given(text=_TRIGGER_SOUP | _ZH_TRIGGER_SOUP)
def test_prefilter_never_hides_a_match(text: str) -> None:
    """Where a pattern matches, the cheap check that it may match says so."""
    from events.extract import _ATTENDANCE, _HEADQUARTERS, _may_match, _triggers

    triggers = _triggers()
    patterns = [_ATTENDANCE, _HEADQUARTERS, *triggers.delegation["en"].values(), *triggers.delegation["zh"].values()]
    for lang in ("en", "zh"):
        patterns += [triggers.not_occurrence[lang], triggers.speech[lang], triggers.plan_forward[lang]]
    for pattern in patterns:
        if pattern.search(text):
            assert _may_match(pattern, text), pattern.pattern


def test_signers_at_a_conference_take_part_in_it_and_later_mentions_refer_back() -> None:
    from events.schema import Article

    article = Article(
        article_id="conf", source_path="conf.txt", language="en", title="Mayors gather in Ningbo",
        published_at=dt.datetime(2024, 5, 21),
        text=(
            "Mayors from 12 countries attended the Ningbo International Port Cities Forum on May 20.\n"
            "At the opening ceremony, Anna Weber, mayor of Rostock, and Tang Fei, mayor of Ningbo, signed a "
            "memorandum of understanding on port cooperation.\n"
            "During the forum, Ningbo also signed a letter of intent for friendly exchanges with Porto in Portugal."
        ),
    )
    found = {e.event_type: e for e in extract_events(article)}
    assert sorted(found) == ["conference", "signing"]
    assert {"Anna Weber", "Tang Fei"} <= set(found["conference"].persons)
    assert found["signing"].place == "Ningbo"


def test_a_venue_given_right_after_the_lead_places_the_main_event() -> None:
    from events.schema import Article

    article = Article(
        article_id="venue", source_path="venue.txt", language="en", title="Baise signs projects with Bay Area firms",
        published_at=dt.datetime(2021, 9, 25),
        text=(
            "Baise signed four projects with enterprises from the Greater Bay Area at a promotion conference held "
            "on Sept 24.\nThe promotion conference was held by the regional committee and the regional government "
            "in Guangzhou."
        ),
    )
    assert {e.place for e in extract_events(article)} == {"Guangzhou"}


@pytest.mark.parametrize(
    ("language", "text", "cities", "orgs"),
    [
        ("zh", "5月6日至9日，县委书记王林率队到苏州、中山、南宁等地，"
               "先后考察了苏州华兴电子、中山明达家具、广西桂信置业等企业。",
         ["Suzhou", "Zhongshan", "Nanning"],
         {"Suzhou": ["苏州华兴电子"], "Zhongshan": ["中山明达家具"], "Nanning": ["广西桂信置业"]}),
        ("en", "From May 6 to 9, Mayor Wang Lin went to Yichang in Hubei, Baoji in Shaanxi and Quanzhou in Fujian and "
               "visited the Yichang Sanxia Cable Co., Shaanxi Qinling Brake Co. and Quanzhou Haixi Textile Co.",
         ["Yichang", "Baoji", "Quanzhou"], None),
    ],
)
def test_a_trip_to_listed_cities_is_one_visit_per_city(
    language: str, text: str, cities: list[str], orgs: dict[str, list[str]] | None
) -> None:
    from events.schema import Article

    article = Article(article_id="trip", source_path="trip.txt", language=language, title=None,
                      published_at=dt.datetime(2023, 5, 12), text=text)
    found = extract_events(article)
    assert [e.place for e in found] == cities and {e.event_type for e in found} == {"visit"}
    assert len({e.event_id for e in found}) == len(found)
    if orgs is not None:
        assert {e.place: e.organizations for e in found} == orgs


@pytest.mark.parametrize(
    ("text", "expected"), [("12月5日，市长会见了来访的客人。", "12-05"), ("11月19日，市长会见了来访的客人。", "11-19")]
)
def test_an_undated_page_is_never_dated_after_the_reference_day(text: str, expected: str) -> None:
    from events import REFERENCE_DATE
    from events.schema import Article

    article = Article(article_id="u", source_path="u.txt", language="zh", title="市长会见客人", published_at=None,
                      text=text)
    (event,) = extract_events(article)
    assert event.date <= REFERENCE_DATE and event.date.strftime("%m-%d") == expected
    assert REFERENCE_DATE - event.date < dt.timedelta(days=366)
