"""Extraction over a corpus in batches of files: in this process, in a pool of processes, or on Dask.

A batch is a few dozen files. Its worker replays the files the cache has seen byte for byte (without
ingesting them again), ingests the others, looks their articles up in the extraction cache, extracts
the rest, and sends back one outcome per ingested item plus the events as Arrow IPC (column ``_item``
says which item each event came from). Results come back in batch order whatever the engine, so a
release does not depend on how many workers built it. Each worker process loads the gazetteer and
word lists once (≈1 s), which is why small corpora stay in this process.

A batch that fails as a whole (a worker process died, an unexpected error) is run again one file at a
time; a file that still fails becomes a reject naming the error, and the rest of the corpus goes on.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from events.cache import FILES, ExtractionCache, article_key, extractor_fingerprint, file_key
from events.extract import extract_events
from events.ingest import IngestLimits, Reject, iter_sources, read_articles
from events.schema import Article, empty_frame, polars_schema

#: below this many articles a process pool costs more (worker start-up) than it saves
MIN_PARALLEL_ARTICLES = 50
#: a .jsonl file is counted as one article per this many bytes when planning batches
JSONL_BYTES_PER_ARTICLE = 2_000
#: a batch holds at most this many articles and bytes
MAX_BATCH_ARTICLES = 200
MAX_BATCH_BYTES = 4_000_000
BATCHES_PER_WORKER = 16
ITEM_COLUMN = "_item"


class EngineError(RuntimeError):
    """An engine cannot be used (unknown name, a missing optional dependency); one line for the user."""


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# batches and their results


@dataclass(frozen=True)
class BatchTask:
    """Files to ingest and extract, with what a worker needs to do so on its own."""

    number: int
    root: str
    paths: tuple[str, ...]
    limits: IngestLimits = field(default_factory=IngestLimits)
    cache_path: str | None = None
    fingerprint: str = ""
    #: one per build: workers open the cache afresh for each build (the file may have been replaced)
    build: str = ""
    #: articles expected (a .jsonl file counts by size)
    articles: int = 0


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """One ingested item: an article with events (``reason`` None), or why it gives none."""

    source_path: str
    article_id: str | None
    content_hash: str | None  # None when ingest rejected the item
    reason: str | None
    events: int
    cache_key: str | None = None


@dataclass
class BatchResult:
    """A batch's outcomes, and its events as Arrow IPC bytes (column ``_item`` names the outcome).

    Events travel as bytes, not as a frame: a frame read back from IPC is compact, while one straight
    from the JSON reader keeps its parse buffers (several times the data) for as long as it lives.
    """

    number: int
    items: list[ItemOutcome]
    events_ipc: bytes
    fresh: list[tuple[str, bytes]] = field(default_factory=list)  # new cache entries (key, payload)
    cache_hits: int = 0
    extracted: int = 0
    seconds: float = 0.0
    #: cache entries that failed their checksum or did not read back (extracted again)
    damaged: int = 0
    #: new entries of the cache's ``files`` table, and the file keys of the whole batch
    files: list[tuple[str, bytes]] = field(default_factory=list)
    file_keys: list[str] = field(default_factory=list)

    def events(self) -> pl.DataFrame:
        return pl.read_ipc(io.BytesIO(self.events_ipc))


def to_ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return buffer.getvalue()


def _no_events() -> pl.DataFrame:
    return empty_frame().with_columns(pl.Series(ITEM_COLUMN, [], pl.Int32))


def no_event_reason(article: Article) -> str:
    return "no dated event found" if article.published_at is None else "no event found"


def failure_reason(exc: BaseException) -> str:
    return f"extraction failed: {type(exc).__name__}: {exc}"


def plan_batches(
    root: Path,
    *,
    jobs: int,
    limits: IngestLimits | None = None,
    cache_path: Path | None = None,
    fingerprint: str | None = None,
    paths: Sequence[Path] | None = None,
) -> list[BatchTask]:
    """Every source file under ``root`` in file order, cut into batches small enough to share out."""
    root = Path(root)
    base = root.parent if root.is_file() else root
    files = list(paths) if paths is not None else iter_sources(root)
    sizes = [_size(p) for p in files]
    weights = [max(1, s // JSONL_BYTES_PER_ARTICLE) if p.suffix.lower() == ".jsonl" else 1
               for p, s in zip(files, sizes, strict=True)]
    # many batches per worker, so that the last ones do not leave the other workers idle for long
    per_batch = min(MAX_BATCH_ARTICLES, max(8, sum(weights) // max(1, jobs * BATCHES_PER_WORKER)))
    limits = limits or IngestLimits()
    fingerprint = fingerprint or extractor_fingerprint()
    build = f"{os.getpid()}-{time.time_ns()}"
    store = str(cache_path) if cache_path else None
    tasks: list[BatchTask] = []
    current: list[str] = []
    weight = size = 0

    def close_batch() -> None:
        tasks.append(BatchTask(len(tasks), str(base), tuple(current), limits, store, fingerprint, build, weight))

    for path, file_size, file_weight in zip(files, sizes, weights, strict=True):
        if current and (weight + file_weight > per_batch or size + file_size > MAX_BATCH_BYTES):
            close_batch()
            current, weight, size = [], 0, 0
        current.append(str(path))
        weight += file_weight
        size += file_size
    if current:
        close_batch()
    return tasks


def estimated_articles(tasks: Iterable[BatchTask]) -> int:
    return sum(task.articles for task in tasks)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# ---------------------------------------------------------------------------------------------
# the worker side


_READERS: dict[tuple[str, str, str], ExtractionCache] = {}


def _cache_reader(task: BatchTask) -> ExtractionCache | None:
    """One read-only connection per worker process, cache file and build."""
    if task.cache_path is None:
        return None
    key = (task.cache_path, task.fingerprint, task.build)
    reader = _READERS.get(key)
    if reader is None:
        for old in [k for k in _READERS if k[0] == task.cache_path]:
            _READERS.pop(old).close()
        reader = _READERS[key] = ExtractionCache(Path(task.cache_path), task.fingerprint, readonly=True)
    return reader


def close_cache_readers() -> None:
    """Close this process's cache connections (at the end of a build that ran batches here)."""
    while _READERS:
        _READERS.popitem()[1].close()


