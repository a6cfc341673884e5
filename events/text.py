"""Shared text primitives: normalisation, language, sentence segmentation with offsets.

Every stage works on the same sentences so that evidence, dates, places and actors can be tied to
one another by character offsets into the article body.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

try:  # the stdlib's own regex parser, to read literals out of patterns (re._parser from Python 3.11)
    import re._parser as regex_parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as regex_parser

_CJK = re.compile(r"[\u4e00-\u9fff]")

# Sentence ends: Chinese full stops/exclamations/questions (and their ASCII twins after CJK), or an
# English stop followed by space and an upper-case letter/quote/digit. Abbreviations such as
# "Mr.", "Dr.", "Co.", "Ltd." and initials ("Christine D. Althauser") do not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "co", "ltd", "inc", "corp", "no", "vs", "jr", "sr",
    "h.e", "e.g", "i.e", "etc", "gov", "dept", "u.s", "ir", "hj", "ybhg", "sept", "sep", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "oct", "nov", "dec", "messrs", "mt",
}
# The stop is part of the match (not a look-behind) so that `re` can jump from stop to stop; the
# boundary proper starts one character after ``match.start()``.
_EN_BOUNDARY = re.compile(r"[.!?][\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_WORD_OR_DOT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."
_ZH_BOUNDARY = re.compile(r"[。！？!?；;][”’」』]?")


# runs of spaces and tabs that are not already one space
_SPACE_RUN = re.compile(r"[ \t\f\v]{2,}|[\t\f\v]")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the article body: its text and where it starts and ends in the body."""

    text: str
    start: int
    end: int
    paragraph: int


