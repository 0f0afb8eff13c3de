"""The floor under any `jixiao score DIR`: only read and parse every form file (issue 18).

    python bench/read_floor.py DIR [-j N]

Walks DIR as ``jixiao score`` does and parses each ``.toml`` with the compiled ``tomli`` that
jixiao itself uses (``parse_float=Decimal``, as the form loader reads it), in N processes
(default one per core), and prints nothing. No implementation that reads the same files in
Python can be faster than this, so it bounds the ratio any scorer can reach against the naive
whole-process script (bench/whole.py prints both).
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

import tomli


def _read(path: Path) -> int:
    return len(tomli.loads(path.read_text(encoding="utf-8"), parse_float=Decimal))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    files = sorted(Path(args.dir).rglob("*.toml"))
    if args.jobs <= 1:
        n = sum(_read(p) for p in files)
    else:
        with ProcessPoolExecutor(args.jobs) as pool:
            n = sum(pool.map(_read, files, chunksize=64))
    return 0 if n >= 0 else 1


if __name__ == "__main__":
    sys.exit(main())
