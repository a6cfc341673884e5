"""Measure events.actors against gold annotations: per-article precision/recall of persons and
organisations, and time per article.

Usage: python benchmarks/bench_actors.py GOLD.jsonl ARTICLE_DIR [GOLD2 DIR2 ...] [--verbose]

A prediction counts as right when it matches any alias of a required or optional entity of the
article (persons by exact normalised name, organisations by containment, as the scorer does); recall
counts the required entities of the article's events that some prediction matches. This compares
the extractor with the union of an article's events, so it is an upper bound for the pipeline.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

from events.actors import dedupe_organizations, dedupe_persons, find_organizations, find_persons
from events.text import detect_language, normalize


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold().replace("’", "'").replace("‘", "'")
    return re.sub(r"[\s'\"`.,()（）\-_/·•]", "", s)


def matches(pred: str, aliases: list[str], contain: bool) -> bool:
    p = norm(pred)
    for a in aliases:
        g = norm(a)
        if not g:
            continue
        if p == g:
            return True
        cjk = any("\u4e00" <= ch <= "\u9fff" for ch in g)
        if contain and ((g in p and len(g) >= (3 if cjk else 4)) or (p in g and len(p) >= (3 if cjk else 6))):
            return True
    return False


def cpu_per_2kb(text: str, lang: str, repeats: int = 7) -> float:
    """Best CPU time of persons + organisations (with dedupe) per 2 KB of UTF-8, caches defeated."""
    best = float("inf")
    for k in range(repeats):
        variant = text + " " * (k + 1)  # a new string: the per-text caches must not answer
        t0 = time.process_time()
        dedupe_persons(find_persons(variant, lang))
        dedupe_organizations(find_organizations(variant, lang))
        best = min(best, time.process_time() - t0)
    return best / max(1, len(text.encode("utf-8"))) * 2048


def body_of(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"\A---\n.*?\n---\n", "", raw, flags=re.S)
    return normalize(raw)


def main(argv: list[str]) -> None:
    verbose = "--verbose" in argv
    args = [a for a in argv if a != "--verbose"]
    totals = {"persons": [0, 0, 0], "organizations": [0, 0, 0]}  # tp, fp, fn
    timings = {"en": [], "zh": []}
    for gold_path, art_dir in zip(args[0::2], args[1::2], strict=True):
        gold = defaultdict(list)
        for line in Path(gold_path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                g = json.loads(line)
                gold[g["article"]].append(g)
        for art, events in gold.items():
            path = Path(art_dir) / f"{art}.txt"
            text = body_of(path)
            lang = detect_language(text)
            persons = find_persons(text, lang)
            orgs = find_organizations(text, lang)
            timings[lang].append(cpu_per_2kb(text, lang))
            preds = {
                "persons": [p.name for p in dedupe_persons(p for p in persons if p.participant)],
                "organizations": [o.name for o in dedupe_organizations(orgs)],
            }
            for col, contain in (("persons", False), ("organizations", True)):
                req = {tuple(a) for g in events for a in g[col]}
                opt = {tuple(a) for g in events for a in g[col + "_optional"]}
                tp_fp = [p for p in preds[col]]
                fp = [p for p in tp_fp if not any(matches(p, list(a), contain) for a in req | opt)]
                missed = [a[0] for a in req if not any(matches(p, list(a), contain) for p in tp_fp)]
                totals[col][0] += len(req) - len(missed)
                totals[col][1] += len(fp)
                totals[col][2] += len(missed)
                if verbose and (fp or missed):
                    print(f"{art} {col}: missed {missed} spurious {fp}")
    for col, (tp, fp, fn) in totals.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        print(f"{col:<14} P={p:.3f} R={r:.3f} (tp={tp} fp={fp} fn={fn})")
    for lang, ts in timings.items():
        if ts:
            ts.sort()
            print(f"{lang}: median {ts[len(ts) // 2] * 1e6:.0f} µs, slowest {ts[-1] * 1e6:.0f} µs per 2 KB "
                  f"of UTF-8 text (CPU time, persons + organisations + dedupe), {len(ts)} articles")


if __name__ == "__main__":
    main(sys.argv[1:])