def events_payload(article: Article) -> bytes:
    """The article's events as JSON lines (the cache's value and the frame's source)."""
    return b"\n".join(event.model_dump_json().encode("utf-8") for event in extract_events(article))


def payload_frame(payloads: Sequence[bytes]) -> pl.DataFrame:
    """The events of several payloads as one frame in the published schema."""
    data = b"\n".join(p for p in payloads if p)
    if not data:
        return empty_frame()
    return pl.read_ndjson(io.BytesIO(data), schema=polars_schema())


def _events_in(payload: bytes) -> int:
    return payload.count(b"\n") + 1 if payload else 0


def extract_batch(task: BatchTask) -> BatchResult:
    """Ingest, look up and extract one batch; every per-article failure is an outcome, not an exception."""
    started = time.perf_counter()
    reader = _cache_reader(task)
    damaged_before = reader.corrupt_entries if reader is not None else 0
    batch = _Batch(task, reader)
    try:
        frame = batch.frame()
    except Exception:
        # a cached payload that does not read back (the checksum cannot catch everything): extract those again
        batch.drop_unreadable_cache_entries()
        frame = batch.frame()
    damaged = batch.unreadable + (reader.corrupt_entries if reader is not None else 0) - damaged_before
    return BatchResult(task.number, batch.outcomes, to_ipc(frame), batch.fresh, batch.hits, batch.extracted,
                       time.perf_counter() - started, damaged, batch.file_records(), batch.file_keys())


def _ingest_settings(limits: IngestLimits) -> str:
    return repr(limits)


@dataclass
class _File:
    """One source file of a batch: its items, ingested now or replayed from the cache's file record."""

    path: Path
    key: str | None  # file-cache key; None when the cache is off or the file is not read whole
    entries: list[Article | Reject | ItemOutcome] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)  # article cache key of each entry
    recorded: bool = False
    failed: bool = False  # an article failed to extract: do not record the file
    span: tuple[int, int] = (0, 0)  # its outcomes in the batch


