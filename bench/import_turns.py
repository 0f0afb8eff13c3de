"""Two checkouts' `jixiao import DIR` taking turns on one province: wall time and CPU (issue 18).

    python bench/import_turns.py OLD_CHECKOUT NEW_CHECKOUT PROVINCE [--runs 3] [--db-url postgresql+psycopg://…]

On a shared machine a run's speed varies between minutes, so old and new code are run one after
the other, each into a fresh migrated database (as ``bench/import_files.py`` makes them), and
the medians compared. CPU is that of the process and the workers it waited for (``wait4``); a
PostgreSQL server's own CPU is not in it. PROVINCE is a directory from ``bench/generate.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_files  # noqa: E402  (this directory's module)


def _run(argv: list[str], cwd: str) -> tuple[float, float]:
    t = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped above
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("province")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db-url", default="")
    args = ap.parse_args()
    files = sum(1 for _ in Path(args.province).rglob("*.toml"))
    roots = {"old": args.old, "new": args.new}
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in roots}
    with tempfile.TemporaryDirectory() as tmp:
        fresh = import_files._Fresh(Path(tmp), args.db_url)
        try:
            for _ in range(args.runs):
                for name, root in roots.items():
                    argv = [sys.executable, "-m", "jixiao", "--db", fresh.url(), "import", args.province]
                    runs[name].append(_run(argv, root))
        finally:
            fresh.close()
    walls = {k: statistics.median(w for w, _ in r) for k, r in runs.items()}
    for name, r in runs.items():
        cpu = statistics.median(c for _, c in r)
        shown = [(round(w, 1), round(c, 1)) for w, c in r]
        print(
            f"{name}: {walls[name]:.2f} s, {files / walls[name]:,.0f} files/s, CPU {cpu / files * 1000:.2f} ms a file; {shown}"
        )
    print(f"old/new: {walls['old'] / walls['new']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
