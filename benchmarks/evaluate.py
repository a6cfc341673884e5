"""Build releases of the seeds and the dev articles and print the scorer's figures and errors.

    python benchmarks/evaluate.py [--verbose] [--shared ../shared] [--only NAME] [--set NAME=ARTICLES:GOLD ...]

Needs the sibling ``../shared`` folder (gold, scorer, dev articles). ``--set`` adds an article folder with
gold of your own (same format as ``../shared/gold/dev.jsonl``), e.g. real pages annotated by hand.
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
    parser.add_argument("--only", default=None, help="seeds, dev or the NAME of a --set")
    parser.add_argument("--set", dest="extra", action="append", default=[], metavar="NAME=ARTICLES:GOLD",
                        help="another annotated set to score")
    args = parser.parse_args()
    scorer = args.shared / "eval" / "score.py"
    if not scorer.exists():
        print(f"no scorer at {scorer}: ../shared is not beside this checkout", file=sys.stderr)
        return 1
    sets = {"seeds": (REPO / "seeds", args.shared / "gold" / "seeds.jsonl"),
            "dev": (args.shared / "dev" / "articles", args.shared / "gold" / "dev.jsonl")}
    for spec in args.extra:
        name, _, paths = spec.partition("=")
        articles_dir, _, gold_file = paths.rpartition(":")
        if not name or not articles_dir or not gold_file:
            parser.error(f"--set wants NAME=ARTICLES:GOLD, got {spec!r}")
        sets[name] = (Path(articles_dir), Path(gold_file))
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
