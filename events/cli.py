"""The ``events`` command line. Each command parses its options and calls one library function.

Exit codes: 0 ok, 1 failed or invalid, 2 usage error (Typer's own).
"""

from __future__ import annotations

import json
import sys
import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
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
    console.print(f"[bold red]error:[/] {message}", highlight=False)
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


@app.command()
def release(
    seeds: Annotated[Path, typer.Option(help="Directory of articles (searched recursively).")] = Path("seeds"),
    out: Annotated[Path, typer.Option(help="Directory that holds the releases.")] = Path("dist"),
    version: Annotated[
        str | None, typer.Option("--version", "-V", help="Release version (default: CalVer YYYY.MM.DD[.N]).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Rebuild a version that already exists.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
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
            result = build_release(seeds, out, version=version, force=force, progress=progress)
        except ReleaseError as exc:
            raise _fail(str(exc)) from None
    stdout.print(
        f"release {result.version}: {result.events} events from {result.articles} articles, "
        f"{result.rejects} rejected → {result.path} "
        f"(+{result.added} −{result.removed} ~{result.changed}; {result.seconds:.2f} s)",
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
    dist: Annotated[Path, typer.Option(help="Directory that holds the releases.")] = Path("dist"),
    print_path: Annotated[bool, typer.Option("--print-path", help="Print the file path; do not open it.")] = False,
) -> None:
    """Open a release's interactive timeline in the browser."""
    from events.download import DownloadError, local_timeline

    try:
        path = local_timeline(dist, version)
    except DownloadError as exc:
        raise _fail(str(exc)) from None
    if print_path:
        stdout.print(str(path), highlight=False, soft_wrap=True)
        return
    if not webbrowser.open(path.resolve().as_uri()):
        stdout.print(f"no browser available; open {path}", highlight=False)


if __name__ == "__main__":
    app()
