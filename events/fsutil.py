"""Filesystem durability helpers shared by the release writer and the downloader."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable; best effort where directories cannot be opened."""
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


def write_atomic(path: Path, pieces: Iterable[bytes]) -> int:
    """Write the pieces to a temporary sibling, fsync, then rename over ``path``; returns the bytes written.

    Pieces let a large file (the timeline page) be written without ever being one string in memory.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    written = 0
    try:
        with tmp.open("wb") as handle:
            for piece in pieces:
                written += handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks so large tables never sit in memory whole."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