class _Batch:
    """The outcomes and payloads of one batch, using the cache wherever it can."""

    def __init__(self, task: BatchTask, reader: ExtractionCache | None):
        self.task, self.reader = task, reader
        self.root = Path(task.root)
        self.files = [self._file(Path(p)) for p in task.paths]
        records = reader.get_many([f.key for f in self.files if f.key], FILES) if reader is not None else {}
        for file in self.files:
            record = records.get(file.key) if file.key else None
            if record is not None:
                self._replay(file, record)
        self.cached = self._lookup([k for f in self.files if f.recorded for k in f.keys if k])
        for file in self.files:
            if not file.recorded or any(k and k not in self.cached for k in file.keys):
                self._ingest(file)
        self.cached.update(self._lookup([k for f in self.files if not f.recorded for k in f.keys if k]))
        self.done: dict[str, bytes] = {}
        self.unreadable = 0
        self._run()

    def _file(self, path: Path) -> _File:
        if self.reader is None or not self.reader.enabled:
            return _File(path, None)
        try:
            if path.stat().st_size > self.task.limits.max_file_bytes:
                return _File(path, None)
            data = path.read_bytes()
        except OSError:
            return _File(path, None)
        return _File(path, file_key(data, _relative(path, self.root), _ingest_settings(self.task.limits),
                                    self.task.fingerprint))

    def _replay(self, file: _File, record: bytes) -> None:
        try:
            rows = json.loads(record)
            entries = [ItemOutcome(str(r[0]), r[1], r[2], r[3], int(r[4]), r[5]) for r in rows]
        except (ValueError, TypeError, IndexError, KeyError):
            return  # an unreadable record: ingest the file
        file.entries, file.keys, file.recorded = list(entries), [e.cache_key for e in entries], True

    def _ingest(self, file: _File) -> None:
        file.entries = list(read_articles(file.path, self.root, self.task.limits))
        file.keys = [article_key(e, self.task.fingerprint) if isinstance(e, Article) else None for e in file.entries]
        file.recorded = False

    def _lookup(self, keys: list[str]) -> dict[str, bytes]:
        return self.reader.get_many(keys) if self.reader is not None and keys else {}

    def _run(self) -> None:
        self.outcomes: list[ItemOutcome] = []
        self.payloads: list[bytes] = []
        self.owners: list[int] = []
        self.fresh: list[tuple[str, bytes]] = []
        self.hits = self.extracted = 0
        for file in self.files:
            start = len(self.outcomes)
            file.failed = False
            for entry, key in zip(file.entries, file.keys, strict=True):
                self._outcome(file, entry, key)
            file.span = (start, len(self.outcomes))

    def _outcome(self, file: _File, entry: Article | Reject | ItemOutcome, key: str | None) -> None:
        index = len(self.outcomes)
        if isinstance(entry, Reject):
            self.outcomes.append(ItemOutcome(entry.source_path, entry.article_id, None, entry.reason, 0))
            return
        if isinstance(entry, ItemOutcome):  # replayed from the file record
            if entry.content_hash is None or key is None:
                self.outcomes.append(entry)
                return
            payload = self.cached[key]
            self.hits += 1
            outcome = replace(entry, events=_events_in(payload))
        else:
            assert key is not None
            known = self.done.get(key, self.cached.get(key))
            if known is not None:
                payload = known
            else:
                try:
                    payload = events_payload(entry)
                except Exception as exc:  # one bad article must not stop the release
                    self.extracted += 1
                    file.failed = True
                    self.outcomes.append(ItemOutcome(entry.source_path, entry.article_id, entry.content_hash,
                                                     failure_reason(exc), 0, key))
                    return
                self.done[key] = payload  # kept for a re-run of the batch (see drop_unreadable_cache_entries)
            if key in self.done:
                self.extracted += 1
                if self.task.cache_path is not None:
                    self.fresh.append((key, payload))
            else:
                self.hits += 1
            count = _events_in(payload)
            reason = None if count else no_event_reason(entry)
            outcome = ItemOutcome(entry.source_path, entry.article_id, entry.content_hash, reason, count, key)
        self.outcomes.append(outcome)
        if outcome.events:
            self.payloads.append(payload)
            self.owners.extend([index] * outcome.events)

    def frame(self) -> pl.DataFrame:
        frame = payload_frame(self.payloads)
        if frame.height != len(self.owners):
            raise ValueError(f"{frame.height} events read back from {len(self.owners)} lines")
        return frame.with_columns(pl.Series(ITEM_COLUMN, self.owners, dtype=pl.Int32))

    def drop_unreadable_cache_entries(self) -> None:
        """Forget cached payloads that do not read back, ingest their files again, and redo the batch."""
        bad = {key for key, payload in self.cached.items() if not _parses(payload)}
        for key in bad:
            del self.cached[key]
        for file in self.files:
            if file.recorded and bad.intersection(k for k in file.keys if k):
                self._ingest(file)
        self.unreadable += len(bad)
        self._run()

    def file_records(self) -> list[tuple[str, bytes]]:
        """What ingest made of each file read in this batch, for the cache's ``files`` table."""
        records = []
        for file in self.files:
            if file.key is None or file.recorded or file.failed:
                continue
            rows = [[o.source_path, o.article_id, o.content_hash, o.reason, o.events, o.cache_key]
                    for o in self.outcomes[file.span[0] : file.span[1]]]
            records.append((file.key, json.dumps(rows, ensure_ascii=False).encode("utf-8")))
        return records

    def file_keys(self) -> list[str]:
        return [file.key for file in self.files if file.key]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _parses(payload: bytes) -> bool:
    if not payload:
        return True
    try:
        frame = payload_frame([payload])
    except Exception:
        return False
    return frame.height == _events_in(payload)


