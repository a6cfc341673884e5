"""Snapshot the extraction of some corpora, or check a tree against a snapshot: the gate for speed work.

Usage:
  python benchmarks/snapshot.py write SNAPSHOT.jsonl DIR [DIR ...]
  python benchmarks/snapshot.py check SNAPSHOT.jsonl DIR [DIR ...]

Every optimisation of the extractor must leave its output unchanged. ``write`` records every event (all fields,
as JSON) and every reject of the articles under the given directories, in order; ``check`` extracts them again
with the code in this tree and reports the first differences (exit 1) or prints IDENTICAL. Use a large corpus
from ``make_corpus.py`` plus real pages, since synthetic text repeats the seeds' sentences. Also prints the time
spent in ``extract_events``, which is a quick read of the speed (``bench_extract.py`` gives the figures of
record).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from events.extract import extract_events
from events.ingest import Reject, ingest


def snapshot_lines(directories: list[Path]) -> tuple[list[str], int, float]:
    """(JSON lines of every reject and event, articles extracted, seconds in extract_events)."""
    lines: list[str] = []
    articles = 0
    seconds = 0.0
    for directory in directories:
        for item in ingest(directory):
            if isinstance(item, Reject):
                lines.append(json.dumps({"reject": str(item)}, ensure_ascii=False, sort_keys=True))
                continue
            started = time.perf_counter()
            events = extract_events(item)
            seconds += time.perf_counter() - started
            articles += 1
            lines.extend(json.dumps(e.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) for e in events)
    return lines, articles, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("write", "check"))
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("directories", type=Path, nargs="+")
    args = parser.parse_args(argv)
    lines, articles, seconds = snapshot_lines(args.directories)
    print(f"{articles} articles, {len(lines)} lines; extract_events {seconds:.1f} s ({articles / seconds:,.0f}/s)")
    if args.action == "write":
        args.snapshot.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    recorded = args.snapshot.read_text(encoding="utf-8").splitlines()
    differing = [i for i, (old, new) in enumerate(zip(recorded, lines, strict=False)) if old != new]
    for i in differing[:5]:
        print(f"line {i + 1}:\n  was {recorded[i][:600]}\n  now {lines[i][:600]}")
    if len(recorded) != len(lines):
        print(f"line count: was {len(recorded)}, now {len(lines)}")
    if differing or len(recorded) != len(lines):
        print(f"DIFFERENT: {len(differing)} lines differ")
        return 1
    print("IDENTICAL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
