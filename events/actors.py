"""People and organisations named in an article, with roles and whether they took part.

The finders are rule-based on purpose: names in government and business news come with strong
context (a title before or after a name, honorifics, organisation suffixes), and rules over
precompiled vocabularies run in well under a millisecond per article, where statistical
taggers cost 10-100 ms and mistake place names for people. All vocabulary lives in
``events/data/actors_*`` and is loaded once.

English: pinyin names are recognised by surname list + syllable check on the given name; other
names need context (honorific, title before or after, a known given name, "said X"). Chinese:
a name is a surname plus one or two characters, accepted only with a title before it, a
speech/action verb after it, or after it was confirmed once in the article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate, compress, repeat
from operator import add, attrgetter, itemgetter, sub
from typing import Any, NamedTuple

import ahocorasick
import yaml


@dataclass(frozen=True, slots=True)
class PersonMention:
    name: str
    role: str | None
    start: int
    end: int
    latin: str
    participant: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrgMention:
    name: str
    start: int
    end: int
    key: str
    kind: str
    industries: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


def _read_data(name: str) -> str:
    return resources.files("events").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _data_lines(name: str) -> list[str]:
    return [ln for ln in _read_data(name).splitlines() if ln.strip() and not ln.startswith("#")]


def _norm_token(token: str) -> str:
    low = token.lower()
    return _LOW_FIX.get(low, low)


def _token_tuples(entries: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """Index multi-word phrases by their first (normalised) token, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for entry in entries:
        words = tuple(_norm_token(w) for w in entry.split())
        index.setdefault(words[0], []).append(words)
    for phrases in index.values():
        phrases.sort(key=len, reverse=True)
    return index


@dataclass(frozen=True)
class _Company:
    id: str
    industries: tuple[str, ...]


@dataclass(frozen=True)
class _Lexicon:
    # shared
    zh_surnames: dict[str, str]
    zh_compound: frozenset[str]
    syllables: frozenset[str]
    en_surnames: frozenset[str]
    en_single_surnames: frozenset[str]
    # English people
    honorifics: dict[str, list[tuple[str, ...]]]
    role_heads: dict[str, list[tuple[str, ...]]]
    role_words: frozenset[str]
    role_modifiers: frozenset[str]
    byline_roles: frozenset[str]
    byline_re: re.Pattern[str]
    byline_line_re: re.Pattern[str]
    referral_nouns: frozenset[str]
    speech_verbs: frozenset[str]
    particles: frozenset[str]
    given_names: frozenset[str]
    non_name_tokens: frozenset[str]
    non_person_bigrams: frozenset[str]
    place_words: frozenset[str]
    unit_words: frozenset[str]
    legal_words: frozenset[str]
    legal_chain: frozenset[str]
    lead_stop_words: frozenset[str]
    calendar_words: frozenset[str]
    government_of_heads: frozenset[str]
    generic_around: frozenset[str]
    zh_alias_continuations: tuple[str, ...]
    # English organisations
    en_suffixes: dict[str, list[tuple[tuple[str, ...], str]]]
    of_heads: dict[str, list[tuple[str, ...]]]
    company_heads: frozenset[str]
    generic_words: frozenset[str]
    and_words: frozenset[str]
    # Chinese people
    zh_roles: frozenset[str]
    zh_role_max: int
    zh_automaton: Any
    zh_follow: frozenset[str]
    zh_follow_max: int
    zh_single_follow: frozenset[str]
    zh_byline_markers: tuple[str, ...]
    zh_referral_after: tuple[str, ...]
    zh_referral_before: tuple[str, ...]
    zh_non_name_words: frozenset[str]
    zh_non_name_chars: frozenset[str]
    zh_non_final_chars: frozenset[str]
    # Chinese organisations
    zh_suffix_kind: dict[str, str]
    zh_gov_stem_suffixes: frozenset[str]
    zh_gov_stems: tuple[str, ...]
    zh_ministry_stems: tuple[str, ...]
    zh_admin_chars: frozenset[str]
    zh_and_compounds: tuple[str, ...]
    zh_stop_chars: frozenset[str]
    zh_generic_bodies: frozenset[str]
    zh_sub_units: tuple[str, ...]
    # known companies
    companies: dict[str, _Company]
    en_company_automaton: Any
    en_company_aliases: frozenset[str]


@cache
def _lexicon() -> _Lexicon:
    roles = yaml.safe_load(_read_data("actors_roles.yaml"))
    orgs = yaml.safe_load(_read_data("actors_orgs.yaml"))
    en_r, zh_r, en_o, zh_o = roles["en"], roles["zh"], orgs["en"], orgs["zh"]

    zh_surnames: dict[str, str] = {}
    for line in _data_lines("actors_surnames.tsv"):
        hanzi, latin = line.split("\t")[:2]
        zh_surnames[hanzi.strip()] = latin.strip()
    risky = {"A", "E", "Re", "La", "Da", "Ha", "Ci", "Ru", "Na", "Sa", "Ge", "Mo", "Zi"}
    en_surnames = frozenset(v for v in zh_surnames.values() if len(v) > 1 and v not in risky)
    en_single = frozenset(v for k, v in zh_surnames.items() if len(k) == 1 and v in en_surnames)
    syllables = frozenset(_data_lines("actors_pinyin_syllables.txt"))

    role_heads = _token_tuples(en_r["role_heads"])
    role_words = frozenset(w for phrases in role_heads.values() for p in phrases for w in p)
    byline_cues = sorted(en_r["byline_cues"], key=len, reverse=True)
    cue_alt = "|".join(re.escape(c) for c in byline_cues)
    byline_re = re.compile(
        rf"[(\[（【]\s*(?:{cue_alt})\b\s*[:：/]?\s*([^()\[\]（）【】\n]{{2,80}}?)\s*[)\]）】]")
    byline_line_re = re.compile(
        r"^[ \t]*(?:By|BY|Reporter|Reporters|Author|Writer|Editor|Photo(?:s)? by|Text by|Written by|"
        r"Edited by|Reported by)[ \t]*[:：]?[ \t]+([^\n]{2,80})$", re.M)

    en_suffixes: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for kind, words in en_o["suffixes"].items():
        for w in words:
            toks = tuple(w.split())
            en_suffixes.setdefault(toks[0], []).append((toks, kind))
    for v in en_suffixes.values():
        v.sort(key=lambda item: len(item[0]), reverse=True)
    of_heads: dict[str, list[tuple[str, ...]]] = {}
    for w in en_o["of_heads"]:
        toks = tuple(w.split())
        of_heads.setdefault(toks[-1], []).append(toks)

    # Chinese roles: heads with the usual modifiers in front
    zh_heads = list(zh_r["role_heads"])
    zh_roles = {m + h for h in zh_heads for m in ["", *zh_r["role_modifiers"]]}
    follow = frozenset(zh_r["follow_words"])

    zh_suffix_kind: dict[str, str] = {}
    for kind, words in zh_o["suffixes"].items():
        for w in words:
            zh_suffix_kind[_fold_paren(w)] = kind
    for w in zh_o["gov_stem_suffixes"]:
        zh_suffix_kind.setdefault(w, "government")

    companies: dict[str, _Company] = {}
    zh_aliases: dict[str, str] = {}
    en_company_auto = ahocorasick.Automaton()
    for line in _data_lines("actors_companies.tsv"):
        cid, inds, aliases = line.split("\t")
        companies[cid] = _Company(cid, tuple(i for i in inds.split(",") if i))
        for alias in (a.strip() for a in aliases.split("|")):
            if not alias:
                continue
            if _is_cjk(alias[0]):
                zh_aliases[alias] = cid
            else:
                en_company_auto.add_word(alias, (cid, alias))
    en_company_auto.make_automaton()

    # One automaton finds everything a Chinese text needs in a single pass (one big automaton is
    # cheaper than several: pyahocorasick's cost per character hardly grows with its size).
    tags: dict[str, dict[str, str]] = {}
    for r in zh_roles:
        tags.setdefault(r, {})["role"] = r
    for sfx in zh_suffix_kind:
        tags.setdefault(sfx, {})["suffix"] = sfx
        if "(" in sfx:
            tags.setdefault(sfx.replace("(", "（").replace(")", "）"), {})["suffix"] = sfx
    for w in list(zh_o["stop_words"]) + list(zh_o["stop_titles"]):
        tags.setdefault(w, {})["stop"] = w
    for w in zh_r["verbs"]:
        tags.setdefault(w, {})["verb"] = w
    for alias, cid in zh_aliases.items():
        tags.setdefault(alias, {})["company"] = cid
    zh_auto = ahocorasick.Automaton()
    for word, tag in tags.items():
        zh_auto.add_word(word, (len(word), tuple(tag.items())))
    zh_auto.make_automaton()

    return _Lexicon(
        zh_surnames=zh_surnames,
        zh_compound=frozenset(k for k in zh_surnames if len(k) == 2),
        syllables=syllables,
        en_surnames=en_surnames,
        en_single_surnames=en_single,
        honorifics=_token_tuples(en_r["honorifics"]),
        role_heads=role_heads,
        role_words=role_words,
        role_modifiers=frozenset(en_r["role_modifiers"]),
        byline_roles=frozenset(en_r["byline_roles"]),
        byline_re=byline_re,
        byline_line_re=byline_line_re,
        referral_nouns=frozenset(en_r["referral_nouns"]),
        speech_verbs=frozenset(en_r["speech_verbs"]),
        particles=frozenset(en_r["name_particles"]),
        given_names=frozenset(_data_lines("actors_given_names.txt")),
        non_name_tokens=frozenset(en_o["non_name_tokens"]),
        non_person_bigrams=frozenset(en_o["non_person_bigrams"]),
        place_words=frozenset(en_o["place_words"]),
        unit_words=frozenset(en_o["unit_words"]),
        legal_words=frozenset(en_o["legal_words"]),
        legal_chain=frozenset(en_o["legal_chain"]),
        lead_stop_words=frozenset(en_o["lead_stop_words"]),
        calendar_words=frozenset(en_o["calendar_words"]),
        government_of_heads=frozenset(en_o["government_of_heads"]),
        generic_around=frozenset(en_o["legal_words"]) | frozenset(en_o["generic_around"]),
        zh_alias_continuations=tuple(zh_o["alias_continuations"]),
        en_suffixes=en_suffixes,
        of_heads=of_heads,
        company_heads=frozenset(en_o["company_heads"]),
        generic_words=frozenset(en_o["generic_words"]),
        and_words=frozenset(en_o["and_words"]) - {w.lower() for w in en_o["company_heads"]},
        zh_roles=frozenset(zh_roles) | frozenset(zh_r["role_prefixes"]),
        zh_role_max=max(len(r) for r in zh_roles | set(zh_r["role_prefixes"])),
        zh_automaton=zh_auto,
        zh_follow=follow,
        zh_follow_max=max(len(w) for w in follow),
        zh_single_follow=frozenset(zh_r["single_char_follow"]),
        zh_byline_markers=tuple(sorted(zh_r["byline_markers"], key=len, reverse=True)),
        zh_referral_after=tuple(zh_r["referral_after"]),
        zh_referral_before=tuple(zh_r["referral_before"]),
        zh_non_name_words=frozenset(zh_r["non_name_words"]),
        zh_non_name_chars=frozenset(zh_r["non_name_chars"]),
        zh_non_final_chars=frozenset(zh_r["non_final_chars"]),
        zh_suffix_kind=zh_suffix_kind,
        zh_gov_stem_suffixes=frozenset(zh_o["gov_stem_suffixes"]),
        zh_gov_stems=tuple(sorted(zh_o["gov_stems"], key=len, reverse=True)),
        zh_ministry_stems=tuple(sorted(zh_o["ministry_stems"], key=len, reverse=True)),
        zh_admin_chars=frozenset(zh_o["admin_chars"]),
        zh_and_compounds=tuple(zh_o["and_compounds"]),
        zh_stop_chars=frozenset(zh_o["stop_chars"]),
        zh_generic_bodies=frozenset(zh_o["generic_bodies"]),
        zh_sub_units=tuple(zh_o["sub_unit_suffixes"]),
        companies=companies,
        en_company_automaton=en_company_auto,
        en_company_aliases=frozenset(en_company_auto.keys()),
    )


