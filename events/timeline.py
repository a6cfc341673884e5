"""The release's interactive timeline: one self-contained HTML file (plotly.js embedded, no network)."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

DIV_ID = "events-timeline"


def _hover(row: dict[str, Any]) -> str:
    people = ", ".join(
        f"{p['name']} ({p['role']})" if p.get("role") else p["name"]
        for p in (row.get("participants") or [])
        if p.get("kind") == "person"
    )
    orgs = ", ".join(row.get("organizations") or [])
    place = ", ".join(x for x in (row.get("place"), row.get("admin1"), row.get("country_code")) if x)
    parts = [
        f"<b>{html.escape(row['title'])}</b>",
        f"{row['date']} ({row['date_precision']}) · {html.escape(row['event_type'])}",
        html.escape(place) if place else "place unknown",
    ]
    if people:
        parts.append("People: " + html.escape(people))
    if orgs:
        parts.append("Organizations: " + html.escape(orgs))
    if row.get("industries"):
        parts.append("Industries: " + ", ".join(row["industries"]))
    if row.get("source_title"):
        parts.append("Source: " + html.escape(row["source_title"]))
    return "<br>".join(parts)


def build_figure(frame: pl.DataFrame) -> go.Figure:
    frame = frame.sort(["date", "event_id"])
    figure = go.Figure()
    lanes = sorted({(r or "unknown") for r in frame["admin1"].to_list()}) if frame.height else []
    for event_type in sorted(set(frame["event_type"].to_list())) if frame.height else []:
        part = frame.filter(pl.col("event_type") == event_type)
        rows = part.to_dicts()
        figure.add_trace(
            go.Scatter(
                x=[r["date"].isoformat() for r in rows],
                y=[r["admin1"] or "unknown" for r in rows],
                mode="markers",
                name=event_type,
                marker={
                    "size": [8 + 2 * min(len(r["participants"] or []), 10) for r in rows],
                    "symbol": [
                        "circle-open" if r["date_precision"] == "approximate" else "circle" for r in rows
                    ],
                    "line": {"width": 1},
                },
                customdata=[r["source_url"] or "" for r in rows],
                hovertext=[_hover(r) for r in rows],
                hoverinfo="text",
            )
        )
    figure.update_layout(
        template="plotly_white",
        height=max(360, 80 + 40 * len(lanes)),
        margin={"l": 120, "r": 20, "t": 20, "b": 40},
        legend={"title": {"text": "event type"}},
        yaxis={"categoryorder": "array", "categoryarray": lanes, "title": "province"},
        xaxis={
            "type": "date",
            "rangeslider": {"visible": True},
            "rangeselector": {
                "buttons": [
                    {"count": 1, "label": "1m", "step": "month", "stepmode": "backward"},
                    {"count": 6, "label": "6m", "step": "month", "stepmode": "backward"},
                    {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
                    {"step": "all", "label": "all"},
                ]
            },
        },
    )
    return figure


def build_timeline_html(frame: pl.DataFrame, meta: dict[str, Any]) -> str:
    """A complete HTML page; deterministic for the same table and metadata."""
    figure = build_figure(frame)
    plot_div = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=DIV_ID, config={"displaylogo": False, "responsive": True}
    )
    title = f"{meta.get('name', 'events')} {meta.get('version', '')}".strip()
    header = (
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Built {html.escape(str(meta.get('created', '')))} · {frame.height} events from "
        f"{meta.get('articles', 0)} articles · downloads: "
        '<a href="events.csv">events.csv</a> · <a href="events.parquet">events.parquet</a> · '
        '<a href="datapackage.json">datapackage.json</a></p>'
    )
    click = (
        "<script>document.getElementById('%s').on('plotly_click',function(d){"
        "var u=d.points[0].customdata;if(u){window.open(u,'_blank','noopener');}});</script>" % DIV_ID
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<style>body{font-family:system-ui,sans-serif;margin:1rem 2rem}h1{font-size:1.4rem}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>{header}{plot_div}{click}</body></html>\n"
    )
