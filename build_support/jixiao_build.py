"""The build backend: setuptools, plus mypy when the compiled scoring core is asked for.

``JIXIAO_MYPYC=1 pip install .`` compiles the scoring core (``scorer``) with mypyc; the plain
``pip install .`` is the pure-Python package and needs no compiler. Only the build's own
requirements differ, so this wraps setuptools' backend and adds mypy to them when asked.
"""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the backend's hooks, unchanged)

MYPYC = ["mypy>=1.10"]


def _with_mypy(requires: list[str]) -> list[str]:
    """``requires``, and mypy when the core is compiled (``JIXIAO_MYPYC=1``)."""
    return requires + (MYPYC if os.environ.get("JIXIAO_MYPYC", "") == "1" else [])


def get_requires_for_build_wheel(config_settings=None):  # type: ignore[no-untyped-def]
    return _with_mypy(_setuptools.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_editable(config_settings=None):  # type: ignore[no-untyped-def]
    return _with_mypy(_setuptools.get_requires_for_build_editable(config_settings))
