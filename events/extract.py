"""Event segmentation and typing: one article in, its events out.

The article is read as sentences. Sentences that name an occasion (trigger words per event type, kept
in ``data/event_triggers.yaml``) and carry or inherit a date become event candidates. Gathering
types (conference, meeting, talks, visit) on one date are one occasion; signings, launches and
announcements are events of their own, as the spec asks. Dates, places, actors and industries come
from their stage modules; this module only decides which sentences make which events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import ahocorasick
import yaml

from events import EXTRACTOR_VERSION, REFERENCE_DATE, REFERENCE_YEAR, actors, dates, industries, places
from events.schema import Article, Event, Participant, validate_event
from events.text import Sentence, is_traditional, pattern_needs, pattern_starts, split_sentences, to_simplified

#: a year not inside a longer number; the look-behind follows the first digit (two back: the character before it)
#: so that the pattern starts with a digit the engine can jump to, not a look-behind tried at every character
_YEAR = re.compile(r"(1(?<!\d1)9[5-9]\d|2(?<!\d2)0\d\d)(?!\d)")


@dataclass(frozen=True)
class _Triggers:
    by_language: dict[str, dict[str, re.Pattern[str]]]
    not_occurrence: dict[str, re.Pattern[str]]
    gathering: tuple[str, ...]
    separate: tuple[str, ...]
    priority: tuple[str, ...]
    separate_priority: tuple[str, ...]
    speech: dict[str, re.Pattern[str]]
    plan_forward: dict[str, re.Pattern[str]]
    delegation: dict[str, dict[str, re.Pattern[str]]]


@cache
def _triggers() -> _Triggers:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("events").joinpath("data/event_triggers.yaml").read_text(encoding="utf-8")
    )
    by_language: dict[str, dict[str, re.Pattern[str]]] = {}
    for lang, flags in (("en", re.IGNORECASE), ("zh", 0)):
        compiled = {}
        building = raw["building_after"][lang]
        for event_type, patterns in raw[lang].items():
            alternatives = "|".join(f"(?:{p})" for p in patterns)
            body = rf"\b(?:{alternatives})\b(?!{building})" if lang == "en" else f"(?:{alternatives})(?!{building})"
            # a pattern that needs case ("met" + a capitalised name) says so with a scoped flag: (?-i:[A-Z])
            compiled[event_type] = re.compile(body, flags)
        by_language[lang] = compiled

    def word_lists(key: str) -> dict[str, re.Pattern[str]]:
        """One case-insensitive pattern per language for a list of words (whole words in English)."""
        compiled = {}
        for lang in ("en", "zh"):
            words = "|".join(raw[key][lang])
            compiled[lang] = re.compile(rf"\b(?:{words})\b" if lang == "en" else f"(?:{words})", re.IGNORECASE)
        return compiled

    return _Triggers(
        by_language=by_language,
        not_occurrence=word_lists("not_occurrence"),
        gathering=tuple(raw["gathering"]),
        separate=tuple(raw["separate"]),
        priority=tuple(raw["gathering_priority"]),
        separate_priority=tuple(raw["separate_priority"]),
        speech=word_lists("reported_speech"),
        plan_forward=word_lists("plan_forward"),
        delegation={
            lang: {key: re.compile(p, re.IGNORECASE) for key, p in patterns.items()}
            for lang, patterns in raw["delegation"].items()
        },
    )


@dataclass
class _Candidate:
    event_type: str
    sentences: list[Sentence]
    date: dates.DateMention | None
    extra: dict[str, Any] = field(default_factory=dict)


@cache
def _combined_trigger(language: str) -> re.Pattern[str]:
    """All trigger words of a language in one pattern, one named group per event type (one scan)."""
    parts = [f"(?P<{t}>{p.pattern})" for t, p in _triggers().by_language[language].items()]
    return re.compile("|".join(parts))


@lru_cache(maxsize=4096)
def _types_in(text: str, language: str) -> tuple[tuple[int, str], ...]:
    """(position, type) of every trigger in the text, in order of appearance."""
    lang = "zh" if language == "zh" else "en"
    if lang == "zh":
        return tuple(_zh_triggers(text))
    # The types' patterns overlap ("meeting between" is talks, "meeting" a meeting), so each type is matched on
    # its own, as finditer per type would; but only where the one pattern of all types finds a start.
    patterns = _triggers().by_language[lang]
    any_type = _any_trigger(lang)
    lowered = text.lower()
    if not text.isascii() and (len(lowered) != len(text) or lowered != text.casefold()):
        # "ſ", "İ", "ß": letters that lower-case to something longer or fold their own way
        return tuple(sorted((m.start(), t) for t, p in patterns.items() for m in p.finditer(text)))
    starts = _starts_to_try(_any_trigger_starts(lang), any_type, lowered)
    if not starts:
        return ()
    found: list[tuple[int, str]] = []
    free = dict.fromkeys(patterns, 0)  # per type, where its next match may start (finditer does not overlap)
    for start in starts:
        for event_type, pattern in patterns.items():
            if start >= free[event_type]:
                match = pattern.match(text, start)
                if match is not None:
                    found.append((start, event_type))
                    free[event_type] = max(match.end(), start + 1)
    return tuple(sorted(found))


def _zh_triggers(text: str) -> list[tuple[int, str]]:
    """What finditer of the combined pattern gives, trying the pattern only where a trigger's first characters
    stand (the engine would otherwise try all its alternatives at every character)."""
    combined = _combined_trigger("zh")
    starts = _literal_starts(combined.pattern)
    if starts is None:
        return [(m.start(), m.lastgroup or "") for m in combined.finditer(text)]
    found: list[tuple[int, str]] = []
    free = 0  # where the next match may start: finditer does not overlap (and every match is non-empty)
    for start in _candidate_starts(starts, text):
        if start >= free:
            match = combined.match(text, start)
            if match is not None:
                found.append((start, match.lastgroup or ""))
                free = match.end()
    return found


def _starts_to_try(starts: Any, any_type: re.Pattern[str], lowered: str) -> list[int]:
    """Every position where ``any_type`` matches in the lower-cased text, in order (each position only once)."""
    if starts is None:
        positions = []
        hit = any_type.search(lowered)
        while hit is not None:
            positions.append(hit.start())
            hit = any_type.search(lowered, hit.start() + 1)
        return positions
    return [start for start in _candidate_starts(starts, lowered) if any_type.match(lowered, start)]


def _candidate_starts(automaton: Any, text: str) -> list[int]:
    """Where one of the automaton's words begins in the text, in order."""
    return sorted({end - length + 1 for end, length in automaton.iter(text)})


