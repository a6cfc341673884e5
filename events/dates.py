"""Temporal expressions in English and Chinese news text, resolved against the publication date.

Everything is done with precompiled patterns built once from ``events/data/dates_words.yaml``:
dateparser misreads Chinese dates (``10月29日`` -> None, years taken from ``年`` with spaces) and its
``search_dates`` finds "dates" in words such as "we" or "14th", so it is not used here.

Conventions (the published ``date``/``date_precision`` columns follow them):

* A date without a year takes the year that puts it on or before the publication date, unless that
  would push it back more than ~2 months, in which case it stays ahead of the publication date and is
  flagged ``future`` (a plan). Day-only expressions ("26日", "the 18th") take the publication month, or
  the previous month when that would be after the publication date.
* "recently", 近日, 日前 … are ``approximate``: dated at the publication date with a window before it.
* Months and years are dated at their first day with ``date_min``/``date_max`` spanning them.
* Without a publication date, relative expressions ("yesterday", "on Tuesday") are not returned and
  year-less dates take their year from :func:`infer_year` (the years written in the text, and the
  weekday when one is given), or are dropped when the text has no year at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

import ahocorasick
import yaml

from events.text import pattern_needs

MIN_YEAR = 1949
MAX_YEAR = 2100
#: a date this far after publication is a plan, not a report (time zones and late posting need slack)
FUTURE_TOLERANCE = dt.timedelta(days=2)
#: a year-less date further ahead of publication than this belongs to the previous year
ROLLBACK_AFTER = dt.timedelta(days=61)

_MIN_DATE = dt.date(MIN_YEAR, 1, 1)
_MAX_DATE = dt.date(MAX_YEAR, 12, 31)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A temporal expression found in a text and the date it stands for."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: str  # "day" | "month" | "year" | "approximate"
    date_min: dt.date | None = None
    date_max: dt.date | None = None
    relative: bool = False
    future: bool = False
    year_inferred: bool = False


# ---------------------------------------------------------------------------------------------------
# Word lists


@cache
def _words() -> dict[str, Any]:
    text = resources.files("events").joinpath("data/dates_words.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@dataclass(frozen=True, slots=True)
class _Relative:
    kind: str
    offset: int
    future: bool


def _relative_table(language: str) -> dict[str, _Relative]:
    table: dict[str, _Relative] = {}
    for entry in _words()[language]["relative"]:
        rule = _Relative(entry["kind"], int(entry.get("offset", 0)), bool(entry.get("future", False)))
        for phrase in entry["phrases"]:
            table[_squash(phrase)] = rule
    return table


def _squash(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation, longest first so that "Sept" is tried before "Sep"."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _english_phrase(phrase: str) -> str:
    """A phrase with a case-free first letter and flexible spaces ("[Ll]ast\\s+week")."""
    head, tail = phrase[0], phrase[1:]
    first = f"[{head.upper()}{head.lower()}]" if head.isalpha() else re.escape(head)
    return first + r"\s+".join(re.escape(part) for part in tail.split(" "))


def _english_alternation(phrases: Iterable[str]) -> str:
    return "|".join(_english_phrase(p) for p in sorted(set(phrases), key=lambda w: (-len(w), w)))


def _cased(words: Iterable[str]) -> list[str]:
    """Title case and upper case: month and weekday names are capitalised ("may" is a verb)."""
    out: list[str] = []
    for word in words:
        out += [word, word.upper()]
    return out


# ---------------------------------------------------------------------------------------------------
# Calendar helpers


def _as_date(value: dt.date | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _in_range(*dates: dt.date | None) -> bool:
    return all(d is None or _MIN_DATE <= d <= _MAX_DATE for d in dates)


def _rolled_year(month: int, day: int, published: dt.date) -> int | None:
    """The latest year that puts month/day no more than ROLLBACK_AFTER after publication."""
    limit = published + ROLLBACK_AFTER
    for year in range(published.year + 1, published.year - 9, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= limit:
            return year
    return None


def _weekday_matches(year: int, month: int, day: int, weekday: int) -> bool:
    try:
        return dt.date(year, month, day).weekday() == weekday
    except ValueError:
        return False


def infer_year(
    month: int,
    day: int,
    *,
    weekday: int | None,
    published: dt.date | None,
    text_years: Sequence[int],
) -> tuple[int, bool]:
    """The year of a year-less month/day, and whether it is a guess (True) rather than read off the
    publication date (False).

    With a publication date: the latest year putting the date at most ~2 months after publication.
    Without one: a weekday (0 = Monday) picks the most recent year in the window of ``text_years``
    (or up to MAX_YEAR when there are none) in which month/day falls on that weekday, else the
    nearest such year outside the window; without a weekday, the most frequent (then latest) text year.
    Raises ValueError when nothing is known.
    """
    published = _as_date(published)
    if published is not None:
        year = _rolled_year(month, day, published)
        if year is None:
            raise ValueError(f"no valid year for {month}/{day}")
        return year, False
    years = [y for y in text_years if MIN_YEAR <= y <= MAX_YEAR]
    if weekday is not None:
        low, high = (min(years), max(years)) if years else (MIN_YEAR, MAX_YEAR)
        for year in range(high, low - 1, -1):
            if _weekday_matches(year, month, day, weekday):
                return year, True
        for distance in range(1, 29):  # the weekday calendar repeats within 28 years
            for year in (high + distance, low - distance):
                if MIN_YEAR <= year <= MAX_YEAR and _weekday_matches(year, month, day, weekday):
                    return year, True
    if years:
        counts = Counter(years)
        return max(counts, key=lambda y: (counts[y], y)), True
    raise ValueError("no publication date, weekday or text year to infer a year from")


# ---------------------------------------------------------------------------------------------------
# Resolution context and mention construction


class _Context(NamedTuple):
    """What a handler resolves against (a named tuple: built once per text, cheaper than a frozen dataclass)."""

    text: str
    published: dt.date | None
    text_years: tuple[int, ...]


def _mention(
    ctx: _Context,
    start: int,
    end: int,
    date: dt.date | None,
    precision: str,
    *,
    date_min: dt.date | None = None,
    date_max: dt.date | None = None,
    relative: bool = False,
    future: bool = False,
    year_inferred: bool = False,
) -> DateMention | None:
    if date is None or not _in_range(date, date_min, date_max):
        return None
    if ctx.published is not None and not future:
        future = (date_min or date) > ctx.published + FUTURE_TOLERANCE
    return DateMention(
        start, end, ctx.text[start:end], date, precision, date_min, date_max, relative, future, year_inferred
    )


def _year_less(ctx: _Context, month: int, day: int, weekday: int | None = None) -> dt.date | None:
    """Resolve month/day without a year, or None when no year can be had."""
    if ctx.published is None and not ctx.text_years:
        return None
    try:
        year, _ = infer_year(month, day, weekday=weekday, published=ctx.published, text_years=ctx.text_years)
    except ValueError:
        return None
    return _safe_date(year, month, day)


def _day_of_recent_month(ctx: _Context, day: int) -> dt.date | None:
    """A bare day of the month: the publication month, or an earlier one if it would be after publication."""
    published = ctx.published
    if published is None or not 1 <= day <= 31:
        return None
    limit = published + FUTURE_TOLERANCE
    for back in range(0, 4):
        year, month = _shift_month(published.year, published.month, -back)
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= limit:
            return candidate
    return None


def _explicit_or_year_less(
    ctx: _Context, year: int | None, month: int, day: int, weekday: int | None = None
) -> tuple[dt.date | None, bool]:
    if year is not None:
        return _safe_date(year, month, day), False
    return _year_less(ctx, month, day, weekday), True


def _range_end(start: dt.date, month: int, day: int) -> dt.date | None:
    """The end of a range written without its own year: same year, or the next one (Dec 30 - Jan 2)."""
    end = _safe_date(start.year, month, day)
    if end is not None and end < start:
        end = _safe_date(start.year + 1, month, day)
    return end


def _window(year: int, month: int, part: str) -> tuple[dt.date, dt.date] | None:
    """Early/middle/late part of a month (上旬/中旬/下旬, early/mid/late, 初/底)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = {"early": (1, 10), "mid": (11, 20), "late": (21, last)}[part]
    return dt.date(year, month, first_day), dt.date(year, month, last_day)


