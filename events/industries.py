"""Industry tags of an event: what the event is about, not every industry the article names.

Keywords (``data/industry_keywords.yaml``) are matched with one Aho-Corasick automaton (English with
word boundaries, Chinese anywhere). Each sentence counts by how close it is to the event: the headline
and the event's own sentences count most, as do sentences that list the event's scope ("the projects
involve …", 项目涉及…); then the event's paragraph, the next one and sentences that report the event's
proceedings ("At the meeting, …", 会上…); then background; least the parts of the article that report
another occasion ("At another ceremony …"). A slug is tagged when its sum reaches a threshold, so a
background word mentioned once is not enough while a repeated topic is. Industries of participating
known companies, passed in by the caller, count like a mention in the event sentence.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate, pairwise
from operator import itemgetter
from typing import Any, NamedTuple

import ahocorasick
import yaml

from events.taxonomy import industry_slugs
from events.text import code_units, literal_positions

_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)
_CJK = re.compile(r"[\u3400-\u9fff]")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")
# Dashes read as spaces; double quotes and CJK brackets vanish (“智”造 is 智造). Single quotes stay so
# that "China's" keeps its word boundary.
_DROPPED = "“”\"「」『』《》〈〉"
_AS_SPACE = "-‐‑–—_"
_CASED_TABLE = str.maketrans(_AS_SPACE, " " * len(_AS_SPACE), _DROPPED)
_FOLD_TABLE = str.maketrans(
    string.ascii_uppercase + _AS_SPACE, string.ascii_lowercase + " " * len(_AS_SPACE), _DROPPED
)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_SPACES = re.compile(r"\s+")
# Sentence pieces, a little finer than events.text.split_sentences (a stop before a space, every
# Chinese stop; NFKC has made ！？； ASCII), so that each evidence sentence the caller passes is a run
# of whole pieces, found by position. One regex pass costs a tenth of the shared splitter.
# The (?<!\s) at the end makes the match end where str.rstrip would cut it: backtracking gives back only the
# trailing white space of the last run of letters.
_PIECE = re.compile(
    r"[^\s。;!?.][^\n。;!?.]*(?:\.(?![”’\")]*\s)[^\n。;!?.]*)*(?:[。;!?]+[”’\"」』)]*|\.+[”’\")]*)?(?<!\s)"
)
_MIN_CONTENT_PARAGRAPH = 25  # shorter lines are captions, image names, bylines
# Keywords weaker than this ("construction", "culture", 文化) only support a tag near the event: they
# count nowhere else and cannot make a tag on their own.
_WEAK = 0.5
_SUPPORT_ZONES = frozenset({"title", "event", "scope", "near"})
# Page chrome that survived extraction: navigation bars "A|B|C" and numbered lists of other headlines.
_NAVIGATION = re.compile(r"\|.*\|")
_HEADLINE_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.、)]|[·•▪►>-])\s*\S[^。！？!?]*$")
_KIND_CUES = ("signing", "launch")
_NO_KINDS: frozenset[str] = frozenset()
_START = itemgetter(0)
# Office patterns: a group of plain words that ends (or starts) the pattern, so that no match is possible
# unless one of its words is near the keyword. Words only: letters, CJK, spaces and "|".
_LAST_WORD_GROUP = re.compile(r"\(\?:([a-z \u3400-\u9fff|]+)\)(?:\\b)?$")
_FIRST_WORD_GROUP = re.compile(r"^(?:\\b)?\(\?:([a-z \u3400-\u9fff|]+)\)(?![?*{])")
# Keywords without CJK are all a text without CJK can contain. pyahocorasick looks a letter up among a
# node's children one by one, and the root has hundreds of CJK children: on Chinese text the automaton runs
# over the UTF-16 code units written as pairs of Latin-1 letters, whose root has a few dozen children.
_WIDE = "utf-16-be"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One keyword as loaded: the slug weights it gives (blockers give none)."""

    term: str
    weights: tuple[tuple[str, float], ...]
    cased: str | None  # the exact (dash-folded) spelling required, for terms with capitals


class _Cue(NamedTuple):
    name: str  # signing, launch, scope_cue
    prefix: bool  # "involv*": any word ending


