"""Whole commands as processes, against the naive script in the same run (issue 18).

    python bench/whole.py --indicators 120000 [--runs 3]

Generates a province (bench/generate.py, seed 1), then times, as separate processes on the same
files: the naive script (bench/naive_cli.py), ``jixiao score DIR --json`` and ``jixiao score DIR``,
each in one process (``-j 1``) and with one worker per core (the default); and the floor under any
scorer of these files, only reading them (bench/read_floor.py). Last, the start-up
goals: ``jixiao --help`` and ``jixiao score one.toml`` beside ``python -c pass``.
Prints the median wall time, the peak RSS and the ratio to the naive script for each.
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

ROOT = Path(__file__).resolve().parents[1]


def _run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and the peak RSS in MB of that process and the workers it waited for."""
    t = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped above
    return time.perf_counter() - t, usage.ru_maxrss // 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--indicators", type=int, default=120_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        prov = Path(tmp) / "province"
        gen = [py, str(ROOT / "bench" / "generate.py"), "--indicators", str(args.indicators), "--out", str(prov)]
        subprocess.run(
            [*gen, "--manifest", str(Path(tmp) / "manifest.json")], cwd=ROOT, check=True, capture_output=True
        )
        files = sum(1 for _ in prov.rglob("*.toml"))
        commands = {
            "naive script": [py, str(ROOT / "bench" / "naive_cli.py"), str(prov)],
            "floor: only read the files, -j 1": [py, str(ROOT / "bench" / "read_floor.py"), str(prov), "-j", "1"],
            "floor: only read the files": [py, str(ROOT / "bench" / "read_floor.py"), str(prov)],
            "jixiao score DIR --json -j 1": [py, "-m", "jixiao", "score", str(prov), "--json", "-j", "1"],
            "jixiao score DIR --json": [py, "-m", "jixiao", "score", str(prov), "--json"],
            "jixiao score DIR -j 1": [py, "-m", "jixiao", "score", str(prov), "-j", "1"],
            "jixiao score DIR": [py, "-m", "jixiao", "score", str(prov)],
        }
        print(f"{args.indicators:,} indicators in {files:,} files; median of {args.runs}")
        base = None
        for name, argv in commands.items():
            runs = [_run(argv) for _ in range(args.runs)]
            wall = statistics.median(w for w, _ in runs)
            base = base or wall
            rss = max(r for _, r in runs)
            print(
                f"| {name} | {wall:.2f} s | {args.indicators / wall:,.0f} indicators/s | {base / wall:.1f}× | {rss} MB |"
            )
    _start_up(py, max(args.runs, 5))
    return 0


def _start_up(py: str, runs: int) -> None:
    """The start-up goals: ``jixiao --help`` and ``jixiao score one.toml`` beside a bare interpreter."""
    one = str(ROOT / "samples" / "2024-shangye-laogan.toml")
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "naive script, one file": [py, str(ROOT / "bench" / "naive_cli.py"), one],
        "jixiao --help": [py, "-m", "jixiao", "--help"],
        "jixiao score one.toml": [py, "-m", "jixiao", "score", one],
    }
    print(f"\nstart-up; median of {runs}")
    for name, argv in commands.items():
        wall = statistics.median(_run(argv)[0] for _ in range(runs))
        print(f"| {name} | {wall * 1000:.0f} ms |")


if __name__ == "__main__":
    raise SystemExit(main())
