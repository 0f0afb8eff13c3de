"""The base of the scoring core's frozen values: they pickle through their constructor.

Forms, rule sets and results cross into worker processes by pickle. A frozen dataclass pickles
by setting its fields one by one, which a compiled build (``JIXIAO_MYPYC=1``, see setup.py)
routes through the frozen ``__setattr__`` and refuses. Rebuilding through ``__init__`` works
both ways, and runs ``__post_init__`` again, so a rebuilt value is checked like a new one.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any


class FrozenValue:
    """Mixed into every frozen dataclass of ``scorer``; holds no state of its own."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        values = tuple(getattr(self, f.name) for f in fields(self) if f.init)  # type: ignore[arg-type]
        return (type(self), values)