@dataclass(frozen=True, slots=True)
class _Scoring:
    zone_weights: dict[str, float]
    organization_weight: float
    threshold: float


@dataclass(frozen=True, slots=True)
class _Cues:
    scope_subject: re.Pattern[str]  # searched only near a scope cue (its words are frequent)
    scope_before: int
    scope_after: int
    continuation: re.Pattern[str]  # matched at the start of a sentence
    other_event: re.Pattern[str]  # matched at the start of a sentence


@dataclass(frozen=True, slots=True)
class _Keywords:
    automaton: Any  # ahocorasick.Automaton: key -> (length, latin, entries, cues)
    latin_automaton: Any  # the keys without CJK
    wide_automaton: Any  # every key as UTF-16 code units (see _WIDE); same values
    scoring: _Scoring
    cues: dict[str, _Cues]
    offices: dict[str, re.Pattern[str]]
    office_words: dict[str, tuple[str, ...] | None]  # en, zh: one occurs near every office match (None: unknown)


@dataclass(frozen=True, slots=True)
class IndustryHit:
    """One reason for a slug: where the keyword was found and how much it added."""

    zone: str
    term: str
    keyword_weight: float
    score: float
    sentence: str


@dataclass(frozen=True, slots=True)
class IndustryEvidence:
    """A slug's summed score, whether it is tagged, and the hits that made the score."""

    slug: str
    score: float
    tagged: bool
    hits: tuple[IndustryHit, ...] = field(default=())


# ---------------------------------------------------------------------------------------------------
# loading


def _parse_entry(raw: str, own_slug: str | None) -> tuple[str, tuple[tuple[str, float], ...]]:
    """``"term | 0.8, new-energy 0.6"`` -> ("term", ((own_slug, 0.8), ("new-energy", 0.6)))."""
    if not isinstance(raw, str):
        raise ValueError(f"industry keyword {raw!r} is not a string (quote it in the YAML)")
    term, _, rest = (part.strip() for part in raw.partition("|"))
    weights: dict[str, float] = {}
    if own_slug is not None:
        weights[own_slug] = 1.0
    for item in filter(None, (piece.strip() for piece in rest.split(","))):
        words = item.split()
        if len(words) == 1 and own_slug is not None:
            weights[own_slug] = float(words[0])
        elif len(words) == 2:
            weights[words[0]] = float(words[1])
        else:
            raise ValueError(f"industry keyword {raw!r}: cannot read {item!r}")
    return term, tuple((slug, w) for slug, w in weights.items() if w > 0)


def _keys_for(term: str) -> list[tuple[str, str | None]]:
    """(automaton key, cased spelling or None) for a term and, for "…y" words, its "…ies" plural."""
    cased_form = _SPACES.sub(" ", term.translate(_CASED_TABLE)).strip()
    key = cased_form.translate(_FOLD_TABLE)
    cased = cased_form if any(c.isupper() for c in cased_form) else None
    keys = [(key, cased)]
    if not _CJK.search(key) and _CONSONANT_Y.search(key):
        keys.append((key[:-1] + "ies", cased[:-1] + "ies" if cased else None))
    return keys


def _word_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """A word list as one lower-case pattern: English whole words (plural "s", "*" any ending).

    The English words share one look-behind and one look-ahead: a look-behind in front of every alternative
    keeps the regex engine from skipping ahead to a possible first letter, twenty times slower.
    """
    chinese, english = [], []
    for word in words:
        stem = re.escape(word.rstrip("*"))
        if _CJK.search(word):
            chinese.append(stem)
        else:
            english.append(stem + (r"\w*" if word.endswith("*") else r"(?:e?s)?"))
    if english:
        chinese.append(rf"(?<![a-z0-9])(?:{'|'.join(english)})(?![a-z0-9])")
    return re.compile("|".join(chinese))


def _compile_cues(raw: dict[str, Any], language: str) -> _Cues:
    """Cue patterns run on lower-cased text: no IGNORECASE, which would slow every scan."""

    def one(patterns: dict[str, list[str]]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns[language]))

    window = raw["scope"]["window"][language]
    return _Cues(
        scope_subject=_word_pattern(raw["scope"]["subject"][language]),
        scope_before=int(window["before"]),
        scope_after=int(window["after"]),
        continuation=one(raw["continuation"]),
        other_event=one(raw["other_event"]),
    )


