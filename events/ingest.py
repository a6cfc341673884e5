"""Read article files (plain text, Markdown, HTML, JSON Lines) into ``Article`` records.

Pages arrive as scraped: a site banner, navigation, the headline, a date line, the body, then link
lists, comment forms and a footer. This stage separates that page chrome from the body (general
patterns in ``events/data/chrome_patterns.yaml``), reads the headline, the publication date-time and
the outlet from the page header, and turns every unreadable input into a ``Reject`` with a precise
reason instead of an exception.

Decisions (documented in the report and relied on by later stages):

- ``Article.text`` (the body) is the text after the header (banner, navigation, headline, date and
  source lines), without furniture lines (tool bars, counters, contact lines, photo captions, image
  file names) and without everything from the first tail section on ("推荐阅读", "Related", comment
  form, copyright footer). The headline is ``Article.title`` and is not repeated in the body unless
  the page itself repeats it.
- Photo captions ("图为…", "… 摄", "[Photo/…]") are removed from the body: they repeat the text.
- ``published_at`` is the wall-clock time the page prints (naive); a zone suffix such as "GMT+10"
  stays in ``published_text``, which holds the date expression as written (or the URL fragment).
  Precedence: front matter > the page's date line > HTML metadata > a dated dateline > the URL.
- ``source_name`` precedence: front matter > "来源:/Source:/Release:" label > the outlet printed in
  front of the date ("成都日报 2019-11-22 02:14") > site banner or wire line > a trailing
  "来源:" line > the outlet of the opening dateline > HTML site name.
- Bodies longer than ``max_article_chars`` are cut at the last paragraph boundary before the limit
  and kept (a warning is logged); a text line longer than ``max_line_chars`` rejects the file (or
  the JSON Lines record); HTML is bounded by ``max_file_bytes`` only (minified pages are one line).
- ``content_hash`` is the SHA-256 of the normalised body, so re-encoded copies hash alike.
- A file mixing UTF-8 lines with lines in a legacy encoding is decoded line by line (``utf-8+gb18030``),
  so it reads as the clean article would.
- A page whose publication date cannot be true is rejected, since its events would be dated from it: a
  date before 1949 or more than two days after today, or (when no usable date is found) a header date
  line whose year is outside 1970–2100 ("1900-03-05", "2999年6月12日").
- Limits (``IngestLimits``) default to ``EVENTS_MAX_FILE_BYTES``, ``EVENTS_MAX_ARTICLE_CHARS`` and
  ``EVENTS_MAX_LINE_CHARS`` when set; docs/limits.md lists them with every reject reason.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import hashlib
import html as html_lib
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from events import REFERENCE_YEAR
from events.schema import Article
from events.text import cjk_ratio, detect_language, normalize

log = logging.getLogger(__name__)

SOURCE_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".jsonl"})

#: non-blank lines at the top of a page searched for banner, headline, date and source lines
HEADER_LINES = 12
#: furniture patterns are only tried on lines up to this length; longer lines are body paragraphs
SHORT_LINE = 200


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that gave no article, with the reason in words a user can act on."""

    source_path: str
    article_id: str | None
    reason: str


#: environment variables that override the default limits (documented in docs/limits.md)
LIMIT_VARIABLES = {
    "max_file_bytes": "EVENTS_MAX_FILE_BYTES",
    "max_article_chars": "EVENTS_MAX_ARTICLE_CHARS",
    "max_line_chars": "EVENTS_MAX_LINE_CHARS",
}
_DEFAULT_LIMITS = {"max_file_bytes": 20_000_000, "max_article_chars": 500_000, "max_line_chars": 200_000}


def _limit_from_env(name: str) -> int:
    """The limit's environment override, else its default; a bad value fails loudly rather than silently."""
    variable = LIMIT_VARIABLES[name]
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return _DEFAULT_LIMITS[name]
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{variable} must be a positive whole number, got {raw!r}")
    return value


@dataclass(frozen=True)
class IngestLimits:
    """Size limits that keep one hostile file from exhausting memory or time (see docs/limits.md).

    Defaults come from ``EVENTS_MAX_FILE_BYTES``, ``EVENTS_MAX_ARTICLE_CHARS`` and ``EVENTS_MAX_LINE_CHARS``
    when set, so ``events release`` can be tuned without code; explicit arguments win.
    """

    #: a larger file is rejected unread ("file too large")
    max_file_bytes: int = field(default_factory=lambda: _limit_from_env("max_file_bytes"))
    #: longer bodies are cut at the last paragraph boundary before the limit (and a warning logged)
    max_article_chars: int = field(default_factory=lambda: _limit_from_env("max_article_chars"))
    #: a longer line in a .txt/.md file or a .jsonl record rejects it; HTML is exempt
    max_line_chars: int = field(default_factory=lambda: _limit_from_env("max_line_chars"))


class DecodeError(ValueError):
    """The bytes are not text in a supported encoding; the message is the reject reason."""


# ---------------------------------------------------------------------------------------------
# Files


def iter_sources(root: Path) -> list[Path]:
    """Every article file under ``root`` in a stable order (relative POSIX path); hidden entries skipped."""
    root = Path(root)
    if root.is_file():
        return [root] if root.suffix.lower() in SOURCE_SUFFIXES else []
    if not root.is_dir():
        raise FileNotFoundError(f"input directory not found: {root}")
    found: list[tuple[str, Path]] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in SOURCE_SUFFIXES:
                continue
            path = Path(directory, name)
            found.append((path.relative_to(root).as_posix(), path))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]


def ingest(root: Path, limits: IngestLimits | None = None) -> Iterator[Article | Reject]:
    """Every article (or reject) under ``root`` in file order; duplicate ids and contents are the caller's call."""
    root = Path(root)
    limits = limits or IngestLimits()
    base = root.parent if root.is_file() else root
    for path in iter_sources(root):
        yield from read_articles(path, base, limits)


def read_articles(path: Path, root: Path, limits: IngestLimits | None = None) -> Iterator[Article | Reject]:
    """The article(s) in one file: one for .txt/.md/.html, one per line for .jsonl."""
    path = Path(path)
    limits = limits or IngestLimits()
    try:
        source_path = path.relative_to(root).as_posix()
    except ValueError:
        source_path = path.as_posix()
    suffix = path.suffix.lower()
    stem_id = path.stem if suffix != ".jsonl" else None
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            yield Reject(source_path, stem_id,
                         f"file too large: {_megabytes(size)} > limit {_megabytes(limits.max_file_bytes)}")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Reject(source_path, stem_id, f"cannot read file: {exc.strerror or exc}")
        return
    try:
        if suffix == ".jsonl":
            yield from _read_jsonl(data, path.stem, source_path, limits)
        else:
            yield _read_single(data, suffix, path.stem, source_path, limits)
    except Exception as exc:  # never let one bad file stop a run; the reason names the bug
        log.exception("ingest failed on %s", source_path)
        yield Reject(source_path, stem_id, f"internal error while reading: {type(exc).__name__}: {exc}")


