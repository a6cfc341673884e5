"""People and organisations named in an article, with roles and whether they took part.

The finders are rule-based on purpose: names in government and business news come with strong
context (a title before or after a name, honorifics, organisation suffixes), and rules over
precompiled vocabularies run in well under a millisecond per article, where statistical
taggers cost 10-100 ms and mistake place names for people. All vocabulary lives in
``events/data/actors_*`` and is loaded once.

English: pinyin names are recognised by surname list + syllable check on the given name; other
names need context (honorific, title before or after, a known given name, "said X"). Chinese:
a name is a surname plus one or two characters, accepted only with a title before it (which then
vouches for characters that elsewhere end a name: 市长姚某员), a speech/action verb after it, a title
after it at a line start, in a 、-list summed up by 等市领导 or holding a name already confirmed, or
after it was confirmed once in the article.

Organisations come from suffixes (有限公司, Bureau, Industrial Park), from lists of the companies and
sites visited (先后到甲、乙等企业; "came to the A Project, B Base and other sites"), from lower-case
"<Place> municipal government", and from the table of well-known companies. Offices named without a
place (宣传部, "Propaganda Department") are parts of titles and are left out.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate, compress, pairwise, repeat
from operator import attrgetter, or_, sub
from typing import Any

import ahocorasick
import yaml

from events.text import code_units, literal_positions


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
    site_heads: frozenset[str]
    visit_re: re.Pattern[str]
    visit_firsts: frozenset[str]
    other_list_nouns: frozenset[str]
    generic_office_words: frozenset[str]
    government_modifiers: frozenset[str]
    government_noun_after: frozenset[str]
    chrome_before: tuple[str, ...]
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
    en_org_heads: frozenset[str]  # of_heads and company_heads
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
    zh_title_non_name_chars: frozenset[str]
    zh_non_initial_chars: frozenset[str]
    zh_collective: frozenset[str]
    zh_list_summary: tuple[str, ...]
    zh_name_trailers: tuple[str, ...]
    zh_weak_titles: frozenset[str]
    # Chinese organisations
    zh_suffix_kind: dict[str, str]
    zh_gov_stem_suffixes: frozenset[str]
    zh_gov_stems: tuple[str, ...]
    zh_ministry_stems: tuple[str, ...]
    zh_admin_chars: frozenset[str]
    zh_and_compounds: tuple[str, ...]
    zh_stop_chars: frozenset[str]
    zh_plain_run: re.Pattern[str]  # Chinese characters that are neither stop characters nor 和
    zh_generic_bodies: frozenset[str]
    zh_sub_units: tuple[str, ...]
    zh_generic_department: re.Pattern[str]
    zh_list_visit_verbs: tuple[str, ...]
    zh_list_visit_clause: re.Pattern[str]
    zh_org_list_summary: re.Pattern[str]
    zh_list_site_tails: tuple[str, ...]
    zh_list_item_generic: frozenset[str]
    zh_list_item_generic_tails: tuple[str, ...]
    zh_bare_organ: re.Pattern[str]
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
    en_surnames |= {v.replace("v", "ü") for v in en_surnames if "v" in v}  # Lü, as well as Lv
    en_single = frozenset(v for k, v in zh_surnames.items() if len(k) == 1 and v in en_surnames)
    syllables = frozenset(_data_lines("actors_pinyin_syllables.txt"))

    role_heads = _token_tuples(en_r["role_heads"])
    role_words = frozenset(w for phrases in role_heads.values() for p in phrases for w in p)
    byline_cues = sorted(en_r["byline_cues"], key=len, reverse=True)
    cue_alt = "|".join(re.escape(c) for c in byline_cues)
    byline_re = re.compile(
        rf"[{re.escape(''.join(_BYLINE_OPENERS))}]\s*(?:{cue_alt})\b\s*[:：/]?\s*([^()\[\]（）【】\n]{{2,80}}?)\s*[)\]）】]")
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

    # One automaton finds everything a Chinese text needs in a single pass. It reads the text as UTF-32
    # bytes (see text.code_units): pyahocorasick scans a node's children one by one, and the children of the
    # root would otherwise be the hundreds of characters that start a word.
    tags: dict[str, dict[str, str]] = {}
    for r in zh_roles:
        tags.setdefault(r, {})["role"] = r
    for r in zh_r["role_prefixes"]:
        tags.setdefault(r, {}).setdefault("prefix", r)  # organs that begin titles (市委, 区政府)
    for sfx in zh_suffix_kind:
        tags.setdefault(sfx, {})["suffix"] = sfx
        if "(" in sfx:
            tags.setdefault(sfx.replace("(", "（").replace(")", "）"), {})["suffix"] = sfx
    for w in list(zh_o["stop_words"]) + list(zh_o["stop_words_extra"]) + list(zh_o["stop_titles"]):
        tags.setdefault(w, {})["stop"] = w
    for w in zh_r["verbs"]:
        tags.setdefault(w, {})["verb"] = w
    for alias, cid in zh_aliases.items():
        tags.setdefault(alias, {})["company"] = cid
    zh_auto = ahocorasick.Automaton()
    for word, tag in tags.items():
        zh_auto.add_word(code_units(word), (len(word), tuple(tag.items())))
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
        site_heads=frozenset(en_o["site_heads"]),
        visit_re=re.compile(rf"(?:{_alternation(en_o['visit_verbs'])})\b"),
        visit_firsts=frozenset(v.split()[0] for v in en_o["visit_verbs"]),
        other_list_nouns=frozenset(en_o["other_list_nouns"]),
        generic_office_words=frozenset(en_o["generic_office_words"]),
        government_modifiers=frozenset(en_o["government_modifiers"]),
        government_noun_after=frozenset(en_o["government_noun_after"]),
        chrome_before=tuple(en_o["chrome_before"]),
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
        en_org_heads=frozenset(of_heads) | frozenset(en_o["company_heads"]),
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
        zh_title_non_name_chars=frozenset(zh_r["title_non_name_chars"]),
        zh_non_initial_chars=frozenset(zh_r["non_initial_chars"]),
        zh_collective=frozenset(zh_r["collective_nouns"]),
        zh_list_summary=tuple(sorted(zh_r["list_summary_words"], key=len, reverse=True)),
        zh_name_trailers=tuple(sorted(zh_r["name_trailers"], key=len, reverse=True)),
        zh_weak_titles=frozenset(zh_r["weak_titles"]),
        zh_suffix_kind=zh_suffix_kind,
        zh_gov_stem_suffixes=frozenset(zh_o["gov_stem_suffixes"]),
        zh_gov_stems=tuple(sorted(zh_o["gov_stems"], key=len, reverse=True)),
        zh_ministry_stems=tuple(sorted(zh_o["ministry_stems"], key=len, reverse=True)),
        zh_admin_chars=frozenset(zh_o["admin_chars"]),
        zh_and_compounds=tuple(zh_o["and_compounds"]),
        zh_stop_chars=frozenset(zh_o["stop_chars"]),
        zh_plain_run=re.compile(rf"[^\x00-\u4dff\ua000-\U0010ffff和{re.escape(''.join(sorted(set(zh_o['stop_chars']))))}]*"),
        zh_generic_bodies=frozenset(zh_o["generic_bodies"]),
        zh_sub_units=tuple(zh_o["sub_unit_suffixes"]),
        zh_generic_department=re.compile(
            rf"[{zh_o['admin_chars']}]{{0,2}}(?:{_alternation(zh_o['bare_organs'])})?"
            rf"(?:{_alternation(zh_o['generic_departments'])})"),
        zh_list_visit_verbs=tuple(zh_o["list_visit_verbs"]),
        zh_list_visit_clause=re.compile(_alternation(zh_o["list_visit_clause_verbs"])),
        zh_org_list_summary=re.compile(
            rf"等(?:{_alternation(zh_o['list_summary_modifiers'])})?(?:{_alternation(zh_o['list_summary_words'])})"
            rf"(?![{''.join(zh_o['list_summary_blockers'])}])"),
        zh_list_site_tails=tuple(sorted(zh_o["list_site_tails"], key=len, reverse=True)),
        zh_list_item_generic=frozenset(zh_o["list_item_generic"]),
        zh_list_item_generic_tails=tuple(zh_o["list_item_generic_tails"]),
        zh_bare_organ=re.compile(rf"[{zh_o['admin_chars']}]{{1,2}}(?:{_alternation(zh_o['bare_organs'])})"),
        companies=companies,
        en_company_automaton=en_company_auto,
        en_company_aliases=frozenset(en_company_auto.keys()),
    )


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _fold_paren(text: str) -> str:
    return text.replace("（", "(").replace("）", ")")


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_SYLLABLE_SEP = re.compile(r"['’\-]")
_NAME_PUNCT = re.compile(r"[\s'\"`.,()（）\-_/·•]")
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*and)\s*")
_ZH_POSTED = re.compile(r"([\u4e00-\u9fff]{0,5})驻[\u4e00-\u9fff]{1,4}$")
_ZH_POSTED_CUT = re.compile(r"[了见与和同及、的]")
_ZH_BYLINE_TOKEN = re.compile(r"[^\s、，,;；:：]+")
_ZH_LINE_END = re.compile(r"[ \t。.]*(?:\n|$)")
_ZH_SENTENCE_END = re.compile(r"[。.]")
_ZH_NAME_DOT = re.compile(r"[·•・]")
_ZH_PAREN_TAIL = re.compile(r"[(（][\u4e00-\u9fff]{1,6}[)）]$")


#: pinyin syllables have at most six letters ("zhuang"); longer pieces of a word are not looked up
_LONGEST_SYLLABLE = 6


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=8192)
def _syllable_count(word: str) -> int:
    """Number of pinyin syllables ``word`` splits into when that is one or two, else 0.

    Callers only ask for given names of one or two syllables, so two lookups per split point replace
    a segmentation of the whole word (given names are mostly new words: this cache seldom hits).
    """
    syllables = _lexicon().syllables
    total = 0
    if not word.isascii():
        word = _strip_marks(word)  # tone marks and ü: "Jiànhuá", "Lüxin"
    for part in _SYLLABLE_SEP.split(word.lower()):
        n = len(part)
        if n <= _LONGEST_SYLLABLE and part in syllables:
            total += 1
        elif any(part[:k] in syllables and part[k:] in syllables
                 for k in range(max(1, n - _LONGEST_SYLLABLE), min(_LONGEST_SYLLABLE, n - 1) + 1)):
            total += 2
        else:
            return 0
        if total > 2:
            return 0
    return total


def _strip_marks(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def _norm_name(name: str) -> str:
    """The comparison form of a name (the scorer's normalisation)."""
    s = unicodedata.normalize("NFKC", name).casefold().replace("’", "'").replace("‘", "'")
    return _NAME_PUNCT.sub("", s)


# --------------------------------------------------------------------------------------------
# English tokens
# --------------------------------------------------------------------------------------------

_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Ir", "Hj", "YBhg", "YBrs", "Co", "Ltd", "Inc", "Corp",
                  "Jr", "Sr", "Messrs", "Gov", "Rep", "Hon", "Bhd", "St")
