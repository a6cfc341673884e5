"""Shared fixtures: the repo's seeds, the sibling ``../shared`` folder (gold, scorer), built releases."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = Path(os.environ.get("EVENTS_SHARED_DIR", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A file of ../shared, or skip the test with the reason when the clone has no ../shared beside it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: ../shared (gold, scorer, dev articles) is not beside this clone")
    return path


@pytest.fixture(scope="session")
def seeds_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of seeds/ built once per test session (version 1.0.0)."""
    from events.release import build_release

    out = tmp_path_factory.mktemp("dist")
    build_release(SEEDS, out, version="1.0.0")
    return out / "1.0.0"


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target