def _fold_paren(text: str) -> str:
    return text.replace("（", "(").replace("）", ")")


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_SYLLABLE_SEP = re.compile(r"['’\-]")
_NAME_PUNCT = re.compile(r"[\s'\"`.,()（）\-_/·•]")
_QUOTE = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*and)\s*")
_ZH_POSTED = re.compile(r"([\u4e00-\u9fff]{0,5})驻[\u4e00-\u9fff]{1,4}$")
_ZH_POSTED_CUT = re.compile(r"[了见与和同及、的]")
_ZH_BYLINE_TOKEN = re.compile(r"[^\s、，,;；:：]+")
_ZH_LINE_END = re.compile(r"[ \t。.]*(?:\n|$)")
_ZH_SENTENCE_END = re.compile(r"[。.]")
_ZH_NAME_DOT = re.compile(r"[·•・]")
_ZH_PAREN_TAIL = re.compile(r"[(（][\u4e00-\u9fff]{1,6}[)）]$")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=8192)
def _syllable_count(word: str) -> int:
    """Number of pinyin syllables ``word`` splits into (0 when it does not split)."""
    syllables = _lexicon().syllables
    total = 0
    for part in _SYLLABLE_SEP.split(word.lower()):
        if not part:
            return 0
        n = len(part)
        best = [0] + [99] * n
        for i in range(1, n + 1):
            for k in range(max(0, i - 6), i):
                if best[k] < 99 and part[k:i] in syllables and best[k] + 1 < best[i]:
                    best[i] = best[k] + 1
        if best[n] >= 99:
            return 0
        total += best[n]
    return total


def _norm_name(name: str) -> str:
    """The comparison form of a name (the scorer's normalisation)."""
    s = unicodedata.normalize("NFKC", name).casefold().replace("’", "'").replace("‘", "'")
    return _NAME_PUNCT.sub("", s)


# --------------------------------------------------------------------------------------------
# English tokens
# --------------------------------------------------------------------------------------------

_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Ir", "Hj", "YBhg", "YBrs", "Co", "Ltd", "Inc", "Corp",
                  "Jr", "Sr", "Messrs", "Gov", "Rep", "Hon", "Bhd", "St")
# Every non-space character belongs to a token, so offsets follow from the lengths of the pieces.
_EN_TOKEN = re.compile(
    r"(\s*)("
    r"[a-z]+(?:['’\-](?!s\b)[A-Za-z]+)*"  # lower-case words first: most tokens are
    r"|(?:" + "|".join(_ABBREVIATIONS) + r")\.(?=[\s,]|$)"  # "Mr.", "Co.,"
    r"|(?:[A-Z]\.){2,}"  # "H.E."
    r"|[A-Z]\.(?=\s)"  # initials: "Christine D. Althauser"
    r"|[A-Za-z]+(?:['’\-](?!s\b)[A-Za-z]+)*(?:['’](?=\s))?"  # words, "Min’er", "Ka-chiu", "Dato’"
    r"|['’]s\b"  # possessive
    r"|\d+(?:[.,:]\d+)*"
    r"|[^\sA-Za-z\d])")


# lower-case forms that drop a dot or apostrophe ("Mr." -> "mr", "D." -> "d", "’s" -> "'s")
_LOW_FIX = {f"{a.lower()}.": a.lower() for a in _ABBREVIATIONS}
_LOW_FIX |= {f"{c}.": c for c in "abcdefghijklmnopqrstuvwxyz"}
_LOW_FIX |= {"’s": "'s", "’": "'", "dato’": "dato", "dato'": "dato", "datuk’": "datuk", "datuk'": "datuk"}


class _Tok(NamedTuple):
    text: str
    start: int
    end: int
    low: str  # lower-case, without a trailing dot or apostrophe
    cap: bool  # starts with an upper-case letter
    word: bool  # starts with a letter
    nl: bool  # a line break lies between this token and the previous one


@dataclass(frozen=True, slots=True)
class _Tokens:
    toks: list[_Tok]
    caps: list[int]  # indices of capitalised words: every finder starts from one of them


@lru_cache(maxsize=4)
def _tokenize(text: str) -> _Tokens:
    """Tokens of an English text; cached so that the person and organisation finders share them.

    Built with C-level list operations (findall, accumulate, tuple construction): a Python loop
    creating one object per token cost three times as much.
    """
    pairs = _EN_TOKEN.findall(text)
    spaces = list(map(itemgetter(0), pairs))
    texts = list(map(itemgetter(1), pairs))
    lens = list(map(len, texts))
    ends = list(accumulate(map(add, map(len, spaces), lens)))
    starts = list(map(sub, ends, lens))
    firsts = list(map(itemgetter(0), texts))
    caps = list(map(str.isupper, firsts))
    words = list(map(str.isalpha, firsts))
    lowered = list(map(str.lower, texts))
    lows = list(map(_LOW_FIX.get, lowered, lowered))
    nls = list(map(str.__contains__, spaces, repeat("\n")))
    fields = zip(texts, starts, ends, lows, caps, words, nls, strict=True)
    toks = list(map(tuple.__new__, repeat(_Tok), fields))
    return _Tokens(toks, list(compress(range(len(caps)), caps)))


def _match_phrase(toks: Sequence[_Tok], i: int, index: dict[str, list[tuple[str, ...]]]) -> int:
    """Length in tokens of the longest phrase of ``index`` starting at token ``i`` (0 if none)."""
    if i >= len(toks):
        return 0
    phrases = index.get(toks[i].low)
    if not phrases:
        return 0
    for phrase in phrases:
        n = len(phrase)
        if n == 1:
            return 1
        if i + n <= len(toks) and all(not toks[i + k].nl and toks[i + k].low == phrase[k]
                                      for k in range(1, n)):
            return n
    return 0


# --------------------------------------------------------------------------------------------
# English persons
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Cand:
    start: int  # token index of the first name token
    end: int  # token index after the last name token
    short: bool = False
    lead: int = -1  # token index where an honorific/title that belongs to a short name starts
    titled: bool = False  # the lead is a title ("Secretary Chen"), not an honorific ("Mrs Teo")
    role: str | None = None
    role_plural: bool = False
    participant: bool = True
    reason: str = ""