def merge_results(number: int, parts: Sequence[BatchResult]) -> BatchResult:
    """Several results as one (used when a batch was re-run file by file)."""
    items: list[ItemOutcome] = []
    frames: list[pl.DataFrame] = []
    for part in parts:
        frames.append(part.events().with_columns(pl.col(ITEM_COLUMN) + len(items)))
        items.extend(part.items)
    frame = pl.concat(frames) if frames else _no_events()
    return BatchResult(
        number, items, to_ipc(frame), [e for p in parts for e in p.fresh], sum(p.cache_hits for p in parts),
        sum(p.extracted for p in parts), sum(p.seconds for p in parts), sum(p.damaged for p in parts),
        [e for p in parts for e in p.files], [k for p in parts for k in p.file_keys],
    )


def failed_file(task: BatchTask, exc: BaseException, worker_died: bool) -> BatchResult:
    """A file whose batch failed even on its own: one reject naming the error."""
    (path,) = task.paths
    source = Path(path)
    source_path = _relative(source, Path(task.root))
    article_id = None if source.suffix.lower() == ".jsonl" else source.stem
    what = "worker process died" if worker_died else f"internal error: {type(exc).__name__}: {exc}"
    reason = f"{what} while reading or extracting this file"
    item = ItemOutcome(source_path, article_id, None, reason, 0)
    return BatchResult(task.number, [item], to_ipc(_no_events()))


# ---------------------------------------------------------------------------------------------
# engines


BatchFunction = Callable[[BatchTask], BatchResult]


class ExtractionEngine(Protocol):
    """Runs batch functions somewhere; ``submit`` returns a future with ``result()``."""

    workers: int

    def submit(self, fn: BatchFunction, task: BatchTask) -> Any: ...

    def worker_died(self, exc: BaseException) -> bool: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


class InProcessEngine:
    """Batches run here, one after the other, when asked for."""

    workers = 1

    def submit(self, fn: BatchFunction, task: BatchTask) -> Future[BatchResult]:
        future: Future[BatchResult] = Future()
        try:
            future.set_result(fn(task))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def worker_died(self, exc: BaseException) -> bool:
        return False

    def reset(self) -> None:
        pass

    def close(self) -> None:
        close_cache_readers()