@cache
def _any_trigger_starts(language: str) -> Any:
    """The automaton of the words that begin the triggers of a language, for the lower-cased scan."""
    return _literal_starts(_any_trigger(language).pattern)


@cache
def _literal_starts(pattern: str) -> Any:
    """An Aho-Corasick automaton of literal strings one of which begins every match of the (case-sensitive)
    pattern, or None when a match may begin otherwise. Every match then starts where the automaton finds a word,
    so only those places need trying."""
    heads = pattern_starts(pattern)
    return None if heads is None else _automaton(heads)


@cache
def _required_strings(pattern: str, ignore_case: bool) -> Any:
    """An Aho-Corasick automaton of literal strings one of which every match of the pattern holds (lower-cased
    when the pattern ignores case), or None when no such strings are known."""
    strings = pattern_needs(pattern, ignore_case=ignore_case)
    if strings is None:
        return None
    if ignore_case:
        if not all(char.isascii() or char.lower() == char.upper() for word in strings for char in word):
            return None  # a cased letter beyond ASCII may match letters other than its lower-case form
        strings = frozenset(word.lower() for word in strings)
    return _automaton(strings)


def _automaton(words: frozenset[str]) -> Any:
    """An Aho-Corasick automaton of the words, each stored with its length."""
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for word in words:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


@cache
def _prefilter(source: str, flags: int) -> tuple[Any, bool]:
    """(the automaton of :func:`_required_strings` for a compiled pattern, whether the pattern ignores case);
    keyed by source and flags, whose hashes are cheap (a compiled pattern hashes its whole program)."""
    ignore_case = bool(flags & re.IGNORECASE)
    return _required_strings(source, ignore_case), ignore_case


