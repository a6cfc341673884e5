"""Sentence splitting and language detection shared by every stage."""

from __future__ import annotations

import pytest

from events.text import detect_language, normalize, split_sentences


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