# A token with the white space before it. Every non-space character belongs to a token, so the
# pieces tile the text (up to trailing space) and offsets follow from their lengths.
#: Latin letters, with the accented ones of pinyin and European names ("Lü Jianhua", "José")
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f\u1e00-\u1eff"
_EN_TOKEN = re.compile(
    r"\s*(?:"
    rf"[a-z][{_LOWER}]*(?:['’\-](?!s\b)[{_LETTER}]+)*"  # lower-case words first: most tokens are
    r"|(?:" + "|".join(_ABBREVIATIONS) + r")\.(?=[\s,]|$)"  # "Mr.", "Co.,"
    r"|(?:[A-Z]\.){2,}"  # "H.E."
    r"|[A-Z]\.(?=\s)"  # initials: "Christine D. Althauser"
    rf"|[{_LETTER}]+(?:['’\-](?!s\b)[{_LETTER}]+)*(?:['’](?=\s))?"  # words, "Min’er", "Ka-chiu", "Dato’"
    r"|['’]s\b"  # possessive
    r"|\d+(?:[.,:]\d+)*"
    rf"|[^\s{_LETTER}\d])")


# lower-case forms that drop a dot or apostrophe ("Mr." -> "mr", "D." -> "d", "’s" -> "'s")
_LOW_FIX = {f"{a.lower()}.": a.lower() for a in _ABBREVIATIONS}
_LOW_FIX |= {f"{c}.": c for c in "abcdefghijklmnopqrstuvwxyz"}
_LOW_FIX |= {"’s": "'s", "’": "'", "dato’": "dato", "dato'": "dato", "datuk’": "datuk", "datuk'": "datuk"}


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The tokens of an English text as parallel lists, one per attribute (``tk.low[i]``).

    Building one object per token cost more than all the finders spent reading them; these lists
    come from C-level ``map`` calls, and a list read is as fast as an attribute read.
    """

    text: list[str]
    start: list[int]
    end: list[int]
    low: list[str]  # lower-case, without a trailing dot or apostrophe
    cap: list[bool]  # starts with an upper-case letter
    word: list[bool]  # starts with a letter
    nl: list[bool]  # a line break lies between this token and the previous one
    caps: list[int]  # indices of capitalised words: every finder starts from one of them
    n: int  # number of tokens
    source: str = ""  # the text the tokens come from


def _line_starts(text: str, starts: list[int]) -> list[bool]:
    """For each token, whether a line break lies before it (found from the few line breaks, not per token)."""
    flags = [False] * len(starts)
    pos = text.find("\n")
    while pos >= 0:
        k = bisect_right(starts, pos)
        if k < len(flags):
            flags[k] = True
        pos = text.find("\n", pos + 1)
    return flags


class _TokenForms(dict[str, Any]):
    """A bounded memo of one per-token string function: the words of news text repeat, so most tokens are
    found here at C speed (``map(forms.__getitem__, ...)``) instead of building a new string each."""

    __slots__ = ("form",)
    #: entries kept before the memo starts afresh (a few megabytes)
    LIMIT = 65536

    def __init__(self, form: Any) -> None:
        super().__init__()
        self.form = form

    def __missing__(self, token: str) -> Any:
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[token] = self.form(token)
        return value


def _low_form(token: str) -> str:
    lowered = token.lower()
    return _LOW_FIX.get(lowered, lowered)


def _capitalised(token: str) -> bool:
    return token[0].isupper()


def _word_start(token: str) -> bool:
    return token[0].isalpha()


#: a token with its white space -> the token; a token -> its ``low``, ``cap`` and ``word`` attributes
_STRIPPED = _TokenForms(str.lstrip)
_LOWERED = _TokenForms(_low_form)
_CAPITALISED = _TokenForms(_capitalised)
_WORD_START = _TokenForms(_word_start)


@lru_cache(maxsize=4)
def _tokenize(text: str) -> _Tokens:
    """Tokens of an English text; cached so that the person and organisation finders share them."""
    pieces = _EN_TOKEN.findall(text)  # ungrouped: findall then makes no tuple per token
    texts = list(map(_STRIPPED.__getitem__, pieces))
    ends = list(accumulate(map(len, pieces)))
    starts = list(map(sub, ends, map(len, texts)))
    caps = list(map(_CAPITALISED.__getitem__, texts))
    return _Tokens(
        text=texts,
        start=starts,
        end=ends,
        low=list(map(_LOWERED.__getitem__, texts)),
        cap=caps,
        word=list(map(_WORD_START.__getitem__, texts)),
        nl=_line_starts(text, starts),
        caps=list(compress(range(len(caps)), caps)),
        n=len(texts),
        source=text,
    )


def _caps_where(tk: _Tokens, flags: Iterable[bool]) -> list[int]:
    """The capitalised words (``tk.caps``) for which ``flags`` holds: a finder that skips every other one
    need not visit them in Python."""
    return list(compress(tk.caps, flags))


def _next_capitalised(tk: _Tokens) -> Iterable[bool]:
    """For each of ``tk.caps``, whether a capitalised token follows it."""
    following = tk.cap[1:]
    following.append(False)
    return map(following.__getitem__, tk.caps)


def _match_phrase(tk: _Tokens, i: int, index: dict[str, list[tuple[str, ...]]]) -> int:
    """Length in tokens of the longest phrase of ``index`` starting at token ``i`` (0 if none)."""
    if i >= tk.n:
        return 0
    phrases = index.get(tk.low[i])
    if not phrases:
        return 0
    low, nl = tk.low, tk.nl
    for phrase in phrases:
        n = len(phrase)
        if n == 1:
            return 1
        if i + n <= tk.n and all(not nl[i + k] and low[i + k] == phrase[k] for k in range(1, n)):
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


def _name_token(tk: _Tokens, k: int, lex: _Lexicon) -> bool:
    return tk.word[k] and tk.cap[k] and tk.text[k] not in lex.non_name_tokens


def _is_initial(token: str) -> bool:
    return len(token) == 2 and token[1] == "." and token[0].isupper()  # "D." in "Christine D. Althauser"


def _pinyin_pair(tk: _Tokens, i: int, lex: _Lexicon, lower_ok: bool = False) -> bool:
    """Tokens i, i+1 read as a Chinese name in pinyin: surname + given name of 1-2 syllables."""
    if i + 1 >= tk.n:
        return False
    text, word, cap = tk.text, tk.word, tk.cap
    if not (word[i] and cap[i] and word[i + 1]) or tk.nl[i + 1]:
        return False
    a, b = text[i], text[i + 1]
    surname = a if not a.isupper() or len(a) < 2 else a.title()
    if surname not in lex.en_surnames:
        return False
    if not cap[i + 1] and not (lower_ok and b.islower()):
        return False
    if b.isupper() and len(b) > 1:
        return False
    pair = f"{a} {b}"
    if b in lex.non_name_tokens or pair in lex.non_person_bigrams:
        return False
    if not _syllable_count(b):
        return False
    if pair in lex.en_company_aliases:
        return False
    c = i + 2
    if c < tk.n and word[c] and cap[c] and not tk.nl[c]:
        if len(text[c]) <= 4 and _syllable_count(text[c]) == 1:
            return False  # a place written syllable by syllable: "Tian An Men", "Wang Fu Jing"
        if text[c] in lex.en_suffixes or text[c] in lex.company_heads or text[c] in lex.place_words:
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


def _honorific_span(tk: _Tokens, i: int, lex: _Lexicon) -> int:
    """Index after a chain of honorifics starting at ``i`` ("YAB Ir. Hj. Datuk Seri"), else ``i``."""
    j = i
    while j < tk.n:
        n = _match_phrase(tk, j, lex.honorifics)
        if not n or (j > i and tk.nl[j]):
            break
        j += n
        while j < tk.n and tk.text[j] in {"'", "’", "."} and tk.start[j] == tk.end[j - 1]:
            j += 1
    return j


def _name_run(tk: _Tokens, j: int, lex: _Lexicon, limit: int = 6) -> int:
    """End index of a run of personal-name tokens starting at ``j`` (initials and particles inside)."""
    text, low = tk.text, tk.low
    n = tk.n
    k = j
    while k < n and k - j < limit:
        t = text[k]
        if k > j and tk.nl[k]:
            break
        if _is_initial(t):
            k += 1
            continue
        if tk.word[k] and low[k] in lex.particles and k > j and k + 1 < n and tk.cap[k + 1]:
            k += 1
            continue
        if not _name_token(tk, k, lex) or (t.isupper() and len(t) > 1 and k > j):
            break
        if k > j and (t in lex.en_suffixes or t in lex.company_heads):
            break
        k += 1
    while k > j and (_is_initial(text[k - 1]) or low[k - 1] in lex.particles):
        k -= 1
    return k


def _split_syllable_end(tk: _Tokens, end: int) -> int:
    """End of a pinyin name whose given name a stray space splits after an apostrophe ("Zhou ling’ ai")."""
    if end + 1 < tk.n and tk.text[end] in {"’", "'"} and tk.start[end] == tk.end[end - 1] \
            and tk.word[end + 1] and not tk.cap[end + 1] and not tk.nl[end + 1] \
            and tk.text[end + 1][:1] in {"a", "e", "o"} \
            and 0 < _syllable_count(tk.text[end - 1] + tk.text[end + 1]) <= 2:
        return end + 2
    return end


def _org_word_follows(tk: _Tokens, end: int, lex: _Lexicon) -> bool:
    """The word after a name run is an organisation suffix or company head: "Hai Fan Project"."""
    if end >= tk.n or tk.nl[end] or not (tk.word[end] and tk.cap[end]):
        return False
    t = tk.text[end]
    return t in lex.en_suffixes or t in lex.company_heads or t in lex.site_heads or t in lex.place_words


def _en_candidates(tk: _Tokens, lex: _Lexicon) -> list[_Cand]:
    cands: list[_Cand] = []
    text, low, cap = tk.text, tk.low, tk.cap
    n = tk.n
    # the capitalised words a candidate can start from (the loop below passes over all others)
    openers = [k for k in tk.caps if low[k] in lex.honorifics or text[k] in lex.en_surnames
               or text[k] in lex.given_names or text[k].isupper()]
    i = 0
    for ci in openers:
        if ci < i:
            continue
        i = ci
        # honorifics: "Mrs Teo", "TYT Tun Mohd Khalil Yaakob"
        h = _honorific_span(tk, i, lex) if low[i] in lex.honorifics else i
        if h > i:
            if h < n and tk.word[h] and cap[h]:
                lower_ok = _pinyin_pair(tk, h, lex, lower_ok=True)
                end = _split_syllable_end(tk, h + 2) if lower_ok else _name_run(tk, h, lex)
                if end > h and _org_word_follows(tk, end, lex):
                    i = end  # "Hon Gao Ming Project": a name inside an organisation's or project's name
                    continue
                if end > h:
                    short = end - h == 1
                    cands.append(_Cand(h, end, short=short, lead=i if short else -1))
                    i = end
                    continue
            i = h
            continue
        if (text[i] in lex.en_surnames or text[i].isupper()) and _pinyin_pair(tk, i, lex):
            end = _split_syllable_end(tk, i + 2)
            cands.append(_Cand(i, end))
            i = end
            continue
        if cap[i] and text[i] in lex.given_names and i + 1 < n and _name_token(tk, i + 1, lex):
            end = _name_run(tk, i, lex, limit=4)
            if end - i > 2 and _on_title_case_line(tk.source, tk.start[i]):
                end = i + 2  # "Mayor Peter Tschentscher Meets …": a headline
            if end - i >= 2:
                cands.append(_Cand(i, end))
                i = end
                continue
        i += 1
    return cands


def _role_head_at(tk: _Tokens, i: int, lex: _Lexicon) -> int:
    if i >= tk.n:
        return 0
    low = tk.low[i]
    if low in lex.role_heads:
        n = _match_phrase(tk, i, lex.role_heads)
        if n:
            return n
    if tk.word[i] and "-" in low:
        first = low.split("-")[0]
        if first in lex.role_modifiers or first in lex.role_words:
            rest = low.split("-", 1)[1]
            if rest in lex.role_words:
                return 1
    return 0


_CONNECTORS = {"of", "the", "and", "in", "to", "for", "at", "'s", "&"}
_ROLE_TRAIL = _CONNECTORS | {"-"}  # not the last word of a title before a name
_APPOSITION_TRAIL = _CONNECTORS | {"-", "’", "'"}  # not the last word of a title after a name


_LEAD_TRIM = {"the", "a", "an", "and", "of", "in", "to", "for", "on", "at", "with", "by", "from", "'s", "'",
              "recently", "yesterday", "today", "meanwhile", "also", "later", "then", "among", "both"}


def _role_token(tk: _Tokens, k: int, lex: _Lexicon) -> bool:
    """Tokens that may make up a title phrase: capitalised words, title and unit words, connectors."""
    low = tk.low[k]
    if tk.word[k]:
        return tk.cap[k] or low in _CONNECTORS or low in lex.role_modifiers or low in lex.role_words \
            or low in lex.unit_words
    return low in {"'s", "&", "-", "’", "'"}


def _role_before(text: str, tk: _Tokens, c: _Cand, lex: _Lexicon,
                 owner: dict[int, int], idx: int) -> tuple[str | None, bool, int]:
    """A title written before the name ("the Deputy Secretary of ... and mayor Yuan Fang")."""
    s = c.lead if c.lead >= 0 else c.start
    if c.titled:
        return text[tk.start[c.lead]: tk.end[c.start - 1]], False, c.lead
    low, nl = tk.low, tk.nl
    k = s
    while k > 0 and s - k < 24:
        if nl[k] or owner.get(k - 1, idx) != idx or not _role_token(tk, k - 1, lex):
            break
        if low[k - 1] == "and" and not (k >= 2 and (low[k - 2] in lex.unit_words or low[k - 2] in lex.role_words)):
            break
        k -= 1
    while k < s and (low[k] in _LEAD_TRIM or not tk.word[k]):
        k += 1
    last_head = -1  # end of the last title word found
    j = k
    while j < s:
        m = _role_head_at(tk, j, lex)
        if m:
            last_head = min(j + m, s)
            j += m
        else:
            j += 1
    if last_head < 0:
        return None, False, s
    last = s
    while last > k and low[last - 1] in _ROLE_TRAIL:
        last -= 1
    if last <= k:
        return None, False, s
    role = text[tk.start[k]: tk.end[last - 1]]
    head_last = low[last_head - 1]
    plural = head_last.endswith("s") and head_last[:-1] in lex.role_words
    # "Secretary-General Wu Mingyu of the municipal government"
    e = c.end
    n = tk.n
    if e + 1 < n and low[e] == "of" and not nl[e + 1]:
        q = e + 1
        if low[q] == "the":
            q += 1
        stop = q
        while stop < n and tk.word[stop] and not nl[stop] and (
                tk.cap[stop] or low[stop] in lex.unit_words or low[stop] in lex.role_modifiers):
            stop += 1
        if stop > q and low[stop - 1] in lex.unit_words:
            role = role + " " + text[tk.start[e]: tk.end[stop - 1]]
    return role, plural, k


def _apposition(tk: _Tokens, k: int, lex: _Lexicon, starts: frozenset[int]) -> tuple[int, int, bool] | None:
    """A title phrase starting at token k: (first, end, plural) or None."""
    text, low = tk.text, tk.low
    n = tk.n
    if k < n and low[k] in {"the", "a", "an"}:
        k += 1
    first = k
    heads = 0
    plural = False
    while k < n and k - first < 30 and not (k > first and tk.nl[k]):
        if k in starts:
            return None  # "..., Secretary-General Wu Mingyu": that title belongs to the next name
        m = _role_head_at(tk, k, lex)
        if m:
            heads += 1
            last = low[k + m - 1]
            plural = last.endswith("s") and last[:-1] in lex.role_words
            k += m
            continue
        if text[k] == "," and low[k - 1] == "co" and k + 1 < n and low[k + 1] in {"ltd", "limited"}:
            k += 1
            continue
        if low[k] == "and":
            if k + 1 >= n or k + 1 in starts or not _role_token(tk, k + 1, lex) or low[k + 1] in _CONNECTORS:
                break
            k += 1
            continue
        if not _role_token(tk, k, lex) or (tk.word[k] and not tk.cap[k] and low[k] in lex.speech_verbs):
            break
        k += 1
    end = k
    while end > first and low[end - 1] in _APPOSITION_TRAIL:
        end -= 1
    if not heads or end <= first:
        return None
    return first, end, plural


def _role_after(text: str, tk: _Tokens, end: int, lex: _Lexicon,
                starts: frozenset[int]) -> tuple[str | None, bool]:
    """An apposition after the name: "Chen Weijun, secretary of the Municipal Party Committee,"."""
    tokens = tk.text
    n = tk.n
    k = end
    if k < n and tokens[k] == "(":
        while k < n and tokens[k] != ")" and k - end < 12:
            k += 1
        k += 1
    if k >= n or tokens[k] != "," or (k + 1 < n and tk.nl[k + 1]):
        return None, False
    parts: list[str] = []
    plural = False
    k += 1
    while k < n:
        seg = _apposition(tk, k, lex, starts)
        if seg is None:
            break
        first, stop, seg_plural = seg
        parts.append(text[tk.start[first]: tk.end[stop - 1]])
        plural = plural or seg_plural
        if stop < n and tokens[stop] == "," and stop + 1 < n and not tk.nl[stop + 1] and (
                _role_head_at(tk, stop + 1, lex) or (tk.low[stop + 1] in lex.role_modifiers
                                                     and _role_head_at(tk, stop + 2, lex))):
            k = stop + 1
            continue
        break
    if not parts:
        return None, False
    return ", ".join(parts), plural


_SPEECH_BEFORE = {"said", "says", "added", "noted", "stressed", "emphasized", "explained", "according"}


def _generic_names(text: str, tk: _Tokens, lex: _Lexicon, taken: set[int]) -> list[_Cand]:
    """Capitalised runs that an apposition with a title, or a speech verb before them, marks as people."""
    out: list[_Cand] = []
    tokens, low, cap, word, nl = tk.text, tk.low, tk.cap, tk.word, tk.nl
    n = tk.n
    i = 0
    empty: frozenset[int] = frozenset()
    for ci in _caps_where(tk, _next_capitalised(tk)):
        if ci < i:
            continue
        i = ci
        if i + 1 >= n or not cap[i + 1] or i in taken or not _name_token(tk, i, lex) or tokens[i].isupper():
            continue
        p = i - 1  # the word before, when i > 0
        if i > 0 and not nl[i] and word[p] and cap[p]:
            continue
        end = _name_run(tk, i, lex, limit=4)
        if end - i < 2:
            continue
        words = [k for k in range(i, end) if word[k] and not _is_initial(tokens[k])]
        if len(words) < 2 or any(k in taken for k in range(i, end)):
            i = end
            continue
        if end < n and word[end] and cap[end] and not nl[end]:
            i = end
            continue
        after_verb = i > 0 and word[p] and not cap[p] and low[p] in _SPEECH_BEFORE
        role, _ = _role_after(text, tk, end, lex, empty) if not after_verb else (None, False)
        followed_by_punct = end >= n or tokens[end] in {",", ".", ";", "\n"} or nl[end]
        if (role is not None) or (after_verb and followed_by_punct):
            out.append(_Cand(i, end))
        i = end
    return out


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of “…” and "…" within a line, in order (what a regex finditer gives, without stopping at every character).

    ``str.find`` jumps from quote mark to quote mark; each character's next position is remembered, so a
    text full of unclosed quotes stays linear.
    """
    spans: list[tuple[int, int]] = []
    found: dict[str, int] = {}  # a character's first position at or after the last search start (-1: none)

    def find(char: str, start: int) -> int:  # starts never decrease for one character
        at = found.get(char, -2)
        if at == -1 or at >= start:
            return at
        at = found[char] = text.find(char, start)
        return at

    pos = 0
    while True:
        curly, straight = find("“", pos), find('"', pos)
        if curly < 0 and straight < 0:
            return spans
        opening = straight if curly < 0 or 0 <= straight < curly else curly
        closing = find("”" if text[opening] == "“" else '"', opening + 1)
        line_end = find("\n", opening + 1)
        if closing >= 0 and (line_end < 0 or closing < line_end):
            spans.append((opening, closing + 1))
            pos = closing + 1
        else:
            pos = opening + 1


