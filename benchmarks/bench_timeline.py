"""Build timelines for synthetic releases of 1k, 10k and 100k events; print build time, HTML size and
the first render time in headless Chromium (when /usr/bin/chromium and Playwright are there).

    python benchmarks/bench_timeline.py [--sizes 1000 10000 100000] [--max-points 50000] [--no-browser]

First render is measured inside the page: ``performance.now()`` when the timeline, the bars, the map
and the table are drawn (``body[data-render-ms]``), i.e. from navigation start, parsing included.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from events import timeline  # noqa: E402
from tests.test_timeline import META, synthetic_frame  # noqa: E402

CHROMIUM = os.environ.get("EVENTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]


def first_render_ms(path: Path) -> tuple[int, float]:
    """(ms from navigation start to the page's ready mark, wall-clock seconds of the whole load)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        started = time.perf_counter()
        page.goto(path.as_uri(), timeout=300_000)
        page.wait_for_function("document.body.dataset.ready === 'true'", timeout=300_000)
        wall = time.perf_counter() - started
        render_ms = int(page.evaluate("document.body.dataset.renderMs"))
        browser.close()
    return render_ms, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--max-points", type=int, default=timeline.DEFAULT_MAX_POINTS)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium render")
    args = parser.parse_args()
    browser = not args.no_browser and Path(CHROMIUM).exists()
    if not browser and not args.no_browser:
        print(f"no Chromium at {CHROMIUM}: first render not measured")

    print(f"{'events':>8} {'points':>8} {'build s':>8} {'HTML MB':>8} {'render ms':>10} {'load s':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            frame = synthetic_frame(size)
            started = time.perf_counter()
            page = timeline.build_timeline_html(frame, META, max_points=args.max_points)
            build = time.perf_counter() - started
            path = Path(tmp) / f"timeline-{size}.html"
            path.write_text(page, encoding="utf-8")
            megabytes = path.stat().st_size / 1e6
            points = min(size, args.max_points)
            render, wall = first_render_ms(path) if browser else (-1, float("nan"))
            row = f"{size:>8} {points:>8} {build:>8.2f} {megabytes:>8.1f} {render:>10} {wall:>7.1f}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
