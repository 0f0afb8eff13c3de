"""Benchmarks at the scale of a province; prints one table and writes docs/performance.md.

    python bench/run.py --indicators 1000000            # the full run (minutes)
    python bench/run.py --indicators 2000 --no-write    # the smoke run CI does

Each step runs in its own subprocess so that its peak RSS is its own. Ratios
that compare implementations are measured in the same process, back to back,
because these machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Everything from this line on in docs/performance.md is written by hand (the analysis of
# each figure) and kept when the table above it is regenerated.
NOTES_MARK = "<!-- analysis: written by hand, kept by bench/run.py -->"

TARGETS = {
    "score": "≥ 300,000 指标/秒，≥ 20× 朴素实现，≤ 3× 正则下限",
    "import_sqlite": "≤ 30 s / 1,000,000 指标",
    "import_postgresql": "≤ 60 s / 1,000,000 指标",
    "review_sql": "≤ 1 s，峰值内存 ≤ 1 GB",
    "pdf_unsigned": "≥ 50 份/秒",
    "pdf_signed": "≥ 20 份/秒",
    "tui_start": "≤ 1 s",
    "tui_rescore": "≤ 10 ms / 次按键",
}


# ----------------------------------------------------------------- steps


def _forms(n: int, seed: int) -> list[Any]:
    from bench.generate import generate

    return list(generate(n, seed))


def step_score(n: int, seed: int) -> dict[str, Any]:
    """Parse + score on one core, beside the naive baseline and the regex floor."""
    import gc
    import re

    from bench.naive import naive_score
    from indicator_catalog import default_catalog
    from jixiao.scoring import score_form
    from scorer.rules import load

    forms = _forms(n, seed)
    cells = [c for f in forms for i in f.indicators for c in (i.target, i.actual)]
    count = sum(len(f.indicators) for f in forms)
    # The generated province (millions of objects) stays in memory only because this
    # benchmark holds it; an import streams it. Freeze it out of the cyclic collector,
    # so that every implementation below is timed on its own work (same for all three).
    gc.collect()
    gc.freeze()
    catalog = default_catalog()
    rules = {name: load(name) for name in ("national-2020", "hubei-2020")}
    floor_rx = re.compile(r"^\s*(?:[≥≤><=]|不低于|不超过)?\s*(\d+(?:\.\d+)?)\s*(万|亿)?\s*([^\d\s]*)\s*$")
    t = time.perf_counter()
    for c in cells:
        floor_rx.match(c)
    floor = time.perf_counter() - t
    sample = forms[: max(1, len(forms) // 20)]  # the baseline is slow: a 5% sample, scaled
    sample_n = sum(len(f.indicators) for f in sample)
    t = time.perf_counter()
    for f in sample:
        naive_score(f)
    naive = (time.perf_counter() - t) * count / max(sample_n, 1)
    t = time.perf_counter()
    for f in forms:
        score_form(f, rules.get(f.rules or "", rules["national-2020"]), catalog)
    ours = time.perf_counter() - t
    # What an interpreter loop costs before any scoring: look both cells up in the memo
    # and build one result per indicator. No per-row Python implementation goes below it.
    from scorer.cells import read_cell
    from scorer.result import IndicatorResult

    inds = [i for f in forms for i in f.indicators]
    t = time.perf_counter()
    for i in inds:
        tuple.__new__(
            IndicatorResult,
            (i, 1, None, None, "", None, "", "", read_cell(i.target), read_cell(i.actual), "", (), (), None),
        )
    minimal = time.perf_counter() - t
    return {
        "indicators": count,
        "distinct_cells": len(set(cells)),
        "minimal_per_second": count / minimal,
        "seconds": ours,
        "per_second": count / ours,
        "naive_per_second": count / naive,
        "floor_per_second": count / floor,
        "vs_naive": naive / ours,
        "vs_floor": ours / floor,
    }


def _pg_url() -> str:
    return os.environ.get("JIXIAO_TEST_PG", "")


def _fresh_db(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(_pg_url()).begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    return f"{_pg_url()}?options=-csearch_path%3D{schema}"


def _drop_db(url: str) -> None:
    """Remove a scratch database made by ``_fresh_db``."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    schema = url.rsplit("search_path%3D", 1)[-1]
    engine = create_engine(_pg_url())
    with engine.begin() as c:
        c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def step_import(n: int, seed: int, backend: str) -> dict[str, Any]:
    """Import end to end (scoring in two worker processes while this one writes), then
    scoring and loading timed apart: the load alone, the end-to-end figure beside it."""
    import gc

    from jixiao.storage.bulk import bulk_load, prepare
    from jixiao.storage.database import make_engine, upgrade

    raw = _forms(n, seed)
    count = sum(len(f.indicators) for f in raw)
    scratch = _fresh_db(backend)
    whole = make_engine(scratch)
    upgrade(whole)
    t = time.perf_counter()
    bulk_load(whole, raw, workers=2)  # as a caller would: bulk_load manages the collector itself
    end_to_end = time.perf_counter() - t
    whole.dispose()
    _drop_db(scratch)
    gc.collect()
    gc.freeze()  # as in step_score: the benchmark, not the import, holds the province
    t = time.perf_counter()
    forms = [prepare(f) for f in raw]
    scoring = time.perf_counter() - t
    del raw
    url = _fresh_db(backend)
    engine = make_engine(url)
    upgrade(engine)
    t = time.perf_counter()
    bulk_load(engine, forms)
    seconds = time.perf_counter() - t
    Path(tempfile.gettempdir(), f"jixiao-bench-{backend}.url").write_text(url)
    return {
        "indicators": count,
        "forms": len(forms),
        "seconds": seconds,
        "per_second": count / seconds,
        "scoring_seconds": scoring,
        "end_to_end_seconds": end_to_end,
    }


