"""The long fuzz run: every target of tests/fuzz/targets.py, 100,000 inputs each by default.

    python bench/fuzz.py                          # atheris when installed, else the mutation loop
    python bench/fuzz.py --per-target 1000000 --jobs 4
    python bench/fuzz.py --targets cell,json --engine random

With atheris (coverage-guided libFuzzer) each target runs in its own process,
starting from the target's seeds. Without it, a mutation loop does the same
from the seeds plus every input that produced a new kind of outcome. Either
way, any exception outside the target's own errors — or an input that takes
longer than --timeout seconds — is a crash: the input is saved under
bench/fuzz-crashes/ and the run exits 1. The table printed at the end is the
number to quote: inputs tried and crashes per target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CRASH_DIR = ROOT / "bench" / "fuzz-crashes"

# Tokens the mutation loop splices in: the syntax and vocabulary the readers look for.
TOKENS = [
    t.encode()
    for t in (
        "≥",
        "≤",
        ">",
        "<",
        "=",
        "%",
        "万",
        "亿",
        "万元",
        "户",
        "人次",
        "小时",
        "前",
        "第",
        "名",
        "年",
        "月",
        "日",
        "底",
        "(",
        ")",
        "（",
        "）",
        "[",
        "]",
        "【",
        "】",
        "~",
        "-",
        "至",
        ",",
        ".",
        "0",
        "9",
        "1,000",
        "不低于",
        "以内",
        "完成",
        "未完成",
        "定性指标",
        "减少",
        "\x1b[2J",
        "\u202e",
        "\x00",
        "\ud800",
        '"',
        "'",
        "\\",
        "{",
        "}",
        ":",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999999",
        "9" * 30,
        "\\u0000",
        "\\ud800",
        "[[goals.indicators]]",
        "[[goals]]",
        "[budget]",
        "[ticks]",
        "[signoff]",
        "name = ",
        "target = ",
        "actual = ",
        "weight = ",
        "score = ",
        "year = ",
        "project_name = ",
        '"project_name": ',
        '"goals": [',
        '"indicators": [',
        "true",
        "null",
        "0x",
        "inf",
        "nan",
        "1979-05-27",
        '"""',
        "'''",
        "\n",
        "\t",
        "\r\n",
    )
    if not (0xD800 <= ord(t[0]) <= 0xDFFF)
]


