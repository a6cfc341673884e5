"""Build and publish a release: ``OUT/VERSION/`` plus the ``OUT/releases.json`` index.

A release is built in a temporary directory beside its target and renamed into place only when every
file is written, so an interrupted build never leaves a half release; ``releases.json`` is replaced
atomically. A lock file serialises concurrent builds on the same output directory.

Extraction runs in batches (``events.engine``: in this process, a process pool or Dask) with an
extraction cache under ``OUT/.cache/`` (``events.cache``). Memory stays bounded whatever the corpus
size: each batch's events are spilled to sorted Parquet shards, the published tables are written
from them one date range at a time, and the changes against the previous release are computed from
per-column hashes instead of rows of Python objects. The files are byte-identical to writing the
whole sorted table at once, and do not depend on the number of workers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from polars.io.plugins import register_io_source

from events import EXTRACTOR_VERSION, __version__, engine, places, timeline
from events.cache import EXTRACTIONS, FILES, ExtractionCache
from events.extract import extract_events
from events.fsutil import fsync_dir, sha256_file, write_atomic
from events.ingest import IngestLimits, Reject, ingest
from events.schema import SCHEMA_VERSION, Article, Event, empty_frame, json_schema, table_schema
from events.tables import to_csv_frame, write_csv_bytes, write_parquet_bytes
from events.text import TRADITIONAL_SOURCE

RELEASES_INDEX = "releases.json"
LOCK_NAME = ".release.lock"
#: a lock without a pid this old was left by a build killed between creating and writing it
LOCK_GRACE_SECONDS = 10.0
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
TABLE_FILES = ("events.parquet", "events.csv")
SORT_KEY = ["date", "event_id"]
#: rows per Parquet row group of the published table (fixed, so the bytes do not depend on batching)
ROW_GROUP_ROWS = 100_000
#: events sorted in memory at once when the tables are written (≈ 1.5 KB each, twice while sorting)
PARTITION_ROWS = 50_000
#: events gathered before a shard is spilled to disk
SHARD_ROWS = 25_000
#: the cache is pruned of articles no longer in the corpus when they outnumber the ones in it
PRUNE_SLACK = 1_000

ProgressCallback = Callable[[int, int | None, str], None]


class ReleaseError(RuntimeError):
    """A release could not be built; the message is one clear line for the user."""


@dataclass
class ReleaseResult:
    version: str
    path: Path
    events: int
    articles: int
    rejects: int
    added: int
    removed: int
    changed: int
    seconds: float
    files: dict[str, int] = field(default_factory=dict)
    #: articles whose events came from the extraction cache, and articles extracted in this build
    cache_hits: int = 0
    extracted: int = 0
    jobs: int = 1
    #: problems that did not stop the build (an unusable cache, ...), one line each
    warnings: list[str] = field(default_factory=list)


@dataclass
class ExtractionOutcome:
    events: list[Event]
    articles: list[Article]
    rejects: list[tuple[str, str, str]]  # (source_path, article_id, reason)


# ---------------------------------------------------------------------------------------------
# helpers


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def release_lock(out: Path) -> Iterator[None]:
    """Serialise builds on one output directory; a lock left by a dead process is taken over."""
    lock = out / LOCK_NAME
    me = f"{os.getpid()} {socket.gethostname()}\n"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid_text, host = "?", ""
            try:
                pid_text, _, host = lock.read_text().strip().partition(" ")
                pid = int(pid_text)
            except (OSError, ValueError):
                pid = -1
            if host == socket.gethostname() and pid > 0 and not _pid_alive(pid):
                lock.unlink(missing_ok=True)  # stale: its process is gone
                continue
            if pid == -1:  # no pid yet: a build between creating and writing the lock, or killed right there
                try:
                    age = time.time() - lock.stat().st_mtime
                except FileNotFoundError:
                    continue
                if age > LOCK_GRACE_SECONDS:
                    lock.unlink(missing_ok=True)
                    continue
                raise ReleaseError(
                    f"another release is starting on {out} (lock {lock} is empty, {age:.0f} s old); "
                    "retry in a few seconds, or remove the lock if no release is running"
                ) from None
            raise ReleaseError(
                f"another release is running on {out} (lock {lock} held by pid {pid_text}); "
                "wait for it or remove the lock if that process is gone"
            ) from None
        except OSError as exc:
            raise ReleaseError(f"cannot create lock file {lock}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(me)
        except OSError as exc:
            lock.unlink(missing_ok=True)
            raise ReleaseError(f"cannot write lock file {lock}: {exc.strerror or exc}") from None
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def read_index(out: Path) -> dict[str, Any]:
    path = out / RELEASES_INDEX
    if not path.exists():
        return {"latest": None, "releases": []}
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReleaseError(f"{path} is not valid JSON ({exc}); fix or remove it") from None
    data.setdefault("releases", [])
    return data


def default_version(out: Path, today: dt.date) -> str:
    """CalVer ``YYYY.MM.DD``, with ``.N`` for further releases the same day."""
    base = today.strftime("%Y.%m.%d")
    existing = {r["version"] for r in read_index(out)["releases"]} | {
        p.name for p in out.glob(f"{base}*") if p.is_dir()
    }
    if base not in existing:
        return base
    n = 1
    while f"{base}.{n}" in existing:
        n += 1
    return f"{base}.{n}"


def _version_key(version: str) -> list[tuple[int, Any]]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-_]", version)]


# ---------------------------------------------------------------------------------------------
# extraction over a corpus


class FirstSeen:
    """Duplicates (same content, or an id already used) are rejected: the first article in file order wins."""

    def __init__(self) -> None:
        self.hashes: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    def duplicate(self, source_path: str, article_id: str, content_hash: str) -> str | None:
        """The reject reason when the article was seen before, else None (and it is remembered)."""
        if content_hash in self.hashes:
            return f"duplicate of article {self.hashes[content_hash]}"
        if article_id in self.ids:
            return f"article id {article_id!r} already used by {self.ids[article_id]}"
        self.hashes[content_hash] = article_id
        self.ids[article_id] = source_path
        return None


def extract_corpus(
    seeds: Path, limits: IngestLimits | None = None, progress: ProgressCallback | None = None
) -> ExtractionOutcome:
    """Ingest and extract every article in memory, in this process (the reference the release path must match)."""
    events: list[Event] = []
    articles: list[Article] = []
    rejects: list[tuple[str, str, str]] = []
    seen = FirstSeen()
    done = 0
    for item in ingest(seeds, limits or IngestLimits()):
        done += 1
        if progress:
            progress(done, None, item.source_path)
        if isinstance(item, Reject):
            rejects.append((item.source_path, item.article_id or "", item.reason))
            continue
        article = item
        duplicate = seen.duplicate(article.source_path, article.article_id, article.content_hash)
        if duplicate:
            rejects.append((article.source_path, article.article_id, duplicate))
            continue
        try:
            found = extract_events(article)
        except Exception as exc:  # one bad article must not stop the release
            rejects.append((article.source_path, article.article_id, engine.failure_reason(exc)))
            continue
        if not found:
            rejects.append((article.source_path, article.article_id, engine.no_event_reason(article)))
            continue
        articles.append(article)
        events.extend(found)
    return ExtractionOutcome(events=events, articles=articles, rejects=rejects)


# ---------------------------------------------------------------------------------------------
# extraction in batches, events spilled to shards


class EventShards:
    """The events of one build as sorted Parquet shards in a scratch directory, so memory stays bounded."""

    def __init__(self, directory: Path, shard_rows: int = SHARD_ROWS):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.shard_rows = shard_rows
        self.paths: list[Path] = []
        self.rows = 0
        self.date_counts: Counter[dt.date] = Counter()
        self._pending: list[pl.DataFrame] = []
        self._pending_rows = 0

    def add(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        self._pending.append(frame)
        self._pending_rows += frame.height
        if self._pending_rows >= self.shard_rows:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        frame = pl.concat(self._pending).sort(SORT_KEY, maintain_order=True)
        self._pending, self._pending_rows = [], 0
        path = self.directory / f"{len(self.paths):06d}.parquet"
        frame.write_parquet(path, compression="lz4", statistics=True, row_group_size=16_384)
        self.paths.append(path)
        self.rows += frame.height
        for date, count in frame.group_by("date").len().iter_rows():
            self.date_counts[date] += count

    def date_ranges(self, max_rows: int) -> list[tuple[dt.date, dt.date]]:
        """Consecutive date ranges of at most ``max_rows`` events each (one date may exceed it alone)."""
        ranges: list[tuple[dt.date, dt.date]] = []
        start: dt.date | None = None
        last: dt.date | None = None
        rows = 0
        for date in sorted(self.date_counts):
            count = self.date_counts[date]
            if start is not None and last is not None and rows + count > max_rows:
                ranges.append((start, last))
                start, rows = None, 0
            start = date if start is None else start
            last = date
            rows += count
        if start is not None and last is not None:
            ranges.append((start, last))
        return ranges

    def sorted_parts(self, max_rows: int = PARTITION_ROWS) -> Iterator[pl.DataFrame]:
        """The whole table sorted by date and event id, one date range of at most ~``max_rows`` at a time.

        Every shard is sorted by date, so it is cut at the ranges' bounds into one piece per range,
        one shard at a time; then each range's pieces are read, sorted and handed on. Each step holds
        one shard or one range in memory, never the table.
        """
        self.flush()
        ranges = self.date_ranges(max_rows)
        if len(ranges) <= 1:
            if self.paths:
                yield pl.read_parquet(self.paths).sort(SORT_KEY, maintain_order=True)
            return
        pieces: list[list[Path]] = [[] for _ in ranges]
        for number, path in enumerate(self.paths):
            shard = pl.read_parquet(path)
            dates = shard["date"]
            start = 0
            for index, (_, high) in enumerate(ranges):
                end = int(dates.search_sorted(high, side="right"))
                if end > start:
                    piece = self.directory / f"range-{index:05d}-{number:06d}.parquet"
                    shard.slice(start, end - start).write_parquet(piece, compression="lz4", statistics=False)
                    pieces[index].append(piece)
                start = end
            del shard, dates
        for paths in pieces:
            if paths:
                part = pl.read_parquet(paths).sort(SORT_KEY, maintain_order=True)
                for piece in paths:
                    piece.unlink()
                yield part


@dataclass
class CorpusResult:
    """What the extraction of a corpus left: shards of events and the per-article bookkeeping."""

    shards: EventShards
    articles: int = 0
    rejects: list[tuple[str, str, str]] = field(default_factory=list)
    cache_hits: int = 0
    extracted: int = 0
    jobs: int = 1
    warnings: list[str] = field(default_factory=list)


def extract_to_shards(
    seeds: Path,
    shards: EventShards,
    *,
    limits: IngestLimits | None = None,
    progress: ProgressCallback | None = None,
    jobs: int | None = None,
    cache: ExtractionCache | None = None,
    engine_name: str | engine.ExtractionEngine = "local",
) -> CorpusResult:
    """Ingest and extract every article under ``seeds`` into ``shards``; failures become rejects."""
    jobs = jobs or engine.default_jobs()
    reading = cache is not None and cache.enabled
    tasks = engine.plan_batches(
        seeds, jobs=jobs, limits=limits, cache_path=cache.path if reading and cache is not None else None,
        fingerprint=cache.fingerprint if cache is not None else None,
    )
    warnings: list[str] = []
    if isinstance(engine_name, str):
        try:
            runner = engine.make_engine(engine_name, jobs, engine.estimated_articles(tasks), warnings)
        except engine.EngineError as exc:
            raise ReleaseError(str(exc)) from None
        owned = True
    else:
        runner, owned = engine_name, False
    result = CorpusResult(shards=shards, jobs=runner.workers, warnings=warnings)
    seen = FirstSeen()
    used_keys: set[str] = set()
    used_files: set[str] = set()
    done = damaged = 0
    try:
        for batch in engine.run_batches(runner, tasks):
            if cache is not None:
                cache.put_many(batch.fresh)
                cache.put_many(batch.files, FILES)
                used_files.update(batch.file_keys)
            result.cache_hits += batch.cache_hits
            result.extracted += batch.extracted
            damaged += batch.damaged
            kept: list[int] = []
            for index, item in enumerate(batch.items):
                done += 1
                if progress:
                    progress(done, None, item.source_path)
                if item.cache_key:
                    used_keys.add(item.cache_key)
                if item.content_hash is None:  # rejected by ingest
                    result.rejects.append((item.source_path, item.article_id or "", item.reason or ""))
                    continue
                article_id = item.article_id or ""
                reason = seen.duplicate(item.source_path, article_id, item.content_hash) or item.reason
                if reason:
                    result.rejects.append((item.source_path, article_id, reason))
                    continue
                kept.append(index)
                result.articles += 1
            frame = batch.events()
            if frame.height and len(kept) < len(batch.items):
                frame = frame.filter(pl.col(engine.ITEM_COLUMN).is_in(kept))
            shards.add(frame.drop(engine.ITEM_COLUMN))
    finally:
        if owned:
            runner.close()
        engine.close_cache_readers()  # those of batches that ran in this process
    shards.flush()
    if cache is not None:
        for table, used in ((EXTRACTIONS, used_keys), (FILES, used_files)):
            if cache.enabled and cache.entries(table) > len(used) * 2 + PRUNE_SLACK:
                cache.retain(used, table)
        result.warnings.extend(cache.warnings)
    if damaged:
        result.warnings.append(f"{damaged} damaged extraction cache entries were ignored (extracted again)")
    return result


# ---------------------------------------------------------------------------------------------
# the published tables, written from the shards


def write_tables(parts: Iterable[pl.DataFrame], parquet_path: Path, csv_path: Path, *,
                 row_group_rows: int = ROW_GROUP_ROWS) -> int:
    """Write sorted parts (in order) as the published Parquet file, then the CSV from it; returns the rows.

    Both are byte-identical to ``write_parquet_bytes``/``write_csv_bytes`` of the whole table at once:
    the Parquet file is cut into row groups of exactly ``row_group_rows`` rows whatever the parts'
    sizes, and the CSV is written in slices of the Parquet file with one header.
    """
    rows = write_parquet_parts(parts, parquet_path, row_group_rows=row_group_rows)
    if rows == 0:
        parquet_path.write_bytes(write_parquet_bytes(empty_frame()))
        csv_path.write_bytes(write_csv_bytes(empty_frame()))
        return 0
    scan = pl.scan_parquet(parquet_path)
    with csv_path.open("wb") as handle:
        handle.write(b"\xef\xbb\xbf")
        for offset in range(0, rows, row_group_rows):
            chunk = scan.slice(offset, row_group_rows).collect()
            to_csv_frame(chunk).write_csv(handle, include_header=offset == 0, quote_style="necessary",
                                          line_terminator="\n")
    return rows


def write_parquet_parts(parts: Iterable[pl.DataFrame], path: Path, *, row_group_rows: int = ROW_GROUP_ROWS) -> int:
    """Stream sorted parts into one Parquet file in row groups of ``row_group_rows``; returns the rows."""
    rows = 0

    def row_groups() -> Iterator[pl.DataFrame]:
        nonlocal rows
        carry: pl.DataFrame | None = None
        for part in parts:
            if part.height == 0:
                continue
            rows += part.height
            carry = part if carry is None else pl.concat([carry, part])
            full = carry.height - carry.height % row_group_rows
            for offset in range(0, full, row_group_rows):
                yield carry.slice(offset, row_group_rows).rechunk()
            carry = carry.slice(full)
        if carry is not None and carry.height:
            yield carry.rechunk()

    def source(with_columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None,
               batch_size: int | None) -> Iterator[pl.DataFrame]:
        for group in row_groups():
            if predicate is not None:
                group = group.filter(predicate)
            yield group.select(with_columns) if with_columns is not None else group

    register_io_source(source, schema=empty_frame().schema).sink_parquet(
        path, compression="zstd", compression_level=3, statistics=True, row_group_size=row_group_rows
    )
    return rows


# ---------------------------------------------------------------------------------------------
# changes against the previous release


#: columns whose change alone does not make an event "changed"
CHANGES_IGNORE = frozenset({"extractor_version"})
#: ids listed per section of CHANGELOG.md (changes.json lists all)
CHANGELOG_LIMIT = 200

TableLike = pl.DataFrame | pl.LazyFrame


def compare_tables(previous: TableLike | None, current: TableLike) -> dict[str, Any]:
    """Event ids added, removed and changed (with the changed columns) between two tables.

    Rows are compared through hashes (one per row, then one per column for the rows that differ), so
    two tables of a million events need tens of megabytes, not rows of Python objects.
    """
    cur = current.lazy()
    if previous is None:
        ids = cur.select("event_id").collect()["event_id"].to_list()
        return {"previous_version": None, "added": sorted(ids), "removed": [], "changed": []}
    prev = previous.lazy()
    prev_columns = set(prev.collect_schema().names())
    fields = sorted(c for c in cur.collect_schema().names()
                    if c != "event_id" and c not in CHANGES_IGNORE and c in prev_columns)

    def row_hashes(frame: pl.LazyFrame) -> pl.DataFrame:
        hashed = pl.struct([pl.col(c).hash(seed=0) for c in fields]).hash(seed=0) if fields else pl.lit(0, pl.UInt64)
        return _in_steps(frame, [hashed.alias("_row")]).unique("event_id", keep="last", maintain_order=True)

    before, after = row_hashes(prev), row_hashes(cur)
    joined = before.join(after, on="event_id", how="full", suffix="_now")
    added = joined.filter(pl.col("event_id").is_null())["event_id_now"].to_list()
    removed = joined.filter(pl.col("event_id_now").is_null())["event_id"].to_list()
    differing = joined.filter(pl.col("event_id").is_not_null() & pl.col("event_id_now").is_not_null()
                              & (pl.col("_row") != pl.col("_row_now")))
    changed: list[dict[str, Any]] = []
    if differing.height:
        changed = _changed_fields(
            (prev, set(differing["_step"].to_list())), (cur, set(differing["_step_now"].to_list())), fields,
            differing["event_id"],
        )
    return {"added": sorted(added), "removed": sorted(removed), "changed": changed}


def _in_steps(frame: pl.LazyFrame, exprs: list[pl.Expr], *, ids: pl.Series | None = None,
              steps: set[int] | None = None, step: int = ROW_GROUP_ROWS) -> pl.DataFrame:
    """``event_id``, ``exprs`` and ``_step`` (which slice) of every row, one slice of rows at a time.

    A slice of a Parquet scan reads about one row group, so memory holds one slice of the table, not
    all of it. ``ids`` keeps only those events; ``steps`` reads only those slices.
    """
    rows = frame.select(pl.len()).collect().item()
    parts = []
    for number, offset in enumerate(range(0, rows, step)):
        if steps is not None and number not in steps:
            continue
        part = frame.slice(offset, step)
        if ids is not None:
            part = part.filter(pl.col("event_id").is_in(ids.implode()))
        parts.append(part.select("event_id", *exprs, pl.lit(number, dtype=pl.Int32).alias("_step")).collect())
    if not parts:
        return frame.select("event_id", *exprs, pl.lit(0, dtype=pl.Int32).alias("_step")).clear().collect()
    return pl.concat(parts)


def _changed_fields(prev: tuple[pl.LazyFrame, set[int]], cur: tuple[pl.LazyFrame, set[int]], fields: list[str],
                    ids: pl.Series) -> list[dict[str, Any]]:
    def column_hashes(frame: pl.LazyFrame, steps: set[int]) -> pl.DataFrame:
        hashes = [pl.col(c).hash(seed=0) for c in fields]
        found = _in_steps(frame, hashes, ids=ids, steps=steps)
        return found.drop("_step").unique("event_id", keep="last", maintain_order=True)

    both = column_hashes(*prev).join(column_hashes(*cur), on="event_id", how="inner", suffix="_now")
    names = pl.concat_list([pl.when(pl.col(c) != pl.col(f"{c}_now")).then(pl.lit(c)) for c in fields])
    rows = both.select("event_id", names.list.drop_nulls().alias("fields"))
    return [
        {"event_id": event_id, "fields": list(changed)}
        for event_id, changed in sorted(rows.iter_rows())
        if changed
    ]


def _titles(ids: Iterable[str], tables: Sequence[TableLike | None]) -> dict[str, str]:
    """Titles of a few events, from the first table that has them."""
    wanted = set(ids)
    titles: dict[str, str] = {}
    for table in tables:
        missing = wanted - titles.keys()
        if table is None or not missing:
            continue
        found = (table.lazy().filter(pl.col("event_id").is_in(pl.Series(sorted(missing)).implode()))
                 .select("event_id", "title").collect())
        for event_id, title in found.iter_rows():
            titles.setdefault(event_id, title)
    return titles


def changelog_markdown(version: str, previous: str | None, changes: dict[str, Any], current: TableLike,
                       previous_frame: TableLike | None) -> str:
    shown = [*changes["added"][:CHANGELOG_LIMIT], *changes["removed"][:CHANGELOG_LIMIT],
             *(c["event_id"] for c in changes["changed"][:CHANGELOG_LIMIT])]
    titles = _titles(shown, [current, previous_frame])
    lines = [f"# Changes in {version}", ""]
    lines.append(f"Compared with {previous}." if previous else "First release: every event is new.")
    lines.append("")
    lines.append(
        f"- {len(changes['added'])} added, {len(changes['removed'])} removed, {len(changes['changed'])} changed"
    )
    for heading, key in (("Added", "added"), ("Removed", "removed")):
        if changes[key]:
            lines += ["", f"## {heading}", ""]
            lines += [f"- `{eid}` {titles.get(eid, '')}" for eid in changes[key][:CHANGELOG_LIMIT]]
            if len(changes[key]) > CHANGELOG_LIMIT:
                lines.append(f"- … and {len(changes[key]) - CHANGELOG_LIMIT} more (see changes.json)")
    if changes["changed"]:
        lines += ["", "## Changed", ""]
        lines += [
            f"- `{c['event_id']}` {titles.get(c['event_id'], '')}: {', '.join(c['fields'])}"
            for c in changes["changed"][:CHANGELOG_LIMIT]
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# the release


def _rejects_csv(rejects: list[tuple[str, str, str]]) -> bytes:
    frame = pl.DataFrame(
        sorted(rejects), schema={"source_path": pl.String, "article_id": pl.String, "reason": pl.String},
        orient="row",
    )
    return b"\xef\xbb\xbf" + frame.write_csv(line_terminator="\n").encode("utf-8")


@dataclass(frozen=True)
class FileInfo:
    bytes: int
    sha256: str


def _file_info(path: Path) -> FileInfo:
    return FileInfo(path.stat().st_size, sha256_file(path))


def _datapackage(
    version: str,
    created: dt.datetime,
    files: dict[str, FileInfo],
    rows: int,
    articles: int,
    rejects: int,
) -> dict[str, Any]:
    def resource(name: str, path: str, **extra: Any) -> dict[str, Any]:
        info = files[path]
        return {"name": name, "path": path, "bytes": info.bytes, "hash": f"sha256:{info.sha256}", **extra}

    gazetteer = places.gazetteer_info()
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "events",
        "title": "Events extracted from news articles",
        "description": "Dated events (meetings, conferences, signings, visits, talks, launches) with place, "
        "participants and industry tags, extracted from news articles.",
        "version": version,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "sources": [
            {"title": f"{articles} news articles (article_id, source_url and source_name per row)"},
            *gazetteer.get("sources", []),
            TRADITIONAL_SOURCE,
        ],
        "contributors": [{"title": "events-publisher", "roles": ["creator"]}],
        "keywords": ["events", "news", "China", "industry"],
        "x_schema_version": SCHEMA_VERSION,
        "x_extractor_version": EXTRACTOR_VERSION,
        "x_tool_version": __version__,
        "x_gazetteer": {k: v for k, v in gazetteer.items() if k != "sources"},
        "resources": [
            resource(
                "events",
                "events.parquet",
                type="table",
                format="parquet",
                mediatype="application/vnd.apache.parquet",
                schema=table_schema("parquet"),
                rows=rows,
            ),
            resource(
                "events-csv",
                "events.csv",
                type="table",
                format="csv",
                mediatype="text/csv",
                encoding="utf-8-sig",
                dialect={"delimiter": ",", "quoteChar": '"', "header": True},
                schema=table_schema("csv"),
                rows=rows,
            ),
            resource(
                "rejects",
                "rejects.csv",
                type="table",
                format="csv",
                mediatype="text/csv",
                encoding="utf-8-sig",
                schema={
                    "fields": [
                        {"name": "source_path", "type": "string"},
                        {"name": "article_id", "type": "string"},
                        {"name": "reason", "type": "string"},
                    ]
                },
                rows=rejects,
            ),
            resource("timeline", "timeline.html", mediatype="text/html"),
            resource("changes", "changes.json", mediatype="application/json"),
            resource("changelog", "CHANGELOG.md", mediatype="text/markdown"),
            resource("event-json-schema", "event.schema.json", mediatype="application/schema+json"),
        ],
    }


def build_release(
    seeds: Path,
    out: Path,
    *,
    version: str | None = None,
    force: bool = False,
    limits: IngestLimits | None = None,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
    jobs: int | None = None,
    cache: bool = True,
    engine_name: str | engine.ExtractionEngine = "local",
    timeline_max_points: int | None = None,
) -> ReleaseResult:
    """Extract SEEDS and publish release VERSION in OUT.

    ``jobs`` worker processes (default: every core; small corpora stay in this process) extract in
    batches; ``cache=False`` extracts every article again and leaves ``OUT/.cache`` untouched;
    ``engine_name`` is "local", "dask", or an engine object (see ``events.engine``);
    ``timeline_max_points`` events at most are points on the timeline, the older ones are counted
    (default ``timeline.DEFAULT_MAX_POINTS``).
    """
    started = time.perf_counter()
    if not seeds.is_dir():
        raise ReleaseError(f"seeds directory {seeds} does not exist or is not a directory")
    if jobs is not None and jobs < 1:
        raise ReleaseError(f"--jobs must be at least 1 (got {jobs})")
    if timeline_max_points is not None and timeline_max_points < 1:
        raise ReleaseError(f"--timeline-max-points must be at least 1 (got {timeline_max_points})")
    created = now or _build_time()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReleaseError(f"cannot create output directory {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise ReleaseError(f"output directory {out} is not writable")
    with release_lock(out):
        cleanup_stale(out)
        version = version or default_version(out, created.date())
        if not VERSION_PATTERN.match(version):
            raise ReleaseError(f"invalid version {version!r}: use letters, digits, '.', '-', '_'")
        target = out / version
        index = read_index(out)
        # a complete release directory that releases.json does not list: a build killed before its index
        # write; rebuilding it needs no --force
        unlisted = (target / "datapackage.json").is_file() and version not in {
            r.get("version") for r in index["releases"]}
        if target.exists() and not (force or unlisted):
            raise ReleaseError(f"release {version} already exists in {out}; use --force to rebuild it")

        staging = out / f".tmp-{version}-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        try:
            staging.mkdir()
            extraction_cache = ExtractionCache.for_release(out) if cache else None
            try:
                corpus = extract_to_shards(
                    seeds, EventShards(staging / ".shards"), limits=limits, progress=progress, jobs=jobs,
                    cache=extraction_cache, engine_name=engine_name,
                )
            finally:
                if extraction_cache is not None:
                    extraction_cache.close()
            written = write_release_files(staging, out, version, created, corpus, index,
                                          timeline_max_points=timeline_max_points)
            shutil.rmtree(staging / ".shards", ignore_errors=True)
            _fsync_files(staging)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ReleaseError(f"cannot write release files in {out}: {exc.strerror or exc}") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _promote_directory(out, staging, version, force or unlisted)

        entry = {
            "version": version,
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "path": f"{version}/",
            "events": written.rows,
            "articles": corpus.articles,
            "rejects": len(corpus.rejects),
            "extractor_version": EXTRACTOR_VERSION,
            "files": [
                {"path": f"{version}/{name}", "bytes": info.bytes, "sha256": info.sha256}
                for name, info in sorted(written.files.items())
            ],
        }
        releases = [r for r in index["releases"] if r.get("version") != version] + [entry]
        releases.sort(key=lambda r: _version_key(r["version"]))
        index = {"latest": releases[-1]["version"], "releases": releases}
        try:
            write_atomic(out / RELEASES_INDEX, [(json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode()])
        except OSError as exc:
            raise ReleaseError(f"cannot write {out / RELEASES_INDEX}: {exc.strerror or exc}") from None

    return ReleaseResult(
        version=version,
        path=target,
        events=written.rows,
        articles=corpus.articles,
        rejects=len(corpus.rejects),
        added=len(written.changes["added"]),
        removed=len(written.changes["removed"]),
        changed=len(written.changes["changed"]),
        seconds=time.perf_counter() - started,
        files={name: info.bytes for name, info in written.files.items()},
        cache_hits=corpus.cache_hits,
        extracted=corpus.extracted,
        jobs=corpus.jobs,
        warnings=corpus.warnings,
    )


@dataclass
class WrittenRelease:
    rows: int
    changes: dict[str, Any]
    files: dict[str, FileInfo]


def write_release_files(staging: Path, out: Path, version: str, created: dt.datetime, corpus: CorpusResult,
                        index: dict[str, Any], *, timeline_max_points: int | None = None) -> WrittenRelease:
    """Every file of the release into ``staging``, from the corpus's event shards."""
    parquet_path = staging / "events.parquet"
    rows = write_tables(corpus.shards.sorted_parts(), parquet_path, staging / "events.csv")
    current = pl.scan_parquet(parquet_path)

    previous_version = _previous_version(index, version, out)
    previous: pl.LazyFrame | None = None
    if previous_version:
        try:
            previous = pl.scan_parquet(out / previous_version / "events.parquet")
            previous.collect_schema()
        except Exception:  # an unreadable previous release: compare with nothing, say so
            previous = None
    try:
        changes = compare_tables(previous, current)
    except Exception:  # unreadable beyond its schema
        previous = None
        changes = compare_tables(None, current)
    changes = {"version": version, "previous_version": previous_version if previous is not None else None,
               **changes}

    small: dict[str, bytes] = {
        "rejects.csv": _rejects_csv(corpus.rejects),
        "changes.json": (json.dumps(changes, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        "CHANGELOG.md": changelog_markdown(version, changes["previous_version"], changes, current,
                                           previous).encode("utf-8"),
        "event.schema.json": (json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n").encode(),
    }
    meta = {
        "name": "events",
        "version": version,
        "created": created.strftime("%Y-%m-%d %H:%M UTC"),
        "articles": corpus.articles,
        "rejects": len(corpus.rejects),
    }
    # the page is written in pieces from a scan of the table: only its points are read whole
    points = timeline.DEFAULT_MAX_POINTS if timeline_max_points is None else timeline_max_points
    timeline.write_timeline_html(staging / "timeline.html", pl.scan_parquet(parquet_path), meta, max_points=points)
    for name, data in small.items():
        (staging / name).write_bytes(data)
    files = {name: FileInfo(len(data), sha256_bytes(data)) for name, data in small.items()}
    files.update({name: _file_info(staging / name) for name in (*TABLE_FILES, "timeline.html")})
    package = _datapackage(version, created, files, rows, corpus.articles, len(corpus.rejects))
    data = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    (staging / "datapackage.json").write_bytes(data)
    files["datapackage.json"] = FileInfo(len(data), sha256_bytes(data))
    return WrittenRelease(rows, changes, files)


def _build_time() -> dt.datetime:
    """Now in UTC, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _previous_version(index: dict[str, Any], version: str, out: Path) -> str | None:
    """The newest listed release other than this one whose tables still exist."""
    candidates = [r["version"] for r in index["releases"] if r.get("version") != version]
    candidates = [v for v in candidates if (out / v / "events.parquet").exists()]
    older = [v for v in candidates if _version_key(v) < _version_key(version)] or candidates
    return max(older, key=_version_key) if older else None


def _fsync_files(directory: Path) -> None:
    for path in directory.iterdir():
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _promote_directory(out: Path, staging: Path, version: str, force: bool) -> None:
    """Rename the finished staging directory to OUT/VERSION (replacing it when forced)."""
    target = out / version
    old = out / f".old-{version}-{os.getpid()}"
    if target.exists():
        if not force:
            shutil.rmtree(staging, ignore_errors=True)
            raise ReleaseError(f"release {version} already exists in {out}; use --force to rebuild it")
        os.replace(target, old)
    os.replace(staging, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    fsync_dir(out)


def cleanup_stale(out: Path) -> list[Path]:
    """Remove temporary directories left by interrupted builds (no live process owns them)."""
    removed = []
    for path in out.glob(".tmp-*"):
        pid_text = path.name.rsplit("-", 1)[-1]
        if pid_text.isdigit() and _pid_alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    for path in out.glob(f".{RELEASES_INDEX}.tmp-*"):  # an index write killed before its rename
        pid_text = path.name.rsplit("-", 1)[-1]
        if not (pid_text.isdigit() and _pid_alive(int(pid_text))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
