"""Event types and industry slugs of the contract, read from ``events/data/taxonomy.yaml``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def _taxonomy() -> dict[str, Any]:
    text = resources.files("events").joinpath("data/taxonomy.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@cache
def event_type_slugs() -> frozenset[str]:
    return frozenset(_taxonomy()["event_types"])


@cache
def industry_slugs() -> frozenset[str]:
    return frozenset(_taxonomy()["industries"])


def industry_scopes() -> dict[str, str]:
    return dict(_taxonomy()["industries"])


def event_type_scopes() -> dict[str, str]:
    return dict(_taxonomy()["event_types"])