def _targets(names: str | None) -> list[Any]:
    from tests.fuzz.targets import BY_NAME, TARGETS

    if not names:
        return list(TARGETS)
    unknown = [n for n in names.split(",") if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown target(s): {', '.join(unknown)}; have {', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in names.split(",")]


def _save_crash(name: str, data: bytes, detail: str) -> Path:
    CRASH_DIR.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = CRASH_DIR / f"{name}-{digest}.bin"
    path.write_bytes(data)
    path.with_suffix(".txt").write_text(detail, encoding="utf-8")
    return path


class _Timeout(BaseException):
    """Raised by SIGALRM inside the code under test: an input that hangs."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


_OUTCOME_NOISE = re.compile(r"「[^」]*」|'[^']*'|\"[^\"]*\"|\d+|\s+")


def _outcome(result: Any) -> str:
    """A coarse signature of what happened, to keep inputs that did something new."""
    if isinstance(result, BaseException):
        return f"{type(result).__name__}:{_OUTCOME_NOISE.sub('', str(result))[:80]}"
    if isinstance(result, list):
        return f"list[{len(result)}]:" + ",".join(sorted({type(x).__name__ for x in result}))
    kind = getattr(result, "kind", None)
    if kind is not None:  # a Cell
        return f"cell:{kind}:{getattr(result, 'comparator', '')}:{bool(getattr(result, 'unit', ''))}:{bool(getattr(result, 'note', ''))}"
    indicators = getattr(result, "indicators", None)
    if isinstance(indicators, tuple):  # a Form or FormResult
        statuses = sorted({str(getattr(r, "status", "")) for r in indicators})
        return f"{type(result).__name__}:{min(len(indicators), 5)}:{','.join(statuses)}"
    return type(result).__name__


# ------------------------------------------------------------------ the mutation loop


def run_random(name: str, n: int, seed: int, timeout: float) -> dict[str, Any]:
    """Fuzz one target with n inputs in this process; returns counts and crashes."""
    from tests.fuzz.harness import UnexpectedError, assert_only
    from tests.fuzz.targets import BY_NAME, mutate_bytes

    target = BY_NAME[name]
    rng = random.Random(seed)
    corpus = list(target.seeds()) or [b""]
    seen: set[str] = set()
    crashes: list[dict[str, str]] = []
    slowest = 0.0
    signal.signal(signal.SIGALRM, _on_alarm)
    start = time.perf_counter()
    for i in range(n):
        r = rng.random()
        if r < 0.05:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        else:
            data = rng.choice(corpus)
            if r < 0.15 and len(corpus) > 1:  # splice two inputs
                other = rng.choice(corpus)
                cut = rng.randint(0, len(data))
                data = data[:cut] + other[rng.randint(0, len(other)) :]
            if target.mutate is not None and rng.random() < 0.7:
                data = target.mutate(data, rng)
            else:
                data = mutate_bytes(data, rng, TOKENS)
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            result: Any = assert_only(target.errors, target.call, target.from_bytes(data))
        except _Timeout:
            result = None
            detail = f"timeout: over {timeout} s"
            crashes.append({"input": str(_save_crash(name, data, detail)), "error": detail})
        except (UnexpectedError, AssertionError) as exc:
            result = None
            detail = "".join(traceback.format_exception(exc))
            crashes.append({"input": str(_save_crash(name, data, detail)), "error": str(exc)[:300]})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        slowest = max(slowest, time.perf_counter() - t0)
        if result is not None:
            sig = _outcome(result)
            if sig not in seen and len(data) < 200_000:
                seen.add(sig)
                corpus.append(data)
        if len(crashes) >= 20:  # enough to act on
            n = i + 1
            break
    return {
        "target": name,
        "engine": "random",
        "inputs": n,
        "crashes": len(crashes),
        "crash_list": crashes,
        "outcomes": len(seen),
        "seconds": round(time.perf_counter() - start, 1),
        "slowest": round(slowest, 3),
    }


# ------------------------------------------------------------------ atheris


def atheris_worker(name: str, n: int, timeout: float, report: Path) -> None:
    """Run inside a child process: libFuzzer owns the loop and exits the process at the end."""
    import atheris

    with atheris.instrument_imports(include=["scorer", "jixiao", "openpyxl", "tomllib", "json"]):
        from tests.fuzz.harness import UnexpectedError, assert_only
        from tests.fuzz.targets import BY_NAME

    target = BY_NAME[name]
    count = 0

    def write_report() -> None:
        report.write_text(json.dumps({"inputs": count}), encoding="utf-8")

    def one(data: bytes) -> None:
        nonlocal count
        count += 1
        if count % 1000 == 0:
            write_report()
        try:
            assert_only(target.errors, target.call, target.from_bytes(data))
        except UnexpectedError as exc:
            write_report()
            raise exc.original from None  # libFuzzer saves the input as a crash
        except AssertionError:
            write_report()
            raise

    kwargs: dict[str, Any] = {}
    if target.mutate is not None:
        mutate = target.mutate

        def custom(data: bytes, max_size: int, seed: int) -> bytes:
            rng = random.Random(seed)
            if rng.random() < 0.3:
                return atheris.Mutate(data, max_size)
            out = mutate(data, rng)
            return out[:max_size]

        kwargs["custom_mutator"] = custom
    corpus = Path(tempfile.mkdtemp(prefix=f"jixiao-corpus-{name}-", dir=os.environ.get("JIXIAO_FUZZ_TMP")))
    longest = 0
    for i, seed in enumerate(target.seeds()):
        (corpus / f"seed{i}").write_bytes(seed)
        longest = max(longest, len(seed))
    CRASH_DIR.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        f"-runs={n}",
        f"-max_len={max(4096, longest * 2)}",
        f"-timeout={int(timeout)}",
        "-rss_limit_mb=4096",
        "-print_final_stats=1",
        f"-artifact_prefix={CRASH_DIR}/{name}-",
        str(corpus),
    ]
    atheris.Setup(argv, one, **kwargs)
    atheris.Fuzz()


def run_atheris(name: str, n: int, timeout: float) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix=f"jixiao-fuzz-{name}-"))  # libFuzzer exits without cleaning up
    report = scratch / "report.json"
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--atheris-worker",
            name,
            "--per-target",
            str(n),
            "--timeout",
            str(timeout),
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        errors="replace",
        cwd=ROOT,
        env={**os.environ, "JIXIAO_FUZZ_TMP": str(scratch)},
    )
    log = proc.stdout + proc.stderr
    m = re.findall(r"Done (\d+) runs", log)
    inputs = int(m[-1]) if m else (json.loads(report.read_text()).get("inputs", 0) if report.exists() else 0)
    shutil.rmtree(scratch, ignore_errors=True)
    crashed = proc.returncode != 0
    crash_list = []
    if crashed:
        saved = re.findall(r"Test unit written to (\S+)", log)
        tail = log[-3000:]
        crash_list.append({"input": saved[-1] if saved else "", "error": tail})
        (CRASH_DIR / f"{name}-atheris.log").write_text(log, encoding="utf-8")
    cov = re.findall(r"cov: (\d+)", log)
    return {
        "target": name,
        "engine": "atheris",
        "inputs": inputs,
        "crashes": 1 if crashed else 0,
        "crash_list": crash_list,
        "outcomes": int(cov[-1]) if cov else 0,
        "seconds": round(time.perf_counter() - start, 1),
        "slowest": None,
    }


def have_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Long fuzz run over every importer (tests/fuzz/targets.py).")
    p.add_argument("--per-target", type=int, default=100_000, metavar="N", help="inputs per target (default 100000)")
    p.add_argument("--targets", help="comma-separated target names (default: all)")
    p.add_argument("--engine", choices=("auto", "atheris", "random"), default="auto")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="targets fuzzed at once")
    p.add_argument("--seed", type=int, default=0, help="seed of the mutation loop")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds one input may take (default 30)")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--atheris-worker", help=argparse.SUPPRESS)
    p.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.atheris_worker:
        atheris_worker(args.atheris_worker, args.per_target, args.timeout, args.report)
        return 0
    engine = args.engine
    if engine == "auto":
        engine = "atheris" if have_atheris() else "random"
    if engine == "atheris" and not have_atheris():
        raise SystemExit("atheris is not installed (pip install atheris)")
    targets = _targets(args.targets)
    print(f"fuzzing {len(targets)} targets × {args.per_target} inputs with {engine}, {args.jobs} at once", flush=True)
    results = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            (
                pool.submit(run_atheris, t.name, args.per_target, args.timeout)
                if engine == "atheris"
                else pool.submit(run_random, t.name, args.per_target, args.seed + i, args.timeout)
            ): t.name
            for i, t in enumerate(targets)
        }
        for fut in as_completed(futures):
            r = fut.result()
            results.append(r)
            print(f"  {r['target']}: {r['inputs']} inputs, {r['crashes']} crashes, {r['seconds']} s", flush=True)
    results.sort(key=lambda r: [t.name for t in targets].index(r["target"]))
    print()
    print(f"{'target':<12} {'engine':<8} {'inputs':>10} {'crashes':>8} {'outcomes':>9} {'seconds':>9}")
    for r in results:
        print(
            f"{r['target']:<12} {r['engine']:<8} {r['inputs']:>10} {r['crashes']:>8} {r['outcomes']:>9} {r['seconds']:>9}"
        )
    total = sum(r["inputs"] for r in results)
    crashes = sum(r["crashes"] for r in results)
    print(f"{'total':<12} {'':<8} {total:>10} {crashes:>8}")
    for r in results:
        for c in r["crash_list"][:5]:
            print(f"\nCRASH in {r['target']}: {c['input']}\n{c['error']}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    short = [r["target"] for r in results if r["inputs"] < args.per_target and not r["crashes"]]
    if short:
        print(f"\nfewer inputs than asked for: {', '.join(short)}")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