def _may_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only when the pattern cannot match anywhere in the text: none of the strings one of which its every
    match holds occurs in it.

    One pass of an automaton is much cheaper than a search whose pattern starts with a word boundary or ignores
    case (the engine then tries every character)."""
    automaton, ignore_case = _prefilter(pattern.pattern, pattern.flags)
    if automaton is None:
        return True
    haystack = text
    if ignore_case:
        haystack = text.lower()
        if not text.isascii() and (len(haystack) != len(text) or "ı" in text or "ſ" in text):
            return True  # letters that lower-case to two, or that match "i" and "s" when case is ignored
    return next(automaton.iter(haystack), None) is not None


def _search(pattern: re.Pattern[str], text: str, language: str) -> re.Match[str] | None:
    """``pattern.search(text)``, skipped in English where the pattern cannot match (English patterns start with
    word boundaries and ignore case; Chinese ones start with characters the engine finds fast on its own)."""
    if language != "zh" and not _may_match(pattern, text):
        return None
    return pattern.search(text)


@cache
def _any_trigger(language: str) -> re.Pattern[str]:
    """One pattern for the lower-cased text that matches wherever some type's trigger may start.

    Case-insensitive matching is several times slower in Python's re than plain matching, so the scan runs
    on the lower-cased text with the patterns' letters lower-cased (escapes kept, capitals demanded by a
    pattern widened to any letter); every start it finds is then checked with the type's own pattern.
    """
    sources = [_lowered_pattern(p.pattern) for p in _triggers().by_language[language].values()]
    return re.compile("|".join(f"(?:{source})" for source in sources))


def _lowered_pattern(source: str) -> str:
    source = source.replace("(?-i:[A-Z])", "[a-z]")
    out = []
    escaped = False
    for char in source:
        out.append(char if escaped else char.lower())
        escaped = not escaped and char == "\\"
    return "".join(out)


_HEAD_VERB = re.compile(r"(举行|召开|举办|开幕|会见|会谈|考察|调研|座谈)")
_MEET = re.compile(r"\bmee?t", re.IGNORECASE)


def _head_gathering_type(text: str, language: str) -> str | None:
    """The gathering type of a headline or lead clause: the last gathering word before the verb.

    In "…签约暨深化合作峰会在四川宜宾举行" the occasion is the summit (its head noun is last); in
    "A Special Meeting of the Mianyang Municipal Government was Held" the head is "meeting".
    """
    triggers = _triggers()
    hits = [(pos, t) for pos, t in _types_in(text, language) if t in triggers.gathering]
    if not hits:
        return None
    if language == "zh":
        verb = _HEAD_VERB.search(text)
        cut = verb.start() + 2 if verb else len(text)
        before = [h for h in hits if h[0] < cut] or hits
        return before[-1][1]
    # English: a title like "X Met with Y" -> talks; "conference held" -> the head noun.
    first_types = {t for _, t in hits}
    for t in triggers.priority:
        if t in first_types and t == "talks" and _MEET.search(text):
            return "talks"
    return hits[0][1] if len(first_types) == 1 else min(first_types, key=triggers.priority.index)


def _head_separate_type(text: str, language: str) -> str | None:
    """The occasion of a text that names only separate ones: a groundbreaking hosts its signings."""
    found = {t for _, t in _types_in(text, language)}
    return next((t for t in _triggers().separate_priority if t in found), None)


def _is_occurrence(sentence: str, language: str) -> bool:
    """False for plans, wishes and background ("will sign", "希望…签约", "in recent years")."""
    return not _search(_triggers().not_occurrence["zh" if language == "zh" else "en"], sentence, language)


def _occurring_types(sentence: str, language: str) -> set[str]:
    """Types whose trigger stands in a clause that reports an occurrence: in "双方签约后，项目将于年底开工"
    the signing happened and the launch is a plan."""
    found = _types_in(sentence, language)
    lang = "zh" if language == "zh" else "en"
    triggers = _triggers()
    if found:  # nothing after a speech verb or a wish has happened
        stops = (_search(triggers.speech[lang], sentence, lang), _search(triggers.plan_forward[lang], sentence, lang))
        cuts = [m.start() for m in stops if m is not None]
        if cuts:
            found = tuple((position, t) for position, t in found if position < min(cuts))
    plan = triggers.not_occurrence[lang]
    if not found or not _search(plan, sentence, lang):
        return {t for _, t in found}
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]
    occurring = set()
    for position, event_type in found:
        at = bisect_right(breaks, position)
        begin = breaks[at - 1] + 1 if at else 0
        end = breaks[at] if at < len(breaks) else len(sentence)
        if not plan.search(sentence, begin, end):
            occurring.add(event_type)
    return occurring


_THIS = re.compile(
    r"(?:(?:此次|本次|这次|此行)[^，。；,;]{0,4}|\bthis\s+(?:[\w-]+\s+){0,2}"
    r"|\b(?:during|at|after|before|on the sidelines of)\s+the\s+(?:[\w-]+\s+){0,2})$",
    re.IGNORECASE,
)
#: "对何雄一行到访表示欢迎": the guests' arrival is the occasion already reported
_GUESTS_BEFORE = re.compile(r"(?:一行|代表团|客人|嘉宾)(?:的|此次)?$")


def _refers_back(sentence: str, language: str) -> bool:
    """"此次来温考察是…的一项重要行程", "This visit is the first …": every gathering word of the sentence
    names the occasion already reported."""
    gathering = [p for p, t in _types_in(sentence, language) if t in _triggers().gathering]
    return bool(gathering) and all(
        _THIS.search(sentence[max(0, p - 30) : p])
        or (sentence.startswith(("到访", "来访"), p) and _GUESTS_BEFORE.search(sentence[max(0, p - 8) : p]))
        for p in gathering
    )


def _text_years(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]


def _event_id(article_id: str, event_type: str, date: dt.date, place: str | None, ordinal: int) -> str:
    key = f"{article_id}|{date.isoformat()}|{event_type}|{place or ''}|{ordinal}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _sentence_dates(
    sentences: Sequence[Sentence], published: dt.date | None, language: str, years: Sequence[int]
) -> dict[int, list[dates.DateMention]]:
    """Past dates of every sentence, without plans (future) and publication datelines."""
    years = tuple(years)  # once, not once per sentence
    return {
        i: [
            d for d in dates.find_dates(s.text, published, language, text_years=years)
            if not d.future and not _is_dateline(s.text, d) and not _is_cutoff(s.text, d) and not _is_label(s.text, d)
        ]
        for i, s in enumerate(sentences)
    }


_BARE_DATE_REST = re.compile(
    r"^[\s,，.。:：()（）]*(?:上午|下午|晚上|晚|早上|morning|afternoon|evening)?[\s,，.。:：()（）]*$", re.IGNORECASE
)


def _not_after_reference(mention: dates.DateMention) -> dates.DateMention:
    """A guessed year that puts an undated page's day after the extractor's reference day goes back a year."""
    if not mention.year_inferred or mention.date <= REFERENCE_DATE:
        return mention
    try:
        earlier = mention.date.replace(year=mention.date.year - 1)
    except ValueError:  # 29 February
        return mention
    shift = earlier - mention.date
    return replace(
        mention, date=earlier,
        date_min=mention.date_min + shift if mention.date_min else None,
        date_max=mention.date_max + shift if mention.date_max else None,
    )


def _carry_bare_dates(
    sentences: Sequence[Sentence], per_sentence: dict[int, list[dates.DateMention]]
) -> dict[int, list[dates.DateMention]]:
    """A line that holds only a date ("3月1日上午", "June 4") dates the sentence after it."""
    for i, found in per_sentence.items():
        if not found or i + 1 not in per_sentence or per_sentence[i + 1]:
            continue
        text = sentences[i].text
        rest = "".join(text[a:b] for a, b in _gaps([(d.start, d.end) for d in found], len(text)))
        if _BARE_DATE_REST.match(rest):
            per_sentence[i + 1] = [replace(d, start=0, end=0) for d in found]  # before the sentence's text
            per_sentence[i] = []
    return per_sentence


def _gaps(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    gaps, at = [], 0
    for a, b in sorted(spans):
        gaps.append((at, a))
        at = max(at, b)
    gaps.append((at, length))
    return gaps


def _pick_date(mentions: Sequence[dates.DateMention]) -> dates.DateMention | None:
    """The best date of a sentence: a day beats a month beats an approximate expression."""
    if not mentions:
        return None
    rank = {"day": 0, "month": 1, "approximate": 2, "year": 3}
    return min(mentions, key=lambda d: (rank.get(d.precision, 9), d.start))


_TITLE_LABELS = {
    "signing": ("Signing", "签约"),
    "launch": ("Launch", "开工"),
    "announcement": ("Announcement", "发布"),
    "conference": ("Conference", "会议"),
    "meeting": ("Meeting", "会议"),
    "talks": ("Talks", "会见"),
    "visit": ("Visit", "考察"),
    "other": ("Event", "活动"),
}
_CLAUSE_END = re.compile(r"[,，;；。]")


def _title_for(event_type: str, article: Article, evidence: str, is_main: bool) -> str:
    if is_main and article.title:
        return article.title.strip()[:200]
    clause = _CLAUSE_END.split(evidence.strip())
    zh = article.language == "zh"
    label = _TITLE_LABELS.get(event_type, ("Event", "活动"))[1 if zh else 0]
    snippet = next((c.strip() for c in clause if _types_in(c, article.language)), clause[0].strip())
    snippet = snippet[:80] + ("…" if len(snippet) > 80 else "")
    return f"{label}: {snippet}" if not zh else f"{label}：{snippet}"


_DATELINE_AFTER = re.compile(
    r"^\s*(?:讯|电|/|--|—|\)?\s*[-—]{1,2}|\((?:[A-Z][\w.&' ]{1,30}|[^()]{1,12}社)\)\s*(?:--|—|-|–))"
)
#: a page's date stamp written before the text ("date 2024-01-04 Baoji, China – …", "发布时间：2024-01-04")
_STAMP_BEFORE = re.compile(
    r"^\W*(?:date[ds]?|updated|posted(?: on)?|published(?: on)?|release(?:d| time)?|time|日期|时间|发布时间|发布日期|"
    r"更新时间)\s*[:：]?\s*$",
    re.IGNORECASE,
)
#: a period followed straight by the noun it qualifies (…季度重大项目, …春季重点项目)
_SEASON = re.compile(r"[春夏秋冬]季|[上下]半年|第?[一二三四1-4]季度")
_LABEL_AFTER = re.compile(r"[\u4e00-\u9fff](?<![内中末初期以前后])")
#: "as of Sept. 23", "截至9月23日": the cut-off of a count, not the day of an occasion
_CUTOFF_BEFORE = re.compile(r"(?:\b(?:as of|as at|by the end of|until|till)\s*|截至|截止|截止到)$", re.IGNORECASE)
_ORDINAL_DAY = re.compile(
    r"\b(?:on )?(?:the )?(second|third|fourth|fifth|final|last|next|following) (?:and final )?day\b"
    r"|(次日|第二天|翌日|第三天|第四天)",
    re.IGNORECASE,
)
_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "第二天": 2, "第三天": 3, "第四天": 4}


_AT_OCCASION = re.compile(
    r"^(?:会上|在会上|会议期间|峰会上|论坛上|大会上|会议上|活动上|活动现场|现场)"
    r"|^(?:At|During) the (?:summit|forum|conference|meeting|event|expo|fair|ceremony|session)\b",
    re.IGNORECASE,
)
#: talks words that also mean negotiating projects ("项目前来洽谈"), and verbs of meeting people
_NEGOTIATION = re.compile(r"洽谈|negotiat", re.IGNORECASE)
_MEETING_VERB = re.compile(r"会见|会谈|接见|\bmet\b|\bmeets?\b", re.IGNORECASE)
_OPENING = re.compile(r"\bopening ceremony\b|\bopened\b|\binaugurat(?:ed|ion)\b|开幕", re.IGNORECASE)
_ATTENDANCE = re.compile(
    r"\b(?:was|were) (?:also )?(?:present|in attendance)\b|\battended\b|出席|参加", re.IGNORECASE
)


def _new_occasion(head: str, existing: set[str]) -> bool:
    """Whether a gathering sentence reports an occasion of its own at a place and day already seen.

    A visit is a trip: talks, meetings and conferences during it are occasions of their own. Talks and
    a conference on one day are two occasions (a promotion conference, then a meeting with the host).
    A "meeting" word at an occasion already reported is that occasion ("attended the meeting").
    """
    if not existing:
        return True
    if head == "visit" or head in existing or "meeting" in existing:
        return False
    if head == "meeting":
        return existing <= {"visit"}
    return True


def _is_dateline(sentence: str, mention: dates.DateMention) -> bool:
    """"张家界新闻网11月22日讯", "中新网玉林9月19日电", "BEIJING, Nov. 14, 2023 /PRNewswire/ --": the
    publication dateline, not the event's date."""
    if mention.start < 40 and _DATELINE_AFTER.match(sentence[mention.end : mention.end + 40]):
        return True
    return bool(_STAMP_BEFORE.match(sentence[: mention.start]))


