"""Find and fetch releases: from a local ``dist/`` directory or a remote copy of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class DownloadError(RuntimeError):
    """A release could not be found or fetched; the message is one clear line for the user."""


def read_local_index(dist: Path) -> dict[str, Any]:
    path = dist / "releases.json"
    if not path.exists():
        raise DownloadError(f"no releases in {dist} (no releases.json); build one with `events release`")
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DownloadError(f"{path} is not valid JSON: {exc}") from None
    return data


def resolve_version(index: dict[str, Any], version: str) -> dict[str, Any]:
    releases = index.get("releases", [])
    wanted = index.get("latest") if version == "latest" else version
    for entry in releases:
        if entry.get("version") == wanted:
            return dict(entry)
    known = ", ".join(r.get("version", "?") for r in releases) or "none"
    raise DownloadError(f"unknown version {version!r} (available: {known})")


def local_timeline(dist: Path, version: str) -> Path:
    entry = resolve_version(read_local_index(dist), version)
    path = dist / entry["version"] / "timeline.html"
    if not path.exists():
        raise DownloadError(f"release {entry['version']} has no timeline.html in {dist}")
    return path
