"""The timeline page in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

Every page is opened with all requests watched: anything that is not a file of the release directory
(or, when served, the release's own origin) fails the test, and so does any console error.
Without Chromium these tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from events import timeline
from tests.test_timeline import META, expected_search, synthetic_frame

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("EVENTS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
EVENTS = 160  # fewer than a table page, so every visible event is a table row

POINTS_JS = """() => document.getElementById('ev-timeline').data
  .filter(t => t.meta === 'events').reduce((n, t) => n + t.x.length, 0)"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set EVENTS_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _release(directory: Path, frame: pl.DataFrame, **options: Any) -> Path:
    """A release directory as the page sees it: the timeline beside the files it links to."""
    directory.mkdir(parents=True, exist_ok=True)
    page = timeline.build_timeline_html(frame, META | {"articles": frame["article_id"].n_unique()}, **options)
    (directory / "timeline.html").write_text(page, encoding="utf-8")
    for name in ("events.csv", "events.parquet", "datapackage.json"):
        (directory / name).write_text("placeholder\n", encoding="utf-8")
    return directory / "timeline.html"


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return synthetic_frame(EVENTS, seed=11)


@pytest.fixture(scope="module")
def page_path(frame: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _release(tmp_path_factory.mktemp("release"), frame)


@dataclass
class Visit:
    page: Any
    allowed: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "visible": int(self.page.get_attribute("#ev-count", "data-visible")),
            "points": int(self.page.evaluate(POINTS_JS)),
            "rows": self.page.locator("#ev-table tbody tr").count(),
        }

    def wait_for_visible(self, n: int) -> None:
        self.page.wait_for_function(f"document.getElementById('ev-count').dataset.visible === '{n}'")

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], self.blocked
        leaving = [u for u in self.requests if not u.startswith((self.allowed, "data:", "blob:"))]
        assert leaving == [], leaving


@pytest.fixture()
def visit(browser: Any) -> Iterator[Any]:
    contexts = []

    def open_page(url: str, allowed: str) -> Visit:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(60_000)
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page, allowed)
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.on("request", lambda r: seen.requests.append(r.url))

        def guard(route: Any) -> None:
            if route.request.url.startswith(allowed):
                route.continue_()
            else:
                seen.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page.goto(url)
        page.wait_for_function("document.body.dataset.ready === 'true'")
        return seen

    yield open_page
    for context in contexts:
        context.close()


def _open(visit: Any, path: Path, hash_: str = "") -> Visit:
    seen: Visit = visit(path.as_uri() + hash_, path.parent.as_uri() + "/")
    return seen


# ---------------------------------------------------------------------------------------------


def test_renders_every_event_as_a_point_and_a_row(visit: Any, page_path: Path, frame: pl.DataFrame) -> None:
    seen = _open(visit, page_path)
    page = seen.page
    assert seen.counts() == {"visible": EVENTS, "points": EVENTS, "rows": EVENTS}
    assert page.text_content("#ev-count") == f"{EVENTS} of {EVENTS} events"
    kind = page.evaluate("document.getElementById('ev-timeline').data.find(t => t.meta === 'events').type")
    assert kind in ("scattergl", "scatter")
    # range selector buttons and range slider
    buttons = page.locator("#ev-timeline .rangeselector .button text").all_text_contents()
    assert buttons == ["1m", "6m", "1y", "all"]
    assert page.locator("#ev-timeline .rangeslider-container").count() == 1
    # no modebar button sends the chart anywhere
    titles = page.evaluate("[...document.querySelectorAll('.modebar-btn')].map(b => b.dataset.title)")
    assert titles and not [t for t in titles if "share" in t.lower() or "cloud" in t.lower()]
    # monthly bars count every event; the map has one marker per place with coordinates
    assert page.evaluate("document.getElementById('ev-timeline').data.find(t => t.meta === 'bars')"
                         ".y.reduce((a, b) => a + b, 0)") == EVENTS
    places = frame.filter(pl.col("latitude").is_not_null())["place"].n_unique()
    assert page.evaluate("document.getElementById('ev-map').data[0].lat.length") == places
    assert page.locator("#ev-map .geo .layer.land path").count() == 1
    header = page.text_content("header")
    assert "9.9.9" in header and "2024-05-06 07:08 UTC" in header
    assert page.get_attribute("a[href='events.parquet']", "href") == "events.parquet"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timeline.png"), full_page=True)
    seen.assert_clean()


