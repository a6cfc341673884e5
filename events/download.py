"""Find and fetch releases: from a local ``dist/`` directory or a remote copy of it.

Nothing a source says is trusted before it is checked: versions and file names must be plain names (so a
crafted ``releases.json`` cannot make us write outside ``--to``), sizes must be plausible and fit on the
disk, and a file lands at its name only after its size and sha256 match both ``releases.json`` and the
release's ``datapackage.json``. Each file is written to a hidden ``.NAME.part`` sibling first and renamed
when verified, so an interrupted or corrupt download never leaves a file at the target name; the next
attempt (in this run after a transient error, or in a later run) resumes the part with a Range request.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from events import __version__
from events.fsutil import fsync_dir, sha256_file

INDEX_NAME = "releases.json"
PACKAGE_NAME = "datapackage.json"
TIMELINE_NAME = "timeline.html"
FORMATS = ("parquet", "csv", "all")
FORMAT_FILES = {"parquet": ("events.parquet",), "csv": ("events.csv",)}

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
NAME_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
CONTENT_RANGE_PATTERN = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
MAX_INDEX_BYTES = 32 << 20
MAX_FILE_BYTES = 1 << 40
CHUNK_BYTES = 1 << 16

#: (file name, bytes so far, total bytes)
ProgressCallback = Callable[[str, int, int], None]
#: (file name, reason, seconds until the next attempt)
RetryCallback = Callable[[str, str, float], None]
Sleep = Callable[[float], None]


class DownloadError(RuntimeError):
    """A release could not be found or fetched; the message is one clear line for the user."""


class _Missing(Exception):
    """The source has no such file (HTTP 404/410, or no file on disk)."""


class _Transient(Exception):
    """Worth another attempt: connection reset or cut, timeout, 5xx, 429."""


class _Unreachable(_Transient):
    """Could not connect at all."""


class _RangeRejected(Exception):
    """The source would not continue the partial file where it stops; start it over."""


class _TooLarge(Exception):
    """The source has more bytes than we are prepared to read into memory."""


class _WriteFailed(DownloadError):
    """Writing to the target directory failed (disk full, permission denied)."""


@dataclass(frozen=True)
class ReleaseFile:
    name: str  # file name inside the release directory, e.g. "events.parquet"
    source_path: str  # path relative to the source root, e.g. "2024.05.01/events.parquet"
    size: int
    sha256: str


@dataclass(frozen=True)
class ReleaseSummary:
    version: str
    created: str
    events: int | None
    articles: int | None
    rejects: int | None
    files: int
    bytes: int
    latest: bool


@dataclass
class DownloadResult:
    version: str
    path: Path
    files: list[Path] = field(default_factory=list)
    fetched_bytes: int = 0
    already_present: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently transient errors are retried (exponential backoff with jitter)."""

    retries: int = 4
    backoff: float = 0.5
    max_delay: float = 10.0

    def delay(self, attempt: int) -> float:
        base = min(self.max_delay, self.backoff * 2 ** max(0, attempt - 1))
        return base * (0.75 + random.random() / 2)


# ---------------------------------------------------------------------------------------------
# small pure helpers


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def safe_version(version: Any) -> str:
    """The version if it is a plain name usable as one directory, else a DownloadError."""
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise DownloadError(f"the source lists an unsafe or invalid release version {version!r}; refusing it")
    return version


def resolve_version(index: dict[str, Any], version: str) -> dict[str, Any]:
    releases = [r for r in index.get("releases", []) if isinstance(r, dict)]
    wanted = index.get("latest") if version == "latest" else version
    for entry in releases:
        if entry.get("version") == wanted:
            return dict(entry)
    known = ", ".join(str(r.get("version", "?")) for r in releases) or "none"
    raise DownloadError(f"unknown version {version!r} (available: {known})")


