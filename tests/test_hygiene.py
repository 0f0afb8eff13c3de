"""Layering: the scoring core imports no UI, database or PDF library."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.tools import tool

FORBIDDEN = ("textual", "sqlalchemy", "reportlab", "pyhanko", "jixiao")


@pytest.mark.parametrize("package", ["scorer", "indicator_catalog", "scorer.engine", "scorer.formfile"])
def test_core_import_pulls_in_no_adapter(package: str) -> None:
    code = (
        f"import sys, {package}\n"
        "from scorer.engine import score_form\n"
        "from scorer.formfile import load_form\n"
        "from pathlib import Path\n"
        "score_form(load_form(next(Path('samples').rglob('*.toml'))))\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        f"bad += ['indicator_catalog'] if 'indicator_catalog' in sys.modules and {package!r} != 'indicator_catalog' else []\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_import_contracts() -> None:
    out = subprocess.run(
        [tool("lint-imports"), "--config", str(ROOT / "pyproject.toml")], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize(
    ("argv", "heavy"),
    [
        (
            ["--help"],
            (
                "sqlalchemy",
                "textual",
                "reportlab",
                "pyhanko",
                "openpyxl",
                "pint",
                "orjson",
                "jixiao.checks",
                "rich.progress",
            ),
        ),
        (
            ["score", "samples/2024-jingkeju-zhengti.toml"],
            (
                "sqlalchemy",
                "textual",
                "reportlab",
                "pyhanko",
                "openpyxl",
                "orjson",
                "multiprocessing",
                "pint",
                "rich.progress",
            ),
        ),
        (["score", "--help"], ("sqlalchemy", "textual", "reportlab", "pyhanko", "openpyxl")),
        (["review", "--help"], ("sqlalchemy", "textual", "reportlab", "pyhanko", "openpyxl")),
        (["targets", "check", "samples"], ("sqlalchemy", "textual", "reportlab", "pyhanko", "openpyxl")),
        (
            ["monitor", "check", "docs/examples/monitoring", "--forms", "samples"],
            ("sqlalchemy", "textual", "reportlab", "pyhanko", "openpyxl"),
        ),
    ],
)
def test_each_command_imports_only_what_it_uses(argv: list[str], heavy: tuple[str, ...]) -> None:
    """Start-up is paid on every command (#18): building the parser loads no database, UI or PDF library."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['jixiao', *{argv!r}]\n"
        "try:\n"
        "    runpy.run_module('jixiao', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('HEAVY:' + ','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", out.stdout[-300:]


def test_every_package_is_installed() -> None:
    """pip install . (not editable) ships only the listed packages: a new one left out works here, not in CI."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("scorer", "indicator_catalog", "jixiao", "tui")
        for p in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found - listed == set()
