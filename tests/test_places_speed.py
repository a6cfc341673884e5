"""The shortcuts that keep place finding fast must not change what it finds."""

from __future__ import annotations

import random

import pytest

from events import places


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # characters beyond the BMP (emoji) before a Chinese place keep the offsets right
        ("🎉🎉在湖北宜昌举行", [(3, 5, "湖北"), (5, 7, "宜昌")]),
        ("Talks in 🎉 Yichang, Hubei", [(11, 18, "Yichang"), (20, 25, "Hubei")]),
        # a gazetteer key with full-width brackets also matches other brackets in their place
        ("刚果（金）代表团", [(0, 5, "刚果（金）")]),
        ("刚果(金)代表团", [(0, 5, "刚果(金)")]),
        # Latin names in Chinese text are found around the ASCII letters only, at the right offsets
        ("双方在湖北武汉会见了来自Hamburg的客人", [(3, 5, "湖北"), (5, 7, "武汉"), (12, 19, "Hamburg")]),
        ("湖北武汉" * 30 + "Nanning", [(i * 2, i * 2 + 2, "湖北" if i % 2 == 0 else "武汉") for i in range(60)]
         + [(120, 127, "Nanning")]),
    ],
)
def test_offsets_survive_the_encodings(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert [(m.start, m.end, m.text) for m in places.find_places(text, "zh")] == expected


def test_every_case_insensitive_rule_has_a_fast_twin() -> None:
    rules = places._rules()
    twins = [getattr(rules, name) for name in rules.__slots__ if name.endswith("_ci")]
    assert twins and all(t.lower is not None for t in twins)


@pytest.mark.parametrize(
    "source",
    [r"[0-Z]", r"(?i:abc)", r"\x41bc", r"(?P<Name>abc)", r"(a)\1", "caf\u00e9", r"[\]-a]"],
)
def test_sources_outside_the_plain_subset_keep_the_slow_way(source: str) -> None:
    assert places._Caseless.compile(source).lower is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_twins_agree_with_case_insensitive_patterns(seed: int) -> None:
    rng = random.Random(seed)
    words = ["held", "in", "the", "City", "of", "Delegation", "from", "visited", "Mayor", "led", "by", "Province",
             "signed", "agreements", "with", "projects", "located", "at", "'s", "-based", "MoU", "Hotel", ",", "."]
    rules = places._rules()
    twins = [getattr(rules, name) for name in rules.__slots__ if name.endswith("_ci")]
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 9)))
        text = "".join(c.upper() if rng.random() < 0.2 else c for c in text) + rng.choice(["", " ", "  "])
        for twin in twins:
            assert twin.search(text, text.lower(), True) == (twin.pattern.search(text) is not None), text
            assert twin.match(text, text.lower(), True) == (twin.pattern.match(text) is not None), text
