"""Optional compiled scoring core: ``JIXIAO_MYPYC=1 pip install .`` builds ``scorer`` with mypyc.

Without the variable (the default) nothing is compiled and the package is pure Python. With it,
every ``scorer`` module but the package's ``__init__`` (it loads names lazily, which mypyc does
not support) is compiled; the ``.py`` sources ship beside the compiled modules, and Python loads
the compiled one first. The compiled modules are all or nothing: mypyc builds one shared library
and a small module per source that loads it, and a half-built set would not import. So if any of
them fails to build (no working C compiler, say), or mypy or mypyc is missing or refuses the
sources, none is installed, a warning says why, and the same Python source runs. Everything else
is declared in pyproject.toml.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext


def _warn(why: str) -> None:
    print(f"jixiao：JIXIAO_MYPYC=1，但{why}；安装纯 Python 的计分核心（结果相同）", file=sys.stderr)


class AllOrNothing(build_ext):
    """Builds every compiled module, or none: on the first failure, drops them all."""

    def build_extensions(self) -> None:
        extensions: list[Any] = list(self.extensions)
        try:
            for ext in extensions:
                self.build_extension(ext)
        except Exception as exc:  # a compiler's error, of whichever class its toolchain raises
            for ext in extensions:
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            self.extensions: list[Any] = []  # nothing to copy in place, nothing to install
            _warn(f"编译失败（{exc}）")


def _compiled_core() -> list[Any]:
    if os.environ.get("JIXIAO_MYPYC", "") != "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # also while pip asks for the build's requirements, before mypy is there
        _warn("未安装 mypy")
        return []
    sources = sorted(str(p) for p in Path("scorer").glob("*.py") if p.name != "__init__.py")
    try:
        return list(mypycify(sources, opt_level="3"))
    except (Exception, SystemExit) as exc:  # mypy's type errors end in SystemExit
        _warn(f"mypyc 未能处理源代码（{exc}）")
        return []


setup(ext_modules=_compiled_core(), cmdclass={"build_ext": AllOrNothing})
