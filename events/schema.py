"""The published column contract, defined once.

Every other representation (Polars schema for Parquet, CSV layout, Frictionless Table Schema, JSON
Schema) is derived from these pydantic models so that the contract cannot drift between writers.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from events import taxonomy

SCHEMA_VERSION = "1.0"

DatePrecision = Literal["day", "month", "year", "approximate"]
LocationPrecision = Literal["city", "county", "province", "country"]
ParticipantKind = Literal["person", "organization"]

#: CSV serialisation of list columns (see docs/columns.md for the escaping rules)
LIST_SEPARATOR = "; "


class Participant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, description="as written in the article's script")]
    kind: ParticipantKind
    role: Annotated[str | None, Field(description="the role the article gives, e.g. mayor")] = None


class Location(BaseModel):
    """A resolved place; the event copies these fields flat into its row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    place: str | None = None
    admin1: str | None = None
    country_code: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None
    location_precision: LocationPrecision | None = None


class Article(BaseModel):
    """One ingested article: the body text with page chrome removed, plus what the page says of itself."""

    model_config = ConfigDict(extra="forbid")

    article_id: str
    source_path: str
    text: str
    title: str | None = None
    published_at: dt.datetime | None = None
    published_text: str | None = Field(default=None, description="the date line as written on the page")
    source_name: str | None = None
    source_url: str | None = None
    language: str = "en"
    content_hash: str = ""
    encoding: str | None = None


class Event(BaseModel):
    """One row of the published table: one thing that happened on one date at one place."""

    model_config = ConfigDict(extra="forbid")

    event_id: Annotated[str, Field(min_length=1, description="stable id: same input, same id")]
    article_id: Annotated[str, Field(min_length=1, description="input file name without extension")]
    title: Annotated[str, Field(min_length=1, description="short human title, in the article's language")]
    event_type: Annotated[str, Field(description="one of the event types of the spec")]
    date: Annotated[dt.date, Field(description="the event's date, resolved against publication")]
    date_precision: Annotated[DatePrecision, Field(description="day, month, year or approximate")]
    date_text: Annotated[str | None, Field(description="the date expression as written")] = None
    published_at: Annotated[dt.datetime | None, Field(description="publication date-time")] = None
    place: Annotated[str | None, Field(description="canonical English name of the most specific place")] = None
    admin1: Annotated[str | None, Field(description="province-level unit in English")] = None
    country_code: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")] = None
    latitude: Annotated[float | None, Field(ge=-90, le=90, description="WGS84 latitude of place")] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180, description="WGS84 longitude of place")] = None
    location_precision: Annotated[
        LocationPrecision | None, Field(description="city, county, province or country")
    ] = None
    persons: Annotated[list[str], Field(description="people who took part, as written")] = []
    organizations: Annotated[list[str], Field(description="organizations that took part")] = []
    participants: Annotated[list[Participant], Field(description="people and organizations with roles")] = []
    industries: Annotated[list[str], Field(description="industry tags from the taxonomy")] = []
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 of the article")]
    source_title: Annotated[str | None, Field(description="the article's headline")] = None
    source_name: Annotated[str | None, Field(description="the publishing site or outlet")] = None
    source_url: Annotated[str | None, Field(description="where the article came from")] = None
    evidence: Annotated[str, Field(min_length=1, description="the sentence(s) the event was read from")]
    extractor_version: Annotated[str, Field(min_length=1, description="version of the extracting code")]
    # columns added beyond the 1.0 contract (allowed: "columns may be added")
    persons_latin: Annotated[
        list[str], Field(description="persons in Latin script (pinyin for Chinese names), same order")
    ] = []

    @field_validator("event_type")
    @classmethod
    def _known_event_type(cls, value: str) -> str:
        if value not in taxonomy.event_type_slugs():
            raise ValueError(f"unknown event type {value!r}")
        return value

    @field_validator("industries")
    @classmethod
    def _known_industries(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in taxonomy.industry_slugs()]
        if unknown:
            raise ValueError(f"unknown industry slug(s) {unknown}")
        return value

    @field_validator("date")
    @classmethod
    def _sane_date(cls, value: dt.date) -> dt.date:
        if value.year < 1949 or value.year > 2100:
            raise ValueError(f"date {value} outside 1949-2100")
        return value


