"""Rewrite tests/fixtures/golden/seeds_events.csv from a fresh build of seeds/ (review the diff!)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from events.release import build_release

REPO = Path(__file__).resolve().parents[1]
COLUMNS = ["article_id", "event_type", "date", "date_precision", "place", "admin1", "country_code"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = build_release(REPO / "seeds", Path(tmp), version="golden")
        frame = pl.read_parquet(result.path / "events.parquet").select(COLUMNS)
    target = REPO / "tests" / "fixtures" / "golden" / "seeds_events.csv"
    frame.sort(["article_id", "event_type", "date"]).write_csv(target)
    print(f"wrote {frame.height} rows to {target}")


if __name__ == "__main__":
    main()
