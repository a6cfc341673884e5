"""Hostile inputs through a whole release: nothing lost, a precise reason for every reject, good articles untouched.

The corpus is ``tests/fixtures/hostile/`` (see its ``make_fixtures.py``) plus, under ``tmp_path``, a 50 MB file,
5 MB single-line files and a file name holding a comma and double quotes (which a Windows checkout cannot hold).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import shutil
import tempfile
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from events import ingest as ingest_module
from events.cli import app
from events.extract import extract_events
from events.ingest import LIMIT_VARIABLES, IngestLimits, Reject, iter_sources, parse_article_text, read_articles
from events.release import build_release
from events.schema import Article, events_to_frame
from events.tables import read_csv
from events.validate import validate_path

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
DEFAULT_LIMITS = IngestLimits(max_file_bytes=20_000_000, max_article_chars=500_000, max_line_chars=200_000)
QUOTED_NAME = 'inputs/bad, "quoted" name.txt'


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_make_fixtures", HOSTILE / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_fixtures = _load_generator()

#: source path -> (article id, exact reject reason, or a compiled pattern when the reason holds today's date)
EXPECTED_REJECTS: dict[str, tuple[str, str | re.Pattern[str]]] = {
    "big/huge_50mb.txt": ("huge_50mb", "file too large: 50 MB > limit 20 MB"),
    "big/one_line_5mb.txt": ("one_line_5mb", "line 1 too long: 5,000,000 characters > limit 200,000"),
    "big/one_line_5mb.jsonl": ("one_line_5mb-1", "line 1 too long: 5,000,000 characters > limit 200,000"),
    "copies/en_port_agreement copy.txt": ("en_port_agreement copy", "duplicate of article en_port_agreement"),
    "copies/en_port_agreement_bom_crlf.txt": ("en_port_agreement_bom_crlf", "duplicate of article en_port_agreement"),
    "copies/en_port_agreement_utf16be.txt": ("en_port_agreement_utf16be", "duplicate of article en_port_agreement"),
    "copies/zh_hant_memo_big5.txt": ("zh_hant_memo_big5", "duplicate of article zh_hant_memo"),
    "copies/zh_textile_forum_gbk.txt": ("zh_textile_forum_gbk", "duplicate of article zh_textile_forum"),
    "copies/zh_textile_forum_mixed.txt": ("zh_textile_forum_mixed", "duplicate of article zh_textile_forum"),
    "copies/zh_textile_forum_utf16.txt": ("zh_textile_forum_utf16", "duplicate of article zh_textile_forum"),
    "inputs/bom_only.md": ("bom_only", "empty file (whitespace only)"),
    "inputs/crawl.jsonl": ("crawl-2", re.compile(r"malformed JSON on line 2: Unterminated string .*\(column 44\)")),
    "inputs/empty.txt": ("empty", "empty file"),
    "inputs/no_date_anywhere.txt": ("no_date_anywhere", "no dated event found"),
    "inputs/noise.html": ("noise", "binary content (NUL bytes)"),
    "inputs/scan.txt": ("scan", "binary content (PNG image)"),
    "inputs/scripts_only.html": ("scripts_only", "no text in HTML"),
    "inputs/whitespace_only.txt": ("whitespace_only", "empty file (whitespace only)"),
    "inputs/year_1900_published.txt": (
        "year_1900_published", "publication date '1900-03-05 10:00' is implausible: year 1900 is outside 1970–2100"),
    "inputs/zh_year_1900_published.txt": (
        "zh_year_1900_published",
        "publication date '1900年03月05日 10:00' is implausible: year 1900 is outside 1970–2100"),
    "inputs/year_2999_published.txt": (
        "year_2999_published", "publication date '2999-06-12 11:00' is implausible: year 2999 is outside 1970–2100"),
    "inputs/year_2099_front_matter.txt": (
        "year_2099_front_matter",
        re.compile(r"publication date '2099-01-15 10:00' is in the future \(today is \d{4}-\d{2}-\d{2}\)")),
    QUOTED_NAME: ('bad, "quoted" name', "binary content (NUL bytes)"),
}

#: article id -> (source path, the date every one of its events must have)
EXPECTED_ARTICLES: dict[str, tuple[str, dt.date]] = {
    "en_port_agreement": ("articles/en_port_agreement.txt", dt.date(2022, 9, 13)),
    "zh_textile_forum": ("articles/zh_textile_forum.txt", dt.date(2021, 5, 17)),
    "zh_hant_memo": ("articles/zh_hant_memo.txt", dt.date(2023, 3, 7)),
    "broken_tags_scripts": ("inputs/broken_tags_scripts.html", dt.date(2020, 11, 5)),
    "crawl-dalian": ("inputs/crawl.jsonl", dt.date(2022, 4, 11)),
    "crawl-3": ("inputs/crawl.jsonl", dt.date(2020, 9, 7)),
    "Zhuhai 会见 Köln delegation": ("inputs/Zhuhai 会见 Köln delegation.txt", dt.date(2021, 10, 19)),
}

#: articles whose outcome belongs to the extractor (a reject or events) but must never break the window
EXTRACTOR_CALLS = {"absurd_event_years": "inputs/absurd_event_years.txt",
                   "future_events_only": "inputs/future_events_only.txt"}

#: re-encoded copy -> (original, the encoding ingest must report)
COPIES = {
    "copies/en_port_agreement_utf16be.txt": ("articles/en_port_agreement.txt", "utf-16"),
    "copies/en_port_agreement_bom_crlf.txt": ("articles/en_port_agreement.txt", "utf-8-sig"),
    "copies/zh_textile_forum_utf16.txt": ("articles/zh_textile_forum.txt", "utf-16"),
    "copies/zh_textile_forum_gbk.txt": ("articles/zh_textile_forum.txt", "gb18030"),
    "copies/zh_textile_forum_mixed.txt": ("articles/zh_textile_forum.txt", "utf-8+gb18030"),
    "copies/zh_hant_memo_big5.txt": ("articles/zh_hant_memo.txt", "big5"),
}


def _copy_fixtures(target: Path) -> Path:
    shutil.copytree(HOSTILE, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = _copy_fixtures(tmp_path_factory.mktemp("hostile") / "corpus")
    make_fixtures.write_big_files(corpus / "big")
    (corpus / QUOTED_NAME).write_bytes(b"\x00\x01" * 200)
    return corpus


@pytest.fixture(scope="module")
def hostile_release(hostile_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-dist")
    build_release(hostile_corpus, out, version="h", limits=DEFAULT_LIMITS)
    return out / "h"


def _rejects(release: Path) -> pl.DataFrame:
    return pl.read_csv(release / "rejects.csv", infer_schema_length=0).fill_null("")


def test_big_files_have_the_sizes_the_issue_names(hostile_corpus: Path) -> None:
    assert (hostile_corpus / "big" / "huge_50mb.txt").stat().st_size == 50_000_000
    single = (hostile_corpus / "big" / "one_line_5mb.txt").read_text(encoding="utf-8")
    assert len(single) == 5_000_000 and "\n" not in single


def test_committed_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    for relative, data in make_fixtures.derived_fixtures(HOSTILE).items():
        assert (HOSTILE / relative).read_bytes() == data, f"{relative} is stale: run make_fixtures.py"


def test_the_release_completes_and_validates(hostile_release: Path) -> None:
    report = validate_path(hostile_release)
    assert report.ok, report.problems
    result = CliRunner().invoke(app, ["validate", str(hostile_release)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("source_path", sorted(EXPECTED_REJECTS))
def test_each_bad_input_has_its_precise_reason(hostile_release: Path, source_path: str) -> None:
    rejects = _rejects(hostile_release)
    rows = rejects.filter(pl.col("source_path") == source_path).rows(named=True)
    article_id, reason = EXPECTED_REJECTS[source_path]
    assert [row["article_id"] for row in rows] == [article_id], rows
    if isinstance(reason, re.Pattern):
        assert reason.fullmatch(rows[0]["reason"]), rows[0]["reason"]
    else:
        assert rows[0]["reason"] == reason


def test_nothing_is_lost(hostile_corpus: Path, hostile_release: Path) -> None:
    """Every input file is in the events table, in rejects.csv, or both (a .jsonl with good and bad lines)."""
    events = pl.read_parquet(hostile_release / "events.parquet")
    rejects = _rejects(hostile_release)
    with_events = set(events["article_id"])
    expected_ids = set(EXPECTED_ARTICLES)
    assert expected_ids <= with_events
    unexplained = with_events - expected_ids - set(EXTRACTOR_CALLS)
    assert not unexplained, f"unexpected articles gave events: {unexplained}"
    sources_with_events = {EXPECTED_ARTICLES[a][0] for a in expected_ids} | {
        path for article_id, path in EXTRACTOR_CALLS.items() if article_id in with_events}
    accounted = sources_with_events | set(rejects["source_path"])
    inputs = {p.relative_to(hostile_corpus).as_posix() for p in iter_sources(hostile_corpus)}
    assert inputs == accounted
    assert set(rejects["source_path"]) == set(EXPECTED_REJECTS) | {
        path for article_id, path in EXTRACTOR_CALLS.items() if article_id not in with_events}
    assert not (set(rejects["article_id"]) & with_events), "an article is both rejected and published"


def test_every_event_of_a_good_article_has_its_date(hostile_release: Path) -> None:
    events = pl.read_parquet(hostile_release / "events.parquet")
    for article_id, (_, date) in EXPECTED_ARTICLES.items():
        dates = set(events.filter(pl.col("article_id") == article_id)["date"])
        assert dates == {date}, (article_id, dates)


def test_absurd_and_future_dates_never_reach_the_table(hostile_release: Path) -> None:
    """Whatever the extractor makes of them, no event is dated outside [1949, publication]."""
    events = pl.read_parquet(hostile_release / "events.parquet")
    assert events["published_at"].null_count() == 0  # every undated or absurdly dated page was rejected
    assert (events["date"] >= dt.date(1949, 1, 1)).all()
    assert (events["date"] <= events["published_at"].dt.date()).all()
    assert (events["date"] <= dt.datetime.now(dt.timezone.utc).date()).all()
    for article_id in EXTRACTOR_CALLS:
        years = set(events.filter(pl.col("article_id") == article_id)["date"].dt.year())
        assert not years & {1900, 2031, 2999}, (article_id, years)


def test_good_articles_are_unaffected_by_their_hostile_neighbours(hostile_release: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    (clean / "inputs").mkdir(parents=True)
    shutil.copytree(HOSTILE / "articles", clean / "articles")
    for name in ("broken_tags_scripts.html", "Zhuhai 会见 Köln delegation.txt"):
        shutil.copy(HOSTILE / "inputs" / name, clean / "inputs" / name)
    jsonl_lines = (HOSTILE / "inputs" / "crawl.jsonl").read_text(encoding="utf-8").split("\n")
    jsonl_lines[1] = ""  # the malformed record goes; line numbers (and the id crawl-3) stay
    (clean / "inputs" / "crawl.jsonl").write_text("\n".join(jsonl_lines), encoding="utf-8")
    build_release(clean, tmp_path / "out", version="c", limits=DEFAULT_LIMITS)
    alone = pl.read_parquet(tmp_path / "out" / "c" / "events.parquet")
    assert set(alone["article_id"]) == set(EXPECTED_ARTICLES)
    among = pl.read_parquet(hostile_release / "events.parquet").filter(
        pl.col("article_id").is_in(list(EXPECTED_ARTICLES)))
    assert_frame_equal(among.sort("event_id"), alone.sort("event_id"))


def test_duplicates_give_no_duplicate_events(hostile_release: Path) -> None:
    events = pl.read_parquet(hostile_release / "events.parquet")
    assert events["event_id"].is_unique().all()
    content = ["title", "event_type", "date", "place", "evidence"]
    assert events.select(content).is_unique().all(), "the same event appears under two articles"
    copies = {Path(path).stem for path in COPIES} | {"en_port_agreement copy"}
    assert not copies & set(events["article_id"])


def _single_article(path: Path) -> Article:
    items = list(read_articles(path, path.parent, DEFAULT_LIMITS))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def _comparable_events(article: Article) -> pl.DataFrame:
    frame = events_to_frame(extract_events(article)).drop("article_id", "event_id")
    return frame.sort(frame.columns[:6])


@pytest.mark.parametrize("copy", sorted(COPIES))
def test_a_re_encoded_copy_gives_the_same_events(copy: str) -> None:
    original_path, encoding = COPIES[copy]
    original, copied = _single_article(HOSTILE / original_path), _single_article(HOSTILE / copy)
    assert copied.encoding == encoding
    assert copied.content_hash == original.content_hash
    assert (copied.title, copied.published_at, copied.source_name) == (
        original.title, original.published_at, original.source_name)
    expected = _comparable_events(original)
    assert expected.height > 0
    assert_frame_equal(_comparable_events(copied), expected)


def test_scripts_and_broken_markup_stay_out_of_the_events(hostile_release: Path) -> None:
    events = pl.read_parquet(hostile_release / "events.parquet").filter(pl.col("article_id") == "broken_tags_scripts")
    assert events.height >= 1
    text = " ".join(str(value) for row in events.iter_rows() for value in row)
    for leaked in ("Atlantis", "fake event", "document.write", "color: red", "var y", "<p>", "unterminated"):
        assert leaked not in text
    assert set(events["title"]) and all("Taiyuan" in t or "Hydrogen" in t or "hydrogen" in t
                                        for t in events["source_title"].drop_nulls())


def test_odd_file_names_survive_both_tables_and_rejects(hostile_release: Path) -> None:
    csv_ids = set(read_csv(hostile_release / "events.csv")["article_id"])
    assert "Zhuhai 会见 Köln delegation" in csv_ids
    raw = (hostile_release / "rejects.csv").read_text(encoding="utf-8-sig")
    assert '"inputs/bad, ""quoted"" name.txt","bad, ""quoted"" name",binary content (NUL bytes)' in raw


def test_non_article_files_are_ignored_not_rejected(hostile_release: Path) -> None:
    """scan.png is not an article type: it is skipped silently, while scan.txt (the same bytes) is rejected."""
    assert "inputs/scan.png" not in set(_rejects(hostile_release)["source_path"])


# --- limits --------------------------------------------------------------------------------------------------


def test_default_limits_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in LIMIT_VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    assert IngestLimits() == DEFAULT_LIMITS
    documented = (Path(__file__).parents[1] / "docs" / "limits.md").read_text(encoding="utf-8")
    for variable in LIMIT_VARIABLES.values():
        assert variable in documented
    for value in ("20,000,000", "500,000", "200,000"):
        assert value in documented


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("EVENTS_MAX_FILE_BYTES", "500", re.compile(r"file too large: 903 bytes > limit 500 bytes")),
        ("EVENTS_MAX_LINE_CHARS", "120", re.compile(r"line 8 too long: 238 characters > limit 120")),
    ],
)
def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
                                          reason: re.Pattern[str]) -> None:
    monkeypatch.setenv(variable, value)
    (item,) = read_articles(HOSTILE / "articles" / "en_port_agreement.txt", HOSTILE)
    assert isinstance(item, Reject)
    assert reason.fullmatch(item.reason), item.reason


@pytest.mark.parametrize("value", ["lots", "0", "-5", "2.5"])
def test_a_bad_limit_in_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("EVENTS_MAX_ARTICLE_CHARS", value)
    with pytest.raises(ValueError, match=f"EVENTS_MAX_ARTICLE_CHARS must be a positive whole number, got '{value}'"):
        IngestLimits()


def test_the_cli_release_honours_the_environment_limits(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["release", "--seeds", str(HOSTILE / "articles"), "--out", str(tmp_path), "--version", "lim", "-q"],
        env={"EVENTS_MAX_FILE_BYTES": "600"},
    )
    assert result.exit_code == 0, result.output
    rejects = _rejects(tmp_path / "lim")
    sizes = {p.relative_to(HOSTILE / "articles").as_posix(): p.stat().st_size
             for p in (HOSTILE / "articles").iterdir()}
    too_big = {name for name, size in sizes.items() if size > 600}
    assert too_big and set(rejects["source_path"]) == too_big
    assert all(reason.startswith("file too large: ") and reason.endswith("> limit 600 bytes")
               for reason in rejects["reason"])


def test_explicit_limits_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTS_MAX_FILE_BYTES", "10")
    (item,) = read_articles(HOSTILE / "articles" / "en_port_agreement.txt", HOSTILE, DEFAULT_LIMITS)
    assert isinstance(item, Article)


# --- event ids do not depend on where files sit or in what order they are found --------------------------------

STABLE_SOURCES = ["articles/en_port_agreement.txt", "articles/zh_textile_forum.txt", "articles/zh_hant_memo.txt",
                  "inputs/broken_tags_scripts.html", "inputs/Zhuhai 会见 Köln delegation.txt", "inputs/empty.txt"]
directory_names = st.text(alphabet=st.sampled_from(list("abz09 _-中é")), min_size=1, max_size=6).filter(
    lambda name: not name.startswith((".", " ")) and not name.endswith(" "))


@pytest.fixture(scope="module")
def stable_baseline(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    corpus = tmp_path_factory.mktemp("stable") / "corpus"
    for relative in STABLE_SOURCES:
        (corpus / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(HOSTILE / relative, corpus / relative)
    out = tmp_path_factory.mktemp("stable-out")
    build_release(corpus, out, version="base", limits=DEFAULT_LIMITS)
    return pl.read_parquet(out / "base" / "events.parquet")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(STABLE_SOURCES),
    folders=st.lists(st.lists(directory_names, max_size=3), min_size=len(STABLE_SOURCES),
                     max_size=len(STABLE_SOURCES)),
)
def test_event_ids_are_stable_under_file_placement(stable_baseline: pl.DataFrame, order: list[str],
                                                   folders: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        corpus.mkdir()
        for relative, parts in zip(order, folders, strict=True):  # written in a shuffled order, at any depth
            target = corpus.joinpath(*parts, Path(relative).name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(HOSTILE / relative, target)
        build_release(corpus, Path(scratch) / "out", version="p", limits=DEFAULT_LIMITS)
        frame = pl.read_parquet(Path(scratch) / "out" / "p" / "events.parquet")
    assert_frame_equal(frame, stable_baseline)


# --- publication dates no page can have -----------------------------------------------------------------------

EVENT_LINE = "On March 4, Harbin vice mayor Qu Wenjie met with a delegation from Busan and signed a port agreement."


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("---\npublished: 1900-01-01\n---\nHarbin meets Busan delegation\n\n" + EVENT_LINE,
         "publication date '1900-01-01' is implausible: before 1949"),
        ("Harbin Daily\n\nHarbin meets Busan delegation\n\nPublished: March 5, 1899\n\n" + EVENT_LINE,
         "publication date 'March 5, 1899' is implausible: year 1899 is outside 1970–2100"),
        ("Harbin meets Busan delegation\n\nTime: 2101-03-05\n\n" + EVENT_LINE,
         "publication date '2101-03-05' is implausible: year 2101 is outside 1970–2100"),
        ("哈尔滨日报\n\n哈尔滨市与釜山市签署港口合作协议\n\n发布时间:3021年03月05日 来源:哈尔滨日报\n\n"
         "3月4日,双方签署协议。",
         "publication date '3021年03月05日' is implausible: year 3021 is outside 1970–2100"),
    ],
)
def test_implausible_publication_dates_are_rejected(page: str, reason: str) -> None:
    result = parse_article_text(page, article_id="a", source_path="a.txt")
    assert isinstance(result, Reject) and result.reason == reason


@pytest.mark.parametrize(
    "page",
    [
        # a year in the headline or body is not a date line
        "Harbin meets Busan delegation founded in 1900\n\n2021-03-05 10:00\n\n" + EVENT_LINE,
        "Harbin Daily\n\nHarbin celebrates the 1900 charter and meets Busan\n\n" + EVENT_LINE,
        # a bad date line does not matter when the URL dates the page
        "---\nurl: https://example.gov.cn/news/2021/0305/1.html\n---\nHarbin meets Busan\n\n2999-03-05\n\n"
        + EVENT_LINE,
    ],
)
def test_plausible_pages_are_not_rejected_for_their_dates(page: str) -> None:
    result = parse_article_text(page, article_id="a", source_path="a.txt")
    assert isinstance(result, Article), result


def test_future_publication_tolerates_two_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "_today", lambda: dt.date(2024, 6, 10))
    page = "Harbin meets Busan delegation\n\n{}\n\n" + EVENT_LINE
    assert isinstance(parse_article_text(page.format("2024-06-12 23:59"), article_id="a", source_path="a"), Article)
    late = parse_article_text(page.format("2024-06-13 00:00"), article_id="a", source_path="a")
    assert isinstance(late, Reject)
    assert late.reason == "publication date '2024-06-13 00:00' is in the future (today is 2024-06-10)"


@pytest.mark.slow
def test_parallel_extraction_gives_the_same_release(hostile_corpus: Path, hostile_release: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes finish in any order; duplicates, rejects and events must not depend on it."""
    from events import engine

    monkeypatch.setattr(engine, "MIN_PARALLEL_ARTICLES", 0)
    result = build_release(hostile_corpus, tmp_path, version="h", limits=DEFAULT_LIMITS, jobs=3, cache=False)
    assert result.jobs == 3
    for name in ("events.parquet", "events.csv", "rejects.csv"):
        assert (tmp_path / "h" / name).read_bytes() == (hostile_release / name).read_bytes(), name
