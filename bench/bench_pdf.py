"""Benchmark: PDF forms per second, unsigned and signed, over the nine sample forms.

Run:  python bench/bench_pdf.py [--repeat N]

Prints the one-off costs (finding and loading the font, creating and opening a key)
and then, for N rounds over the nine samples, the forms/s of: scoring + rendering
(unsigned), signing an already rendered PDF, rendering + signing, and verifying.
This is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jixiao.pdf.fonts import find_font  # noqa: E402
from jixiao.pdf.layout import render_pdf  # noqa: E402
from jixiao.pdf.sign import load_key, sign_pdf  # noqa: E402
from jixiao.pdf.trial_keys import new_key  # noqa: E402
from jixiao.pdf.verify import verify_pdf  # noqa: E402
from jixiao.scoring import score_form  # noqa: E402
from scorer.formfile import load_form  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def rate(label: str, count: int, seconds: float) -> None:
    print(
        f"  {label:<22} {count:>5} 份  {seconds:7.2f} s  {count / seconds:8.1f} 份/秒  {1000 * seconds / count:7.1f} ms/份"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="rounds over the nine samples (default 5)")
    args = ap.parse_args()
    forms = [load_form(p) for p in sorted(SAMPLES.glob("*.toml"))]
    n = len(forms) * args.repeat

    t = time.perf_counter()
    font = find_font()
    print(
        f"字体：{font.face}（{'嵌入子集' if font.embedded else '未嵌入'}）{font.path}  载入 {time.perf_counter() - t:.2f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        p12 = Path(tmp) / "bench.p12"
        t = time.perf_counter()
        new_key("基准测试", p12, "bench")
        print(f"创建自签名密钥 {time.perf_counter() - t:.2f} s", end="；")
        t = time.perf_counter()
        key = load_key(p12, "bench")
        print(f"打开 .p12 {time.perf_counter() - t:.2f} s")
        # warm up imports and caches
        warm = render_pdf(score_form(forms[0]), font=font)
        verify_pdf(sign_pdf(warm, key))

        print(f"{len(forms)} 份样表 × {args.repeat} 轮：")
        t = time.perf_counter()
        rendered = []
        for _ in range(args.repeat):
            rendered = [render_pdf(score_form(f), font=font) for f in forms]
        rate("计分 + 生成（未签名）", n, time.perf_counter() - t)

        t = time.perf_counter()
        signed = []
        for _ in range(args.repeat):
            signed = [sign_pdf(pdf, key) for pdf in rendered]
        rate("签名（已生成的 PDF）", n, time.perf_counter() - t)

        t = time.perf_counter()
        for _ in range(args.repeat):
            for f in forms:
                sign_pdf(render_pdf(score_form(f), font=font), key)
        rate("计分 + 生成 + 签名", n, time.perf_counter() - t)

        t = time.perf_counter()
        for _ in range(args.repeat):
            for pdf in signed:
                assert verify_pdf(pdf).intact
        rate("验证", n, time.perf_counter() - t)
        sizes = [len(p) for p in rendered]
        ssizes = [len(p) for p in signed]
        print(
            f"文件大小：未签名 {min(sizes) // 1024}–{max(sizes) // 1024} KiB，签名后 {min(ssizes) // 1024}–{max(ssizes) // 1024} KiB"
        )


if __name__ == "__main__":
    main()