def _is_cutoff(sentence: str, mention: dates.DateMention) -> bool:
    return bool(_CUTOFF_BEFORE.search(sentence[max(0, mention.start - 20) : mention.start]))


def _is_label(sentence: str, mention: dates.DateMention) -> bool:
    """"2021年第一季度重大项目集中开工", "2022年春季重大项目": a period naming a batch of projects, not a date."""
    if mention.precision == "day":
        return False
    end = mention.end
    season = _SEASON.match(sentence, end)
    if season:
        end = season.end()
    elif not mention.text.endswith(("季度", "季", "半年")):
        return False
    return bool(_LABEL_AFTER.match(sentence, end))


def _ordinal_day(sentence: str, start: dates.DateMention | None, current: dt.date | None) -> dt.date | None:
    """"On the second day" of a trip counted from its first day; "the next day" from the last date."""
    if current is None or not ("day" in sentence.lower() or "日" in sentence or "天" in sentence):
        return None  # the words the pattern needs are absent (a case-insensitive search is costly)
    match = _ORDINAL_DAY.search(sentence)
    if match is None:
        return None
    word = (match.group(1) or match.group(2) or "").lower()
    first = start.date_min or start.date if start else current
    if word in ("next", "following", "次日", "翌日"):
        return current + dt.timedelta(days=1)
    if word in ("final", "last"):
        return start.date_max if start and start.date_max else None
    if word in _ORDINALS:
        return first + dt.timedelta(days=_ORDINALS[word] - 1)
    return None


def _venue_nearby(
    sentences: Sequence[Sentence], lead_index: int, per_sentence: dict[int, list[dates.DateMention]], body: str,
    language: str,
) -> places.Place | None:
    """"…signed at a promotion conference held on Sept 24. The conference was held … in Shenzhen.": a venue
    given right after a lead that names none, by an undated sentence about a gathering."""
    for i in range(lead_index + 1, min(len(sentences), lead_index + 3)):
        if any(d.precision == "day" for d in per_sentence.get(i, [])):
            break
        text = sentences[i].text
        if not any(t in _triggers().gathering for _, t in _types_in(text, language)):
            continue
        venue = _own_place(text, body, language)
        if venue is not None:
            return venue
    return None


def _own_place(sentence: str, body: str, language: str) -> places.Place | None:
    """The place a sentence itself names as its venue, if any."""
    found = _resolve_place(sentence, body, title=None, source_name=None, language=language)
    if found is None or found[1] not in ("venue", "headquarters"):
        return None
    return found[0]


