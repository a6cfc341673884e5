"""Throughput, scaling, incremental rebuilds and peak memory of the extraction and release.

Usage: python benchmarks/bench_extract.py [--articles 2000] [--baseline 200] [--scaling 1000]
       [--rebuild 2000] [--memory-events 1000000] [--corpus DIR] [--skip SECTION ...]

Sections (each can be skipped with ``--skip``):

- ``throughput``: ingest and the full extraction (``extract_events``) per core, in this process, on a
  corpus from ``make_corpus.py``: articles/s and MB/s (UTF-8 bytes of the article bodies) per
  language; and on the first ``--baseline`` articles, the same extraction against the naive baseline
  (``dateparser.search.search_dates`` over each whole article with ``languages`` given), and the ratio.
- ``scaling``: ``build_release`` of ``--scaling`` articles with 1 and 2 worker processes, no cache;
  checks that the tables are byte-identical.
- ``rebuild``: a cold build of ``--rebuild`` articles with the cache, then a rebuild after 10 of
  them changed; prints both times and how many articles were extracted again.
- ``memory``: a release of ``--memory-events`` events in a child process, with the extractor
  replaced by one that copies real events (so that the run takes a minute, not hours); prints the
  child's peak resident memory, for a first release and for a second one compared with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus

from events.ingest import Reject, ingest
from events.schema import Article, Event

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("throughput", "scaling", "rebuild", "memory")


def corpus(directory: Path | None, n: int, scratch: Path) -> Path:
    if directory is not None:
        return directory
    target = scratch / f"corpus-{n}"
    if not target.exists():
        started = time.perf_counter()
        make_corpus.write_corpus(n, target, REPO / "seeds")
        print(f"corpus: {n} articles written in {time.perf_counter() - started:.1f} s to {target}")
    return target


def read_corpus(path: Path) -> tuple[list[Article], float]:
    started = time.perf_counter()
    articles = [a for a in ingest(path) if not isinstance(a, Reject)]
    return articles, time.perf_counter() - started


def timed(fn: Callable[[Article], object], articles: list[Article]) -> float:
    started = time.perf_counter()
    for article in articles:
        fn(article)
    return time.perf_counter() - started


def megabytes(articles: list[Article]) -> float:
    return sum(len(a.text.encode("utf-8")) for a in articles) / 1e6


# ---------------------------------------------------------------------------------------------


def throughput(path: Path, baseline_n: int) -> None:
    import dateparser.search

    from events.extract import extract_events

    articles, ingest_seconds = read_corpus(path)
    print(f"\n## Throughput per core ({len(articles)} articles, {megabytes(articles):.1f} MB of text)")
    print(f"ingest: {len(articles) / ingest_seconds:,.0f} articles/s ({ingest_seconds * 1000 / len(articles):.2f} ms "
          "per article)")
    started = time.perf_counter()
    for language in ("en", "zh"):
        first = next((a for a in articles if a.language == language), None)
        if first is not None:
            extract_events(first)
    print(f"extractor loading (gazetteer, word lists, first articles): {time.perf_counter() - started:.2f} s")
    print("| language | articles | KB/article | full extraction art/s | MB/s | ms/article |")
    print("|---|---|---|---|---|---|")
    for language in ("en", "zh"):
        subset = [a for a in articles if a.language == language]
        if not subset:
            continue
        seconds = timed(extract_events, subset)
        size = megabytes(subset)
        print(f"| {language} | {len(subset)} | {size * 1000 / len(subset):.1f} | {len(subset) / seconds:,.0f} | "
              f"{size / seconds:.2f} | {seconds * 1000 / len(subset):.2f} |")

    def baseline(article: Article) -> object:
        return dateparser.search.search_dates(article.text, languages=[article.language])

    baseline(next(a for a in articles if a.language == "en"))  # first call loads the locale
    print(f"\nAgainst the naive baseline (search_dates over whole articles, languages given), first {baseline_n} "
          "articles of each language:")
    print("| language | articles | full art/s | baseline art/s | baseline MB/s | ratio (full / baseline) |")
    print("|---|---|---|---|---|---|")
    for language in ("en", "zh"):
        subset = [a for a in articles if a.language == language][:baseline_n]
        if not subset:
            continue
        full = timed(extract_events, subset)
        base = timed(baseline, subset)
        print(f"| {language} | {len(subset)} | {len(subset) / full:,.0f} | {len(subset) / base:,.0f} | "
              f"{megabytes(subset) / base:.2f} | {base / full:.1f}× |")


def _tables_digest(release: Path) -> str:
    digest = hashlib.sha256()
    for name in ("events.parquet", "events.csv"):
        digest.update((release / name).read_bytes())
    return digest.hexdigest()[:16]


def scaling(path: Path, scratch: Path) -> None:
    from events.release import build_release

    print(f"\n## Scaling (build_release of {path.name}, no cache)")
    digests = {}
    times = {}
    for jobs in (1, 2):
        out = scratch / f"scaling-{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        result = build_release(path, out, version="bench", jobs=jobs, cache=False)
        times[jobs] = result.seconds
        digests[jobs] = _tables_digest(out / "bench")
        print(f"jobs={jobs}: {result.seconds:.2f} s, {result.articles} articles, {result.events} events "
              f"({result.articles / result.seconds:,.0f} articles/s overall, worker processes: {result.jobs})")
    print(f"speed-up 1 → 2 workers: {times[1] / times[2]:.2f}× (cores here: {os.cpu_count()}); "
          f"tables identical: {digests[1] == digests[2]}")


def rebuild(path: Path, scratch: Path) -> None:
    from events.release import build_release

    print(f"\n## Incremental rebuild ({path.name})")
    work = scratch / "rebuild-corpus"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(path, work)
    out = scratch / "rebuild-out"
    shutil.rmtree(out, ignore_errors=True)
    cold = build_release(work, out, version="cold")
    print(f"cold: {cold.seconds:.2f} s, extracted {cold.extracted}, from cache {cold.cache_hits} "
          f"({cold.jobs} worker processes)")
    files = sorted(work.rglob("*.txt"))
    for changed in files[:: max(1, len(files) // 10)][:10]:
        with changed.open("a", encoding="utf-8") as handle:
            handle.write("\nThis article was updated.\n")
    warm = build_release(work, out, version="warm")
    print(f"warm (10 articles changed): {warm.seconds:.2f} s, extracted {warm.extracted}, from cache "
          f"{warm.cache_hits}; changes +{warm.added} −{warm.removed} ~{warm.changed}")
    same = build_release(work, out, version="same")
    print(f"warm (nothing changed): {same.seconds:.2f} s, extracted {same.extracted}, from cache {same.cache_hits}")


# ---------------------------------------------------------------------------------------------
# memory: a child process builds a release whose extractor copies real events


def _peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory_child(corpus_dir: Path, out: Path, version: str, per_article: int, variant: int) -> None:
    """Build one release in this process with a copying extractor; print events, seconds, peak MB."""
    from events import engine, timeline
    from events.extract import extract_events
    from events.release import build_release

    templates: list[Event] = []
    for article in ingest(REPO / "seeds"):
        if not isinstance(article, Reject):
            templates.extend(extract_events(article))

    def copying_extractor(article: Article) -> list[Event]:
        base = article.published_at.date() if article.published_at else dt.date(2020, 1, 1)
        events = []
        for i in range(per_article):
            template = templates[i % len(templates)]
            event_id = hashlib.sha256(f"{article.article_id}|{i}".encode()).hexdigest()[:16]
            title = template.title if (i + variant) % 97 else f"{template.title} (revised)"
            events.append(template.model_copy(update={
                "event_id": event_id, "article_id": article.article_id, "title": title,
                "date": base - dt.timedelta(days=i % 400), "source_title": article.title,
            }))
        return events

    engine.extract_events = copying_extractor  # type: ignore[attr-defined]
    # real articles give one to three events: keep the events per batch (≈ 400) as real batches have them
    engine.MAX_BATCH_ARTICLES = max(1, 400 // per_article)
    peaks: dict[str, float] = {}
    write_page = timeline.write_timeline_html

    def measured_page(*args: Any, **kwargs: Any) -> int:
        peaks["before"] = _peak_rss_mb()
        _reset_peak()
        written = write_page(*args, **kwargs)
        peaks["timeline"] = _peak_rss_mb()
        return written

    timeline.write_timeline_html = measured_page  # type: ignore[assignment]
    result = build_release(corpus_dir, out, version=version, jobs=1, cache=False)
    overall = max(peaks.get("before", 0), peaks.get("timeline", 0), _peak_rss_mb())
    print(f"{result.events} {result.seconds:.1f} {overall:.0f} {result.changed} {peaks.get('before', 0):.0f} "
          f"{peaks.get('timeline', 0):.0f}")


def _reset_peak() -> None:
    """Start VmHWM again from the current resident size (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass


def memory(events: int, scratch: Path) -> None:
    per_article = 100
    articles = max(1, events // per_article)
    path = corpus(None, articles, scratch)
    out = scratch / "memory-out"
    shutil.rmtree(out, ignore_errors=True)
    print(f"\n## Peak memory ({articles} articles × {per_article} copied events; extraction replaced)")
    for version, variant in (("first", 0), ("second", 1)):
        child = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(path), str(out), version, str(per_article),
             str(variant)],
            capture_output=True, text=True, check=False,
        )
        if child.returncode != 0:
            print(child.stdout, child.stderr)
            raise SystemExit(f"memory child failed ({child.returncode})")
        rows, seconds, peak, changed, before, page = child.stdout.strip().splitlines()[-1].split()
        what = "first release" if version == "first" else f"second release, compared with the first ({changed} changed)"
        print(f"{what}: {int(rows):,} events in {float(seconds):.1f} s, peak resident memory {float(peak):,.0f} MB "
              f"(until the timeline page: {float(before):,.0f} MB; while building it: {float(page):,.0f} MB)")
    sizes = {p.name: p.stat().st_size for p in (out / "second").iterdir()}
    print("files: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(sizes.items())))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--memory-child":
        memory_child(Path(argv[1]), Path(argv[2]), argv[3], int(argv[4]), int(argv[5]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="throughput corpus size (default 2000)")
    parser.add_argument("--baseline", type=int, default=100,
                        help="articles per language timed against the baseline (default 100)")
    parser.add_argument("--scaling", type=int, default=4000, help="articles for the 1 vs 2 workers run")
    parser.add_argument("--rebuild", type=int, default=2000, help="articles for the cold/warm rebuild")
    parser.add_argument("--memory-events", type=int, default=1_000_000, help="events for the memory run")
    parser.add_argument("--corpus", type=Path, help="use this corpus for throughput instead of generating one")
    parser.add_argument("--scratch", type=Path, help="working directory (default: a temporary one)")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS, help="sections to leave out")
    args = parser.parse_args(argv)
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench-extract-"))
    scratch.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        if "throughput" not in args.skip:
            throughput(corpus(args.corpus, args.articles, scratch), args.baseline)
        if "scaling" not in args.skip:
            scaling(corpus(None, args.scaling, scratch), scratch)
        if "rebuild" not in args.skip:
            rebuild(corpus(None, args.rebuild, scratch), scratch)
        if "memory" not in args.skip:
            memory(args.memory_events, scratch)
    finally:
        if args.scratch is None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