def _in_sorted_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    """``pos`` lies in one of ``spans`` (sorted and disjoint, as quotations are)."""
    k = bisect_right(spans, (pos, sys.maxsize)) - 1
    return k >= 0 and pos < spans[k][1]


# (no leading \b: a pattern that starts with a set of literals is scanned much faster by `re`)
_EN_BYLINE_FIELD = re.compile(
    r"(?:Editor|Editors|Reporter|Reporters|Author|Authors|Writer|Photographer|Correspondent|Translator)"
    r"\s*[:：]\s*([^|\n]{2,60})")


#: words one of which every _EN_BYLINE_FIELD match holds: without them the regex need not scan the text
_EN_BYLINE_FIELD_WORDS = ("Editor", "Reporter", "Author", "Writer", "Photographer", "Correspondent", "Translator")


#: characters that every ``byline_re`` match starts with
_BYLINE_OPENERS = ("(", "[", "（", "【")


def _byline_spans_en(text: str, lex: _Lexicon) -> list[tuple[int, int]]:
    spans = [m.span(1) for m in _matches_at(lex.byline_re, text, literal_positions(text, _BYLINE_OPENERS))]
    spans += _line_start_groups(lex.byline_line_re, text)
    if any(word in text for word in _EN_BYLINE_FIELD_WORDS):
        spans += [m.span(1) for m in _EN_BYLINE_FIELD.finditer(text)
                  if not text[m.start() - 1:m.start()].isalpha()]
    return spans