@lru_cache(maxsize=64)
def _resolve_place(
    evidence: str, body: str, *, title: str | None, source_name: str | None, language: str
) -> tuple[places.Place, str] | None:
    """places.resolve_event_place, except that "at the group's headquarters" (在集团总部) with no venue named
    is the headquarters city of the company the text names.

    Cached: the lead's place is asked for once to choose the main occasion and again when its event is built,
    and a venue sentence may be asked for by several events (a quarter of the calls repeat one before)."""
    found = places.resolve_event_place(evidence, body, title=title, source_name=source_name, language=language)
    if (found is None or found[1] != "venue") and _search(_HEADQUARTERS, evidence, language):
        for text in (evidence, body):
            for _, _, company in actors.known_companies(text, language):
                city = _company_headquarters().get(company)
                if city is not None:
                    return city, "headquarters"
    return found


#: "在集团公司总部会见", "到集团总部走访", "at the group's headquarters": the occasion's venue is a head office
_HEADQUARTERS = re.compile(
    r"(?:在|到|赴|来到|走进|前往|于)[^，。；,;]{0,12}总部(?![^，。；,;]{0,2}(?:战略|项目|经济|基地|协议|建设))"
    r"|\b(?:at|in|to|visited)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?(?:headquarters|head office)\b",
    re.IGNORECASE,
)


@cache
def _company_headquarters() -> dict[str, places.Place]:
    """Company id -> the place of its headquarters (events/data/company_hq.tsv)."""
    text = resources.files("events").joinpath("data/company_hq.tsv").read_text(encoding="utf-8")
    cities: dict[str, places.Place] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        company, city = line.split("\t")
        found = places.find_places(city, "zh")
        if found:
            cities[company] = found[0].place
    return cities


def _same_place(a: places.Place | None, b: places.Place | None) -> bool:
    """One occasion's place: the same, or one inside the other ("Ordos" and "Ejin Horo Banner")."""
    if a is None or b is None:
        return a is b
    return places.same_area(a, b)


def extract_events(article: Article) -> list[Event]:
    """All events of one article, validated, in order of their evidence."""
    if article.language == "zh" and is_traditional(article.text):
        return _in_traditional(article)
    return _extract(article)


def _in_traditional(article: Article) -> list[Event]:
    """Extract from a Simplified copy (same length), then give names, evidence and titles back as written."""
    simplified = to_simplified(article.text)
    converted = article.model_copy(update={"text": simplified, "title": to_simplified(article.title or "") or None})
    pairs: dict[str, Counter[str]] = {}
    for new, old in zip(simplified, article.text, strict=True):
        if new != old:
            pairs.setdefault(new, Counter())[old] += 1
    pairs_kept = {new: olds.most_common(1)[0][0] for new, olds in pairs.items()}
    back = str.maketrans(pairs_kept)

    def written(value: str | None) -> str | None:
        return value.translate(back) if value else value

    events = []
    for event in _extract(converted):
        participants = [p.model_copy(update={"name": written(p.name), "role": written(p.role)})
                        for p in event.participants]
        events.append(event.model_copy(update={
            "title": written(event.title) if event.title != converted.title else article.title or event.title,
            "evidence": written(event.evidence),
            "date_text": written(event.date_text),
            "persons": [written(p) for p in event.persons],
            "organizations": [written(o) for o in event.organizations],
            "participants": participants,
            "source_title": article.title,
        }))
    return [validate_event(e.model_dump()) for e in events]


