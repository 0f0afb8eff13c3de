"""The compiled scoring core against the pure-Python one, in the same run (issue 18).

    python bench/compiled.py --indicators 120000 [--runs 3]

Copies this checkout twice into a temporary directory: one copy as it is (pure Python), one with
the scoring core compiled by mypyc (``JIXIAO_MYPYC=1 setup.py build_ext --inplace``, the same
build as ``JIXIAO_MYPYC=1 pip install .``). Then, on one generated province (seed 1), it times
in each copy: parse + score in process on one core (``bench/run.py``'s step), and as whole
processes ``jixiao score DIR --json`` (one process and one worker per core) and ``jixiao import
DIR`` into a fresh SQLite file, beside the naive script. Runs alternate between the copies, so
the machine's drift falls on both alike. Prints a Markdown table of medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IN_PROCESS = "import json, sys; from bench.run import step_score; print(json.dumps(step_score(int(sys.argv[1]), 1)))"


def _copy(dest: Path) -> Path:
    """This checkout's sources, without the venv, builds or compiled modules."""

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        parts = Path(info.name).parts
        skip = {".venv", "build", ".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".hypothesis"}
        return None if skip & set(parts) or info.name.endswith(".so") else info

    archive = dest.with_suffix(".tar")
    with tarfile.open(archive, "w") as tar:
        tar.add(ROOT, arcname=".", filter=keep)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    return dest


def _timed(argv: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    t = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--indicators", type=int, default=120_000)
    ap.add_argument("--in-process", type=int, default=200_000, help="indicators for the in-process step")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        trees = {"Python": _copy(tmp / "python"), "mypyc": _copy(tmp / "mypyc")}
        t = time.perf_counter()
        subprocess.run(
            [py, "setup.py", "-q", "build_ext", "--inplace"],
            cwd=trees["mypyc"],
            env=dict(os.environ, JIXIAO_MYPYC="1"),
            check=True,
            capture_output=True,
        )
        build = time.perf_counter() - t
        prov = tmp / "province"
        gen = [py, "bench/generate.py", "--indicators", str(args.indicators), "--out", str(prov)]
        subprocess.run([*gen, "--manifest", str(tmp / "m.json")], cwd=ROOT, check=True, capture_output=True)
        template = tmp / "template.db"
        subprocess.run([py, "-m", "jixiao", "--db", str(template), "db", "upgrade"], cwd=ROOT, check=True)
        run_db = tmp / "run.db"

        def fresh_db() -> str:
            shutil.copy(template, run_db)
            return str(run_db)

        commands = {
            "naive script": lambda: [py, str(ROOT / "bench" / "naive_cli.py"), str(prov)],
            "`jixiao score DIR --json -j 1`": lambda: [py, "-m", "jixiao", "score", str(prov), "--json", "-j", "1"],
            "`jixiao score DIR --json`": lambda: [py, "-m", "jixiao", "score", str(prov), "--json"],
            "`jixiao import DIR` (SQLite)": lambda: [py, "-m", "jixiao", "--db", fresh_db(), "import", str(prov)],
        }
        walls: dict[tuple[str, str], list[float]] = {}
        for name, argv in commands.items():
            for _ in range(args.runs):
                for kind, tree in trees.items():
                    if name == "naive script" and kind == "mypyc":
                        continue
                    walls.setdefault((name, kind), []).append(_timed(argv(), tree))
        # Timed runs discard their output; one more run of each tree must print the same bytes
        # and exit alike, or a broken build would merely look fast.
        seen = {
            kind: subprocess.run(
                commands["`jixiao score DIR --json`"](),
                cwd=tree,
                env=dict(os.environ, PYTHONPATH=str(tree)),
                capture_output=True,
                check=False,
            )
            for kind, tree in trees.items()
        }
        same = {(p.returncode, p.stdout, p.stderr) for p in seen.values()}
        if len(same) != 1 or not seen["mypyc"].stdout:
            raise SystemExit("the compiled core's `score --json` differs from the Python core's")
        rates = {}
        for kind, tree in trees.items():
            out = subprocess.run(
                [py, "-c", IN_PROCESS, str(args.in_process)],
                cwd=tree,
                env=dict(os.environ, PYTHONPATH=str(tree)),
                check=True,
                capture_output=True,
                text=True,
            )
            rates[kind] = json.loads(out.stdout.splitlines()[-1])
    naive = statistics.median(walls[("naive script", "Python")])
    print(f"mypyc build of the core: {build:.0f} s; {args.indicators:,} indicators; median of {args.runs}")
    print("`score --json`: the same bytes and exit status from both builds\n")
    print("| Measure | Python | mypyc | mypyc against Python | mypyc against naive |")
    print("|---|---|---|---|---|")
    py_r, c_r = rates["Python"]["per_second"], rates["mypyc"]["per_second"]
    print(f"| parse + score in process, one core | {py_r:,.0f}/s | {c_r:,.0f}/s | {c_r / py_r:.2f}× | |")
    for name in list(commands)[1:]:
        p, c = (statistics.median(walls[(name, k)]) for k in trees)
        print(f"| {name} | {p:.2f} s | {c:.2f} s | {p / c:.2f}× | {naive / c:.1f}× |")
    print(f"| naive script | {naive:.2f} s | | | 1.0× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