@cache
def _keywords() -> _Keywords:
    text = resources.files("events").joinpath("data/industry_keywords.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    known = industry_slugs()
    missing, unknown = known - set(raw["industries"]), set(raw["industries"]) - known
    if missing or unknown:
        raise ValueError(f"industry_keywords.yaml: missing slugs {sorted(missing)}, unknown {sorted(unknown)}")

    entries: dict[str, list[_Entry]] = {}
    cues: dict[str, list[_Cue]] = {}

    def add(term_raw: str, own_slug: str | None) -> None:
        term, weights = _parse_entry(term_raw, own_slug)
        bad = [slug for slug, _ in weights if slug not in known]
        if bad:
            raise ValueError(f"industry keyword {term_raw!r}: unknown slug(s) {bad}")
        for key, cased in _keys_for(term):
            entries.setdefault(key, []).append(_Entry(term=term, weights=weights, cased=cased))

    for slug, languages in raw["industries"].items():
        for language in ("en", "zh"):
            for term_raw in languages.get(language) or ():
                add(term_raw, slug)
    for language in ("en", "zh"):
        for term_raw in raw["blockers"].get(language) or ():
            add(term_raw, None)
    cue_words = {
        "scope_cue": raw["cues"]["scope"]["cue"],
        **{kind: raw["cues"][kind] for kind in _KIND_CUES},
    }
    for name, by_language in cue_words.items():
        for language in ("en", "zh"):
            for word in by_language[language]:
                prefix = word.endswith("*")
                key = _SPACES.sub(" ", word.rstrip("*").translate(_FOLD_TABLE)).strip()
                cues.setdefault(key, []).append(_Cue(name, prefix))

    automaton, latin_automaton, wide_automaton = (ahocorasick.Automaton() for _ in range(3))
    for key in entries.keys() | cues.keys():
        latin = not _CJK.search(key)
        value = (len(key), latin, tuple(entries.get(key, ())), tuple(cues.get(key, ())))
        automaton.add_word(key, value)
        wide_automaton.add_word(code_units(key, _WIDE), value)
        if latin:
            latin_automaton.add_word(key, value)
    for each in (automaton, latin_automaton, wide_automaton):
        each.make_automaton()

    scoring_raw = raw["scoring"]
    scoring = _Scoring(
        zone_weights={k: float(v) for k, v in scoring_raw["zone_weights"].items()},
        organization_weight=float(scoring_raw["organization_weight"]),
        threshold=float(scoring_raw["threshold"]),
    )
    compiled = {language: _compile_cues(raw["cues"], language) for language in ("en", "zh")}
    offices = {key: re.compile(pattern) for key, pattern in raw["offices"].items()}
    en_after = _office_words(raw["offices"]["en_after"], _LAST_WORD_GROUP)
    en_before = _office_words(raw["offices"]["en_before"], _FIRST_WORD_GROUP)
    office_words = {
        "en": None if en_after is None or en_before is None else tuple(dict.fromkeys(en_after + en_before)),
        "zh": _office_words(raw["offices"]["zh_after"], _LAST_WORD_GROUP),
    }
    return _Keywords(
        automaton=automaton,
        latin_automaton=latin_automaton,
        wide_automaton=wide_automaton,
        scoring=scoring,
        cues=compiled,
        offices=offices,
        office_words=office_words,
    )


def _office_words(pattern: str, group: re.Pattern[str]) -> tuple[str, ...] | None:
    """The words of the group an office pattern starts or ends with, or None when it has none.

    A match needs one of them, so a keyword with none of them nearby needs no regex. None (check every
    keyword) when the pattern has an alternation outside parentheses, where the group would be optional.
    """
    found = group.search(pattern)
    if found is None or _has_top_level_alternation(pattern):
        return None
    words = tuple(found.group(1).split("|"))
    return words if all(words) else None


def _has_top_level_alternation(pattern: str) -> bool:
    depth, escaped, in_class, class_start = 0, False, False, -1
    for i, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            if char == "]" and i > class_start + 1 and not (i == class_start + 2 and pattern[i - 1] == "^"):
                in_class = False
        elif char == "[":
            in_class, class_start = True, i
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# matching


def _folded(text: str, lowered: str) -> tuple[str, str]:
    """(lower-cased, case-kept) forms of the text to match: dashes as spaces, quotes dropped.

    ``lowered`` is text.lower(), which the caller may have at hand. str.lower and str.replace run in C;
    str.translate takes a slow path on non-ASCII text.
    """
    if len(lowered) != len(text):  # a rare letter whose lower case is longer (İ)
        return text.translate(_FOLD_TABLE), text.translate(_CASED_TABLE)
    cased = text
    for dash in _AS_SPACE:
        if dash in cased:
            cased = cased.replace(dash, " ")
            lowered = lowered.replace(dash, " ")
    for mark in _DROPPED:
        if mark in cased:
            cased = cased.replace(mark, "")
            lowered = lowered.replace(mark, "")
    return lowered, cased


def _end_of_word(text: str, end: int) -> int:
    """Where an English match really ends (after a plural "s"/"es"), or -1 inside a longer word."""
    n = len(text)
    if end >= n or text[end] not in _ASCII_ALNUM:
        return end
    if text[end] == "s" and (end + 1 >= n or text[end + 1] not in _ASCII_ALNUM):
        return end + 1
    if text.startswith("es", end) and (end + 2 >= n or text[end + 2] not in _ASCII_ALNUM):
        return end + 2
    return -1


class _Found(NamedTuple):
    keywords: list[tuple[int, _Entry]]  # (position, keyword) kept by the overlap rule, in text order
    cues: list[tuple[int, str]]  # (position, cue name)

    def entries(self) -> list[_Entry]:
        return [entry for _, entry in self.keywords]

    def kinds(self) -> frozenset[str]:
        return frozenset(name for _, name in self.cues if name in _KIND_CUES)


_Span = tuple[int, int, int, _Entry]  # start, end, key length, keyword


def _resolve_overlaps(spans: list[_Span]) -> list[_Span]:
    """Keep the longest of overlapping matches, then the leftmost; spans come sorted by start.

    On one span the exact word ("logistics") comes before a plural match ("logistic"+s).
    """
    kept: list[_Span] = []
    i, n = 0, len(spans)
    while i < n:  # clusters of mutually reachable overlaps; most are a single match
        cluster_start, cluster_end = spans[i][0], spans[i][1]
        j = i + 1
        while j < n and spans[j][0] < cluster_end:
            if spans[j][1] > cluster_end:
                cluster_end = spans[j][1]
            j += 1
        if j == i + 1:
            kept.append(spans[i])
        else:
            # Most clusters are one long match and the shorter keywords inside it (新能源汽车: 新能源, 能源,
            # 汽车): the spans that cover the whole cluster win, and overlap everything else.
            covering = [s for s in spans[i:j] if s[0] == cluster_start and s[1] == cluster_end]
            if covering:
                covering.sort(key=_longer_key_first)
                kept.extend(covering)
            else:
                kept.extend(_resolve_cluster(spans[i:j]))
        i = j
    return kept


def _resolve_cluster(cluster: list[_Span]) -> list[_Span]:
    chosen: list[_Span] = []
    for span in sorted(cluster, key=_longest_first):
        start, end = span[0], span[1]
        same = chosen and chosen[-1][0] == start and chosen[-1][1] == end
        if same or not any(start < c[1] and c[0] < end for c in chosen):
            chosen.append(span)
    chosen.sort(key=_START)
    return chosen


def _longest_first(span: _Span) -> tuple[int, int, int]:
    return span[0] - span[1], -span[2], span[0]


def _longer_key_first(span: _Span) -> int:
    return -span[2]


def _automaton_hits(folded: str) -> tuple[Iterable[tuple[int, Any]], bool]:
    """The automaton iteration over the text, and whether its positions count UTF-16 code units."""
    keywords = _keywords()
    if folded.isascii() or not _CJK.search(folded):
        return keywords.latin_automaton.iter(folded), False
    wide = code_units(folded, _WIDE)
    if len(wide) != 2 * len(folded):  # characters beyond the BMP take two code units
        return keywords.automaton.iter(folded), False
    return keywords.wide_automaton.iter(wide), True


def _find(text: str, lowered: str | None = None) -> _Found:
    """All keywords and cue words of a text, positions in the text as given; ``lowered`` is text.lower().

    Overlapping keywords: the longest wins, then the leftmost (工业互联网 beats the 建工 of
    组建工业互联网, 新能源汽车 beats 能源, "energy saving" beats "energy"). Cue words overlap freely.
    """
    folded, cased_text = _folded(text, text.lower() if lowered is None else lowered)
    alnum = _ASCII_ALNUM
    n = len(folded)
    spans: list[_Span] = []
    cue_hits: list[tuple[int, str]] = []
    hits, wide = _automaton_hits(folded)
    for last, (length, latin, entries, cues) in hits:
        if wide:
            if not last & 1:  # a key's code units across two characters
                continue
            last >>= 1
        start = last - length + 1
        end = last + 1
        if latin:
            if start and folded[start - 1] in alnum:
                continue
            word_end = end if end == n or folded[end] not in alnum else _end_of_word(folded, end)
            if cues:
                cue_hits.extend((start, cue.name) for cue in cues if cue.prefix or word_end >= 0)
            if word_end < 0:
                continue
            end = word_end
        elif cues:
            cue_hits.extend((start, cue.name) for cue in cues)
        for entry in entries:
            if entry.cased is None or cased_text.startswith(entry.cased, start):
                spans.append((start, end, length, entry))
    if len(spans) > 1:
        spans.sort(key=_START)
        spans = _resolve_overlaps(spans)
    if spans:
        spans = _outside_offices(folded, spans)
    keywords = [(span[0], span[3]) for span in spans]
    if len(folded) != len(text):  # quotes were dropped: map positions back to the original text
        dropped = [position - i for i, position in enumerate(literal_positions(text, _DROPPED))]
        keywords = [(p + bisect_right(dropped, p), entry) for p, entry in keywords]
        cue_hits = [(p + bisect_right(dropped, p), name) for p, name in cue_hits]
    return _Found(keywords, cue_hits)


def _outside_offices(folded: str, spans: list[_Span]) -> list[_Span]:
    """The spans that are not part of an office's name (科技局, "Department of Commerce").

    The office patterns run only on the spans that one of their words follows (or precedes) closely enough to be
    part of a match. The spans have been resolved: they do not overlap, so their starts and their ends are both in
    order, and the spans near one occurrence of a word are a slice found by bisection.
    """
    office_words = _keywords().office_words
    starts = [span[0] for span in spans]
    ends = [span[1] for span in spans]
    suspects: set[int] = set()
    for words, english in ((office_words["en"], True), (office_words["zh"], False)):
        if words is None:  # no words known: every span of that script is checked
            suspects.update(i for i, start in enumerate(starts) if folded[start].isascii() is english)
            continue
        for position in literal_positions(folded, words):
            if english:  # en_before searches 60 characters before the keyword, en_after 60 after
                first, stop = bisect_right(ends, position - 60), bisect_right(starts, position + 60)
            else:  # zh_after matches within 12 characters after the keyword
                first, stop = bisect_left(ends, position - 11), bisect_right(ends, position)
            suspects.update(i for i in range(first, stop) if folded[starts[i]].isascii() is english)
    dropped = {i for i in suspects if _in_office_name(folded, starts[i], ends[i])}
    return [span for i, span in enumerate(spans) if i not in dropped] if dropped else spans


def _in_office_name(folded: str, start: int, end: int) -> bool:
    offices = _keywords().offices
    if folded[start].isascii():
        before = max(0, start - 60)
        return bool(offices["en_after"].match(folded, end, end + 60)) or bool(
            "of" in folded[before:start] and offices["en_before"].search(folded, before, start)
        )
    return bool(offices["zh_after"].match(folded, end, end + 12))


def _strongest_per_slug(entries: Sequence[_Entry]) -> _Matches:
    """(slug, weight, term) of _best_per_slug."""
    if len(entries) == 1 and len(entries[0].weights) == 1:
        (slug, weight), = entries[0].weights
        return ((slug, weight, entries[0].term),)
    return tuple([(slug, weight, term) for slug, (weight, term) in _best_per_slug(entries).items()])


def _best_per_slug(entries: Sequence[_Entry]) -> dict[str, tuple[float, str]]:
    """The strongest (weight, term) per slug: one sentence counts a slug once."""
    best: dict[str, tuple[float, str]] = {}
    for entry in entries:
        for slug, weight in entry.weights:
            current = best.get(slug)
            if current is None or weight > current[0]:  # weights are positive
                best[slug] = (weight, entry.term)
    return best


def _lower(text: str, lowered: str) -> str:
    """Lower case with the same length (the cue patterns are written in lower case); lowered is text.lower()."""
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


# ---------------------------------------------------------------------------------------------------
# the article body, analysed once per body (the caller tags every event of an article)


_Matches = tuple[tuple[str, float, str], ...]  # (slug, weight, term)


class _BodySentence(NamedTuple):
    text: str
    paragraph: int  # line number
    region: int  # increments at each "At another ceremony" / "On the second day" sentence
    matches: _Matches  # (slug, weight, term): the strongest keyword per slug
    strong_matches: _Matches  # those that count far from the event too
    scope: bool
    continuation: bool
    kinds: frozenset[str]
    chrome: bool


@dataclass(frozen=True, slots=True)
class _Body:
    starts: tuple[int, ...]  # of every sentence piece
    regions: tuple[int, ...]  # of every sentence piece
    paragraphs: tuple[int, ...]  # of every sentence piece
    kinds: tuple[frozenset[str], ...]  # of every sentence piece: signing, launch
    sentences: dict[int, _BodySentence]  # only the pieces that name an industry
    next_content_paragraph: dict[int, int]


def _pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentence pieces of a text, without trailing white space."""
    return [m.span() for m in _PIECE.finditer(text)]


def _is_scope(cues: list[tuple[int, str]], lowered: str, span: tuple[int, int], cue_words: _Cues) -> bool:
    """A listing word with the occasion's noun close before (or, in Chinese, after) it."""
    a, b = span
    for position, name in cues:
        if name != "scope_cue":
            continue
        if cue_words.scope_subject.search(lowered, max(a, position - cue_words.scope_before), position):
            return True
        after = min(b, position + cue_words.scope_after)
        if cue_words.scope_after and cue_words.scope_subject.search(lowered, position + 1, after):
            return True
    return False


@lru_cache(maxsize=128)
def _analyse_body(body: str, language: str) -> _Body:
    cue_patterns = _keywords().cues["zh" if language == "zh" else "en"]
    body_lower = body.lower()
    lowered = _lower(body, body_lower)
    lines = body.split("\n")
    line_starts = list(accumulate([len(line) + 1 for line in lines[:-1]], initial=0))
    pieces = _pieces(body)
    starts = [a for a, _ in pieces]
    found = _find(body, body_lower)
    keywords_at: dict[int, list[_Entry]] = {}
    for position, entry in found.keywords:
        keywords_at.setdefault(bisect_right(starts, position) - 1, []).append(entry)
    cues_at: dict[int, list[tuple[int, str]]] = {}
    for position, name in found.cues:
        cues_at.setdefault(bisect_right(starts, position) - 1, []).append((position, name))

    other_event = cue_patterns.other_event.match
    regions: list[int] = []
    region = 0
    for a, b in pieces:
        if other_event(lowered, a, b):
            region += 1
        regions.append(region)
    paragraphs = [bisect_right(line_starts, a) - 1 for a in starts]
    kinds = [_NO_KINDS] * len(pieces)
    for index, cues in cues_at.items():
        if index >= 0:
            kinds[index] = frozenset(name for _, name in cues if name in _KIND_CUES)

    sentences: dict[int, _BodySentence] = {}
    chrome_lines: dict[int, bool] = {}
    continuation = cue_patterns.continuation.match
    for index in sorted(keywords_at):
        if index < 0:  # before the first piece
            continue
        a, b = pieces[index]
        paragraph = paragraphs[index]
        if paragraph not in chrome_lines:
            line = lines[paragraph].strip()
            chrome_lines[paragraph] = bool(_NAVIGATION.search(line) or _HEADLINE_LIST_ITEM.match(line))
        matches = _strongest_per_slug(keywords_at[index])
        sentences[index] = _BodySentence(  # positional: a tenth of the cost with keywords
            body[a:b],  # text
            paragraph,
            regions[index],  # region
            matches,
            _counting(matches, "background"),  # strong_matches
            _is_scope(cues_at.get(index, []), lowered, (a, b), cue_patterns),  # scope
            bool(continuation(lowered, a, b)),  # continuation
            kinds[index],
            chrome_lines[paragraph],  # chrome
        )
    content = [p for p, line in enumerate(lines) if len(line.strip()) >= _MIN_CONTENT_PARAGRAPH]
    return _Body(
        starts=tuple(starts),
        regions=tuple(regions),
        paragraphs=tuple(paragraphs),
        kinds=tuple(kinds),
        sentences=sentences,
        next_content_paragraph=dict(pairwise(content)),
    )


def _event_pieces(analysed: _Body, body: str, event_text: str) -> list[int]:
    """Indices of the body's sentence pieces that make up the event text (found by position)."""
    found: set[int] = set()
    for a, b in _pieces(event_text):
        piece = event_text[a:b]
        position = body.find(piece) if len(piece) >= 4 else -1
        if position >= 0:
            first = max(0, bisect_right(analysed.starts, position) - 1)
            last = bisect_right(analysed.starts, position + len(piece) - 1)
            found.update(range(first, last))
    return sorted(found)


# ---------------------------------------------------------------------------------------------------
# scoring



def _zone_of(
    sentence: _BodySentence,
    after_event: bool,
    event_regions: set[int],
    lead_paragraphs: set[int],
    event_kinds: frozenset[str],
) -> str:
    if event_regions and sentence.region not in event_regions:
        return "other_event"
    continuation = sentence.continuation and after_event
    # A sentence about a signing or a groundbreaking is the evidence of that occasion's own event
    # (extract.py makes one), so it says little about another event: a visit, a meeting, or a launch
    # whose lead also names a signing (…集中开工暨集中签约…). It still counts for a plain signing event
    # ("The signed projects include …") and when it reports this event's proceedings ("At the forum,
    # 43 projects were signed").
    if sentence.kinds and not continuation and not (len(event_kinds) == 1 and sentence.kinds <= event_kinds):
        return "background"
    if sentence.scope:
        return "scope"
    if sentence.paragraph in lead_paragraphs or continuation:
        return "near"
    return "background"


def _counting(matches: _Matches, zone: str) -> _Matches:
    """The matches that count in a zone: weak keywords only near the event."""
    if zone in _SUPPORT_ZONES:
        return matches
    if len(matches) == 1:
        return matches if matches[0][1] >= _WEAK else ()
    return tuple([match for match in matches if match[1] >= _WEAK])


@lru_cache(maxsize=64)
def _title_matches(title: str) -> _Matches:
    """The headline's keywords: the same for every event of the article."""
    return _strongest_per_slug(_find(title).entries())


def _counted_sentences(
    title: str | None, event_text: str, body: str, language: str
) -> list[tuple[str, _Matches, str]]:
    """(zone, matches that count there, sentence) of the headline, the evidence and every body sentence
    that names an industry, in the order their hits count."""
    analysed = _analyse_body(body, language)
    event_text = (event_text or "").strip()
    title_text = (title or "").strip()
    if _NAVIGATION.search(title_text):
        title_text = ""

    counted: list[tuple[str, _Matches, str]] = []
    if title_text:
        counted.append(("title", _title_matches(title_text), title_text))
    event_indices = _event_pieces(analysed, body, event_text) if event_text else []
    event_kinds = frozenset(kind for i in event_indices for kind in analysed.kinds[i])
    if event_text and not event_indices:  # evidence that is not part of the body
        found = _find(event_text)
        event_kinds = found.kinds()
        counted.append(("event", _strongest_per_slug(found.entries()), event_text))

    event_set = set(event_indices)
    first_event = min(event_indices, default=0)
    event_regions = {analysed.regions[i] for i in event_indices}
    event_paragraphs = {analysed.paragraphs[i] for i in event_indices}
    lead_paragraphs = event_paragraphs | {
        analysed.next_content_paragraph[p] for p in event_paragraphs if p in analysed.next_content_paragraph
    }
    for i, sentence in analysed.sentences.items():
        if i in event_set:
            counted.append(("event", sentence.matches, sentence.text))
            continue
        if sentence.chrome or (title_text and sentence.text in title_text):
            continue  # page chrome; the headline repeated as the body's first line is counted once
        zone = _zone_of(sentence, i > first_event, event_regions, lead_paragraphs, event_kinds)
        matches = sentence.matches if zone in _SUPPORT_ZONES else sentence.strong_matches
        if matches:
            counted.append((zone, matches, sentence.text))
    return counted


def _organizations(organization_industries: Sequence[str]) -> list[str]:
    """The known slugs of the participating companies, each once."""
    known = industry_slugs()
    return [slug for slug in dict.fromkeys(organization_industries) if slug in known]


def industry_evidence(
    *,
    title: str | None,
    event_text: str,
    body: str,
    organization_industries: Sequence[str] = (),
    language: str,
) -> list[IndustryEvidence]:
    """Every slug with any score, best first, with the keyword hits behind it (for debugging)."""
    scoring = _keywords().scoring
    hits: dict[str, list[IndustryHit]] = {}
    for zone, matches, text in _counted_sentences(title, event_text, body, language):
        zone_weight = scoring.zone_weights[zone]
        for slug, weight, term in matches:
            hits.setdefault(slug, []).append(IndustryHit(zone, term, weight, weight * zone_weight, text))
    for slug in _organizations(organization_industries):
        hits.setdefault(slug, []).append(IndustryHit("organization", slug, 1.0, scoring.organization_weight, ""))

    threshold = scoring.threshold - 1e-9
    evidence = []
    for slug, slug_hits in hits.items():
        score = round(sum(h.score for h in slug_hits), 4)
        strong = max(h.keyword_weight for h in slug_hits) >= _WEAK
        evidence.append(IndustryEvidence(slug, score, strong and score >= threshold, tuple(slug_hits)))
    evidence.sort(key=lambda e: (-e.score, e.slug))
    return evidence


def tag_industries(
    *,
    title: str | None,
    event_text: str,
    body: str,
    organization_industries: Sequence[str] = (),
    language: str,
) -> list[str]:
    """Industry slugs (sorted by score desc, then slug) of what the EVENT is about.

    The tags of industry_evidence, summed the same way (same scores in the same order) without building
    the hits that only explain them.
    """
    scoring = _keywords().scoring
    scores: dict[str, list[float]] = {}
    strong: set[str] = set()  # a slug needs one keyword that is not weak
    for zone, matches, _text in _counted_sentences(title, event_text, body, language):
        zone_weight = scoring.zone_weights[zone]
        for slug, weight, _term in matches:
            slug_scores = scores.get(slug)
            if slug_scores is None:
                scores[slug] = [weight * zone_weight]
            else:
                slug_scores.append(weight * zone_weight)
            if weight >= _WEAK:
                strong.add(slug)
    for slug in _organizations(organization_industries):
        scores.setdefault(slug, []).append(scoring.organization_weight)
        strong.add(slug)

    threshold = scoring.threshold - 1e-9
    tagged = []
    for slug in strong:
        score = round(sum(scores[slug]), 4)
        if score >= threshold:
            tagged.append((-score, slug))
    tagged.sort()
    return [slug for _, slug in tagged]


def keyword_terms(slug: str) -> list[str]:
    """The keywords that can give ``slug`` (for tests and documentation)."""
    terms = {
        entry.term
        for _key, (_length, _latin, entries, _cues) in _keywords().automaton.items()
        for entry in entries
        if any(s == slug for s, _ in entry.weights)
    }
    return sorted(terms)
