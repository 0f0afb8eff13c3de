"""The numbers the review shows agree with the forms they are summed from.

Each test here is a wrong number once found: the review must show the forms' own money and
rates, on both of its paths (summed by the database and summed in Python) and both back ends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jixiao.review.aggregate import Filters, aggregate, level1_here, summed_here
from jixiao.review.sql_groups import group_rows, level1_rows
from jixiao.scoring import score_form
from jixiao.storage import FormStore
from jixiao.storage.seed import sample_forms
from scorer.formfile import form_from_dict, parse_text
from scorer.model import Form
from tests.storage_backends import BACKENDS, make_backend


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    backend = make_backend(request.param, tmp_path)
    _, eng = next(backend)
    yield eng
    next(backend, None)


def _laogan() -> tuple[str, Form]:
    return next((s, f) for s, f in sample_forms() if s.endswith("shangye-laogan.toml"))


def _without_executed(form: Form) -> Form:
    """The same unit's second project, whose form prints its 预算数 and a rate but no 执行数."""
    budget = dataclasses.replace(form.budget, executed=None, rate_text="100%")
    return dataclasses.replace(form, project_name=f"{form.project_name}（二）", budget=budget)


@pytest.mark.parametrize("by", ["unit", "department", "year", "grade"])
def test_a_form_without_its_executed_amount_does_not_pull_the_rate_down(engine: Engine, by: str) -> None:
    """塘湖镇 2020 (corpus): 预算数 864.2, no 执行数, printed 100%. The review said 0%."""
    source, form = _laogan()
    FormStore(engine, actor="张三").import_forms([(source, form), ("second.toml", _without_executed(form))])
    form_rate = form.budget.executed / form.budget.planned  # 24.7 / 20: the one form that states both
    summed = group_rows(engine, by, Filters().apply)
    assert summed is not None
    for rows in (summed, summed_here(engine, by, Filters()), aggregate(engine, by)):
        rates = {g.rate for g in rows}
        assert rates == {form_rate}, f"{by}: {rates}"


def _corpus(name: str) -> tuple[str, Form]:
    path = Path(__file__).parent / "corpus" / name
    return str(path), form_from_dict(parse_text(path.read_text(encoding="utf-8"), str(path), ".toml"), str(path))


def test_the_level1_review_counts_a_parent_row_once_through_its_sub_rows(engine: Engine) -> None:
    """隆阳区 2022 (corpus) has two 父项 over seven 子项. The review by 一级指标 counted 13 产出 rows
    where 11 carry points, and a 子项 待判断 or missed was counted again on its parent."""
    source, form = _corpus("2022-yunnan-longyang-huafei.toml")
    FormStore(engine, actor="张三").import_forms([(source, form)])
    leaves = [i for i in score_form(form).indicators if i.weight_source != "children"]
    summed = level1_rows(engine, Filters().apply)
    assert summed is not None
    for rows in (summed, level1_here(engine, Filters()), aggregate(engine, "level1")):
        for g in rows:
            mine = [i for i in leaves if i.indicator.level1 == g.key]
            assert g.indicators == len(mine)
            assert g.mean_computed == (sum(i.score for i in mine) / len(mine)).quantize(Decimal("0.01"))
            assert g.warnings == sum(1 for i in mine if i.status.value == "judgement")
            assert g.infos == sum(1 for i in mine if i.status.value in ("missed", "partly"))
        assert sum(g.indicators for g in rows) == len(leaves)