def _name_token(t: _Tok, lex: _Lexicon) -> bool:
    return t.word and t.cap and t.text not in lex.non_name_tokens


def _is_initial(t: _Tok) -> bool:
    return len(t.text) == 2 and t.text[1] == "." and t.text[0].isupper()  # "D." in "Christine D. Althauser"


def _pinyin_pair(toks: Sequence[_Tok], i: int, lex: _Lexicon, lower_ok: bool = False) -> bool:
    """Tokens i, i+1 read as a Chinese name in pinyin: surname + given name of 1-2 syllables."""
    if i + 1 >= len(toks):
        return False
    a, b = toks[i], toks[i + 1]
    if not (a.word and a.cap and b.word) or b.nl:
        return False
    surname = a.text if not a.text.isupper() or len(a.text) < 2 else a.text.title()
    if surname not in lex.en_surnames:
        return False
    if not b.cap and not (lower_ok and b.text.islower()):
        return False
    if b.text.isupper() and len(b.text) > 1:
        return False
    if b.text in lex.non_name_tokens or f"{a.text} {b.text}" in lex.non_person_bigrams:
        return False
    n = _syllable_count(b.text)
    if not 1 <= n <= 2:
        return False
    if f"{a.text} {b.text}" in lex.en_company_aliases:
        return False
    if i + 2 < len(toks):
        c = toks[i + 2]
        if c.word and c.cap and not c.nl and len(c.text) <= 4 and _syllable_count(c.text) == 1:
            return False  # a place written syllable by syllable: "Tian An Men", "Wang Fu Jing"
        if c.word and c.cap and not c.nl and (c.text in lex.en_suffixes or c.text in lex.company_heads
                                              or c.text in lex.place_words):
            return False
    return True


def _solid_pinyin_name(word: str, lex: _Lexicon) -> bool:
    """'Lanjin': a surname and a one-syllable given name written as one word."""
    if not word[:1].isupper() or not word[1:].islower():
        return False
    for k in (1, 2, 3, 4, 5, 6):
        head, rest = word[:k], word[k:]
        if head in lex.en_single_surnames and rest and _syllable_count(rest) == 1:
            return True
    return False


def _honorific_span(toks: Sequence[_Tok], i: int, lex: _Lexicon) -> int:
    """Index after a chain of honorifics starting at ``i`` ("YAB Ir. Hj. Datuk Seri"), else ``i``."""
    j = i
    while j < len(toks):
        n = _match_phrase(toks, j, lex.honorifics)
        if not n or (j > i and toks[j].nl):
            break
        j += n
        while j < len(toks) and toks[j].text in {"'", "’", "."} and toks[j].start == toks[j - 1].end:
            j += 1
    return j


def _name_run(toks: Sequence[_Tok], j: int, lex: _Lexicon, limit: int = 6) -> int:
    """End index of a run of personal-name tokens starting at ``j`` (initials and particles inside)."""
    k = j
    while k < len(toks) and k - j < limit:
        t = toks[k]
        if k > j and t.nl:
            break
        if _is_initial(t):
            k += 1
            continue
        if t.word and t.low in lex.particles and k > j and k + 1 < len(toks) and toks[k + 1].cap:
            k += 1
            continue
        if not _name_token(t, lex) or (t.text.isupper() and len(t.text) > 1 and k > j):
            break
        if k > j and (t.text in lex.en_suffixes or t.text in lex.company_heads):
            break
        k += 1
    while k > j and (_is_initial(toks[k - 1]) or toks[k - 1].low in lex.particles):
        k -= 1
    return k


def _en_candidates(toks: list[_Tok], caps: list[int], lex: _Lexicon) -> list[_Cand]:
    cands: list[_Cand] = []
    n = len(toks)
    i = 0
    for ci in caps:
        if ci < i:
            continue
        i = ci
        t = toks[i]
        # honorifics: "Mrs Teo", "TYT Tun Mohd Khalil Yaakob"
        h = _honorific_span(toks, i, lex) if t.low in lex.honorifics else i
        if h > i:
            if h < n and toks[h].word and toks[h].cap:
                lower_ok = _pinyin_pair(toks, h, lex, lower_ok=True)
                end = h + 2 if lower_ok else _name_run(toks, h, lex)
                if end > h:
                    short = end - h == 1
                    cands.append(_Cand(h, end, short=short, lead=i if short else -1))
                    i = end
                    continue
            i = h
            continue
        if (t.text in lex.en_surnames or t.text.isupper()) and _pinyin_pair(toks, i, lex):
            cands.append(_Cand(i, i + 2))
            i += 2
            continue
        if t.cap and t.text in lex.given_names and i + 1 < n and _name_token(toks[i + 1], lex):
            end = _name_run(toks, i, lex, limit=4)
            if end - i >= 2:
                cands.append(_Cand(i, end))
                i = end
                continue
        i += 1
    return cands


def _role_head_at(toks: Sequence[_Tok], i: int, lex: _Lexicon) -> int:
    n = _match_phrase(toks, i, lex.role_heads)
    if n:
        return n
    t = toks[i] if i < len(toks) else None
    if t is not None and t.word and "-" in t.low:
        first = t.low.split("-")[0]
        if first in lex.role_modifiers or first in lex.role_words:
            rest = t.low.split("-", 1)[1]
            if rest in lex.role_words:
                return 1
    return 0


_CONNECTORS = {"of", "the", "and", "in", "to", "for", "at", "'s", "&"}


_LEAD_TRIM = {"the", "a", "an", "and", "of", "in", "to", "for", "on", "at", "with", "by", "from", "'s", "'",
              "recently", "yesterday", "today", "meanwhile", "also", "later", "then", "among", "both"}


def _role_token(t: _Tok, lex: _Lexicon) -> bool:
    """Tokens that may make up a title phrase: capitalised words, title and unit words, connectors."""
    if t.word:
        return t.cap or t.low in _CONNECTORS or t.low in lex.role_modifiers or t.low in lex.role_words \
            or t.low in lex.unit_words
    return t.low in {"'s", "&", "-", "’", "'"}


def _role_before(text: str, toks: Sequence[_Tok], c: _Cand, lex: _Lexicon,
                 owner: dict[int, int], idx: int) -> tuple[str | None, bool, int]:
    """A title written before the name ("the Deputy Secretary of ... and mayor Yuan Fang")."""
    s = c.lead if c.lead >= 0 else c.start
    if c.titled:
        return text[toks[c.lead].start: toks[c.start - 1].end], False, c.lead
    k = s
    while k > 0 and s - k < 24:
        t = toks[k - 1]
        if toks[k].nl or owner.get(k - 1, idx) != idx or not _role_token(t, lex):
            break
        if t.low == "and" and not (k >= 2 and (toks[k - 2].low in lex.unit_words
                                               or toks[k - 2].low in lex.role_words)):
            break
        k -= 1
    while k < s and (toks[k].low in _LEAD_TRIM or not toks[k].word):
        k += 1
    heads = []
    j = k
    while j < s:
        m = _role_head_at(toks, j, lex)
        if m:
            heads.append((j, min(j + m, s)))
            j += m
        else:
            j += 1
    if not heads:
        return None, False, s
    last = s
    while last > k and toks[last - 1].low in _CONNECTORS | {"-"}:
        last -= 1
    if last <= k:
        return None, False, s
    role = text[toks[k].start: toks[last - 1].end]
    head_last = toks[heads[-1][1] - 1].low
    plural = head_last.endswith("s") and head_last[:-1] in lex.role_words
    # "Secretary-General Wu Mingyu of the municipal government"
    e = c.end
    if e + 1 < len(toks) and toks[e].low == "of" and not toks[e + 1].nl:
        q = e + 1
        if toks[q].low == "the":
            q += 1
        stop = q
        while stop < len(toks) and toks[stop].word and not toks[stop].nl and (
                toks[stop].cap or toks[stop].low in lex.unit_words or toks[stop].low in lex.role_modifiers):
            stop += 1
        if stop > q and toks[stop - 1].low in lex.unit_words:
            role = role + " " + text[toks[e].start: toks[stop - 1].end]
    return role, plural, k


def _apposition(toks: Sequence[_Tok], k: int, lex: _Lexicon,
                starts: frozenset[int]) -> tuple[int, int, bool] | None:
    """A title phrase starting at token k: (first, end, plural) or None."""
    n = len(toks)
    if k < n and toks[k].low in {"the", "a", "an"}:
        k += 1
    first = k
    heads = 0
    plural = False
    while k < n and k - first < 30 and not (k > first and toks[k].nl):
        t = toks[k]
        if k in starts:
            return None  # "..., Secretary-General Wu Mingyu": that title belongs to the next name
        m = _role_head_at(toks, k, lex)
        if m:
            heads += 1
            last = toks[k + m - 1].low
            plural = last.endswith("s") and last[:-1] in lex.role_words
            k += m
            continue
        if t.text == "," and toks[k - 1].low == "co" and k + 1 < n and toks[k + 1].low in {"ltd", "limited"}:
            k += 1
            continue
        if t.low == "and":
            nxt = toks[k + 1] if k + 1 < n else None
            if nxt is None or k + 1 in starts or not _role_token(nxt, lex) or nxt.low in _CONNECTORS:
                break
            k += 1
            continue
        if not _role_token(t, lex) or (t.word and not t.cap and t.low in lex.speech_verbs):
            break
        k += 1
    end = k
    while end > first and toks[end - 1].low in _CONNECTORS | {"-", "’", "'"}:
        end -= 1
    if not heads or end <= first:
        return None
    return first, end, plural