class ProcessEngine:
    """A pool of ``jobs`` worker processes (spawned: forking a process that runs Polars threads is unsafe)."""

    def __init__(self, jobs: int):
        self.workers = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def submit(self, fn: BatchFunction, task: BatchTask) -> Future[BatchResult]:
        return self._executor().submit(fn, task)

    def start(self, timeout: float = 120.0) -> None:
        """Start the workers and check that they run at all (raises RuntimeError when they cannot).

        A spawned worker re-imports the program's main module; a script without an
        ``if __name__ == "__main__":`` guard, for one, kills every worker at start.
        """
        try:
            self._executor().submit(os.getpid).result(timeout=timeout)
        except Exception as exc:
            self.reset()
            raise RuntimeError(f"worker processes could not start ({type(exc).__name__}: {exc})") from exc

    def worker_died(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def reset(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Let the workers go without waiting for them to exit (their results are all in by now)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class DaskEngine:
    """Batches on a Dask cluster: the given client's, else a LocalCluster of ``jobs`` workers.

    Workers must see the corpus and ``OUT/.cache`` at the same paths (one machine or a shared file
    system). Needs the ``cluster`` extra (``dask[distributed]``).
    """

    def __init__(self, client: Any = None, *, jobs: int | None = None, address: str | None = None):
        self._own: list[Any] = []
        if client is None:
            try:
                from distributed import Client, LocalCluster
            except ImportError as exc:
                raise EngineError(
                    "the dask engine needs dask.distributed: pip install 'events-publisher[cluster]'"
                ) from exc
            if address:
                client = Client(address)
            else:
                cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1,
                                       processes=True, dashboard_address=None)
                client = Client(cluster)
                self._own.append(cluster)
            self._own.insert(0, client)
        self.client = client
        self.workers = max(1, len(client.scheduler_info().get("workers", {})) or (jobs or 1))

    def submit(self, fn: BatchFunction, task: BatchTask) -> Any:
        return self.client.submit(fn, task, pure=False)

    def worker_died(self, exc: BaseException) -> bool:
        return type(exc).__name__ == "KilledWorker"

    def reset(self) -> None:
        pass

    def close(self) -> None:
        for thing in self._own:
            thing.close()
        self._own = []


ENGINES = ("local", "dask")


def make_engine(name: str, jobs: int, estimated: int, warnings: list[str] | None = None) -> ExtractionEngine:
    """The engine for a run: here for one job or a small corpus, else a process pool (or Dask).

    A pool whose workers cannot start is replaced by this process, with a warning appended to ``warnings``.
    """
    if name == "dask":
        return DaskEngine(jobs=jobs)
    if name != "local":
        raise EngineError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
    if jobs <= 1 or estimated < MIN_PARALLEL_ARTICLES:
        return InProcessEngine()
    pool = ProcessEngine(jobs)
    try:
        pool.start()
    except RuntimeError as exc:
        if warnings is not None:
            warnings.append(f"{exc}; extracting in this process instead")
        return InProcessEngine()
    return pool


def run_batches(
    engine: ExtractionEngine,
    tasks: Iterable[BatchTask],
    fn: BatchFunction = extract_batch,
    *,
    window: int | None = None,
) -> Iterator[BatchResult]:
    """Results in task order, with at most ``window`` batches in flight (bounded memory)."""
    window = window or max(2, engine.workers * 2)
    queue = iter(tasks)
    pending: deque[tuple[BatchTask, Any]] = deque()

    def fill() -> None:
        while len(pending) < window:
            task = next(queue, None)
            if task is None:
                return
            pending.append((task, engine.submit(fn, task)))

    fill()
    while pending:
        task, future = pending.popleft()
        try:
            result = future.result()
        except Exception as exc:
            died = engine.worker_died(exc)
            if died:
                engine.reset()
            result = _file_by_file(engine, fn, task)
            if died:  # the other batches in flight went down with the pool: send them again
                pending = deque((t, f if _succeeded(f) else engine.submit(fn, t)) for t, f in pending)
        yield result
        fill()


def _succeeded(future: Any) -> bool:
    try:
        return bool(future.done()) and future.exception() is None
    except Exception:
        return False


def _file_by_file(engine: ExtractionEngine, fn: BatchFunction, task: BatchTask) -> BatchResult:
    """Run a failed batch again one file at a time; a file is blamed only for its own failures.

    A worker that dies takes every batch in flight with it, so a file whose run ends in a dead pool
    is tried once more in a fresh one before it is rejected.
    """
    parts = []
    for path in task.paths:
        single = replace(task, paths=(path,))
        for attempt in (1, 2):
            try:
                parts.append(engine.submit(fn, single).result())
                break
            except Exception as exc:
                died = engine.worker_died(exc)
                if died:
                    engine.reset()
                if not died or attempt == 2:
                    parts.append(failed_file(single, exc, died))
                    break
    return merge_results(task.number, parts)