def _megabytes(size: int) -> str:
    """"60.2 MB", "20 MB", "2.5 kB", "900 bytes"."""
    for unit, name in ((1_000_000, "MB"), (1_000, "kB")):
        if size >= unit:
            return f"{size // unit} {name}" if size % unit == 0 else f"{size / unit:.1f} {name}"
    return f"{size} bytes"


def _read_single(data: bytes, suffix: str, stem: str, source_path: str, limits: IngestLimits) -> Article | Reject:
    if not data:
        return Reject(source_path, stem, "empty file")
    try:
        text, encoding = _decode(data, declared=_declared_charset(data) if suffix in (".html", ".htm") else None)
    except DecodeError as exc:
        return Reject(source_path, stem, str(exc))
    if not text.strip():
        return Reject(source_path, stem, "empty file (whitespace only)")
    if suffix in (".html", ".htm"):
        return _parse_html(text, article_id=stem, source_path=source_path, url=None, hints={},
                           encoding=encoding, limits=limits)
    too_long = _long_line(text, limits.max_line_chars)
    if too_long:
        return Reject(source_path, stem, too_long)
    text = normalize(text)
    if suffix == ".md":
        text = _markdown_to_text(text)
    return _parse_page(text, article_id=stem, source_path=source_path, given={}, fallback={},
                       encoding=encoding, limits=limits)


def _long_line(text: str, limit: int) -> str | None:
    if len(text) <= limit:
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > limit:
            return f"line {number} too long: {len(line):,} characters > limit {limit:,}"
    return None


_JSONL_TEXT_KEYS = ("text", "body", "content")


def _read_jsonl(data: bytes, stem: str, source_path: str, limits: IngestLimits) -> Iterator[Article | Reject]:
    if not data:
        yield Reject(source_path, None, "empty file")
        return
    try:
        text, encoding = _decode(data)
    except DecodeError as exc:
        yield Reject(source_path, None, str(exc))
        return
    if not text.strip():
        yield Reject(source_path, None, "empty file (whitespace only)")
        return
    # split on "\n" only: JSON strings may hold U+2028 and other characters str.splitlines breaks on
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        default_id = f"{stem}-{number}"
        if len(line) > limits.max_line_chars:
            yield Reject(source_path, default_id,
                         f"line {number} too long: {len(line):,} characters > limit {limits.max_line_chars:,}")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Reject(source_path, default_id,
                         f"malformed JSON on line {number}: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield Reject(source_path, default_id, f"malformed JSON on line {number}: nested too deeply")
            continue
        try:
            yield _jsonl_record(record, number, default_id, source_path, encoding, limits)
        except Exception as exc:
            log.exception("ingest failed on %s line %d", source_path, number)
            yield Reject(source_path, default_id,
                         f"internal error on line {number}: {type(exc).__name__}: {exc}")


def _jsonl_record(record: Any, number: int, default_id: str, source_path: str, encoding: str,
                  limits: IngestLimits) -> Article | Reject:
    if not isinstance(record, dict):
        return Reject(source_path, default_id,
                      f"line {number}: expected a JSON object, got {_json_type(record)}")
    raw_id = record.get("id")
    article_id = str(raw_id).strip() if raw_id not in (None, "") and not isinstance(raw_id, (dict, list)) else ""
    article_id = article_id or default_id
    given = {key: record[key] for key in ("url", "title", "published", "source_name") if record.get(key)}
    url = given.get("url") if isinstance(given.get("url"), str) else None
    body = next((record[key] for key in _JSONL_TEXT_KEYS if isinstance(record.get(key), str)), None)
    if body is not None and body.strip():
        return _parse_page(normalize(body), article_id=article_id, source_path=source_path, given=given,
                           fallback={}, encoding=encoding, limits=limits, with_front_matter=False)
    markup = record.get("html")
    if isinstance(markup, str) and markup.strip():
        return _parse_html(markup, article_id=article_id, source_path=source_path, url=url, hints=given,
                           encoding=encoding, limits=limits)
    return Reject(source_path, article_id, f"line {number}: record has no non-empty 'text' or 'html' string")


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__)