def _extract(article: Article) -> list[Event]:
    language = article.language
    sentences = split_sentences(article.text)
    if not sentences:
        return []
    published = article.published_at.date() if article.published_at else None
    years = _text_years(article.text)
    if published is None and not years:
        # an undated page: year-less dates are placed in the extractor's reference year (deterministic)
        years = [REFERENCE_YEAR - 25, REFERENCE_YEAR]
    per_sentence = _carry_bare_dates(sentences, _sentence_dates(sentences, published, language, years))
    if published is None:
        per_sentence = {i: [_not_after_reference(d) for d in found] for i, found in per_sentence.items()}
    title = article.title or ""
    triggers = _triggers()

    lead_index = next(
        (i for i, s in enumerate(sentences) if per_sentence[i] and _types_in(s.text, language)),
        next((i for i in per_sentence if per_sentence[i]), 0),
    )
    lead = sentences[lead_index]
    lead_date = _pick_date(per_sentence[lead_index])
    if lead_date is None and title:
        lead_date = _pick_date(
            [d for d in dates.find_dates(title, published, language, text_years=years) if not d.future]
        )

    if lead_date is None and (
        not _is_occurrence(lead.text, language) or (title and not _is_occurrence(title, language))
    ):
        return []  # only a plan ("will be held on …"): nothing has happened yet
    main_type = (
        _head_gathering_type(title, language)
        or _head_gathering_type(lead.text, language)
        or _head_separate_type(title, language)
        or next((t for _, t in _types_in(lead.text, language) if t in triggers.gathering), None)
        or _head_separate_type(lead.text, language)
        or "other"
    )
    main = _Candidate(main_type, [lead], lead_date)
    main_located = _resolve_place(
        lead.text, article.text, title=article.title, source_name=article.source_name, language=language
    )
    if main_located is None or main_located[1] not in ("venue", "headquarters"):
        held = _venue_nearby(sentences, lead_index, per_sentence, article.text, language)
        if held is not None:
            main_located = (held, "venue")
            main.extra["venue"] = held
    main_place = main_located[0] if main_located else None
    main.extra["place"] = main_place
    candidates: list[_Candidate] = [main]
    title_types = {t for _, t in _types_in(title, language)}
    main_is_gathering = main_type in triggers.gathering
    current = lead_date.date if lead_date else None

    paragraph_place: dict[int, places.Place] = {}
    last_in_paragraph: dict[int, _Candidate] = {}
    for i, sentence in enumerate(sentences):
        if i < lead_index:
            continue
        own = _pick_date([d for d in per_sentence[i] if d.precision == "day"])
        anaphoric = _ordinal_day(sentence.text, lead_date, current) if own is None else None
        if own is not None and i != lead_index:
            current = own.date
        elif anaphoric is not None:
            current = anaphoric
        if current is None:
            continue
        sentence_types = _occurring_types(sentence.text, language)
        if i == lead_index:
            sentence_types = (sentence_types | title_types) & set(triggers.separate)
        if not sentence_types and i != lead_index and _search(_ATTENDANCE, sentence.text, language):
            # "Chief Minister Idris Haron was also present.": attendance of the occasion just reported
            previous = last_in_paragraph.get(sentence.paragraph)
            if previous is not None and previous is not main:
                previous.sentences.append(sentence)
                if "spans" in previous.extra:
                    previous.extra["spans"].append((sentence.start, sentence.end))
            continue
        if not sentence_types:
            continue
        date_mention = own if own is not None else _dated(lead_date, current)
        venue = _own_place(sentence.text, article.text, language)
        if venue:
            paragraph_place[sentence.paragraph] = venue
        where = venue or paragraph_place.get(sentence.paragraph) or main_place
        gathering_here = [t for t in triggers.priority if t in sentence_types]
        if i != lead_index and gathering_here:
            head = _head_gathering_type(sentence.text, language) or gathering_here[0]
            same_occasion = [
                c for c in candidates
                if c.event_type in triggers.gathering and c.date is not None and c.date.date == current
                and _same_place(c.extra.get("place") or main_place, where)
            ]
            # a new day or place is a new occasion; at the same place and day only a conference held
            # during a visit or talks is one (a meeting "attended" is the occasion already reported)
            # talks are between people: "项目前来洽谈" at a promotion conference names nobody and is part of it
            nobody = (
                head == "talks" and bool(same_occasion) and bool(_NEGOTIATION.search(sentence.text))
                and not _MEETING_VERB.search(sentence.text)
                and not any(p.participant for p in actors.find_persons(sentence.text, language))
            )
            if not nobody and not _refers_back(sentence.text, language) and _new_occasion(
                head, {c.event_type for c in same_occasion}
            ):
                candidates.append(_Candidate(head, [sentence], date_mention, extra={"place": where}))
                last_in_paragraph[sentence.paragraph] = candidates[-1]
        for event_type in sorted(sentence_types & set(triggers.separate)):
            if event_type == main_type and i == lead_index:
                continue
            if event_type == "announcement" and (main_is_gathering or "launch" in sentence_types):
                continue  # an award announced at a meeting is the meeting's; "宣布…开工" is the launch itself
            if event_type == "launch" and main_type == "conference" and _OPENING.search(sentence.text):
                continue  # the opening ceremony of an expo or forum is that conference

            same = [
                c for c in candidates[1:] + ([main] if main_type == event_type else [])
                if c.event_type == event_type and c.date is not None and c.date.date == current
                and _same_place(c.extra.get("place") or main_place, where)
            ]
            if same:
                target = same[-1]
                last_in_paragraph[sentence.paragraph] = target
                if sentence not in target.sentences:
                    target.sentences.append(sentence)
                    target.extra.setdefault("spans", [])
                    target.extra["spans"] += _trigger_clauses(sentence, event_type, language)
                continue
            candidates.append(
                _Candidate(event_type, [sentence], date_mention,
                           extra={"place": where, "spans": _trigger_clauses(sentence, event_type, language)})
            )
            last_in_paragraph[sentence.paragraph] = candidates[-1]

    return _split_trips(_build_events(article, sentences, candidates, published), article.article_id, language)


#: "到深圳、中山、南宁等地考察", "went to Yidu in Hubei, Xingping in Shaanxi, and Xiamen in Fujian": a trip to a list
#: of cities is one visit per city
_TRIP_VERB = re.compile(
    r"(?:到|赴|前往|深入|率队到|率团到|率团赴|率队赴|先后到|先后赴"
    r"|\b(?:went|travell?ed|headed|go) to|\bvisited|\btoured|\bvisits? to|\btrip to)\s*$",
    re.IGNORECASE,
)
_IN_OF = re.compile(r"\b(?:in|of)\b")
_LIST_GAP = re.compile(r"^(?:\s*(?:、|,|，|;|；|\band\b|&|及|和|以及|与)\s*)+$", re.IGNORECASE)


def _trip_cities(evidence: str, language: str) -> list[places.Place]:
    """The cities of a listed trip in the evidence, in order (empty when it names fewer than two)."""
    found = places.find_places(evidence, language)
    cities: list[places.PlaceMention] = []
    for mention in found:
        if mention.place.level not in ("city", "county"):
            continue  # "Yidu in Hubei": the province qualifies the city before it
        if cities:
            gap = evidence[cities[-1].end : mention.start]
            for other in found:  # drop the qualifying provinces and countries from the gap
                if cities[-1].end <= other.start and other.end <= mention.start:
                    gap = gap.replace(other.text, "")
            gap = _IN_OF.sub("", gap)
            if not _LIST_GAP.match(gap):
                if len(cities) >= 2:
                    break
                cities = []
        if not cities and not _TRIP_VERB.search(evidence[max(0, mention.start - 14) : mention.start]):
            continue
        cities.append(mention)
    places_seen = list({m.place.key: m.place for m in cities}.values())
    if len(places_seen) < 2 or any(places.same_area(a, b) for a in places_seen for b in places_seen if a is not b):
        return []
    return places_seen


def _split_trips(events: list[Event], article_id: str, language: str) -> list[Event]:
    """One visit per city of a listed trip; each city keeps the organizations named after it (or its province)."""
    out: list[Event] = []
    used = {e.event_id for e in events}
    for event in events:
        cities = _trip_cities(event.evidence, language) if event.event_type == "visit" else []
        if not cities:
            out.append(event)
            continue
        orgs_of: dict[int, list[str]] = {i: [] for i in range(len(cities))}
        for org in event.organizations:
            home = next((i for i, c in enumerate(cities) if _names_place(org, c)), None)
            if home is None:
                home = next((i for i, c in enumerate(cities) if c.admin1 and _names_region(org, c)), 0)
            orgs_of[home].append(org)
        for i, city in enumerate(cities):
            event_id = _event_id(article_id, event.event_type, event.date, city.name, 0)
            ordinal = 0
            while event_id in used:
                ordinal += 1
                event_id = _event_id(article_id, event.event_type, event.date, city.name, ordinal)
            used.add(event_id)
            kept = set(orgs_of[i])
            participants = [p for p in event.participants if p.kind == "person" or p.name in kept]
            out.append(validate_event({
                **event.model_dump(),
                **places.to_location(city).model_dump(),
                "event_id": event_id,
                "organizations": orgs_of[i],
                "participants": [p.model_dump() for p in participants],
            }))
    return out


