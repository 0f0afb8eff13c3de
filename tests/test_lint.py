"""House rules as tests: ruff and mypy on every package, and no module or function over its size."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.tools import tool


def test_ruff() -> None:
    out = subprocess.run([tool("ruff"), "check", "."], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_on_every_package() -> None:
    packages = ["scorer", "indicator_catalog", "jixiao", "tui"]
    out = subprocess.run([tool("mypy"), *packages], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


# ------------------------------------------------------------------ small rooms (issue 17)

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
_PACKAGES = ("scorer", "indicator_catalog", "jixiao", "tui")
_MIGRATIONS = ROOT / "jixiao" / "storage" / "migrations"  # SQL as written once, never edited


def _sources() -> list[Path]:
    return [p for pkg in _PACKAGES for p in (ROOT / pkg).rglob("*.py") if _MIGRATIONS not in p.parents]


def test_no_module_is_over_its_size() -> None:
    big = [
        f"{p.relative_to(ROOT)}（{n} 行）"
        for p in _sources()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert big == [], "按内容拆分：" + "、".join(big)


def test_no_function_is_over_its_size_unless_it_says_why() -> None:
    """A longer function must say why in its docstring ("Kept as one function …")."""
    long = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                why = "Kept as one function" in (ast.get_docstring(node) or "")
                if lines > MAX_FUNCTION_LINES and not why:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}（{lines} 行）")
    assert long == [], "拆成有名字的步骤，或在文档字符串里说明为何不拆：" + "、".join(long)