def test_industry_and_search_narrow_the_view(visit: Any, page_path: Path, frame: pl.DataFrame) -> None:
    industry = frame.explode("industries")["industries"].drop_nulls().value_counts(sort=True)["industries"][0]
    in_industry = frame.filter(pl.col("industries").list.contains(industry))
    seen = _open(visit, page_path)
    page = seen.page
    page.click("#ev-filter-industry summary")
    page.check(f"input[name=industry][value='{industry}']")
    seen.wait_for_visible(in_industry.height)
    n = in_industry.height
    assert seen.counts() == {"visible": n, "points": n, "rows": n}

    for query in ("haitao", "Zhou Haitao", "周海涛"):
        expected = expected_search(in_industry, query).height
        assert 0 < expected < in_industry.height
        page.fill("#ev-search", query)
        seen.wait_for_visible(expected)
        assert seen.counts() == {"visible": expected, "points": expected, "rows": expected}
    # pinyin with tone marks folded: "Lü" is found by "lu"
    page.fill("#ev-search", "lu xiaofeng")
    expected = expected_search(in_industry, "Lü Xiaofeng").height
    assert expected > 0
    seen.wait_for_visible(expected)
    seen.assert_clean()


def test_hash_keeps_the_filters_across_a_reload(visit: Any, page_path: Path, frame: pl.DataFrame) -> None:
    seen = _open(visit, page_path)
    page = seen.page
    page.click("#ev-filter-type summary")
    page.check("input[name=type][value='visit']")
    page.fill("#ev-search", "okonkwo")
    expected = expected_search(frame.filter(pl.col("event_type") == "visit"), "okonkwo").height
    assert expected > 0
    seen.wait_for_visible(expected)
    assert "type=visit" in page.url and "q=okonkwo" in page.url

    page.reload()
    page.wait_for_function("document.body.dataset.ready === 'true'")
    assert seen.counts()["visible"] == expected
    assert page.is_checked("input[name=type][value='visit']")
    assert page.input_value("#ev-search") == "okonkwo"
    seen.assert_clean()


def test_shared_link_opens_the_filtered_view(visit: Any, page_path: Path, frame: pl.DataFrame) -> None:
    seen = _open(visit, page_path, "#province=Hubei&province=Jiangsu&lane=industry&color=type")
    page = seen.page
    expected = frame.filter(pl.col("admin1").is_in(["Hubei", "Jiangsu"]))
    assert seen.counts() == {"visible": expected.height, "points": expected.height, "rows": expected.height}
    assert page.input_value("#ev-lane") == "industry"
    lanes = page.evaluate("document.getElementById('ev-timeline').layout.yaxis.categoryarray")
    primary = {row[0] if row else "(no industry)" for row in expected["industries"].to_list()}
    assert set(lanes) == primary
    legend = page.evaluate("document.getElementById('ev-timeline').data"
                           ".filter(t => t.meta === 'events').map(t => t.name)")
    assert legend == sorted(set(expected["event_type"].to_list()))
    seen.assert_clean()


def test_clicking_a_place_on_the_map_filters_to_it(visit: Any, page_path: Path, frame: pl.DataFrame) -> None:
    seen = _open(visit, page_path)
    page = seen.page
    index = page.evaluate("""() => {
      const trace = document.getElementById('ev-map').data[0];
      const k = trace.hovertext.findIndex(t => t.startsWith('Wuhan, Hubei, CN:'));
      return trace.customdata[k];
    }""")
    click = "(i) => document.getElementById('ev-map').emit('plotly_click', {points: [{customdata: i}]})"
    page.evaluate(click, index)
    expected = frame.filter(pl.col("place") == "Wuhan").height
    seen.wait_for_visible(expected)
    assert page.is_visible("#ev-place") and "Wuhan" in page.text_content("#ev-place")
    assert "place=Wuhan" in page.url
    page.click("#ev-place button")
    seen.wait_for_visible(EVENTS)
    seen.assert_clean()


