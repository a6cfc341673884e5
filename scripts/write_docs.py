"""Regenerate docs derived from the models: docs/event.schema.json and the column table in docs/columns.md."""

from __future__ import annotations

import json
from pathlib import Path

from events.schema import Event, json_schema, polars_schema

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- columns:begin -->", "<!-- columns:end -->"


def column_table() -> str:
    lines = ["| column | Parquet type | null? | meaning |", "|---|---|---|---|"]
    for name, dtype in polars_schema().items():
        field = Event.model_fields[name]
        nullable = "yes" if not field.is_required() and field.default is None else "no"
        lines.append(f"| {name} | {dtype} | {nullable} | {field.description or ''} |")
    return "\n".join(lines)


def main() -> None:
    (ROOT / "docs" / "event.schema.json").write_text(
        json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    columns = ROOT / "docs" / "columns.md"
    text = columns.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    columns.write_text(f"{head}{BEGIN}\n{column_table()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
