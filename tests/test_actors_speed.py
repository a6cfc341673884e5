"""The shortcuts of events.actors give what the plain versions they replace give (checked against those)."""

from __future__ import annotations

from operator import attrgetter

from hypothesis import given, settings
from hypothesis import strategies as st

from events.actors import (
    _BYLINE_OPENERS,
    _ZH_PAREN,
    _ZH_PAREN_OPENERS,
    _ZH_PAREN_TAIL,
    OrgMention,
    _is_cjk,
    _Lexicon,
    _lexicon,
    _matches_at,
    _zh_and_compound_at,
    _zh_left_edge,
    _zh_scan,
    dedupe_organizations,
)
from events.text import code_units, literal_positions

_ZH_PIECES = ["有限公司", "集团", "市委", "市政府", "市长", "书记", "局", "部", "委", "和", "经济和信息化", "与", "的",
              "在", "表示", "会见", "(", ")", "（", "）", "（集团）", "、", "，", "。", "2024年", "ABC", "3", " ", "\n",
              "滨海", "新区", "科技", "发展", "中心", "产业园", "长春市", "省长", "😀", "·"]
_EN_PIECES = ["(", "[", "（", "【", ")", "]", "）", "】", "Reporter", "By", "Photo by", ":", "：", " ", "\n",
              "Wang Li", "Zhou", "said", "Editor", "x"]


def _chinese_texts() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(_ZH_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_chinese_texts())
def test_wide_units_automaton_finds_the_words_a_character_scan_finds(text: str) -> None:
    automaton = _lexicon().zh_automaton
    words = {key.encode("latin-1").decode("utf-32-be", "surrogatepass"): value for key, value in automaton.items()}
    longest = max(map(len, words))
    expected = sorted((e - len(text[s:e]), e) for e in range(1, len(text) + 1)
                      for s in range(max(0, e - longest), e) if text[s:e] in words)
    found = sorted(((end >> 2) + 1 - length, (end >> 2) + 1)
                   for end, (length, _tags) in automaton.iter(code_units(text)) if end & 3 == 3)
    assert found == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_EN_PIECES + _ZH_PIECES), max_size=40).map("".join))
def test_matches_at_literal_positions_is_finditer(text: str) -> None:
    for pattern, openers in ((_lexicon().byline_re, _BYLINE_OPENERS), (_ZH_PAREN, _ZH_PAREN_OPENERS)):
        found = [m.span() for m in _matches_at(pattern, text, literal_positions(text, openers))]
        assert found == [m.span() for m in pattern.finditer(text)]


def _left_edge_one_by_one(text: str, s: int, lex: _Lexicon, stop_ends: frozenset[int]) -> tuple[int, str]:
    """The walk character by character that _zh_left_edge shortens."""
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


@settings(max_examples=300, deadline=None)
@given(_chinese_texts())
def test_zh_left_edge_is_the_walk_one_character_at_a_time(text: str) -> None:
    lex = _lexicon()
    scan = _zh_scan(text)
    for s in range(len(text) + 1):
        assert _zh_left_edge(text, s, lex, scan) == _left_edge_one_by_one(text, s, lex, scan.stop_ends)


def _dedupe_trying_every_group(mentions: list[OrgMention]) -> list[OrgMention]:
    """dedupe_organizations as it was before it indexed its groups: every group tried in turn."""
    items = sorted(mentions, key=attrgetter("start"))
    groups: list[list[OrgMention]] = []
    group_keys: list[set[str]] = []
    heads: list[tuple[str, str]] = []
    for o in items:
        key, kind = o.key, o.kind
        contained = len(key) >= 4 and not key.startswith("@")
        for index, (head_key, head_kind) in enumerate(heads):
            keys = group_keys[index]
            if key in keys or (contained and kind == head_kind and not head_key.startswith("@")
                               and (key in head_key or head_key in key)):
                groups[index].append(o)
                keys.add(key)
                break
        else:
            groups.append([o])
            group_keys.append({key})
            heads.append((key, kind))
    out = []
    for g in groups:
        longest = max(len(x.key) for x in g)
        best = next(x for x in g if len(x.key) == longest)
        industries = tuple(dict.fromkeys(i for x in g for i in x.industries))
        kind = next((x.kind for x in g if x.kind == "government"), best.kind)
        key = next((x.key for x in g if x.key.startswith("@")), best.key)
        out.append(OrgMention(best.name, best.start, best.end, key, kind, industries))
    out.sort(key=attrgetter("start"))
    return out


_KEYS = ["ab", "abcd", "abcdef", "bcde", "@acme", "@acmecorp", "xyzw", "xyzwv", "cdef", "xyz"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_KEYS), st.sampled_from(["company", "government", "other"]),
                          st.integers(0, 30)), max_size=14))
def test_dedupe_organizations_is_trying_every_group(items: list[tuple[str, str, int]]) -> None:
    mentions = [OrgMention(f"{key} {k}", start, start + 2, key, kind, ("auto",) if k % 3 == 0 else ())
                for k, (key, kind, start) in enumerate(items)]
    assert dedupe_organizations(mentions) == _dedupe_trying_every_group(mentions)