def release_files(entry: dict[str, Any]) -> list[ReleaseFile]:
    """The files one ``releases.json`` entry lists, each checked to be a plain name with a sane size."""
    version = safe_version(entry.get("version"))
    raw = entry.get("files")
    if not isinstance(raw, list) or not raw:
        raise DownloadError(f"release {version} lists no files in {INDEX_NAME}")
    files: list[ReleaseFile] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict):
            raise DownloadError(f"release {version}: malformed file entry {item!r} in {INDEX_NAME}")
        path, size, digest = item.get("path"), item.get("bytes"), item.get("sha256")
        prefix = f"{version}/"
        name = path[len(prefix) :] if isinstance(path, str) and path.startswith(prefix) else None
        if name is None or not NAME_PATTERN.match(name):
            raise DownloadError(f"release {version} lists an unsafe file path {path!r}; refusing to download")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_FILE_BYTES:
            raise DownloadError(f"release {version} lists an implausible size {size!r} for {name}")
        if not isinstance(digest, str) or not SHA256_PATTERN.match(digest.lower()):
            raise DownloadError(f"release {version} lists no valid sha256 for {name}")
        if name in seen:
            raise DownloadError(f"release {version} lists {name} twice")
        seen.add(name)
        files.append(
            ReleaseFile(name=name, source_path=f"{version}/{name}", size=size, sha256=digest.lower())
        )
    return files


def select_files(files: list[ReleaseFile], fmt: str, version: str) -> list[ReleaseFile]:
    """The files a format asks for; the datapackage always comes along (it describes and verifies them)."""
    if fmt not in FORMATS:
        raise DownloadError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    by_name = {f.name: f for f in files}
    if PACKAGE_NAME not in by_name:
        raise DownloadError(f"release {version} has no {PACKAGE_NAME}; cannot verify it")
    if fmt == "all":
        return files
    wanted = [PACKAGE_NAME, *FORMAT_FILES[fmt]]
    missing = [name for name in wanted if name not in by_name]
    if missing:
        raise DownloadError(
            f"release {version} has no {', '.join(missing)} (it has {', '.join(sorted(by_name))})"
        )
    return [by_name[name] for name in wanted]


def check_datapackage(version: str, data: bytes, files: list[ReleaseFile]) -> None:
    """The datapackage must describe every file we fetch with the same size and sha256 as the index."""
    try:
        package = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DownloadError(f"release {version}: {PACKAGE_NAME} is not valid JSON") from None
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list):
        raise DownloadError(f"release {version}: {PACKAGE_NAME} has no resources list")
    if package.get("version") not in (None, version):
        raise DownloadError(
            f"release {version}: {PACKAGE_NAME} says it is version {package.get('version')!r}"
        )
    described = {r["path"]: r for r in resources if isinstance(r, dict) and isinstance(r.get("path"), str)}
    for spec in files:
        if spec.name == PACKAGE_NAME:
            continue
        resource = described.get(spec.name)
        if resource is None:
            raise DownloadError(f"release {version}: {PACKAGE_NAME} does not describe {spec.name}")
        size, digest = resource.get("bytes"), resource.get("hash")
        algorithm, _, hexdigest = digest.partition(":") if isinstance(digest, str) else ("", "", "")
        if size != spec.size or algorithm != "sha256" or hexdigest.lower() != spec.sha256:
            raise DownloadError(
                f"release {version} is inconsistent: {INDEX_NAME} and {PACKAGE_NAME} "
                f"disagree about {spec.name}"
            )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectError) and "refused" in text.lower():
        return "connection refused"
    return text or type(exc).__name__


