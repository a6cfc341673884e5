"""The contract: the models are the single source of every derived schema."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from events import taxonomy
from events.schema import (
    Event,
    EventValidationError,
    json_schema,
    list_columns,
    polars_schema,
    table_schema,
    validate_event,
)

from .conftest import shared_path

SPEC_COLUMNS = [
    "event_id", "article_id", "title", "event_type", "date", "date_precision", "date_text", "published_at",
    "place", "admin1", "country_code", "latitude", "longitude", "location_precision", "persons",
    "organizations", "participants", "industries", "language", "source_title", "source_name", "source_url",
    "evidence", "extractor_version",
]


def good_row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "event_id": "abc", "article_id": "a1", "title": "A meeting", "event_type": "meeting",
        "date": dt.date(2020, 5, 12), "date_precision": "day", "language": "en", "evidence": "It met.",
        "extractor_version": "0", "industries": ["telecom"],
    }
    row.update(overrides)
    return row


def test_every_spec_column_is_published_in_order() -> None:
    assert list(polars_schema())[: len(SPEC_COLUMNS)] == SPEC_COLUMNS


def test_spec_file_lists_the_same_columns() -> None:
    spec = shared_path("spec", "schema.md").read_text(encoding="utf-8")
    documented = set()
    for line in spec.splitlines():
        match = re.match(r"\| ([a-z0-9_, ]+) \| (string|date|timestamp|float64|list)", line)
        if match:
            documented.update(c.strip() for c in match.group(1).split(","))
    assert documented == set(SPEC_COLUMNS)


def test_spec_taxonomy_matches_data_file() -> None:
    spec = shared_path("spec", "schema.md").read_text(encoding="utf-8")
    industries_part = spec.split("## Industry taxonomy")[1].split("## A release")[0]
    slugs = set(re.findall(r"^\| ([a-z-]+) \|", industries_part, flags=re.M)) - {"slug"}
    assert slugs == taxonomy.industry_slugs()
    types_part = spec.split("## Event types")[1].split("## Industry taxonomy")[0]
    types = set(re.findall(r"^\| ([a-z-]+) \|", types_part, flags=re.M)) - {"slug"}
    assert types == taxonomy.event_type_slugs()


@pytest.mark.parametrize(
    ("column", "dtype"),
    [
        ("date", pl.Date()),
        ("published_at", pl.Datetime("us")),
        ("latitude", pl.Float64()),
        ("persons", pl.List(pl.String())),
        ("participants", pl.List(pl.Struct({"name": pl.String(), "kind": pl.String(), "role": pl.String()}))),
    ],
)
def test_polars_types_follow_the_contract(column: str, dtype: pl.DataType) -> None:
    assert polars_schema()[column] == dtype


def test_table_schemas_derive_from_model() -> None:
    for flavour in ("csv", "parquet"):
        schema = table_schema(flavour)  # type: ignore[arg-type]
        names = [f["name"] for f in schema["fields"]]
        assert names == list(Event.model_fields)
        assert schema["primaryKey"] == ["event_id"]
        by_name = {f["name"]: f for f in schema["fields"]}
        assert by_name["event_type"]["constraints"]["enum"] == sorted(taxonomy.event_type_slugs())
        assert by_name["date"]["type"] == "date"
        assert by_name["latitude"]["constraints"] == {"minimum": -90, "maximum": 90}
    assert {f["name"]: f["type"] for f in table_schema("csv")["fields"]}["persons"] == "string"
    assert {f["name"]: f["type"] for f in table_schema("parquet")["fields"]}["persons"] == "array"
    assert set(list_columns()) == {"persons", "organizations", "participants", "industries", "persons_latin"}


def test_json_schema_has_enums_and_required() -> None:
    schema = json_schema()
    assert schema["properties"]["industries"]["items"]["enum"] == sorted(taxonomy.industry_slugs())
    assert {"event_id", "article_id", "date", "evidence"} <= set(schema["required"])


def test_committed_json_schema_is_current() -> None:
    import json

    path = Path(__file__).resolve().parents[1] / "docs" / "event.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == json_schema(), (
        "docs/event.schema.json is stale: run `python scripts/write_docs.py`"
    )


@pytest.mark.parametrize(
    ("override", "field", "value"),
    [
        ({"event_type": "party"}, "event_type", "party"),
        ({"industries": ["rockets"]}, "industries", ["rockets"]),
        ({"latitude": 123.0}, "latitude", 123.0),
        ({"date": dt.date(1900, 1, 1)}, "date", "1900-01-01"),
        ({"country_code": "china"}, "country_code", "china"),
        ({"date_precision": "week"}, "date_precision", "week"),
    ],
)
def test_validation_error_names_article_field_value(override: dict[str, object], field: str, value: object) -> None:
    with pytest.raises(EventValidationError) as info:
        validate_event(good_row(**override))
    message = str(info.value)
    assert "article a1" in message
    assert repr(field) in message
    assert str(value).strip("[]'") in message


def test_valid_row_passes() -> None:
    event = validate_event(good_row())
    assert event.persons == [] and event.industries == ["telecom"]
