"""The optional compiled scoring core (``JIXIAO_MYPYC=1``, setup.py) and the pure-Python one.

CI runs the scoring tests twice: as installed (pure Python) and against the core compiled with
mypyc (``.ci/run``). Both builds must behave alike; here are the parts where they can differ:
which build is loaded, and whether the frozen values survive the pickling that carries them
into worker processes.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import pickle
import pkgutil
from pathlib import Path

import pytest

import scorer
from indicator_catalog import default_catalog
from jixiao.scoring import score_form
from scorer.formfile import load_form
from scorer.frozen import FrozenValue
from scorer.rules import rules_for

SAMPLES = sorted(Path(__file__).resolve().parents[1].joinpath("samples").glob("*.toml"))
MODULES = [importlib.import_module(f"scorer.{m.name}") for m in pkgutil.iter_modules(scorer.__path__) if not m.ispkg]


def _compiled(module: object) -> bool:
    return not str(getattr(module, "__file__", "")).endswith(".py")


def test_the_core_is_either_all_compiled_or_all_python() -> None:
    """A half-built core (a stale compiled module beside newer sources) would score old rules."""
    kinds = {m.__name__: _compiled(m) for m in MODULES}
    assert len(set(kinds.values())) == 1, kinds
    if os.environ.get("JIXIAO_MYPYC") == "1":  # the compiled CI job must test the compiled build
        assert all(kinds.values()), kinds


def test_no_compiled_module_is_older_than_its_source() -> None:
    """A module edited after an in-place build would run as it was built, not as it reads."""
    stale = []
    for m in MODULES:
        built = Path(str(m.__file__))
        source = built.with_name(m.__name__.rsplit(".", 1)[-1] + ".py")
        if _compiled(m) and built.stat().st_mtime < source.stat().st_mtime:
            stale.append(m.__name__)
    assert stale == [], f"重新编译（JIXIAO_MYPYC=1 python setup.py build_ext --inplace）或删除 .so：{stale}"


def test_every_frozen_dataclass_of_the_core_rebuilds_through_its_constructor() -> None:
    frozen = [
        cls
        for m in MODULES
        for cls in vars(m).values()
        if isinstance(cls, type)
        and cls.__module__ == m.__name__
        and dataclasses.is_dataclass(cls)
        and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    ]
    assert len(frozen) >= 20
    assert [c.__qualname__ for c in frozen if not issubclass(c, FrozenValue)] == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_forms_rules_and_results_survive_pickling(path: Path) -> None:
    """What a worker receives (form, rule set) and sends back equals what was sent."""
    form = load_form(path)
    rules = rules_for(form)
    result = score_form(form, rules, default_catalog())
    for value in (form, rules, result.budget, *result.all_problems):
        back = pickle.loads(pickle.dumps(value))
        assert back == value
        assert type(back) is type(value)
    again = pickle.loads(pickle.dumps(result))
    assert again.total_computed == result.total_computed
    assert again.all_problems == result.all_problems  # derived in __post_init__, rebuilt
    assert [r.explanation for r in again.indicators] == [r.explanation for r in result.indicators]
