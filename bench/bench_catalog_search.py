"""Benchmark: ``Catalog.search`` over the whole built-in catalog.

Run:  python bench/bench_catalog_search.py [--repeat N]

Prints the one-off costs (loading the catalog, building the pinyin index) and,
per query, the median and 95th-percentile time of one search in microseconds.
The target (issue 3) is well under 2 ms per query. This is a script, not a test:
timings depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indicator_catalog import load_catalog  # noqa: E402

QUERIES = [
    "myd",  # initials: every 满意度 entry
    "gxjsqy",  # initials prefix
    "满意度",  # Chinese substring
    "故障",  # Chinese prefix and substring
    "zl",  # short initials: many hits
    "manyidu",  # full pinyin
    "fwdxmyd",  # exact initials
    "服务对象满意度",  # exact name
    "l",  # one letter: nearly every entry matches somehow
    "率",  # one character: about half the catalog
    "zhengwuwanglianluguzhangxiufushijian",  # long full pinyin, exact
    "不存在的指标",  # no hit
]


def pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns."""
    cells = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - cells)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000, help="searches per query (default 2000)")
    parser.add_argument("--limit", type=int, default=20, help="result limit passed to search (default 20)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    catalog = load_catalog()
    t1 = time.perf_counter()
    index = catalog.search_index()
    t2 = time.perf_counter()
    print(f"catalog: {len(catalog)} entries, {len(index)} searchable names and aliases")
    print(
        f"load_catalog(): {(t1 - t0) * 1e3:.1f} ms; pinyin index (incl. importing pypinyin): {(t2 - t1) * 1e3:.1f} ms"
    )
    print(f"{args.repeat} searches per query, limit={args.limit}\n")
    print(f"{'query':<38} {'hits':>5} {'median µs':>10} {'p95 µs':>10} {'max µs':>10}  first hit")

    worst_p95 = 0.0
    for query in QUERIES:
        for _ in range(20):  # warm-up
            catalog.search(query, args.limit)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = catalog.search(query, args.limit)
            times.append((time.perf_counter() - start) * 1e6)
        times.sort()
        p95 = percentile(times, 0.95)
        worst_p95 = max(worst_p95, p95)
        first = f"{result[0].entry.name}（{result[0].rank_kind}）" if result else "—"
        print(
            f"{pad(query, 38)} {len(result):>5} {statistics.median(times):>10.1f} {p95:>10.1f} {times[-1]:>10.1f}  {first}"
        )
    verdict = "OK" if worst_p95 < 2000 else "TOO SLOW"
    print(f"\nworst p95: {worst_p95:.1f} µs (target < 2000 µs): {verdict}")


if __name__ == "__main__":
    main()