class EventValidationError(ValueError):
    """A validation failure that names the article, the field and the offending value."""

    def __init__(self, article_id: str, errors: list[tuple[str, str, Any]]):
        self.article_id = article_id
        self.errors = errors
        parts = [f"field {field!r}: {msg} (value {value!r})" for field, msg, value in errors]
        super().__init__(f"article {article_id}: " + "; ".join(parts))


def validate_event(data: dict[str, Any]) -> Event:
    try:
        return Event.model_validate(data)
    except ValidationError as exc:
        errors = [
            (".".join(str(p) for p in err["loc"]) or "?", err["msg"], err.get("input"))
            for err in exc.errors()
        ]
        raise EventValidationError(str(data.get("article_id", "?")), errors) from None


# ---------------------------------------------------------------------------------------------
# Derived representations


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Annotated/Optional; return (inner type, nullable)."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    nullable = False
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(args) != len(get_args(annotation))
        annotation = args[0] if len(args) == 1 else annotation
    return annotation, nullable


def _polars_type(annotation: Any) -> pl.DataType:
    inner, _ = _unwrap(annotation)
    origin = get_origin(inner)
    if origin is list:
        (item,) = get_args(inner)
        return pl.List(_polars_type(item))
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return pl.Struct({name: _polars_type(f.annotation) for name, f in inner.model_fields.items()})
    if origin is Literal or inner is str:
        return pl.String()
    if inner is dt.datetime:
        return pl.Datetime("us")
    if inner is dt.date:
        return pl.Date()
    if inner is float:
        return pl.Float64()
    if inner is int:
        return pl.Int64()
    raise TypeError(f"no Polars type for {annotation!r}")


@cache
def polars_schema() -> pl.Schema:
    return pl.Schema({name: _polars_type(f.annotation) for name, f in Event.model_fields.items()})


def list_columns() -> list[str]:
    return [name for name, dtype in polars_schema().items() if isinstance(dtype, pl.List)]


def _enum_for(name: str, annotation: Any) -> list[str] | None:
    inner, _ = _unwrap(annotation)
    if get_origin(inner) is Literal:
        return list(get_args(inner))
    if name == "event_type":
        return sorted(taxonomy.event_type_slugs())
    return None


def _field_nullable(name: str) -> bool:
    field = Event.model_fields[name]
    _, nullable = _unwrap(field.annotation)
    return nullable


def table_schema(flavour: Literal["csv", "parquet"]) -> dict[str, Any]:
    """Frictionless Table Schema of the events table as written in the given format."""
    fields: list[dict[str, Any]] = []
    for name, field in Event.model_fields.items():
        dtype = polars_schema()[name]
        spec: dict[str, Any] = {"name": name}
        if field.description:
            spec["description"] = field.description
        if isinstance(dtype, pl.List):
            if flavour == "csv":
                spec["type"] = "string"
                spec["description"] = (spec.get("description", "") + f'; items joined with "{LIST_SEPARATOR}"')
            else:
                spec["type"] = "array"
        elif isinstance(dtype, pl.Date):
            spec["type"] = "date"
        elif isinstance(dtype, pl.Datetime):
            spec["type"] = "datetime"
        elif isinstance(dtype, pl.Float64):
            spec["type"] = "number"
        else:
            spec["type"] = "string"
        constraints: dict[str, Any] = {}
        if not _field_nullable(name) and not isinstance(dtype, pl.List):
            constraints["required"] = True
        enum = _enum_for(name, field.annotation)
        if enum:
            constraints["enum"] = enum
        if name == "latitude":
            constraints.update(minimum=-90, maximum=90)
        if name == "longitude":
            constraints.update(minimum=-180, maximum=180)
        if name == "event_id":
            constraints["unique"] = True
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    return {"fields": fields, "primaryKey": ["event_id"], "missingValues": [""]}


def json_schema() -> dict[str, Any]:
    schema = Event.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://example.invalid/events/{SCHEMA_VERSION}/event.schema.json"
    props = schema["properties"]
    props["event_type"]["enum"] = sorted(taxonomy.event_type_slugs())
    props["industries"]["items"]["enum"] = sorted(taxonomy.industry_slugs())
    return schema


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema())


def events_to_frame(events: typing.Iterable[Event]) -> pl.DataFrame:
    rows = [e.model_dump() for e in events]
    if not rows:
        return empty_frame()
    return pl.DataFrame(rows, schema=polars_schema())