def _role_after(text: str, toks: Sequence[_Tok], end: int, lex: _Lexicon,
                starts: frozenset[int]) -> tuple[str | None, bool]:
    """An apposition after the name: "Chen Weijun, secretary of the Municipal Party Committee,"."""
    n = len(toks)
    k = end
    if k < n and toks[k].text == "(":
        while k < n and toks[k].text != ")" and k - end < 12:
            k += 1
        k += 1
    if k >= n or toks[k].text != "," or (k + 1 < n and toks[k + 1].nl):
        return None, False
    parts: list[str] = []
    plural = False
    k += 1
    while k < n:
        seg = _apposition(toks, k, lex, starts)
        if seg is None:
            break
        first, stop, seg_plural = seg
        parts.append(text[toks[first].start: toks[stop - 1].end])
        plural = plural or seg_plural
        if stop < n and toks[stop].text == "," and stop + 1 < n and not toks[stop + 1].nl and (
                _role_head_at(toks, stop + 1, lex) or (toks[stop + 1].low in lex.role_modifiers
                                                       and _role_head_at(toks, stop + 2, lex))):
            k = stop + 1
            continue
        break
    if not parts:
        return None, False
    return ", ".join(parts), plural


def _generic_names(text: str, toks: list[_Tok], caps: list[int], lex: _Lexicon,
                   taken: set[int]) -> list[_Cand]:
    """Capitalised runs that an apposition with a title, or a speech verb before them, marks as people."""
    out: list[_Cand] = []
    n = len(toks)
    i = 0
    empty: frozenset[int] = frozenset()
    for ci in caps:
        if ci < i:
            continue
        i = ci
        t = toks[i]
        if i + 1 >= n or not toks[i + 1].cap or i in taken or not _name_token(t, lex) or t.text.isupper():
            continue
        prev = toks[i - 1] if i > 0 else None
        if prev is not None and not t.nl and prev.word and prev.cap:
            continue
        end = _name_run(toks, i, lex, limit=4)
        if end - i < 2:
            continue
        words = [x for x in toks[i:end] if x.word and not _is_initial(x)]
        if len(words) < 2 or any(k in taken for k in range(i, end)):
            i = end
            continue
        if end < n and toks[end].word and toks[end].cap and not toks[end].nl:
            i = end
            continue
        after_verb = prev is not None and prev.word and not prev.cap and prev.low in {
            "said", "says", "added", "noted", "stressed", "emphasized", "explained", "according"}
        role, _ = _role_after(text, toks, end, lex, empty) if not after_verb else (None, False)
        followed_by_punct = end >= n or toks[end].text in {",", ".", ";", "\n"} or toks[end].nl
        if (role is not None) or (after_verb and followed_by_punct):
            out.append(_Cand(i, end))
        i = end
    return out


def _quote_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _QUOTE.finditer(text)]
    return spans


# (no leading \b: a pattern that starts with a set of literals is scanned much faster by `re`)
_EN_BYLINE_FIELD = re.compile(
    r"(?:Editor|Editors|Reporter|Reporters|Author|Authors|Writer|Photographer|Correspondent|Translator)"
    r"\s*[:：]\s*([^|\n]{2,60})")


def _byline_spans_en(text: str, lex: _Lexicon) -> list[tuple[int, int]]:
    spans = [m.span(1) for m in lex.byline_re.finditer(text)]
    spans += [m.span(1) for m in lex.byline_line_re.finditer(text)]
    spans += [m.span(1) for m in _EN_BYLINE_FIELD.finditer(text)
              if not text[m.start() - 1:m.start()].isalpha()]
    return spans


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _find_persons_en(text: str) -> list[PersonMention]:
    lex = _lexicon()
    tokens = _tokenize(text)
    toks, caps = tokens.toks, tokens.caps
    if not caps:
        return []
    cands = _en_candidates(toks, caps, lex)
    taken = {k for c in cands for k in range(c.lead if c.lead >= 0 else c.start, c.end)}
    cands += _generic_names(text, toks, caps, lex, taken)
    cands += _titled_names(toks, lex, taken)
    cands += _title_short_refs(toks, caps, lex, taken)
    cands.sort(key=lambda c: c.start)
    cands = _drop_overlaps(cands)
    _add_solid_names(toks, cands, lex)
    _add_bare_short_refs(toks, caps, cands, lex)
    cands.sort(key=lambda c: c.start)

    starts = frozenset(c.lead if c.lead >= 0 else c.start for c in cands)
    bylines = _byline_spans_en(text, lex)
    quotes = _quote_spans(text)
    owner = {k: idx for idx, c in enumerate(cands) for k in range(c.lead if c.lead >= 0 else c.start, c.end)}
    for idx, c in enumerate(cands):
        role, plural, begin = _role_before(text, toks, c, lex, owner, idx)
        after, after_plural = _role_after(text, toks, c.end, lex, starts)
        if after and (role is None or len(after) > len(role)):
            role, plural = after, after_plural
        c.role, c.role_plural = role, plural
        _judge_participation_en(text, toks, c, begin, lex, bylines, quotes)
    _share_list_roles(text, toks, cands)
    out = []
    for c in cands:
        first = c.lead if c.lead >= 0 else c.start
        s, e = toks[first].start, toks[c.end - 1].end
        name = text[s:e]
        out.append(PersonMention(name, c.role, s, e, name, c.participant, c.reason))
    return out


def _personal_word(t: _Tok, lex: _Lexicon) -> bool:
    """A capitalised word that can be part of a personal name (not a place, organisation or title word)."""
    x = t.text
    return _name_token(t, lex) and x not in lex.place_words and x not in lex.en_suffixes \
        and x not in lex.company_heads and x not in lex.generic_words and t.low not in lex.role_words


def _titled_names(toks: list[_Tok], lex: _Lexicon, taken: set[int]) -> list[_Cand]:
    """Names right after a title: "Vice Mayor Park Sung-hoon", "Mayor of Hamburg Peter Tschentscher"."""
    out: list[_Cand] = []
    n = len(toks)
    candidates = compress(range(n), map(lex.role_heads.__contains__, map(attrgetter("low"), toks)))
    for i in candidates:
        m = _role_head_at(toks, i, lex)
        if not m:
            continue
        j = i + m
        if j >= n or toks[j].nl:
            continue
        if toks[j].low in {"of", "to", "in"} and toks[j].word and not toks[j].cap:
            # a complement first: the name is the capitalised tail after place/organisation words
            k = j + 1
            if k < n and toks[k].low == "the":
                k += 1
            end = k
            while end < n and toks[end].word and toks[end].cap and not toks[end].nl:
                end += 1
            begin = end
            while begin > k and _personal_word(toks[begin - 1], lex):
                begin -= 1
            words = list(range(begin, end))
            given = [x for x in words if toks[x].text in lex.given_names]
            if given:
                begin = given[0]
            elif len(words) > 2:
                begin = end - 2
            if end - begin < 2:
                continue
        else:
            begin, end = j, _name_run(toks, j, lex, limit=4)
            if end == j and toks[j].text in lex.place_words and j + 1 < n and not toks[j + 1].nl:
                end = _name_run(toks, j + 1, lex, limit=3)  # surnames that are also words: "Park", "Hall"
                end = end if end > j + 1 else j
            if end - begin < 2 or (end < n and toks[end].word and toks[end].cap and not toks[end].nl):
                continue
        if any(x in taken for x in range(begin, end)):
            continue
        if " ".join(x.text for x in toks[begin:end]) in lex.non_person_bigrams:
            continue
        out.append(_Cand(begin, end))
        taken.update(range(begin, end))
    return out


def _title_short_refs(toks: list[_Tok], caps: list[int], lex: _Lexicon, taken: set[int]) -> list[_Cand]:
    """'Secretary Chen', 'Mayor Tang', 'Party Secretary Li': a title and a bare surname."""
    out: list[_Cand] = []
    for i in caps:
        t = toks[i]
        if i == 0 or i in taken or t.nl or t.text not in lex.en_surnames:
            continue
        if i + 1 < len(toks) and toks[i + 1].word and toks[i + 1].cap and not toks[i + 1].nl:
            continue
        prev = toks[i - 1]
        if not (prev.word and prev.cap):
            continue
        head = -1
        for j in (i - 1, i - 2):
            if j >= 0:
                m = _role_head_at(toks, j, lex)
                if m and j + m == i:
                    head = j
        if head < 0:
            continue
        out.append(_Cand(i, i + 1, short=True, lead=head, titled=True))
    return out


def _drop_overlaps(cands: list[_Cand]) -> list[_Cand]:
    kept: list[_Cand] = []
    for c in cands:
        first = c.lead if c.lead >= 0 else c.start
        if kept:
            last = kept[-1]
            if first < last.end:
                if (last.short and not c.short) or (c.end - c.start > last.end - last.start and not c.short):
                    kept[-1] = c
                continue
        kept.append(c)
    return kept