def _month_mention(
    ctx: _Context, start: int, end: int, year: int, month: int, part: str | None, **flags: Any
) -> DateMention | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if part is None:
        first = dt.date(year, month, 1)
        return _mention(ctx, start, end, first, "month", date_min=first, date_max=_month_end(year, month), **flags)
    window = _window(year, month, part)
    if window is None:
        return None
    return _mention(ctx, start, end, window[0], "approximate", date_min=window[0], date_max=window[1], **flags)


def _year_less_month(ctx: _Context, month: int) -> int | None:
    if ctx.published is None and not ctx.text_years:
        return None
    try:
        return infer_year(month, 1, weekday=None, published=ctx.published, text_years=ctx.text_years)[0]
    except ValueError:
        return None


def _year_mention(ctx: _Context, start: int, end: int, year: int, **flags: Any) -> DateMention | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    first = dt.date(year, 1, 1)
    return _mention(ctx, start, end, first, "year", date_min=first, date_max=dt.date(year, 12, 31), **flags)


def _relative_mention(ctx: _Context, start: int, end: int, rule: _Relative) -> DateMention | None:
    published = ctx.published
    if published is None:
        return None
    flags: dict[str, Any] = {"relative": True, "future": rule.future}
    kind, offset = rule.kind, rule.offset
    try:
        if kind == "day":
            return _mention(ctx, start, end, published + dt.timedelta(days=offset), "day", **flags)
        if kind == "recent":
            low = published - dt.timedelta(days=int(_words()["approximate_days"]))
            return _mention(ctx, start, end, published, "approximate", date_min=low, date_max=published, **flags)
        if kind == "this_week":
            low = _monday(published)
            return _mention(ctx, start, end, published, "approximate", date_min=low, date_max=published, **flags)
        if kind == "week":
            low = _monday(published) + dt.timedelta(weeks=offset)
            high = low + dt.timedelta(days=6)
            return _mention(ctx, start, end, low, "approximate", date_min=low, date_max=high, **flags)
        if kind == "weekend":
            saturday = published - dt.timedelta(days=(published.weekday() - 5) % 7)
            high = min(saturday + dt.timedelta(days=1), published)
            return _mention(ctx, start, end, saturday, "approximate", date_min=saturday, date_max=high, **flags)
        if kind == "month_so_far":
            low = published.replace(day=1)
            return _mention(ctx, start, end, published, "approximate", date_min=low, date_max=published, **flags)
        if kind == "year_so_far":
            low = published.replace(month=1, day=1)
            return _mention(ctx, start, end, published, "approximate", date_min=low, date_max=published, **flags)
        if kind == "month":
            year, month = _shift_month(published.year, published.month, offset)
            return _month_mention(ctx, start, end, year, month, None, **flags)
        if kind == "year":
            return _year_mention(ctx, start, end, published.year + offset, **flags)
    except (OverflowError, ValueError):
        return None
    raise ValueError(f"unknown relative kind {kind!r}")


def _weekday_date(published: dt.date, weekday: int, modifier: str) -> tuple[dt.date, bool]:
    """Resolve a weekday: plain -> most recent on/before publication; "last" -> strictly before;
    "this" -> in the publication week; "previous week" (上周) -> in the week before; "next" -> after."""
    if modifier == "last":
        back = (published.weekday() - weekday) % 7 or 7
        return published - dt.timedelta(days=back), False
    if modifier == "this":
        return _monday(published) + dt.timedelta(days=weekday), False
    if modifier == "previous_week":
        return _monday(published) - dt.timedelta(days=7 - weekday), False
    if modifier == "next_week":
        return _monday(published) + dt.timedelta(days=7 + weekday), True
    if modifier == "next":
        ahead = (weekday - published.weekday()) % 7 or 7
        return published + dt.timedelta(days=ahead), True
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7), False


