"""One file through ingest and extraction, for ``events extract`` and debugging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events.extract import extract_events
from events.ingest import Reject, read_articles


def extract_file(path: Path) -> dict[str, Any]:
    """Events of every article in one file, plus the file's rejects, as JSON-ready data."""
    events: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    for item in read_articles(path, path.parent):
        if isinstance(item, Reject):
            rejects.append({"source_path": item.source_path, "article_id": item.article_id, "reason": item.reason})
            continue
        try:
            found = extract_events(item)
        except Exception as exc:  # report, as a release would
            rejects.append({"source_path": item.source_path, "article_id": item.article_id,
                            "reason": f"extraction failed: {type(exc).__name__}: {exc}"})
            continue
        if not found:
            rejects.append({"source_path": item.source_path, "article_id": item.article_id,
                            "reason": "no event found"})
        events.extend(e.model_dump(mode="json") for e in found)
    return {"events": events, "rejects": rejects}