def _add_solid_names(toks: list[_Tok], cands: list[_Cand], lex: _Lexicon) -> None:
    """'Liao Xuemei and Lanjin': a one-word name coordinated with a found name."""
    extra: list[_Cand] = []
    taken = {k for c in cands for k in range(c.start, c.end)}
    for c in cands:
        if c.short:
            continue
        for j, step in ((c.end, 1), (c.start - 1, -1)):
            if not 0 <= j < len(toks) or toks[j].text not in {",", "and"}:
                continue
            k = j + step
            if not 0 <= k < len(toks) or k in taken:
                continue
            w = toks[k]
            if not (w.word and w.cap) or w.text in lex.non_name_tokens:
                continue
            neighbour = toks[k + step] if 0 <= k + step < len(toks) else None
            if neighbour is not None and neighbour.word and neighbour.cap and not neighbour.nl:
                continue
            if _solid_pinyin_name(w.text, lex):
                extra.append(_Cand(k, k + 1))
                taken.add(k)
    cands.extend(extra)


def _distinctive_token(toks: Sequence[_Tok], c: _Cand, lex: _Lexicon) -> str | None:
    words = [t for t in toks[c.start:c.end] if t.word and not _is_initial(t)]
    if len(words) < 2:
        return None
    if words[0].text in lex.en_surnames and _syllable_count(words[1].text) in (1, 2):
        return words[0].text
    return words[-1].text


def _add_bare_short_refs(toks: list[_Tok], caps: list[int], cands: list[_Cand], lex: _Lexicon) -> None:
    """'Xiao gave a warm welcome', 'Althauser said': the distinctive part of a name found elsewhere."""
    distinctive = {d for c in cands if not c.short and (d := _distinctive_token(toks, c, lex))}
    if not distinctive:
        return
    taken = {k for c in cands for k in range(c.lead if c.lead >= 0 else c.start, c.end)}
    extra = []
    n = len(toks)
    for i in caps:
        t = toks[i]
        if i in taken or t.text not in distinctive:
            continue
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < n else None
        if prev is not None and not t.nl and prev.word and prev.cap:
            continue
        if nxt is not None and not nxt.nl and nxt.word and nxt.cap:
            continue
        if nxt is not None and not nxt.nl and nxt.word and nxt.low not in lex.speech_verbs:
            continue
        extra.append(_Cand(i, i + 1, short=True))
    cands.extend(extra)


def _judge_participation_en(text: str, toks: list[_Tok], c: _Cand, begin: int, lex: _Lexicon,
                            bylines: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> None:
    """Bylines, people referred to ("the instructions of X", "X's speech") and people quoted."""
    s = toks[c.start].start
    role_words = set((c.role or "").lower().replace(",", " ").split())
    if _inside(s, bylines) or role_words & lex.byline_roles:
        c.participant, c.reason = False, "byline"
        return
    if _is_standalone(text, toks, c):  # an author line: "Tong Wangyue"
        c.participant, c.reason = False, "byline"
        return
    e = c.end
    if e < len(toks) and toks[e].low == "'s":
        following = {toks[k].low for k in range(e + 1, min(e + 4, len(toks)))}
        if following & lex.referral_nouns:
            c.participant, c.reason = False, "referred to"
            return
    b = min(begin, c.lead if c.lead >= 0 else c.start)
    if b >= 2 and toks[b - 1].low == "of" and (
            toks[b - 2].low in lex.referral_nouns
            or (b >= 3 and toks[b - 2].low == "the" and toks[b - 3].low in lex.referral_nouns)):
        c.participant, c.reason = False, "referred to"
        return
    if _inside(s, quotes):
        c.participant, c.reason = False, "quoted"


def _is_standalone(text: str, toks: list[_Tok], c: _Cand) -> bool:
    if c.short:
        return False
    s, e = toks[c.start].start, toks[c.end - 1].end
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:s].strip() and not text[e:line_end].strip()


def _share_list_roles(text: str, toks: list[_Tok], cands: list[_Cand]) -> None:
    """'Municipal leaders A, B and C': a plural title before (or after) a list covers every name."""
    full = [c for c in cands if not c.short]
    groups: list[list[_Cand]] = []
    for c in full:
        if groups:
            prev = groups[-1][-1]
            gap = text[toks[prev.end - 1].end: toks[c.start].start]
            if _LIST_GAP.fullmatch(gap):
                groups[-1].append(c)
                continue
        groups.append([c])
    for group in groups:
        if len(group) < 2:
            continue
        plural = [c for c in group if c.role and c.role_plural]
        if not plural:
            continue
        role = plural[0].role
        for c in group:
            if c.role is None:
                c.role = role


# --------------------------------------------------------------------------------------------
# Chinese persons
# --------------------------------------------------------------------------------------------

_ZH_FOREIGN = re.compile(r"[\u4e00-\u9fff]{1,6}[·•・][\u4e00-\u9fff]{1,8}(?:[·•・][\u4e00-\u9fff]{1,8})*")
_ZH_PAREN = re.compile(r"[(（]([^()（）\n]{2,60})[)）]")
_ZH_CREDIT_TAIL = re.compile(r"((?:[\u4e00-\u9fff]{2,4}[ \t\u3000]+)+)$")
_ZH_BYLINE_CUE = re.compile(
    r"(?:作者|记者|通讯员|编辑|责任编辑|责编|摄影|审核|校对|撰稿)[:：]\s*([^\n]{2,30})")


@dataclass(frozen=True, slots=True)
class _ZhScan:
    roles: dict[int, int]  # end of a title -> its longest length
    verbs: list[int]  # starts of speech/action verbs
    suffixes: list[tuple[int, int, str]]  # organisation suffixes, leftmost-longest, no overlaps
    stop_ends: frozenset[int]  # ends of words that no organisation name extends left past
    companies: list[tuple[int, int, str]]  # well-known company aliases (start, end, id)


_PLACE_AFTER_ZHANG = re.compile(r"长[\u4e00-\u9fff]{1,2}[市县区]")


@lru_cache(maxsize=4)
def _zh_scan(text: str) -> _ZhScan:
    """Everything the Chinese finders look up, from one pass of one automaton; cached per text."""
    roles: dict[int, int] = {}
    verbs: list[int] = []
    suffixes: list[tuple[int, int, str]] = []
    stop_ends: set[int] = set()
    companies: list[tuple[int, int, str]] = []
    for end_idx, (length, tags) in _lexicon().zh_automaton.iter(text):
        e = end_idx + 1
        s = e - length
        for tag, value in tags:
            if tag == "role":
                if length > roles.get(e, 0):
                    roles[e] = length
            elif tag == "suffix":
                suffixes.append((s, e, value))
            elif tag == "stop":
                if not (value[-1] == "长" and _PLACE_AFTER_ZHANG.match(text, e - 1)):
                    stop_ends.add(e)  # but 吉林省长春市 is not 省长
            elif tag == "verb":
                verbs.append(s)
            else:
                companies.append((s, e, value))
    suffixes.sort(key=lambda x: (x[0], x[0] - x[1]))
    kept: list[tuple[int, int, str]] = []
    for item in suffixes:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    # a title inside a longer one (董事 in 董事长) is not a title of its own
    spans = [(e - n, e) for e, n in roles.items()]
    roles = {e: e - s for s, e in spans if not any(s2 <= s and e < e2 for s2, e2 in spans)}
    return _ZhScan(roles, sorted(verbs), kept, frozenset(stop_ends), companies)


def _zh_boundary_after(text: str, pos: int, lex: _Lexicon) -> bool:
    if pos >= len(text) or not _is_cjk(text[pos]):
        return True
    follow = lex.zh_follow
    return any(text[pos:pos + k] in follow for k in range(min(lex.zh_follow_max, len(text) - pos), 0, -1))


def _zh_surname_len(text: str, i: int, lex: _Lexicon) -> int:
    if text[i:i + 2] in lex.zh_compound:
        return 2
    return 1 if text[i:i + 1] in lex.zh_surnames else 0


def _zh_name_end(text: str, i: int, lex: _Lexicon, after_title: bool = False) -> int | None:
    """End of a Chinese personal name starting at ``i``, judged by what follows it."""
    if i >= len(text):
        return None
    m = _ZH_FOREIGN.match(text, i)
    if m and _zh_boundary_after(text, m.end(), lex):
        return m.end()
    sur = _zh_surname_len(text, i, lex)
    if not sur:
        if not after_title:
            return None
        # a foreigner's Chinese name after a title: 总领事斐文博一行
        for e in (i + 3, i + 2):
            if text.startswith("一行", e) and all(_is_cjk(ch) and ch not in lex.zh_non_name_chars
                                                  for ch in text[i:e]):
                return e
        return None
    ends: list[int] = []
    for glen in (1, 2):
        e = i + sur + glen
        if e > len(text):
            break
        given = text[i + sur:e]
        if not all(_is_cjk(ch) and ch not in lex.zh_non_name_chars for ch in given):
            break
        if given[-1] in lex.zh_non_final_chars or text[i:e] in lex.zh_non_name_words:
            continue
        if _zh_boundary_after(text, e, lex):
            ends.append(e)
    if not ends:
        return None
    if len(ends) == 2 and text[ends[1] - 1] in lex.zh_single_follow:
        return ends[0]
    return ends[-1]


