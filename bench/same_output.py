"""Byte-for-byte comparison of every scoring output between a git revision and the working tree.

    python bench/same_output.py REV [--indicators N]

Checks out REV into a temporary worktree, generates one synthetic province (bench/generate.py,
same seed for both), and runs the same commands with each tree's code on the same inputs:
``score`` (tables, --json, --explain) and ``check`` over samples/, tests/corpus/ and the province, and
``import-disclosure`` on every raw text of the corpus.
A refactor (issue 17) must print "相同" for every line; exit 1 on any difference.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    ("samples.json", ["score", "{samples}", "--json"]),
    ("samples.explain", ["score", "{samples}", "--explain"]),
    ("corpus.json", ["score", "{corpus}", "--json"]),
    ("corpus.explain", ["score", "{corpus}", "--explain"]),
    ("check-samples.json", ["check", "{samples}", "--json"]),
    ("check-corpus.txt", ["check", "{corpus}"]),
    ("samples.txt", ["score", "{samples}"]),
    ("corpus.txt", ["score", "{corpus}"]),
    ("province.json", ["score", "{province}", "--json"]),
    ("province.txt", ["score", "{province}"]),
    ("check-province.json", ["check", "{province}", "--json"]),
)


def _commands() -> list[tuple[str, list[str]]]:
    """The scoring commands, and import-disclosure's report on every raw text of the corpus."""
    raw = sorted((ROOT / "tests" / "corpus" / "raw").glob("*.txt"))
    return [*COMMANDS, *((f"disclosure/{p.stem}", ["import-disclosure", str(p)]) for p in raw)]


def _outputs(tree: Path, paths: dict[str, str]) -> dict[str, bytes]:
    """Each command's stdout, stderr and exit status, run with ``tree``'s code (cwd first on sys.path)."""
    out = {}
    for name, argv in _commands():
        cmd = [sys.executable, "-m", "jixiao", *(a.format(**paths) for a in argv)]
        p = subprocess.run(cmd, cwd=tree, capture_output=True, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
        out[name] = p.stdout + b"\n--stderr--\n" + p.stderr + f"\n--exit {p.returncode}--\n".encode()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev")
    ap.add_argument("--indicators", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before, province = Path(tmp) / "before", Path(tmp) / "province"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(before), args.rev], cwd=ROOT, check=True)
        try:
            gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--indicators", str(args.indicators)]
            subprocess.run([*gen, "--out", str(province)], cwd=ROOT, check=True, capture_output=True)
            paths = {
                "samples": str(ROOT / "samples"),
                "corpus": str(ROOT / "tests" / "corpus"),
                "province": str(province),
            }
            old, new = _outputs(before, paths), _outputs(ROOT, paths)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False)
    differ = 0
    for name in new:
        same = old.get(name) == new[name]
        differ += not same
        if not same or not name.startswith("disclosure/"):
            print(f"{'相同' if same else '不同'}  {name}  {len(new[name]):,} 字节")
    reports = [n for n in new if n.startswith("disclosure/")]
    changed = sum(old.get(n) != new[n] for n in reports)
    print(f"import-disclosure：{len(reports)} 份原文的报告，{changed} 项不同；全部输出共 {differ} 项不同")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