# ---------------------------------------------------------------------------------------------
# Bytes to text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b\x08", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (legacy Word/Excel)"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM video"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
)
_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# legacy encodings tried (through charset-normalizer) when the bytes are not UTF-8
_LEGACY = ("gb18030", "big5", "cp1252")
_CANONICAL_ENCODING = {
    "gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "gb18030": "gb18030", "cp936": "gb18030",
    "euc_cn": "gb18030", "big5": "big5", "big5hkscs": "big5", "cp950": "big5", "cp1252": "cp1252",
    "windows_1252": "cp1252", "utf_8": "utf-8", "utf8": "utf-8", "utf-8": "utf-8",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_TRIED = "tried utf-8, utf-16/32 (BOM), " + ", ".join(_LEGACY)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with; raises ``DecodeError`` whose message is a reject reason.

    Strict UTF-8 first (BOM or not), then UTF-16/32 by BOM (or BOM-less when mostly ASCII), then the
    legacy CJK/Western encodings ranked by charset-normalizer; GBK/GB2312 are read as GB18030, their
    superset.
    """
    return _decode(data)


def _decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    if not data:
        return "", "utf-8"
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding)), "utf-8-sig" if encoding == "utf-8-sig" else encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(f"undecodable bytes ({encoding} byte-order mark, but {exc.reason} "
                                  f"at byte {exc.start})") from None
    kind = _binary_kind(data)
    if kind:
        raise DecodeError(f"binary content ({kind})")
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise DecodeError("binary content (NUL bytes)")
        return utf16
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    if declared:
        name = _CANONICAL_ENCODING.get(declared.lower().replace("-", "_"), declared.lower())
        try:
            return _checked(data.decode(name)), name
        except (UnicodeDecodeError, LookupError):
            pass
    return _decode_legacy(data)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    import charset_normalizer

    candidates = [name for name in _LEGACY if _decodes(data, name)]
    if not candidates:
        raise DecodeError(f"undecodable bytes ({_TRIED})")
    if len(candidates) == 1:
        best = candidates[0]
    else:
        match = charset_normalizer.from_bytes(data, cp_isolation=list(candidates)).best()
        best = _CANONICAL_ENCODING.get(match.encoding, match.encoding) if match else candidates[0]
        if best not in candidates:
            best = candidates[0]
    return _checked(data.decode(best)), best


#: a line counts as UTF-8 evidence only with this many non-ASCII characters: legacy CJK bytes almost never
#: form that much valid UTF-8 by chance, so a pure GBK or Big5 file is not mistaken for a mixed one
_MIXED_MIN_UTF8_CHARS = 4


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """Text pasted together from UTF-8 and a legacy encoding, decoded line by line; None when not mixed.

    Decoding the whole file with either encoding would garble the other part (or fail), so the UTF-8
    lines stay UTF-8 and the others are read with the legacy encoding that suits all of them together.
    """
    lines = data.split(b"\n")
    decoded: list[str | None] = []
    legacy_lines: list[int] = []
    utf8_evidence = False
    for number, line in enumerate(lines):
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            decoded.append(None)
            legacy_lines.append(number)
            continue
        decoded.append(text)
        utf8_evidence = utf8_evidence or sum(1 for char in text if ord(char) > 0x7F) >= _MIXED_MIN_UTF8_CHARS
    if not utf8_evidence or not legacy_lines:
        return None
    try:
        legacy_text, legacy = _decode_legacy(b"\n".join(lines[number] for number in legacy_lines))
    except DecodeError:
        return None
    legacy_decoded = legacy_text.split("\n")
    if len(legacy_decoded) != len(legacy_lines):
        return None
    for number, text in zip(legacy_lines, legacy_decoded, strict=True):
        decoded[number] = text
    log.warning("mixed encodings: %d line(s) UTF-8, %d line(s) %s", len(lines) - len(legacy_lines),
                len(legacy_lines), legacy)
    return _checked("\n".join(text or "" for text in decoded)), f"utf-8+{legacy}"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _checked(text: str) -> str:
    controls = len(_CONTROL.findall(text))
    if controls > 2 and controls > 0.01 * len(text):
        raise DecodeError(f"binary content ({100 * controls / len(text):.1f}% control characters)")
    return text


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[data[8:12]]
    if data[4:8] == b"ftyp":
        return "MP4/QuickTime media"
    if data.startswith(b"ID3") and data[3:4] in (b"\x02", b"\x03", b"\x04"):
        return "MP3 audio"
    return None


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark is recognisable when ASCII characters leave NULs on one side."""
    sample = data[:4096]
    half = max(1, len(sample) // 2)
    odd_nuls = sample[1::2].count(0) / half
    even_nuls = sample[0::2].count(0) / half
    for encoding, ratio in (("utf-16-le", odd_nuls), ("utf-16-be", even_nuls)):
        if ratio > 0.3 and len(data) % 2 == 0:
            try:
                return _checked(data.decode(encoding)), encoding
            except (UnicodeDecodeError, DecodeError):
                return None
    return None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


# ---------------------------------------------------------------------------------------------
# Patterns


@dataclass(frozen=True)
class _Patterns:
    furniture: _LineMatcher
    meta_table: _LineMatcher
    breadcrumb: _LineMatcher
    toolbar: re.Pattern[str]
    toolbar_en: frozenset[str]
    toolbar_zh: re.Pattern[str]
    tail_headings: frozenset[str]
    tail_prefix: _LineMatcher
    footer: _LineMatcher
    caption: _LineMatcher
    banner: _LineMatcher
    section_label: _LineMatcher
    wires: frozenset[str]
    source_value: re.Pattern[str]
    date_label_end: re.Pattern[str]
    date_label_start: re.Pattern[str]
    field_stop: re.Pattern[str]
    #: every category ``_line_kind`` tries, in one matcher: most lines match none, and one test rules all out
    any_chrome: _LineMatcher


class _LineMatcher:
    """One category of line patterns, matched as cheaply as the YAML lets us.

    Python's ``re`` tries every position for an alternation even when each branch starts with ``^``,
    so anchored patterns are matched at the line start only; unanchored ones may name substrings a
    line must hold before the regex is tried, and plain substrings need no regex at all.
    """

    def __init__(self, entries: list[Any]):
        anchored: list[str] = []
        floating: list[str] = []
        guarded: list[tuple[tuple[str, ...], re.Pattern[str]]] = []
        contains: list[str] = []
        for entry in entries:
            if isinstance(entry, dict) and "contains" in entry:
                contains.extend(str(s).casefold() for s in entry["contains"])
            elif isinstance(entry, dict):
                needles = tuple(str(s).casefold() for s in entry["requires"])
                guarded.append((needles, re.compile(entry["pattern"], re.IGNORECASE)))
            elif entry.startswith("^"):
                anchored.append(entry[1:])
            else:
                floating.append(entry)
        self._anchored = re.compile("|".join(f"(?:{p})" for p in anchored), re.I) if anchored else None
        self._floating = re.compile("|".join(f"(?:{p})" for p in floating), re.I) if floating else None
        self._guarded = guarded
        self._contains = tuple(contains)
        # every substring a contains-entry or a guard names: a line holding none of them skips both loops
        self._substrings = tuple(dict.fromkeys([*contains, *(n for needles, _ in guarded for n in needles)]))

    def hits(self, line: str) -> bool:
        if self._anchored is not None and self._anchored.match(line):
            return True
        if self._floating is not None and self._floating.search(line):
            return True
        if self._substrings:
            folded = line.casefold()
            if not any(needle in folded for needle in self._substrings):
                return False
            if any(needle in folded for needle in self._contains):
                return True
            for needles, pattern in self._guarded:
                if any(needle in folded for needle in needles) and pattern.search(line):
                    return True
        return False


def _words(words: list[str]) -> str:
    """Literal labels, longest first, as one alternation."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


@cache
def _patterns() -> _Patterns:
    raw = resources.files("events").joinpath("data/chrome_patterns.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    toolbar_en = _words(data["toolbar_words"]["en"])
    toolbar_zh = _words(data["toolbar_words"]["zh"])
    source_labels = _words(data["source_labels"])
    date_labels = _words(data["date_labels"])
    field_labels = _words(data["field_labels"])
    tails = {_heading_key(h) for group in data["tail_headings"].values() for h in group}
    return _Patterns(
        furniture=_LineMatcher(data["furniture"]),
        meta_table=_LineMatcher(data["meta_table"]),
        breadcrumb=_LineMatcher(data["breadcrumb"]),
        toolbar=re.compile(rf"(?<![A-Za-z])(?:{toolbar_en})(?![A-Za-z])|{toolbar_zh}", re.IGNORECASE),
        toolbar_en=frozenset(w.casefold() for phrase in data["toolbar_words"]["en"] for w in phrase.split()),
        toolbar_zh=re.compile(f"(?:{toolbar_zh})+", re.IGNORECASE),
        tail_headings=frozenset(tails),
        tail_prefix=_LineMatcher(data["tail_prefixes"]),
        footer=_LineMatcher(data["footer"]),
        caption=_LineMatcher(data["captions"]),
        banner=_LineMatcher(data["banner"]),
        section_label=_LineMatcher(data["section_label"]),
        wires=frozenset(w.casefold() for w in data["wire_services"]),
        source_value=re.compile(rf"(?<![A-Za-z])(?:{source_labels})\s*[:：]\s*(?P<value>.*)", re.IGNORECASE),
        date_label_end=re.compile(rf"(?<![A-Za-z])(?:{date_labels})\s*[:：]?\s*[【\[(]?\s*$", re.IGNORECASE),
        date_label_start=re.compile(rf"(?<![A-Za-z])(?:{date_labels})\s*[:：]?", re.IGNORECASE),
        field_stop=re.compile(rf"\s{{2,}}|[|【】\[\]]|(?<![A-Za-z])(?:{field_labels})\s*[:：]", re.IGNORECASE),
        any_chrome=_LineMatcher([entry for name in ("tail_prefixes", "footer", "furniture", "meta_table", "breadcrumb",
                                                    "captions") for entry in data[name]]),
    )


_HEADING_STRIP = re.compile(r"[\s【】\[\]()（）<>《》「」:：|·•>»›\-—_=*#]+|(?:更多|more)$", re.IGNORECASE)


def _heading_key(line: str) -> str:
    return _HEADING_STRIP.sub("", line).casefold()


# ---------------------------------------------------------------------------------------------
# Dates (private stand-ins for events.dates with the same contract; to be deduplicated later)

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_TIME = (r"(?:\s*,?\s*(?:at\s+)?|T)(?P<H>[01]?\d|2[0-3])[:：时](?P<M>[0-5]\d)分?(?:[:：](?P<S>[0-5]\d)秒?)?"
         r"(?:\s*(?P<ampm>[ap]\.?m\.?)(?![a-z]))?")
_ZONE = r"(?:\s*(?:GMT|UTC)\s*[+-]\d{1,2}(?::?\d{2})?|\s*[+-]\d{2}:\d{2}|\s*(?:GMT|UTC|BJT|CST|SGT|HKT)\b)?"
_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE_FORMS = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})"
               rf"(?!\d)\s*日?(?:{_TIME})?{_ZONE}", re.IGNORECASE),
    re.compile(rf"(?<![\w])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}\s*,?\s*(?P<y>(?:19|20)\d{{2}})(?!\d)"
               rf"(?:{_TIME})?{_ZONE}", re.IGNORECASE),
    re.compile(rf"(?<![\w]){_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y>(?:19|20)\d{{2}})(?!\d)"
               rf"(?:{_TIME})?{_ZONE}", re.IGNORECASE),
)


@dataclass(frozen=True, slots=True)
class _DateHit:
    value: dt.datetime
    start: int
    end: int
    has_time: bool


def _search_datetime(line: str) -> _DateHit | None:
    if "19" not in line and "20" not in line:
        return None  # every form holds a year 19xx/20xx; most header lines hold none
    best: _DateHit | None = None
    for form in _DATE_FORMS:
        for match in form.finditer(line):
            hit = _date_hit(match)
            if hit is not None:
                if best is None or hit.start < best.start:
                    best = hit
                break
    return best


def _date_hit(match: re.Match[str]) -> _DateHit | None:
    groups = match.groupdict()
    month = int(groups["m"]) if groups.get("m") else _MONTHS[groups["mon"][:3].lower()]
    hour = int(groups["H"]) if groups.get("H") else 0
    ampm = (groups.get("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    try:
        value = dt.datetime(int(groups["y"]), month, int(groups["d"]), hour, int(groups.get("M") or 0),
                            int(groups.get("S") or 0))
    except ValueError:
        return None
    if not 1970 <= value.year <= 2100:
        return None
    return _DateHit(value, match.start(), match.end(), groups.get("H") is not None)


def _parse_datetime_line(line: str) -> tuple[dt.datetime, str] | None:
    """The first date(-time) written in a page's date line, and the text it was read from."""
    hit = _search_datetime(line)
    return (hit.value, line[hit.start : hit.end].strip()) if hit else None


_URL_FULL_DATES = (
    re.compile(r"/t(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})_"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-_/](?P<m>\d{1,2})[-_/](?P<d>\d{1,2})(?=[/_.-]|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})/(?P<d>\d{2})(?=/)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{2})(?P<d>\d{2})(?=/)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})-?(?P<m>\d{2})-?(?P<d>\d{2})(?=[/_.]|$)"),
)
#: a ten-digit article id that starts with the day it was filed (yymmdd + a 4-digit counter: /1908280968/); tried
#: last, and only when the six digits are a real date no later than the reference year
_URL_COMPACT_ID = re.compile(r"/(?P<y>[012]\d)(?P<m>[01]\d)(?P<d>[0-3]\d)\d{4}(?=[/.]|$)")
_URL_PARTIAL_DATES = (
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-_]?(?P<m>\d{2})(?=/)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})(?=/)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?=/)"),
)


