"""Evaluate ``events.industries`` against the gold industry tags of the seed and dev articles.

Not a test (pytest does not collect it): a calibration report. Run from the repository root:

    python tests/eval_industries.py [--shared /work/shared] [--verbose]

Two settings, both scored like ``eval/score.py`` (required tags must be found, optional tags are
neutral, anything else is a false positive; only required gold events count):

* ``article``: one prediction per article; title = first non-empty line, event text = the first one
  or two sentences that mention a date; compared with every required gold event of the article.
* ``event``: one prediction per required gold event; event text = the sentence(s) that carry the gold
  event's ``date_text`` (a signing or launch prefers the sentence with such words, as extract.py
  does); the title only for the article's main event.

No organization industries are passed: the scores show what the text alone gives.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from events.industries import industry_evidence, tag_industries
from events.text import Sentence, detect_language, normalize, split_sentences

_DATE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b|\b(?:on|last|this) (?:Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b(?:yesterday|recently|today)\b|\d{1,2}月\d{1,2}日|"
    r"日前|近日|昨日|昨天|今天|\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
# signing and launch words of events/data/event_triggers.yaml (extract.py makes their events)
_KIND_WORDS = {
    "signing": re.compile(
        r"\bsigned\b|\bsigning\b|\binked\b|\bconcluded\b|reached (?:cooperation )?agreements?|"
        r"签约|签订|签署|签下|协议",
        re.IGNORECASE,
    ),
    "launch": re.compile(
        r"groundbreaking|broke ground|break ground|started construction|(?:construction|work) (?:started|began)|"
        r"\bcommission(?:ed|ing)\b|put into (?:operation|production|use)|inaugurat|unveil|officially launched|"
        r"(?:was|were) launched|opening ceremony|开工|奠基|投产|揭牌|竣工|启动仪式|开业|通车|启用",
        re.IGNORECASE,
    ),
}


def _read_article(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        text = text[end + 4 :] if end >= 0 else text
    return normalize(text)


def _title(body: str) -> str:
    """The first non-empty line that is not a navigation bar ("A|B|C|…")."""
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    return next((line for line in lines if line.count("|") < 2), lines[0] if lines else "")


def _article_event_text(sentences: list[Sentence]) -> str:
    dated = [s.text for s in sentences if _DATE.search(s.text)]
    return " ".join(dated[:2]) if dated else (sentences[0].text if sentences else "")


def _gold_event_text(
    sentences: list[Sentence], gold: dict, used: dict[str, set[int]], title: str = ""
) -> str:
    """The gold event's evidence, roughly as extract.py picks it.

    ``used`` holds, per kind (signing, launch, other), the sentences earlier gold events took: a
    signing and the talks of the same sentence may share it, two signings may not.
    """
    pieces = [p.strip() for p in (gold.get("date_text") or "").split("...") if len(p.strip()) >= 2]
    with_date = [i for i, s in enumerate(sentences) if any(p in s.text for p in pieces)]
    # a headline line of its own is not evidence (extract.py passes it as the title)
    headline = {i for i, s in enumerate(sentences) if s.text == title and not _DATE.search(s.text)}
    kind = next((k for k in ("signing", "launch") if k in gold["event_type"]), "other")
    taken = used.setdefault(kind, set()) | headline
    chosen: list[int] = []
    if kind != "other":
        words = _KIND_WORDS[kind]
        candidates = [i for i, s in enumerate(sentences) if words.search(s.text) and i not in taken]
        first = next((i for i in with_date if i in candidates), candidates[0] if candidates else None)
        if first is not None:
            # extract.py merges later sentences of the same kind that carry no date of their own
            chosen = [first]
            for i in candidates:
                if i > first:
                    if _DATE.search(sentences[i].text):
                        break
                    chosen.append(i)
    if not chosen and with_date:
        chosen = [next((i for i in with_date if i not in taken), with_date[0])]
    if not chosen:
        dated = [i for i, s in enumerate(sentences) if _DATE.search(s.text) and i not in headline]
        chosen = [(dated or [0])[0]]
    used[kind].update(chosen)
    return " ".join(sentences[i].text for i in chosen)


class PRF:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, predicted: Iterable[str], required: set[str], optional: set[str]) -> tuple[set, set]:
        p = set(predicted)
        missed, spurious = required - p, p - required - optional
        self.tp += len(p & required)
        self.fp += len(spurious)
        self.fn += len(missed)
        return missed, spurious

    def row(self, name: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return f"{name:<8} P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={self.tp} fp={self.fp} fn={self.fn})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="/work/shared")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    shared = Path(args.shared)
    paths = {p.stem: p for p in [*(shared / "seeds").glob("*.txt"), *(shared / "dev/articles").glob("*.txt")]}
    gold = [
        json.loads(line)
        for name in ("seeds.jsonl", "dev.jsonl")
        for line in (shared / "gold" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    by_article: dict[str, list[dict]] = {}
    for g in gold:
        by_article.setdefault(g["article"], []).append(g)

    article_prf, event_prf = PRF(), PRF()
    log: list[str] = []
    for article_id, golds in sorted(by_article.items()):
        body = _read_article(paths[article_id])
        language = detect_language(body)
        sentences = split_sentences(body)
        title = _title(body)
        article_tags = tag_industries(
            title=title, event_text=_article_event_text(sentences), body=body, language=language
        )
        used: dict[str, set[int]] = {}
        for i, g in enumerate(golds):
            if not g["required"]:
                continue
            req, opt = set(g["industries"]), set(g["industries_optional"])
            missed, spurious = article_prf.add(article_tags, req, opt)
            event_text = _gold_event_text(sentences, g, used, title)
            kwargs = dict(title=title if i == 0 else None, event_text=event_text, body=body, language=language)
            tags = tag_industries(**kwargs)  # type: ignore[arg-type]
            e_missed, e_spurious = event_prf.add(tags, req, opt)
            if e_missed or e_spurious or args.verbose:
                scores = {e.slug: e.score for e in industry_evidence(**kwargs)}  # type: ignore[arg-type]
                log.append(
                    f"{g['id']:<7} event missed {sorted(e_missed)} spurious {sorted(e_spurious)}  "
                    f"got {[(t, scores[t]) for t in tags]}  missed-scores "
                    f"{ {m: scores.get(m, 0) for m in sorted(e_missed)} }"
                )
            if missed or spurious:
                log.append(f"{g['id']:<7} article missed {sorted(missed)} spurious {sorted(spurious)}")

    for line in log:
        print(line)
    print(article_prf.row("article"))
    print(event_prf.row("event"))

    _report_speed([_read_article(p) for p in paths.values()])


def _report_speed(bodies: list[str]) -> None:
    """Microseconds per 2 KB of body: best of 30 rounds (the machine is noisy), inputs prepared first."""
    from events import industries

    calls = []
    for body in bodies:
        sentences = split_sentences(body)
        calls.append(
            dict(title=_title(body), event_text=_article_event_text(sentences), body=body,
                 language=detect_language(body))
        )

    def best(round_: Callable[[], None]) -> float:
        times = []
        for _ in range(30):
            start = time.perf_counter()
            round_()
            times.append(time.perf_counter() - start)
        return min(times)

    def cold() -> None:
        for kwargs in calls:
            industries._analyse_body.cache_clear()
            tag_industries(**kwargs)  # type: ignore[arg-type]

    def warm() -> None:
        for kwargs in calls:
            tag_industries(**kwargs)  # type: ignore[arg-type]

    chars = sum(len(b) for b in bodies)
    utf8 = sum(len(b.encode("utf-8")) for b in bodies)
    for name, round_ in (("first event of an article", cold), ("each further event", warm)):
        seconds = best(round_)
        print(f"speed, {name}: {seconds / chars * 2048 * 1e6:.0f} µs per 2048 characters, "
              f"{seconds / utf8 * 2048 * 1e6:.0f} µs per 2 KB of UTF-8")


if __name__ == "__main__":
    main()
