"""A platform sheet (``export --profile platform-flat``) never carries a form with sub-rows (子项).

The sheet has one row per indicator and no sub-row column. It wrote a parent (父项, whose 权重 and
自评得分 are its sub-rows' summed) beside its sub-rows: the sheet's 权重 summed to 120 for a form of
100, and a platform (or a fresh database) reading it back counted the parent's points twice. Such a
form is now left out, named, with the reason in Chinese, exit 1; the other forms are written, and a
round trip changes no stored form's scores.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console
from sqlalchemy import create_engine

from jixiao.cli import main
from jixiao.storage.store import FormStore
from jixiao.xlsx.flat import SubRowsRefused, has_sub_rows, profiles, write_flat
from scorer.formfile import dumps_toml, load_form
from scorer.model import Budget, Form, Goal, Indicator, Recorded
from tests.conftest import SAMPLES

D = Decimal


def _row(name: str, weight: int, score: int, sub: bool = False) -> Indicator:
    return Indicator(
        "产出指标", "数量指标", name, "≥10个", "10个", weight=D(weight), recorded=Recorded(D(score)), sub=sub
    )


FAMILY = Form(
    project_name="农田示范项目",
    department="区农业局",
    implementing_unit="区农技站",
    year=2024,
    rules="hubei-2020",
    budget=Budget(planned=D(100), executed=D(100), weight=D(10), recorded=Recorded(D(10))),
    goals=(
        Goal(
            text="建成示范区",
            indicators=(
                _row("示范区建设", 20, 20),  # the parent: 20 = 12 + 8, its score theirs summed
                _row("水稻示范", 12, 12, sub=True),
                _row("玉米示范", 8, 8, sub=True),
                _row("培训人次", 70, 70),
            ),
        ),
    ),
    total_recorded=D(100),
)
PLATFORM = next(p for p in profiles() if p.name == "platform-flat")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=200, highlight=False, color_system=None),
        err=Console(file=err, width=200, highlight=False, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


def test_write_flat_refuses_a_form_with_sub_rows_and_names_it() -> None:
    assert has_sub_rows(FAMILY)
    with pytest.raises(SubRowsRefused) as caught:
        write_flat([FAMILY], PLATFORM)
    assert "2024/区农技站/农田示范项目" in str(caught.value) and "重复计算" in str(caught.value)


def test_a_first_row_marked_sub_is_an_ordinary_row_and_is_written() -> None:
    """A goal's first row marked 子项 has no parent: nothing is counted twice, the form is written."""
    lone = Form(project_name="单行", year=2024, goals=(Goal(indicators=(_row("甲", 90, 90, sub=True),)),))
    assert not has_sub_rows(lone)
    assert write_flat([lone], PLATFORM).active.max_row == 2


def _scores(db: str) -> dict[str, tuple[object, ...]]:
    store = FormStore(create_engine(db))
    seen = {}
    for s in store.list():
        result = store.score(store.get(s.id).form)
        seen[s.project_name] = (result.total_computed, result.grade, result.total_recorded, s.version)
    return seen


def test_export_leaves_out_and_names_the_form_and_the_round_trip_keeps_every_score(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    family = tmp_path / "family.toml"
    family.write_text(dumps_toml(FAMILY), encoding="utf-8")
    sample = SAMPLES / "2024-shangye-laogan.toml"
    assert run("--db", db, "import", str(family), str(sample))[0] == 0
    before = _scores(db)
    assert before["农田示范项目"][:2] == (D(100), "优")

    code, out, err = run("--db", db, "export", "--profile", "platform-flat", "-o", str(tmp_path / "out"))
    assert code == 1, out + err
    assert "1 份表单含子项" in err and "2024/区农技站/农田示范项目" in err and "--format xlsx" in err
    assert "导出 1 份表单" in out and "另有 1 份含子项的表单未导出" in out
    sheet = tmp_path / "out" / "platform-flat.xlsx"
    ws = load_workbook(sheet).active
    heads = [str(c.value).lstrip("*") for c in ws[1]]
    rows = [dict(zip(heads, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert {r["项目名称"] for r in rows} == {load_form(sample).project_name}
    weights = sum(D(r["权重"]) for r in rows if r["权重"] is not None)
    assert weights <= 100  # no parent beside its sub-rows

    code, out, err = run("--db", db, "import", str(sheet))
    assert code == 0 and "未变 1 份" in out, out + err
    assert _scores(db) == before  # neither form changed: not the one left out, not the one written
