"""The fast paths of events.industries give what the plain definitions give.

Each shortcut (UTF-16 automaton, office-word prefilter, covering-span overlap rule, trimmed sentence pieces,
the score-only tagging path) is compared with a straightforward version of the same rule on generated text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import industries
from events.industries import industry_evidence, tag_industries

# Words that exercise keywords (both languages, plurals, capitals), cue words, office names, quotes, dashes.
WORDS = [
    "port", "ports", "sport", "logistics", "logistic", "energy", "new energy", "new energy vehicle", "AI", "ai",
    "ev", "every", "department", "Ministry of Commerce", "bureau", "of", "and", "the", "projects", "involve",
    "signed", "agreement", "include", "such as", "chips", "5G", "steel", "tea", "housing", "e-commerce",
    "新能源汽车", "新能源", "能源", "汽车", "工业互联网", "组建", "科技局", "商务局", "发展和改革委员会", "办公室",
    "项目", "涉及", "签约", "芯片", "物流", "港口", "香港", "文化", "工业4.0", "局", "厅",
    "“", "”", '"', "-", "—", " ", " ", " ", ".", "。", ",", "，", "\n", "İ", "Σ", "𝐀", "é",
]
texts = st.lists(st.sampled_from(WORDS), max_size=40).map("".join)


def reference_pieces(text: str) -> list[tuple[int, int]]:
    piece = re.compile(industries._PIECE.pattern.removesuffix("(?<!\\s)"))
    return [(m.start(), m.start() + len(m.group().rstrip())) for m in piece.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n.。;!?”’\")」aB1中", max_size=40))
def test_pieces_end_where_rstrip_would_cut(text: str) -> None:
    assert industries._pieces(text) == reference_pieces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two three.  \nFour  ", [(0, 4), (5, 15), (18, 22)]),
        ("会议召开。双方签约；", [(0, 5), (5, 10)]),
        ("e.g. this", [(0, 4), (5, 9)]),
        ("version 1.2 is out", [(0, 18)]),
    ],
)
def test_pieces(text: str, expected: list[tuple[int, int]]) -> None:
    assert industries._pieces(text) == expected


def reference_resolve(spans: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """The overlap rule as first written: per cluster, longest first, then the longer key, then leftmost."""
    kept: list[tuple[int, int, int, str]] = []
    i, n = 0, len(spans)
    while i < n:
        j, cluster_end = i + 1, spans[i][1]
        while j < n and spans[j][0] < cluster_end:
            cluster_end = max(cluster_end, spans[j][1])
            j += 1
        chosen: list[tuple[int, int, int, str]] = []
        for span in sorted(spans[i:j], key=lambda s: (s[0] - s[1], -s[2], s[0])):
            start, end = span[0], span[1]
            same = chosen and chosen[-1][0] == start and chosen[-1][1] == end
            if same or not any(start < c[1] and c[0] < end for c in chosen):
                chosen.append(span)
        kept.extend(sorted(chosen, key=lambda s: s[0]))
        i = j
    return kept


@st.composite
def span_lists(draw: st.DrawFn) -> list[tuple[int, int, int, str]]:
    spans = []
    for k in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, 20))
        length = draw(st.integers(1, 6))
        extra = draw(st.integers(0, 2))  # a plural ending beyond the key
        spans.append((start, start + length + extra, length, f"e{k}"))
    spans.sort(key=lambda s: s[0])
    return spans


@settings(max_examples=600, deadline=None)
@given(span_lists())
def test_overlap_rule_matches_the_plain_greedy(spans: list[tuple[int, int, int, str]]) -> None:
    assert industries._resolve_overlaps(spans) == reference_resolve(spans)  # type: ignore[arg-type]


def reference_hits(folded: str) -> list[tuple[int, object]]:
    return list(industries._keywords().automaton.iter(folded))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_every_automaton_path_finds_the_same_keys(text: str) -> None:
    folded, _ = industries._folded(text, text.lower())
    hits, wide = industries._automaton_hits(folded)
    found = [((last >> 1) if wide else last, value) for last, value in hits if not wide or last & 1]
    assert found == reference_hits(folded)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_office_prefilter_keeps_what_the_patterns_keep(text: str) -> None:
    folded, _ = industries._folded(text, text.lower())
    spans = [(m.start(), m.end(), 2, None) for m in re.finditer(r"[a-z]+|[\u4e00-\u9fff]{2}", folded)]
    expected = [s for s in spans if not industries._in_office_name(folded, s[0], s[1])]
    assert industries._outside_offices(folded, spans) == expected  # type: ignore[arg-type]


def test_office_words_come_from_the_patterns() -> None:
    words = industries._keywords().office_words
    assert words["en"] is not None and "department" in words["en"] and "ministry" in words["en"]
    assert words["zh"] is not None and "局" in words["zh"] and "委员会" in words["zh"]


@pytest.mark.parametrize(
    ("pattern", "group", "expected"),
    [
        (r"\s+(?:bureau|office)\b", industries._LAST_WORD_GROUP, ("bureau", "office")),
        (r"\b(?:bureau|office)\s+of$", industries._FIRST_WORD_GROUP, ("bureau", "office")),
        (r"x|\s+(?:bureau|office)\b", industries._LAST_WORD_GROUP, None),  # the group is optional
        (r"\s+(?:bureau|office)?", industries._LAST_WORD_GROUP, None),
        (r"\b(?:bureau|office)?\s+of$", industries._FIRST_WORD_GROUP, None),
        (r"x(?:y|(?:bureau|office))", industries._LAST_WORD_GROUP, None),
        (r"(?:局|厅)", industries._LAST_WORD_GROUP, ("局", "厅")),
    ],
)
def test_office_words(pattern: str, group: re.Pattern[str], expected: tuple[str, ...] | None) -> None:
    assert industries._office_words(pattern, group) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdeijmnoprstuy xz0", max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_scope_subject_pattern_finds_what_one_pattern_per_word_finds(text: str, a: int, b: int) -> None:
    words = ["project", "deal", "memorand*", "exhibit", "exhibitor", "companies", "mou"]
    endings = {True: r"\w*", False: r"(?:e?s)?"}
    per_word = re.compile(
        "|".join(rf"(?<![a-z0-9]){re.escape(w.rstrip('*'))}{endings[w.endswith('*')]}(?![a-z0-9])" for w in words)
    )
    text = text.replace("x", "project").replace("z", "memorandum")
    assert bool(industries._word_pattern(words).search(text, a, b)) == bool(per_word.search(text, a, b))


@pytest.mark.parametrize(
    "text", ["Ports—and “smart” e-commerce", "ΑΣ” Β-Σ“x", "İstanbul port", "纯中文「文本」", "plain ascii text"]
)
def test_folding_lowers_before_it_drops(text: str) -> None:
    lowered, cased = industries._folded(text, text.lower())
    expected = text.lower()
    if len(expected) != len(text):
        assert (lowered, cased) == (text.translate(industries._FOLD_TABLE), text.translate(industries._CASED_TABLE))
        return
    dropped = re.compile(f"[{re.escape(industries._DROPPED)}]")
    for dash in industries._AS_SPACE:
        expected = expected.replace(dash, " ")
    assert lowered == dropped.sub("", expected)
    assert cased == dropped.sub("", text.translate(str.maketrans(industries._AS_SPACE, " " * 6)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(texts, min_size=1, max_size=6),
    st.integers(0, 5),
    st.sampled_from(["en", "zh"]),
    st.booleans(),
    st.lists(st.sampled_from(["automotive", "finance", "not-a-slug"]), max_size=3),
)
def test_tags_are_the_tagged_evidence(
    sentences: list[str], pick: int, language: str, with_title: bool, orgs: list[str]
) -> None:
    body = "\n".join(sentences)
    kwargs = {
        "title": sentences[0] if with_title else None,
        "event_text": sentences[pick % len(sentences)],
        "body": body,
        "organization_industries": orgs,
        "language": language,
    }
    evidence = industry_evidence(**kwargs)  # type: ignore[arg-type]
    assert tag_industries(**kwargs) == [e.slug for e in evidence if e.tagged]  # type: ignore[arg-type]
