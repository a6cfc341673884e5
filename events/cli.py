"""The ``events`` command line. Each command parses its options and calls one library function.

Exit codes: 0 ok, 1 failed or invalid, 2 usage error (Typer's own).
"""

from __future__ import annotations

import json
import sys
import webbrowser
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from events import __version__

app = typer.Typer(
    name="events",
    help="Turn news articles into a published, versioned dataset of events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
stdout = Console()


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def _version_callback(value: bool) -> None:
    if value:
        stdout.print(f"events {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Build, validate, publish and explore event dataset releases."""


class ReleaseEngine(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def release(
    seeds: Annotated[Path, typer.Option(help="Directory of articles (searched recursively).")] = Path("seeds"),
    out: Annotated[Path, typer.Option(help="Directory that holds the releases.")] = Path("dist"),
    version: Annotated[
        str | None, typer.Option("--version", "-V", help="Release version (default: CalVer YYYY.MM.DD[.N]).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Rebuild a version that already exists.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores; small inputs run in-process)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Extract every article again; leave OUT/.cache untouched.")
    ] = False,
    engine: Annotated[
        ReleaseEngine,
        typer.Option(help="Where batches run: local processes, or a Dask cluster (DASK_SCHEDULER_ADDRESS, "
                          "else a local one; needs the 'cluster' extra)."),
    ] = ReleaseEngine.local,
    timeline_max_points: Annotated[
        int | None,
        typer.Option(min=1, help="Most recent events drawn as points on the timeline (default: 50,000); "
                                 "older ones are counted per week instead."),
    ] = None,
) -> None:
    """Extract events from SEEDS and publish a release in OUT/VERSION/."""
    from events.release import ReleaseError, build_release

    show = not quiet and console.is_terminal
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=True,
    ) as bar:
        total = sum(1 for p in seeds.rglob("*") if p.is_file()) if seeds.is_dir() else None
        task = bar.add_task("extracting", total=total)

        def progress(done: int, _total: int | None, _name: str) -> None:
            bar.update(task, completed=done)

        try:
            result = build_release(seeds, out, version=version, force=force, progress=progress, jobs=jobs,
                                   cache=not no_cache, engine_name=engine.value,
                                   timeline_max_points=timeline_max_points)
        except ReleaseError as exc:
            raise _fail(str(exc)) from None
    for warning in result.warnings:
        console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    stdout.print(
        f"release {result.version}: {result.events} events from {result.articles} articles, "
        f"{result.rejects} rejected → {result.path} "
        f"(+{result.added} −{result.removed} ~{result.changed}; {result.seconds:.2f} s; "
        f"{result.extracted} extracted, {result.cache_hits} from cache, {result.jobs} worker(s))",
        highlight=False,
    )


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="One article (.txt, .md, .html or .jsonl).", exists=True,
                                         dir_okay=False)],
) -> None:
    """Print the events of one article as JSON."""
    from events.pipeline import extract_file

    result = extract_file(file)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    if not result["events"]:
        raise typer.Exit(code=1)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A release directory, or an events .parquet/.csv file.")],
) -> None:
    """Check a release or table against the published contract; exit 1 when anything is wrong."""
    from events.validate import validate_path

    report = validate_path(path)
    for line in report.checked:
        stdout.print(f"[green]ok[/]   {line}", highlight=False)
    for problem in report.problems:
        stdout.print(f"[red]FAIL[/] {problem}", highlight=False)
    if not report.ok:
        raise _fail(f"{path}: {len(report.problems)} problem(s)")
    stdout.print(f"{path}: valid ({report.rows} rows checked)", highlight=False)


