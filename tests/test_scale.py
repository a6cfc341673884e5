"""Scale: batches and worker processes, the extraction cache, streamed tables, changes by hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from events import cache as cache_module
from events import engine
from events.cache import CACHE_DIR, CACHE_FILE, ExtractionCache, article_key
from events.cli import app
from events.release import (
    EventShards,
    build_release,
    compare_tables,
    extract_corpus,
    write_tables,
)
from events.schema import Article, events_to_frame
from events.tables import sort_events, write_csv_bytes, write_parquet_bytes

from .conftest import REPO, SEEDS

NOW = dt.datetime(2026, 5, 6, 7, 8, tzinfo=dt.timezone.utc)
RELEASE_FILES = ("events.parquet", "events.csv", "rejects.csv", "changes.json", "CHANGELOG.md", "timeline.html",
                 "datapackage.json", "event.schema.json")


# ---------------------------------------------------------------------------------------------
# fixtures: a corpus bigger than the in-process threshold, and a synthetic events table


def _corpus(target: Path, copies: int) -> Path:
    """``copies`` variants of each seed: same page, a different closing line (so a different article)."""
    target.mkdir()
    for copy in range(copies):
        for seed in sorted(SEEDS.glob("*.txt")):
            text = seed.read_text(encoding="utf-8").rstrip("\n")
            (target / f"c{copy:02d}_{seed.name}").write_text(f"{text}\n\nReprint number {copy}.\n",
                                                                encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("scale") / "corpus", copies=12)


@pytest.fixture(scope="module")
def single_process_release(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("single")
    build_release(corpus, out, version="v", now=NOW, jobs=1, cache=False)
    return out / "v"


@pytest.fixture(scope="module")
def events_table() -> pl.DataFrame:
    """About 2,000 real-looking events on many dates (the seeds' events, copied with new ids and dates)."""
    base = events_to_frame(extract_corpus(SEEDS).events)
    copies = []
    for i in range(2000 // base.height + 1):
        copies.append(base.with_columns(
            (pl.col("event_id") + f"-{i:04d}").alias("event_id"),
            (pl.col("date") - pl.duration(days=(i * 7) % 500)).alias("date"),
        ))
    return pl.concat(copies).sample(fraction=1.0, shuffle=True, seed=7)


def _bytes(release: Path) -> dict[str, bytes]:
    return {name: (release / name).read_bytes() for name in RELEASE_FILES}


# ---------------------------------------------------------------------------------------------
# streamed tables are byte-identical to the in-memory writers


@pytest.mark.parametrize(
    ("shard_rows", "partition_rows", "row_group_rows"),
    [(300, 250, 256), (5000, 100_000, 100_000), (97, 1000, 333), (1, 10_000, 64)],
)
def test_streamed_tables_equal_whole_table_writes(
    tmp_path: Path, events_table: pl.DataFrame, shard_rows: int, partition_rows: int, row_group_rows: int
) -> None:
    shards = EventShards(tmp_path / "shards", shard_rows=shard_rows)
    offset = 0
    for size in [1, 50, 7, 400, 3] * 200:
        shards.add(events_table.slice(offset, size))
        offset += size
    parts = list(shards.sorted_parts(partition_rows))
    if len(shards.date_counts) > 1:
        assert max(p.height for p in parts) <= max(partition_rows, max(shards.date_counts.values()))
    rows = write_tables(iter(parts), tmp_path / "e.parquet", tmp_path / "e.csv", row_group_rows=row_group_rows)

    whole = sort_events(events_table)
    assert rows == whole.height == events_table.height
    expected = io.BytesIO()
    whole.write_parquet(expected, compression="zstd", compression_level=3, statistics=True,
                        row_group_size=row_group_rows)
    assert (tmp_path / "e.parquet").read_bytes() == expected.getvalue()
    assert (tmp_path / "e.csv").read_bytes() == write_csv_bytes(whole)
    if row_group_rows == 100_000:  # the release's own size: exactly what write_parquet_bytes gives
        assert (tmp_path / "e.parquet").read_bytes() == write_parquet_bytes(whole)


def test_empty_table_is_written_like_the_in_memory_path(tmp_path: Path) -> None:
    rows = write_tables(iter([]), tmp_path / "e.parquet", tmp_path / "e.csv")
    assert rows == 0
    assert (tmp_path / "e.parquet").read_bytes() == write_parquet_bytes(events_to_frame([]))
    assert (tmp_path / "e.csv").read_bytes() == write_csv_bytes(events_to_frame([]))


def test_release_equals_in_memory_reference(corpus: Path, single_process_release: Path) -> None:
    outcome = extract_corpus(corpus)
    reference = sort_events(events_to_frame(outcome.events))
    assert reference.height > 40
    # the Chinese copies differ only in page chrome that ingest drops: duplicates across batches
    assert sum("duplicate of article c00_002" in reason for _, _, reason in outcome.rejects) == 11
    assert (single_process_release / "events.parquet").read_bytes() == write_parquet_bytes(reference)
    assert (single_process_release / "events.csv").read_bytes() == write_csv_bytes(reference)


# ---------------------------------------------------------------------------------------------
# worker processes


def test_two_workers_give_the_same_release(corpus: Path, single_process_release: Path, tmp_path: Path) -> None:
    result = build_release(corpus, tmp_path, version="v", now=NOW, jobs=2, cache=False)
    assert result.jobs == 2  # 60 articles: above the in-process threshold
    assert result.extracted == 60
    assert _bytes(tmp_path / "v") == _bytes(single_process_release)


def test_dask_engine_gives_the_same_release(corpus: Path, single_process_release: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="the optional 'cluster' extra is not installed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = engine.DaskEngine(client)
        first = build_release(corpus, tmp_path, version="v", now=NOW, engine_name=on_dask)
        again = build_release(corpus, tmp_path, version="w", now=NOW, engine_name=on_dask)
    assert first.jobs == 2 and (first.extracted, first.cache_hits) == (60, 0)
    assert (again.extracted, again.cache_hits) == (0, 60)  # the workers read OUT/.cache
    assert _bytes(tmp_path / "v") == _bytes(single_process_release)


def test_small_corpus_stays_in_process(tmp_path: Path) -> None:
    result = build_release(SEEDS, tmp_path, version="v", jobs=4, cache=False)
    assert result.jobs == 1


def test_batches_cover_every_file_in_order(corpus: Path) -> None:
    tasks = engine.plan_batches(corpus, jobs=2)
    files = [p for t in tasks for p in t.paths]
    assert files == [str(p) for p in sorted(corpus.glob("*.txt"))]
    assert len(tasks) > 1 and [t.number for t in tasks] == list(range(len(tasks)))


def failing_batch(task: engine.BatchTask) -> engine.BatchResult:
    """A batch function that fails on files named *c03_001* and kills its worker on *c05_002* (top level: picklable)."""
    if any("c05_002" in p for p in task.paths) and os.environ.get("EVENTS_TEST_IN_WORKER") == "1":
        os._exit(3)
    if any("c03_001" in p for p in task.paths):
        raise RuntimeError("boom")
    return engine.extract_batch(task)


def _outcomes(results: list[engine.BatchResult]) -> dict[str, str | None]:
    return {item.source_path: item.reason for r in results for item in r.items}


def test_a_failing_file_is_rejected_alone(corpus: Path) -> None:
    tasks = engine.plan_batches(corpus, jobs=1)
    results = list(engine.run_batches(engine.InProcessEngine(), tasks, failing_batch))
    reasons = _outcomes(results)
    assert len(reasons) == 60
    bad = [path for path, reason in reasons.items() if reason and "internal error" in reason]
    assert bad == ["c03_001_e2c380f547992bdb.txt"]
    assert "RuntimeError: boom" in (reasons[bad[0]] or "")
    assert sum(r.events().height for r in results) > 50


def test_a_dying_worker_costs_one_file(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTS_TEST_IN_WORKER", "1")  # the spawned workers inherit it
    pool = engine.ProcessEngine(2)
    try:
        results = list(engine.run_batches(pool, engine.plan_batches(corpus, jobs=2), failing_batch))
    finally:
        pool.close()
    reasons = _outcomes(results)
    assert len(reasons) == 60
    assert "worker process died" in (reasons["c05_002_220121f0c91277fb.txt"] or "")
    assert "RuntimeError: boom" in (reasons["c03_001_e2c380f547992bdb.txt"] or "")
    failed = {"c05_002_220121f0c91277fb.txt", "c03_001_e2c380f547992bdb.txt"}
    assert all(reason is None for path, reason in reasons.items() if path not in failed)


# ---------------------------------------------------------------------------------------------
# the extraction cache


def _article(**changes: Any) -> Article:
    base = {
        "article_id": "a1", "source_path": "a1.txt", "text": "On May 3 the mayor met a delegation.",
        "title": "Mayor meets delegation", "published_at": dt.datetime(2021, 5, 4, 9, 0),
        "source_name": "Daily", "source_url": "https://example.org/a1", "language": "en",
    }
    return Article(**{**base, **changes})


@pytest.mark.parametrize(
    "change",
    [
        {"text": "On May 4 the mayor met a delegation."},
        {"article_id": "a2"},
        {"title": "Mayor meets delegations"},
        {"published_at": dt.datetime(2021, 5, 5, 9, 0)},
        {"published_at": None},
        {"source_name": "Evening News"},
        {"source_url": "https://example.org/a2"},
        {"language": "zh"},
    ],
)
def test_cache_key_covers_content_and_metadata(change: dict[str, Any]) -> None:
    assert article_key(_article(**change), "v1") != article_key(_article(), "v1")
    assert article_key(_article(), "v1") == article_key(_article(), "v1")
    assert article_key(_article(), "v2") != article_key(_article(), "v1")


def test_fingerprint_names_the_extractor_version() -> None:
    from events import EXTRACTOR_VERSION

    assert cache_module.extractor_fingerprint().startswith(f"{EXTRACTOR_VERSION}+")


def test_rebuild_extracts_only_what_changed(corpus: Path, single_process_release: Path, tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    work.mkdir()
    for path in corpus.iterdir():
        (work / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    cold = build_release(work, out, version="1", now=NOW, jobs=1)
    assert (cold.extracted, cold.cache_hits) == (60, 0)
    assert _bytes(out / "1")["events.parquet"] == _bytes(single_process_release)["events.parquet"]

    warm = build_release(work, out, version="2", now=NOW, jobs=1)
    assert (warm.extracted, warm.cache_hits) == (0, 60)
    assert (warm.added, warm.removed, warm.changed) == (0, 0, 0)
    for name in ("events.parquet", "events.csv", "rejects.csv"):
        assert (out / "2" / name).read_bytes() == (out / "1" / name).read_bytes()

    changed = work / "c01_000_41402a6688905fa1.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA correction was added.\n", encoding="utf-8")
    renamed = work / "c04_003_1c4934fb60e6f169.txt"
    renamed.rename(renamed.with_name("zz_" + renamed.name))  # same text, new article id
    third = build_release(work, out, version="3", now=NOW, jobs=1)
    assert (third.extracted, third.cache_hits) == (2, 58)
    frame = pl.read_parquet(out / "3" / "events.parquet")
    assert ("zz_" + renamed.stem) in set(frame["article_id"])
    assert third.added >= 1 and third.removed >= 1


def test_unchanged_files_are_not_even_ingested_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in SEEDS.glob("*.txt"):
        (seeds / path.name).write_bytes(path.read_bytes())
    (seeds / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    first = build_release(seeds, out, version="1", now=NOW)
    read: list[str] = []
    original = engine.read_articles

    def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        read.append(Path(path).name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(engine, "read_articles", counting)
    second = build_release(seeds, out, version="2", now=NOW)
    assert read == []
    assert (second.extracted, second.cache_hits, second.rejects) == (0, 5, first.rejects)
    assert (out / "2" / "rejects.csv").read_bytes() == (out / "1" / "rejects.csv").read_bytes()
    assert (out / "2" / "events.parquet").read_bytes() == (out / "1" / "events.parquet").read_bytes()

    changed = seeds / "003_1c4934fb60e6f169.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Recently,", "On July 18,", 1), encoding="utf-8")
    third = build_release(seeds, out, version="3", now=NOW)
    assert read == [changed.name]
    assert (third.extracted, third.cache_hits) == (1, 4)
    assert third.changed + third.added >= 1


def test_no_cache_extracts_everything_and_leaves_the_cache_alone(corpus: Path, tmp_path: Path) -> None:
    build_release(SEEDS, tmp_path, version="1", now=NOW)
    store = tmp_path / CACHE_DIR / CACHE_FILE
    before = store.read_bytes()
    result = build_release(SEEDS, tmp_path, version="2", now=NOW, cache=False)
    assert (result.extracted, result.cache_hits) == (5, 0)
    assert store.read_bytes() == before
    assert build_release(SEEDS, tmp_path, version="3", now=NOW).cache_hits == 5


def test_changed_extractor_version_invalidates_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_release(SEEDS, tmp_path, version="1", now=NOW)
    assert build_release(SEEDS, tmp_path, version="2", now=NOW).cache_hits == 5
    monkeypatch.setattr(cache_module, "EXTRACTOR_VERSION", "99.0.0")
    cache_module.extractor_fingerprint.cache_clear()
    try:
        result = build_release(SEEDS, tmp_path, version="3", now=NOW)
        assert (result.extracted, result.cache_hits) == (5, 0)
        assert cache_module.extractor_fingerprint().startswith("99.0.0+")
    finally:
        cache_module.extractor_fingerprint.cache_clear()


def test_cache_of_another_fingerprint_is_emptied(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with ExtractionCache(path, "one") as store:
        store.put_many([("k1", b"x"), ("k2", b"")])
        assert store.get_many(["k1", "k2", "k3"]) == {"k1": b"x", "k2": b""}
    with ExtractionCache(path, "one", readonly=True) as reader:
        assert reader.get_many(["k1"]) == {"k1": b"x"}
    with ExtractionCache(path, "two", readonly=True) as reader:
        assert reader.get_many(["k1"]) == {}
    with ExtractionCache(path, "two") as store:
        assert store.entries() == 0


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_cache_is_ignored_with_a_warning(tmp_path: Path, damage: str) -> None:
    reference = build_release(SEEDS, tmp_path / "ref", version="1", now=NOW, cache=False)
    out = tmp_path / "out"
    build_release(SEEDS, out, version="1", now=NOW)
    store = out / CACHE_DIR / CACHE_FILE
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    data = store.read_bytes()
    store.write_bytes({"garbage": os.urandom(len(data)), "truncated": data[: len(data) // 3], "empty": b""}[damage])

    result = build_release(SEEDS, out, version="2", now=NOW)
    assert result.events == reference.events
    assert (out / "2" / "events.parquet").read_bytes() == (tmp_path / "ref" / "1" / "events.parquet").read_bytes()
    if damage != "empty":  # an empty file is a valid new database
        assert result.warnings and "cache" in result.warnings[0]
    assert build_release(SEEDS, out, version="3", now=NOW).cache_hits == 5  # a fresh cache was started


def test_damaged_entry_is_extracted_again(tmp_path: Path) -> None:
    build_release(SEEDS, tmp_path, version="1", now=NOW)
    store = tmp_path / CACHE_DIR / CACHE_FILE
    with sqlite3.connect(store) as db:
        db.execute("UPDATE extractions SET payload = X'7b7d' WHERE key = (SELECT min(key) FROM extractions)")
    result = build_release(SEEDS, tmp_path, version="2", now=NOW)
    assert (result.extracted, result.cache_hits) == (1, 4)
    assert any("damaged" in w for w in result.warnings)
    assert (tmp_path / "2" / "events.parquet").read_bytes() == (tmp_path / "1" / "events.parquet").read_bytes()


# ---------------------------------------------------------------------------------------------
# changes between releases, without rows of Python objects


def _reference_changes(previous: pl.DataFrame, current: pl.DataFrame) -> dict[str, Any]:
    """The row-by-row comparison the release used before (Python dicts): the hashes must agree with it."""
    prev_rows = {r["event_id"]: r for r in previous.iter_rows(named=True)}
    cur_rows = {r["event_id"]: r for r in current.iter_rows(named=True)}
    changed = []
    for event_id in sorted(prev_rows.keys() & cur_rows.keys()):
        before, after = prev_rows[event_id], cur_rows[event_id]
        fields = sorted(n for n in after if n != "extractor_version" and n in before and before[n] != after[n])
        if fields:
            changed.append({"event_id": event_id, "fields": fields})
    return {"added": sorted(cur_rows.keys() - prev_rows.keys()), "removed": sorted(prev_rows.keys() - cur_rows.keys()),
            "changed": changed}


def test_changes_agree_with_row_by_row_comparison(events_table: pl.DataFrame) -> None:
    previous = sort_events(events_table)
    ids = previous["event_id"].to_list()
    current = (
        previous.filter(~pl.col("event_id").is_in(ids[:5]))
        .with_columns(
            pl.when(pl.col("event_id").is_in(ids[10:14])).then(pl.lit("Changed title")).otherwise(pl.col("title"))
            .alias("title"),
            pl.when(pl.col("event_id") == ids[20]).then(pl.lit(["someone"])).otherwise(pl.col("persons"))
            .alias("persons"),
            pl.when(pl.col("event_id") == ids[21]).then(None).otherwise(pl.col("latitude")).alias("latitude"),
            pl.when(pl.col("event_id") == ids[22]).then(pl.lit("9.9.9")).otherwise(pl.col("extractor_version"))
            .alias("extractor_version"),
        )
    )
    current = pl.concat([current, previous.head(3).with_columns((pl.col("event_id") + "-new").alias("event_id"))])
    got = compare_tables(previous, current)
    assert got == _reference_changes(previous, current)
    assert len(got["removed"]) == 5 and len(got["added"]) == 3
    assert {c["event_id"] for c in got["changed"]} == {*ids[10:14], ids[20], ids[21]}
    assert compare_tables(previous.lazy(), current.lazy()) == got
    first = compare_tables(None, current)
    assert first["added"] == sorted(current["event_id"].to_list()) and first["changed"] == []


# ---------------------------------------------------------------------------------------------
# the benchmark corpus and the command line


def _make_corpus_module() -> Any:
    spec = importlib.util.spec_from_file_location("make_corpus", REPO / "benchmarks" / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_corpus_is_reproducible_and_mixed(tmp_path: Path) -> None:
    make_corpus = _make_corpus_module()
    first = make_corpus.write_corpus(20, tmp_path / "a", SEEDS, seed=3)
    again = make_corpus.write_corpus(20, tmp_path / "b", SEEDS, seed=3)
    other = make_corpus.write_corpus(20, tmp_path / "c", SEEDS, seed=4)

    def digest(paths: list[Path]) -> str:
        return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in paths)).hexdigest()

    assert digest(first) == digest(again) != digest(other)
    from events.ingest import ingest

    articles = [a for a in ingest(tmp_path / "a") if isinstance(a, Article)]
    assert len(articles) == 20
    assert sum(a.language == "zh" for a in articles) == 4  # one seed in five is Chinese
    seed_texts = {p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    assert not {p.read_text(encoding="utf-8") for p in first} & seed_texts


def test_cli_release_options(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["release", "--seeds", str(SEEDS), "--out", str(tmp_path), "-q"]
    result = runner.invoke(app, [*args, "--version", "a", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "5 extracted, 0 from cache" in " ".join(result.output.split())
    result = runner.invoke(app, [*args, "--version", "b"])
    assert "0 extracted, 5 from cache" in " ".join(result.output.split())
    result = runner.invoke(app, [*args, "--version", "c", "--no-cache", "--engine", "local"])
    assert result.exit_code == 0 and "5 extracted, 0 from cache" in " ".join(result.output.split())
    assert runner.invoke(app, [*args, "--version", "d", "--jobs", "0"]).exit_code == 2
    assert runner.invoke(app, [*args, "--version", "d", "--engine", "spark"]).exit_code == 2


def test_snapshot_gate_reports_identical_and_then_a_changed_event(tmp_path: Path) -> None:
    """benchmarks/snapshot.py is the gate for speed work: it must see no change on a rerun and must see one."""
    spec = importlib.util.spec_from_file_location("snapshot", REPO / "benchmarks" / "snapshot.py")
    assert spec and spec.loader
    snapshot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(snapshot)
    recorded = tmp_path / "snapshot.jsonl"
    assert snapshot.main(["write", str(recorded), str(SEEDS)]) == 0
    lines = recorded.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 5 and all(json.loads(line)["event_id"] for line in lines)
    assert snapshot.main(["check", str(recorded), str(SEEDS)]) == 0
    changed = json.loads(lines[0])
    changed["location_name"] = "Elsewhere"
    recorded.write_text("\n".join([json.dumps(changed, ensure_ascii=False, sort_keys=True), *lines[1:]]) + "\n")
    assert snapshot.main(["check", str(recorded), str(SEEDS)]) == 1