def test_table_sorts_by_a_column(visit: Any, page_path: Path, frame: pl.DataFrame) -> None:
    seen = _open(visit, page_path)
    page = seen.page
    first_date = "document.querySelector('#ev-table tbody tr td').textContent"
    newest = frame.sort(["date", "event_id"]).row(-1, named=True)
    assert page.get_attribute("#ev-table tbody tr", "data-event") == newest["event_id"]
    page.click("th button[data-sort=date]")
    oldest = frame.sort(["date", "event_id"]).row(0, named=True)
    page.wait_for_function("(id) => document.querySelector('#ev-table tbody tr').dataset.event === id",
                           arg=oldest["event_id"])
    assert page.evaluate(first_date).lstrip("≈ ") in str(oldest["date"])
    page.click("th button[data-sort=participants]")
    most = max(len(p) for p in frame["participants"].to_list())
    page.wait_for_function("document.querySelector('th[aria-sort=descending] [data-sort=participants]')")
    top = page.get_attribute("#ev-table tbody tr", "data-event")
    assert len(frame.filter(pl.col("event_id") == top)["participants"][0]) == most
    assert "sort=-participants" in page.url
    seen.assert_clean()


def test_clicking_an_event_opens_its_source(visit: Any, page_path: Path, frame: pl.DataFrame) -> None:
    seen = _open(visit, page_path)
    page = seen.page
    page.evaluate("window.open = (url, target) => { window.opened = [url, target]; }")
    with_url = frame.filter(pl.col("source_url").is_not_null()).row(0, named=True)
    without = frame.filter(pl.col("source_url").is_null()).row(0, named=True)
    for row, expected in ((without, None), (with_url, [with_url["source_url"], "_blank"])):
        page.evaluate("""(id) => {
          window.opened = null;
          const gd = document.getElementById('ev-timeline');
          const index = JSON.parse(document.getElementById('ev-data').textContent).events.id.indexOf(id);
          const trace = gd.data.find(t => t.meta === 'events' && t.customdata.includes(index));
          gd.emit('plotly_click', {points: [{data: trace, customdata: index}]});
        }""", row["event_id"])
        assert page.evaluate("window.opened") == expected
    seen.assert_clean()


def test_empty_release_shows_an_empty_timeline(visit: Any, tmp_path: Path) -> None:
    path = _release(tmp_path / "empty", synthetic_frame(0))
    seen = _open(visit, path)
    assert seen.counts() == {"visible": 0, "points": 0, "rows": 0}
    assert seen.page.text_content("#ev-count") == "0 of 0 events"
    assert "This release has no events" in seen.page.text_content("#ev-timeline")
    seen.assert_clean()


def test_large_release_draws_older_events_as_counts(visit: Any, tmp_path: Path, frame: pl.DataFrame) -> None:
    path = _release(tmp_path / "large", frame, max_points=50)
    seen = _open(visit, path)
    page = seen.page
    assert seen.counts() == {"visible": EVENTS, "points": 50, "rows": 50}
    bars = ("document.getElementById('ev-timeline').data.find(t => t.meta === 'bars')"
            ".y.reduce((a, b) => a + b)")
    assert page.evaluate(bars) == EVENTS
    assert page.evaluate("document.getElementById('ev-timeline').data.some(t => t.meta === 'aggregate')")
    assert page.is_visible("#ev-aggregate-note")
    # an event type filter applies to the counts too; search to the points only
    page.click("#ev-filter-type summary")
    page.check("input[name=type][value='talks']")
    seen.wait_for_visible(frame.filter(pl.col("event_type") == "talks").height)
    page.fill("#ev-search", "haitao")
    recent = frame.tail(50).filter(pl.col("event_type") == "talks")
    seen.wait_for_visible(expected_search(recent, "haitao").height)
    assert not page.evaluate("document.getElementById('ev-timeline').data.some(t => t.meta === 'aggregate')")
    seen.assert_clean()


def test_served_over_http_requests_only_its_own_origin(visit: Any, page_path: Path) -> None:
    handler = functools.partial(_QuietHandler, directory=str(page_path.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        origin = f"http://127.0.0.1:{server.server_address[1]}/"
        seen = visit(origin + "timeline.html", origin)
        assert seen.counts()["visible"] == EVENTS
        response = seen.page.request.get(origin + seen.page.get_attribute("a[href='events.csv']", "href"))
        assert response.ok
        seen.assert_clean()
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
