"""``events download / list / view``: round trips through the project's own server, fault injection
through a small test server (cut connections, 5xx, lying sizes), and malicious indexes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from events import download as dl
from events.cli import app
from events.download import (
    DownloadError,
    ReleaseFile,
    RetryPolicy,
    download_release,
    human_size,
    list_releases,
    release_files,
    select_files,
)
from tests.test_serve import make_release, one_line_error, running_server

runner = CliRunner()
V = "2024.05.01"
FAST = RetryPolicy(retries=3, backoff=0.001, max_delay=0.01)


def no_sleep(_seconds: float) -> None:
    pass


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# ---------------------------------------------------------------------------------------------
# a test server that misbehaves on purpose (the real one is `events serve`, used for round trips)


@dataclass
class Faults:
    cut_after: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before the connection drops
    statuses: dict[str, list[int]] = field(default_factory=dict)  # path -> statuses answered first
    override: dict[str, bytes] = field(default_factory=dict)  # path -> body served instead of the file
    ignore_range: bool = False
    no_length: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)


@contextmanager
def fault_server(dist: Path, faults: Faults) -> Iterator[str]:
    root = dist.resolve()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10

        def log_message(self, *args: Any) -> None:
            pass

        def _status(self, code: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            faults.requests.append((path, self.headers.get("Range")))
            if faults.statuses.get(path):
                self._status(faults.statuses[path].pop(0))
                return
            if path in faults.override:
                data = faults.override[path]
            else:
                file = (root / unquote(path.lstrip("/"))).resolve()
                if not file.is_relative_to(root) or not file.is_file():
                    self._status(404)
                    return
                data = file.read_bytes()
            status, start, headers = 200, 0, {}
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if match and not faults.ignore_range:
                start = int(match.group(1))
                if start >= len(data):
                    self._status(416, {"Content-Range": f"bytes */{len(data)}"})
                    return
                status, headers = 206, {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
            body = data[start:]
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if not faults.no_length:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            cut = faults.cut_after.pop(path, None)
            if cut is not None:
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture()
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    make_release(root, "2024.04.01", events=5, seed=1, created="2024-04-01T08:00:00Z")
    make_release(root, V, events=7)
    return root


def disk(free: int) -> Any:
    """What ``shutil.disk_usage`` returns, with as much free space as a test wants."""
    return shutil._ntuple_diskusage(10**12, 10**12 - free, free)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# round trips through `events serve`


def test_round_trip_through_the_real_server(dist: Path, tmp_path: Path) -> None:
    out = tmp_path / "got"
    with running_server(dist) as url:
        result = runner.invoke(app, ["download", "latest", "--from", url, "--to", str(out)])
        assert result.exit_code == 0, result.output
        assert f"release {V}: 6 files verified" in " ".join(result.output.split())
        assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in (dist / V).iterdir())
        for path in (dist / V).iterdir():
            assert (out / path.name).read_bytes() == path.read_bytes()
        again = runner.invoke(app, ["download", V, "--from", url, "--to", str(out)])
        assert again.exit_code == 0
        assert "6 already present" in again.output and "0 B fetched" in again.output


def test_real_release_round_trip(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    for module in ("events.ingest", "events.places", "events.actors", "events.industries"):
        pytest.importorskip(module)
    release_dir: Path = request.getfixturevalue("seeds_release")
    out = tmp_path / "got"
    with running_server(release_dir.parent) as url:
        result = download_release(url, "1.0.0", out, policy=FAST, sleep=no_sleep)
    assert sorted(p.name for p in result.files) == sorted(p.name for p in release_dir.iterdir())
    for path in release_dir.iterdir():
        assert (out / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    ("fmt", "names"),
    [
        ("parquet", ["datapackage.json", "events.parquet"]),
        ("csv", ["datapackage.json", "events.csv"]),
        (
            "all",
            [
                "CHANGELOG.md",
                "datapackage.json",
                "events.csv",
                "events.parquet",
                "rejects.csv",
                "timeline.html",
            ],
        ),
    ],
)
def test_format_chooses_the_files(dist: Path, tmp_path: Path, fmt: str, names: list[str]) -> None:
    out = tmp_path / "got"
    result = runner.invoke(app, ["download", "--from", str(dist), "--to", str(out), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert leftovers(out) == names


def test_to_defaults_to_the_version_directory(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["download", "2024.04.01", "--from", f"file://{dist}", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert (work / "2024.04.01" / "events.csv").read_bytes() == (
        dist / "2024.04.01" / "events.csv"
    ).read_bytes()


def test_list_from_directory_and_url(dist: Path) -> None:
    local = runner.invoke(app, ["list", "--from", str(dist)])
    assert local.exit_code == 0, local.output
    lines = [line for line in local.output.splitlines() if line.strip()]
    assert lines[1].startswith(V) and lines[2].startswith("2024.04.01")  # newest first
    assert re.search(r"\b7\b.*\b8\b.*\b1\b.*\b6\b", lines[1])
    assert "latest: 2024.05.01" in local.output
    with running_server(dist) as url:
        remote = runner.invoke(app, ["list", "--from", url])
    assert remote.exit_code == 0
    assert remote.output == local.output


def test_list_rows_have_counts_and_sizes(dist: Path) -> None:
    rows = {row.version: row for row in list_releases(str(dist))}
    assert rows[V].events == 7 and rows[V].articles == 8 and rows[V].rejects == 1
    assert rows[V].files == 6 and rows[V].latest and not rows["2024.04.01"].latest
    assert rows[V].bytes == sum(p.stat().st_size for p in (dist / V).iterdir())


def test_progress_reports_every_file_up_to_its_size(dist: Path, tmp_path: Path) -> None:
    updates: dict[str, list[tuple[int, int]]] = {}
    planned: list[str] = []
    download_release(
        str(dist),
        V,
        tmp_path / "got",
        progress=lambda name, done, total: updates.setdefault(name, []).append((done, total)),
        on_plan=lambda files: planned.extend(f.name for f in files),
    )
    sizes = {p.name: p.stat().st_size for p in (dist / V).iterdir()}
    assert sorted(planned) == sorted(sizes) == sorted(updates)
    for name, seen in updates.items():
        done = [d for d, _ in seen]
        assert done == sorted(done)
        assert seen[-1] == (sizes[name], sizes[name])
    assert len(updates["events.parquet"]) >= 3  # reported per chunk, not once at the end


# ---------------------------------------------------------------------------------------------
# corruption and truncation


@pytest.mark.parametrize("name", ["events.parquet", "timeline.html", "datapackage.json"])
def test_one_corrupt_byte_fails_and_leaves_nothing(dist: Path, tmp_path: Path, name: str) -> None:
    served = dist / V / name
    data = bytearray(served.read_bytes())
    data[len(data) // 2] ^= 0x01
    served.write_bytes(bytes(data))
    out = tmp_path / "got"
    with running_server(dist) as url:
        result = runner.invoke(app, ["download", "--from", url, "--to", str(out)])
    assert result.exit_code == 1
    message = one_line_error(result.output)
    assert f"checksum mismatch for {V}/{name}" in message
    assert name not in leftovers(out)
    assert not [n for n in leftovers(out) if n.endswith(".part")]
    if name == "datapackage.json":
        assert leftovers(out) == []  # checked before anything is written


def test_truncated_file_on_the_server_is_a_size_mismatch(dist: Path, tmp_path: Path) -> None:
    served = dist / V / "events.csv"
    served.write_bytes(served.read_bytes()[:-3])
    out = tmp_path / "got"
    with pytest.raises(DownloadError, match=r"size mismatch for 2024.05.01/events.csv: releases.json lists"):
        download_release(str(dist), V, out, "csv", policy=FAST, sleep=no_sleep)
    assert leftovers(out) == []


@pytest.mark.parametrize("no_length", [False, True])
def test_server_sending_more_than_listed_is_stopped(dist: Path, tmp_path: Path, no_length: bool) -> None:
    path = f"/{V}/events.parquet"
    faults = Faults(
        override={path: (dist / V / "events.parquet").read_bytes() + b"x" * 5000}, no_length=no_length
    )
    out = tmp_path / "got"
    with fault_server(dist, faults) as url, pytest.raises(DownloadError, match="size mismatch"):
        download_release(url, V, out, "parquet", policy=FAST, sleep=no_sleep)
    assert leftovers(out) == []


def test_datapackage_disagreeing_with_the_index_fails(dist: Path, tmp_path: Path) -> None:
    package_path = dist / V / "datapackage.json"
    package = json.loads(package_path.read_text())
    for resource in package["resources"]:
        if resource["path"] == "events.csv":
            resource["hash"] = "sha256:" + "0" * 64
    package_path.write_text(json.dumps(package))
    index = json.loads((dist / "releases.json").read_text())
    for entry in index["releases"]:
        for item in entry["files"]:
            if item["path"] == f"{V}/datapackage.json":
                item["bytes"] = package_path.stat().st_size
                item["sha256"] = hashlib.sha256(package_path.read_bytes()).hexdigest()
    (dist / "releases.json").write_text(json.dumps(index))
    expected = "inconsistent: releases.json and datapackage.json disagree about events.csv"
    with pytest.raises(DownloadError, match=expected):
        download_release(str(dist), V, tmp_path / "got", policy=FAST, sleep=no_sleep)
    assert leftovers(tmp_path / "got") == []


# ---------------------------------------------------------------------------------------------
# interruption, resume, retries


def test_cut_connection_resumes_with_range_to_a_correct_file(dist: Path, tmp_path: Path) -> None:
    path = f"/{V}/events.parquet"
    faults = Faults(cut_after={path: 100_000})
    out = tmp_path / "got"
    with fault_server(dist, faults) as url:
        result = runner.invoke(app, ["download", "--from", url, "--to", str(out), "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert "resumed events.parquet" in result.output
    assert (out / "events.parquet").read_bytes() == (dist / V / "events.parquet").read_bytes()
    ranges = [rng for p, rng in faults.requests if p == path]
    assert ranges[0] is None
    assert ranges[1] is not None and 0 < int(ranges[1][6:-1]) <= 100_000
    assert leftovers(out) == ["datapackage.json", "events.parquet"]


def test_interrupted_download_leaves_no_target_and_a_later_run_resumes(dist: Path, tmp_path: Path) -> None:
    path = f"/{V}/events.parquet"
    out = tmp_path / "got"
    faults = Faults(cut_after={path: 120_000})
    with fault_server(dist, faults) as url:
        with pytest.raises(DownloadError, match=r"2024.05.01/events.parquet: .*gave up after 1 attempts"):
            download_release(url, V, out, "parquet", policy=RetryPolicy(retries=0), sleep=no_sleep)
        assert "events.parquet" not in leftovers(out) and "datapackage.json" not in leftovers(out)
        assert 0 < (out / ".events.parquet.part").stat().st_size <= 120_000
        result = download_release(url, V, out, "parquet", policy=FAST, sleep=no_sleep)
    assert result.resumed == ["events.parquet"]
    assert faults.requests[-1][1] is not None and faults.requests[-1][1].startswith("bytes=")
    assert (out / "events.parquet").read_bytes() == (dist / V / "events.parquet").read_bytes()
    assert leftovers(out) == ["datapackage.json", "events.parquet"]


def test_server_ignoring_range_restarts_the_file(dist: Path, tmp_path: Path) -> None:
    path = f"/{V}/events.parquet"
    faults = Faults(cut_after={path: 50_000}, ignore_range=True)
    out = tmp_path / "got"
    with fault_server(dist, faults) as url:
        download_release(url, V, out, "parquet", policy=FAST, sleep=no_sleep)
    assert (out / "events.parquet").read_bytes() == (dist / V / "events.parquet").read_bytes()


def test_stale_partial_file_is_refetched_whole(dist: Path, tmp_path: Path) -> None:
    out = tmp_path / "got"
    out.mkdir()
    (out / ".events.parquet.part").write_bytes(b"\x00" * 70_000)  # left by a run against other content
    result = download_release(str(dist), V, out, "parquet", policy=FAST, sleep=no_sleep)
    assert (out / "events.parquet").read_bytes() == (dist / V / "events.parquet").read_bytes()
    assert result.resumed == ["events.parquet"]
    assert leftovers(out) == ["datapackage.json", "events.parquet"]


def test_transient_5xx_is_retried_with_growing_backoff(dist: Path, tmp_path: Path) -> None:
    path = f"/{V}/events.csv"
    faults = Faults(statuses={path: [503, 502], "/releases.json": [500]})
    slept: list[float] = []
    retried: list[tuple[str, str]] = []
    with fault_server(dist, faults) as url:
        download_release(
            url,
            V,
            tmp_path / "got",
            "csv",
            policy=RetryPolicy(retries=3, backoff=0.001),
            sleep=slept.append,
            on_retry=lambda name, why, _d: retried.append((name, why)),
        )
    assert (tmp_path / "got" / "events.csv").read_bytes() == (dist / V / "events.csv").read_bytes()
    assert [name for name, _ in retried] == ["releases.json", "events.csv", "events.csv"]
    assert "HTTP 503" in retried[1][1] and "HTTP 502" in retried[2][1]
    assert slept[2] > slept[1]


def test_persistent_5xx_gives_up_with_one_line(dist: Path, tmp_path: Path) -> None:
    path = f"/{V}/events.csv"
    faults = Faults(statuses={path: [503] * 10})
    with fault_server(dist, faults) as url:
        result = runner.invoke(
            app,
            ["download", "--from", url, "--to", str(tmp_path / "got"), "--format", "csv", "--retries", "1"],
        )
    assert result.exit_code == 1
    assert re.search(r"events.csv: HTTP 503 .* \(gave up after 2 attempts\)", one_line_error(result.output))
    assert leftovers(tmp_path / "got") == []


@pytest.mark.parametrize("delay_attempt", [1, 2, 5, 30])
def test_backoff_is_bounded(delay_attempt: int) -> None:
    policy = RetryPolicy(backoff=0.5, max_delay=4.0)
    delay = policy.delay(delay_attempt)
    assert 0.5 * 0.75 <= delay <= 4.0 * 1.25


# ---------------------------------------------------------------------------------------------
# clear failures


def test_unreachable_host_fails_at_once(tmp_path: Path) -> None:
    port = free_port()
    result = runner.invoke(
        app, ["download", "--from", f"http://127.0.0.1:{port}/", "--to", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert f"cannot reach http://127.0.0.1:{port}/: connection refused" in one_line_error(result.output)
    assert not (tmp_path / "x").exists()


def test_no_index_at_the_url_is_a_clear_404(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with running_server(empty) as url:
        result = runner.invoke(app, ["download", "--from", url])
    assert result.exit_code == 1
    assert f"no releases at {url} (releases.json: HTTP 404 not found)" in one_line_error(result.output)


def test_unknown_version(dist: Path) -> None:
    with running_server(dist) as url:
        result = runner.invoke(app, ["download", "9.9.9", "--from", url])
    assert result.exit_code == 1
    assert "unknown version '9.9.9' (available: 2024.04.01, 2024.05.01)" in one_line_error(result.output)


def test_listed_file_missing_on_the_server(dist: Path, tmp_path: Path) -> None:
    (dist / V / "events.csv").unlink()
    with running_server(dist) as url:
        result = runner.invoke(app, ["download", "--from", url, "--to", str(tmp_path / "got")])
    assert result.exit_code == 1
    assert f"release file {V}/events.csv is listed but missing at {url}" in one_line_error(result.output)
    assert "events.csv" not in leftovers(tmp_path / "got")
    assert "datapackage.json" not in leftovers(tmp_path / "got")


def test_format_file_missing_from_the_release(dist: Path, tmp_path: Path) -> None:
    index = json.loads((dist / "releases.json").read_text())
    index["releases"][-1]["files"] = [
        f for f in index["releases"][-1]["files"] if f["path"] != f"{V}/events.csv"
    ]
    (dist / "releases.json").write_text(json.dumps(index))
    result = runner.invoke(
        app, ["download", "--from", str(dist), "--to", str(tmp_path / "got"), "--format", "csv"]
    )
    assert result.exit_code == 1
    assert f"release {V} has no events.csv" in one_line_error(result.output)


def test_not_enough_disk_space_is_found_before_writing(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dl.shutil, "disk_usage", lambda _p: disk(free=1000))
    result = runner.invoke(app, ["download", "--from", str(dist), "--to", str(tmp_path / "got")])
    assert result.exit_code == 1
    assert re.search(
        r"not enough disk space in .*got: need 245\.\d KiB, 1000 B free", one_line_error(result.output)
    )
    assert leftovers(tmp_path / "got") == []


def test_disk_full_while_writing_leaves_nothing(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FullDisk:
        def __init__(self, path: Path, mode: str) -> None:
            self.handle = open(path, mode)  # noqa: SIM115
            self.written = 0

        def write(self, data: bytes) -> int:
            if self.written + len(data) > 60_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(data)
            return self.handle.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    monkeypatch.setattr(dl, "_open_part", FullDisk)
    out = tmp_path / "got"
    result = runner.invoke(app, ["download", "--from", str(dist), "--to", str(out), "--format", "parquet"])
    assert result.exit_code == 1
    assert "disk full while writing" in one_line_error(result.output)
    assert leftovers(out) == []


# ---------------------------------------------------------------------------------------------
# a malicious releases.json cannot write outside --to


def _entry_with(files: list[Any], version: str = V) -> dict[str, Any]:
    return {"version": version, "created": "2024-05-01", "files": files}


GOOD_SHA = "0" * 64


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_entry_with([{"path": "../evil.txt", "bytes": 4, "sha256": GOOD_SHA}]), "unsafe file path"),
        (_entry_with([{"path": "/tmp/evil.txt", "bytes": 4, "sha256": GOOD_SHA}]), "unsafe file path"),
        (_entry_with([{"path": f"{V}/../../evil.txt", "bytes": 4, "sha256": GOOD_SHA}]), "unsafe file path"),
        (
            _entry_with([{"path": f"{V}/sub/../../evil.txt", "bytes": 4, "sha256": GOOD_SHA}]),
            "unsafe file path",
        ),
        (_entry_with([{"path": f"{V}/..\\evil.txt", "bytes": 4, "sha256": GOOD_SHA}]), "unsafe file path"),
        (_entry_with([{"path": f"{V}/.bashrc", "bytes": 4, "sha256": GOOD_SHA}]), "unsafe file path"),
        (_entry_with([{"path": f"{V}//etc/passwd", "bytes": 4, "sha256": GOOD_SHA}]), "unsafe file path"),
        (
            _entry_with([{"path": "2020.01.01/events.csv", "bytes": 4, "sha256": GOOD_SHA}]),
            "unsafe file path",
        ),
        (
            _entry_with([{"path": "../x/events.csv", "bytes": 4, "sha256": GOOD_SHA}], "../x"),
            "unsafe or invalid",
        ),
        (_entry_with([{"path": "/x/events.csv", "bytes": 4, "sha256": GOOD_SHA}], "/x"), "unsafe or invalid"),
        (_entry_with([{"path": f"{V}/events.csv", "bytes": 10**15, "sha256": GOOD_SHA}]), "implausible size"),
        (_entry_with([{"path": f"{V}/events.csv", "bytes": -1, "sha256": GOOD_SHA}]), "implausible size"),
        (_entry_with([{"path": f"{V}/events.csv", "bytes": "4", "sha256": GOOD_SHA}]), "implausible size"),
        (_entry_with([{"path": f"{V}/events.csv", "bytes": 4, "sha256": "abc"}]), "no valid sha256"),
        (_entry_with([{"path": f"{V}/a.csv", "bytes": 4, "sha256": GOOD_SHA}] * 2), "twice"),
        (_entry_with([]), "lists no files"),
        (_entry_with(["evil"]), "malformed file entry"),
    ],
)
def test_malicious_index_cannot_write_outside_to(tmp_path: Path, entry: dict[str, Any], message: str) -> None:
    source = tmp_path / "site"
    (source / V).mkdir(parents=True)
    (source / "releases.json").write_text(json.dumps({"latest": entry["version"], "releases": [entry]}))
    (tmp_path / "evil.txt").write_text("original")
    before = tree(tmp_path)
    with pytest.raises(DownloadError, match=message):
        download_release(str(source), "latest", tmp_path / "to", policy=FAST, sleep=no_sleep)
    assert tree(tmp_path) == before
    assert (tmp_path / "evil.txt").read_text() == "original"


def test_malicious_index_over_http_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    entry = _entry_with([{"path": f"{V}/../../../evil.txt", "bytes": 4, "sha256": GOOD_SHA}])
    (site / "releases.json").write_text(json.dumps({"latest": V, "releases": [entry]}))
    before = tree(tmp_path)
    with running_server(site) as url:
        result = runner.invoke(app, ["download", "--from", url, "--to", str(tmp_path / "to")])
    assert result.exit_code == 1
    assert "unsafe file path" in one_line_error(result.output)
    assert tree(tmp_path) == before


def test_huge_but_consistent_sizes_stop_at_the_disk_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    make_release(site, V)
    huge = 500 * 1024**3
    package_path = site / V / "datapackage.json"
    package = json.loads(package_path.read_text())
    for resource in package["resources"]:
        if resource["path"] == "events.parquet":
            resource["bytes"] = huge
    package_path.write_text(json.dumps(package))
    index = json.loads((site / "releases.json").read_text())
    for item in index["releases"][0]["files"]:
        if item["path"].endswith("events.parquet"):
            item["bytes"] = huge
        if item["path"].endswith("datapackage.json"):
            item["bytes"] = package_path.stat().st_size
            item["sha256"] = hashlib.sha256(package_path.read_bytes()).hexdigest()
    (site / "releases.json").write_text(json.dumps(index))
    monkeypatch.setattr(dl.shutil, "disk_usage", lambda _p: disk(free=10**11))
    with pytest.raises(DownloadError, match="not enough disk space"):
        download_release(str(site), V, tmp_path / "to", "parquet", policy=FAST, sleep=no_sleep)
    assert leftovers(tmp_path / "to") == []


def test_symlink_planted_in_to_is_not_followed(dist: Path, tmp_path: Path) -> None:
    out = tmp_path / "got"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / ".events.parquet.part").symlink_to(victim)
    with pytest.raises(DownloadError, match="leads outside"):
        download_release(str(dist), V, out, "parquet", policy=FAST, sleep=no_sleep)
    assert victim.read_text() == "keep me"


def test_release_files_accepts_the_writers_layout() -> None:
    entry = _entry_with([{"path": f"{V}/event.schema.json", "bytes": 3, "sha256": "A" * 64}])
    assert release_files(entry) == [ReleaseFile("event.schema.json", f"{V}/event.schema.json", 3, "a" * 64)]


def test_select_files_requires_the_datapackage() -> None:
    files = [ReleaseFile("events.csv", f"{V}/events.csv", 1, GOOD_SHA)]
    with pytest.raises(DownloadError, match="has no datapackage.json"):
        select_files(files, "csv", V)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (250_008, "244.1 KiB"),
        (5 * 1024**3, "5.0 GiB"),
        (3 * 1024**4, "3.0 TiB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


# ---------------------------------------------------------------------------------------------
# view


def test_view_from_url_downloads_into_the_cache(dist: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with running_server(dist) as url:
        result = runner.invoke(
            app, ["view", "2024.04.01", "--from", url, "--print-path"], env={"XDG_CACHE_HOME": str(cache)}
        )
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.is_relative_to(cache) and path.name == "timeline.html"
    assert path.read_bytes() == (dist / "2024.04.01" / "timeline.html").read_bytes()
    assert (path.parent / "events.csv").exists()  # the timeline's links work offline


def test_view_from_directory_and_dist(dist: Path) -> None:
    for args in (["--from", str(dist)], ["--dist", str(dist)]):
        result = runner.invoke(app, ["view", *args, "--print-path"])
        assert result.exit_code == 0, result.output
        assert Path(result.output.strip()) == dist / V / "timeline.html"


def test_view_opens_the_browser(dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def fake_open(uri: str) -> bool:
        opened.append(uri)
        return True

    monkeypatch.setattr("webbrowser.open", fake_open)
    result = runner.invoke(app, ["view", "--dist", str(dist)])
    assert result.exit_code == 0
    assert opened == [(dist / V / "timeline.html").resolve().as_uri()]


def test_view_rejects_both_sources(dist: Path) -> None:
    result = runner.invoke(app, ["view", "--dist", str(dist), "--from", "http://127.0.0.1:1/"])
    assert result.exit_code == 1
    assert "either --dist or --from" in one_line_error(result.output)