def _matches_at(pattern: re.Pattern[str], text: str, positions: Iterable[int]) -> list[re.Match[str]]:
    """What ``pattern.finditer(text)`` finds when every match starts at one of the sorted ``positions``.

    A regex search tries every position of the text; the literals a pattern starts with are found faster.
    """
    found = []
    end = 0
    for at in positions:
        if at < end:
            continue
        match = pattern.match(text, at)
        if match:
            found.append(match)
            end = match.end()
    return found


def _line_start_groups(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Spans of group 1 of a ``^``-anchored multi-line pattern whose matches stay within a line.

    The same as ``finditer``, but tried at line starts only: ``re`` would try every position.
    """
    spans = []
    start = 0
    while True:
        match = pattern.match(text, start)
        if match:
            spans.append(match.span(1))
        line_end = text.find("\n", start)
        if line_end < 0:
            return spans
        start = line_end + 1


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _find_persons_en(text: str) -> list[PersonMention]:
    lex = _lexicon()
    tk = _tokenize(text)
    if not tk.caps:
        return []
    cands = _en_candidates(tk, lex)
    taken = {k for c in cands for k in range(c.lead if c.lead >= 0 else c.start, c.end)}
    cands += _generic_names(text, tk, lex, taken)
    cands += _titled_names(text, tk, lex, taken)
    cands += _title_short_refs(tk, lex, taken)
    cands.sort(key=lambda c: c.start)
    cands = _drop_overlaps(cands)
    _add_solid_names(tk, cands, lex)
    _add_bare_short_refs(tk, cands, lex)
    cands.sort(key=lambda c: c.start)

    starts = frozenset(c.lead if c.lead >= 0 else c.start for c in cands)
    bylines = _byline_spans_en(text, lex)
    quotes = _quote_spans(text)
    owner = {k: idx for idx, c in enumerate(cands) for k in range(c.lead if c.lead >= 0 else c.start, c.end)}
    for idx, c in enumerate(cands):
        role, plural, begin = _role_before(text, tk, c, lex, owner, idx)
        after, after_plural = _role_after(text, tk, c.end, lex, starts)
        if after and (role is None or len(after) > len(role)):
            role, plural = after, after_plural
        c.role, c.role_plural = role, plural
        _judge_participation_en(text, tk, c, begin, lex, bylines, quotes)
    _share_list_roles(text, tk, cands)
    out = []
    for c in cands:
        first = c.lead if c.lead >= 0 else c.start
        s, e = tk.start[first], tk.end[c.end - 1]
        name = text[s:e]
        out.append(PersonMention(name, c.role, s, e, name, c.participant, c.reason))
    return out


def _personal_word(tk: _Tokens, k: int, lex: _Lexicon) -> bool:
    """A capitalised word that can be part of a personal name (not a place, organisation or title word)."""
    x = tk.text[k]
    return _name_token(tk, k, lex) and x not in lex.place_words and x not in lex.en_suffixes \
        and x not in lex.company_heads and x not in lex.generic_words and tk.low[k] not in lex.role_words


def _titled_names(text: str, tk: _Tokens, lex: _Lexicon, taken: set[int]) -> list[_Cand]:
    """Names right after a title: "Vice Mayor Park Sung-hoon", "Mayor of Hamburg Peter Tschentscher"."""
    out: list[_Cand] = []
    tokens, low, cap, word, nl = tk.text, tk.low, tk.cap, tk.word, tk.nl
    n = tk.n
    for i in compress(range(n), map(lex.role_heads.__contains__, low)):
        m = _role_head_at(tk, i, lex)
        if not m:
            continue
        j = i + m
        if j >= n or nl[j]:
            continue
        if low[j] in {"of", "to", "in"} and word[j] and not cap[j]:
            # a complement first: the name is the capitalised tail after place/organisation words
            k = j + 1
            if k < n and low[k] == "the":
                k += 1
            end = k
            while end < n and word[end] and cap[end] and not nl[end]:
                end += 1
            begin = end
            while begin > k and _personal_word(tk, begin - 1, lex):
                begin -= 1
            words = list(range(begin, end))
            given = [x for x in words if tokens[x] in lex.given_names]
            if given:
                begin = given[0]
            elif len(words) > 2:
                begin = end - 2
            if end - begin < 2:
                continue
        else:
            if j in taken:
                continue  # the name after the title was found already (the check below, before the work)
            begin, end = j, _name_run(tk, j, lex, limit=4)
            if end == j and tokens[j] in lex.place_words and j + 1 < n and not nl[j + 1]:
                end = _name_run(tk, j + 1, lex, limit=3)  # surnames that are also words: "Park", "Hall"
                end = end if end > j + 1 else j
            if end - begin < 2 or (end < n and word[end] and cap[end] and not nl[end]):
                continue
        if any(x in taken for x in range(begin, end)):
            continue
        if " ".join(tokens[begin:end]) in lex.non_person_bigrams:
            continue
        if (end - begin > 2 or not _pinyin_pair(tk, begin, lex)) and _on_title_case_line(text, tk.start[begin]):
            # a headline, where capitals do not mark names
            if tokens[begin] not in lex.given_names:
                continue  # "Secretary Zhang Announces Commencement", "Leaders Visited Companies"
            end = begin + 2  # "Mayor Peter Tschentscher Meets …"
        out.append(_Cand(begin, end))
        taken.update(range(begin, end))
    return out


_HEADLINE_SMALL_WORDS = frozenset({"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "with", "by",
                                   "from", "as", "vs", "via", "into", "over", "under", "outside", "inside"})
_HEADLINE_WORD = re.compile(rf"[{_LETTER}][{_LETTER}'’\-]*")


@lru_cache(maxsize=256)
def _title_case(line: str) -> bool:
    """A headline written in title case ("Secretary Zhang Announces Commencement of Major Projects"),
    where capitals no longer mark names."""
    words = [w for w in _HEADLINE_WORD.findall(line) if w.lower() not in _HEADLINE_SMALL_WORDS]
    if len(words) < 4:
        return False
    return sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _on_title_case_line(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return _title_case(text[start:end if end >= 0 else len(text)])


def _title_short_refs(tk: _Tokens, lex: _Lexicon, taken: set[int]) -> list[_Cand]:
    """'Secretary Chen', 'Mayor Tang', 'Party Secretary Li': a title and a bare surname."""
    out: list[_Cand] = []
    cap, word, nl = tk.cap, tk.word, tk.nl
    for i in _caps_where(tk, map(lex.en_surnames.__contains__, map(tk.text.__getitem__, tk.caps))):
        if i == 0 or i in taken or nl[i] or tk.text[i] not in lex.en_surnames:
            continue
        if i + 1 < tk.n and word[i + 1] and cap[i + 1] and not nl[i + 1]:
            continue
        if not (word[i - 1] and cap[i - 1]):
            continue
        head = -1
        for j in (i - 1, i - 2):
            if j >= 0:
                m = _role_head_at(tk, j, lex)
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


def _add_solid_names(tk: _Tokens, cands: list[_Cand], lex: _Lexicon) -> None:
    """'Liao Xuemei and Lanjin': a one-word name coordinated with a found name."""
    extra: list[_Cand] = []
    taken = {k for c in cands for k in range(c.start, c.end)}
    tokens, cap, word = tk.text, tk.cap, tk.word
    n = tk.n
    for c in cands:
        if c.short:
            continue
        for j, step in ((c.end, 1), (c.start - 1, -1)):
            if not 0 <= j < n or tokens[j] not in {",", "and"}:
                continue
            k = j + step
            if not 0 <= k < n or k in taken:
                continue
            if not (word[k] and cap[k]) or tokens[k] in lex.non_name_tokens:
                continue
            neighbour = k + step
            if 0 <= neighbour < n and word[neighbour] and cap[neighbour] and not tk.nl[neighbour]:
                continue
            if _solid_pinyin_name(tokens[k], lex):
                extra.append(_Cand(k, k + 1))
                taken.add(k)
    cands.extend(extra)


def _distinctive_token(tk: _Tokens, c: _Cand, lex: _Lexicon) -> str | None:
    words = [tk.text[k] for k in range(c.start, c.end) if tk.word[k] and not _is_initial(tk.text[k])]
    if len(words) < 2:
        return None
    if words[0] in lex.en_surnames and _syllable_count(words[1]):
        return words[0]
    return words[-1]


def _add_bare_short_refs(tk: _Tokens, cands: list[_Cand], lex: _Lexicon) -> None:
    """'Xiao gave a warm welcome', 'Althauser said': the distinctive part of a name found elsewhere."""
    distinctive = {d for c in cands if not c.short and (d := _distinctive_token(tk, c, lex))}
    if not distinctive:
        return
    taken = {k for c in cands for k in range(c.lead if c.lead >= 0 else c.start, c.end)}
    extra = []
    low, cap, word, nl = tk.low, tk.cap, tk.word, tk.nl
    n = tk.n
    for i in _caps_where(tk, map(distinctive.__contains__, map(tk.text.__getitem__, tk.caps))):
        if i in taken or tk.text[i] not in distinctive:
            continue
        if i > 0 and not nl[i] and word[i - 1] and cap[i - 1]:
            continue
        nxt = i + 1
        if nxt < n and not nl[nxt] and word[nxt] and (cap[nxt] or low[nxt] not in lex.speech_verbs):
            continue
        extra.append(_Cand(i, i + 1, short=True))
    cands.extend(extra)


def _judge_participation_en(text: str, tk: _Tokens, c: _Cand, begin: int, lex: _Lexicon,
                            bylines: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> None:
    """Bylines, people referred to ("the instructions of X", "X's speech") and people quoted."""
    s = tk.start[c.start]
    role_words = set((c.role or "").lower().replace(",", " ").split())
    if _inside(s, bylines) or role_words & lex.byline_roles:
        c.participant, c.reason = False, "byline"
        return
    if _is_standalone(text, tk, c):  # an author line: "Tong Wangyue"
        c.participant, c.reason = False, "byline"
        return
    low = tk.low
    e = c.end
    if e < tk.n and low[e] == "'s":
        following = set(low[e + 1:min(e + 4, tk.n)])
        if following & lex.referral_nouns:
            c.participant, c.reason = False, "referred to"
            return
    b = min(begin, c.lead if c.lead >= 0 else c.start)
    if b >= 2 and low[b - 1] == "of" and (
            low[b - 2] in lex.referral_nouns
            or (b >= 3 and low[b - 2] == "the" and low[b - 3] in lex.referral_nouns)):
        c.participant, c.reason = False, "referred to"
        return
    if _in_sorted_spans(s, quotes):
        c.participant, c.reason = False, "quoted"


def _is_standalone(text: str, tk: _Tokens, c: _Cand) -> bool:
    if c.short:
        return False
    s, e = tk.start[c.start], tk.end[c.end - 1]
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:s].strip() and not text[e:line_end].strip()


def _share_list_roles(text: str, tk: _Tokens, cands: list[_Cand]) -> None:
    """'Municipal leaders A, B and C': a plural title before (or after) a list covers every name."""
    full = [c for c in cands if not c.short]
    groups: list[list[_Cand]] = []
    for c in full:
        if groups:
            prev = groups[-1][-1]
            gap = text[tk.end[prev.end - 1]: tk.start[c.start]]
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
_ZH_PAREN_OPENERS = ("(", "（")
_ZH_PAREN = re.compile(rf"[{''.join(_ZH_PAREN_OPENERS)}]([^()（）\n]{{2,60}})[)）]")
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
    role_starts: frozenset[int]  # starts of all titles, nested ones too (区长 in 区长王某)
    head_starts: frozenset[int]  # the same without the organs that only prefix titles (市委, 区政府)
    stop_ends_sorted: list[int]  # stop_ends in order
    mirror: str  # the text reversed, to read runs of characters leftwards with a regex


_PLACE_AFTER_ZHANG = re.compile(r"长[\u4e00-\u9fff]{1,2}[市县区]")


@lru_cache(maxsize=4)
def _zh_scan(text: str) -> _ZhScan:
    """Everything the Chinese finders look up, from one pass of one automaton; cached per text."""
    roles: dict[int, int] = {}
    verbs: list[int] = []
    suffixes: list[tuple[int, int, str]] = []  # (start, minus length, suffix): sorted leftmost, longest first
    stop_ends: set[int] = set()
    companies: list[tuple[int, int, str]] = []
    role_starts: set[int] = set()
    head_starts: set[int] = set()
    for end_unit, (length, tags) in _lexicon().zh_automaton.iter(code_units(text)):
        if end_unit & 3 != 3:
            continue  # the bytes of a word across two characters
        e = (end_unit >> 2) + 1
        s = e - length
        for tag, value in tags:  # the most frequent tags first
            if tag == "stop":
                if not (value[-1] == "长" and _PLACE_AFTER_ZHANG.match(text, e - 1)):
                    stop_ends.add(e)  # but 吉林省长春市 is not 省长
            elif tag == "suffix":
                suffixes.append((s, -length, value))
            elif tag == "verb":
                verbs.append(s)
            elif tag == "role":
                if length > roles.get(e, 0):
                    roles[e] = length
                role_starts.add(s)
                head_starts.add(s)
            elif tag == "prefix":
                role_starts.add(s)
            else:
                companies.append((s, e, value))
    suffixes.sort()  # no two share a start and a length: they would be one word
    kept: list[tuple[int, int, str]] = []
    for s, minus_length, value in suffixes:
        if not kept or s >= kept[-1][1]:
            kept.append((s, s - minus_length, value))
    # a title inside a longer one (董事 in 董事长) is not a title of its own
    spans = [(e - n, e) for e, n in roles.items()]
    roles = {e: e - s for s, e in spans if not any(s2 <= s and e < e2 for s2, e2 in spans)}
    return _ZhScan(roles, sorted(verbs), kept, frozenset(stop_ends), companies, frozenset(role_starts),
                   frozenset(head_starts), sorted(stop_ends), text[::-1])


def _zh_boundary_after(text: str, pos: int, lex: _Lexicon) -> bool:
    if pos >= len(text) or not _is_cjk(text[pos]):
        return True
    follow = lex.zh_follow
    return any(text[pos:pos + k] in follow for k in range(min(lex.zh_follow_max, len(text) - pos), 0, -1))


def _zh_surname_len(text: str, i: int, lex: _Lexicon) -> int:
    if text[i:i + 2] in lex.zh_compound:
        return 2
    return 1 if text[i:i + 1] in lex.zh_surnames else 0


def _zh_role_at(text: str, i: int) -> bool:
    """A title starts at ``i`` (区长 after 区委书记 is a title, not the surname 区)."""
    return i in _zh_scan(text).role_starts


def _zh_foreign_end(text: str, i: int, lex: _Lexicon) -> int | None:
    """End of a dotted foreign name at ``i`` (安娜·科瓦奇), without what follows it (一行, 等, 参观).

    The pattern reads greedily over the last part; the name ends at the first point from which a word
    of two or more characters that follows names (一行, 出席) or a non-Chinese character comes next.
    """
    m = _ZH_FOREIGN.match(text, i)
    if not m:
        return None
    end = m.end()
    last_dot = max(text.rfind(dot, i, end) for dot in "·•・")
    follow = lex.zh_follow
    longest = min(lex.zh_follow_max, len(text))
    for e in range(last_dot + 2, end):
        if text.startswith(lex.zh_name_trailers, e) or any(
                text[e:e + k] in follow for k in range(longest, 1, -1)):
            return e
    return end if _zh_boundary_after(text, end, lex) else None


def _zh_name_end(text: str, i: int, lex: _Lexicon, after_title: bool = False) -> int | None:
    """End of a Chinese personal name starting at ``i``, judged by what follows it.

    Right after a title the title vouches for the name, so only characters that no given name holds
    are refused; elsewhere the stricter character list keeps words such as 高质量 out.
    """
    if i >= len(text):
        return None
    foreign = _zh_foreign_end(text, i, lex)
    if foreign is not None:
        return foreign
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
    if text[i] in lex.zh_non_initial_chars or _zh_role_at(text, i):
        return None  # 区长 after 区委书记, 区政府 after 区委、: titles and offices, not the surnames 区, 常
    refused = lex.zh_title_non_name_chars if after_title else lex.zh_non_name_chars
    ends: list[int] = []
    for glen in (1, 2):
        e = i + sur + glen
        if e > len(text):
            break
        given = text[i + sur:e]
        if not all(_is_cjk(ch) and ch not in refused for ch in given):
            break
        word = text[i:e]
        if given[-1] in lex.zh_non_final_chars or word in lex.zh_non_name_words or word in lex.zh_collective:
            continue
        if _zh_boundary_after(text, e, lex):
            ends.append(e)
    if not ends:
        return None
    if len(ends) == 2 and text[ends[1] - 1] in lex.zh_single_follow:
        return ends[0]
    return ends[-1]


def _zh_is_name(text: str, s: int, e: int, lex: _Lexicon, lenient: bool) -> bool:
    """``text[s:e]`` as a whole reads as a surname and a given name of one or two characters."""
    sur = _zh_surname_len(text, s, lex)
    if not sur or not 1 <= e - s - sur <= 2 or text[s] in lex.zh_non_initial_chars:
        return False
    refused = lex.zh_title_non_name_chars if lenient else lex.zh_non_name_chars
    given = text[s + sur:e]
    if not all(_is_cjk(ch) and ch not in refused for ch in given) or given[-1] in lex.zh_non_final_chars:
        return False
    word = text[s:e]
    return word not in lex.zh_non_name_words and word not in lex.zh_collective


#: 、 and what follows up to the next 、 (the last part is looked at by itself, so it may run on)
_ZH_NAME_CHAIN = re.compile(r"、(?:[\u4e00-\u9fff]{2,4}、)*")

#: a list without a summary word or a known name needs this many names that read as names by the
#: strict test (刘某、王某、张某、李某等): shorter lists of surname-initial words are often places or trades
_ZH_BARE_LIST_MIN = 4


def _zh_list_items(text: str, seps: list[int], lex: _Lexicon,
                   scan: _ZhScan) -> list[tuple[int, int] | None]:
    """The items of a 、-list as name spans (None where an item does not read as a name)."""
    items: list[tuple[int, int] | None] = []
    # the first item: the name that ends at the first 、, where a clean left edge (a title, punctuation,
    # the start of the text) tells how long it is
    first = seps[0]
    head: tuple[int, int] | None = None
    for k in (3, 2, 4):
        s = first - k
        if s < 0 or not _zh_is_name(text, s, first, lex, lenient=True):
            continue
        if s == 0 or not _is_cjk(text[s - 1]) or s in scan.roles or text[s - 1] in _ZH_LIST_OPENERS:
            head = (s, first)
            break
    items.append(head)
    for a, b in pairwise(seps):
        items.append((a + 1, b) if _zh_is_name(text, a + 1, b, lex, lenient=True) else None)
    last = seps[-1] + 1
    end = _zh_name_end(text, last, lex, after_title=True)
    items.append((last, end) if end is not None and not text.startswith("、", end) else None)
    return items


_ZH_LIST_OPENERS = frozenset("有和及与是：:，,。；;（(“")


def _zh_name_lists(text: str, lex: _Lexicon, scan: _ZhScan,
                   confirmed: set[str]) -> list[tuple[int, int, str | None]]:
    """Names listed with 、 and no title each: those before 等 and a plural role word (等市领导), those
    listed with a name already confirmed, and long lists of names before 等."""
    out: list[tuple[int, int, str | None]] = []
    for chain in _ZH_NAME_CHAIN.finditer(text):
        if not _zh_surname_len(text, chain.start() + 1, lex):
            continue  # the name after the first 、 starts with a surname in every list of people
        seps = [k for k in range(chain.start(), chain.end()) if text[k] == "、"]
        last = seps[-1]
        if "等" not in text[last + 3:last + 6] and not any(
                name in text[max(0, seps[0] - 4):last + 6] for name in confirmed):
            continue  # every list of people taken ends in 等 or holds a name known from a title
        items = _zh_list_items(text, seps, lex, scan)
        runs: list[list[tuple[int, int]]] = [[]]
        for item in items:
            if item is None:
                runs.append([])
            else:
                runs[-1].append(item)
        for run in runs:
            if len(run) < 2:
                continue
            role = None
            end = run[-1][1]
            if run[-1] is items[-1] and text.startswith("等", end):
                after = text[end + 1:end + 8]
                role = next((w for w in lex.zh_list_summary if after.startswith(w)), None)
                if role is None and after.startswith("人"):
                    role = ""
            known = any(text[s:e] in confirmed for s, e in run)
            strict = sum(_zh_is_name(text, s, e, lex, lenient=False) for s, e in run)
            long_list = len(run) >= _ZH_BARE_LIST_MIN and strict >= len(run) - 1 and text.startswith("等", end)
            if role is not None or known or long_list:
                out.extend((s, e, role or None) for s, e in run)
    return out


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

    for m in _matches_at(_ZH_PAREN, text, literal_positions(text, _ZH_PAREN_OPENERS)):
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
            name_end = _zh_name_end(text, pos, lex, after_title=True)
            if name_end is None or occupied(pos, name_end):
                break
            if first:
                role = _zh_role_before(text, pos, lex)
                if role in lex.zh_weak_titles:
                    break  # 领导包保、部门包抓: a bare 领导 is mostly a noun or a verb
            claim(pos, name_end, role, True, "")
            first = False
            nxt = name_end
            sep = text[nxt:nxt + 1]
            if sep == "、" or (sep in ("和", "与", "及") and _zh_surname_len(text, nxt + 1, lex)):
                pos = nxt + 1
            else:
                break
    confirmed = {text[s:v[0]] for s, v in spans.items() if v[2]}

    # 1b. lists of names without titles of their own: 刘某、王某、张某等市领导出席
    for s, e, role in _zh_name_lists(text, lex, scan, confirmed):
        if not occupied(s, e):
            claim(s, e, role, True, "")
            confirmed.add(text[s:e])

    # 2. bare names before a speech/action verb: 周剑宏表示, 汪国栋会见
    for v in scan.verbs:
        if taken[v - 1]:
            continue
        for length in (4, 3, 2):
            s = v - length
            if s < 0:
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

    # 2b. a name with its title after it, at a line start or after punctuation: 王某某书记要求
    title_starts = {e - n: e for e, n in scan.roles.items()}
    for v in sorted(title_starts):
        s = v - 3
        if s < 0 or (s > 0 and _is_cjk(text[s - 1])) or occupied(s, v):
            continue
        if text[v] in lex.zh_admin_chars or not _zh_boundary_after(text, title_starts[v], lex):
            continue  # 向滨海市长期以来, 海南侨乡长坡: a place before 市/乡 and a word starting with 长
        if text[s:v] in confirmed or _zh_is_name(text, s, v, lex, lenient=False):
            claim(s, v, None, True, "")
            confirmed.add(text[s:v])

    # 3. every other mention of a confirmed name
    for name in confirmed:
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not occupied(start, end) and (_zh_boundary_after(text, end, lex) or end in title_starts):
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


@lru_cache(maxsize=4096)
def _short_key_of(name: str) -> tuple[str, str] | None:
    """For short references ('Mrs Teo', 'Secretary Chen', 'Xiao'): (the name word, the title)."""
    if _CJK_CHAR.search(name):
        return None
    words = name.split()
    if len(words) == 1:
        return words[0], ""
    lex = _lexicon()
    first = _EN_TOKEN.match(name)
    lowered = first.group().lstrip().lower() if first else ""
    low = _LOW_FIX.get(lowered, lowered)
    if low not in lex.honorifics and low not in lex.role_heads and "-" not in low:
        return None  # no honorific or title in front: a full name (most names; no need to tokenize)
    tk = _tokenize.__wrapped__(name)  # not the cached call: names must not evict the article
    h = _honorific_span(tk, 0, lex)
    if h > 0 and tk.n - h == 1:
        return tk.text[-1], ""
    if tk.n >= 2 and _role_head_at(tk, 0, lex) + 1 >= tk.n and tk.text[-1] in lex.en_surnames:
        title = " ".join(tk.low[:-1])
        return tk.text[-1], title
    return None


@lru_cache(maxsize=4096)
def _full_name_key(name: str) -> str:
    """The group of a full name: its comparison form without honorifics (names recur in every event's list)."""
    return _norm_name(_HONORIFIC_WORDS.sub("", name))


def dedupe_persons(mentions: Iterable[PersonMention]) -> list[PersonMention]:
    """One entry per person: first full name, the most informative role, short references folded in."""
    groups: dict[str, list[PersonMention]] = {}  # in order of first appearance
    shorts: list[tuple[PersonMention, tuple[str, str]]] = []
    for m in mentions:
        sk = _short_key_of(m.name)
        if sk is not None:
            shorts.append((m, sk))
            continue
        groups.setdefault(_full_name_key(m.name), []).append(m)
    # so far every group holds full names only; short references are appended after them
    full_counts = {key: len(members) for key, members in groups.items()}
    full_names = [(key, members[0], members[0].name.split()) for key, members in groups.items()]
    for m, (token, title) in shorts:
        target = _fold_target(m, token, title, full_names)
        groups.setdefault(_norm_name(m.name) if target is None else target, []).append(m)
    out: list[PersonMention] = []
    for key, members in groups.items():
        if len(members) == 1 and members[0].role != "" and (not members[0].participant or not members[0].reason):
            out.append(members[0])  # what the merge below gives for a lone mention
            continue
        fulls = members[: full_counts.get(key, 0)] or members
        first = min(fulls, key=attrgetter("start"))
        roles = [m.role for m in members if m.role]
        role = max(roles, key=len) if roles else None
        participant = any(m.participant for m in members)
        reason = "" if participant else next((m.reason for m in members if m.reason), "")
        out.append(PersonMention(first.name, role, first.start, first.end, first.latin, participant, reason))
    out.sort(key=attrgetter("start"))
    return out


def _fold_target(m: PersonMention, token: str, title: str,
                 full_names: Sequence[tuple[str, PersonMention, list[str]]]) -> str | None:
    """The group a short reference belongs to: full names holding its word, by title, else the nearest before."""
    candidates = [(key, full) for key, full, words in full_names
                  if token in words or token == words[-1].rstrip(".")]
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

def _suffix_at(tk: _Tokens, i: int, lex: _Lexicon) -> tuple[int, str] | None:
    if not tk.word[i] or not tk.cap[i]:
        return None
    tokens = tk.text
    for phrase, kind in lex.en_suffixes.get(tokens[i].rstrip("."), ()):
        n = len(phrase)
        if i + n <= tk.n and all(tokens[i + k].rstrip(".") == phrase[k] for k in range(n)):
            return n, kind
    return None


def _of_head_at(tk: _Tokens, i: int, lex: _Lexicon) -> bool:
    """Token i ends an of-head ("Branch", "Consulate General") and 'of' + a capitalised word follows."""
    if not tk.word[i] or not tk.cap[i] or tk.text[i] not in lex.of_heads:
        return False
    return i + 2 < tk.n and tk.low[i + 1] == "of" and (
        tk.cap[i + 2] or (tk.low[i + 2] == "the" and i + 3 < tk.n and tk.cap[i + 3]))


def _extend_chain(tk: _Tokens, j: int, lex: _Lexicon) -> int:
    """'Group Co., Ltd.', '(Group) Co., Ltd.': legal-form tokens after a suffix."""
    tokens = tk.text
    n = tk.n
    while j < n and not tk.nl[j]:
        t = tokens[j]
        if t in lex.legal_chain:
            j += 1
            continue
        if t == "," and j > 0 and tokens[j - 1].rstrip(".") == "Co" and j + 1 < n and \
                tokens[j + 1].rstrip(".") in {"Ltd", "Limited"}:
            j += 1
            continue
        if t == "(" and j + 2 < n and tokens[j + 1] == "Group" and tokens[j + 2] == ")":
            j += 3
            continue
        break
    return j


def _complement(tk: _Tokens, j: int, lex: _Lexicon) -> int:
    """'of (the) Capitalised Words' after an of-head; 'and' only between domain words."""
    low, cap = tk.low, tk.cap
    n = tk.n
    if j >= n or low[j] != "of":
        return j
    k = j + 1
    if k < n and low[k] == "the":
        k += 1
    end = j
    while k < n and not tk.nl[k]:
        if tk.word[k] and cap[k] and tk.text[k] not in lex.calendar_words:
            if end > j and tk.text[k] in lex.en_surnames and _pinyin_pair(tk, k, lex):
                break  # "… of the Municipal Party Committee Gao Jianhua": a name after the body's name
            k += 1
            end = k
            continue
        if low[k] in {"of", "'s", "&"} and k + 1 < n and cap[k + 1]:
            k += 1
            continue
        if low[k] == "and" and k + 1 < n and cap[k + 1] and low[k - 1] in lex.and_words:
            k += 1
            continue
        break
    return end


def _left_edge(tk: _Tokens, i: int, lex: _Lexicon) -> int:
    tokens, low, cap = tk.text, tk.low, tk.cap
    k = i
    while k > 0:
        p = k - 1
        if tk.nl[k]:
            break
        if tk.word[p] and cap[p] and tokens[p] not in lex.calendar_words:
            k -= 1
            continue
        if tokens[p] == "-" and k >= 2 and tk.word[k - 2]:
            k -= 1
            continue
        if low[p] in {"'s", "&"} and k >= 2 and cap[k - 2]:
            k -= 1
            continue
        if low[p] == "and" and k >= 2 and low[k - 2] in lex.and_words and cap[k - 2]:
            k -= 1
            continue
        if low[p] == "of" and k >= 2 and cap[k - 2] and tokens[k - 2] in lex.of_heads:
            k -= 1
            continue
        if low[p] == "the" and k >= 3 and low[k - 2] == "of" and tokens[k - 3] in lex.of_heads:
            k -= 1
            continue
        if tokens[p] == ")" and k >= 4 and tokens[k - 3] == "(" and cap[k - 2] and tk.word[k - 2] \
                and tk.word[k - 4] and cap[k - 4] and not tk.nl[k - 3]:
            k -= 3  # "Sunrise (Ningbo) Precision Machinery Co."
            continue
        break
    while k < i and (not cap[k] or tokens[k] in lex.lead_stop_words):
        k += 1  # not from "of", "and", a sentence opener or a title
    return k


def _find_organizations_en(text: str) -> list[OrgMention]:
    lex = _lexicon()
    tk = _tokenize(text)
    tokens, word, cap = tk.text, tk.word, tk.cap
    spans: list[tuple[int, int, str]] = []  # token spans [s, e) with kind
    n = tk.n
    i = 0
    cap_texts = list(map(tokens.__getitem__, tk.caps))
    heads = map(lex.en_org_heads.__contains__, cap_texts)
    suffixes = map(lex.en_suffixes.__contains__, map(str.rstrip, cap_texts, repeat(".")))
    for ci in _caps_where(tk, map(or_, heads, suffixes)):
        if ci < i:
            continue
        i = ci
        t = tokens[i]
        if t.rstrip(".") not in lex.en_suffixes and t not in lex.of_heads and t not in lex.company_heads:
            continue  # most capitalised words: no suffix, of-head or company head
        suffix = _suffix_at(tk, i, lex)
        kind = None
        end = i
        if suffix is not None:
            kind = suffix[1]
            end = _extend_chain(tk, i + suffix[0], lex)
            if t in lex.of_heads or (end - 1 < n and tokens[end - 1] in lex.of_heads):
                end = max(end, _complement(tk, end, lex))
        elif _of_head_at(tk, i, lex):
            end = _complement(tk, i + 1, lex)
            tail_suffix = _suffix_at(tk, end - 1, lex)
            kind = tail_suffix[1] if tail_suffix else "company" if tokens[end - 1] in lex.company_heads else "other"
            if t in lex.government_of_heads:
                kind = "government"
            elif t in {"Branch", "Subsidiary", "Division", "Headquarters"}:
                kind = "company"  # "Deyang Branch of China Unicom"
        elif word[i] and cap[i] and t in lex.company_heads and not (
                i + 1 < n and word[i + 1] and cap[i + 1] and not tk.nl[i + 1]):
            begin = _left_edge(tk, i, lex)
            body = [tokens[k] for k in range(begin, i) if word[k]]
            brand_like = 1 <= len(body) <= 3 and not any(
                x in lex.generic_words or x in lex.non_name_tokens for x in body)
            if brand_like and (not body[0].isupper() or len(body[0]) > 2):
                spans.append((begin, i + 1, "company"))
            continue
        if kind is None:
            continue
        begin = _left_edge(tk, i, lex)
        body = [tokens[k] for k in range(begin, i) if word[k]]
        has_complement = end > i + 1 and "of" in tk.low[i:end]
        if body or has_complement:
            generic = all(x in lex.generic_words or x in lex.non_name_tokens for x in body)
            if not (generic and kind == "company" and not has_complement):
                spans.append((begin, end, kind))
        i = max(end, i + 1)
    spans += _lower_case_governments(text, tk, lex)
    if "China " in text:
        spans += _china_brands(text, tk)
    spans += _visited_sites(text, tk, lex)
    if " other " in text:
        spans += _and_other_lists(text, tk, lex)
    spans = _merge_token_spans(spans)
    out = []
    for s, e, kind in spans:
        if all(tk.low[k] in lex.generic_office_words for k in range(s, e) if tk.word[k] or tk.low[k] == "&"):
            continue  # "Propaganda Department", "Party Working Committee": part of a title, no organisation
        start, stop = tk.start[s], tk.end[e - 1]
        name = text[start:stop].rstrip(",")
        out.append(_make_org(name, start, start + len(name), kind, "en"))
    return _with_known_companies(text, out, "en")


#: how far after a visit verb the names of the sites visited are looked for, in tokens
_VISIT_WINDOW = 60
#: lower-case words allowed before the first site named ("visited Ruian's resident enterprises …")
_VISIT_LEAD_WORDS = 4
_VISIT_LIST_END = frozenset({".", ";", "!", "?", '"', "“", "”", ":"})
_VISIT_LIST_GLUE = frozenset({"and", "the", "as", "well", "other", "of", "its", "a", "an", "in", "at", "including",
                              "such", "respectively", "both", "also", "then", "successively"})


def _visit_verb_ends(text: str, tk: _Tokens, lex: _Lexicon) -> list[int]:
    """Ends of the visit verbs in ``text``: where a token starts one, the whole pattern there (a regex
    search for a set of words would try every position of the text, a look-up every token)."""
    ends = []
    last = -1
    for at in literal_positions(text, _shortest_prefixes(lex.visit_firsts)):
        if at == last:
            continue  # "visit" and "visited" at one place
        last = at
        k = bisect_left(tk.start, at)
        if k < tk.n and tk.start[k] == at and tk.low[k] in lex.visit_firsts:
            m = lex.visit_re.match(text, at)
            if m:
                ends.append(m.end())
    return ends


@cache
def _shortest_prefixes(words: frozenset[str]) -> tuple[str, ...]:
    """The words no other of them starts: finding "visit" finds "visited" and "visits" as well."""
    return tuple(sorted(w for w in words if not any(v != w and w.startswith(v) for v in words)))


def _visited_sites(text: str, tk: _Tokens, lex: _Lexicon) -> list[tuple[int, int, str]]:
    """Sites named after a visit verb up to the end of the sentence, each a capitalised name ending in
    a site head: "came to the Lanfeng Textile Project, Baiyun Cold Chain Base and other sites"."""
    spans: list[tuple[int, int, str]] = []
    low, word, cap, tokens = tk.low, tk.word, tk.cap, tk.text
    n = tk.n
    for verb_end in _visit_verb_ends(text, tk, lex):
        k = bisect_right(tk.start, verb_end)
        stop = min(n, k + _VISIT_WINDOW)
        started = False
        lead = 0  # lower-case words before the first name: "visited Ruian's resident enterprises …"
        while k < stop:
            if tokens[k] in _VISIT_LIST_END or tk.nl[k]:
                break
            if not (word[k] and cap[k]):
                if word[k] and low[k] not in _VISIT_LIST_GLUE:
                    lead += 1
                    if started or lead > _VISIT_LEAD_WORDS:
                        break  # the list is over: "… and other project sites to learn more"
                k += 1
                continue
            begin = k
            while k < stop and not tk.nl[k] and (
                    (word[k] and cap[k]) or (tokens[k] == "(" and k + 2 < n and cap[k + 1] and tokens[k + 2] == ")")
                    or (tokens[k] in {"&", "-"} and k + 1 < n and cap[k + 1])):
                k += 3 if tokens[k] == "(" else 1
            while begin < k and tokens[begin] in lex.lead_stop_words:
                begin += 1
            started = started or k - begin >= 2  # a one-word name ("Ruian's") does not start the list
            if k - begin >= 2 and tokens[k - 1] in lex.site_heads:
                spans.append((begin, k, "other"))
    return spans


def _china_brands(text: str, tk: _Tokens) -> list[tuple[int, int, str]]:
    """'China Hengtai': the English name of a state company, "China" and a pinyin brand of two syllables
    with nothing capitalised after it, named at least twice in the article."""
    spans: list[tuple[int, int, str]] = []
    seen: dict[str, int] = {}
    pos = text.find("China ")
    while pos >= 0:
        k = bisect_right(tk.start, pos) - 1
        pos = text.find("China ", pos + 6)
        b = k + 1
        if tk.text[k] != "China" or b >= tk.n or tk.nl[b] or not (tk.word[b] and tk.cap[b]):
            continue
        if b + 1 < tk.n and tk.word[b + 1] and tk.cap[b + 1] and not tk.nl[b + 1]:
            continue  # part of a longer name, found by its suffix if it is one
        brand = tk.text[b]
        if brand.isupper() or _syllable_count(brand) != 2:
            continue
        count = seen[brand] = seen.get(brand, text.count(f"China {brand}"))
        if count >= 2:
            spans.append((k, b + 1, "company"))
    return spans


#: longest item of an "A, B and other projects" list, in tokens
_OTHER_LIST_ITEM_MAX = 10


def _and_other_lists(text: str, tk: _Tokens, lex: _Lexicon) -> list[tuple[int, int, str]]:
    """Items of "A, B, C and (some) other projects/companies": each from its first capitalised word to the
    comma ("At Ningbo Haitian new energy storage station, Lanfeng silk quality center and other project
    sites")."""
    spans: list[tuple[int, int, str]] = []
    low, word, cap, tokens = tk.low, tk.word, tk.cap, tk.text
    pos = text.find(" other ")
    while pos >= 0:
        k = bisect_right(tk.start, pos + 1) - 1
        pos = text.find(" other ", pos + 7)
        j = k - 1
        if j > 0 and low[j] == "some":
            j -= 1
        if j <= 0 or low[j] != "and" or not any(low[x] in lex.other_list_nouns for x in range(k + 1, min(tk.n, k + 4))):
            continue
        end = j  # the items run back from "and", separated by commas
        while end > 0:
            begin = end
            while begin > 0 and tokens[begin - 1] not in {",", ";", ".", ":"} and not tk.nl[begin] \
                    and end - begin < _OTHER_LIST_ITEM_MAX:
                begin -= 1
            start = max((x for x in range(begin + 1, end) if cap[x] and word[x - 1] and not cap[x - 1]), default=begin)
            while start < end and (tokens[start] in lex.lead_stop_words or not word[start]):
                start += 1
            if start >= end or not cap[start] or end - start > _OTHER_LIST_ITEM_MAX:
                break
            spans.append((start, end, "other"))
            if begin == 0 or tokens[begin - 1] != "," or start > begin + 2:
                break  # the first item: a verb or a sentence start came before it
            end = begin - 1
    return spans


def _lower_case_governments(text: str, tk: _Tokens, lex: _Lexicon) -> list[tuple[int, int, str]]:
    """'Xinhe government', 'Haiyang municipal government', 'Qiaotou town government': a proper name, then
    level words, then a lower-case "government"."""
    spans: list[tuple[int, int, str]] = []
    low, word, cap = tk.low, tk.word, tk.cap
    pos = text.find(" government")
    while pos >= 0:
        i = bisect_right(tk.start, pos + 1) - 1
        pos = text.find(" government", pos + 11)
        if i <= 0 or low[i] != "government" or cap[i] or tk.nl[i]:
            continue
        if i + 1 < tk.n and not tk.nl[i + 1] and low[i + 1] in lex.government_noun_after:
            continue  # "Haiyang government leaders"
        k = i
        while k > 0 and not tk.nl[k] and (low[k - 1] in lex.government_modifiers or low[k - 1] == "'s"
                                          or (word[k - 1] and cap[k - 1])):
            k -= 1
        while k < i and (not word[k] or tk.text[k] in lex.lead_stop_words):
            k += 1
        proper = [x for x in range(k, i) if word[x] and cap[x] and tk.text[x] not in lex.generic_words
                  and tk.text[x] not in lex.non_name_tokens and tk.text[x] not in lex.place_words
                  and low[x] not in lex.government_modifiers]
        if proper and proper[0] == k:
            spans.append((k, i + 1, "government"))
    return spans


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


def _zh_left_edge(text: str, s: int, lex: _Lexicon, scan: _ZhScan) -> tuple[int, str]:
    """Walk left from a suffix start; return (start, what stopped the walk)."""
    j = s
    limit = max(0, s - 30)
    stop_ends = scan.stop_ends
    size = len(text)
    while j > limit:
        # a run of Chinese characters that neither stop the walk nor need a closer look, in one step: read
        # rightwards in the mirrored text; a stop word that ends inside the run stops the walk where it ends
        plain = lex.zh_plain_run.match(scan.mirror, size - j, size - limit)  # always matches, maybe nothing
        run = plain.end() - (size - j) if plain else 0
        if run:
            k = bisect_right(scan.stop_ends_sorted, j) - 1
            if k >= 0 and scan.stop_ends_sorted[k] > j - run:
                return scan.stop_ends_sorted[k], "stop"
            j -= run
            continue
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
#: what _ZH_LEADING_NOISE can start with besides a digit (\d: what str.isdecimal accepts)
_ZH_NOISE_FIRST = ("上", "下")


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
        if (suffix == "局" and nxt[:1] in "面势限部") or (suffix == "部" and nxt[:1] in "署分门位"):
            continue  # 建设局面, 工作部署: words, not offices
        kind = lex.zh_suffix_kind.get(suffix, "other")
        start, stopper = _zh_left_edge(text, s, lex, scan)
        body = text[start:s]
        if body[:1].isdecimal() or body[:1] in _ZH_NOISE_FIRST:
            body = _ZH_LEADING_NOISE.sub("", body)
        if kind == "government" and _ZH_ORGAN_THEN_LEVEL.search(body):
            body = body[-1:]  # 市委市政府: two organs, not one name
        start = s - len(body)
        if not _zh_valid(body, suffix, kind, stopper, lex):
            continue
        found.append((start, e, kind))
    found = _zh_join(found, text, lex)
    if "、" in text:
        found = sorted(found + _zh_org_lists(text, lex, scan, found))
    out = [_make_org(text[s:e], s, e, kind, "zh") for s, e, kind in found
           if not _zh_title_part(text, s, e, lex)]
    return _with_known_companies(text, out, "zh")


#: longest listed name without a legal suffix read as an organisation (立信汽车配件和工业机器人项目基地)
_ZH_LIST_ITEM_MAX = 20
_ZH_LIST_ITEM_STOP = frozenset("、，,。；;：:！!？?“”\"'《》【】 \t\n\u3000等和及与的了是在")


_ZH_LIST_ITEM_CHARS = "[^" + re.escape("".join(sorted(_ZH_LIST_ITEM_STOP))) + "]"
_ZH_LIST_ITEM = re.compile(f"{_ZH_LIST_ITEM_CHARS}{{0,{_ZH_LIST_ITEM_MAX + 1}}}")
_ZH_LIST_CHAIN = re.compile(
    f"、{_ZH_LIST_ITEM_CHARS}{{1,{_ZH_LIST_ITEM_MAX}}}(?:、{_ZH_LIST_ITEM_CHARS}{{1,{_ZH_LIST_ITEM_MAX}}})*")
_ZH_LIST_ITEM_BACK = re.compile(f"{_ZH_LIST_ITEM_CHARS}{{1,{_ZH_LIST_ITEM_MAX}}}$")


def _zh_list_item_end(text: str, i: int) -> int:
    """End of a listed name starting at ``i`` (at the next 、, 等, 和, punctuation), or -1 if too long."""
    m = _ZH_LIST_ITEM.match(text, i)
    end = m.end() if m else i
    return end if end - i <= _ZH_LIST_ITEM_MAX else -1


def _zh_org_lists(text: str, lex: _Lexicon, scan: _ZhScan,
                  found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Companies and projects listed with 、 and no legal suffix: 先后到鑫达包装、恒瑞电气…等项目建设现场."""
    out: list[tuple[int, int, str]] = []
    # companies found by a suffix or as well-known names tell a list of companies from other lists
    companies = [(fs, fe) for fs, fe, kind in found if kind != "government"]
    companies += [(cs, ce) for cs, ce, _ in scan.companies]
    evidence = sorted(fs for fs, _fe in companies)
    for chain in _ZH_LIST_CHAIN.finditer(text):
        chain_start, last_end = chain.span()
        if last_end < len(text) and text[last_end] not in _ZH_LIST_ITEM_STOP:
            last_end = text.rfind("、", chain_start, last_end)  # the last item runs on: too long for a name
            if last_end <= chain_start:
                continue
        summary = lex.zh_org_list_summary.match(text, last_end) is not None
        if not summary and bisect_right(evidence, last_end) == bisect_right(evidence, chain_start - _ZH_LIST_ITEM_MAX):
            continue  # neither 等企业 after it nor a company found by its suffix or name in it
        middle: list[tuple[int, int]] = []
        at = chain_start
        for part in text[chain_start + 1:last_end].split("、"):
            middle.append((at + 1, at + 1 + len(part)))
            at += 1 + len(part)
        # the first item ends at the first 、 and starts after a stop word, a stop character or punctuation
        items: list[tuple[int, int]] = []
        pos_first = chain_start
        back = _ZH_LIST_ITEM_BACK.search(text, max(0, pos_first - _ZH_LIST_ITEM_MAX - 1), pos_first)
        start = back.start() if back else pos_first
        start = max((x for x in range(start + 1, pos_first)
                     if x in scan.stop_ends or text[x - 1] in lex.zh_stop_chars), default=start)
        if start < pos_first and (start == 0 or not back or back.start() > max(0, pos_first - _ZH_LIST_ITEM_MAX - 1)
                                  or start in scan.stop_ends or text[start - 1] in lex.zh_stop_chars):
            items.append((start, pos_first))
        items += middle
        if len(items) < 2:
            continue
        clause = max(text.rfind(mark, 0, start) for mark in "，,。；;\n")
        visit = text.endswith(lex.zh_list_visit_verbs, 0, start) or \
            lex.zh_list_visit_clause.search(text, clause + 1, start) is not None
        if not (visit or summary):
            continue
        # government bodies (市委、市政府) say nothing about a list of companies
        with_suffix = [(s, e) for s, e in items if any(fs < e and s < fe for fs, fe in companies)]
        if not ((visit and (summary or with_suffix)) or (with_suffix and summary)):
            continue
        for s, e in items:
            if any(x in scan.stop_ends or x in scan.roles for x in range(s + 1, e + 1)):
                continue  # a verb or a title inside: 市长刘某, 组织举行
            inner = [fe for fs, fe, _ in found if s <= fs and fe <= e]
            if inner:
                s = max(inner)  # 青山产业园金河粉条: the name after an organisation found by its suffix
            elif any(fs < e and s < fe for fs, fe, _ in found):
                continue
            name = text[s:e]
            for tail in lex.zh_list_site_tails:
                if name.endswith(tail) and len(name) > len(tail) + 1:
                    name = name[:-len(tail)]
                    break
            if len(name) < 2 or name in lex.zh_list_item_generic or name in lex.zh_generic_bodies \
                    or name.endswith(lex.zh_list_item_generic_tails) or name[-1] in lex.zh_admin_chars \
                    or not _is_cjk(name[0]):
                continue
            kind = "other" if name.endswith(("项目", "园", "园区", "基地", "中心")) else "company"
            out.append((s, s + len(name), kind))
    return out


_ZH_ORGAN_THEN_LEVEL = re.compile(r"(?:委|政府|人大|政协)[省市县区州旗盟镇乡]$")


def _zh_title_part(text: str, s: int, e: int, lex: _Lexicon) -> bool:
    """An office with no place name (宣传部, 市委办公室), or a bare organ that is part of a person's title
    (省人大常委会主任许勤): not an organisation taking part."""
    name = text[s:e]
    if lex.zh_generic_department.fullmatch(name):
        return True
    return e in _zh_scan(text).head_starts and bool(lex.zh_bare_organ.fullmatch(name))


def _zh_join(found: list[tuple[int, int, str]], text: str, lex: _Lexicon) -> list[tuple[int, int, str]]:
    """Adjacent suffix matches make one name (中国二冶集团 + 有限公司); sub-units keep their parent."""
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for s, e, kind in found:
        if merged:
            ps, pe, pk = merged[-1]
            if s == pe and lex.zh_bare_organ.fullmatch(text, s, e) and lex.zh_bare_organ.search(text, ps, pe):
                merged.append((s, e, kind))  # 市委市政府: two organs side by side
                continue
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


def known_companies(text: str, language: str) -> list[tuple[int, int, str]]:
    """(start, end, company id) of the well-known companies of ``actors_companies.tsv`` named in the text."""
    return _known_matches(text, "zh" if language == "zh" else "en")


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
            if text[max(0, s - 24):s].rstrip().lower().endswith(lex.chrome_before):
                continue  # "Powered by Baidu": page furniture
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
            out[k] = OrgMention(o.name, o.start, o.end, key, o.kind, industries)
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


@lru_cache(maxsize=8192)
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
    items = sorted(mentions, key=attrgetter("start"))
    groups: list[list[OrgMention]] = []
    # a mention joins the first group that holds its key or whose first member's key (not a company id)
    # of the same kind contains it or is contained in it
    first_holding: dict[str, int] = {}  # key -> the first group holding it
    heads_of_kind: dict[str, list[tuple[int, str]]] = {}  # kind -> (group, key of its first member), in order
    for o in items:
        key = o.key
        index = first_holding.get(key, len(groups))
        if len(key) >= 4 and not key.startswith("@"):
            for group, head_key in heads_of_kind.get(o.kind, ()):
                if group >= index:
                    break
                if key in head_key or head_key in key:
                    index = group
                    break
        if index < len(groups):
            groups[index].append(o)
            if first_holding.get(key, index + 1) > index:
                first_holding[key] = index
            continue
        first_holding[key] = index
        groups.append([o])
        if not key.startswith("@"):
            heads_of_kind.setdefault(o.kind, []).append((index, key))
    out = []
    for g in groups:
        if len(g) == 1 and len(set(g[0].industries)) == len(g[0].industries):
            out.append(g[0])  # what the merge below gives for a lone mention
            continue
        longest = max(len(x.key) for x in g)
        best = next(x for x in g if len(x.key) == longest)
        industries = tuple(dict.fromkeys(i for x in g for i in x.industries))
        kind = next((x.kind for x in g if x.kind == "government"), best.kind)
        key = next((x.key for x in g if x.key.startswith("@")), best.key)
        out.append(OrgMention(best.name, best.start, best.end, key, kind, industries))
    out.sort(key=attrgetter("start"))
    return out
