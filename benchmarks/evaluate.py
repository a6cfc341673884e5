"""Build releases of the seeds and the dev articles and print the scorer's figures and errors.

    python benchmarks/evaluate.py [--verbose] [--shared ../shared]

Needs the sibling ``../shared`` folder (gold, scorer, dev articles).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from events.release import build_release

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--verbose", action="store_true", help="print every per-field error")
    parser.add_argument("--only", choices=["seeds", "dev"], default=None)
    args = parser.parse_args()
    scorer = args.shared / "eval" / "score.py"
    if not scorer.exists():
        print(f"no scorer at {scorer}: ../shared is not beside this checkout", file=sys.stderr)
        return 1
    sets = {"seeds": (REPO / "seeds", args.shared / "gold" / "seeds.jsonl"),
            "dev": (args.shared / "dev" / "articles", args.shared / "gold" / "dev.jsonl")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (articles, gold) in sets.items():
            if args.only and name != args.only:
                continue
            started = time.perf_counter()
            result = build_release(articles, Path(tmp) / name, version=name)
            seconds = time.perf_counter() - started
            print(f"== {name}: {result.events} events from {result.articles} articles, {result.rejects} rejected, "
                  f"{seconds:.2f} s ({result.articles / seconds:.1f} articles/s incl. start-up)")
            command = [sys.executable, str(scorer), str(result.path / "events.parquet"), str(gold)]
            if args.verbose:
                command.append("--verbose")
            sys.stdout.flush()
            subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
