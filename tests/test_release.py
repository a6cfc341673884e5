"""A release of seeds/: files, datapackage, determinism, index, changes, atomicity, score floor."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from events.fsutil import sha256_file
from events.release import ReleaseError, build_release, default_version
from events.validate import validate_path

from .conftest import REPO, SEEDS, shared_path

RELEASE_FILES = {
    "events.parquet", "events.csv", "timeline.html", "datapackage.json", "rejects.csv", "changes.json",
    "CHANGELOG.md", "event.schema.json",
}
GOLDEN = REPO / "tests" / "fixtures" / "golden" / "seeds_events.csv"
GOLDEN_COLUMNS = ["article_id", "event_type", "date", "date_precision", "place", "admin1", "country_code"]
SCORE_FLOOR = {"seeds": 0.97, "dev": 0.91}


def test_release_has_every_file(seeds_release: Path) -> None:
    assert {p.name for p in seeds_release.iterdir()} == RELEASE_FILES
    index = json.loads((seeds_release.parent / "releases.json").read_text())
    assert index["latest"] == "1.0.0"
    entry = index["releases"][0]
    assert entry["events"] == pl.read_parquet(seeds_release / "events.parquet").height > 0
    listed = {f["path"]: f for f in entry["files"]}
    for name in RELEASE_FILES:
        assert listed[f"1.0.0/{name}"]["sha256"] == sha256_file(seeds_release / name)


def test_every_seed_gives_an_event(seeds_release: Path) -> None:
    frame = pl.read_parquet(seeds_release / "events.parquet")
    assert set(frame["article_id"]) == {p.stem for p in SEEDS.glob("*.txt")}
    assert frame["evidence"].str.len_chars().min() > 10  # type: ignore[operator]
    assert frame.sort(["date", "event_id"]).equals(frame)


def test_release_validates(seeds_release: Path) -> None:
    report = validate_path(seeds_release)
    assert report.ok, report.problems


def test_datapackage_is_valid_frictionless(seeds_release: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    package = json.loads((seeds_release / "datapackage.json").read_text())
    assert package["version"] == "1.0.0"
    assert any("GeoNames" in json.dumps(s) for s in package["sources"]), "GeoNames credit missing"
    assert any("OpenCC" in json.dumps(s) for s in package["sources"]), "OpenCC credit missing"
    resources = {r["name"]: r for r in package["resources"]}
    assert resources["events"]["rows"] == pl.read_parquet(seeds_release / "events.parquet").height
    for resource in package["resources"]:
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", resource["hash"])
        assert resource["bytes"] == (seeds_release / resource["path"]).stat().st_size
    # The CSV resource validates against its Table Schema (types, enums, primary key, checksums).
    report = frictionless.validate(str(seeds_release / "datapackage.json"), resource_name="events-csv")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_same_input_same_bytes(tmp_path: Path, seeds_release: Path) -> None:
    build_release(SEEDS, tmp_path, version="1.0.0")
    for name in ("events.parquet", "events.csv"):
        assert (tmp_path / "1.0.0" / name).read_bytes() == (seeds_release / name).read_bytes()


def test_event_ids_stable_under_input_order(tmp_path: Path, seeds_release: Path) -> None:
    shuffled = tmp_path / "seeds"
    shuffled.mkdir()
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"), reverse=True)):
        sub = shuffled / f"batch{i}"
        sub.mkdir()
        (sub / path.name).write_bytes(path.read_bytes())
    build_release(shuffled, tmp_path / "out", version="x")
    a = pl.read_parquet(tmp_path / "out" / "x" / "events.parquet")
    b = pl.read_parquet(seeds_release / "events.parquet")
    assert sorted(a["event_id"]) == sorted(b["event_id"])


def test_golden_events_table(seeds_release: Path) -> None:
    """The seeds' events, compared as data with the reviewed golden table (update with scripts/update_golden.py)."""
    frame = pl.read_parquet(seeds_release / "events.parquet").select(GOLDEN_COLUMNS)
    golden = pl.read_csv(GOLDEN, schema_overrides={"date": pl.Date})
    key = ["article_id", "event_type", "date"]
    assert_frame_equal(frame.sort(key), golden.select(GOLDEN_COLUMNS).sort(key), check_dtypes=False)


