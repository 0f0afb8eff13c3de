"""The base of the scoring core's frozen values: they pickle through their constructor.

Forms, rule sets and results cross into worker processes by pickle. A frozen dataclass pickles
by setting its fields one by one, which a compiled build (``JIXIAO_MYPYC=1``, see setup.py)
routes through the frozen ``__setattr__`` and refuses. Rebuilding through ``__init__`` works
both ways, and runs ``__post_init__`` again, so a rebuilt value is checked like a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter
from typing import Any

# per class: its constructor's fields as one tuple (``fields()`` per value was most of pickling a form)
_INIT_VALUES: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _init_values(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    names = [f.name for f in fields(cls) if f.init]
    get: Callable[[Any], tuple[Any, ...]] = (
        (lambda value: tuple(getattr(value, n) for n in names)) if len(names) < 2 else attrgetter(*names)
    )
    _INIT_VALUES[cls] = get
    return get


class FrozenValue:
    """Mixed into every frozen dataclass of ``scorer``; holds no state of its own."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        get = _INIT_VALUES.get(cls) or _init_values(cls)
        return (cls, get(self))