def step_review(backend: str) -> dict[str, Any]:
    from jixiao.review.aggregate import aggregate, flagged_forms
    from jixiao.storage.database import make_engine

    url = Path(tempfile.gettempdir(), f"jixiao-bench-{backend}.url").read_text()
    engine = make_engine(url)
    t = time.perf_counter()
    groups = aggregate(engine, "unit")
    aggregate(engine, "department")
    flagged_forms(engine, limit=20)
    sql = time.perf_counter() - t
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", url, "review", "--limit", "10"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "120"},
    )
    end_to_end = time.perf_counter() - t
    return {"groups": len(groups), "sql_seconds": sql, "cli_seconds": end_to_end, "cli_ok": proc.returncode == 0}


PDF_WORKERS = 2


def step_pdf(forms_n: int) -> dict[str, Any]:
    """Forms/s one by one on one core, and as a batch through a pool of PDF_WORKERS processes.

    The batch timings include starting the pool (and each worker's set-up), as a real
    ``jixiao pdf`` export pays them. The batch runs first so that its forked workers do
    not inherit caches the one-by-one run warmed in this process.
    """
    from jixiao.pdf.batch import render_batch
    from jixiao.pdf.fonts import find_font
    from jixiao.pdf.layout import render_pdf
    from jixiao.pdf.sign import load_key, sign_pdf
    from jixiao.pdf.trial_keys import new_key
    from jixiao.scoring import score_form
    from scorer.formfile import load_form

    samples = [load_form(p) for p in sorted((ROOT / "samples").glob("*.toml"))]
    results = [score_form(samples[i % len(samples)]) for i in range(forms_n)]
    key_path = Path(tempfile.mkdtemp()) / "bench.p12"
    new_key("基准测试", key_path, "bench")
    key = load_key(key_path, "bench")
    font = find_font()  # a one-off, like opening the key: outside every timing
    batch = {}
    for label, signing_key in (("unsigned", None), ("signed", key)):
        t = time.perf_counter()
        out = render_batch(results, font=font, key=signing_key, jobs=PDF_WORKERS)
        batch[label] = time.perf_counter() - t
        failed = [o.error for o in out if not o.ok]
        if failed:
            raise RuntimeError(failed[0])
    t = time.perf_counter()
    pdfs = [render_pdf(r, font=font) for r in results]
    unsigned = time.perf_counter() - t
    t = time.perf_counter()
    for pdf in pdfs:
        sign_pdf(pdf, key)
    signing = time.perf_counter() - t
    return {
        "forms": forms_n,
        "unsigned_per_second": forms_n / unsigned,
        "signed_per_second": forms_n / (unsigned + signing),
        "batch_workers": PDF_WORKERS,
        "batch_unsigned_per_second": forms_n / batch["unsigned"],
        "batch_signed_per_second": forms_n / batch["signed"],
    }