def _zh_role_before(text: str, s: int, lex: _Lexicon) -> str | None:
    """Titles written right before a name: 市委副书记、市长 / 党委书记、董事长 / 瑞典驻华大使."""
    p = s
    while p > 0:
        found = 0
        for k in range(min(lex.zh_role_max, p), 1, -1):
            if text[p - k:p] in lex.zh_roles:
                found = k
                break
        if found:
            p -= found
            continue
        if text[p - 1] == "、" and p >= 3:
            for k in range(min(lex.zh_role_max, p - 1), 1, -1):
                if text[p - 1 - k:p - 1] in lex.zh_roles:
                    found = k
                    break
            if found:
                p -= 1
                continue
        break
    if p == s:
        return None
    role = text[p:s]
    if role.endswith(("大使", "领事", "公使", "参赞", "代表")):
        m = _ZH_POSTED.search(text[max(0, p - 12):p])
        if m:
            country = _ZH_POSTED_CUT.split(m.group(1))[-1]
            role = country + m.group(0)[len(m.group(1)):] + role
    return role


def _zh_byline(text: str, lex: _Lexicon) -> list[tuple[int, int]]:
    """Spans of names in bylines and photo credits."""
    names: list[tuple[int, int]] = []

    def add_names(seg_start: int, segment: str, require_all: bool) -> None:
        found: list[tuple[int, int]] = []
        for m in _ZH_BYLINE_TOKEN.finditer(segment):
            token, ts = m.group(), seg_start + m.start()
            for marker in lex.zh_byline_markers:
                idx = token.rfind(marker)
                if idx >= 0:
                    cut = idx + len(marker)
                    token, ts = token[cut:], ts + cut
                    break
            if not token:
                continue
            if 2 <= len(token) <= 4 and all(_is_cjk(ch) for ch in token) and _zh_surname_len(token, 0, lex):
                found.append((ts, ts + len(token)))
            elif require_all:
                return
        names.extend(found)

    for m in _ZH_PAREN.finditer(text):
        content = m.group(1)
        has_marker = any(mk in content for mk in lex.zh_byline_markers if len(mk) > 1)
        if not has_marker:
            several = len(content.split()) >= 2
            line_end = _ZH_LINE_END.match(text, m.end()) is not None
            if not (several or line_end):
                continue
        add_names(m.start(1), content, require_all=not has_marker)
    for m in _ZH_BYLINE_CUE.finditer(text):
        seg = _ZH_SENTENCE_END.split(m.group(1))[0]
        add_names(m.start(1), seg, require_all=False)
    # photo credits: "陈梅 摄" (a space before 摄 tells it from 拍摄)
    pos = text.find("摄")
    while pos > 0:
        after = text[pos + 1:pos + 2]
        if text[pos - 1] in " \t\u3000" and (not after or after in " \t\n。.,，;；)）"):
            window = text[max(0, pos - 30):pos]
            credit = _ZH_CREDIT_TAIL.search(window)
            if credit:
                add_names(pos - len(window) + credit.start(1), credit.group(1), require_all=True)
        pos = text.find("摄", pos + 1)
    return names


def _zh_referred(text: str, s: int, e: int, lex: _Lexicon) -> bool:
    tail = text[e:e + 12]
    for title in ("总书记", "主席", "同志", "总理", "委员长"):
        if tail.startswith(title):
            tail = tail[len(title):]
            break
    if tail.startswith(lex.zh_referral_after):
        return True
    head = text[max(0, s - 8):s]
    return head.endswith(lex.zh_referral_before)


def _find_persons_zh(text: str) -> list[PersonMention]:
    lex = _lexicon()
    spans: dict[int, tuple[int, str | None, bool, str]] = {}  # start -> (end, role, participant, reason)
    taken = bytearray(len(text) + 1)

    def occupied(s: int, e: int) -> bool:
        return any(taken[s:e])

    def claim(s: int, e: int, role: str | None, participant: bool, reason: str) -> None:
        spans[s] = (e, role, participant, reason)
        taken[s:e] = b"\x01" * (e - s)

    for s, e in _zh_byline(text, lex):
        if not occupied(s, e):
            claim(s, e, None, False, "byline")

    # 1. names after a title, and the names listed after them with 、/和
    scan = _zh_scan(text)
    for e in sorted(scan.roles):
        pos = e
        first = True
        role: str | None = None
        while pos < len(text):
            name_end = _zh_name_end(text, pos, lex, after_title=first)
            if name_end is None or occupied(pos, name_end):
                break
            if first:
                role = _zh_role_before(text, pos, lex)
            claim(pos, name_end, role, True, "")
            first = False
            nxt = name_end
            sep = text[nxt:nxt + 1]
            if sep == "、" or (sep in ("和", "与", "及") and _zh_surname_len(text, nxt + 1, lex)):
                pos = nxt + 1
            else:
                break
    confirmed = {text[s:v[0]] for s, v in spans.items() if v[2]}

    # 2. bare names before a speech/action verb: 周剑宏表示, 汪国栋会见
    for v in scan.verbs:
        for length in (4, 3, 2):
            s = v - length
            if s < 0 or taken[v - 1]:
                continue
            cand = text[s:v]
            known = cand in confirmed
            if not known and (length != 3 or (s > 0 and _is_cjk(text[s - 1]))):
                continue
            if _zh_name_end(text, s, lex) != v or occupied(s, v):
                continue
            if known or all(ch not in lex.zh_non_final_chars for ch in cand):
                claim(s, v, None, True, "")
                confirmed.add(cand)
                break

    # 3. every other mention of a confirmed name
    for name in confirmed:
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not occupied(start, end) and _zh_boundary_after(text, end, lex):
                claim(start, end, None, True, "")
            start = text.find(name, end)

    out: list[PersonMention] = []
    for s in sorted(spans):
        e, role, participant, reason = spans[s]
        if participant and _zh_referred(text, s, e, lex):
            participant, reason = False, "referred to"
        name = text[s:e]
        out.append(PersonMention(name, role, s, e, _zh_latin(name), participant, reason))
    return out


@cache
def _pinyin() -> Any:
    from pypinyin import lazy_pinyin  # imported on first use: it loads large phrase tables

    return lazy_pinyin


def _join_syllables(syllables: Sequence[str]) -> str:
    out = ""
    for syl in syllables:
        syl = syl.replace("ü", "v")
        if out and syl[:1] in "aoe":
            out += "'"
        out += syl
    return out.capitalize()


@lru_cache(maxsize=4096)
def _zh_latin(name: str) -> str:
    """Pinyin of a Chinese-script name: surname first, given name joined ('Pi Yiming')."""
    lex = _lexicon()
    lazy_pinyin = _pinyin()
    if any(ch in "·•・" for ch in name):
        parts = _ZH_NAME_DOT.split(name)
        return " ".join(_join_syllables(lazy_pinyin(p)) for p in parts if p)
    sur = _zh_surname_len(name, 0, lex) or 1
    surname = lex.zh_surnames.get(name[:sur]) or _join_syllables(lazy_pinyin(name[:sur]))
    given = name[sur:]
    return f"{surname} {_join_syllables(lazy_pinyin(given))}" if given else surname


# --------------------------------------------------------------------------------------------
# Public: persons
# --------------------------------------------------------------------------------------------


def find_persons(text: str, language: str) -> list[PersonMention]:
    """People named in ``text`` with the role the article gives and whether they took part."""
    if not text:
        return []
    if language.startswith("zh"):
        return _find_persons_zh(text)
    return _find_persons_en(text)


_HONORIFIC_WORDS = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|H\.E\.|His Excellency|Her Excellency|Madam)\.?\s+)+")


def _short_key(m: PersonMention) -> tuple[str, str] | None:
    return _short_key_of(m.name)


@lru_cache(maxsize=4096)
def _short_key_of(name: str) -> tuple[str, str] | None:
    """For short references ('Mrs Teo', 'Secretary Chen', 'Xiao'): (the name word, the title)."""
    if _CJK_CHAR.search(name):
        return None
    words = name.split()
    if len(words) == 1:
        return words[0], ""
    lex = _lexicon()
    toks = _tokenize.__wrapped__(name).toks  # not the cached call: names must not evict the article
    h = _honorific_span(toks, 0, lex)
    if h > 0 and len(toks) - h == 1:
        return toks[-1].text, ""
    if len(toks) >= 2 and _role_head_at(toks, 0, lex) + 1 >= len(toks) and toks[-1].text in lex.en_surnames:
        title = " ".join(t.low for t in toks[:-1])
        return toks[-1].text, title
    return None