def _names_place(org: str, place: places.Place) -> bool:
    short = (place.name_zh or "").removesuffix("市").removesuffix("县").removesuffix("区")
    return (len(short) >= 2 and short in org) or place.name.casefold() in org.casefold()


def _names_region(org: str, place: places.Place) -> bool:
    """An organization named after the province of a city ("Shaanxi Huaxing …", "广西川泸置业")."""
    region = places.find_places(org, "zh" if not org.isascii() else "en")
    return any(m.place.level == "province" and m.place.name == place.admin1 for m in region)


_CLAUSE_BREAK = re.compile(r"[,，;；]")


def _trigger_clauses(sentence: Sentence, event_type: str, language: str) -> list[tuple[int, int]]:
    """Offsets of the clauses of a Chinese sentence that carry the event's trigger.

    "…与企业家座谈,州政府与中国电力工程顾问集团有限公司签订…协议" holds talks and a signing; the signing's
    parties are those of its own clause. English sentences stay whole (commas there rarely separate
    occasions).
    """
    whole = [(sentence.start, sentence.end)]
    if language != "zh":
        return whole
    pattern = _triggers().by_language["zh"][event_type]
    spans: list[tuple[int, int]] = []
    begin = 0
    for piece in [*_CLAUSE_BREAK.finditer(sentence.text), None]:
        end = piece.start() if piece else len(sentence.text)
        if pattern.search(sentence.text[begin:end]):
            spans.append((sentence.start + begin, sentence.start + end))
        begin = piece.end() if piece else end
    return spans or whole


def _dated(lead: dates.DateMention | None, day: dt.date) -> dates.DateMention | None:
    """A mention standing for an inherited or counted day (the lead's expression when it is the lead's day)."""
    if lead is None:
        return None
    if lead.date == day:
        return lead
    return dataclasses.replace(lead, date=day, precision="day", date_min=None, date_max=None)


_HONORIFIC = re.compile(
    r"^(?:mr|mrs|ms|miss|madam|dr|prof|h\.e\.|secretary|mayor|governor|director|chairman|president)\.?\s+",
    re.IGNORECASE,
)


def _place_from_site(url: str | None) -> tuple[places.Place, str] | None:
    """A government site names its city in its host ("english.zunyi.gov.cn"): the publisher's place,
    used when the page itself names none ("the municipal government held …")."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    if not host.endswith(".gov.cn"):
        return None
    for label in host.removesuffix(".gov.cn").split(".")[::-1]:
        if len(label) < 4 or not label.isalpha():
            continue
        found = places.find_places(label.capitalize(), "en")
        if found and found[0].text.casefold() == label and found[0].place.country_code == "CN":
            return found[0].place, "publisher"
    return None


_GENERIC_ORGAN = re.compile(r"^[市省县区州盟旗镇乡]?(?:委|政府|人大|政协|纪委|人民政府)$")


def _generic_organ(org: actors.OrgMention) -> bool:
    return org.kind == "government" and bool(_GENERIC_ORGAN.match(org.name))


def _same_person(full: str, short: str) -> bool:
    """"Mrs Teo" is Josephine Teo and "Mr Lu" is Lu Hao (Chinese surnames come first); a misspelt full
    name ("Zhu Xiodan") stays as written."""
    a, b = full.casefold(), _HONORIFIC.sub("", short.casefold())
    if a == short.casefold():
        return True
    if " " in b or b == short.casefold():
        return False
    tokens = a.split()
    return len(tokens) >= 2 and b in (tokens[0], tokens[-1])


def _folds_into(full: actors.PersonMention, short: actors.PersonMention) -> bool:
    """"Zhao met …" after "Zhao Gang, Governor of …": the finder's own folding of short references decides."""
    return " " not in short.name and len(actors.dedupe_persons([full, short])) == 1


def _delegation_leaders(
    body: str, language: str, raw: Sequence[actors.PersonMention], persons: Sequence[actors.PersonMention]
) -> list[actors.PersonMention]:
    """Heads of a delegation: "X … led a delegation", "a delegation led by X", "X率团"."""
    patterns = _triggers().delegation["zh" if language == "zh" else "en"]
    if not (_may_match(patterns["leads"], body) or _may_match(patterns["led_by"], body)):
        return []  # the windows searched below are parts of the body
    names: list[str] = []
    starts = sorted({m.start for m in raw} | {len(body)})
    ends = sorted({m.end for m in raw} | {0})
    for mention in raw:
        # up to the next (from the previous) person named: "A met B, who led a delegation" makes B the head
        following = starts[bisect_right(starts, mention.start)]
        preceding = ends[bisect_left(ends, mention.start) - 1] if bisect_left(ends, mention.start) else 0
        after = body[mention.end : min(following, mention.end + 120)]
        before = body[max(preceding, mention.start - 80) : mention.start]
        leads = patterns["leads"].search(after) if language != "zh" else patterns["leads"].match(after)
        if leads or patterns["led_by"].search(before):
            names.append(mention.name)
    return [p for p in persons if any(_same_person(p.name, name) or p.name == name for name in names)]


_WrittenNames = list[tuple[str, list[int]]]


def _starts_by_folded_name(raw: Sequence[Any]) -> _WrittenNames:
    """The start offsets of the mentions of each distinct (case-folded) name, names in order of first mention."""
    starts: dict[str, list[int]] = {}
    for mention in raw:
        starts.setdefault(mention.name.casefold(), []).append(mention.start)
    return list(starts.items())


def _mentions_within(raw: Sequence[Any], spans: Sequence[tuple[int, int]]) -> list[Any]:
    """The mentions that start inside one of the spans, in their order."""
    if len(spans) == 1:
        ((begin, end),) = spans
        return [m for m in raw if begin <= m.start < end]
    return [m for m in raw if any(a <= m.start < b for a, b in spans)]