def test_existing_version_needs_force(tmp_path: Path, seeds_copy: Path) -> None:
    build_release(seeds_copy, tmp_path, version="v1")
    with pytest.raises(ReleaseError, match="already exists.*--force"):
        build_release(seeds_copy, tmp_path, version="v1")
    before = (tmp_path / "v1" / "events.parquet").read_bytes()
    build_release(seeds_copy, tmp_path, version="v1", force=True)
    assert (tmp_path / "v1" / "events.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".tmp-", ".old-", ".release.lock"))]


def test_calver_default_and_same_day_suffix(tmp_path: Path, seeds_copy: Path) -> None:
    import datetime as dt

    now = dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.timezone.utc)
    first = build_release(seeds_copy, tmp_path, now=now)
    second = build_release(seeds_copy, tmp_path, now=now)
    assert (first.version, second.version) == ("2026.03.04", "2026.03.04.1")
    assert default_version(tmp_path, now.date()) == "2026.03.04.2"
    index = json.loads((tmp_path / "releases.json").read_text())
    assert index["latest"] == "2026.03.04.1"


def test_changes_against_previous_release(tmp_path: Path, seeds_copy: Path) -> None:
    build_release(seeds_copy, tmp_path, version="1")
    removed = sorted(seeds_copy.glob("*.txt"))[0]
    removed_id = removed.stem
    removed.unlink()
    extra = seeds_copy / "zz_new.txt"
    extra.write_text(
        "Harbin Daily\n\nHarbin mayor meets Korean delegation\n\n2021-03-05 10:00\n\n"
        "On March 4, mayor Sun Zhe met with a delegation from Busan led by Kim Min-su, and the two sides "
        "signed an agreement on cold-chain logistics.\n",
        encoding="utf-8",
    )
    result = build_release(seeds_copy, tmp_path, version="2")
    changes = json.loads((tmp_path / "2" / "changes.json").read_text())
    assert changes["previous_version"] == "1"
    first = pl.read_parquet(tmp_path / "1" / "events.parquet")
    second = pl.read_parquet(tmp_path / "2" / "events.parquet")
    gone = set(first.filter(pl.col("article_id") == removed_id)["event_id"])
    new = set(second.filter(pl.col("article_id") == "zz_new")["event_id"])
    assert set(changes["removed"]) == gone and gone
    assert set(changes["added"]) == new and new
    assert result.added == len(new) and result.removed == len(gone)
    assert "removed" in (tmp_path / "2" / "CHANGELOG.md").read_text()


def test_bad_articles_are_rejected_not_fatal(tmp_path: Path, seeds_copy: Path) -> None:
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (seeds_copy / "nodate.txt").write_text("Some words\n\nNothing happened here at all.\n", encoding="utf-8")
    build_release(seeds_copy, tmp_path, version="r")
    rejects = pl.read_csv(tmp_path / "r" / "rejects.csv")
    reasons = dict(zip(rejects["article_id"].fill_null(""), rejects["reason"], strict=True))
    assert {"empty", "image", "nodate"} <= set(reasons), reasons
    assert "empty" in reasons["empty"]
    frame = pl.read_parquet(tmp_path / "r" / "events.parquet")
    assert set(frame["article_id"]) == {p.stem for p in SEEDS.glob("*.txt")}


def test_lock_blocks_a_concurrent_release(tmp_path: Path, seeds_copy: Path) -> None:
    from events.release import LOCK_NAME

    (tmp_path / LOCK_NAME).write_text(f"{os.getppid()} {__import__('socket').gethostname()}\n")
    with pytest.raises(ReleaseError, match="another release is running"):
        build_release(seeds_copy, tmp_path, version="a")
    # a lock left by a process that no longer exists is stale and taken over
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / LOCK_NAME).write_text(f"{dead.stdout.strip()} {__import__('socket').gethostname()}\n")
    build_release(seeds_copy, tmp_path, version="a")
    assert (tmp_path / "a" / "events.parquet").exists()


def test_unwritable_output_fails_cleanly(tmp_path: Path, seeds_copy: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere; permission errors cannot be provoked")
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    with pytest.raises(ReleaseError, match="not writable"):
        build_release(seeds_copy, out, version="a")


def _score(events: Path, gold: Path) -> dict[str, float]:
    scorer = shared_path("eval", "score.py")
    out = subprocess.run(
        [sys.executable, str(scorer), str(events), str(gold)], capture_output=True, text=True, check=True
    )
    line = out.stdout.strip().splitlines()[-1]
    assert line.startswith("SCORE"), out.stdout
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


def test_score_floor_on_seeds(seeds_release: Path) -> None:
    scores = _score(seeds_release / "events.parquet", shared_path("gold", "seeds.jsonl"))
    assert scores["overall"] >= SCORE_FLOOR["seeds"], scores


def test_score_floor_on_dev(tmp_path: Path) -> None:
    articles = shared_path("dev", "articles")
    build_release(articles, tmp_path, version="dev")
    scores = _score(tmp_path / "dev" / "events.parquet", shared_path("gold", "dev.jsonl"))
    assert scores["overall"] >= SCORE_FLOOR["dev"], scores
