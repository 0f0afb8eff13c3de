"""`jixiao import DIR` as whole processes: the careful path against the fast one, in the same run (issue 18).

    python bench/import_files.py --indicators 150000 [--runs 3] [--db-url postgresql+psycopg://…]

Generates a province (bench/generate.py, seed 1; its planted unreadable cells make some files
fail, as real ones do), then imports its files into a fresh migrated database, each run timed
as a process: every file the careful way (``import_paths(..., fast=False)``, what `jixiao
import` did before), then `jixiao import DIR -j 1` and `jixiao import DIR` (one worker per
core). SQLite by default; ``--db-url`` names an empty PostgreSQL database (each run starts from
a fresh schema in it). Prints the median wall time, forms per second and the peak RSS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAREFUL = (
    "import sys; from pathlib import Path; from jixiao import session; from jixiao.file_import import import_paths;"
    "files = sorted(p for p in Path(sys.argv[2]).rglob('*') if p.suffix in ('.toml', '.json', '.xlsx'));"
    "store = session.open_store(sys.argv[1], print, print);"
    "[None for _ in import_paths(store, files, fast=False)]"
)


def _run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and the peak RSS in MB of that process and the workers it waited for."""
    t = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped above
    if b"Traceback" in err or os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: the planted bad files
        raise SystemExit(f"{argv[:4]} failed: {err.decode()[-2000:]}")
    return time.perf_counter() - t, usage.ru_maxrss // 1024


class _Fresh:
    """A fresh, migrated, empty database for each run."""

    def __init__(self, tmp: Path, pg: str) -> None:
        self.tmp, self.pg = tmp, pg
        self.schemas: list[str] = []
        if not pg:
            template = tmp / "template.db"
            subprocess.run([sys.executable, "-m", "jixiao", "--db", str(template), "db", "upgrade"], check=True)

    def url(self) -> str:
        if not self.pg:
            db = self.tmp / f"{uuid.uuid4().hex}.db"
            shutil.copy(self.tmp / "template.db", db)
            return f"sqlite:///{db}"
        from sqlalchemy import create_engine, text

        schema = f"b_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.pg)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        self.schemas.append(schema)
        from sqlalchemy.engine import make_url

        parsed = make_url(self.pg)
        if parsed.password:  # jixiao refuses a password on its command line: the driver reads it from here
            os.environ["PGPASSWORD"] = str(parsed.password)
        bare = self.pg.replace(f":{parsed.password}@", "@") if parsed.password else self.pg
        sep = "&" if "?" in bare else "?"
        url = f"{bare}{sep}options=-csearch_path%3D{schema}"
        subprocess.run([sys.executable, "-m", "jixiao", "--db", url, "db", "upgrade"], check=True, capture_output=True)
        return url

    def close(self) -> None:
        """Drop the runs' schemas: a bench leaves the server as it found it."""
        if not self.schemas:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(self.pg)
        with engine.begin() as conn:
            for schema in self.schemas:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--indicators", type=int, default=150_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db-url", default="", help="an empty PostgreSQL database (default: SQLite files)")
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        prov = Path(tmp) / "province"
        gen = [py, str(ROOT / "bench" / "generate.py"), "--indicators", str(args.indicators), "--out", str(prov)]
        subprocess.run([*gen, "--manifest", str(Path(tmp) / "m.json")], cwd=ROOT, check=True, capture_output=True)
        files = sum(1 for _ in prov.rglob("*.toml"))
        fresh = _Fresh(Path(tmp), args.db_url)
        commands = {
            "every file the careful way (before)": lambda url: [py, "-c", CAREFUL, url, str(prov)],
            "jixiao import DIR -j 1": lambda url: [py, "-m", "jixiao", "--db", url, "import", "-j", "1", str(prov)],
            "jixiao import DIR": lambda url: [py, "-m", "jixiao", "--db", url, "import", str(prov)],
        }
        kind = "PostgreSQL" if args.db_url else "SQLite"
        print(f"{args.indicators:,} indicators in {files:,} files into {kind}; median of {args.runs}")
        base = None
        try:
            for name, argv in commands.items():
                runs = [_run(argv(fresh.url())) for _ in range(args.runs)]
                wall = statistics.median(w for w, _ in runs)
                base = base or wall
                rss = max(r for _, r in runs)
                print(f"{name:40} {wall:7.2f} s  {files / wall:8,.0f} files/s  {base / wall:5.1f}×  {rss:5d} MB")
        finally:
            fresh.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
