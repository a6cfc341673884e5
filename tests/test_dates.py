"""Tests for events.dates: a table of expressions (tests/fixtures/dates/cases.csv), publication lines,
URLs, year inference, properties over random input, and speed."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import dates
from events.dates import DateMention, find_dates, infer_year, parse_datetime_line, resolve_expression

FIXTURES = Path(__file__).parent / "fixtures" / "dates"
FLAGS = ("relative", "future", "year_inferred")


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _cases() -> list[dict[str, str]]:
    with (FIXTURES / "cases.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CASES = _cases()


def test_the_case_table_is_large_and_covers_both_languages() -> None:
    assert len(CASES) >= 60
    assert {case["language"] for case in CASES} == {"en", "zh"}
    assert sum(1 for case in CASES if not case["expected_text"]) >= 15  # things that are not dates


@pytest.mark.parametrize("case", CASES, ids=[f"{c['language']}:{c['text'][:40]}" for c in CASES])
def test_case_table(case: dict[str, str]) -> None:
    years = [int(y) for y in case["text_years"].split(";") if y]
    mentions = find_dates(case["text"], _date(case["published"]), case["language"], text_years=years)
    if not case["expected_text"]:
        assert mentions == [], case["note"]
        return
    by_text = {m.text: m for m in mentions}
    assert case["expected_text"] in by_text, [m.text for m in mentions]
    mention = by_text[case["expected_text"]]
    assert mention.date == _date(case["date"])
    assert mention.precision == case["precision"]
    assert mention.date_min == _date(case["date_min"])
    assert mention.date_max == _date(case["date_max"])
    expected_flags = set(case["flags"].split())
    assert {flag for flag in FLAGS if getattr(mention, flag)} == expected_flags
    assert case["text"][mention.start : mention.end] == mention.text


def test_mentions_come_in_text_order_without_overlap() -> None:
    text = "On July 1, 2019 the mayor met guests; yesterday he left, and on July 3 he returned in 2019."
    mentions = find_dates(text, dt.date(2019, 7, 10), "en")
    assert [m.text for m in mentions] == ["On July 1, 2019", "yesterday", "on July 3", "2019"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


def test_publication_datetime_is_accepted_as_a_date() -> None:
    published = dt.datetime(2019, 7, 11, 14, 29)
    assert find_dates("On July 1, they met.", published, "en")[0].date == dt.date(2019, 7, 1)


# --- resolve_expression -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "language", "published", "expected", "precision"),
    [
        ("On July 1", "en", dt.date(2019, 7, 11), dt.date(2019, 7, 1), "day"),
        ("on Friday", "en", dt.date(2023, 11, 14), dt.date(2023, 11, 10), "day"),
        ("Recently", "en", dt.date(2019, 7, 19), dt.date(2019, 7, 19), "approximate"),
        ("10月29日", "zh", dt.date(2020, 10, 30), dt.date(2020, 10, 29), "day"),
        ("昨日", "zh", dt.date(2019, 11, 22), dt.date(2019, 11, 21), "day"),
        ("日前", "zh", dt.date(2021, 11, 1), dt.date(2021, 11, 1), "approximate"),
        ("from 19-21 September 2015", "en", None, dt.date(2015, 9, 19), "day"),
    ],
)
def test_resolve_expression(
    expression: str, language: str, published: dt.date | None, expected: dt.date, precision: str
) -> None:
    mention = resolve_expression(expression, published, language)
    assert mention is not None
    assert (mention.date, mention.precision) == (expected, precision)


@pytest.mark.parametrize("expression", ["During the visit", "we", "the 14th Five-Year Plan", "Yesterday"])
def test_resolve_expression_without_a_resolvable_date(expression: str) -> None:
    assert resolve_expression(expression, None, "en") is None


# --- parse_datetime_line ----------------------------------------------------------------------------------

UTC10 = dt.timezone(dt.timedelta(hours=10))


@pytest.mark.parametrize(
    ("line", "expected", "text"),
    [
        ("2019-07-11 14:29", dt.datetime(2019, 7, 11, 14, 29), "2019-07-11 14:29"),
        ("Time:2020-06-05  Traffic:", dt.datetime(2020, 6, 5), "2020-06-05"),
        ("【2020-10-30 11:18:10】", dt.datetime(2020, 10, 30, 11, 18, 10), "2020-10-30 11:18:10"),
        ("Release:Chongqing Daily Time:2019-07-19 17:30:36", dt.datetime(2019, 7, 19, 17, 30, 36),
         "2019-07-19 17:30:36"),
        ("Updated : 2018-12-06Source : 市外(侨)办", dt.datetime(2018, 12, 6), "2018-12-06"),
        ("发布时间:2024-06-06 14:44:20", dt.datetime(2024, 6, 6, 14, 44, 20), "2024-06-06 14:44:20"),
        ("发布日期:2024-09-20 09:38信息来源:云上", dt.datetime(2024, 9, 20, 9, 38), "2024-09-20 09:38"),
        ("成都日报 2019-11-22 02:14 大字", dt.datetime(2019, 11, 22, 2, 14), "2019-11-22 02:14"),
        ("14 Nov 2023, 07:01 GMT+10", dt.datetime(2023, 11, 14, 7, 1, tzinfo=UTC10), "14 Nov 2023, 07:01 GMT+10"),
        (" date 2023-09-19 ", dt.datetime(2023, 9, 19), "2023-09-19"),
        ("2019年7月11日 14:29", dt.datetime(2019, 7, 11, 14, 29), "2019年7月11日 14:29"),
        ("Nov. 14, 2023", dt.datetime(2023, 11, 14), "Nov. 14, 2023"),
        ("chinadaily.com.cn | Updated: Sep 18, 2020", dt.datetime(2020, 9, 18), "Sep 18, 2020"),
        ("Published: 2017-09-29  |  source:  |  Views:", dt.datetime(2017, 9, 29), "2017-09-29"),
        ("索引号: 113706000042603877/2019-27636 成文日期: 2019-12-04", dt.datetime(2019, 12, 4), "2019-12-04"),
        ("2023-11-14T07:01:00+08:00", dt.datetime(2023, 11, 14, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
         "2023-11-14T07:01:00+08:00"),
        ("September 18, 2020 10:30 PM", dt.datetime(2020, 9, 18, 22, 30), "September 18, 2020 10:30 PM"),
        ("发布于 2019年07月11日14时29分", dt.datetime(2019, 7, 11, 14, 29), "2019年07月11日14时29分"),
        ("来源:中国新闻网 发布时间:2023-09-20 10:19:16", dt.datetime(2023, 9, 20, 10, 19, 16), "2023-09-20 10:19:16"),
    ],
)
def test_parse_datetime_line(line: str, expected: dt.datetime, text: str) -> None:
    assert parse_datetime_line(line) == (expected, text)


@pytest.mark.parametrize(
    "line",
    ["Size:【 Big Middle Small 】 Print", "version 2019.07", "visited from 19-21 September 2015",
     "2019-02-30 10:00", "7月11日 14:29", "September 2015", ""],
)
def test_parse_datetime_line_needs_a_full_valid_date(line: str) -> None:
    assert parse_datetime_line(line) is None


# --- infer_year ---------------------------------------------------------------------------------------------


def test_infer_year_from_publication() -> None:
    assert infer_year(7, 1, weekday=None, published=dt.date(2019, 7, 11), text_years=()) == (2019, False)
    assert infer_year(11, 20, weekday=None, published=dt.date(2021, 3, 17), text_years=()) == (2020, False)
    assert infer_year(1, 3, weekday=None, published=dt.date(2020, 12, 28), text_years=()) == (2021, False)
    assert infer_year(2, 29, weekday=None, published=dt.date(2023, 3, 1), text_years=()) == (2020, False)


def test_infer_year_from_weekday_within_text_years() -> None:
    # 11 April was a Tuesday in 2017 and 2023; the text speaks of 2015-2018
    assert infer_year(4, 11, weekday=1, published=None, text_years=[2015, 2018]) == (2017, True)
    # no matching year in the window: the nearest one outside it
    assert infer_year(4, 11, weekday=1, published=None, text_years=[2015]) == (2017, True)
    # no text years: the latest year up to MAX_YEAR
    year, guessed = infer_year(4, 11, weekday=1, published=None, text_years=[])
    assert guessed and year <= dates.MAX_YEAR and dt.date(year, 4, 11).weekday() == 1


def test_infer_year_from_text_years_alone() -> None:
    assert infer_year(7, 8, weekday=None, published=None, text_years=[2018, 2019, 2019]) == (2019, True)
    assert infer_year(7, 8, weekday=None, published=None, text_years=[2018, 2019]) == (2019, True)


def test_infer_year_with_nothing_known() -> None:
    with pytest.raises(ValueError):
        infer_year(7, 8, weekday=None, published=None, text_years=[])


# --- properties ---------------------------------------------------------------------------------------------

publication_dates = st.dates(min_value=dt.date(1950, 3, 1), max_value=dt.date(2099, 10, 31))
PAST_EN = ["yesterday", "last Friday", "on Monday", "recently", "earlier this month", "the day before yesterday",
           "last week", "last month", "last year", "three days ago", "over the weekend", "earlier this year"]
PAST_ZH = ["昨日", "昨天", "前天", "上周五", "近日", "日前", "近期", "上周", "上个月", "去年", "今年以来"]


def _within_bounds(mention: DateMention) -> bool:
    low, high = dt.date(dates.MIN_YEAR, 1, 1), dt.date(dates.MAX_YEAR, 12, 31)
    return all(d is None or low <= d <= high for d in (mention.date, mention.date_min, mention.date_max))


@given(published=publication_dates, expression=st.sampled_from(PAST_EN))
def test_past_english_expressions_are_never_after_publication(published: dt.date, expression: str) -> None:
    mentions = find_dates(f"The mayor met the guests {expression}.", published, "en")
    assert len(mentions) == 1
    mention = mentions[0]
    assert mention.date <= published and (mention.date_max or mention.date) <= published
    assert mention.relative and not mention.future


@given(published=publication_dates, expression=st.sampled_from(PAST_ZH))
def test_past_chinese_expressions_are_never_after_publication(published: dt.date, expression: str) -> None:
    mentions = find_dates(f"{expression},市长会见了客人。", published, "zh")
    assert len(mentions) == 1
    mention = mentions[0]
    assert mention.date <= published and (mention.date_max or mention.date) <= published
    assert mention.relative and not mention.future


@given(published=publication_dates, month=st.integers(1, 12), day=st.integers(1, 28),
       language=st.sampled_from(["en", "zh"]))
def test_year_less_dates_stay_close_to_publication(published: dt.date, month: int, day: int, language: str) -> None:
    name = dt.date(2001, month, 1).strftime("%B")
    text = f"The forum was held on {name} {day}." if language == "en" else f"{month}月{day}日,论坛开幕。"
    (mention,) = find_dates(text, published, language)
    assert (mention.date.month, mention.date.day) == (month, day)
    assert published - dt.timedelta(days=366) < mention.date <= published + dates.ROLLBACK_AFTER
    assert mention.future == (mention.date > published + dates.FUTURE_TOLERANCE)
    assert mention.year_inferred and not mention.relative


@given(published=publication_dates, day=st.integers(1, 31))
def test_day_only_is_never_clearly_after_publication(published: dt.date, day: int) -> None:
    mentions = find_dates(f"{day}日上午,市长会见了客人。", published, "zh")
    assert len(mentions) == 1
    assert mentions[0].date.day == day
    assert published - dt.timedelta(days=93) < mentions[0].date <= published + dates.FUTURE_TOLERANCE


@settings(max_examples=300)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("0123456789 -/.,()年月日号周昨今上本下旬初底至on the May July Tuesday in ago ")),
        max_size=60,
    ),
    published=st.one_of(st.none(), st.dates(min_value=dt.date(1949, 1, 1), max_value=dt.date(2100, 12, 31))),
    language=st.sampled_from(["en", "zh"]),
)
def test_any_text_gives_consistent_mentions_within_bounds(
    text: str, published: dt.date | None, language: str
) -> None:
    mentions = find_dates(text, published, language, text_years=[2019])
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert _within_bounds(mention)
        assert mention.precision in ("day", "month", "year", "approximate")
        if mention.date_min is not None and mention.date_max is not None:
            assert mention.date_min <= mention.date <= mention.date_max
        if published is not None and not mention.future:
            assert mention.date <= published + dates.ROLLBACK_AFTER
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


@settings(max_examples=200)
@given(text=st.text(max_size=200), published=st.one_of(st.none(), publication_dates))
def test_arbitrary_unicode_never_raises(text: str, published: dt.date | None) -> None:
    for language in ("en", "zh"):
        for mention in find_dates(text, published, language):
            assert text[mention.start : mention.end] == mention.text
            assert _within_bounds(mention)


# --- dateparser agrees on simple English expressions -------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "published"),
    [("On July 1", dt.date(2019, 7, 11)), ("on May 12", dt.date(2020, 6, 5)), ("last Friday", dt.date(2021, 3, 17)),
     ("yesterday", dt.date(2021, 3, 17)), ("December 1, 2018", dt.date(2018, 12, 6)),
     ("1 December 2018", dt.date(2018, 12, 6))],
)
def test_agrees_with_dateparser(expression: str, published: dt.date) -> None:
    dateparser = pytest.importorskip("dateparser")
    base = dt.datetime.combine(published, dt.time(12))
    settings_ = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    expected = dateparser.parse(expression, languages=["en"], settings=settings_)
    mention = resolve_expression(expression, published, "en")
    assert mention is not None and expected is not None
    assert mention.date == expected.date()


_DATE_SOUP = st.lists(
    st.sampled_from(["2023", "12", "5", "٣", "年", "月", "日", "号", "今年", "上月", "昨", "(", "18", ")", "星期", "周",
                     "三", "一", "September", "Sept.", "on", "On", "of", " ", "the", "3rd", "th", "ago", "days", ".",
                     "-", "Tuesday", "至", "2100", "19"]),
    max_size=14,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_DATE_SOUP)
def test_rules_passed_over_cannot_match(text: str) -> None:
    """A rule is left out of a text only when it cannot match there (no digit, none of the strings it needs)."""
    from events.dates import _DIGIT, _grammar

    grammar = _grammar()
    for rule in (*grammar.numeric, *grammar.chinese, *grammar.english):
        no_digit = rule.needs_digit and _DIGIT.search(text) is None
        no_word = bool(rule.needs) and not any(word in text for word in rule.needs)
        if no_digit or no_word:
            assert rule.pattern.search(text) is None, rule.pattern.pattern
