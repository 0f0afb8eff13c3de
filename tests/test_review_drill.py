"""The TUI review's drill-down shows the forms of the group chosen, its name matched whole.

Choosing the unit 区教育局 filtered by the text it contains, so the forms of 区教育局后勤服务中心
were counted in its money, means and form list too; a group 「（未填）」 (no name) showed every form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jixiao.review.aggregate import Filters, aggregate
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from tests.storage_backends import BACKENDS, make_backend
from tui.screens.review import drilled

BUREAU, CENTRE = "区教育局", "区教育局后勤服务中心"


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    backend = make_backend(request.param, tmp_path)
    _, eng = next(backend)
    laogan = next(f for src, f in sample_forms() if src.endswith("2024-shangye-laogan.toml"))
    forms = [
        (f"{unit}{n}", dataclasses.replace(laogan, implementing_unit=unit, department=BUREAU, project_name=f"项目{n}"))
        for unit, n in ((BUREAU, 1), (CENTRE, 2), (CENTRE, 3))
    ]
    FormStore(eng, actor="测试").import_forms(forms, strict=False)
    yield eng
    next(backend, None)


def test_a_unit_chosen_is_that_unit_only(engine: Engine) -> None:
    chosen = Filters(department=BUREAU, unit=BUREAU, exact=True)
    (group,) = aggregate(engine, "unit", chosen)
    assert (group.key, group.forms, group.planned) == (BUREAU, 1, Decimal(20))
    assert [s.project_name for s in drilled(FormStore(engine, actor="审核"), chosen)] == ["项目1"]


def test_a_department_chosen_holds_its_units_each_once(engine: Engine) -> None:
    chosen = Filters(department=BUREAU, exact=True)
    units = {g.key: g.forms for g in aggregate(engine, "unit", chosen)}
    assert units == {BUREAU: 1, CENTRE: 2}
    assert len(drilled(FormStore(engine, actor="审核"), chosen)) == 3


def test_a_group_without_a_name_is_not_every_form(engine: Engine) -> None:
    assert aggregate(engine, "unit", Filters(unit="", exact=True)) == []
    assert drilled(FormStore(engine, actor="审核"), Filters(unit="", exact=True)) == []