def dedupe_persons(mentions: Iterable[PersonMention]) -> list[PersonMention]:
    """One entry per person: first full name, the most informative role, short references folded in."""
    items = list(mentions)
    groups: dict[str, list[PersonMention]] = {}
    order: list[str] = []
    shorts: list[tuple[PersonMention, tuple[str, str]]] = []
    for m in items:
        sk = _short_key(m)
        if sk is not None:
            shorts.append((m, sk))
            continue
        key = _norm_name(_HONORIFIC_WORDS.sub("", m.name))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(m)
    for m, (token, title) in shorts:
        target = _fold_target(m, token, title, groups, order)
        if target is None:
            key = _norm_name(m.name)
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(m)
        else:
            groups[target].append(m)
    out: list[PersonMention] = []
    for key in order:
        members = groups[key]
        fulls = [m for m in members if _short_key(m) is None] or members
        first = min(fulls, key=lambda m: m.start)
        roles = [m.role for m in members if m.role]
        role = max(roles, key=len) if roles else None
        participant = any(m.participant for m in members)
        reason = "" if participant else next((m.reason for m in members if m.reason), "")
        out.append(replace(first, role=role, participant=participant, reason=reason))
    out.sort(key=lambda m: m.start)
    return out


def _fold_target(m: PersonMention, token: str, title: str, groups: dict[str, list[PersonMention]],
                 order: Sequence[str]) -> str | None:
    candidates = []
    for key in order:
        full = next((x for x in groups[key] if _short_key(x) is None), None)
        if full is None:
            continue
        words = full.name.split()
        if token in words or token == words[-1].rstrip("."):
            candidates.append((key, full))
    if not candidates:
        return None
    if len(candidates) > 1 and title:
        titled = [(k, f) for k, f in candidates if f.role and title.split()[-1] in f.role.lower()]
        if titled:
            candidates = titled
    if len(candidates) > 1:
        before = [(k, f) for k, f in candidates if f.start <= m.start]
        if before:
            return max(before, key=lambda kf: kf[1].start)[0]
    return candidates[0][0]


# --------------------------------------------------------------------------------------------
# English organisations
# --------------------------------------------------------------------------------------------

def _suffix_at(toks: Sequence[_Tok], i: int, lex: _Lexicon) -> tuple[int, str] | None:
    t = toks[i]
    if not t.word or not t.cap:
        return None
    key = t.text.rstrip(".")
    for phrase, kind in lex.en_suffixes.get(key, ()):
        n = len(phrase)
        if i + n <= len(toks) and all(toks[i + k].text.rstrip(".") == phrase[k] for k in range(n)):
            return n, kind
    return None


def _of_head_at(toks: Sequence[_Tok], i: int, lex: _Lexicon) -> bool:
    """Token i ends an of-head ("Branch", "Consulate General") and 'of' + a capitalised word follows."""
    t = toks[i]
    if not t.word or not t.cap or t.text not in lex.of_heads:
        return False
    return i + 2 < len(toks) and toks[i + 1].low == "of" and (
        toks[i + 2].cap or (toks[i + 2].low == "the" and i + 3 < len(toks) and toks[i + 3].cap))


def _extend_chain(toks: Sequence[_Tok], j: int, lex: _Lexicon) -> int:
    """'Group Co., Ltd.', '(Group) Co., Ltd.': legal-form tokens after a suffix."""
    n = len(toks)
    while j < n and not toks[j].nl:
        t = toks[j]
        if t.text in lex.legal_chain:
            j += 1
            continue
        if t.text == "," and j > 0 and toks[j - 1].text.rstrip(".") == "Co" and j + 1 < n and \
                toks[j + 1].text.rstrip(".") in {"Ltd", "Limited"}:
            j += 1
            continue
        if t.text == "(" and j + 2 < n and toks[j + 1].text == "Group" and toks[j + 2].text == ")":
            j += 3
            continue
        break
    return j


def _complement(toks: Sequence[_Tok], j: int, lex: _Lexicon) -> int:
    """'of (the) Capitalised Words' after an of-head; 'and' only between domain words."""
    n = len(toks)
    if j >= n or toks[j].low != "of":
        return j
    k = j + 1
    if k < n and toks[k].low == "the":
        k += 1
    end = j
    while k < n and not toks[k].nl:
        t = toks[k]
        if t.word and t.cap and t.text not in lex.calendar_words:
            k += 1
            end = k
            continue
        if t.low in {"of", "'s", "&"} and k + 1 < n and toks[k + 1].cap:
            k += 1
            continue
        if t.low == "and" and k + 1 < n and toks[k + 1].cap and toks[k - 1].low in lex.and_words:
            k += 1
            continue
        break
    return end


def _left_edge(toks: Sequence[_Tok], i: int, lex: _Lexicon) -> int:
    k = i
    while k > 0:
        t = toks[k - 1]
        if toks[k].nl:
            break
        if t.word and t.cap and t.text not in lex.calendar_words:
            k -= 1
            continue
        if t.text == "-" and k >= 2 and toks[k - 2].word:
            k -= 1
            continue
        if t.low in {"'s", "&"} and k >= 2 and toks[k - 2].cap:
            k -= 1
            continue
        if t.low == "and" and k >= 2 and toks[k - 2].low in lex.and_words and toks[k - 2].cap:
            k -= 1
            continue
        if t.low == "of" and k >= 2 and toks[k - 2].cap and toks[k - 2].text in lex.of_heads:
            k -= 1
            continue
        if t.low == "the" and k >= 3 and toks[k - 2].low == "of" and toks[k - 3].text in lex.of_heads:
            k -= 1
            continue
        break
    while k < i and (not toks[k].cap or toks[k].text in lex.lead_stop_words):
        k += 1  # not from "of", "and", a sentence opener or a title
    return k


def _find_organizations_en(text: str) -> list[OrgMention]:
    lex = _lexicon()
    tokens = _tokenize(text)
    toks = tokens.toks
    spans: list[tuple[int, int, str]] = []  # token spans [s, e) with kind
    n = len(toks)
    i = 0
    for ci in tokens.caps:
        if ci < i:
            continue
        i = ci
        t = toks[i]
        suffix = _suffix_at(toks, i, lex)
        kind = None
        end = i
        if suffix is not None:
            kind = suffix[1]
            end = _extend_chain(toks, i + suffix[0], lex)
            if toks[i].text in lex.of_heads or (end - 1 < n and toks[end - 1].text in lex.of_heads):
                end = max(end, _complement(toks, end, lex))
        elif _of_head_at(toks, i, lex):
            end = _complement(toks, i + 1, lex)
            last = toks[end - 1].text
            tail_suffix = _suffix_at(toks, end - 1, lex)
            kind = tail_suffix[1] if tail_suffix else "company" if last in lex.company_heads else "other"
            if toks[i].text in lex.government_of_heads:
                kind = "government"
            elif toks[i].text in {"Branch", "Subsidiary", "Division", "Headquarters"}:
                kind = "company"  # "Deyang Branch of China Unicom"
        elif t.word and t.cap and t.text in lex.company_heads and not (
                i + 1 < n and toks[i + 1].word and toks[i + 1].cap and not toks[i + 1].nl):
            begin = _left_edge(toks, i, lex)
            body = [x for x in toks[begin:i] if x.word]
            brand_like = 1 <= len(body) <= 3 and not any(
                x.text in lex.generic_words or x.text in lex.non_name_tokens for x in body)
            if brand_like and (not body[0].text.isupper() or len(body[0].text) > 2):
                spans.append((begin, i + 1, "company"))
            continue
        if kind is None:
            continue
        begin = _left_edge(toks, i, lex)
        body = [x for x in toks[begin:i] if x.word]
        has_complement = end > i + 1 and any(x.low == "of" for x in toks[i:end])
        if body or has_complement:
            generic = all(x.text in lex.generic_words or x.text in lex.non_name_tokens for x in body)
            if not (generic and kind == "company" and not has_complement):
                spans.append((begin, end, kind))
        i = max(end, i + 1)
    spans = _merge_token_spans(spans)
    out = []
    for s, e, kind in spans:
        start, stop = toks[s].start, toks[e - 1].end
        name = text[start:stop].rstrip(",")
        out.append(_make_org(name, start, start + len(name), kind, "en"))
    return _with_known_companies(text, out, "en")


