"""Time per article of each pipeline stage on its own, on a corpus from ``make_corpus.py``.

Usage: python benchmarks/bench_stages.py [--articles 600] [--corpus DIR]

Prints, per language, the milliseconds per article and articles/s of: parsing the page (ingest), finding
dates (``dates.find_dates`` over the body, uncached), places (``places.find_places``), persons and
organisations (``actors``), industry tags of the whole body (``industries.tag_industries``), and the full
extraction. The stages share caches inside ``extract_events``; here each runs cold on every article so
that the figures add up to more than the full extraction. Use it to see which stage to work on; the
throughput figures of record are those of ``bench_extract.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus

from events import actors, dates, industries, places
from events.extract import extract_events
from events.ingest import Reject, ingest, parse_article_text
from events.schema import Article

REPO = Path(__file__).resolve().parents[1]


def _clear_caches() -> None:
    """Stage functions cache per text; clear them so every article is measured cold."""
    for module in (actors, dates, industries, places):
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if clear is not None and getattr(value, "__module__", "") == module.__name__ and _per_text(value):
                clear()


def _per_text(function: object) -> bool:
    """lru_caches keyed by texts (not the loaded word lists and gazetteer, which stay loaded)."""
    info = getattr(function, "cache_info", None)
    return info is not None and info().maxsize is not None


def _timed(stage: Callable[[Article], object], articles: list[Article]) -> float:
    started = time.perf_counter()
    for article in articles:
        _clear_caches()
        stage(article)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        corpus = args.corpus
        if corpus is None:
            corpus = Path(scratch) / "corpus"
            make_corpus.write_corpus(args.articles, corpus, REPO / "seeds")
        files = sorted(p for p in corpus.rglob("*") if p.is_file())
        articles = [a for a in ingest(corpus) if not isinstance(a, Reject)]
        texts = {f.stem: f.read_text(encoding="utf-8") for f in files if f.suffix in {".txt", ".md"}}
    for language in ("en", "zh"):  # load word lists and the gazetteer before timing
        first = next((a for a in articles if a.language == language), None)
        if first is not None:
            extract_events(first)
    stages: dict[str, Callable[[Article], object]] = {
        "ingest (parse page)": lambda a: parse_article_text(
            texts.get(a.article_id, a.text), article_id=a.article_id, source_path=a.source_path
        ),
        "dates": lambda a: dates.find_dates(
            a.text, a.published_at.date() if a.published_at else None, a.language
        ),
        "places": lambda a: places.find_places(a.text, a.language),
        "persons": lambda a: actors.dedupe_persons(actors.find_persons(a.text, a.language)),
        "organizations": lambda a: actors.dedupe_organizations(actors.find_organizations(a.text, a.language)),
        "industries": lambda a: industries.tag_industries(
            title=a.title, event_text=a.text[:300], body=a.text, language=a.language
        ),
        "full extraction": extract_events,
    }
    print(f"{len(articles)} articles; each stage cold (its per-text caches cleared) on every article")
    print("| stage | language | ms/article | articles/s |")
    print("|---|---|---|---|")
    for name, stage in stages.items():
        for language in ("en", "zh"):
            subset = [a for a in articles if a.language == language]
            if not subset:
                continue
            seconds = _timed(stage, subset)
            print(f"| {name} | {language} | {seconds * 1000 / len(subset):.2f} | {len(subset) / seconds:,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
