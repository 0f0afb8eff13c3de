"""A form file exported by jixiao and imported again under another 项目名称 is refused, not a second form.

Its rows keep their identities (uid); as a new form beside the stored one, the review summed the
project's money twice (预算数 60 万元 for a 30 万元 project). Both ways in are held: the careful
path (``FormStore.import_forms``) and the grouped path of ``jixiao import``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jixiao.file_import import import_paths
from jixiao.review.aggregate import Filters, aggregate
from jixiao.storage.records import StoreError
from jixiao.storage.store import FormStore
from scorer.formwrite import dumps_toml
from scorer.model import Form
from tests.storage_backends import BACKENDS, make_backend

UNIT = "武昌区商业行业离退休人员管理服务中心"


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    backend = make_backend(request.param, tmp_path, seeded=True)
    _, eng = next(backend)
    yield eng
    next(backend, None)


def _stored(store: FormStore) -> Form:
    return store.find("老干工作经费").form  # as exported: its rows carry their identities


def _planned(eng: Engine) -> Decimal:
    return sum((g.planned for g in aggregate(eng, "unit", Filters(unit=UNIT))), Decimal(0))


def test_the_careful_path_refuses_a_renamed_copy(engine: Engine) -> None:
    store = FormStore(engine, actor="填报人")
    renamed = dataclasses.replace(_stored(store), project_name="老干部工作经费")
    with pytest.raises(StoreError, match="老干工作经费（编号 \\d+）的指标行.*未导入"):
        store.import_forms([("改名.toml", renamed)])
    assert _planned(engine) == Decimal(20)


def test_jixiao_import_refuses_it_and_imports_the_rest(engine: Engine, tmp_path: Path) -> None:
    store = FormStore(engine, actor="填报人")
    form = _stored(store)
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(dumps_toml(dataclasses.replace(form, project_name="老干部工作经费")), encoding="utf-8")
    fresh_rows = tuple(
        dataclasses.replace(g, indicators=tuple(dataclasses.replace(i, uid="") for i in g.indicators))
        for g in form.goals
    )
    other = tmp_path / "other.toml"  # another project begun from the same rows, their identities dropped
    other.write_text(
        dumps_toml(dataclasses.replace(form, project_name="另一个项目", goals=fresh_rows)), encoding="utf-8"
    )
    outcomes = list(import_paths(store, [renamed, other], jobs=1))
    assert outcomes[0].error and "像是同一张表改了项目名称" in outcomes[0].error
    assert not outcomes[1].error
    assert _planned(engine) == Decimal(40)  # the stored form and the other project, not the copy


def test_the_same_name_still_updates(engine: Engine, tmp_path: Path) -> None:
    store = FormStore(engine, actor="填报人")
    form = _stored(store)
    changed = dataclasses.replace(form, budget=dataclasses.replace(form.budget, planned=Decimal(30)))
    (outcome,) = store.import_forms([("同名.toml", changed)])
    assert outcome.outcome == "updated"
    assert _planned(engine) == Decimal(30)


def test_two_files_of_one_form_in_one_import(engine: Engine, tmp_path: Path) -> None:
    """Both new to the database and in the same group of the grouped path: the second is refused too."""
    store = FormStore(engine, actor="填报人")
    form = _stored(store)
    goals = tuple(  # rows of a form the database does not hold yet
        dataclasses.replace(
            g, indicators=tuple(dataclasses.replace(i, uid=f"n{gi}-{ii}") for ii, i in enumerate(g.indicators))
        )
        for gi, g in enumerate(form.goals)
    )
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text(dumps_toml(dataclasses.replace(form, project_name="新项目", goals=goals)), encoding="utf-8")
    second.write_text(
        dumps_toml(dataclasses.replace(form, project_name="新项目（改名）", goals=goals)), encoding="utf-8"
    )
    outcomes = list(import_paths(store, [first, second], jobs=1))
    assert not outcomes[0].error
    assert outcomes[1].error and "新项目" in outcomes[1].error and "像是同一张表改了项目名称" in outcomes[1].error
    assert _planned(engine) == Decimal(40)  # the stored form and 新项目, once