def _url_path(url: str) -> str:
    return re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", url.strip(), flags=re.I).split("#", 1)[0]


def _date_from_url(url: str) -> dt.date | None:
    """The publication date a URL carries (/201812/t20181206_…, /2019-11-22/, /art/2024/9/20/, …)."""
    found = _url_date(url)
    return found[0] if found else None


def _url_date(url: str) -> tuple[dt.date, str] | None:
    path = _url_path(url)
    for pattern in _URL_FULL_DATES:
        for match in pattern.finditer(path):
            try:
                value = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
            if 1990 <= value.year <= 2100:
                return value, match.group(0).strip("/_")
    compact = _URL_COMPACT_ID.search(path)
    if compact:
        try:
            value = dt.date(2000 + int(compact["y"]), int(compact["m"]), int(compact["d"]))
        except ValueError:
            return None
        if value.year <= REFERENCE_YEAR:
            return value, compact.group(0).strip("/")
    return None


def _url_year_month(url: str) -> tuple[int, int | None] | None:
    """Year (and month) from a URL that carries no full date (/201911/9905581.html)."""
    path = _url_path(url)
    for pattern in _URL_PARTIAL_DATES:
        match = pattern.search(path)
        if match:
            year = int(match["y"])
            month = int(match["m"]) if "m" in match.groupdict() and match["m"] else None
            if 1990 <= year <= 2100 and (month is None or 1 <= month <= 12):
                return year, month
    return None


# ---------------------------------------------------------------------------------------------
# Front matter and markup


_FRONT_MATTER = re.compile(r"\A\n*---[ \t]*\n(?P<body>.{0,20000}?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
_FRONT_KEYS = {
    "url": "url", "source_url": "url", "link": "url", "canonical_url": "url",
    "title": "title", "headline": "title",
    "published": "published", "published_at": "published", "date": "published", "pubdate": "published",
    "publish_date": "published",
    "source_name": "source_name", "source": "source_name", "site_name": "source_name", "site": "source_name",
    "publisher": "source_name", "outlet": "source_name",
}


def _simple_front_matter(block: str) -> dict[str, str] | None:
    """Flat ``key: value`` blocks without YAML's cost (about 0.1 ms per block); None when YAML is needed."""
    data: dict[str, str] = {}
    for line in block.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pair = _FRONT_LINE.match(line)
        if not pair:
            return None
        value = pair["value"].strip()
        if value[:1] in ("[", "{", "|", ">", "&", "*", "!") or " #" in value:
            return None
        data[pair["key"]] = _unquote(value)
    return data


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, rest) for text opening with a ``---`` block; keys mapped to url/title/published/source_name."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    block = match.group("body") or ""
    data: Any = _simple_front_matter(block)
    if data is None:
        try:
            data = yaml.safe_load(block)
        except yaml.YAMLError:
            data = None
    if not isinstance(data, dict):
        data = {}
        for line in block.split("\n"):
            pair = _FRONT_LINE.match(line.strip())
            if pair:
                data[pair["key"]] = _unquote(pair["value"].strip())
    front: dict[str, Any] = {}
    for key, value in data.items():
        canonical = _FRONT_KEYS.get(str(key).strip().lower())
        if canonical and value not in (None, "") and canonical not in front:
            front[canonical] = value
    return front, text[match.end() :]


