"""Sentence splitting and language detection shared by every stage."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.text import (
    _ABBREVIATIONS,
    _CJK,
    _cjk_in_bytes,
    cjk_ratio,
    detect_language,
    normalize,
    pattern_needs,
    pattern_starts,
    split_sentences,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On May 3, Mr. Li met Dr. Christine D. Walters. They signed a deal.",
         ["On May 3, Mr. Li met Dr. Christine D. Walters.", "They signed a deal."]),
        ("Chen Ltd. and Wu Co. Ltd. attended. The meeting ended.",
         ["Chen Ltd. and Wu Co. Ltd. attended.", "The meeting ended."]),
        ("3月5日,市长会见了客人。双方签署了协议!下一步将合作。",
         ["3月5日,市长会见了客人。", "双方签署了协议!", "下一步将合作。"]),
        ("他说：“我们欢迎投资。”会议结束。", ["他说:“我们欢迎投资。”", "会议结束。"]),
        ("Line one without stop\nLine two.", ["Line one without stop", "Line two."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    sentences = split_sentences(normalize(text))
    assert [s.text for s in sentences] == expected
    body = normalize(text)
    for s in sentences:
        assert body[s.start : s.end] == s.text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The mayor met guests from 四川新闻网 yesterday in the city hall.", "en"),
        ("市长会见了Huawei和ZTE的代表，双方就5G合作交换意见。", "zh"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_normalize_folds_fullwidth_and_spaces() -> None:
    assert normalize("Ａ　Ｂ\r\n（１）") == "A B\n(1)"


# ---- fast paths against the plain definitions they replace --------------------------------------

_TEXT_PIECES = st.sampled_from([
    "a", "Z", "ab", " ", "  ", "\t", "\x0b", "\x0c", "\n", "\r\n", ".", "!", "? ", ". ", "Mr.", "U.S.", "e.g.",
    "“", "”", "\"", "’", ")", "(", "5", "中", "国", "。", "！", "；", "」", "\u3400", "\u4dff", "\u9fff", "\ua000",
    "\u3000", "\xa0", "é", "Ⅻ", "\ud800", "Ｆ",
])
_texts = st.lists(_TEXT_PIECES, max_size=40).map("".join)


def _reference_cjk_ratio(text: str) -> float:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    letters = cjk + sum(len(w) for w in re.findall(r"[A-Za-z]{2,}", text)) / 4
    return cjk / letters if letters else 0.0


@pytest.mark.parametrize("text", [
    "", "a", "ab c de", "I met a CEO", "中文", "\u4dff\u4e00\u9fff\ua000\u3400", "Sichuan 四川 Daily 日报",
    "x\ud800y", "“Quote” 引号 x",
])
def test_cjk_ratio_counts_by_bytes_as_by_characters(text: str) -> None:
    assert cjk_ratio(text) == _reference_cjk_ratio(text)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_cjk_ratio_matches_its_definition(text: str) -> None:
    assert cjk_ratio(text) == _reference_cjk_ratio(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("a  b", "a b"),
    ("a \t  b", "a b"),
    ("a\tb", "a b"),
    ("a" + " " * 9 + "b", "a b"),
    ("  lead and trail  \n  x", "lead and trail\nx"),
])
def test_normalize_collapses_space_runs(text: str, expected: str) -> None:
    assert normalize(text) == expected


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_normalize_space_runs_match_the_regex(text: str) -> None:
    folded = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    folded = re.sub(r"[ \t\f\v]+", " ", folded.replace("\u3000", " ").replace("\xa0", " "))
    assert normalize(text) == "\n".join(line.strip() for line in folded.split("\n"))


def _reference_split(body: str) -> list[tuple[str, int, int]]:
    """The sentence splitter as first written: look-behind boundaries and a regex for the word before a stop."""
    out = []
    offset = 0
    for line in body.split("\n"):
        if line.strip():
            spans = []
            start = 0
            if re.search(r"[\u4e00-\u9fff]", line) and _reference_cjk_ratio(line) > 0.3:
                for m in re.finditer(r"(?<=[。！？!?；;])[”’」』]?", line):
                    if m.end() > start:
                        spans.append((start, m.end()))
                    start = m.end()
                if start < len(line):
                    spans.append((start, len(line)))
            else:
                for m in re.finditer(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])", line):
                    word = re.search(r"([A-Za-z.]+)\.$", line[start:m.start()].rstrip("\"”’)"))
                    if word:
                        w = word.group(1).lower().rstrip(".")
                        if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                            continue
                    spans.append((start, m.start()))
                    start = m.end()
                spans.append((start, len(line)))
            for s, e in spans:
                chunk = line[s:e]
                if chunk.strip():
                    begin = offset + s + len(chunk) - len(chunk.lstrip())
                    out.append((chunk.strip(), begin, begin + len(chunk.strip())))
        offset += len(line) + 1
    return out


_SENTENCE_PIECES = st.sampled_from([
    "Wang", "met", "Mr.", "Dr.", "Co.", "Ltd.", "U.S.", "e.g.", "D.", "x.", "5.", "2.5", "A", "The", ".", "!", "?",
    " ", "  ", "\n", "\"", "“", "”", "’", ")", "(", "市长", "会见", "。", "！", "？", "；", "”", "」", "Ⅻ.",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_SENTENCE_PIECES, max_size=30).map("".join))
def test_split_sentences_matches_the_lookbehind_splitter(body: str) -> None:
    assert [(s.text, s.start, s.end) for s in split_sentences(body)] == _reference_split(body)


def test_traditional_text_converts_one_character_for_one() -> None:
    from events.text import is_traditional, to_simplified

    traditional = "市委書記馬明龍會見了來訪的客人，雙方簽署了經貿合作協議。"
    assert to_simplified(traditional) == "市委书记马明龙会见了来访的客人，双方签署了经贸合作协议。"
    assert len(to_simplified(traditional)) == len(traditional)
    assert is_traditional(traditional)
    assert not is_traditional("市委书记马明龙会见了来访的客人，双方签署了经贸合作协议。")
    assert not is_traditional("The mayor met the guests.")


def test_pinyin_glosses_are_dropped() -> None:
    from events.text import normalize

    assert normalize("重點(diǎn)項(xiàng)目集中開工") == "重點項目集中開工"
    assert normalize("項目(a)和(Li)") == "項目(a)和(Li)"


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (r"峰会|论坛|(?<![环调])节(?![能约])", {"峰会", "论坛", "节"}),
        (r"\b(?:met with|(?:to|paid an?) (?:[\w-]+ ){0,2}visit)\b", {"met with", "to ", "paid a"}),
        (r"welcome[sd]? (?:the )?guests", {"welcome"}),
        (r"(?<!协商)会议(?!中心)", {"会议"}),
        (r"\d+年", None),  # a match may begin with any digit
        (r"(?:a|)\d", None),  # or with nothing literal at all
        (r"(?:a|)b", {"ab", "b"}),
        (r"(?i)summit", None),  # case-insensitive: the literal beginnings are not the written ones
    ],
)
def test_pattern_starts(pattern: str, starts: set[str] | None) -> None:
    assert pattern_starts(pattern) == (None if starts is None else frozenset(starts))


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"\b(?:was|were) (?:also )?(?:present|in attendance)\b|\battended\b|出席", {"present", "in attendance",
                                                                                 "attended", "出席"}),
        (r"(?:在|到)[^，。]{0,12}总部|\bat\s+(?:\w+\s+){0,4}?headquarters\b", {"总部", "headquarters"}),
        (r"(?P<y>\d{4})\s*年(?!代)", {"年"}),
        (r"\bdelegation\b[^.;]{0,60}?\bled\s+by\b", {"delegation"}),
        (r"x+y", {"x"}),
        (r"\d+", None),
    ],
)
def test_pattern_needs(pattern: str, needs: set[str] | None) -> None:
    assert pattern_needs(pattern) == (None if needs is None else frozenset(needs))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="wasreptndclhqu总部出席在 ", max_size=40))
def test_pattern_needs_holds_for_every_match(text: str) -> None:
    """A text the pattern matches holds one of the strings the pattern needs."""
    sources = (r"\b(?:was|were) (?:also )?(?:present|in attendance)\b|出席", r"在[^，。]{0,12}总部|head\w*quarters")
    for source in sources:
        needs = pattern_needs(source)
        assert needs is not None
        if re.search(source, text):
            assert any(word in text for word in needs)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_cjk_count_by_bytes(text: str) -> None:
    assert _cjk_in_bytes(text.encode("utf-8", "surrogatepass")) == len(_CJK.findall(text))


def test_literal_reading_falls_back_when_the_private_regex_parser_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The prefilters read patterns with the stdlib's private parser; if it ever breaks they must give up
    (None: try the pattern everywhere), not raise."""
    from events import text

    def broken(*_args: object) -> object:
        raise RuntimeError("parser changed")

    monkeypatch.setattr(text.regex_parser, "parse", broken)
    assert text.pattern_starts(r"\bmet\b") is None
    assert text.pattern_needs(r"signed (an|the) agreement") is None
    assert text.pattern_ends(r"(?:在|于)$") is None


@pytest.mark.parametrize(
    ("pattern", "ends"),
    [
        (r"(?:在|于)$", {"在", "于", "\n"}),
        (r"[来到]访?$", {"来", "到", "访", "\n"}),  # an optional last character: the one before may end it
        (r"(?:代表团|一行)\s*$", None),  # a class of characters: not known
        (r"访问$", {"问", "\n"}),
        (r"访问", None),  # not anchored at the end
        (r"(?i)visit$", None),  # case folded: not known
        (r"x*$", None),  # may match nothing
    ],
)
def test_pattern_ends_lists_the_characters_a_match_can_end_with(pattern: str, ends: set[str] | None) -> None:
    from events.text import pattern_ends

    found = pattern_ends(pattern)
    assert (None if found is None else set(found)) == ends
    if found is not None:  # a text ending in none of them never matches
        samples = ("举行会议", "签约仪式。", "")
        assert all(re.search(pattern, sample) is None for sample in samples if sample[-1:] not in found)
