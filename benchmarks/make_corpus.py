"""Make a reproducible benchmark corpus of N articles from the seed articles.

Usage: python benchmarks/make_corpus.py N OUT [--seed 0] [--seeds seeds/]

Each article copies the page structure of one seed (banner, headline, date line, page chrome) and
recombines body paragraphs of the seeds in the same language, dropping a few sentences; then it
swaps the places, people, companies and dates it finds for others drawn from the project's tables
(``events/data/gazetteer_cn.tsv``, ``actors_surnames.tsv``, ``actors_pinyin_syllables.txt``,
``actors_companies.tsv``). Article ``k`` uses seed ``k mod len(seeds)`` as its template, so the
corpus has the seeds' mix of English and Chinese, and depends only on (seed, k): a corpus of 1,000
articles is the first 1,000 of a corpus of 100,000. The text is synthetic: good for timing, not for
scoring.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from events.text import detect_language, normalize

REPO = Path(__file__).resolve().parents[1]
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
#: a body line is a paragraph of prose, not page chrome: this many words (English) or characters (Chinese)
_BODY_MIN_WORDS = {"en": 15, "zh": 30}
_SENTENCE_END = {"en": re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])"), "zh": re.compile(r"(?<=[。！？])")}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_EN_DATE = re.compile(rf"\b({'|'.join(MONTHS)}) (\d{{1,2}})(?:, ((?:19|20)\d\d))?\b")
_ZH_DATE = re.compile(r"(?:((?:19|20)\d\d)年)?(\d{1,2})月(\d{1,2})日")
#: place-name characters that are suffixes, not names (left out of generated Chinese given names)
_ZH_SUFFIXES = set("省市区县州盟旗自治特别行政")


@dataclass(frozen=True)
class SeedPage:
    name: str
    language: str
    header: list[str]
    body: list[str]
    trailer: list[str]


@dataclass(frozen=True)
class Place:
    english: str
    chinese: str
    chinese_short: str


@dataclass(frozen=True)
class Vocabulary:
    cities: list[Place]
    provinces: list[Place]
    surnames: list[tuple[str, str]]  # (hanzi, pinyin)
    syllables: list[str]
    given_chars: str
    companies_en: list[str]
    companies_zh: list[str]


def _data_lines(name: str) -> list[str]:
    text = resources.files("events").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def vocabulary() -> Vocabulary:
    rows = _data_lines("gazetteer_cn.tsv")
    header = rows[0].split("\t")
    cities, provinces = [], []
    for line in rows[1:]:
        row = dict(zip(header, line.split("\t"), strict=False))
        if row["level"] not in ("city", "province") or not row["name_zh"] or not row["name"].isascii():
            continue
        shorts = [a for a in row["aliases"].split("|") if _CJK.search(a) and a != row["name_zh"] and len(a) >= 2]
        place = Place(row["name"], row["name_zh"], min(shorts, key=len) if shorts else row["name_zh"])
        (cities if row["level"] == "city" else provinces).append(place)
    surnames = [tuple(line.split("\t")[:2]) for line in _data_lines("actors_surnames.tsv")]
    single = [(h, p) for h, p in surnames if len(h) == 1]
    given = sorted({ch for p in cities for ch in p.chinese if _CJK.match(ch)} - _ZH_SUFFIXES)
    companies_en, companies_zh = [], []
    for line in _data_lines("actors_companies.tsv"):
        aliases = line.split("\t")[2].split("|")
        english = [a for a in aliases if a.isascii()]
        chinese = [a for a in aliases if _CJK.search(a)]
        if english:
            companies_en.append(english[0])
        if chinese:
            companies_zh.append(chinese[0])
    syllables = [s for s in _data_lines("actors_pinyin_syllables.txt") if s.isalpha()]
    return Vocabulary(cities, provinces, [(h, p) for h, p in single], syllables, "".join(given),
                      companies_en, companies_zh)


# ---------------------------------------------------------------------------------------------
# seeds


def _prose_size(line: str, language: str) -> int:
    """Words (English) or characters (Chinese) of a line that reads as prose; 0 for menus and date lines."""
    if not re.search(r"[.,;。，,；]", line):
        return 0
    return len(_CJK.findall(line)) if language == "zh" else len(re.findall(r"[A-Za-z]+", line))


def read_seed(path: Path) -> SeedPage:
    text = normalize(path.read_text(encoding="utf-8"))
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    language = detect_language(text)
    lines = text.split("\n")
    body_rows = [i for i, line in enumerate(lines) if _prose_size(line, language) >= _BODY_MIN_WORDS[language]]
    if not body_rows:
        return SeedPage(path.stem, language, lines, [], [])
    first, last = body_rows[0], body_rows[-1]
    body = [line for line in lines[first : last + 1] if line.strip()]
    return SeedPage(path.stem, language, lines[:first], body, lines[last + 1 :])


def read_seeds(directory: Path) -> list[SeedPage]:
    pages = [read_seed(p) for p in sorted(directory.glob("*.txt"))]
    return [p for p in pages if p.body]


# ---------------------------------------------------------------------------------------------
# substitution


def _is_pinyin(word: str, syllables: frozenset[str]) -> bool:
    """True when the word splits into pinyin syllables ("Mingyu", "Min'er")."""
    word = re.sub(r"[’'\-]", "", word).lower()
    ok = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        ok[end] = any(ok[start] and word[start:end] in syllables for start in range(max(0, end - 6), end))
    return ok[-1]


@cache
def _english_pattern() -> re.Pattern[str]:
    vocab = vocabulary()
    surnames = sorted({p.capitalize() for _, p in vocab.surnames if p.isalpha()}, key=lambda s: (-len(s), s))
    orgs = sorted(set(vocab.companies_en), key=lambda s: (-len(s), s))
    places = sorted({p.english for p in vocab.cities + vocab.provinces if len(p.english) >= 4},
                    key=lambda s: (-len(s), s))
    return re.compile(
        rf"\b(?:(?P<org>{'|'.join(map(re.escape, orgs))})"
        rf"|(?P<person>(?:{'|'.join(surnames)}) [A-Z][a-z]+(?:[’'\-][a-z]+)?)"
        rf"|(?P<place>{'|'.join(map(re.escape, places))}))\b"
    )


@cache
def _chinese_pattern() -> re.Pattern[str]:
    vocab = vocabulary()
    orgs = sorted(set(vocab.companies_zh), key=lambda s: (-len(s), s))
    forms = {f for p in vocab.cities + vocab.provinces for f in (p.chinese, p.chinese_short) if len(f) >= 2}
    places = sorted(forms, key=lambda s: (-len(s), s))
    surnames = "".join(sorted({h for h, _ in vocab.surnames}))
    titles = "厅长|主任|市长|书记|省长|区长|县长|局长|董事长|总经理|主席|部长|会长|院长|校长|总裁|秘书长"
    return re.compile(
        rf"(?P<org>{'|'.join(map(re.escape, orgs))})"
        rf"|(?P<title>{titles})(?P<person>[{surnames}][\u4e00-\u9fff]{{1,2}}?)(?=[、，,。等出在表主])"
        rf"|(?P<place>{'|'.join(map(re.escape, places))})"
    )


class Swapper:
    """Consistent replacements within one article: the same old name always gets the same new one."""

    def __init__(self, rng: random.Random, language: str):
        self.rng = rng
        self.language = language
        self.vocab = vocabulary()
        self.syllables = frozenset(self.vocab.syllables)
        self.chosen: dict[str, str] = {}
        self.persons_zh: dict[str, str] = {}
        self.places = {p.english: p for p in self.vocab.cities + self.vocab.provinces}
        self.places_zh = {f: p for p in self.vocab.cities + self.vocab.provinces for f in (p.chinese,
                                                                                         p.chinese_short)}
        self.provinces = {p.english for p in self.vocab.provinces}

    def _once(self, old: str, make: Callable[[], str]) -> str:
        if old not in self.chosen:
            self.chosen[old] = make()
        return self.chosen[old]

    def _english_name(self) -> str:
        surname = self.rng.choice(self.vocab.surnames)[1].capitalize()
        given = "".join(self.rng.choice(self.vocab.syllables) for _ in range(self.rng.choice((1, 2, 2))))
        return f"{surname} {given.capitalize()}"

    def _chinese_name(self, length: int) -> str:
        surname = self.rng.choice(self.vocab.surnames)[0]
        return surname + "".join(self.rng.choice(self.vocab.given_chars) for _ in range(max(1, length - 1)))

    def _place(self, old: Place) -> Place:
        pool = self.vocab.provinces if old in self.vocab.provinces else self.vocab.cities
        return self.rng.choice(pool)

    def english(self, match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group("org"):
            return self._once(text, lambda: self.rng.choice(self.vocab.companies_en))
        if match.group("person"):
            if not _is_pinyin(text.split(" ", 1)[1], self.syllables):
                return text
            return self._once(text, self._english_name)
        return self._once(text, lambda: self._place(self.places[text]).english)

    def chinese(self, match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group("org"):
            return self._once(text, lambda: self.rng.choice(self.vocab.companies_zh))
        if match.group("person"):
            name = match.group("person")
            new = self._once(name, lambda: self._chinese_name(len(name)))
            self.persons_zh[name] = new
            return match.group("title") + new
        old = self.places_zh[text]
        key = old.chinese
        new = self.chosen.get(key)
        if new is None:
            new = self._place(old).chinese
            self.chosen[key] = new
        place = next(p for p in self.vocab.cities + self.vocab.provinces if p.chinese == new)
        return place.chinese if text == old.chinese else place.chinese_short

    def swap(self, text: str) -> str:
        if self.language == "zh":
            text = _chinese_pattern().sub(self.chinese, text)
            for old, new in sorted(self.persons_zh.items(), key=lambda item: -len(item[0])):
                text = text.replace(old, new)  # later mentions without a title before them
            return text
        return _english_pattern().sub(self.english, text)


def _safe_date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31))


def shift_dates(text: str, days: int) -> str:
    """Move every written date by the same number of days (year-less dates take the page's year)."""
    first = _ISO_DATE.search(text)
    base_year = int(first.group(1)) if first else 2020

    def iso(m: re.Match[str]) -> str:
        return (_safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) + dt.timedelta(days)).isoformat()

    def english(m: re.Match[str]) -> str:
        year = int(m.group(3)) if m.group(3) else base_year
        new = _safe_date(year, MONTHS.index(m.group(1)) + 1, int(m.group(2))) + dt.timedelta(days)
        return f"{MONTHS[new.month - 1]} {new.day}" + (f", {new.year}" if m.group(3) else "")

    def chinese(m: re.Match[str]) -> str:
        year = int(m.group(1)) if m.group(1) else base_year
        if not 1 <= int(m.group(2)) <= 12 or not 1 <= int(m.group(3)) <= 31:
            return m.group(0)
        new = _safe_date(year, int(m.group(2)), int(m.group(3))) + dt.timedelta(days)
        return (f"{new.year}年" if m.group(1) else "") + f"{new.month}月{new.day}日"

    return _ZH_DATE.sub(chinese, _EN_DATE.sub(english, _ISO_DATE.sub(iso, text)))