_MD_DROP = re.compile(r"^(?:```.*|~~~.*|(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,}|\[[^\]]+\]:\s+\S+.*)$")
_MD_HEADING = re.compile(r"^#{1,6}\s+|\s+#+$")
_MD_QUOTE = re.compile(r"^(?:>\s?)+")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<![\w_])_(?=\S))(.+?)(?<=\S)\1(?![\w*])|`([^`]+)`")
_MD_LIST = re.compile(r"^(?:[-*+]\s+)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _markdown_to_text(text: str) -> str:
    """Markdown to plain lines: markup goes, text and line structure stay (front matter kept)."""
    front = _FRONT_MATTER.match(text)
    head, rest = (text[: front.end()], text[front.end() :]) if front else ("", text)
    lines = []
    for line in rest.split("\n"):
        if _MD_DROP.match(line.strip()):
            lines.append("")
            continue
        line = _MD_HEADING.sub("", line)
        line = _MD_QUOTE.sub("", line)
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", line)
        line = _MD_LIST.sub("", line)
        line = _TAG.sub("", line)
        lines.append(line.strip())
    return head + "\n".join(lines)


class _TextFromHtml(HTMLParser):
    """Visible text with block elements on their own lines; the fallback when trafilatura gives nothing."""

    _BLOCK = frozenset({
        "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "header", "footer", "nav", "aside", "blockquote", "pre", "dd", "dt", "dl",
        "figure", "figcaption", "form", "hr", "title", "main", "center",
    })
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = tag == "title"  # a title holds no tags: any tag ends an unclosed one
        if tag in self._SKIP:
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def _strip_tags(markup: str) -> tuple[str, str]:
    parser = _TextFromHtml()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # html.parser is lenient, but a broken document must not stop the run
        text = html_lib.unescape(_TAG.sub("\n", re.sub(r"(?is)<(script|style)\b.*?</\1>", "", markup)))
        return text, ""
    return "".join(parser.parts), " ".join("".join(parser.title).split())


def _parse_html(markup: str, *, article_id: str, source_path: str, url: str | None, hints: dict[str, Any],
                encoding: str | None, limits: IngestLimits) -> Article | Reject:
    """Main text and metadata by trafilatura; tag stripping plus the text rules when it finds nothing."""
    meta: dict[str, Any] = {}
    text = ""
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            markup, url=url, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params={"extensive_search": True, "original_date": True,
                                    "outputformat": "%Y-%m-%d %H:%M:%S"},
        )
        if doc is not None:
            meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
            text = meta.get("text") or ""
    except Exception as exc:  # malformed markup: fall back to plain tag stripping below
        log.debug("trafilatura failed on %s: %s", source_path, exc)
    given = dict(hints)
    fallback: dict[str, Any] = {}
    if meta.get("date"):
        fallback["published"] = meta["date"]
    if meta.get("sitename"):
        fallback["source_name"] = meta["sitename"]
    if meta.get("url") and "url" not in given:
        given["url"] = meta["url"]
    if len(text.strip()) >= 50:
        if meta.get("title") and "title" not in given:
            given["title"] = _clean_html_title(str(meta["title"]), meta.get("sitename"))
        page = normalize(text)
    else:
        stripped, html_title = _strip_tags(markup)
        page = normalize(stripped)
        if html_title:
            fallback["title"] = _clean_html_title(html_title, meta.get("sitename"))
        if meta.get("title") and "title" not in given:
            fallback["title"] = _clean_html_title(str(meta["title"]), meta.get("sitename"))
    if not page.strip():
        return Reject(source_path, article_id, "no text in HTML")
    return _parse_page(page, article_id=article_id, source_path=source_path, given=given, fallback=fallback,
                       encoding=encoding, limits=limits, with_front_matter=False)


_TRAILING_TITLE_PART = re.compile(r"^(?P<head>.*\S)\s*(?:\s[-–—]\s|\||｜)\s*(?P<tail>[^|｜]+)$")


def _clean_html_title(title: str, sitename: Any) -> str:
    """Drop trailing site and section names: "标题_栏目_某某网", "Headline - Site | Section"."""
    title = " ".join(normalize(title).split())
    if "_" in title and len(title.split("_", 1)[0].strip()) >= 6:
        return title.split("_", 1)[0].strip()
    site = str(sitename or "").casefold().strip()
    banner = _patterns().banner
    while True:
        match = _TRAILING_TITLE_PART.match(title)
        if not match:
            return title
        tail = match["tail"].strip().casefold()
        if not (tail == site or (site and site in tail) or banner.hits(tail) or len(tail.split()) <= 2):
            return title
        title = match["head"]


# ---------------------------------------------------------------------------------------------
# Page text to article


def parse_article_text(text: str, *, article_id: str, source_path: str, front_matter: dict[str, Any] | None = None,
                       url: str | None = None) -> Article | Reject:
    """An article from page text as scraped; given front matter (and a leading ``---`` block) wins."""
    given = dict(front_matter or {})
    if url and "url" not in given:
        given["url"] = url
    return _parse_page(normalize(text), article_id=article_id, source_path=source_path, given=given,
                       fallback={}, encoding=None, limits=IngestLimits())


_BLANK, _BODY, _FURNITURE, _TAIL, _FOOTER = range(5)


@dataclass
class _Header:
    title: str | None = None
    published: tuple[dt.datetime, str] | None = None
    source_label: str | None = None
    source_prefix: str | None = None
    source_banner: str | None = None
    body_start: int = 0
    #: a line above the headline that holds only a year-less day ("7月19日上午"): it dates the body
    day_line: str | None = None
    #: every date line of the header, in order
    dates: list[tuple[dt.datetime, str]] = field(default_factory=list)


def _parse_page(text: str, *, article_id: str, source_path: str, given: dict[str, Any], fallback: dict[str, Any],
                encoding: str | None, limits: IngestLimits, with_front_matter: bool = True) -> Article | Reject:
    """``text`` is already normalised."""
    given = {key: value for key, value in given.items() if value not in (None, "")}
    if with_front_matter:
        front, text = split_front_matter(text)
        given = {**front, **given}
    patterns = _patterns()
    lines = text.split("\n")
    kinds = [_line_kind(line, patterns) for line in lines]
    given_title = _clean_title(str(given["title"])) if given.get("title") else None
    header = _read_header(lines, kinds, patterns, given_title)
    body_lines, trailing_source = _body_lines(lines, kinds, header.body_start, patterns)
    if header.day_line is not None and body_lines:
        body_lines = [header.day_line, *body_lines]
    body = _join_paragraphs(body_lines)
    if not body:
        return Reject(source_path, article_id, "no text after removing page chrome")
    if len(body) > limits.max_article_chars:
        cut = body.rfind("\n", 0, limits.max_article_chars + 1)
        cut = cut if cut > limits.max_article_chars // 2 else limits.max_article_chars
        log.warning("%s: body of %d characters cut to %d (max_article_chars)", source_path, len(body), cut)
        body = body[:cut].rstrip()
    opening = _opening_line(body)
    dateline = _dateline(opening)

    url = str(given["url"]).strip() if isinstance(given.get("url"), str) else None
    published_at, published_text = _choose_published(given, header, fallback, dateline, url)
    implausible = (_implausible_publication(published_at, published_text) if published_at is not None
                   else _unreadable_date_line(lines, kinds, patterns))
    if implausible:
        return Reject(source_path, article_id, implausible)
    source_name = _first_text(
        given.get("source_name"), header.source_label, header.source_prefix, header.source_banner,
        trailing_source, dateline.source if dateline else None, fallback.get("source_name"),
    )
    title = given_title or header.title or (_clean_title(str(fallback["title"])) if fallback.get("title") else None)
    return Article(
        article_id=article_id,
        source_path=source_path,
        text=body,
        title=title,
        published_at=published_at,
        published_text=published_text,
        source_name=source_name,
        source_url=url,
        language=detect_language(body),
        content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        encoding=encoding,
    )


def _first_text(*values: Any) -> str | None:
    for value in values:
        if value is not None and str(value).strip():
            return " ".join(str(value).split())
    return None


def _clean_title(title: str) -> str:
    return " ".join(title.split()).strip("【】[] ")


def _opening_line(body: str) -> str:
    for line in body.split("\n", 3):
        if line.strip():
            return line
    return ""


# ---- line classification -------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[·•▪►▸■□◆◇●○★☆\-*+]|\d{1,2}[.、)）](?!\d)|[(（]\d{1,2}[)）])\s*")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_LETTER_OR_CJK = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"[。！？!?；;:：…]$|(?<![A-Z])(?<!Co)(?<!Ltd)(?<!Inc)(?<!Corp)(?<!Jr)(?<!Sr)(?<!Bros)\.$")
_MENU_SEPARATORS = re.compile(r"\s*(?:\||｜|·|•)\s*")
_ZH_MENU = re.compile(r"^(?:[\u4e00-\u9fff]{2,6}\s+){3,}[\u4e00-\u9fff]{2,6}$")
_NON_WORD = re.compile(r"[\W_]+")


def _line_kind(line: str, p: _Patterns) -> int:
    if not line:
        return _BLANK
    if len(line) > SHORT_LINE:
        return _BODY
    if not p.any_chrome.hits(line):  # the categories below are then all misses
        if len(line) <= 40 and _heading_key(line) in p.tail_headings:
            return _TAIL
        return _FURNITURE if _is_toolbar(line, p) or _is_menu(line) or _is_crumb_trail(line) else _BODY
    if p.tail_prefix.hits(line) or (len(line) <= 40 and _heading_key(line) in p.tail_headings):
        return _TAIL
    if p.footer.hits(line):
        return _FOOTER
    if (p.furniture.hits(line) or p.meta_table.hits(line) or p.breadcrumb.hits(line)
            or p.caption.hits(line) or _is_toolbar(line, p) or _is_menu(line) or _is_crumb_trail(line)):
        return _FURNITURE
    return _BODY


_TOOLBAR_TOKEN = re.compile(r"[A-Za-z]+|[\u4e00-\u9fff]+|\d+")


def _is_toolbar(line: str, p: _Patterns) -> bool:
    """Only tool-bar words between the brackets and punctuation ("Size:【 Big Middle Small 】 Print")."""
    if len(line) > 60:
        return False
    tokens = _TOOLBAR_TOKEN.findall(line)
    return bool(tokens) and all(
        token.casefold() in p.toolbar_en or p.toolbar_zh.fullmatch(token) is not None for token in tokens)


def _is_menu(line: str) -> bool:
    """A row of short link texts: "新闻|经济|文娱|体育" or "首页 新闻 政务 服务 互动"."""
    if "|" in line or "·" in line or "•" in line:
        items = [item for item in _MENU_SEPARATORS.split(line) if item]
        enough = 3 if "|" in line else 4
        if len(items) >= enough and all(len(item) <= 24 for item in items):
            return True
    return bool(_ZH_MENU.match(line))


_CRUMB_SEPARATOR = re.compile(r"\s*(?:>>|>|»|›|→)\s*")


def _is_crumb_trail(line: str) -> bool:
    """"A > B > C" with short items."""
    if ">" not in line and "»" not in line and "›" not in line and "→" not in line:
        return False  # no separator: one item
    items = _CRUMB_SEPARATOR.split(line)
    return len(items) >= 3 and all(len(item) <= 30 for item in items) and sum(1 for i in items if i) >= 2


# ---- header -----------------------------------------------------------------------------------


def _read_header(lines: list[str], kinds: list[int], p: _Patterns, given_title: str | None) -> _Header:
    header = _Header()
    seen = 0
    index = 0
    content_lines = 0
    skipping_list = False
    title_done = False
    while index < len(lines) and seen < HEADER_LINES:
        line, kind = lines[index], kinds[index]
        if kind == _BLANK:
            skipping_list = False
            index += 1
            continue
        seen += 1
        if len(line) <= SHORT_LINE and not p.meta_table.hits(line):
            date_line = _header_date(line, p)
            if date_line is not None:
                when, written, source_label, prefix = date_line
                if header.published is None:
                    header.published = (when, written)
                header.dates.append((when, written))
                header.source_label = header.source_label or source_label
                header.source_prefix = header.source_prefix or prefix
                index += 1
                continue
            label = _source_line(line, p)
            if label is not None:
                header.source_label = header.source_label or label
                index += 1
                continue
        if kind in (_FURNITURE, _FOOTER):
            index += 1
            continue
        if kind == _TAIL:
            skipping_list = True
            index += 1
            continue
        if skipping_list and not _is_paragraph(line):
            index += 1
            continue
        skipping_list = False
        content_lines += 1
        if content_lines == 1 and header.title is None and _is_banner(line, p):
            header.source_banner = line
            index += 1
            continue
        if line.casefold() in p.wires and len(line) <= 40:
            header.source_banner = header.source_banner or line
            index += 1
            continue
        if not title_done:
            if given_title is not None:
                if _similar(line, given_title):
                    title_done = True
                    index += 1
                    continue
                if not _is_paragraph(line) and (not _is_title_like(line) or _date_follows(lines, kinds, index, p)):
                    index += 1
                    continue
                break
            if _is_title_like(line) and not _BULLET.match(line) and not _is_section_label(line, p):
                header.title = _clean_title(line)
                title_done = True
                index += 1
                continue
            if _is_paragraph(line) or (_BULLET.match(line) and len(line) > 60):
                break
            if header.day_line is None and _DAY_ONLY_LINE.match(line):
                header.day_line = line
            index += 1  # a section label or a list item above the headline
            continue
        if header.title is not None and line == header.title:
            index += 1
            continue
        if header.published is None and not _is_paragraph(line) and _date_follows(lines, kinds, index, p):
            index += 1  # a subtitle or byline between headline and date line
            continue
        break
    header.body_start = index
    return header


_DAY_ONLY_LINE = re.compile(
    r"^(?:\d{1,2}\s*月\s*\d{1,2}\s*[日号](?:上午|下午|晚上|晚|早上|中午)?"
    r"|(?:On\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?)[,.，。:：]?$"
)


def _date_follows(lines: list[str], kinds: list[int], index: int, p: _Patterns) -> bool:
    """A date line within the next two non-blank lines."""
    checked = 0
    for later in range(index + 1, min(len(lines), index + 8)):
        if kinds[later] == _BLANK:
            continue
        if _header_date(lines[later], p) is not None:
            return True
        checked += 1
        if checked == 2:
            break
    return False


def _is_title_like(line: str) -> bool:
    if _SENTENCE_END.search(line):
        return False
    cjk = len(_CJK_CHAR.findall(line))
    if cjk and cjk_ratio(line) > 0.3:
        longest = max(len(_CJK_CHAR.findall(part)) for part in line.split())
        return longest >= 6 and cjk <= 80
    words = line.split()
    if len(words) == 3:  # "Xi meets Biden" is a headline, "Exhibition News Center" a section label
        return any(word[:1].islower() for word in words[1:])
    return len(words) >= 4 and len(line) <= 250


def _is_paragraph(line: str) -> bool:
    if _SENTENCE_END.search(line):
        return True
    cjk = len(_CJK_CHAR.findall(line))
    return cjk > 80 if cjk and cjk_ratio(line) > 0.3 else len(line) > 250


def _is_section_label(line: str, p: _Patterns) -> bool:
    return len(line.split()) <= 5 and p.section_label.hits(line)


def _is_banner(line: str, p: _Patterns) -> bool:
    return len(line) <= 80 and not _SENTENCE_END.search(line) and p.banner.hits(line)


_COMPARABLE = re.compile(r"[\W_]+")


def _similar(line: str, title: str) -> bool:
    a, b = _COMPARABLE.sub("", line).casefold(), _COMPARABLE.sub("", title).casefold()
    if not a or not b:
        return False
    if a in b or b in a:
        return min(len(a), len(b)) >= 0.6 * max(len(a), len(b))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8


def _header_date(line: str, p: _Patterns) -> tuple[dt.datetime, str, str | None, str | None] | None:
    """(datetime, date as written, labelled source, outlet printed before the date) for a date line."""
    hit = _search_datetime(line)
    if hit is None:
        return None
    before, after = line[: hit.start], line[hit.end :]
    labelled = p.date_label_end.search(before) is not None
    bracketed = before.rstrip().endswith(("【", "[")) and after.lstrip().startswith(("】", "]"))
    source_label = _source_value(line, p)
    if not (labelled or bracketed):
        rest = before + " " + after
        if source_label:
            rest = rest.replace(source_label, " ")
        rest = p.date_label_start.sub(" ", p.source_value.sub(" ", rest))
        rest = p.toolbar.sub(" ", rest)
        letters = len(_LETTER_OR_CJK.findall(rest))
        if _SENTENCE_END.search(line.rstrip()) and letters > 4:
            return None
        if letters > 12 and not (hit.has_time and letters <= 30):
            return None
    prefix = _outlet_before(before, p)
    return hit.value, line[hit.start : hit.end].strip(), source_label, prefix


_OUTLET_TRIM = re.compile(r"^[\s|【】\[\]\-—–·:：,]+|[\s|【】\[\]\-—–·:：,]+$")


def _trim_outlet(text: str) -> str:
    """Separators and unbalanced or enclosing brackets off an outlet name; "(chinadaily.com.cn)|" -> name."""
    text = _OUTLET_TRIM.sub("", text)
    for opening, closing in (("(", ")"), ("（", "）")):
        if text.startswith(opening) and text.endswith(closing):
            text = text[1:-1].strip()
        if text.count(opening) < text.count(closing) and text.endswith(closing):
            text = text[:-1].rstrip()
        if text.count(opening) > text.count(closing) and text.startswith(opening):
            text = text[1:].lstrip()
    return _OUTLET_TRIM.sub("", text)


_BYLINE = re.compile(r"(by|author|reporter|writer|作者|记者|文|编辑|通讯员)\b|(作者|记者|编辑|通讯员)", re.I)


def _outlet_before(before: str, p: _Patterns) -> str | None:
    """The outlet printed ahead of a date: "成都日报 2019-…", "chinadaily.com.cn | Updated: …"."""
    label = p.date_label_start.search(before)
    head = before[: label.start()] if label else before
    segments = [seg for seg in re.split(r"\s*[|｜]\s*", head) if _LETTER_OR_CJK.search(seg)]
    segments = [seg for seg in segments if not _BYLINE.match(seg.strip(" ()（）"))]
    head = segments[-1] if segments else ""
    head = _trim_outlet(re.sub(r"https?://(www\.)?", "", head))
    head = _trim_outlet(head.rstrip("/"))
    if not head or ":" in head or "：" in head or len(head) > 40 or not _LETTER_OR_CJK.search(head):
        return None
    if p.source_value.search(head + ":") or _is_toolbar(head, p):
        return None
    return head


def _source_value(line: str, p: _Patterns) -> str | None:
    match = p.source_value.search(line)
    if not match:
        return None
    value = match.group("value")
    stop = p.field_stop.search(value)
    if stop:
        value = value[: stop.start()]
    hit = _search_datetime(value)
    if hit:
        value = value[: hit.start]
    value = _trim_outlet(value)
    if not value or len(value) > 60 or not _LETTER_OR_CJK.search(value):
        return None
    return value


_SOURCE_LINE = re.compile(r"^[(（【\[]?\s*(?P<rest>.*?)[)）】\]]?$")


def _source_line(line: str, p: _Patterns) -> str | None:
    """A line that is only a source label: "Source: Chongqing Daily", "来源:中国九江网"."""
    inner = _SOURCE_LINE.match(line)
    rest = inner.group("rest") if inner else line
    match = p.source_value.match(rest)
    if not match:
        return None
    return _source_value(rest, p)


# ---- body ----------------------------------------------------------------------------------------


def _body_lines(lines: list[str], kinds: list[int], start: int, p: _Patterns) -> tuple[list[str], str | None]:
    kept: list[str] = []
    content = 0
    for index in range(start, len(lines)):
        kind = kinds[index]
        if kind in (_TAIL, _FOOTER):
            if content:
                break
            continue
        if kind == _FURNITURE:
            continue
        if kind == _BODY:
            content += 1
        kept.append(lines[index])
    trailing_source = None
    checked = 0
    for position in range(len(kept) - 1, -1, -1):
        line = kept[position]
        if not line:
            continue
        checked += 1
        if checked > 3:
            break
        if len(line) <= SHORT_LINE:
            value = _source_line(line, p)
            if value is not None:
                trailing_source = trailing_source or value
                kept[position] = ""
    return kept, trailing_source


def _join_paragraphs(lines: list[str]) -> str:
    """Lines with runs of blank lines reduced to one, no blank lines at either end."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# ---- datelines and publication date ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Dateline:
    source: str | None
    text: str  # the date as written ("11月22日", "Nov. 14, 2023")
    year: int | None
    month: int | None
    day: int | None


_ZH_DATELINE = re.compile(
    r"^[【\[]?(?P<src>[\u4e00-\u9fffA-Za-z]{2,10}?[网社报台])(?![网社报台])"
    r"(?P<place>[\u4e00-\u9fff]{0,6}?)(?:(?P<m>\d{1,2})月(?P<d>\d{1,2})日)?(?:讯|电|消息)"
)
_EN_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z .'’-]{1,40}(?:,\s*[A-Z][A-Za-z .'’-]{1,30})?)\s*,?\s*"
    rf"(?P<date>{_MON}\s+(?P<d>\d{{1,2}})(?:,\s*(?P<y>(?:19|20)\d{{2}}))?)?\s*"
    r"(?:/(?P<wire>[A-Za-z][\w .&-]{1,30})/|\((?P<wire2>[A-Za-z][\w .&/-]{1,40})\))\s*(?:--|—|–|-)",
    re.IGNORECASE,
)


def _dateline(opening: str) -> _Dateline | None:
    """Outlet and date of an opening dateline ("张家界新闻网11月22日讯", "BEIJING, Nov. 14, 2023 /PRNewswire/ --")."""
    match = _ZH_DATELINE.match(opening)
    if match and not match["src"].startswith(("本", "我")):
        date_text = f"{match['m']}月{match['d']}日" if match["m"] else match.group(0)
        return _Dateline(match["src"], date_text, None,
                         int(match["m"]) if match["m"] else None, int(match["d"]) if match["d"] else None)
    match = _EN_DATELINE.match(opening)
    if match:
        month = _MONTHS[match["mon"][:3].lower()] if match["mon"] else None
        return _Dateline((match["wire"] or match["wire2"] or "").strip() or None, match["date"] or match.group(0),
                         int(match["y"]) if match["y"] else None, month, int(match["d"]) if match["d"] else None)
    return None


def _choose_published(given: dict[str, Any], header: _Header, fallback: dict[str, Any], dateline: _Dateline | None,
                      url: str | None) -> tuple[dt.datetime | None, str | None]:
    if "published" in given:
        value = _coerce_datetime(given["published"])
        if value is not None:
            return value, str(given["published"])
    if header.published is not None:
        # a page with several date lines (the site's banner date, the article's): the one its URL agrees with
        from_url = _url_date(url) if url and len(header.dates) > 1 else None
        if from_url is not None:
            agreeing = next((d for d in header.dates if d[0].date() == from_url[0]), None)
            if agreeing is not None:
                return agreeing
        return header.published
    if "published" in fallback:
        value = _coerce_datetime(fallback["published"])
        if value is not None:
            return value, str(fallback["published"])
    if dateline and dateline.year and dateline.month and dateline.day:
        try:
            return dt.datetime(dateline.year, dateline.month, dateline.day), dateline.text
        except ValueError:
            pass
    if url:
        from_url = _url_date(url)
        if from_url:
            return dt.datetime.combine(from_url[0], dt.time()), from_url[1]
        year_month = _url_year_month(url)
        if year_month and dateline and dateline.month and dateline.day:
            year, month = year_month
            if month is None or month == dateline.month:
                try:
                    return dt.datetime(year, dateline.month, dateline.day), dateline.text
                except ValueError:
                    pass
    return None, None


#: publication dates before this are not news this tool can date events from (events before 1949 are invalid)
EARLIEST_PUBLICATION = dt.date(1949, 1, 1)
#: a page may be dated up to this far past today's UTC date (time zones ahead of UTC, clock skew)
PUBLICATION_TOLERANCE = dt.timedelta(days=2)
#: the years the page-date reader accepts (``_date_hit``); a date line outside them is a typo or a trap
_PAGE_YEARS = (1970, 2100)
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def _implausible_publication(published_at: dt.datetime, written: str | None) -> str | None:
    """The reject reason for a publication date no news page can have; events would be dated from it."""
    shown = repr(written) if written else published_at.date().isoformat()
    if published_at.date() < EARLIEST_PUBLICATION:
        return f"publication date {shown} is implausible: before {EARLIEST_PUBLICATION.year}"
    today = _today()
    if published_at.date() > today + PUBLICATION_TOLERANCE:
        return f"publication date {shown} is in the future (today is {today.isoformat()})"
    return None


def _unreadable_date_line(lines: list[str], kinds: list[int], p: _Patterns) -> str | None:
    """The reason when the page has no usable date but its header holds a date line with an absurd year.

    Without it the article would be read as undated and year-less dates ("On March 4") would be given a
    guessed year: wrong events instead of a visible reject.
    """
    seen = 0
    for line, kind in zip(lines, kinds, strict=True):
        if kind == _BLANK:
            continue
        seen += 1
        if seen > HEADER_LINES:
            break
        if len(line) > SHORT_LINE:
            continue
        for match in _FOUR_DIGITS.finditer(line):
            year = int(match.group(0))
            if _PAGE_YEARS[0] <= year <= _PAGE_YEARS[1]:
                continue
            probe = line[: match.start()] + "2000" + line[match.end() :]  # same length: positions hold
            hit = _search_datetime(probe)
            if hit is None or not hit.start <= match.start() < hit.end or _header_date(probe, p) is None:
                continue
            written = line[hit.start : hit.end].strip()
            return (f"publication date {written!r} is implausible: year {year} is outside "
                    f"{_PAGE_YEARS[0]}–{_PAGE_YEARS[1]}")
    return None


def _coerce_datetime(value: Any) -> dt.datetime | None:
    """Front matter and metadata dates: datetime/date objects, ISO strings or date-line forms."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    parsed = _parse_datetime_line(text)
    return parsed[0] if parsed else None