def _build_events(
    article: Article, sentences: list[Sentence], candidates: list[_Candidate], published: dt.date | None
) -> list[Event]:
    language = article.language
    body = article.text
    raw_persons = [p for p in actors.find_persons(body, language) if p.participant]
    persons_all = actors.dedupe_persons(raw_persons)
    raw_orgs = actors.find_organizations(body, language)
    orgs_all = actors.dedupe_organizations(raw_orgs)
    # text that other events' own sentences (or clauses) report: their participants are theirs, unless the
    # main occasion's own sentence reports them too ("X met Y … and witnessed the signing of …")
    main_sentences = {(x.start, x.end) for x in candidates[0].sentences}
    claimed_spans = [
        span
        for candidate in candidates[1:]
        for span in (candidate.extra.get("spans") or [(x.start, x.end) for x in candidate.sentences])
        if span not in main_sentences
    ]

    def claimed(offset: int) -> bool:
        return any(a <= offset < b for a, b in claimed_spans)

    # parties of agreements signed *at* the main conference ("会上…签约", "At the summit, … signed") are
    # also participants of the conference
    at_main_spans = [
        (x.start, x.end)
        for candidate in candidates[1:]
        if candidates[0].event_type == "conference" and any(_AT_OCCASION.search(x.text) for x in candidate.sentences)
        for x in candidate.sentences
    ]

    # where each name is written, folded once per article (needed only when other events claim text)
    persons_written = _starts_by_folded_name(raw_persons) if claimed_spans else []
    orgs_written = _starts_by_folded_name(raw_orgs) if claimed_spans else []

    def on_main(name: str, written: _WrittenNames) -> bool:
        """The main occasion has everyone not mentioned only in other events' own text, and the parties of
        agreements signed at it."""
        if not claimed_spans:
            return True
        key = name.casefold()
        written_somewhere = False
        for folded, starts in written:  # a mention of a part or a whole of the name counts
            if folded in key or key in folded:
                written_somewhere = True
                if any(not claimed(pos) or any(a <= pos < b for a, b in at_main_spans) for pos in starts):
                    return True
        return not written_somewhere

    leaders = _delegation_leaders(body, language, raw_persons, persons_all)
    member_word = _triggers().delegation["zh" if language == "zh" else "en"]["member"]
    member_named = _may_match(member_word, body)

    results: list[Event] = []
    used_ids: dict[str, int] = {}
    main_location = None
    main_place = candidates[0].extra.get("place")
    for index, candidate in enumerate(candidates):
        date = candidate.date
        if date is None:
            if published is None:
                continue
            date_value, precision, date_text = published, "approximate", None
        else:
            date_value, precision, date_text = date.date, date.precision, date.text
        evidence = " ".join(s.text for s in candidate.sentences)

        if index == 0:
            persons = [p for p in persons_all if on_main(p.name, persons_written)]
            orgs = [o for o in orgs_all if on_main(o.name, orgs_written)]
        else:
            # the names as written in this event's own sentences, folded into full names known elsewhere
            spans = candidate.extra.get("spans") or [(s.start, s.end) for s in candidate.sentences]
            persons = actors.dedupe_persons(_mentions_within(raw_persons, spans))
            persons = [next((p for p in persons_all if _same_person(p.name, m.name) or _folds_into(p, m)), m)
                       for m in persons]
            persons = list({p.name: p for p in persons}.values())
            if leaders and member_named and any(member_word.search(body, a, b) for a, b in spans):
                # "the delegation met …": the head of the delegation was there
                persons = [*[p for p in leaders if p not in persons], *persons]
            orgs = actors.dedupe_organizations(_mentions_within(raw_orgs, spans))

        own_place = candidate.extra.get("place")
        if index == 0 or (own_place is not None and not _same_place(own_place, main_place)):
            located = _resolve_place(
                evidence, body, title=article.title if index == 0 else None,
                source_name=article.source_name, language=language,
            )
            if index == 0 and candidate.extra.get("venue") is not None:
                located = (candidate.extra["venue"], "venue")
            if located is None and index == 0:
                located = _place_from_site(article.source_url)
            location = places.to_location(located[0]) if located else None
            if index == 0:
                main_location = location
        else:
            location = main_location
        if candidate.event_type != "signing":
            # "市委" in "市委书记王祺" names no one; a bare "州政府" is a party only when it signs
            orgs = [o for o in orgs if not _generic_organ(o)]
        # a known company implies its main line of business, not everything it also makes
        org_industries = sorted({o.industries[0] for o in orgs if o.industries})
        tags = industries.tag_industries(
            title=article.title if index == 0 else None,
            event_text=evidence,
            body=body,
            organization_industries=org_industries,
            language=language,
        )
        participants = [Participant(name=p.name, kind="person", role=p.role) for p in persons] + [
            Participant(name=o.name, kind="organization", role=None) for o in orgs
        ]
        place_name = location.place if location else None
        base_id = _event_id(article.article_id, candidate.event_type, date_value, place_name, 0)
        ordinal = used_ids.get(base_id, 0)
        used_ids[base_id] = ordinal + 1
        event_id = base_id if ordinal == 0 else _event_id(
            article.article_id, candidate.event_type, date_value, place_name, ordinal
        )
        row: dict[str, Any] = {
            "event_id": event_id,
            "article_id": article.article_id,
            "title": _title_for(candidate.event_type, article, evidence, index == 0),
            "event_type": candidate.event_type,
            "date": date_value,
            "date_precision": precision,
            "date_text": date_text,
            "published_at": article.published_at,
            "persons": [p.name for p in persons],
            "persons_latin": [p.latin for p in persons],
            "organizations": [o.name for o in orgs],
            "participants": participants,
            "industries": tags,
            "language": language,
            "source_title": article.title,
            "source_name": article.source_name,
            "source_url": article.source_url,
            "evidence": evidence,
            "extractor_version": EXTRACTOR_VERSION,
        }
        if location is not None:
            row.update(location.model_dump())
        results.append(validate_event(row))
    return results