# ---------------------------------------------------------------------------------------------
# articles


def _drop_sentences(paragraph: str, language: str, rng: random.Random) -> str:
    sentences = [s for s in _SENTENCE_END[language].split(paragraph) if s]
    if len(sentences) < 3:
        return paragraph
    kept = [s for i, s in enumerate(sentences) if i == 0 or rng.random() > 0.2]
    return (" " if language == "en" else "").join(kept)


def make_article(k: int, seeds: list[SeedPage], seed: int = 0) -> str:
    """Article number ``k`` of the corpus; depends only on (seeds, seed, k)."""
    rng = random.Random(f"{seed}-{k}")
    template = seeds[k % len(seeds)]
    pool = [p for s in seeds if s.language == template.language for p in s.body if p != template.body[0]]
    extra = max(1, len(template.body) - 1 + rng.randint(-2, 2))
    body = [template.body[0]] + [_drop_sentences(p, template.language, rng)
                                 for p in rng.sample(pool, min(extra, len(pool)))]
    page = "\n".join(template.header) + "\n" + "\n\n".join(body) + "\n" + "\n".join(template.trailer) + "\n"
    page = Swapper(rng, template.language).swap(page)
    return shift_dates(page, rng.randint(-900, 900))


def write_corpus(n: int, out: Path, seeds_dir: Path, seed: int = 0) -> list[Path]:
    seeds = read_seeds(seeds_dir)
    if not seeds:
        raise SystemExit(f"no seed articles with a body in {seeds_dir}")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        text = make_article(k, seeds, seed)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        path = out / f"{k:07d}_{digest}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="directory to write (created)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds", help="seed articles (default: seeds/)")
    args = parser.parse_args(argv)
    paths = write_corpus(args.n, args.out, args.seeds, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} articles, {size / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