def _is_http(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


# ---------------------------------------------------------------------------------------------
# sources


class LocalSource:
    """A ``dist/`` directory on this machine; paths are confined to it (symlinks resolved)."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise DownloadError(f"no such directory: {root}")
        self.root = root
        self.real = os.path.realpath(root)
        self.label = str(root)

    def _path(self, rel: str) -> str:
        path = os.path.realpath(os.path.join(self.real, rel))
        if not path.startswith(self.real.rstrip(os.sep) + os.sep):
            raise _Missing(rel)
        return path

    def read(self, rel: str, limit: int) -> bytes:
        with self.open_stream(rel, 0) as (_, total, chunks):
            return _read_bounded(rel, total, chunks, limit)

    @contextmanager
    def open_stream(self, rel: str, offset: int) -> Iterator[tuple[int, int | None, Iterator[bytes]]]:
        path = self._path(rel)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the with below
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise _Missing(rel) from None
        except OSError as exc:
            raise DownloadError(f"cannot read {path}: {exc.strerror or exc}") from None
        with handle:
            size = os.fstat(handle.fileno()).st_size
            start = offset if offset <= size else 0
            handle.seek(start)
            yield start, size, _read_chunks(handle, path)

    def close(self) -> None:
        pass


def _read_bounded(rel: str, total: int | None, chunks: Iterator[bytes], limit: int) -> bytes:
    """A small file (index, datapackage) whole, refusing more than ``limit`` bytes however it is sent."""
    if total is not None and total > limit:
        raise _TooLarge(rel)
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise _TooLarge(rel)
    return bytes(data)


def _read_chunks(handle: Any, path: str) -> Iterator[bytes]:
    try:
        yield from iter(lambda: handle.read(CHUNK_BYTES), b"")
    except OSError as exc:
        raise DownloadError(f"cannot read {path}: {exc.strerror or exc}") from None


class HttpSource:
    """A copy of ``dist/`` served over HTTP(S)."""

    def __init__(self, base_url: str, client: httpx.Client | None = None, timeout: float = 30.0) -> None:
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        self.label = self.base
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,
            headers={"User-Agent": f"events-publisher/{__version__}", "Accept-Encoding": "identity"},
        )

    def url(self, rel: str) -> str:
        return self.base + quote(rel)

    def read(self, rel: str, limit: int) -> bytes:
        with self.open_stream(rel, 0) as (_, total, chunks):
            return _read_bounded(rel, total, chunks, limit)

    @contextmanager
    def open_stream(self, rel: str, offset: int) -> Iterator[tuple[int, int | None, Iterator[bytes]]]:
        """Yield (offset the data starts at, total file size if the server says, chunks)."""
        url = self.url(rel)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in (404, 410):
                    raise _Missing(f"HTTP {status}")
                if status == 416 and offset:
                    raise _RangeRejected(url)
                if status >= 500 or status in (408, 429):
                    raise _Transient(f"HTTP {status} from {url}")
                encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
                if status == 206:
                    match = CONTENT_RANGE_PATTERN.match(response.headers.get("content-range", ""))
                    if not match or int(match.group(1)) != offset:
                        raise _RangeRejected(url)
                    start = offset
                    total = None if match.group(3) == "*" or encoded else int(match.group(3))
                elif status == 200:
                    start = 0
                    length = response.headers.get("content-length", "")
                    total = int(length) if length.isdigit() and not encoded else None
                else:
                    raise DownloadError(f"{url}: HTTP {status} {response.reason_phrase}".rstrip())
                yield start, total, response.iter_bytes(CHUNK_BYTES)
        except httpx.UnsupportedProtocol as exc:
            raise DownloadError(f"cannot fetch {url}: {exc}") from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Unreachable(_describe(exc)) from None
        except httpx.TransportError as exc:
            raise _Transient(_describe(exc)) from None
        except httpx.InvalidURL as exc:
            raise DownloadError(f"invalid URL {url}: {exc}") from None

    def close(self) -> None:
        if self._own_client:
            self.client.close()


def open_source(source: str, client: httpx.Client | None = None) -> LocalSource | HttpSource:
    """A URL (http, https, file) or a directory path."""
    if _is_http(source):
        return HttpSource(source, client)
    if source.lower().startswith("file://"):
        return LocalSource(Path(unquote(urlsplit(source).path)))
    if "://" in source:
        raise DownloadError(f"unsupported source {source!r}: use an http(s):// URL or a directory")
    return LocalSource(Path(source))


def _retrying(
    what: str,
    action: Callable[[], Any],
    policy: RetryPolicy,
    on_retry: RetryCallback | None,
    sleep: Sleep,
    *,
    retry_unreachable: bool = True,
) -> Any:
    attempt = 0
    while True:
        try:
            return action()
        except _Transient as exc:
            attempt += 1
            if attempt > policy.retries or (isinstance(exc, _Unreachable) and not retry_unreachable):
                raise
            delay = policy.delay(attempt)
            if on_retry is not None:
                on_retry(what, str(exc), delay)
            sleep(delay)


# ---------------------------------------------------------------------------------------------
# the index


def read_local_index(dist: Path) -> dict[str, Any]:
    path = dist / INDEX_NAME
    if not path.exists():
        raise DownloadError(f"no releases in {dist} (no releases.json); build one with `events release`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DownloadError(f"{path} is not valid JSON: {exc}") from None
    return _checked_index(data, str(path))


def _checked_index(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("releases", []), list):
        raise DownloadError(f"{where} is not a releases index (expected an object with a 'releases' list)")
    return data


def read_index(
    source: str | LocalSource | HttpSource,
    *,
    policy: RetryPolicy | None = None,
    on_retry: RetryCallback | None = None,
    sleep: Sleep = time.sleep,
) -> dict[str, Any]:
    """``releases.json`` from a directory or URL; an unreachable host fails at once, not after retries."""
    src = open_source(source) if isinstance(source, str) else source
    try:
        if isinstance(src, LocalSource):
            return read_local_index(src.root)
        try:
            raw = _retrying(
                INDEX_NAME,
                lambda: src.read(INDEX_NAME, MAX_INDEX_BYTES),
                policy or RetryPolicy(),
                on_retry,
                sleep,
                retry_unreachable=False,
            )
        except _Missing as exc:
            raise DownloadError(f"no releases at {src.base} ({INDEX_NAME}: {exc} not found)") from None
        except _Unreachable as exc:
            raise DownloadError(f"cannot reach {src.base}: {exc}") from None
        except _Transient as exc:
            raise DownloadError(f"cannot read {src.url(INDEX_NAME)}: {exc}") from None
        except _TooLarge:
            raise DownloadError(
                f"{src.url(INDEX_NAME)} is larger than {human_size(MAX_INDEX_BYTES)}"
            ) from None
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DownloadError(f"{src.url(INDEX_NAME)} is not valid JSON: {exc}") from None
        return _checked_index(data, src.url(INDEX_NAME))
    finally:
        if isinstance(source, str):
            src.close()


def summarize(index: dict[str, Any]) -> list[ReleaseSummary]:
    """One row per release, oldest first, as the index orders them."""
    rows = []
    for entry in index.get("releases", []):
        if not isinstance(entry, dict):
            continue
        try:
            files = release_files(entry)
        except DownloadError:
            files = []

        def count(key: str, entry: dict[str, Any] = entry) -> int | None:
            value = entry.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        rows.append(
            ReleaseSummary(
                version=str(entry.get("version", "?")),
                created=str(entry.get("created", "")),
                events=count("events"),
                articles=count("articles"),
                rejects=count("rejects"),
                files=len(files),
                bytes=sum(f.size for f in files),
                latest=entry.get("version") == index.get("latest"),
            )
        )
    return rows


def list_releases(source: str, *, policy: RetryPolicy | None = None) -> list[ReleaseSummary]:
    return summarize(read_index(source, policy=policy))


def local_timeline(dist: Path, version: str) -> Path:
    entry = resolve_version(read_local_index(dist), version)
    path = dist / safe_version(entry["version"]) / TIMELINE_NAME
    if not path.exists():
        raise DownloadError(f"release {entry['version']} has no timeline.html in {dist}")
    return path


# ---------------------------------------------------------------------------------------------
# downloading


def _part_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.part")


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _already_there(target: Path, spec: ReleaseFile) -> bool:
    try:
        return target.is_file() and target.stat().st_size == spec.size and sha256_file(target) == spec.sha256
    except OSError:
        return False


def _write_error(exc: OSError, path: Path) -> _WriteFailed:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _WriteFailed(f"disk full while writing {path}; nothing was saved")
    return _WriteFailed(f"cannot write {path}: {exc.strerror or exc}")


def _open_part(path: Path, mode: str) -> Any:
    """The partial file's handle (a seam for tests that simulate a full disk)."""
    return open(path, mode)


class _SizeConflict(Exception):
    def __init__(self, found: int | None) -> None:
        super().__init__(found)
        self.found = found


def _stream_into(
    src: LocalSource | HttpSource,
    spec: ReleaseFile,
    part: Path,
    offset: int,
    progress: ProgressCallback | None,
) -> None:
    """Append the rest of the file to ``part``; never writes past the size the index lists."""
    with src.open_stream(spec.source_path, offset) as (start, total, chunks):
        if total is not None and total != spec.size:
            raise _SizeConflict(total)
        written = start
        try:
            handle = _open_part(part, "ab" if start else "wb")
        except OSError as exc:
            raise _write_error(exc, part) from None
        with handle:
            for chunk in chunks:
                if written + len(chunk) > spec.size:
                    raise _SizeConflict(None)
                try:
                    handle.write(chunk)
                except OSError as exc:
                    raise _write_error(exc, part) from None
                written += len(chunk)
                if progress is not None:
                    progress(spec.name, written, spec.size)
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise _write_error(exc, part) from None
        if written < spec.size:
            raise _Transient(f"connection closed after {written} of {spec.size} bytes")


def fetch_file(
    src: LocalSource | HttpSource,
    spec: ReleaseFile,
    target: Path,
    *,
    version: str = "",
    policy: RetryPolicy | None = None,
    progress: ProgressCallback | None = None,
    on_retry: RetryCallback | None = None,
    sleep: Sleep = time.sleep,
) -> str:
    """Fetch one file to ``target``: returns "present", "fetched" or "resumed"."""
    policy = policy or RetryPolicy()
    label = f"{version}/{spec.name}" if version else spec.name
    if _already_there(target, spec):
        if progress is not None:
            progress(spec.name, spec.size, spec.size)
        return "present"
    part = _part_path(target)
    attempts = 0
    started_over = False
    resumed_ever = False
    while True:
        offset = _size_of(part)
        if offset > spec.size:
            part.unlink(missing_ok=True)
            offset = 0
        resumed_now = offset > 0
        resumed_ever = resumed_ever or resumed_now
        try:
            if offset < spec.size or not part.exists():
                _stream_into(src, spec, part, offset, progress)
        except _RangeRejected:
            part.unlink(missing_ok=True)
            attempts += 1
            if attempts > policy.retries:
                raise DownloadError(f"{label}: the source keeps refusing to resume it") from None
            continue
        except _Missing:
            part.unlink(missing_ok=True)
            raise DownloadError(f"release file {label} is listed but missing at {src.label}") from None
        except _SizeConflict as exc:
            part.unlink(missing_ok=True)
            found = f"{exc.found} bytes" if exc.found is not None else "more bytes"
            raise DownloadError(
                f"size mismatch for {label}: {INDEX_NAME} lists {spec.size} bytes, the source has {found}; "
                "nothing was saved"
            ) from None
        except _Transient as exc:
            attempts += 1
            if attempts > policy.retries:
                reason = f"cannot reach {src.label}: {exc}" if isinstance(exc, _Unreachable) else str(exc)
                raise DownloadError(f"{label}: {reason} (gave up after {attempts} attempts)") from None
            delay = policy.delay(attempts)
            if on_retry is not None:
                on_retry(spec.name, str(exc), delay)
            sleep(delay)
            continue
        except _WriteFailed:
            part.unlink(missing_ok=True)  # frees the space; a full disk leaves nothing behind
            raise
        digest = sha256_file(part)
        if digest == spec.sha256:
            os.replace(part, target)
            fsync_dir(target.parent)
            return "resumed" if resumed_ever else "fetched"
        part.unlink(missing_ok=True)
        if resumed_now and not started_over:
            started_over = True  # the kept part may be from an older copy: fetch it whole once
            continue
        raise DownloadError(
            f"checksum mismatch for {label}: expected sha256 {spec.sha256[:16]}…, got {digest[:16]}…; "
            "nothing was saved"
        )


def _write_atomic(target: Path, data: bytes) -> None:
    part = _part_path(target)
    try:
        with _open_part(part, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise _write_error(exc, target) from None
    fsync_dir(target.parent)


def _inside(base: Path, target: Path) -> bool:
    base_real = os.path.realpath(base)
    return os.path.realpath(target).startswith(base_real.rstrip(os.sep) + os.sep)


def download_release(
    source: str,
    version: str = "latest",
    to: Path | None = None,
    fmt: str = "all",
    *,
    policy: RetryPolicy | None = None,
    progress: ProgressCallback | None = None,
    on_retry: RetryCallback | None = None,
    on_plan: Callable[[list[ReleaseFile]], None] | None = None,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
) -> DownloadResult:
    """Fetch one release's files into ``to`` (default ``./VERSION/``), each verified before it is kept.

    The datapackage is fetched first (into memory) and checked against the index; the data files follow;
    the datapackage is written last, so its presence means the download completed.
    """
    policy = policy or RetryPolicy()
    src = open_source(source, client)
    try:
        index = read_index(src, policy=policy, on_retry=on_retry, sleep=sleep)
        entry = resolve_version(index, version)
        name = safe_version(entry.get("version"))
        wanted = select_files(release_files(entry), fmt, name)
        package_spec = next(f for f in wanted if f.name == PACKAGE_NAME)
        if on_plan is not None:
            on_plan(wanted)

        package = _fetch_small(src, package_spec, name, policy, on_retry, sleep)
        check_datapackage(name, package, wanted)
        if progress is not None:
            progress(PACKAGE_NAME, package_spec.size, package_spec.size)

        target_dir = to if to is not None else Path(name)
        try:
            target_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DownloadError(f"cannot create {target_dir}: {exc.strerror or exc}") from None
        data_files = [f for f in wanted if f.name != PACKAGE_NAME]
        for spec in wanted:  # a symlink planted in --to must not redirect a write
            for path in (target_dir / spec.name, _part_path(target_dir / spec.name)):
                if not _inside(target_dir, path):
                    raise DownloadError(f"{path} leads outside {target_dir}; refusing to write it")
        _check_space(target_dir, [(f, target_dir / f.name) for f in wanted])

        result = DownloadResult(version=name, path=target_dir)
        for spec in data_files:
            target = target_dir / spec.name
            outcome = fetch_file(
                src,
                spec,
                target,
                version=name,
                policy=policy,
                progress=progress,
                on_retry=on_retry,
                sleep=sleep,
            )
            result.files.append(target)
            if outcome == "present":
                result.already_present.append(spec.name)
            else:
                result.fetched_bytes += spec.size
                if outcome == "resumed":
                    result.resumed.append(spec.name)
        package_target = target_dir / PACKAGE_NAME
        if _already_there(package_target, package_spec):
            result.already_present.append(PACKAGE_NAME)
        else:
            _write_atomic(package_target, package)
            result.fetched_bytes += len(package)
        result.files.append(package_target)
        return result
    finally:
        src.close()


def _fetch_small(
    src: LocalSource | HttpSource,
    spec: ReleaseFile,
    version: str,
    policy: RetryPolicy,
    on_retry: RetryCallback | None,
    sleep: Sleep,
) -> bytes:
    label = f"{version}/{spec.name}"
    try:
        data: bytes = _retrying(
            spec.name, lambda: src.read(spec.source_path, spec.size), policy, on_retry, sleep
        )
    except _Missing:
        raise DownloadError(f"release file {label} is listed but missing at {src.label}") from None
    except _Transient as exc:
        raise DownloadError(f"{label}: {exc} (gave up after {policy.retries + 1} attempts)") from None
    except _TooLarge:
        raise DownloadError(
            f"size mismatch for {label}: {INDEX_NAME} lists {spec.size} bytes, the source has more"
        ) from None
    if len(data) != spec.size:
        raise DownloadError(
            f"size mismatch for {label}: {INDEX_NAME} lists {spec.size} bytes, the source has {len(data)}"
        )
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        raise DownloadError(
            f"checksum mismatch for {label}: expected sha256 {spec.sha256[:16]}…, got {digest[:16]}…; "
            "nothing was saved"
        )
    return data


def _check_space(directory: Path, plan: list[tuple[ReleaseFile, Path]]) -> None:
    needed = 0
    for spec, target in plan:
        if target.is_file() and target.stat().st_size == spec.size:
            continue  # probably already there; verified later
        needed += spec.size - min(_size_of(_part_path(target)), spec.size)
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        return
    if needed > free:
        raise DownloadError(
            f"not enough disk space in {directory}: need {human_size(needed)}, {human_size(free)} free"
        )


# ---------------------------------------------------------------------------------------------
# the timeline, wherever it is


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "events-publisher" / "releases"


def _cache_key(url: str) -> str:
    parts = urlsplit(url)
    host = re.sub(r"[^0-9A-Za-z.-]+", "_", parts.netloc) or "source"
    return f"{host}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def fetch_timeline(
    source: str,
    version: str = "latest",
    *,
    cache_dir: Path | None = None,
    policy: RetryPolicy | None = None,
    progress: ProgressCallback | None = None,
    on_retry: RetryCallback | None = None,
    on_plan: Callable[[list[ReleaseFile]], None] | None = None,
) -> Path:
    """The timeline file of a release: as it is for a directory, downloaded into a cache for a URL.

    The whole release is fetched so the timeline's links to its tables work offline.
    """
    if not _is_http(source):
        src = open_source(source)
        assert isinstance(src, LocalSource)
        return local_timeline(src.root, version)
    base = (cache_dir or default_cache_dir()) / _cache_key(source)
    index = read_index(source, policy=policy, on_retry=on_retry)
    name = safe_version(resolve_version(index, version).get("version"))
    result = download_release(
        source, name, base / name, "all", policy=policy, progress=progress, on_retry=on_retry, on_plan=on_plan
    )
    timeline = result.path / TIMELINE_NAME
    if not timeline.is_file():
        raise DownloadError(f"release {name} has no {TIMELINE_NAME}")
    return timeline
