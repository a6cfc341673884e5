"""The extraction cache: an article's events, kept so that a rebuild only re-extracts what changed.

An entry of ``extractions`` is keyed by a hash of the whole ingested article (text, id, title, dates,
source, language) and of the extractor: ``EXTRACTOR_VERSION`` plus a fingerprint of the ingest and
extraction code and their data files, so a forgotten version bump cannot serve stale events. Its
value is the article's events as JSON lines (empty for an article without events). An entry of
``files`` is keyed by a hash of a source file's bytes, path and ingest limits (and the same
fingerprint); its value is what ingest made of the file (ids, content hashes, article keys, reject
reasons), so an unchanged file is not even read again as an article.

The store is one SQLite file under ``OUT/.cache/``: every write is a transaction (atomic), readers in
worker processes run beside the one writer (WAL), and each value carries a checksum. A cache that
cannot be read is set aside with a warning and the build carries on without it; it never fails a
release.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from events import EXTRACTOR_VERSION
from events.schema import Article

if TYPE_CHECKING:  # importlib.resources.abc is Python 3.11+
    from importlib.resources.abc import Traversable

log = logging.getLogger(__name__)

CACHE_DIR = ".cache"
CACHE_FILE = "extractions.sqlite"
#: layout of the SQLite file; a file with another layout is emptied
CACHE_LAYOUT = "3"
EXTRACTIONS = "extractions"
FILES = "files"
TABLES = (EXTRACTIONS, FILES)
#: modules of the package that do not affect extraction output (left out of the fingerprint)
NON_EXTRACTION_MODULES = frozenset({
    "__init__.py", "cache.py", "cli.py", "download.py", "engine.py", "pipeline.py", "release.py", "serve.py",
    "tables.py", "timeline.py", "validate.py",
})
#: SQLite limits the number of bound parameters of one statement
_QUERY_CHUNK = 500


def _traverse(node: Traversable, prefix: str = "") -> Iterable[tuple[str, Traversable]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        name = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                yield from _traverse(child, f"{name}/")
        else:
            yield name, child


@cache
def extractor_fingerprint() -> str:
    """EXTRACTOR_VERSION and a hash of the extraction code and data files of the installed package."""
    digest = hashlib.sha256(EXTRACTOR_VERSION.encode())
    package = resources.files("events")
    for name, node in _traverse(package):
        top_level_module = "/" not in name and name.endswith(".py") and name not in NON_EXTRACTION_MODULES
        if top_level_module or name.startswith("data/"):
            digest.update(name.encode() + b"\0" + node.read_bytes() + b"\0")
    return f"{EXTRACTOR_VERSION}+{digest.hexdigest()[:16]}"


def article_key(article: Article, fingerprint: str) -> str:
    """The cache key of one article: everything the article says about itself, and the extractor."""
    payload = article.model_dump_json().encode("utf-8")
    return hashlib.sha256(fingerprint.encode() + b"\0" + payload).hexdigest()


def file_key(data: bytes, source_path: str, settings: str, fingerprint: str) -> str:
    """The cache key of one source file: its bytes, where it is, the ingest settings, and the code."""
    head = f"{fingerprint}\0{source_path}\0{settings}\0".encode()
    return hashlib.sha256(head + data).hexdigest()


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=8).digest()


class ExtractionCache:
    """One SQLite file of (key → events as JSON lines). Every failure becomes a warning, never an error.

    Open it read-only in worker processes (``readonly=True``) and read-write in the one process that
    stores results; a cache whose fingerprint differs from this extractor's is emptied on opening.
    """

    def __init__(self, path: Path, fingerprint: str | None = None, *, readonly: bool = False):
        self.path = Path(path)
        self.fingerprint = fingerprint or extractor_fingerprint()
        self.readonly = readonly
        self.warnings: list[str] = []
        self.corrupt_entries = 0
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open_readonly() if readonly else self._open()
        except (sqlite3.Error, OSError) as exc:
            self._disable(f"extraction cache {self.path} not usable ({exc}); extracting without it")

    @classmethod
    def for_release(cls, out: Path, fingerprint: str | None = None) -> ExtractionCache:
        return cls(Path(out) / CACHE_DIR / CACHE_FILE, fingerprint)

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)

    def _disable(self, message: str, error: BaseException | None = None) -> None:
        """Stop using the cache; a writer also sets a damaged file aside so that the next build starts afresh."""
        self._warn(message)
        self.close()
        damaged = isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError)
        if damaged and not self.readonly:
            self._set_aside()

    # -- opening --------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect()
            self._check_layout(db)
        except sqlite3.DatabaseError as exc:
            self._warn(f"extraction cache {self.path} is corrupt ({exc}); starting a new one")
            self._set_aside()
            db = self._connect()
            self._check_layout(db)
        return db

    def _open_readonly(self) -> sqlite3.Connection | None:
        if not self.path.exists():
            return None
        db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                             isolation_level=None)
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("layout") != CACHE_LAYOUT or meta.get("fingerprint") != self.fingerprint:
            db.close()
            return None
        return db

    def _check_layout(self, db: sqlite3.Connection) -> None:
        """Create the tables; remake them when the layout changed, empty them when the extractor did."""
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("layout") == CACHE_LAYOUT and meta.get("fingerprint") == self.fingerprint:
            return
        db.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            if meta.get("layout") != CACHE_LAYOUT:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            # a rowid table: values of a few KB do not belong in a WITHOUT ROWID b-tree (3x slower inserts)
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                       "(key TEXT PRIMARY KEY, payload BLOB NOT NULL, checksum BLOB NOT NULL)")
            db.execute(f"DELETE FROM {table}")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?), ('fingerprint', ?)",
                   (CACHE_LAYOUT, self.fingerprint))
        db.execute("COMMIT")

    def _set_aside(self) -> None:
        """Move a corrupt file (and its WAL) out of the way, keeping it for a post-mortem."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                try:
                    os.replace(part, part.with_name(f"{part.name}.corrupt-{stamp}"))
                except OSError:
                    part.unlink(missing_ok=True)

    # -- use ------------------------------------------------------------------------------------

    def get_many(self, keys: Iterable[str], table: str = EXTRACTIONS) -> dict[str, bytes]:
        """The cached values of those keys that have one (a damaged entry counts as missing)."""
        if self._db is None or table not in TABLES:
            return {}
        found: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(wanted), _QUERY_CHUNK):
                chunk = wanted[start : start + _QUERY_CHUNK]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, payload, checksum FROM {table} WHERE key IN ({marks})"
                for key, payload, checksum in self._db.execute(query, chunk):
                    payload = bytes(payload)
                    if _checksum(payload) == bytes(checksum):
                        found[key] = payload
                    else:
                        self.corrupt_entries += 1
        except sqlite3.Error as exc:
            self._disable(f"extraction cache {self.path} could not be read ({exc}); extracting without it", exc)
            return {}
        return found

    def put_many(self, entries: Iterable[tuple[str, bytes]], table: str = EXTRACTIONS) -> None:
        """Store entries in one transaction: all of them or, on failure, none."""
        if self._db is None or self.readonly or table not in TABLES:
            return
        rows = [(key, payload, _checksum(payload)) for key, payload in entries]
        if not rows:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._disable(f"extraction cache {self.path} could not be written ({exc}); no longer caching", exc)

    def entries(self, table: str = EXTRACTIONS) -> int:
        if self._db is None or table not in TABLES:
            return 0
        try:
            return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        except sqlite3.Error:
            return 0

    def retain(self, keys: Iterable[str], table: str = EXTRACTIONS) -> int:
        """Drop entries not among ``keys`` (those of articles no longer in the corpus); returns how many."""
        if self._db is None or self.readonly or table not in TABLES:
            return 0
        try:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY) WITHOUT ROWID")
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM keep")
            self._db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keys))
            cursor = self._db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM keep)")
            self._db.execute("DELETE FROM keep")
            self._db.execute("COMMIT")
            return cursor.rowcount
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._disable(f"extraction cache {self.path} could not be pruned ({exc}); no longer caching", exc)
            return 0

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
