"""Shared text primitives: normalisation, language, sentence segmentation with offsets.

Every stage works on the same sentences so that evidence, dates, places and actors can be tied to
one another by character offsets into the article body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Sentence ends: Chinese full stops/exclamations/questions (and their ASCII twins after CJK), or an
# English stop followed by space and an upper-case letter/quote/digit. Abbreviations such as
# "Mr.", "Dr.", "Co.", "Ltd." and initials ("Christine D. Althauser") do not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "co", "ltd", "inc", "corp", "no", "vs", "jr", "sr",
    "h.e", "e.g", "i.e", "etc", "gov", "dept", "u.s", "ir", "hj", "ybhg", "sept", "sep", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "oct", "nov", "dec", "messrs", "mt",
}
_EN_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_ZH_BOUNDARY = re.compile(r"(?<=[。！？!?；;])[”’」』]?")


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
    text = re.sub(r"[ \t\f\v]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def cjk_ratio(text: str) -> float:
    letters = len(_CJK.findall(text)) + sum(len(w) for w in _LATIN_WORD.findall(text)) / 4
    return len(_CJK.findall(text)) / letters if letters else 0.0


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
        head = paragraph[start : match.start()].rstrip("\"”’)")
        last_word = re.search(r"([A-Za-z.]+)\.$", head)
        if last_word:
            word = last_word.group(1).lower().rstrip(".")
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        spans.append((start, match.start()))
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
            splitter = _split_chinese if is_cjk(line) and cjk_ratio(line) > 0.3 else _split_english
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
