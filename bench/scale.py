"""The PostgreSQL scaling curve (issue 18): import and review at 1M, 2M, 5M and 10M indicators.

    python bench/scale.py [--sizes 1000000,2000000,5000000,10000000] [--db-url URL] [--runs 3]

For each size, a fresh schema on the server is filled by ``bench/generate.py --db`` as its own
process (generation, scoring in two workers and COPY-free bulk inserts, all included), then
``ANALYZE``; then ``jixiao review`` runs as a process ``--runs`` times (all years, and one year),
beside the review's SQL alone timed in this process. Without ``--db-url`` a throwaway server is
started (tests/pg_server.py). Prints one Markdown row per size; nothing is kept.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB (with waited-for children) and the exit code of one process."""
    t = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    _, status, usage = os.wait4(child.pid, 0)
    if child.stderr is not None:
        tail = child.stderr.read().decode(errors="replace")[-400:]
        child.stderr.close()
    child.returncode = 0  # reaped above
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(f"  exit {code}: {' '.join(argv[:6])} … {tail}", file=sys.stderr)
    return time.perf_counter() - t, usage.ru_maxrss // 1024, code


def _schema_url(admin: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    schema = f"scale_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin)
    with engine.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return schema, f"{admin}?options=-csearch_path%3D{schema}"


def _sql_seconds(url: str) -> tuple[float, dict[str, Any]]:
    """The review's own queries, in process: by unit, by department, the flagged forms."""
    from sqlalchemy import text

    from jixiao.review.aggregate import aggregate, flagged_forms
    from jixiao.storage.database import make_engine

    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("ANALYZE"))
        counts = {
            "forms": c.execute(text("SELECT count(*) FROM forms")).scalar_one(),
            "indicators": c.execute(text("SELECT count(*) FROM indicators")).scalar_one(),
            "size": c.execute(
                text(
                    "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            ).scalar_one(),
        }
    t = time.perf_counter()
    aggregate(engine, "unit")
    aggregate(engine, "department")
    flagged_forms(engine, limit=20)
    seconds = time.perf_counter() - t
    engine.dispose()
    return seconds, counts


def one_size(admin: str, n: int, runs: int, keep: bool = False) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    schema, url = _schema_url(admin)
    py = sys.executable
    try:
        load, load_rss, code = _timed(
            [py, str(ROOT / "bench" / "generate.py"), "--indicators", str(n), "--db", url, "--workers", "2"]
        )
        if code:
            raise SystemExit(f"generate.py failed at {n:,}")
        sql, counts = _sql_seconds(url)
        from sqlalchemy.engine import make_url

        bare = make_url(url)  # jixiao refuses a password on its command line
        review = [
            py,
            "-m",
            "jixiao",
            "--db",
            bare._replace(password=None).render_as_string(False),
            "review",
            "--limit",
            "10",
        ]
        env = {"COLUMNS": "120", "PGPASSWORD": bare.password or ""}
        whole = [_timed(review, env) for _ in range(runs)]
        year = [_timed([*review, "--year", "2024"], env) for _ in range(runs)]
        level1 = [_timed([*review, "--by", "level1"], env) for _ in range(runs)]
        return {
            "n": n,
            **counts,
            "load": load,
            "load_rss": load_rss,
            "sql": sql,
            "review": statistics.median(w for w, _, _ in whole),
            "review_rss": max(r for _, r, _ in whole),
            "review_year": statistics.median(w for w, _, _ in year),
            "review_level1": statistics.median(w for w, _, _ in level1),
            "failed": sum(1 for _, _, c in [*whole, *year, *level1] if c),
        }
    finally:
        if keep:
            print(f"kept: schema {schema}", file=sys.stderr)
        else:
            engine = create_engine(admin)
            with engine.begin() as c:
                c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,2000000,5000000,10000000")
    ap.add_argument("--db-url", default=os.environ.get("JIXIAO_TEST_PG", ""))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the largest size's schema (its name goes to stderr)")
    args = ap.parse_args()
    server = None
    admin = args.db_url
    if not admin:
        from tests.pg_server import start_throwaway

        server = start_throwaway()
        admin = server.app_url
    try:
        print(
            "| 指标（约） | 表单 | 指标 | 库大小 | 导入全程 | 导入峰值内存 | 审核 SQL | jixiao review 全部年度 | 单一年度 | 按一级指标 | review 峰值内存 |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        sizes = [int(s) for s in args.sizes.split(",")]
        for n in sizes:
            r = one_size(admin, n, args.runs, keep=args.keep and n == max(sizes))
            print(
                f"| {r['n']:,} | {r['forms']:,} | {r['indicators']:,} | {r['size']} | {r['load']:.1f} s"
                f"（{r['indicators'] / r['load']:,.0f} 指标/秒） | {r['load_rss']:,} MB | {r['sql']:.2f} s"
                f" | {r['review']:.2f} s | {r['review_year']:.2f} s | {r['review_level1']:.2f} s | {r['review_rss']:,} MB |"
                + (f" 失败 {r['failed']} 次" if r["failed"] else ""),
                flush=True,
            )
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