def step_tui() -> dict[str, Any]:
    import asyncio

    from jixiao.editing import set_cell
    from jixiao.storage.database import make_engine, upgrade
    from jixiao.storage.store import FormStore
    from scorer.formfile import load_form
    from tui import create_app

    base = load_form(ROOT / "samples" / "2024-wangluo-yunwei.toml")
    goal = base.goals[0]
    import dataclasses

    big = dataclasses.replace(base, goals=(dataclasses.replace(goal, indicators=(goal.indicators * 3)[:60]),))
    path = Path(tempfile.mkdtemp()) / "tui.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    store = FormStore(engine)
    fid = store.create(dataclasses.replace(big, project_name="六十项指标")).id

    async def run() -> dict[str, Any]:
        t = time.perf_counter()
        app = create_app(store, None)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            start = time.perf_counter() - t
            app.open_form(fid)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            times = []
            for k in range(50):
                form = set_cell(screen.form, 5, "actual", f"{k}份")  # type: ignore[attr-defined]
                t = time.perf_counter()
                screen.rescore(form)  # type: ignore[attr-defined]
                times.append(time.perf_counter() - t)
            times.sort()
            return {
                "start_seconds": start,
                "rescore_ms_median": times[len(times) // 2] * 1000,
                "rescore_ms_p95": times[int(len(times) * 0.95)] * 1000,
            }

    return asyncio.run(run())


STEPS = {
    "score": lambda a: step_score(a.indicators, a.seed),
    "import_sqlite": lambda a: step_import(a.indicators, a.seed, "sqlite"),
    "review_sqlite": lambda a: step_review("sqlite"),
    "import_postgresql": lambda a: step_import(a.indicators, a.seed, "postgresql"),
    "review_postgresql": lambda a: step_review("postgresql"),
    "pdf": lambda a: step_pdf(a.pdf_forms),
    "tui": lambda a: step_tui(),
}


def run_step(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """One step in a child process: its result and its own peak RSS."""
    cmd = [
        sys.executable,
        __file__,
        "--step",
        name,
        "--indicators",
        str(args.indicators),
        "--seed",
        str(args.seed),
        "--pdf-forms",
        str(args.pdf_forms),
    ]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1], "wall": wall}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    return out


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> list[str]:
    rows = ["| 步骤 | 结果 | 目标 | 峰值内存 |", "|---|---|---|---|"]

    def mem(r: dict[str, Any]) -> str:
        return f"{r.get('rss_mb', 0):,.0f} MB"

    r = results.get("score", {})
    if "per_second" in r:
        rows.append(
            f"| 解析+计分（单核） | {fmt_rate(r['per_second'])} 指标/秒；朴素实现 {fmt_rate(r['naive_per_second'])}/秒（快 {r['vs_naive']:.1f} 倍）；"
            f"正则下限 {fmt_rate(r['floor_per_second'])}/秒（慢 {r['vs_floor']:.1f} 倍）；"
            f"最小循环（只查两格、建结果）{fmt_rate(r.get('minimal_per_second', 0))}/秒；"
            f"不同单元格 {fmt_rate(r.get('distinct_cells', 0))} 个 | {TARGETS['score']} | {mem(r)} |"
        )
    for backend in ("sqlite", "postgresql"):
        r = results.get(f"import_{backend}", {})
        if "seconds" in r:
            rows.append(
                f"| 导入 {backend}（{fmt_rate(r['indicators'])} 指标，{fmt_rate(r['forms'])} 份表） | 写入 {r['seconds']:.1f} s（{fmt_rate(r['per_second'])} 指标/秒）；"
                f"另计分与检查 {r['scoring_seconds']:.1f} s（单核）；"
                f"全程（计分与写入同时，2 个计分进程）{r.get('end_to_end_seconds', 0):.1f} s | {TARGETS['import_' + backend]} | {mem(r)} |"
            )
        elif r:
            rows.append(f"| 导入 {backend} | 未运行：{r.get('error', '')} | {TARGETS['import_' + backend]} | |")
        r = results.get(f"review_{backend}", {})
        if "sql_seconds" in r:
            rows.append(
                f"| 审核汇总 {backend} | SQL {r['sql_seconds']:.2f} s；jixiao review 全程 {r['cli_seconds']:.2f} s | {TARGETS['review_sql']} | {mem(r)} |"
            )
    r = results.get("pdf", {})
    if "unsigned_per_second" in r:
        batch = (
            f"；{'双' if r['batch_workers'] == 2 else r['batch_workers']}进程批量（含进程池启动） 未签名 {r['batch_unsigned_per_second']:.1f} 份/秒、签名 {r['batch_signed_per_second']:.1f} 份/秒"
            if "batch_unsigned_per_second" in r
            else ""
        )
        rows.append(
            f"| PDF（{r['forms']} 份） | 单核 未签名 {r['unsigned_per_second']:.1f} 份/秒、签名 {r['signed_per_second']:.1f} 份/秒{batch} | {TARGETS['pdf_unsigned']}；{TARGETS['pdf_signed']} | {mem(r)} |"
        )
    r = results.get("tui", {})
    if "start_seconds" in r:
        rows.append(
            f"| TUI | 冷启动到首屏 {r['start_seconds']:.2f} s；60 项指标重算 中位 {r['rescore_ms_median']:.1f} ms，p95 {r['rescore_ms_p95']:.1f} ms | {TARGETS['tui_start']}；{TARGETS['tui_rescore']} | {mem(r)} |"
        )
    for name, r in results.items():
        if "error" in r:
            rows.append(f"| {name} | 失败：{r['error']} | | |")
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--indicators", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pdf-forms", type=int, default=100)
    p.add_argument("--step", choices=tuple(STEPS))
    p.add_argument("--only", action="append", choices=tuple(STEPS), help="只运行这些步骤")
    p.add_argument("--no-write", action="store_true", help="不写 docs/performance.md")
    args = p.parse_args()
    if args.step:
        result = STEPS[args.step](args)
        # the step's own process, or a worker it started (import scorers, PDF pool) if larger
        result["rss_mb"] = (
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024
        )
        print(json.dumps(result))
        return 0
    steps = args.only or [s for s in STEPS if "postgresql" not in s or _pg_url()]
    results = {}
    for name in steps:
        print(f"… {name}", file=sys.stderr, flush=True)
        results[name] = run_step(name, args)
    rows = table(results, args)
    print("\n".join(rows))
    if not args.no_write:
        machine = (
            f"{platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}，{platform.platform()}"
        )
        doc = [
            "# Performance",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}.",
            "",
            "Reproduce:",
            "",
            "```sh",
            'eval "$(scripts/pg-test-server)"   # PostgreSQL for the import/review rows',
            f".venv/bin/python bench/run.py --indicators {args.indicators} --seed {args.seed} --pdf-forms {args.pdf_forms}",
            "```",
            "",
            *rows,
            "",
            "Each step runs in its own process; peak memory is the largest maximum RSS of that process",
            "and the workers it starts (the import's scorers, the PDF pool). The naive",
            "baseline (bench/naive.py) parses every cell with pint's string parser; the floor runs one",
            "compiled regular expression over the same cells. Both ratios come from the same process.",
            "",
        ]
        path = ROOT / "docs" / "performance.md"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        kept = old[old.index(NOTES_MARK) :] if NOTES_MARK in old else f"{NOTES_MARK}\n"
        path.write_text("\n".join(doc) + "\n" + kept, encoding="utf-8")
        print("已写入 docs/performance.md", file=sys.stderr)
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
