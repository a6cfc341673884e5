"""Serve a ``dist/`` directory of releases read-only over HTTP.

The HTTP layer is waitress (a production WSGI server: bounded request-header size answered with 431,
idle and half-sent connections closed after a timeout, slow clients handled by its event loop rather than
by one blocked thread each). File responses are Werkzeug's ``send_file``, which implements ETag,
Last-Modified, conditional requests, HEAD and single byte ranges (malformed or unsatisfiable ranges get
416 with ``Content-Range: bytes */size``). This module only decides *which* file a URL may name: every
path is resolved with symlinks followed and must stay inside the served directory; hidden names (the
release builder's ``.tmp-*`` directories and lock file) are never served.
"""

from __future__ import annotations

import html
import ipaddress
import os
import socket
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from werkzeug.exceptions import HTTPException
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from events.download import (
    DownloadError,
    human_size,
    read_local_index,
    release_files,
    safe_version,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_IDLE_TIMEOUT = 30
MAX_HEADER_BYTES = 64 * 1024

#: content types for the files a release holds; anything else falls back to ``mimetypes``
CONTENT_TYPES = {
    ".parquet": "application/vnd.apache.parquet",
    ".csv": "text/csv",
    ".json": "application/json",
    ".html": "text/html",
    ".md": "text/markdown",
    ".txt": "text/plain",
}

RequestLog = Callable[[str, str, int], None]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ServeError(RuntimeError):
    """The server could not start; the message is one clear line for the user."""


# ---------------------------------------------------------------------------------------------
# binding


def is_loopback(host: str) -> bool:
    """True when ``host`` is reachable only from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_warning(host: str) -> str | None:
    """The warning to show before serving on ``host``, or None for a loopback address."""
    if is_loopback(host):
        return None
    if host in ("", "0.0.0.0", "::", "[::]"):
        return (
            f"listening on all interfaces ({host or '0.0.0.0'}): anyone who can reach this machine can read "
            "the served directory; use --host 127.0.0.1 to serve only this machine"
        )
    return f"listening on {host}: other machines on that network can read the served directory"


def _listen_socket(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


# ---------------------------------------------------------------------------------------------
# which file a URL names


def _content_type(name: str) -> str | None:
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower())


def _url_segments(path_info: str) -> list[str] | None:
    """The path's segments, or None when the path is not a plain, visible, relative name.

    PATH_INFO is already percent-decoded once by the server; a second level of encoding (``%252e``) is
    left as a literal name and so can only match a file actually called that.
    """
    try:
        text = path_info.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if "\x00" in text or "\\" in text:
        return None
    segments = text.strip("/").split("/") if text.strip("/") else []
    for segment in segments:
        if not segment or segment.startswith(".") or ":" in segment:
            return None
    return segments


def resolve_inside(root: str, segments: list[str]) -> str | None:
    """The real path the segments name under ``root`` (already real), or None if it leads outside."""
    candidate = os.path.realpath(os.path.join(root, *segments))
    if candidate == root or candidate.startswith(root.rstrip(os.sep) + os.sep):
        return candidate
    return None


# ---------------------------------------------------------------------------------------------
# pages


_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{padding:.2rem .7rem;text-align:left;"
    "border-bottom:1px solid #ddd}td.n{text-align:right}code{font-size:12px;color:#555}"
    ".latest{background:#2a7;color:#fff;border-radius:3px;padding:0 .4rem;font-size:12px}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body>\n{body}\n</body></html>\n"
    )


def render_index(index: dict[str, Any]) -> str:
    """The releases page: one section per release, newest first, every value escaped."""
    releases = [r for r in index.get("releases", []) if isinstance(r, dict)]
    latest = index.get("latest")
    parts = [
        "<h1>Event dataset releases</h1>",
        f'<p>{len(releases)} release(s). Machine-readable index: <a href="releases.json">releases.json</a>. '
        "Fetch one with <code>events download VERSION --from URL</code>.</p>",
    ]
    for entry in reversed(releases):
        parts.append(_render_release(entry, latest))
    return _page("Event dataset releases", "\n".join(parts))


def _render_release(entry: dict[str, Any], latest: Any) -> str:
    version = str(entry.get("version", "?"))
    esc = html.escape
    try:
        files = release_files(entry)
    except DownloadError as exc:
        return f"<h2>{esc(version)}</h2><p>not listed correctly: {esc(str(exc))}</p>"
    base = quote(safe_version(version)) + "/"
    total = sum(f.size for f in files)
    badge = ' <span class="latest">latest</span>' if version == latest else ""
    names = {f.name for f in files}
    links = [f'<a href="{base}">files</a>']
    if "timeline.html" in names:
        links.insert(0, f'<a href="{base}timeline.html">timeline</a>')
    if "datapackage.json" in names:
        links.append(f'<a href="{base}datapackage.json">datapackage.json</a>')
    rows = "".join(
        f'<tr><td><a href="{base}{quote(f.name)}">{esc(f.name)}</a></td>'
        f'<td class="n" title="{f.size} bytes">{esc(human_size(f.size))}</td>'
        f"<td><code>{f.sha256}</code></td></tr>"
        for f in files
    )
    counts = ", ".join(
        f"{esc(str(entry.get(key)))} {key}" for key in ("events", "articles", "rejects") if key in entry
    )
    return (
        f'<h2 id="{esc(version)}">{esc(version)}{badge}</h2>'
        f"<p>created {esc(str(entry.get('created', '?')))} · {counts} · {esc(human_size(total))} in "
        f"{len(files)} files · extractor {esc(str(entry.get('extractor_version', '?')))}</p>"
        f"<p>{' · '.join(links)}</p>"
        f"<table><tr><th>file</th><th>size</th><th>sha256</th></tr>{rows}</table>"
    )


def render_listing(url_path: str, entries: list[tuple[str, bool, int]]) -> str:
    """A plain directory listing: (name, is_directory, size) per visible entry."""
    esc = html.escape
    rows = "".join(
        f'<tr><td><a href="{quote(name)}{"/" if is_dir else ""}">{esc(name)}{"/" if is_dir else ""}</a></td>'
        f'<td class="n">{"" if is_dir else esc(human_size(size))}</td></tr>'
        for name, is_dir, size in entries
    )
    return _page(
        f"Index of {url_path}",
        f'<h1>Index of {esc(url_path)}</h1><p><a href="../">up</a></p><table>{rows}</table>',
    )


def _listing_entries(directory: str, root: str) -> list[tuple[str, bool, int]]:
    entries = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        real = resolve_inside(root, [os.path.relpath(entry.path, root)])
        if real is None:
            continue  # a symlink leading out is not listed either
        try:
            info = os.stat(real)
        except OSError:
            continue
        entries.append((entry.name, stat.S_ISDIR(info.st_mode), info.st_size))
    return entries


# ---------------------------------------------------------------------------------------------
# the WSGI application


class ReleaseApp:
    """Read-only WSGI application over one directory."""

    def __init__(self, dist: Path, log: RequestLog | None = None) -> None:
        self.root = os.path.realpath(dist)
        self.log = log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.respond(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if self.log is not None:
            self.log(request.method, printable(environ.get("PATH_INFO", "")), response.status_code)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response(
                "method not allowed\n", status=405, headers={"Allow": "GET, HEAD"}, mimetype="text/plain"
            )
        path_info = request.environ.get("PATH_INFO", "")
        segments = _url_segments(path_info)
        real = None if segments is None else resolve_inside(self.root, segments)
        if segments is None or real is None:
            return _not_found()
        try:
            info = os.stat(real)
        except OSError:
            return _not_found()
        if stat.S_ISDIR(info.st_mode):
            if not path_info.endswith("/"):
                return Response(status=301, headers={"Location": quote(segments[-1]) + "/"})
            return self._directory(request, real, segments)
        if not stat.S_ISREG(info.st_mode):
            return _not_found()
        return send_file(real, request.environ, mimetype=_content_type(real), conditional=True, etag=True)

    def _directory(self, request: Request, real: str, segments: list[str]) -> Response:
        if not segments:
            try:
                index = read_local_index(Path(self.root))
            except DownloadError:
                index = {"latest": None, "releases": []}
            page = render_index(index)
        else:
            page = render_listing("/" + "/".join(segments) + "/", _listing_entries(real, self.root))
        response = Response(page, mimetype="text/html")
        response.headers["Cache-Control"] = "no-cache"
        return response


def printable(text: str) -> str:
    """A request path safe to echo to a terminal (no escape sequences from the network)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def _not_found() -> Response:
    return Response("not found\n", status=404, mimetype="text/plain")


# ---------------------------------------------------------------------------------------------
# the server


@dataclass
class ReleaseServer:
    """A bound, not yet running server; ``run()`` blocks until interrupted, ``close()`` stops it."""

    server: Any
    host: str
    port: int
    dist: Path

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def run(self) -> None:
        self.server.run()

    def close(self) -> None:
        self.server.close()


def create_server(
    dist: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT,
    threads: int = 4,
    log: RequestLog | None = None,
) -> ReleaseServer:
    """Bind ``host:port`` (port 0 picks a free one) and return a server for ``dist``."""
    import waitress

    if not dist.is_dir():
        raise ServeError(
            f"nothing to serve: {dist} is not a directory (build a release with `events release`)"
        )
    if idle_timeout < 1:
        raise ServeError("idle timeout must be at least 1 second")
    sock = _listen_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    server = waitress.create_server(
        ReleaseApp(dist, log),
        sockets=[sock],
        threads=threads,
        channel_timeout=idle_timeout,
        cleanup_interval=max(1, min(idle_timeout // 2, 30)),  # waitress takes whole seconds
        max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=1024,
        ident="events",
        expose_tracebacks=False,
    )
    return ReleaseServer(server=server, host=bound_host, port=bound_port, dist=dist)
