"""Build and publish a release: ``OUT/VERSION/`` plus the ``OUT/releases.json`` index.

A release is built in a temporary directory beside its target and renamed into place only when every
file is written, so an interrupted build never leaves a half release; ``releases.json`` is replaced
atomically. A lock file serialises concurrent builds on the same output directory.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from events import EXTRACTOR_VERSION, __version__, places, timeline
from events.extract import extract_events
from events.ingest import IngestLimits, Reject, ingest
from events.schema import SCHEMA_VERSION, Article, Event, events_to_frame, json_schema, table_schema
from events.tables import sort_events, write_csv_bytes, write_parquet_bytes

RELEASES_INDEX = "releases.json"
LOCK_NAME = ".release.lock"
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
TABLE_FILES = ("events.parquet", "events.csv")

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


@dataclass
class ExtractionOutcome:
    events: list[Event]
    articles: list[Article]
    rejects: list[tuple[str, str, str]]  # (source_path, article_id, reason)


# ---------------------------------------------------------------------------------------------
# helpers


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary sibling, fsync, then rename over the target."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


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
            raise ReleaseError(
                f"another release is running on {out} (lock {lock} held by pid {pid_text}); "
                "wait for it or remove the lock if that process is gone"
            ) from None
        with os.fdopen(fd, "w") as handle:
            handle.write(me)
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


def extract_corpus(
    seeds: Path, limits: IngestLimits | None = None, progress: ProgressCallback | None = None
) -> ExtractionOutcome:
    """Ingest and extract every article; every failure becomes a reject, never an exception."""
    events: list[Event] = []
    articles: list[Article] = []
    rejects: list[tuple[str, str, str]] = []
    seen_hashes: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    done = 0
    for item in ingest(seeds, limits or IngestLimits()):
        done += 1
        if isinstance(item, Reject):
            rejects.append((item.source_path, item.article_id or "", item.reason))
            if progress:
                progress(done, None, item.source_path)
            continue
        article = item
        if progress:
            progress(done, None, article.source_path)
        if article.content_hash in seen_hashes:
            rejects.append(
                (article.source_path, article.article_id, f"duplicate of article {seen_hashes[article.content_hash]}")
            )
            continue
        if article.article_id in seen_ids:
            rejects.append(
                (
                    article.source_path,
                    article.article_id,
                    f"article id {article.article_id!r} already used by {seen_ids[article.article_id]}",
                )
            )
            continue
        seen_hashes[article.content_hash] = article.article_id
        seen_ids[article.article_id] = article.source_path
        try:
            found = extract_events(article)
        except Exception as exc:  # one bad article must not stop the release
            rejects.append((article.source_path, article.article_id, f"extraction failed: {type(exc).__name__}: {exc}"))
            continue
        if not found:
            reason = "no dated event found" if article.published_at is None else "no event found"
            rejects.append((article.source_path, article.article_id, reason))
            continue
        articles.append(article)
        events.extend(found)
    return ExtractionOutcome(events=events, articles=articles, rejects=rejects)


# ---------------------------------------------------------------------------------------------
# changes against the previous release


def compare_tables(previous: pl.DataFrame | None, current: pl.DataFrame) -> dict[str, Any]:
    ignore = {"extractor_version"}
    if previous is None:
        return {
            "previous_version": None,
            "added": sorted(current["event_id"].to_list()),
            "removed": [],
            "changed": [],
        }
    prev_rows = {r["event_id"]: r for r in previous.iter_rows(named=True)}
    cur_rows = {r["event_id"]: r for r in current.iter_rows(named=True)}
    changed = []
    for event_id in sorted(prev_rows.keys() & cur_rows.keys()):
        before, after = prev_rows[event_id], cur_rows[event_id]
        fields = sorted(
            name for name in after if name not in ignore and name in before and before[name] != after[name]
        )
        if fields:
            changed.append({"event_id": event_id, "fields": fields})
    return {
        "added": sorted(cur_rows.keys() - prev_rows.keys()),
        "removed": sorted(prev_rows.keys() - cur_rows.keys()),
        "changed": changed,
    }


def changelog_markdown(version: str, previous: str | None, changes: dict[str, Any], current: pl.DataFrame,
                       previous_frame: pl.DataFrame | None) -> str:
    titles = dict(zip(current["event_id"].to_list(), current["title"].to_list(), strict=True))
    if previous_frame is not None:
        titles.update(
            {k: v for k, v in zip(previous_frame["event_id"].to_list(), previous_frame["title"].to_list(),
                                  strict=True) if k not in titles}
        )
    lines = [f"# Changes in {version}", ""]
    lines.append(f"Compared with {previous}." if previous else "First release: every event is new.")
    lines.append("")
    lines.append(
        f"- {len(changes['added'])} added, {len(changes['removed'])} removed, {len(changes['changed'])} changed"
    )
    for heading, key in (("Added", "added"), ("Removed", "removed")):
        if changes[key]:
            lines += ["", f"## {heading}", ""]
            lines += [f"- `{eid}` {titles.get(eid, '')}" for eid in changes[key][:200]]
            if len(changes[key]) > 200:
                lines.append(f"- … and {len(changes[key]) - 200} more (see changes.json)")
    if changes["changed"]:
        lines += ["", "## Changed", ""]
        lines += [
            f"- `{c['event_id']}` {titles.get(c['event_id'], '')}: {', '.join(c['fields'])}"
            for c in changes["changed"][:200]
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


def _datapackage(
    version: str,
    created: dt.datetime,
    files: dict[str, bytes],
    rows: int,
    outcome: ExtractionOutcome,
) -> dict[str, Any]:
    def resource(name: str, path: str, **extra: Any) -> dict[str, Any]:
        data = files[path]
        return {"name": name, "path": path, "bytes": len(data), "hash": f"sha256:{sha256_bytes(data)}", **extra}

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
            {"title": f"{len(outcome.articles)} news articles (article_id, source_url and source_name per row)"},
            *gazetteer.get("sources", []),
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
                rows=len(outcome.rejects),
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
) -> ReleaseResult:
    started = time.perf_counter()
    if not seeds.is_dir():
        raise ReleaseError(f"seeds directory {seeds} does not exist or is not a directory")
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
        if target.exists() and not force:
            raise ReleaseError(f"release {version} already exists in {out}; use --force to rebuild it")

        outcome = extract_corpus(seeds, limits, progress)
        frame = sort_events(events_to_frame(outcome.events))

        index = read_index(out)
        previous_version = _previous_version(index, version, out)
        previous_frame = None
        if previous_version:
            try:
                previous_frame = pl.read_parquet(out / previous_version / "events.parquet")
            except Exception:  # an unreadable previous release: compare with nothing, say so
                previous_frame = None
        changes = compare_tables(previous_frame, frame)
        changes = {"version": version, "previous_version": previous_version if previous_frame is not None
                   else None, **changes}

        files: dict[str, bytes] = {
            "events.parquet": write_parquet_bytes(frame),
            "events.csv": write_csv_bytes(frame),
            "rejects.csv": _rejects_csv(outcome.rejects),
            "changes.json": (json.dumps(changes, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            "CHANGELOG.md": changelog_markdown(
                version, changes["previous_version"], changes, frame, previous_frame
            ).encode("utf-8"),
            "event.schema.json": (json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n").encode(),
        }
        meta = {
            "name": "events",
            "version": version,
            "created": created.strftime("%Y-%m-%d %H:%M UTC"),
            "articles": len(outcome.articles),
            "rejects": len(outcome.rejects),
        }
        files["timeline.html"] = timeline.build_timeline_html(frame, meta).encode("utf-8")
        package = _datapackage(version, created, files, frame.height, outcome)
        files["datapackage.json"] = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

        _publish_directory(out, version, files, force)
        entry = {
            "version": version,
            "created": package["created"],
            "path": f"{version}/",
            "events": frame.height,
            "articles": len(outcome.articles),
            "rejects": len(outcome.rejects),
            "extractor_version": EXTRACTOR_VERSION,
            "files": [
                {"path": f"{version}/{name}", "bytes": len(data), "sha256": sha256_bytes(data)}
                for name, data in sorted(files.items())
            ],
        }
        releases = [r for r in index["releases"] if r.get("version") != version] + [entry]
        releases.sort(key=lambda r: _version_key(r["version"]))
        index = {"latest": releases[-1]["version"], "releases": releases}
        write_atomic(out / RELEASES_INDEX, (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode())

    return ReleaseResult(
        version=version,
        path=target,
        events=frame.height,
        articles=len(outcome.articles),
        rejects=len(outcome.rejects),
        added=len(changes["added"]),
        removed=len(changes["removed"]),
        changed=len(changes["changed"]),
        seconds=time.perf_counter() - started,
        files={name: len(data) for name, data in files.items()},
    )


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


def _publish_directory(out: Path, version: str, files: dict[str, bytes], force: bool) -> None:
    tmp = out / f".tmp-{version}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        tmp.mkdir()
        for name, data in files.items():
            with (tmp / name).open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ReleaseError(f"cannot write release files in {out}: {exc.strerror or exc}") from None
    target = out / version
    old = out / f".old-{version}-{os.getpid()}"
    if target.exists():
        if not force:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ReleaseError(f"release {version} already exists in {out}; use --force to rebuild it")
        os.replace(target, old)
    os.replace(tmp, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(out)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def cleanup_stale(out: Path) -> list[Path]:
    """Remove temporary directories left by interrupted builds (no live process owns them)."""
    removed = []
    for path in out.glob(".tmp-*"):
        pid_text = path.name.rsplit("-", 1)[-1]
        if pid_text.isdigit() and _pid_alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
