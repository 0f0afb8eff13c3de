"""Optional compiled scoring core: ``JIXIAO_MYPYC=1 pip install .`` builds ``scorer`` with mypyc.

Without the variable (the default) nothing is compiled and the package is pure Python. With it,
every ``scorer`` module but the package's ``__init__`` (it loads names lazily, which mypyc does
not support) is compiled; the ``.py`` sources ship beside the compiled modules, and Python loads
the compiled one first. Each extension is optional: where no C compiler works, the build goes on
and the same Python source runs. Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup


def _compiled_core() -> list:  # type: ignore[type-arg]
    if os.environ.get("JIXIAO_MYPYC", "") != "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # asked before the build's requirements (mypy) are installed
        return []
    sources = sorted(str(p) for p in Path("scorer").glob("*.py") if p.name != "__init__.py")
    extensions = mypycify(sources, opt_level="3")
    for ext in extensions:
        ext.optional = True  # no compiler: keep the Python source
    return extensions


setup(ext_modules=_compiled_core())