def normalize(text: str) -> str:
    """NFKC-normalise and unify whitespace, keeping line structure (paragraphs matter)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").replace("\xa0", " ")
    if "\t" in text or "\f" in text or "\v" in text:
        text = _SPACE_RUN.sub(" ", text)
    else:  # spaces only: str.replace is far cheaper than a regex that stops at every space
        while "  " in text:
            text = text.replace("  ", " ")
    if "(" in text:
        text = _PINYIN_GLOSS.sub("", text)
    return "\n".join(line.strip() for line in text.split("\n"))


#: the tone-marked pinyin some sites print after every character ("项(xiàng)目"): reading aids, not text
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")


# Counting by bytes: a regex over every character was the largest cost of ingest. In UTF-8, U+4E00–U+9FFF
# are the three-byte sequences led by E5–E9 or by E4 followed by B8–BF, and ASCII bytes occur only as
# ASCII characters, so translated copies of the bytes count both scripts exactly.
_CJK_BYTE_CLASSES = bytes(
    0x63 if 0xE5 <= b <= 0xE9 else 0x64 if b == 0xE4 else 0x68 if 0xB8 <= b <= 0xBF else 0x20 for b in range(256))
_LETTER_BYTES = bytes(0x61 if chr(b).isascii() and chr(b).isalpha() else 0x20 for b in range(256))


def _script_counts(text: str) -> tuple[int, int]:
    """(characters in U+4E00–U+9FFF, letters in ASCII words of two or more letters) of ``text``."""
    data = text.encode("utf-8", "surrogatepass")
    cjk = _cjk_in_bytes(data)
    letters = b" " + data.translate(_LETTER_BYTES) + b" "
    # every letter, less those in one-letter words (runs of letters minus runs of two or more)
    latin = letters.count(b"a") - letters.count(b" a") + letters.count(b" aa")
    return cjk, latin


def _cjk_in_bytes(data: bytes) -> int:
    """Characters in U+4E00–U+9FFF of UTF-8 ``data``."""
    classes = data.translate(_CJK_BYTE_CLASSES)
    return classes.count(b"c") + classes.count(b"dh")


def cjk_ratio(text: str) -> float:
    cjk, latin = _script_counts(text)
    letters = cjk + latin / 4
    return cjk / letters if letters else 0.0


def detect_language(text: str) -> str:
    """``zh`` when Chinese characters dominate the body, else ``en``.

    Four Latin letters count as one CJK character (a rough per-word equivalence) so that an English
    page with a Chinese site name stays English and a Chinese page with English brand names stays
    Chinese.
    """
    return "zh" if cjk_ratio(text) >= 0.5 else "en"


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _split_english(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _EN_BOUNDARY.finditer(paragraph):
        boundary = match.start() + 1
        head = paragraph[start:boundary].rstrip("\"”’)")
        # the letters and dots the stop ends ("Mr.", "D.", "U.S."), without a backtracking regex
        last_word = head[len(head.rstrip(_WORD_OR_DOT)) : -1] if head.endswith(".") else ""
        if last_word:
            word = last_word.lower().rstrip(".")
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        spans.append((start, boundary))
        start = match.end()
    spans.append((start, len(paragraph)))
    return spans


def _split_chinese(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _ZH_BOUNDARY.finditer(paragraph):
        end = match.end()
        if end > start:
            spans.append((start, end))
        start = end
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return spans


def split_sentences(body: str) -> list[Sentence]:
    """Split a body into sentences with offsets; paragraphs (lines) never merge."""
    sentences: list[Sentence] = []
    offset = 0
    for index, line in enumerate(body.split("\n")):
        if line.strip():
            chinese = not line.isascii() and _CJK.search(line) is not None and cjk_ratio(line) > 0.3
            splitter = _split_chinese if chinese else _split_english
            for s, e in splitter(line):
                chunk = line[s:e]
                stripped = chunk.strip()
                if not stripped:
                    continue
                lead = len(chunk) - len(chunk.lstrip())
                begin = offset + s + lead
                sentences.append(Sentence(stripped, begin, begin + len(stripped), index))
        offset += len(line) + 1
    return sentences


# ---------------------------------------------------------------------------------------------
# Traditional Chinese: extraction reads a Simplified copy of the same length (offsets carry over)


@cache
def _t2s_table() -> dict[int, int]:
    """Traditional -> Simplified characters, one for one (events/data/zh_t2s.tsv, from OpenCC, Apache-2.0)."""
    text = resources.files("events").joinpath("data/zh_t2s.tsv").read_text(encoding="utf-8")
    table: dict[int, int] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            table[ord(traditional)] = ord(simplified)
    return table


def to_simplified(text: str) -> str:
    """The text in Simplified characters; the same length, so positions in it are positions in the text."""
    return text.translate(_t2s_table())


#: credited in every release's datapackage.json (the character table is OpenCC's)
TRADITIONAL_SOURCE = {
    "title": "OpenCC TSCharacters.txt, Traditional to Simplified Chinese characters (Apache-2.0)",
    "path": "https://github.com/BYVoid/OpenCC",
}

#: share of Chinese characters that have a different Simplified form, above which a text is Traditional
#: (Simplified text has none; Traditional news has 15-30 %)
TRADITIONAL_SHARE = 0.05


def is_traditional(text: str) -> bool:
    """Whether a Chinese text is written in Traditional characters (Hong Kong, Macao, Taiwan, overseas sites)."""
    sample = text[:4000]
    chinese = _cjk_in_bytes(sample.encode("utf-8", "surrogatepass"))
    if chinese < 20:
        return False
    return len(_traditional_chars().findall(sample)) >= TRADITIONAL_SHARE * chinese


@cache
def _traditional_chars() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(chr(c) for c in _t2s_table())) + "]")


# ---------------------------------------------------------------------------------------------
# Literals of a regular expression: a pattern that starts with a word boundary, a look-behind or an
# alternation of groups makes the regex engine try it at every character; the literals every match must
# begin with or hold let a plain substring test or one Aho-Corasick pass say where (or whether) to try it.

#: cap on the strings a pattern's alternatives multiply into
_MAX_LITERALS = 512


def pattern_starts(pattern: str) -> frozenset[str] | None:
    """Literal strings one of which begins every match of the (case-sensitive) pattern, or None when a match
    may begin otherwise."""
    parsed = _parsed(pattern)
    if parsed is None or parsed.state.flags & re.IGNORECASE:
        return None
    heads = {head for head, _ in _literal_heads(parsed)}
    if not heads or "" in heads:
        return None
    return frozenset(heads)


def pattern_needs(pattern: str, *, ignore_case: bool = False) -> frozenset[str] | None:
    """Literal strings, as the pattern writes them, one of which every match of the pattern holds; None when
    no such strings are known. With ``ignore_case`` a match holds one of them up to case."""
    parsed = _parsed(pattern)
    if parsed is None or (parsed.state.flags & re.IGNORECASE and not ignore_case):
        return None
    strings, _ = _required_in(parsed)
    if strings is None or "" in strings:
        return None
    return frozenset(strings)


def pattern_ends(pattern: str) -> frozenset[str] | None:
    """The characters one of which ends every match of a pattern written "...$", or None when not known.

    Most short texts end in none of them, and a membership test costs far less than a search. "$" also
    matches before a final newline, so the newline is one of them.
    """
    parsed = _parsed(pattern)
    if parsed is None or parsed.state.flags & (re.IGNORECASE | re.MULTILINE) or not len(parsed):
        return None
    *body, (op, arg) = list(parsed)
    if op is not regex_parser.AT or arg is not regex_parser.AT_END:
        return None
    found, may_be_empty = _tail_characters(body)
    return None if found is None or may_be_empty else frozenset(found | {"\n"})


def _parsed(pattern: str) -> Any:
    """The parse tree of a pattern, or None when the private parser cannot give one: the callers then
    fall back to trying the pattern everywhere, which is slower but never wrong."""
    try:
        parsed = regex_parser.parse(pattern, 0)
        parsed.state.flags  # noqa: B018 - the attribute the callers rely on
    except Exception:
        return None
    return parsed


def _literal_heads(items: Any) -> set[tuple[str, bool]]:
    """The literal beginnings of what a parsed regex sequence matches, each with whether it is the whole match.

    Zero-width items (word boundaries, look-arounds) only narrow the matches, so they are passed over; a beginning
    stops at the first item that is not a literal, a set of literals, a plain group or an alternation.
    """
    heads = {("", True)}
    for op, arg in items:
        if not any(whole for _, whole in heads):
            break
        if op in (regex_parser.AT, regex_parser.ASSERT, regex_parser.ASSERT_NOT):
            continue
        if op is regex_parser.LITERAL:
            words = {(chr(arg), True)}
        elif op is regex_parser.IN and all(kind is regex_parser.LITERAL for kind, _ in arg):
            words = {(chr(code), True) for _, code in arg}
        elif op is regex_parser.SUBPATTERN and not arg[1] and not arg[2]:  # a group that sets no flags
            words = _literal_heads(arg[3])
        elif op is regex_parser.BRANCH:
            words = set().union(*(_literal_heads(alternative) for alternative in arg[1]))
        else:
            words = {("", False)}
        longer = {(head + word, ends) for head, whole in heads if whole for word, ends in words}
        longer |= {(head, False) for head, whole in heads if not whole}
        if len(longer) > _MAX_LITERALS:
            return {(head, False) for head, _ in heads}
        heads = longer
    return heads


def _required_in(items: Any) -> tuple[set[str] | None, bool]:
    """(strings one of which every match of a parsed regex sequence holds, whether they are the whole match).

    Runs of literals give the strings written one after another; an alternation gives the strings of its branches;
    of a sequence's runs, the one whose shortest string is longest is the most telling. None: nothing is known.
    """
    best: set[str] | None = None
    run: set[str] | None = {""}
    whole = True

    def better(candidate: set[str] | None) -> None:
        nonlocal best
        if candidate and "" not in candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, arg in items:
        strings: set[str] | None
        if op in (regex_parser.AT, regex_parser.ASSERT, regex_parser.ASSERT_NOT):
            continue  # zero-width: the literals on either side stay adjacent
        if op is regex_parser.LITERAL:
            strings, complete = {chr(arg)}, True
        elif op is regex_parser.IN and all(kind is regex_parser.LITERAL for kind, _ in arg):
            strings, complete = {chr(code) for _, code in arg}, True
        elif op is regex_parser.SUBPATTERN and not arg[1] and not arg[2]:  # a group that sets no flags
            strings, complete = _required_in(arg[3])
        elif op is regex_parser.BRANCH:
            branches = [_required_in(branch) for branch in arg[1]]
            complete = all(done for _, done in branches)
            known = [found for found, _ in branches]
            strings = None if any(found is None for found in known) else set().union(*known)  # type: ignore[arg-type]
        elif op in (regex_parser.MAX_REPEAT, regex_parser.MIN_REPEAT) and arg[0] >= 1:
            strings, complete = _required_in(arg[2])[0], False
        else:
            strings, complete = None, False
        if complete and strings is not None and run is not None and len(run) * len(strings) <= _MAX_LITERALS:
            run = {head + tail for head in run for tail in strings}
            continue
        whole = False
        better(run)
        better(strings)
        run = strings if complete else None
    if whole:
        return run, True
    better(run)
    return best, False


def _tail_characters(items: Any) -> tuple[set[str] | None, bool]:
    """(characters one of which ends a match of the parsed sequence, whether a match may be empty)."""
    found: set[str] = set()
    for op, arg in reversed(items):
        if op is regex_parser.LITERAL:
            chars, empty = {chr(arg)}, False
        elif op is regex_parser.IN and all(kind is regex_parser.LITERAL for kind, _ in arg):
            chars, empty = {chr(code) for _, code in arg}, False
        elif op is regex_parser.SUBPATTERN and not arg[1] and not arg[2]:  # a group that sets no flags
            inner, empty = _tail_characters(arg[3])
            if inner is None:
                return None, True
            chars = inner
        elif op is regex_parser.BRANCH:
            branches = [_tail_characters(branch) for branch in arg[1]]
            if any(inner is None for inner, _ in branches):
                return None, True
            chars = set().union(*(inner for inner, _ in branches if inner is not None))
            empty = any(branch_empty for _, branch_empty in branches)
        elif op in (regex_parser.MAX_REPEAT, regex_parser.MIN_REPEAT):
            inner, inner_empty = _tail_characters(arg[2])
            if inner is None:
                return None, True
            chars, empty = inner, inner_empty or arg[0] == 0
        else:  # look-arounds, anchors, classes, any character: not known
            return None, True
        found |= chars
        if not empty:
            return found, False
    return found, True


# ---------------------------------------------------------------------------------------------
# Scanning helpers shared by the stages


def code_units(text: str, encoding: str = "utf-32-be") -> str:
    """``text`` as its UTF-32 (or ``"utf-16-be"``) code units, one Latin-1 character per byte.

    pyahocorasick looks a character up among a node's children one by one, and over Chinese words the root has
    hundreds of children; over these bytes every level has at most 256 and a CJK character's high bytes only a
    few, so an automaton built and run over the units is several times faster. A match of whole characters
    ends on the last byte of a character (an index that is 3 mod 4, or odd for UTF-16).
    """
    return text.encode(encoding, "surrogatepass").decode("latin-1")


def literal_positions(text: str, literals: Iterable[str]) -> list[int]:
    """Sorted start positions of every occurrence of the literals: ``str.find`` jumps from one to the next,
    so a rule that needs one of them is tried only there."""
    positions = []
    for literal in literals:
        at = text.find(literal)
        while at >= 0:
            positions.append(at)
            at = text.find(literal, at + 1)
    positions.sort()
    return positions