# ---------------------------------------------------------------------------------------------------
# Patterns
#
# Every pattern starts with a token the regex engine can jump to (a month or weekday name, a digit, a
# Chinese literal): a leading lookbehind or optional prefix would make it try every position of the
# text, ~50 times slower. Words before the token ("on", "in", "last", 上, 本) are checked by looking
# back from the match, with small patterns anchored at its start.

_Handler = Callable[[re.Match[str], "_Context"], list[DateMention | None]]

_YEAR = r"(?:1[89]\d\d|20\d\d|2100)(?!\d)"
_DAY = r"\d\d?(?:st|nd|rd|th)?(?![A-Za-z\d])"
_RANGE_EN = r"(?:-|–|—|to|until|till|through)"
_RANGE_ZH = r"(?:至|到|-|–|—|~|～)"
_ZH_N = "[\\d一二三四五六七八九十]"
_ZH_NUMBER = f"{_ZH_N}{_ZH_N}?{_ZH_N}?"
_ZH_Y = "[\\d〇零○一二三四五六七八九]"
_ZH_YEAR = f"{_ZH_Y}{_ZH_Y}{{3}}"
_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_YEAR_OFFSETS = {"今年": 0, "本年": 0, "去年": -1, "前年": -2, "明年": 1}
_ZH_PART_WINDOWS = {"上旬": "early", "初": "early", "中旬": "mid", "下旬": "late", "底": "late", "末": "late"}
_ZH_WEEK_MODIFIERS = {"上个": "previous_week", "上": "previous_week", "本": "this", "这个": "this", "这": "this",
                      "下个": "next_week", "下": "next_week"}
