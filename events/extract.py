"""Event segmentation and typing: one article in, its events out.

The article is read as sentences. Sentences that name an occasion (trigger words per event type, kept
in ``data/event_triggers.yaml``) and carry or inherit a date become event candidates. Gathering
types (conference, meeting, talks, visit) on one date are one occasion; signings, launches and
announcements are events of their own, as the spec asks. Dates, places, actors and industries come
from their stage modules; this module only decides which sentences make which events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from events import EXTRACTOR_VERSION, actors, dates, industries, places
from events.schema import Article, Event, Participant, validate_event
from events.text import Sentence, split_sentences

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


@dataclass(frozen=True)
class _Triggers:
    by_language: dict[str, dict[str, re.Pattern[str]]]
    not_occurrence: dict[str, re.Pattern[str]]
    gathering: tuple[str, ...]
    separate: tuple[str, ...]
    priority: tuple[str, ...]


@cache
def _triggers() -> _Triggers:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("events").joinpath("data/event_triggers.yaml").read_text(encoding="utf-8")
    )
    by_language: dict[str, dict[str, re.Pattern[str]]] = {}
    for lang, flags in (("en", re.IGNORECASE), ("zh", 0)):
        compiled = {}
        for event_type, patterns in raw[lang].items():
            alternatives = "|".join(f"(?:{p})" for p in patterns)
            body = rf"\b(?:{alternatives})\b" if lang == "en" else f"(?:{alternatives})"
            # "met [A-Z]" needs case: compile English without IGNORECASE for capitals inside patterns
            compiled[event_type] = re.compile(body, flags if "[A-Z]" not in alternatives else 0)
        by_language[lang] = compiled
    not_occ = {}
    for lang in ("en", "zh"):
        words = "|".join(raw["not_occurrence"][lang])
        not_occ[lang] = re.compile(rf"\b(?:{words})\b" if lang == "en" else f"(?:{words})", re.IGNORECASE)
    return _Triggers(
        by_language=by_language,
        not_occurrence=not_occ,
        gathering=tuple(raw["gathering"]),
        separate=tuple(raw["separate"]),
        priority=tuple(raw["gathering_priority"]),
    )


@dataclass
class _Candidate:
    event_type: str
    sentences: list[Sentence]
    date: dates.DateMention | None
    from_title: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _types_in(text: str, language: str) -> list[tuple[int, str]]:
    """(position, type) of every trigger in the text, in order of appearance."""
    found: list[tuple[int, str]] = []
    for event_type, pattern in _triggers().by_language["zh" if language == "zh" else "en"].items():
        found.extend((m.start(), event_type) for m in pattern.finditer(text))
    found.sort()
    return found


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
        verb = re.search(r"(举行|召开|举办|开幕|会见|会谈|考察|调研|座谈)", text)
        cut = verb.start() + 2 if verb else len(text)
        before = [h for h in hits if h[0] < cut] or hits
        return before[-1][1]
    # English: a title like "X Met with Y" -> talks; "conference held" -> the head noun.
    first_types = {t for _, t in hits}
    for t in triggers.priority:
        if t in first_types and t == "talks" and re.search(r"\bmee?t", text, re.IGNORECASE):
            return "talks"
    return hits[0][1] if len(first_types) == 1 else min(first_types, key=triggers.priority.index)


def _is_occurrence(sentence: str, language: str) -> bool:
    """False for plans, wishes and background ("will sign", "希望…签约", "in recent years")."""
    return not _triggers().not_occurrence["zh" if language == "zh" else "en"].search(sentence)


def _text_years(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]


def _event_id(article_id: str, event_type: str, date: dt.date, place: str | None, ordinal: int) -> str:
    key = f"{article_id}|{date.isoformat()}|{event_type}|{place or ''}|{ordinal}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _sentence_dates(
    sentences: Sequence[Sentence], published: dt.date | None, language: str, years: Sequence[int]
) -> dict[int, list[dates.DateMention]]:
    return {
        i: [d for d in dates.find_dates(s.text, published, language, text_years=years) if not d.future]
        for i, s in enumerate(sentences)
    }


def _pick_date(mentions: Sequence[dates.DateMention]) -> dates.DateMention | None:
    """The best date of a sentence: a day beats a month beats an approximate expression."""
    if not mentions:
        return None
    rank = {"day": 0, "month": 1, "approximate": 2, "year": 3}
    return min(mentions, key=lambda d: (rank.get(d.precision, 9), d.start))


def _title_for(event_type: str, article: Article, evidence: str, is_main: bool) -> str:
    if is_main and article.title:
        return article.title.strip()[:200]
    clause = re.split(r"[,，;；。]", evidence.strip())
    zh = article.language == "zh"
    labels = {
        "signing": ("Signing", "签约"),
        "launch": ("Launch", "开工"),
        "announcement": ("Announcement", "发布"),
        "conference": ("Conference", "会议"),
        "meeting": ("Meeting", "会议"),
        "talks": ("Talks", "会见"),
        "visit": ("Visit", "考察"),
        "other": ("Event", "活动"),
    }
    label = labels.get(event_type, ("Event", "活动"))[1 if zh else 0]
    snippet = next((c.strip() for c in clause if _types_in(c, article.language)), clause[0].strip())
    snippet = snippet[:80] + ("…" if len(snippet) > 80 else "")
    return f"{label}: {snippet}" if not zh else f"{label}：{snippet}"


def extract_events(article: Article) -> list[Event]:
    """All events of one article, validated, in order of their evidence."""
    language = article.language
    sentences = split_sentences(article.text)
    if not sentences:
        return []
    published = article.published_at.date() if article.published_at else None
    years = _text_years(article.text)
    per_sentence = _sentence_dates(sentences, published, language, years)
    title = article.title or ""

    triggers = _triggers()
    # The lead: the first dated sentence that names an occasion, else the first dated sentence.
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

    main_type = (
        _head_gathering_type(title, language)
        or _head_gathering_type(lead.text, language)
        or next((t for _, t in _types_in(title, language)), None)
        or next((t for _, t in _types_in(lead.text, language) if t in triggers.gathering), None)
        or next((t for _, t in _types_in(lead.text, language)), None)
    )

    candidates: list[_Candidate] = []
    separate_seen: dict[tuple[str, dt.date | None], _Candidate] = {}
    title_types = {t for _, t in _types_in(title, language)}
    for i, sentence in enumerate(sentences):
        sentence_types = {t for _, t in _types_in(sentence.text, language)}
        if i == lead_index:
            sentence_types |= title_types & set(triggers.separate)
        own_date = _pick_date(per_sentence[i])
        date = own_date or (lead_date if i >= lead_index else None)
        for event_type in sorted(sentence_types & set(triggers.separate)):
            if event_type == main_type or not _is_occurrence(sentence.text, language):
                continue
            if date is None:
                continue
            key = (event_type, date.date)
            if key in separate_seen:
                separate_seen[key].sentences.append(sentence)
                continue
            candidate = _Candidate(event_type, [sentence], date)
            separate_seen[key] = candidate
            candidates.append(candidate)

    main = _Candidate(main_type or "other", [lead], lead_date, from_title=bool(title))
    events_out: list[_Candidate] = [main, *[c for c in candidates if c.event_type != main.event_type]]
    if main.event_type in triggers.separate:
        # the headline occasion is itself a signing/launch: merge same-type candidates into it
        events_out = [main, *[c for c in candidates if c.event_type != main.event_type]]

    return _build_events(article, sentences, events_out, published)


def _build_events(
    article: Article, sentences: list[Sentence], candidates: list[_Candidate], published: dt.date | None
) -> list[Event]:
    language = article.language
    body = article.text
    persons_all = actors.dedupe_persons(actors.find_persons(body, language))
    orgs_all = actors.dedupe_organizations(actors.find_organizations(body, language))
    claimed: dict[int, int] = {}  # sentence start -> candidate index that owns it (non-main events)
    for index, candidate in enumerate(candidates[1:], start=1):
        for s in candidate.sentences:
            claimed[s.start] = index

    results: list[Event] = []
    used_ids: dict[str, int] = {}
    for index, candidate in enumerate(candidates):
        date = candidate.date
        if date is None:
            if published is None:
                continue
            date_value, precision, date_text = published, "approximate", None
        else:
            date_value, precision, date_text = date.date, date.precision, date.text
        evidence = " ".join(s.text for s in candidate.sentences)
        spans = [(s.start, s.end) for s in candidate.sentences]

        def in_spans(start: int, spans: list[tuple[int, int]] = spans) -> bool:
            return any(a <= start < b for a, b in spans)

        def owned_elsewhere(start: int, index: int = index) -> bool:
            owner = next((claimed.get(s.start) for s in sentences if s.start <= start < s.end + 1), None)
            return owner is not None and owner != index

        if index == 0:
            persons = [p for p in persons_all if p.participant and not owned_elsewhere(p.start)]
            orgs = [o for o in orgs_all if not owned_elsewhere(o.start)]
        else:
            persons = [p for p in persons_all if p.participant and in_spans(p.start)]
            orgs = [o for o in orgs_all if in_spans(o.start)]
        if candidate.event_type != "signing":
            orgs = [o for o in orgs if o.kind != "government"]

        located = places.resolve_event_place(
            evidence, body, title=article.title, source_name=article.source_name, language=language
        )
        location = places.to_location(located[0]) if located else None
        org_industries = sorted({ind for o in orgs for ind in o.industries})
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
