"""``events serve``: the project's own server, started in a subprocess on 127.0.0.1 and probed over HTTP.

The helpers here (a synthetic release writer, a server runner, a raw-socket request) are also used by
``test_download.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner
from werkzeug.test import Client

from events.cli import app
from events.serve import ReleaseApp, bind_warning, is_loopback, render_index

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


# ---------------------------------------------------------------------------------------------
# helpers shared with test_download.py


def release_payloads(version: str, seed: int = 0) -> dict[str, bytes]:
    """Deterministic file contents for a synthetic release (the parquet is opaque bytes here)."""
    blob = hashlib.sha256(f"{version}-{seed}".encode()).digest()
    return {
        "events.parquet": b"PAR1" + (blob * 8000)[:250_000] + b"PAR1",
        "events.csv": "\ufeffevent_id,title\nev1,Trade fair opens in Hefei\nev2,会议在昆明举行\n".encode(),
        "timeline.html": b"<!doctype html><html><body><h1>timeline "
        + version.encode()
        + b"</h1></body></html>\n",
        "rejects.csv": b"\xef\xbb\xbfsource_path,article_id,reason\n",
        "CHANGELOG.md": f"# Changes in {version}\n".encode(),
    }


def make_release(
    dist: Path, version: str, *, events: int = 2, seed: int = 0, created: str = "2024-05-01T08:00:00Z"
) -> dict[str, bytes]:
    """Write ``dist/VERSION/`` with a datapackage and add it to ``dist/releases.json`` (real hashes)."""
    files = release_payloads(version, seed)
    package = {
        "name": "events",
        "version": version,
        "resources": [
            {
                "name": name.split(".")[0].lower(),
                "path": name,
                "bytes": len(data),
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
            }
            for name, data in files.items()
        ],
    }
    files["datapackage.json"] = (json.dumps(package, indent=2) + "\n").encode()
    target = dist / version
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    index_path = dist / "releases.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {"latest": None, "releases": []}
    entry = {
        "version": version,
        "created": created,
        "path": f"{version}/",
        "events": events,
        "articles": events + 1,
        "rejects": 1,
        "extractor_version": "0.1.0",
        "files": [
            {"path": f"{version}/{name}", "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        ],
    }
    index["releases"] = [r for r in index["releases"] if r["version"] != version] + [entry]
    index["latest"] = version
    index_path.write_text(json.dumps(index, indent=2) + "\n")
    return files


@contextmanager
def running_server(dist: Path, *extra: str, startup_timeout: float = 30.0) -> Iterator[str]:
    """``events serve --port 0`` in a subprocess; yields its base URL and always stops it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "events.cli", "serve", "--dist", str(dist), "--port", "0", "--quiet", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    try:
        assert proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + startup_timeout
        line = b""
        while b"\n" not in line and time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(proc.stdout.fileno(), 4096)  # unbuffered: the selector sees all data
                if not chunk:
                    break
                line += chunk
        selector.close()
        match = re.search(rb"http://[^\s]+/", line)
        if not match:
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise AssertionError(f"server did not start: {line!r} {err.decode(errors='replace')}")
        yield match.group(0).decode()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def raw_request(url: str, request: bytes, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client-side path normalisation); return status, headers, body."""
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()  # type: ignore[union-attr]
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:  # the server closed on an unread request (oversized headers)
                if data:
                    break
                raise
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def one_line_error(output: str) -> str:
    """The CLI's error message, unwrapped (rich wraps long lines at the test terminal's width)."""
    assert output.count("error:") == 1, output
    return " ".join(output.split())


def get_raw(url: str, target: str) -> tuple[int, dict[str, str], bytes]:
    return raw_request(url, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())


# ---------------------------------------------------------------------------------------------
# one server for the read-only tests


VERSION = "2024.05.01"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, bytes]]]:
    root = tmp_path_factory.mktemp("serve")
    dist = root / "dist"
    make_release(dist, "2024.04.01", events=5, seed=1)
    files = make_release(dist, VERSION, events=7)
    (root / "secret.txt").write_text("TOP SECRET outside dist\n")
    (dist / "secret-link.txt").symlink_to(root / "secret.txt")
    (dist / "outside-dir").symlink_to(root, target_is_directory=True)
    (dist / "inside-link.csv").symlink_to(dist / VERSION / "events.csv")
    (dist / ".release.lock").write_text("123 host\n")
    (dist / "%2e%2e").mkdir()  # a directory literally named like an encoded traversal: harmless
    with running_server(dist) as url:
        yield url, dist, files


def test_index_page_lists_releases_with_counts_sizes_hashes_and_links(served: tuple[str, Path, dict]) -> None:
    url, _, files = served
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert page.index(VERSION) < page.index("2024.04.01")  # newest first
    assert "7 events" in page and "8 articles" in page and "1 rejects" in page
    assert f'href="{VERSION}/timeline.html"' in page
    assert f'href="{VERSION}/events.parquet"' in page
    assert hashlib.sha256(files["events.parquet"]).hexdigest() in page
    assert "244.1 KiB" in page  # events.parquet: 250,008 bytes
    assert 'class="latest"' in page


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("events.parquet", "application/vnd.apache.parquet"),
        ("events.csv", "text/csv; charset=utf-8"),
        ("timeline.html", "text/html; charset=utf-8"),
        ("datapackage.json", "application/json"),
        ("CHANGELOG.md", "text/markdown; charset=utf-8"),
    ],
)
def test_files_are_served_whole_with_their_content_type(
    served: tuple[str, Path, dict], name: str, content_type: str
) -> None:
    url, dist, _ = served
    response = httpx.get(f"{url}{VERSION}/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.content == (dist / VERSION / name).read_bytes()
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_releases_json_is_served(served: tuple[str, Path, dict]) -> None:
    url, dist, _ = served
    response = httpx.get(f"{url}releases.json")
    assert response.status_code == 200
    assert response.json() == json.loads((dist / "releases.json").read_text())


def test_etag_and_last_modified_give_304(served: tuple[str, Path, dict]) -> None:
    url, _, _ = served
    first = httpx.get(f"{url}{VERSION}/events.csv")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    again = httpx.get(f"{url}{VERSION}/events.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = httpx.get(f"{url}{VERSION}/events.csv", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = httpx.get(f"{url}{VERSION}/events.csv", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_head_sends_headers_without_body(served: tuple[str, Path, dict]) -> None:
    url, _, files = served
    status, headers, body = raw_request(
        url, f"HEAD /{VERSION}/events.parquet HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert status == 200
    assert int(headers["content-length"]) == len(files["events.parquet"])
    assert "etag" in headers
    assert body == b""


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=0-0", 0, 0),
        ("bytes=100-", 100, None),
        ("bytes=-16", -16, None),
        ("bytes=249990-999999999", 249990, None),
    ],
)
def test_range_requests_return_206_with_the_slice(
    served: tuple[str, Path, dict], range_header: str, start: int, end: int | None
) -> None:
    url, _, files = served
    data = files["events.parquet"]
    response = httpx.get(f"{url}{VERSION}/events.parquet", headers={"Range": range_header})
    assert response.status_code == 206
    expected = data[start:] if end is None else data[start : end + 1]
    assert response.content == expected
    first = start if start >= 0 else len(data) + start
    assert response.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{len(data)}"


def test_unsatisfiable_range_is_416_with_the_size(served: tuple[str, Path, dict]) -> None:
    url, _, files = served
    size = len(files["events.parquet"])
    response = httpx.get(f"{url}{VERSION}/events.parquet", headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    "range_header", ["bytes=abc", "bytes=5-2", "bytes=", "items=0-5", "bytes=--1", "bytes 0-5", "bytes=0-1,x"]
)
def test_malformed_range_is_416_or_the_full_file(served: tuple[str, Path, dict], range_header: str) -> None:
    url, _, files = served
    data = files["events.csv"]
    response = httpx.get(f"{url}{VERSION}/events.csv", headers={"Range": range_header})
    assert response.status_code in (200, 416)
    if response.status_code == 200:
        assert response.content == data
    else:
        assert response.headers["content-range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        f"/{VERSION}/../../secret.txt",
        f"/{VERSION}/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "//../secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%00/../secret.txt",
        "/secret-link.txt",
        "/outside-dir/secret.txt",
        "/outside-dir/",
        "/.release.lock",
        "/no-such-file",
        "http://127.0.0.1/../secret.txt",
    ],
)
def test_paths_outside_dist_get_404(served: tuple[str, Path, dict], target: str) -> None:
    url, _, _ = served
    status, _, body = get_raw(url, target)
    assert status == 404
    assert b"SECRET" not in body


def test_symlink_inside_dist_is_served_and_hidden_names_are_not_listed(
    served: tuple[str, Path, dict],
) -> None:
    url, _, files = served
    assert httpx.get(f"{url}inside-link.csv").content == files["events.csv"]
    listing = httpx.get(f"{url}{VERSION}/")
    assert listing.status_code == 200 and "events.parquet" in listing.text


def test_directory_without_slash_redirects(served: tuple[str, Path, dict]) -> None:
    url, _, _ = served
    response = httpx.get(f"{url}{VERSION}")
    assert response.status_code == 301
    assert response.headers["location"] == f"{VERSION}/"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_writes_are_refused(served: tuple[str, Path, dict], method: str) -> None:
    url, dist, _ = served
    response = httpx.request(method, f"{url}{VERSION}/events.csv", content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert (dist / VERSION / "events.csv").read_bytes().startswith(b"\xef\xbb\xbfevent_id")


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"x" * 100_000 + b"\r\nConnection: close\r\n\r\n", 431),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 431),
        (b"GARBAGE\r\n\r\n", 400),
    ],
    ids=["huge-header", "huge-url", "garbage"],
)
def test_oversized_or_malformed_requests_are_refused_and_the_server_keeps_serving(
    served: tuple[str, Path, dict], request_bytes: bytes, status: int
) -> None:
    url, _, _ = served
    assert raw_request(url, request_bytes)[0] == status
    assert httpx.get(url).status_code == 200


def test_request_log_cannot_inject_terminal_escapes(tmp_path: Path) -> None:
    make_release(tmp_path, VERSION)
    logged: list[tuple[str, str, int]] = []
    client = Client(ReleaseApp(tmp_path, log=lambda *entry: logged.append(entry)))
    assert client.get("/%1b[31mred").status_code == 404
    assert client.get(f"/{VERSION}/events.csv").status_code == 200
    assert logged == [("GET", "/\\x1b[31mred", 404), ("GET", f"/{VERSION}/events.csv", 200)]


# ---------------------------------------------------------------------------------------------
# timeouts, binding, errors


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_idle_and_half_sent_connections_time_out(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    make_release(dist, VERSION)
    with running_server(dist, "--timeout", "1") as url:
        host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()  # type: ignore[union-attr]
        with (
            socket.create_connection((host, int(port)), timeout=5) as idle,
            socket.create_connection((host, int(port)), timeout=5) as half,
        ):
            half.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
            started = time.monotonic()
            assert _closed_within(idle, 8.0)
            assert _closed_within(half, 8.0)
            assert time.monotonic() - started < 8.0
        assert httpx.get(url).status_code == 200  # and it still serves


@pytest.mark.parametrize(
    ("host", "loopback", "warns"),
    [
        ("127.0.0.1", True, False),
        ("localhost", True, False),
        ("::1", True, False),
        ("127.0.0.2", True, False),
        ("0.0.0.0", False, True),
        ("::", False, True),
        ("", False, True),
        ("192.168.1.20", False, True),
    ],
)
def test_bind_warning_only_off_loopback(host: str, loopback: bool, warns: bool) -> None:
    assert is_loopback(host) is loopback
    warning = bind_warning(host)
    assert (warning is not None) is warns
    if host in ("0.0.0.0", "::", ""):
        assert warning is not None and "all interfaces" in warning


def test_serve_missing_directory_fails_with_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--dist", str(tmp_path / "nope"), "--port", "0"])
    assert result.exit_code == 1
    assert "is not a directory" in one_line_error(result.output)


def test_serve_port_in_use_fails_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--dist", str(tmp_path), "--port", str(port)])
    assert result.exit_code == 1
    assert "cannot listen on 127.0.0.1" in one_line_error(result.output)


def test_render_index_escapes_everything_from_the_index() -> None:
    digest = "a" * 64
    index = {
        "latest": "1.0",
        "releases": [
            {
                "version": "1.0",
                "created": "<script>alert(1)</script>",
                "events": 1,
                "files": [{"path": "1.0/events.csv", "bytes": 10, "sha256": digest}],
            },
            {"version": "../../etc", "files": []},
        ],
    }
    page = render_index(index)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="1.0/events.csv"' in page
    assert 'href="../../etc' not in page