_EN_PARTS_OF_MONTH = {"early": "early", "beginning of": "early", "start of": "early", "mid": "mid",
                      "late": "late", "end of": "late"}
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _zh_int(text: str) -> int:
    """Arabic or Chinese numerals: "29", "二十九", "十", "二〇二〇" (digit by digit)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_ZH_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[units] if units else 0)


def _group_int(match: re.Match[str], name: str) -> int | None:
    value = match.group(name)
    if value is None:
        return None
    try:
        return _zh_int(value)
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: _Handler
    not_after: str = ""  # characters that may not stand just before a match
    #: every match holds a decimal digit (``\\d``): a text without one is not scanned
    needs_digit: bool = False
    #: strings one of which every match holds (a few; empty when unknown or too many to test one by one)
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Grammar:
    months: dict[str, int]
    weekdays: dict[str, int]
    number_words: dict[str, int]
    en_relative: dict[str, _Relative]
    en_phrases: Any  # ahocorasick.Automaton over lower-case English relative phrases
    zh_relative: dict[str, _Relative]
    zh_not_before: dict[str, str]
    zh_not_after: dict[str, tuple[str, ...]]
    english: tuple[_Rule, ...]
    chinese: tuple[_Rule, ...]
    numeric: tuple[_Rule, ...]
    # look-back patterns, searched with endpos = start of a match
    month_context: re.Pattern[str]
    year_context: re.Pattern[str]
    weekday_modifier: re.Pattern[str]
    ago_count: re.Pattern[str]
    the_before: re.Pattern[str]
    en_day_part: re.Pattern[str]
    zh_follow: re.Pattern[str]


def _month_alternation(months: dict[Any, list[str]]) -> str:
    """Flat alternation of month names and abbreviations (flat so the engine can skip ahead)."""
    return _alternation(_cased(name for names in months.values() for name in names))


@cache
def _grammar() -> _Grammar:
    words = _words()
    en, zh = words["en"], words["zh"]
    months = {name.lower(): int(m) for m, names in en["months"].items() for name in names}
    weekdays = {name.lower(): int(w) for w, names in en["weekdays"].items() for name in names}
    mon = f"(?:{_month_alternation(en['months'])})(?![A-Za-z])"
    wd = f"(?:{_alternation(_cased(n for names in en['weekdays'].values() for n in names))})(?![A-Za-z])"
    en_parts = _alternation(en["day_parts"])
    zh_parts = _alternation(zh["day_parts"])
    zh_follow = _alternation(zh["day_only_followers"])
    year_tail = rf"(?:(?:\s*,\s*|\s+)(?P<y>{_YEAR}))?"

    english = (
        # July 1 / July 1, 2019 / Nov. 14, 2023 / September 28th / April 11 (Tuesday) / September 20 to 23 /
        # September 28 - October 2 / September 2015 / December of 2019 / (in) July
        _Rule(re.compile(
            rf"(?P<m>{mon})(?:\.?\s*(?P<d>{_DAY})"
            rf"(?:\s*{_RANGE_EN}\s*(?:(?P<m2>{mon})\.?\s*)?(?P<d2>{_DAY}))?{year_tail}"
            rf"(?:\s*\(\s*(?P<w>{wd})\s*\))?"
            rf"|\.?\s*(?:,|\s+of)?\s+(?P<y2>{_YEAR}))?"
        ), _en_month_led),
        # 1 December 2018 / 17th September / 17th of September / 19-21 September 2015 / 28 September to 2 October
        _Rule(re.compile(
            rf"(?P<d>{_DAY})(?:\s+(?:of\s+)?(?P<m>{mon})\.?"
            rf"(?:\s*{_RANGE_EN}\s*(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{mon})\.?)?"
            rf"|\s*{_RANGE_EN}\s*(?P<d2b>{_DAY})\s+(?:of\s+)?(?P<m2b>{mon})\.?){year_tail}"
        ), _en_day_led, _DIGITS + ".,:/-", needs_digit=True),
        # the 18th / the 18th of this month (the "the" is checked by look-back)
        _Rule(re.compile(
            r"(?P<d>\d\d?)(?:st|nd|rd|th)(?:\s+of\s+(?P<which>this|last|the)\s+month)?"
            rf"(?=\s*$|\s*[,.;:!?)]|\s+(?:{_alternation(en['ordinal_day_followers'])})(?![A-Za-z]))"
        ), _en_ordinal_day, _DIGITS, needs_digit=True),
        # on Tuesday / last Friday / Tuesday afternoon / Tuesday (Apr 11) / Tuesday, April 11, 2017
        _Rule(re.compile(
            rf"(?P<w>{wd})(?:\s+(?P<part>{en_parts})(?![A-Za-z]))?"
            rf"(?:\s*(?:,\s*|\(\s*)(?:(?P<m>{mon})\.?\s*(?P<d>{_DAY})|(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{mon})\.?)"
            rf"{year_tail}(?:\s*\))?)?"
        ), _en_weekday, _LETTERS),
        # on 9.24 / on the afternoon of 9.24 (month.day, as Chinese sites write it in English; only after on/of)
        _Rule(re.compile(
            # the look-behind follows "on "/"of " (four back: the character before them) so that the pattern
            # starts with a character class the engine can jump to
            r"[Oo][nf] (?<![A-Za-z]...)(?P<m>1[0-2]|0?[1-9])\.(?P<d>3[01]|[12]\d|0?[1-9])"
            r"(?=\s*[,;:)]|\s+(?:the|a|an|at|in|when|morning|afternoon|evening)\b|\s*$)"
        ), _en_numeric_month_day, "", needs_digit=True),
        # three days ago / a week ago (the count is checked by look-back)
        _Rule(re.compile(r"ago(?![A-Za-z])"), _en_ago, _LETTERS),
        # in 2019 / by 2025 / for 2019 and 2020 (the context word is checked by look-back)
        _Rule(re.compile(rf"(?P<y>{_YEAR})(?![%.,]\d)(?!\s*(?:%|percent|per\s+cent|[-–—~]\s*\d{{4}}))"), _en_year,
              _LETTERS + _DIGITS + ".,:/–—~", needs_digit=True),
    )

    day_tail = (
        rf"\s*(?P<d>{_ZH_NUMBER})\s*(?:[日号]|(?=\s*{_RANGE_ZH}))"
        rf"(?:\s*{_RANGE_ZH}\s*(?:(?P<m2>{_ZH_NUMBER})\s*月\s*)?(?P<d2>{_ZH_NUMBER})\s*[日号])?"
        r"(?:\s*[(（]?\s*(?:星期|周|礼拜)(?P<w>[一二三四五六日天])\s*[)）]?)?"
        rf"(?P<part>{zh_parts})?"
    )
    month_rest = rf"(?P<m>{_ZH_NUMBER})\s*月(?:{day_tail}|(?P<fen>份)?(?P<mpart>上旬|中旬|下旬|初|底|末)?)"
    year_part = r"(?P<ypart>初(?!步)|底|末|上半年|下半年|第?[一二三四1-4]季度)"
    chinese = (
        # 2020年10月29日 / 2020年 10月 29日 / 2024年9月 / 2024年10月上旬 / 2024年 / 2019年底
        _Rule(re.compile(rf"(?P<y>{_ZH_YEAR})\s*年(?!代|历史|之久)(?:\s*{month_rest}|{year_part})?"), _zh_date,
              _DIGITS + "-–—~～至到"),
        # 今年3月15日 / 去年12月 / 明年下半年
        _Rule(re.compile(rf"(?P<yrel>今年|本年|去年|前年|明年)(?:\s*{month_rest}|年?{year_part})"), _zh_date),
        # 10月29日 / 4月24日晚 / 5月15日至17日 / 10月29日(星期四) / 10月上旬 / 3月份
        _Rule(re.compile(month_rest), _zh_date, _DIGITS + "年第"),
        # 26日下午 / 15日至17日
        _Rule(re.compile(
            rf"(?P<d>\d\d?)\s*(?:(?:[日号]\s*)?{_RANGE_ZH}\s*(?P<d2>\d\d?)\s*)?[日号]"
            rf"(?:(?P<part>{zh_parts})|(?={zh_follow})|$)"
        ), _zh_day_only, _DIGITS + "月年/.-:：第个至到~～—–", needs_digit=True),
        # 本月18日 / 本月下旬 / 上月底
        _Rule(re.compile(
            rf"(?P<mrel>本月|当月|这个月|上月|上个月|下月|下个月)(?:(?P<d>\d\d?)\s*[日号](?P<part>{zh_parts})?"
            r"|(?P<mpart>上旬|中旬|下旬|初|底|末))"
        ), _zh_month_relative),
        # 昨(18)日
        _Rule(re.compile(rf"(?P<rel>昨|今|前)\s*[(（]\s*(?P<d>\d\d?)\s*[)）]\s*[日天](?P<part>{zh_parts})?"),
              _zh_day_only, needs_digit=True),
        # 周五 / 星期二 / 上周五 / 本周三 (the modifier is checked by look-back)
        _Rule(re.compile(rf"(?P<unit>星期|礼拜|周)(?P<w>[一二三四五六日天])(?![年岁])(?P<part>{zh_parts})?"),
              _zh_weekday),
        # 昨日 / 近日 / 日前 / 上周 / 今年 ...
        _Rule(re.compile(rf"(?P<phrase>{_alternation(_relative_table('zh'))})(?P<part>{zh_parts})?"),
              _zh_relative),
    )

    numeric = (
        _Rule(re.compile(
            rf"(?P<y>{_YEAR})(?P<sep>[-/.])(?P<m>\d\d?)(?P=sep)(?P<d>\d\d?)(?!\d)(?![-/.]\d)"
        ), _numeric_date, _DIGITS + "./-", needs_digit=True),
    )

    phrases = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    en_relative = _relative_table("en")
    for phrase in en_relative:
        phrases.add_word(phrase, phrase)
    phrases.make_automaton()

    numbers = _alternation(en["number_words"])
    return _Grammar(
        months=months,
        weekdays=weekdays,
        number_words={k.lower(): int(v) for k, v in en["number_words"].items()},
        en_relative=en_relative,
        en_phrases=phrases,
        zh_relative=_relative_table("zh"),
        zh_not_before={k: str(v) for k, v in (zh.get("not_preceded_by") or {}).items()},
        zh_not_after={k: tuple(v) for k, v in (zh.get("not_followed_by") or {}).items()},
        english=tuple(map(_with_needs, english)),
        chinese=tuple(map(_with_needs, chinese)),
        numeric=tuple(map(_with_needs, numeric)),
        month_context=re.compile(rf"(?<![A-Za-z])(?P<ctx>{_english_alternation(en['month_context'])})[-\s]+$"),
        year_context=re.compile(
            rf"(?<![A-Za-z])(?:{_english_alternation(en['year_context'])})[-\s]+(?:the\s+year\s+(?:of\s+)?)?"
            rf"(?:{_YEAR}\s*(?:,|and|or|to|-|–|—)\s*)*$"
        ),
        weekday_modifier=re.compile(r"(?<![A-Za-z])(?P<mod>[Ll]ast|[Tt]his|[Nn]ext|[Pp]ast)\s+$"),
        ago_count=re.compile(
            rf"(?<![A-Za-z\d])(?P<n>\d\d?|{_english_alternation(numbers.split('|'))})\s+"
            r"(?P<unit>day|week|month|year)s?\s+$"
        ),
        the_before=re.compile(r"(?<![A-Za-z])[Tt]he\s+$"),
        en_day_part=re.compile(rf"\s+(?P<part>{en_parts})(?![A-Za-z])"),
        zh_follow=re.compile(zh_follow),
    )


#: more strings than this are cheaper to leave to the pattern's own scan
_MAX_NEEDS = 8


def _with_needs(rule: _Rule) -> _Rule:
    """The rule with the few strings one of which its every match holds ("年", "月", "星期|礼拜|周"), so that a
    substring test can pass over a text the pattern cannot match."""
    needs = pattern_needs(rule.pattern.pattern)
    if needs is None or len(needs) > _MAX_NEEDS:
        return rule
    return replace(rule, needs=tuple(sorted(needs)))


def _look_back(pattern: re.Pattern[str], text: str, start: int, reach: int = 40) -> re.Match[str] | None:
    return pattern.search(text, max(0, start - reach), start)


# ---------------------------------------------------------------------------------------------------
# English handlers


def _month_number(match: re.Match[str], name: str) -> int | None:
    value = match.group(name)
    return None if value is None else _grammar().months.get(value.lower())


def _day_number(match: re.Match[str], name: str) -> int | None:
    value = match.group(name)
    if value is None:
        return None
    day = int(value.rstrip("stndrh"))
    return day if 1 <= day <= 31 else None


def _year_number(match: re.Match[str], name: str) -> int | None:
    value = match.group(name)
    return int(value) if value is not None else None


def _range(
    ctx: _Context, start: int, end: int, year: int | None, month1: int, day1: int, month2: int, day2: int
) -> DateMention | None:
    if month1 == month2 and day1 >= day2:
        return None
    if year is not None and (month2, day2) < (month1, day1):  # "28 December to 2 January 2016"
        first, inferred = _safe_date(year - 1, month1, day1), False
        last = _safe_date(year, month2, day2)
    else:
        first, inferred = _explicit_or_year_less(ctx, year, month1, day1)
        last = _range_end(first, month2, day2) if first else None
    if first is None or last is None or (last - first).days > 62:
        return None
    return _mention(ctx, start, end, first, "day", date_min=first, date_max=last, year_inferred=inferred)


def _en_month_led(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    month = _month_number(match, "m")
    if month is None:
        return []
    day = _day_number(match, "d")
    if day is not None:
        year = _year_number(match, "y")
        day2 = _day_number(match, "d2")
        if day2 is not None:
            month2 = _month_number(match, "m2") or month
            return [_range(ctx, match.start(), match.end(), year, month, day, month2, day2)]
        weekday = _grammar().weekdays.get((match.group("w") or "").lower())
        date, inferred = _explicit_or_year_less(ctx, year, month, day, weekday)
        return [_mention(ctx, match.start(), match.end(), date, "day", year_inferred=inferred)]
    if match.group("d") is not None:
        return []
    before = _look_back(_grammar().month_context, ctx.text, match.start())
    context = _squash(before.group("ctx")) if before else None
    context_start = before.start() if before else match.start()
    part = _EN_PARTS_OF_MONTH.get(context or "")
    year = _year_number(match, "y2")
    if year is not None:  # September 2015 / early September 2015
        return [_month_mention(ctx, context_start if part else match.start(), match.end(), year, month, part)]
    if context is None or match.group("m").lower() not in _full_month_names():
        return []  # "May" alone is a verb; "Mar" alone is not a month
    return _bare_month(ctx, match, month, context, part, context_start)


@cache
def _full_month_names() -> frozenset[str]:
    return frozenset(names[0].lower() for names in _words()["en"]["months"].values())


def _bare_month(
    ctx: _Context, match: re.Match[str], month: int, context: str, part: str | None, context_start: int
) -> list[DateMention | None]:
    published = ctx.published
    if context in ("this", "last", "next"):
        if published is None:
            return []
        year = published.year
        if context == "last" and month >= published.month:
            year -= 1
        elif context == "next" and month <= published.month:
            year += 1
        return [_month_mention(ctx, context_start, match.end(), year, month, None, relative=True,
                               future=context == "next")]
    resolved = _year_less_month(ctx, month)
    if resolved is None:
        return []
    start = context_start if part else match.start()
    return [_month_mention(ctx, start, match.end(), resolved, month, part, year_inferred=True)]


def _end_of(match: re.Match[str]) -> int:
    """Where an English date ends: a full stop after a full month name ends the sentence, not "Sept."."""
    end = match.end()
    if match.string[end - 1] == "." and match.string[match.start():end - 1].rsplit(None, 1)[-1].lower() in (
        _full_month_names()
    ):
        return end - 1
    return end


def _en_day_led(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    month = _month_number(match, "m")
    month2 = _month_number(match, "m2") or _month_number(match, "m2b")
    day, day2 = _day_number(match, "d"), _day_number(match, "d2") or _day_number(match, "d2b")
    if day is None:
        return []
    year = _year_number(match, "y")
    if day2 is not None and month2 is not None:
        return [_range(ctx, match.start(), _end_of(match), year, month or month2, day, month2, day2)]
    if month is None:
        return []
    date, inferred = _explicit_or_year_less(ctx, year, month, day)
    return [_mention(ctx, match.start(), _end_of(match), date, "day", year_inferred=inferred)]


def _en_numeric_month_day(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    month, day = int(match.group("m")), int(match.group("d"))
    date, inferred = _explicit_or_year_less(ctx, None, month, day)
    return [_mention(ctx, match.start("m"), match.end(), date, "day", year_inferred=inferred)]


def _en_ordinal_day(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    the = _look_back(_grammar().the_before, ctx.text, match.start(), 8)
    if the is None or ctx.published is None:
        return []
    day = int(match.group("d"))
    which = match.group("which")
    if which == "last":
        year, month = _shift_month(ctx.published.year, ctx.published.month, -1)
        date = _safe_date(year, month, day)
    elif which == "this":
        date = _safe_date(ctx.published.year, ctx.published.month, day)
    else:
        date = _day_of_recent_month(ctx, day)
    return [_mention(ctx, the.start(), match.end(), date, "day", relative=True)]


def _en_weekday(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    grammar = _grammar()
    weekday = grammar.weekdays[match.group("w").lower()]
    month = _month_number(match, "m") or _month_number(match, "m2")
    if month is not None:  # the explicit date wins; the weekday only helps find its year
        day = _day_number(match, "d") or _day_number(match, "d2")
        if day is None:
            return []
        date, inferred = _explicit_or_year_less(ctx, _year_number(match, "y"), month, day, weekday)
        return [_mention(ctx, match.start(), match.end(), date, "day", year_inferred=inferred)]
    if ctx.published is None:
        return []
    before = _look_back(grammar.weekday_modifier, ctx.text, match.start(), 8)
    modifier = before.group("mod").lower() if before else ""
    date, future = _weekday_date(ctx.published, weekday, {"past": "last"}.get(modifier, modifier))
    end = match.end("part") if match.group("part") else match.end("w")
    start = before.start() if before else match.start()
    return [_mention(ctx, start, end, date, "day", relative=True, future=future)]


def _en_ago(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    grammar = _grammar()
    published = ctx.published
    before = _look_back(grammar.ago_count, ctx.text, match.start(), 24)
    if published is None or before is None:
        return []
    raw = before.group("n").lower()
    count = int(raw) if raw.isdigit() else grammar.number_words[raw]
    unit = before.group("unit")
    start, end = before.start(), match.end()
    if unit == "day":
        return [_mention(ctx, start, end, published - dt.timedelta(days=count), "day", relative=True)]
    if unit == "week":
        center = published - dt.timedelta(weeks=count)
        return [_mention(ctx, start, end, center, "approximate", date_min=center - dt.timedelta(days=3),
                         date_max=min(center + dt.timedelta(days=3), published), relative=True)]
    if unit == "month":
        year, month = _shift_month(published.year, published.month, -count)
        return [_month_mention(ctx, start, end, year, month, None, relative=True)]
    return [_year_mention(ctx, start, end, published.year - count, relative=True)]


def _en_year(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    start, text = match.start(), ctx.text
    if start > 0 and text[start - 1] == "-" and text[max(0, start - 4):start].lower() != "mid-":
        return []  # the end of a span ("2016-2020"), not a year of its own
    if _look_back(_grammar().year_context, ctx.text, match.start(), 80) is None:
        return []  # a bare number, not a year of the calendar
    return [_year_mention(ctx, match.start(), match.end(), int(match.group("y")))]


_CAPITALISED_BEFORE = re.compile(r"[A-Z][A-Za-z]*\s+$")


def _en_relative_phrases(ctx: _Context) -> list[DateMention]:
    """Relative phrases through an Aho-Corasick automaton (faster than a regex over many phrases)."""
    grammar = _grammar()
    text = ctx.text
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text.translate(_ASCII_LOWER)
    found: list[DateMention] = []
    for last, phrase in grammar.en_phrases.iter(lowered):
        start, end = last - len(phrase) + 1, last + 1
        if (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha()):
            continue
        if text[start].isupper() and _CAPITALISED_BEFORE.search(text[max(0, start - 30):start]):
            continue  # "USA Today", "China Today": a name, not a date
        rule = grammar.en_relative[phrase]
        if rule.kind == "day":
            part = grammar.en_day_part.match(text, end)
            end = part.end() if part else end
        mention = _relative_mention(ctx, start, end, rule)
        if mention is not None:
            found.append(mention)
    return found


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# ---------------------------------------------------------------------------------------------------
# Chinese handlers


def _zh_date(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    """Dates led by a year (2020年…), a relative year (今年…) or a month (10月…)."""
    groups = match.groupdict()
    relative = False
    year: int | None = None
    if groups.get("y") is not None:
        year = _group_int(match, "y")
        if year is None:
            return []
    elif groups.get("yrel") is not None:
        if ctx.published is None:
            return []
        year, relative = ctx.published.year + _ZH_YEAR_OFFSETS[groups["yrel"]], True
    month = _group_int(match, "m")
    if match.group("m") is None:  # a year alone: 2024年 / 2019年底 / 明年下半年
        assert year is not None
        return [_year_part_mention(ctx, match.start(), match.end(), year, groups.get("ypart"), relative=relative)]
    if month is None or not 1 <= month <= 12:
        return []
    if match.group("d") is not None:
        return [_zh_day(match, ctx, year, month, relative)]
    part = _ZH_PART_WINDOWS.get(groups.get("mpart") or "")
    if year is not None:
        return [_month_mention(ctx, match.start(), match.end(), year, month, part, relative=relative)]
    if not (groups.get("fen") or part):
        return []  # "3月" alone: too often part of a period ("1-9月") or a name
    if match.start() > 0 and ctx.text[match.start() - 1] in "-~～至到—–":
        return []
    resolved = _year_less_month(ctx, month)
    if resolved is None:
        return []
    return [_month_mention(ctx, match.start(), match.end(), resolved, month, part, year_inferred=True)]


def _zh_day(match: re.Match[str], ctx: _Context, year: int | None, month: int, relative: bool) -> DateMention | None:
    day = _group_int(match, "d")
    if day is None:
        return None
    weekday = _ZH_WEEKDAYS.get(match.group("w") or "")
    first, inferred = _explicit_or_year_less(ctx, year, month, day, weekday)
    if first is None:
        return None
    if match.group("d2") is None:
        return _mention(ctx, match.start(), match.end(), first, "day", relative=relative, year_inferred=inferred)
    month2 = _group_int(match, "m2") if match.group("m2") else month
    day2 = _group_int(match, "d2")
    if month2 is None or day2 is None:
        return None
    last = _range_end(first, month2, day2)
    if last is None or last <= first or (last - first).days > 62:
        return None
    return _mention(ctx, match.start(), match.end(), first, "day", date_min=first, date_max=last,
                    relative=relative, year_inferred=inferred)


def _zh_month_relative(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    published = ctx.published
    if published is None:
        return []
    word = match.group("mrel")
    offset = {"上": -1, "下": 1}.get(word[0], 0)
    year, month = _shift_month(published.year, published.month, offset)
    if match.group("d") is not None:
        date = _safe_date(year, month, int(match.group("d")))
        return [_mention(ctx, match.start(), match.end(), date, "day", relative=True, future=offset > 0)]
    part = _ZH_PART_WINDOWS[match.group("mpart")]
    return [_month_mention(ctx, match.start(), match.end(), year, month, part, relative=True, future=offset > 0)]


def _year_part_mention(
    ctx: _Context, start: int, end: int, year: int, part: str | None, **flags: Any
) -> DateMention | None:
    if part is None:
        return _year_mention(ctx, start, end, year, **flags)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if part.endswith("季度"):  # 第一季度 / 一季度 / 4季度
        quarter = _zh_int(part[-3])
        first_month, last_month = 3 * quarter - 2, 3 * quarter
    else:
        first_month, last_month = {"初": (1, 2), "底": (11, 12), "末": (11, 12), "上半年": (1, 6),
                                   "下半年": (7, 12)}[part]
    low, high = dt.date(year, first_month, 1), _month_end(year, last_month)
    return _mention(ctx, start, end, low, "approximate", date_min=low, date_max=high, **flags)


def _zh_day_only(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    """26日下午 / 15日至17日 / 昨(18)日: the publication month, or the one before."""
    if "号" in match.group() and match.groupdict().get("part") is None and match.groupdict().get("d2") is None:
        return []  # 1号、2号展馆, 5号文件: numbers, unless a time of day follows (3号下午)
    first = _day_of_recent_month(ctx, int(match.group("d")))
    if first is None:
        return []
    day2 = match.groupdict().get("d2")
    if day2 is None:
        return [_mention(ctx, match.start(), match.end(), first, "day", relative=True)]
    last = _safe_date(first.year, first.month, int(day2))
    if last is None or last <= first:
        return []
    return [_mention(ctx, match.start(), match.end(), first, "day", date_min=first, date_max=last, relative=True)]


def _zh_weekday(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    published = ctx.published
    if published is None:
        return []
    text, start = ctx.text, match.start()
    modifier = next((m for m in ("上个", "这个", "下个") if text.startswith(m, start - 2)), "")
    if not modifier and start > 0 and text[start - 1] in "上本这下":
        modifier = text[start - 1]
    if not modifier:
        if start > 0 and text[start - 1] in "一二三四五六七八九十两几数每0123456789":
            return []  # 每周一次, 两周
        followed = match.end() == len(text) or _grammar().zh_follow.match(text, match.end())
        if match.group("unit") == "周" and match.group("part") is None and not followed:
            return []  # 周一鸣: the surname 周, not a weekday
    date, future = _weekday_date(published, _ZH_WEEKDAYS[match.group("w")], _ZH_WEEK_MODIFIERS.get(modifier, ""))
    end = match.end("part") if match.group("part") else match.end("w")
    return [_mention(ctx, start - len(modifier), end, date, "day", relative=True, future=future)]


def _zh_relative(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    grammar = _grammar()
    phrase = match.group("phrase")
    before = ctx.text[match.start() - 1] if match.start() > 0 else ""
    if before and before in grammar.zh_not_before.get(phrase, ""):
        return []
    if any(ctx.text.startswith(word, match.end("phrase")) for word in grammar.zh_not_after.get(phrase, ())):
        return []
    rule = grammar.zh_relative[phrase]
    end = match.end("part") if match.group("part") and rule.kind == "day" else match.end("phrase")
    return [_relative_mention(ctx, match.start(), end, rule)]


# ---------------------------------------------------------------------------------------------------
# Numeric


def _numeric_date(match: re.Match[str], ctx: _Context) -> list[DateMention | None]:
    date = _safe_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    return [_mention(ctx, match.start(), match.end(), date, "day")]


# ---------------------------------------------------------------------------------------------------
# Public API

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_LEADING_WORDS = re.compile(r"(?<![A-Za-z])(?:(?P<word>[Oo]n|[Ff]rom|[Bb]etween)\s+)?(?P<the>[Tt]he\s+)?$")


def _with_leading_words(mention: DateMention, text: str, floor: int) -> DateMention:
    """Keep "on"/"from"/"the" in the expression as written ("On July 1", "from 19-21 September 2015")."""
    if mention.precision != "day":
        return mention
    found = _LEADING_WORDS.search(text, max(floor, mention.start - 14), mention.start)
    if found is None or found.start() == found.end():
        return mention
    start = mention.start
    if found.group("the") and text[mention.start].isdigit():
        start = found.start("the")
    word = found.group("word")
    is_range = mention.date_max is not None and mention.date_max != mention.date
    if word and (word.lower() == "on" or is_range) and (start != mention.start or not found.group("the")):
        start = found.start("word")
    if start == mention.start:
        return mention
    return DateMention(start, mention.end, text[start:mention.end], mention.date, mention.precision,
                       mention.date_min, mention.date_max, mention.relative, mention.future, mention.year_inferred)


def _select(candidates: list[DateMention]) -> list[DateMention]:
    """Longest expressions win; overlapping shorter ones are dropped."""
    chosen: list[DateMention] = []
    for cand in sorted(candidates, key=lambda m: (m.start - m.end, m.start)):
        if all(cand.end <= other.start or cand.start >= other.end for other in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda m: m.start)


_DIGIT = re.compile(r"\d")


@cache
def _rules_for(chinese: bool, english: bool, has_digit: bool) -> tuple[_Rule, ...]:
    """The rules worth running on a text, in their fixed order: most sentences hold no digit, and then
    the rules whose every match holds one cannot match."""
    grammar = _grammar()
    rules = [*grammar.numeric, *(grammar.chinese if chinese else ()), *(grammar.english if english else ())]
    return tuple(rule for rule in rules if has_digit or not rule.needs_digit)


@lru_cache(maxsize=2048)
def _find_cached(
    text: str, published: dt.date | None, language: str, text_years: tuple[int, ...]
) -> tuple[DateMention, ...]:
    ctx = _Context(text, published, text_years)
    chinese = language == "zh" or (not text.isascii() and bool(_CJK.search(text)))
    english = language != "zh" or bool(_LATIN.search(text))
    rules = _rules_for(chinese, english, _DIGIT.search(text) is not None)
    candidates: list[DateMention] = _en_relative_phrases(ctx) if english else []
    for rule in rules:
        if rule.needs:
            for word in rule.needs:
                if word in text:
                    break
            else:  # the text holds none of the strings every match holds
                continue
        for match in rule.pattern.finditer(text):
            start = match.start()
            if rule.not_after and start > 0 and text[start - 1] in rule.not_after:
                continue
            candidates += [m for m in rule.handler(match, ctx) if m is not None]
    out: list[DateMention] = []
    for mention in _select(candidates):
        out.append(_with_leading_words(mention, text, out[-1].end if out else 0))
    return tuple(out)


def find_dates(
    text: str, published: dt.date | None, language: str, *, text_years: Sequence[int] = ()
) -> list[DateMention]:
    """All temporal expressions in `text` (a sentence or a paragraph), in order."""
    return list(_find_cached(text, _as_date(published), language, tuple(text_years)))


@lru_cache(maxsize=4096)
def resolve_expression(expression: str, published: dt.date | None, language: str) -> DateMention | None:
    """The one temporal expression an expression stands for (the longest found in it), or None."""
    mentions = find_dates(expression, published, language)
    if not mentions:
        return None
    return max(mentions, key=lambda m: (m.end - m.start, -m.start))


# ---------------------------------------------------------------------------------------------------
# Publication date-time lines and URLs

_TIME = (
    r"(?:\s*(?:T|,|at)?\s*(?:(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?(?:\.\d+)?"
    r"|(?P<H2>\d{1,2})\s*时\s*(?P<M2>\d{1,2})\s*分(?:\s*(?P<S2>\d{1,2})\s*秒)?)"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
    r"(?:\s*(?P<tz>Z(?![A-Za-z])|(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}(?!\d)"
    r"|(?:GMT|UTC)(?![A-Za-z])))?)?"
)


@cache
def _datetime_patterns() -> tuple[re.Pattern[str], ...]:
    en = _words()["en"]
    wd_alt = _alternation(_cased(n for names in en["weekdays"].values() for n in names))
    mon = rf"(?P<mon>{_month_alternation(en['months'])})(?![A-Za-z])\.?"
    return tuple(
        re.compile(p)
        for p in (
            rf"(?<![\d.])(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?!\d){_TIME}",
            rf"(?<!\d)(?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]{_TIME}",
            rf"(?:(?:{wd_alt}),?\s*)?(?<![\d.\-–])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{mon},?\s+(?P<y>\d{{4}})(?!\d){_TIME}",
            rf"(?:(?:{wd_alt}),?\s*)?{mon}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d){_TIME}",
        )
    )


def _timezone(raw: str | None) -> dt.tzinfo | None:
    if not raw:
        return None
    text = raw.replace(" ", "").upper().removeprefix("GMT").removeprefix("UTC")
    if text in ("", "Z"):
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes >= 60:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _datetime_from(match: re.Match[str]) -> dt.datetime | None:
    groups = match.groupdict()
    month = _grammar().months.get(groups["mon"].lower().rstrip(".")) if groups.get("mon") else int(groups["m"])
    date = _safe_date(int(groups["y"]), month or 0, int(groups["d"]))
    if date is None:
        return None
    hour_text, minute_text = groups.get("H") or groups.get("H2"), groups.get("M") or groups.get("M2")
    second_text = groups.get("S") or groups.get("S2")
    hour = minute = second = 0
    if hour_text is not None and minute_text is not None:
        hour, minute, second = int(hour_text), int(minute_text), int(second_text or 0)
        ampm = (groups.get("ampm") or "").lower()
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        if hour > 23 or minute > 59 or second > 59:
            hour = minute = second = 0
    return dt.datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=_timezone(groups.get("tz")))


def parse_datetime_line(line: str) -> tuple[dt.datetime, str] | None:
    """A page's publication date-time line -> (datetime, matched text): "2019-07-11 14:29",
    "Time:2020-06-05  Traffic:", "【2020-10-30 11:18:10】", "Release:Chongqing Daily Time:2019-07-19 17:30:36",
    "Updated : 2018-12-06Source : ...", "发布时间:2024-06-06 14:44:20", "发布日期:2024-09-20 09:38信息来源:..",
    "成都日报 2019-11-22 02:14 大字", "14 Nov 2023, 07:01 GMT+10", " date 2023-09-19 ", "2019年7月11日 14:29",
    "Nov. 14, 2023". Only full dates (year+month+day); time optional."""
    found: list[tuple[int, dt.datetime, str]] = []
    for pattern in _datetime_patterns():
        for match in pattern.finditer(line):
            value = _datetime_from(match)
            if value is not None:
                found.append((match.start(), value, match.group().strip(" ,")))
                break
    if not found:
        return None
    _, value, text = min(found, key=lambda item: item[0])
    return value, text