def _merge_token_spans(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    spans.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    kept: list[tuple[int, int, str]] = []
    for s, e, kind in spans:
        if kept and s < kept[-1][1]:
            if e > kept[-1][1]:
                ks, _ke, kk = kept[-1]
                kept[-1] = (ks, e, kind if kind == "government" else kk)
            continue
        kept.append((s, e, kind))
    return kept


# --------------------------------------------------------------------------------------------
# Chinese organisations
# --------------------------------------------------------------------------------------------


def _zh_and_compound_at(text: str, pos: int, lex: _Lexicon) -> bool:
    """The 和 at ``pos`` belongs to an official name such as 经济和信息化."""
    for comp in lex.zh_and_compounds:
        k = comp.index("和")
        if text[pos - k:pos - k + len(comp)] == comp:
            return True
    return False


def _zh_left_edge(text: str, s: int, lex: _Lexicon, stop_ends: frozenset[int]) -> tuple[int, str]:
    """Walk left from a suffix start; return (start, what stopped the walk)."""
    j = s
    limit = max(0, s - 30)
    while j > limit:
        ch = text[j - 1]
        if ch in ")）":
            m = _ZH_PAREN_TAIL.search(text[max(0, j - 9):j])
            if m and j - len(m.group()) > 0 and _is_cjk(text[j - len(m.group()) - 1]):
                j -= len(m.group())
                continue
            return j, ch
        if _is_cjk(ch):
            if j in stop_ends:
                return j, "stop"
            if ch == "和":
                if _zh_and_compound_at(text, j - 1, lex):
                    j -= 1
                    continue
                return j, "和"
            if ch in lex.zh_stop_chars:
                return j, ch
            j -= 1
            continue
        if ch.isascii() and ch.isalnum():
            k = j
            while k > limit and text[k - 1].isascii() and text[k - 1].isalnum():
                k -= 1
            if k > 0 and _is_cjk(text[k - 1]) and k < j:
                j = k
                continue
            return j, ch
        return j, ch
    return j, ""


_ZH_LEADING_NOISE = re.compile(r"^(?:\d{1,4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:[上下]午)?")


def _zh_valid(body: str, suffix: str, kind: str, stopper: str, lex: _Lexicon) -> bool:
    plain = _fold_paren(suffix)
    if len(body) == 1 and body in lex.zh_admin_chars:
        return plain in {"政府", "人民政府", "政协", "人大常委会", "委", "人大"}  # 市政府, 州政府, 市委
    if not body or body in lex.zh_generic_bodies:
        return False
    if kind == "other" and stopper == "的":
        return False  # 宜宾的智能终端产业园: a description, not a name
    if suffix.endswith("厂") and body.endswith("化"):
        return False  # 现代化工厂
    if plain in lex.zh_gov_stem_suffixes:
        if plain == "部":
            return body.endswith(lex.zh_ministry_stems)
        if plain == "委" and body[-1:] in lex.zh_admin_chars:
            return True
        if plain in {"办公室", "办公厅"}:
            return body.endswith(lex.zh_gov_stems) or body[-1:] in lex.zh_admin_chars
        return body.endswith(lex.zh_gov_stems)
    if plain in {"政府", "人民政府", "政协", "人大常委会"}:
        return body[-1:] in lex.zh_admin_chars or body.endswith(("特区", "特别行政区", "自治区"))
    return len(body) >= 2 or kind == "government"


def _find_organizations_zh(text: str) -> list[OrgMention]:
    lex = _lexicon()
    found: list[tuple[int, int, str]] = []
    scan = _zh_scan(text)
    for s, e, suffix in scan.suffixes:
        nxt = text[e:e + 2]
        if suffix in {"厅", "局", "部", "院"} and nxt[:1] == "长":
            continue
        if suffix == "委" and nxt[:1] == "员":
            continue
        if suffix in {"公司", "集团"} and nxt[:1] == "化":
            continue
        kind = lex.zh_suffix_kind.get(suffix, "other")
        start, stopper = _zh_left_edge(text, s, lex, scan.stop_ends)
        body = _ZH_LEADING_NOISE.sub("", text[start:s])
        start = s - len(body)
        if not _zh_valid(body, suffix, kind, stopper, lex):
            continue
        found.append((start, e, kind))
    found = _zh_join(found, text, lex)
    out = [_make_org(text[s:e], s, e, kind, "zh") for s, e, kind in found]
    return _with_known_companies(text, out, "zh")


def _zh_join(found: list[tuple[int, int, str]], text: str, lex: _Lexicon) -> list[tuple[int, int, str]]:
    """Adjacent suffix matches make one name (中国二冶集团 + 有限公司); sub-units keep their parent."""
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for s, e, kind in found:
        if merged:
            ps, pe, pk = merged[-1]
            if s <= pe:
                whole = (ps, e, kind if kind != "other" else pk)
                sub_unit = text[s:e].endswith(lex.zh_sub_units)
                if sub_unit and s == ps and text[ps:pe].endswith(("集团", "公司")):
                    merged.append(whole)
                else:
                    merged[-1] = whole
                continue
        merged.append((s, e, kind))
    return merged


# --------------------------------------------------------------------------------------------
# Organisations: known companies, keys, public API
# --------------------------------------------------------------------------------------------

_ZH_RIGHT_OK = set("、，,。；;：:与和及同等的在将是也对为了已还就都")
_ZH_LEFT_OK = set("、，,。；;：:“”\"'（()）【】《》 \t\n与和及同了的在对向将把由为是等从")


def _known_matches(text: str, lang: str) -> list[tuple[int, int, str]]:
    lex = _lexicon()
    hits: list[tuple[int, int, str]] = []
    # Latin brand names appear in Chinese text too (TCL, OPPO, vivo)
    found = [(end_idx + 1 - len(alias), end_idx + 1, cid)
             for end_idx, (cid, alias) in lex.en_company_automaton.iter(text)]
    if lang == "zh":
        found += _zh_scan(text).companies
    for s, e, cid in found:
        alias = text[s:e]
        if _is_cjk(alias[0]):
            if len(alias) <= 2 and s > 0 and text[s - 1] not in _ZH_LEFT_OK and _is_cjk(text[s - 1]):
                continue
            if len(alias) <= 3 and e < len(text) and _is_cjk(text[e]) and text[e] not in _ZH_RIGHT_OK and \
                    not text.startswith(lex.zh_alias_continuations, e):
                continue
        else:
            before, after = text[s - 1:s], text[e:e + 1]
            if before and ((before.isascii() and before.isalnum()) or before in "-_"):
                continue
            if after and ((after.isascii() and after.isalnum()) or (after in "-_" and alias[-1].isalnum())):
                continue
        hits.append((s, e, cid))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[tuple[int, int, str]] = []
    for h in hits:
        if kept and h[0] < kept[-1][1]:
            continue
        kept.append(h)
    return kept


def _with_known_companies(text: str, orgs: list[OrgMention], lang: str) -> list[OrgMention]:
    lex = _lexicon()
    out = list(orgs)
    for s, e, cid in _known_matches(text, lang):
        company = lex.companies[cid]
        inside = [k for k, o in enumerate(out) if o.start <= s and e <= o.end]
        if inside:
            k = inside[0]
            o = out[k]
            industries = tuple(dict.fromkeys(o.industries + company.industries))
            canonical = o.kind == "company" and _only_generic_around(o.name, text[s:e], lang)
            key = f"@{cid}" if canonical else o.key
            out[k] = replace(o, industries=industries, key=key)
            continue
        if any(s < o.end and o.start < e for o in out):
            continue
        out.append(OrgMention(text[s:e], s, e, f"@{cid}", "company", company.industries))
    out.sort(key=lambda o: o.start)
    return out


_GENERIC_AROUND_ZH = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|集团有限公司|集团|公司|控股|股份|分公司|子公司|[(（][\u4e00-\u9fff]{1,6}[)）])")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_KEY_WORD = re.compile(r"[a-z0-9]+")
_ZH_KEY_PAREN = re.compile(r"\([^()]{1,8}\)")
_ZH_KEY_LEGAL = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|股份公司)$")
_NON_WORD = re.compile(r"[^\w]")


def _only_generic_around(name: str, alias: str, lang: str) -> bool:
    """Whether ``name`` is the known company itself (legal form, a place, 'Branch of' around it)."""
    rest = name.replace(alias, " ", 1)
    if _is_cjk(alias[0]):
        rest = _GENERIC_AROUND_ZH.sub("", rest).strip()
        return len(rest) <= 3
    generic = _lexicon().generic_around
    words = [w for w in _LATIN_WORD.findall(rest) if w.lower() not in generic]
    return len(words) <= 1


def _org_key(name: str, lang: str) -> str:
    s = unicodedata.normalize("NFKC", name).casefold()
    if _CJK_CHAR.search(s):
        s = _ZH_KEY_LEGAL.sub("", _ZH_KEY_PAREN.sub("", s))
        return _NON_WORD.sub("", s)
    words = _KEY_WORD.findall(s.replace("'s", "s"))
    legal = _lexicon().legal_words
    while words and words[-1] in legal:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return "".join(words) or _NON_WORD.sub("", s)


def _make_org(name: str, start: int, end: int, kind: str, lang: str) -> OrgMention:
    return OrgMention(name, start, end, _org_key(name, lang), kind)


def find_organizations(text: str, language: str) -> list[OrgMention]:
    """Organisations named in ``text``: suffix patterns plus the table of well-known companies."""
    if not text:
        return []
    if language.startswith("zh"):
        return _find_organizations_zh(text)
    return _find_organizations_en(text)


def dedupe_organizations(mentions: Iterable[OrgMention]) -> list[OrgMention]:
    """One entry per organisation: same key, or a shorter form inside a longer one of the same kind."""
    items = sorted(mentions, key=lambda o: o.start)
    groups: list[list[OrgMention]] = []
    for o in items:
        target = None
        for g in groups:
            head = g[0]
            if o.key == head.key or any(o.key == x.key for x in g):
                target = g
                break
            if o.kind == head.kind and len(o.key) >= 4 and not o.key.startswith("@") and \
                    not head.key.startswith("@") and (o.key in head.key or head.key in o.key):
                target = g
                break
        if target is None:
            groups.append([o])
        else:
            target.append(o)
    out = []
    for g in groups:
        longest = max(len(x.key) for x in g)
        best = next(x for x in g if len(x.key) == longest)
        industries = tuple(dict.fromkeys(i for x in g for i in x.industries))
        kind = next((x.kind for x in g if x.kind == "government"), best.kind)
        key = next((x.key for x in g if x.key.startswith("@")), best.key)
        out.append(replace(best, key=key, industries=industries, kind=kind))
    out.sort(key=lambda o: o.start)
    return out
