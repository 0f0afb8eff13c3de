"""The list's 自评 is the unit's total as ``score`` and ``review`` take it: the form's 总分, else the sum
of every recorded score. A form whose rows were all self-scored but which wrote no 总分 showed no 自评
in ``jixiao list`` and the TUI's lists, while the review counted it in the unit's 自评均分.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from jixiao.cli import main
from jixiao.review.aggregate import Filters, aggregate
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from tests.storage_backends import BACKENDS, make_backend

UNIT = "自评合计测试中心"


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    backend = make_backend(request.param, tmp_path)
    url, eng = next(backend)
    laogan = next(f for src, f in sample_forms() if src.endswith("2024-shangye-laogan.toml"))
    summed = dataclasses.replace(laogan, implementing_unit=UNIT, total_recorded=None)  # rows: 20+20+4+10×5 = 94
    first = summed.goals[0]
    unscored = dataclasses.replace(
        first, indicators=(dataclasses.replace(first.indicators[0], recorded=None), *first.indicators[1:])
    )
    partly = dataclasses.replace(summed, project_name="有一行未自评", goals=(unscored, *summed.goals[1:]))
    FormStore(eng, actor="测试").import_forms([("summed", summed), ("partly", partly)], strict=False)
    yield url, eng
    next(backend, None)


def test_the_list_shows_the_recorded_sum_the_review_counts(engine: tuple[str, Engine]) -> None:
    _, eng = engine
    rows = {r.project_name: r.total_recorded for r in FormStore(eng, actor="审核").list(unit=UNIT)}
    assert rows == {"老干工作经费": Decimal("94.00"), "有一行未自评": None}
    (group,) = aggregate(eng, "unit", Filters(unit=UNIT))
    assert (group.mean_recorded, group.recorded_forms) == (Decimal("94.00"), 1)


def test_jixiao_list_prints_it(engine: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = engine
    monkeypatch.setenv("JIXIAO_DB", url)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["list", "--unit", UNIT],
        out=Console(file=out, width=160, color_system=None),
        err=Console(file=err, width=160, color_system=None),
    )
    assert code == 0, err.getvalue()
    line = next(x for x in out.getvalue().splitlines() if "老干工作经费" in x)
    assert "98.10 优" in line and line.rstrip().split()[-3:-1] == ["94.00", "草稿"]