@app.command()
def view(
    version: Annotated[str, typer.Argument(help="Release version, or 'latest'.")] = "latest",
    dist: Annotated[
        Path | None, typer.Option(help="Directory that holds the releases (default: dist).")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="URL of a served dist/ (fetched into the cache first), or a directory."),
    ] = None,
    print_path: Annotated[
        bool, typer.Option("--print-path", help="Print the file path; do not open it.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Open a release's interactive timeline in the browser."""
    from events.download import DownloadError, fetch_timeline, local_timeline

    if dist is not None and source is not None:
        raise _fail("use either --dist or --from, not both")
    try:
        if source is None:
            path = local_timeline(dist or Path("dist"), version)
        else:
            with _TransferBar(quiet) as bar:
                path = fetch_timeline(source, version, progress=bar.progress, on_retry=bar.retry,
                                      on_plan=bar.plan)
    except DownloadError as exc:
        raise _fail(str(exc)) from None
    if print_path:
        stdout.print(str(path), highlight=False, soft_wrap=True)
        return
    if not webbrowser.open(path.resolve().as_uri()):
        stdout.print(f"no browser available; open {path}", highlight=False)


class DownloadFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"
    all = "all"


class _TransferBar:
    """A rich progress bar fed by the download callbacks (the library itself never prints)."""

    def __init__(self, quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=quiet or not console.is_terminal,
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _TransferBar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def plan(self, files: list[Any]) -> None:
        for spec in files:
            self.tasks[spec.name] = self.bar.add_task(spec.name, total=spec.size)

    def progress(self, name: str, done: int, total: int) -> None:
        if name not in self.tasks:
            self.tasks[name] = self.bar.add_task(name, total=total)
        self.bar.update(self.tasks[name], completed=done, total=total)

    def retry(self, name: str, reason: str, delay: float) -> None:
        console.print(f"[yellow]retrying[/] {name} in {delay:.1f} s: {reason}", highlight=False)


@app.command()
def download(
    source: Annotated[
        str, typer.Option("--from", help="URL of a served dist/ (see `events serve`) or a directory.")
    ],
    version: Annotated[str, typer.Argument(help="Release version, or 'latest'.")] = "latest",
    to: Annotated[Path | None, typer.Option(help="Directory to write into (default: ./VERSION/).")] = None,
    fmt: Annotated[
        DownloadFormat, typer.Option("--format", help="Which tables to fetch (the datapackage always comes).")
    ] = DownloadFormat.all,
    retries: Annotated[int, typer.Option(min=0, max=20, help="Retries after a transient network error.")] = 4,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Download a release, verifying every file's size and sha256 before keeping it."""
    from events.download import DownloadError, RetryPolicy, download_release, human_size

    try:
        with _TransferBar(quiet) as bar:
            result = download_release(
                source, version, to, fmt.value, policy=RetryPolicy(retries=retries),
                progress=bar.progress, on_retry=bar.retry, on_plan=bar.plan,
            )
    except DownloadError as exc:
        raise _fail(str(exc)) from None
    notes = []
    if result.resumed:
        notes.append(f"resumed {', '.join(result.resumed)}")
    if result.already_present:
        notes.append(f"{len(result.already_present)} already present")
    stdout.print(
        f"release {result.version}: {len(result.files)} files verified in {result.path} "
        f"({human_size(result.fetched_bytes)} fetched{'; ' + '; '.join(notes) if notes else ''})",
        highlight=False,
        soft_wrap=True,
    )


@app.command("list")
def list_releases(
    source: Annotated[str, typer.Option("--from", help="URL of a served dist/ or a directory.")] = "dist",
) -> None:
    """List the releases at a source: version, date, counts, size."""
    from rich.table import Table

    from events.download import DownloadError, human_size
    from events.download import list_releases as read_releases

    try:
        rows = read_releases(source)
    except DownloadError as exc:
        raise _fail(str(exc)) from None
    if not rows:
        stdout.print(f"no releases in {source}", highlight=False)
        return
    table = Table(box=None, pad_edge=False)
    for column in ("version", "created", "events", "articles", "rejects", "files", "size"):
        if column in ("version", "created"):
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right", no_wrap=True)
    for row in reversed(rows):
        table.add_row(
            row.version,
            row.created,
            *("" if n is None else str(n) for n in (row.events, row.articles, row.rejects)),
            str(row.files),
            human_size(row.bytes),
        )
    stdout.print(table)
    latest = next((row.version for row in rows if row.latest), None)
    if latest:
        stdout.print(f"latest: {latest}", highlight=False)


@app.command()
def serve(
    dist: Annotated[Path, typer.Option(help="Directory that holds the releases.")] = Path("dist"),
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless you mean to share.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")] = 8000,
    timeout: Annotated[int, typer.Option(min=1, max=3600, help="Close idle connections after N s.")] = 30,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No request log.")] = False,
) -> None:
    """Serve DIST read-only over HTTP: an index page, the releases, Range and conditional requests."""
    from events.serve import ServeError, bind_warning, create_server

    def log(method: str, path: str, status: int) -> None:
        console.print(f"{method} {path} {status}", highlight=False, markup=False, soft_wrap=True)

    try:
        server = create_server(dist, host, port, idle_timeout=timeout, log=None if quiet else log)
    except ServeError as exc:
        raise _fail(str(exc)) from None
    warning = bind_warning(host)
    if warning:
        console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    stdout.print(f"serving {dist} at {server.url} (Ctrl-C to stop)", highlight=False, soft_wrap=True)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    app()
