"""A platform sheet updates only the fields it has (jixiao.sheet_update).

``export --profile platform-flat`` then ``import`` stored the sheet as the whole form: the rule
set, kind, goals, budget score, recorded total, narratives, ticks and reasons were lost, and
老干工作经费 went from 98.10 优 / 94.00 to 88.10 良.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import Engine

from jixiao.file_import import import_paths
from jixiao.sheet_update import update_from_sheet
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from jixiao.xlsx.flat import FIELDS, profiles, write_flat
from scorer.model import Budget, Form, FormKind, Goal, Indicator, Recorded
from tests.fuzz import strategies as S
from tests.storage_backends import backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
ROOT = Path(__file__).resolve().parents[1]
ALL = frozenset(FIELDS)
FORM = "老干工作经费"
SECOND = "组织离退休党员学习教育"  # score 4 of 10, with a reason


@pytest.fixture
def store(backend_engine: Engine) -> FormStore:
    s = FormStore(backend_engine, actor="测试")
    s.import_forms(sample_forms())  # type: ignore[arg-type]
    return s


def _export(store: FormStore, path: Path) -> Path:
    (profile,) = [p for p in profiles() if p.name == "platform-flat"]
    write_flat([store.get(f.id).form for f in store.list()], profile).save(path)
    return path


def _edit(path: Path, name: str, **cells: object) -> None:
    """Set cells of the row of indicator ``name``, by header (without the required mark)."""
    wb = load_workbook(path)
    ws = wb.active
    heads = [str(c.value).lstrip("*") for c in ws[1]]
    (row,) = [r for r in ws.iter_rows(min_row=2) if r[heads.index("三级指标")].value == name]
    for head, value in cells.items():
        row[heads.index(head)].value = value
    wb.save(path)


def _stored(store: FormStore) -> dict[str, Form]:
    return {f.project_name: store.get(f.id).form for f in store.list()}


def test_the_platform_sheet_exported_and_imported_again_changes_nothing(store: FormStore, tmp_path: Path) -> None:
    before = _stored(store)
    (done,) = import_paths(store, [_export(store, tmp_path / "flat.xlsx")], jobs=1)
    assert not done.error and [o.outcome for o in done.outcomes] == ["unchanged"] * 9
    assert _stored(store) == before
    assert {f.form_kind for f in before.values()} == {FormKind.PROJECT, FormKind.DEPARTMENT}


def test_a_changed_cell_updates_that_cell_and_nothing_the_sheet_cannot_hold(store: FormStore, tmp_path: Path) -> None:
    old = _stored(store)[FORM]
    sheet = _export(store, tmp_path / "flat.xlsx")
    _edit(sheet, SECOND, 指标值完成情况="≥5", 自评得分="10")
    _edit(sheet, "离退休人员春节重阳慰问", 指标值完成情况="≥290")
    (done,) = import_paths(store, [sheet], jobs=1)
    changed = [o for o in done.outcomes if o.outcome != "unchanged"]
    assert [(o.key.split("/")[-1], o.outcome, o.partial) for o in changed] == [(FORM, "updated", True)]
    new = _stored(store)[FORM]
    by_name = {i.name: i for i in new.indicators}
    assert by_name[SECOND].actual == "≥5" and by_name[SECOND].recorded == Recorded(Decimal(10))  # reason went
    assert by_name["离退休人员春节重阳慰问"].actual == "≥290"
    assert {i.name: i.recorded for i in old.indicators if i.name != SECOND} == {
        i.name: i.recorded for i in new.indicators if i.name != SECOND
    }
    kept = ("rules", "form_kind", "title", "ticks", "total_recorded", "deviation_analysis", "improvement_measures")
    assert [getattr(new, f) for f in kept] == [getattr(old, f) for f in kept]
    assert new.budget == old.budget and new.signoff == old.signoff
    assert [(g.text, g.weight) for g in new.goals] == [(g.text, g.weight) for g in old.goals]
    assert store.get(store.find(FORM).id).form == new


def test_the_cli_says_a_sheet_updated_only_its_columns(tmp_path: Path) -> None:
    env = {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "JIXIAO_USER": "测试",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }

    def jixiao(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, env=env, cwd=ROOT
        )

    assert jixiao("export", "--profile", "platform-flat", "-o", str(tmp_path / "out")).returncode == 0
    sheet = tmp_path / "out" / "platform-flat.xlsx"
    same = jixiao("import", str(sheet))
    assert same.returncode == 0 and "新建 0 份，更新 0 份，未变 9 份" in same.stdout, same.stdout + same.stderr
    _edit(sheet, SECOND, 自评得分="5")
    dry = jixiao("import", "--dry-run", str(sheet))
    assert "数据库中已有的同一表单只更新以上读入的栏目；规则集" in dry.stdout
    done = jixiao("import", str(sheet))
    assert "更新 1 份" in done.stdout and "其中 1 份按平台表更新：只改了表中有的栏目；规则集" in done.stdout
    listed = jixiao("list")
    assert "98.10 优" in listed.stdout, listed.stdout  # the rule score kept its rule set


# ------------------------------------------------------------------ the merge itself


def _ind(name: str, level2: str = "数量指标", **kw: object) -> Indicator:
    return Indicator(level1="产出指标", level2=level2, name=name, target="≥1", actual="1", **kw)  # type: ignore[arg-type]


STORED = Form(
    project_name="p",
    year=2024,
    implementing_unit="u",
    rules="hubei-2020",
    form_kind=FormKind.DEPARTMENT,
    budget=Budget(planned=Decimal(10), executed=Decimal(9), weight=Decimal(10), recorded=Recorded(Decimal(9))),
    goals=(
        Goal(
            "目标一", Decimal(50), (_ind("a", recorded=Recorded(Decimal(5), "理由a")), _ind("b", direction="reverse"))
        ),
        Goal("目标二", Decimal(40), (_ind("c", "质量指标", adjusted_target="≥2"), _ind("a"))),
    ),
    total_recorded=Decimal(90),
    deviation_analysis="分析",
)


def _sheet(*rows: Indicator, **form: object) -> Form:
    return dataclasses.replace(STORED, goals=(Goal(indicators=rows),), **form)  # type: ignore[arg-type]


def _names(form: Form) -> list[list[str]]:
    return [[i.name for i in g.indicators] for g in form.goals]


@pytest.mark.parametrize(
    ("rows", "goals"),
    [
        (["a", "b", "c", "a"], [["a", "b"], ["c", "a"]]),
        (["c", "a", "b", "a"], [["a", "b"], ["c", "a"]]),  # the stored order stays
        (["a", "new", "b", "c", "a"], [["a", "new", "b"], ["c", "a"]]),  # after the row before it
        (["new", "a", "b", "c", "a"], [["new", "a", "b"], ["c", "a"]]),
        (["a", "b", "c", "a", "x", "y"], [["a", "b"], ["c", "a", "x", "y"]]),
        (["a", "c"], [["a"], ["c"]]),  # removed rows; the second "a" was the one dropped
        (["a", "b"], [["a", "b"]]),  # a goal left without rows is dropped
        ([], []),
    ],
    ids=["same", "reordered", "inserted", "first", "appended", "removed", "goal-emptied", "nothing"],
)
def test_rows_are_paired_by_name_and_placed_by_their_neighbour(rows: list[str], goals: list[list[str]]) -> None:
    level2 = {"c": "质量指标"}
    got = update_from_sheet(STORED, _sheet(*(_ind(n, level2.get(n, "数量指标")) for n in rows)), ALL)
    assert _names(got) == goals


def test_a_row_keeps_what_the_sheet_cannot_hold_and_a_reason_only_beside_its_score() -> None:
    sheet = _sheet(
        _ind("a", recorded=Recorded(Decimal(5))),
        _ind("b"),
        _ind("c", "质量指标"),
        _ind("a", recorded=Recorded(Decimal(3))),
    )
    got = update_from_sheet(STORED, sheet, ALL)
    a, b, c, a2 = got.indicators
    assert a.recorded == Recorded(Decimal(5), "理由a") and a2.recorded == Recorded(Decimal(3))
    assert (b.direction, c.adjusted_target) == ("reverse", "≥2")
    changed = update_from_sheet(STORED, dataclasses.replace(sheet), ALL - {"score"})
    assert [i.recorded for i in changed.indicators] == [i.recorded for i in STORED.indicators]
    moved = _sheet(_ind("a", recorded=Recorded(Decimal(4))), _ind("b"), _ind("c", "质量指标"), _ind("a"))
    assert update_from_sheet(STORED, moved, ALL).indicators[0].recorded == Recorded(Decimal(4))


@pytest.mark.parametrize(
    ("holds", "department", "budget"),
    [
        (ALL, "新部门", (Decimal(20), None)),
        (ALL - {"executed"}, "新部门", (Decimal(20), Decimal(9))),
        (ALL - {"planned", "executed", "department"}, "", (Decimal(10), Decimal(9))),
    ],
    ids=["all", "no-executed-column", "no-money-columns"],
)
def test_form_fields_come_from_the_sheet_only_where_it_has_their_column(
    holds: frozenset[str], department: str, budget: tuple[Decimal | None, Decimal | None]
) -> None:
    sheet = _sheet(
        *STORED.indicators,
        department="新部门",
        budget=Budget(planned=Decimal(20)),
        rules=None,
        form_kind=FormKind.PROJECT,
    )
    own = frozenset({"form_kind", "total", "budget_score", "rate", "deviation_analysis", "improvement_measures"})
    got = update_from_sheet(STORED, sheet, holds - own)  # a sheet without the form's own score columns
    assert update_from_sheet(STORED, sheet, holds).form_kind is FormKind.PROJECT  # with them: the sheet's
    assert (got.department, got.budget.planned, got.budget.executed) == (department, *budget)
    assert (got.rules, got.form_kind, got.budget.recorded, got.total_recorded) == (
        "hubei-2020",
        FormKind.DEPARTMENT,
        Recorded(Decimal(9)),
        Decimal(90),
    )


def _flat(form: Form) -> Form:
    """What a platform sheet holds of ``form``: its rows in one goal, only the columns' fields."""
    rows = tuple(
        Indicator(
            level1=i.level1,
            level2=i.level2,
            name=i.name,
            target=i.target,
            actual=i.actual,
            weight=i.weight,
            recorded=Recorded(i.recorded.score) if i.recorded else None,
            deviation=i.deviation,
        )
        for i in form.indicators
    )
    return Form(
        project_name=form.project_name,
        department=form.department,
        implementing_unit=form.implementing_unit,
        year=form.year,
        form_kind=form.form_kind,
        budget=Budget(
            planned=form.budget.planned,
            executed=form.budget.executed,
            rate_text=form.budget.rate_text,
            recorded=Recorded(form.budget.recorded.score) if form.budget.recorded else None,
        ),
        goals=(Goal(indicators=rows),),
        total_recorded=form.total_recorded,
        deviation_analysis=form.deviation_analysis,
        improvement_measures=form.improvement_measures,
    )


@settings(max_examples=60, deadline=None)
@given(S.forms())
def test_any_form_updated_from_its_own_sheet_is_itself(form: Form) -> None:
    assert update_from_sheet(form, _flat(form), ALL) == form


@settings(max_examples=60, deadline=None)
@given(S.forms(), S.forms(), st.sets(st.sampled_from(sorted(FIELDS))).map(frozenset))
def test_what_a_sheet_cannot_hold_survives_any_sheet(stored: Form, other: Form, holds: frozenset[str]) -> None:
    got = update_from_sheet(stored, _flat(other), holds)
    for f in ("rules", "title", "ticks", "signoff"):
        assert getattr(got, f) == getattr(stored, f)
    money = {"planned": None, "executed": None, "rate_text": "", "recorded": None}
    assert dataclasses.replace(got.budget, **money) == dataclasses.replace(stored.budget, **money)
    assert got.budget.recorded == (stored.budget.recorded if "budget_score" not in holds else got.budget.recorded)

    def keys(form: Form) -> list[tuple[str, str, str]]:  # a level without its column is not the sheet's
        return sorted(
            (i.level1 if "level1" in holds else "", i.level2 if "level2" in holds else "", i.name)
            for i in form.indicators
        )

    assert keys(got) == keys(other)
    texts = {(g.text, g.weight) for g in stored.goals}
    assert all((g.text, g.weight) in texts for g in got.goals if g.text or g.weight is not None)


# ------------------------------------------------------------------ review: pairing and names


def _without_levels(form: Form) -> Form:
    """``form``'s sheet where the platform export has no 一级/二级 columns: those cells are blank."""
    rows = tuple(dataclasses.replace(i, level1="", level2="") for i in _flat(form).indicators)
    return dataclasses.replace(_flat(form), goals=(Goal(indicators=rows),))


@pytest.mark.parametrize(
    "missing",
    [frozenset({"level1"}), frozenset({"level2"}), frozenset({"level1", "level2"})],
    ids=["no-level1-column", "no-level2-column", "no-level-columns"],
)
def test_a_sheet_without_a_level_column_pairs_its_rows_by_what_it_has(missing: frozenset[str]) -> None:
    """Paired by (一级, 二级, 三级) with the blank levels of a sheet that has no such column, every
    row was new: each stored row was dropped with its goal, direction, adjusted target and reason."""
    sheet = _flat(STORED)
    rows = tuple(
        dataclasses.replace(i, **{f: "" for f in missing})  # type: ignore[arg-type]
        for i in sheet.indicators
    )
    got = update_from_sheet(STORED, dataclasses.replace(sheet, goals=(Goal(indicators=rows),)), ALL - missing)
    assert got == STORED


def test_a_third_level_name_that_starts_like_a_code_is_read_as_written(tmp_path: Path) -> None:
    """「0-6岁儿童健康管理率」was read as「6岁儿童健康管理率」: the stored row, not found by that name,
    was dropped and a new one added, losing what the sheet cannot hold."""
    from jixiao.xlsx import read_workbook

    names = ["0-6岁儿童健康管理率", "COVID-19疫苗接种率", "3-6岁幼儿入园率", "A-级景区数量"]
    form = _flat(_sheet(*(_ind(n) for n in names)))
    (profile,) = [p for p in profiles() if p.name == "platform-flat"]
    write_flat([form], profile).save(tmp_path / "flat.xlsx")
    (back,) = read_workbook(tmp_path / "flat.xlsx")
    assert [i.name for i in back.indicators] == names
    stored = _sheet(*(_ind(n, direction="positive") for n in names))
    assert update_from_sheet(stored, back, ALL) == stored  # each stored row found again


def test_a_stored_declaration_is_left_out_of_the_platform_sheet(tmp_path: Path) -> None:
    """The platform sheet is a 自评指标表: with a 申报表 in it, importing it again failed whole (that
    form is in the declaration stage), and on another database it became a 0.00 差 self-evaluation."""
    env = {"XDG_DATA_HOME": str(tmp_path / "d"), "JIXIAO_USER": "测试", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def jixiao(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, env=env, cwd=ROOT
        )

    sample = ROOT / "samples" / "2024-binjiang-shuchuang.toml"
    assert jixiao("targets", "derive", "--year", "2025", "-o", str(tmp_path / "decl"), str(sample)).returncode == 0
    assert jixiao("targets", "declare", *map(str, (tmp_path / "decl").glob("*.toml"))).returncode == 0
    done = jixiao("export", "--profile", "platform-flat", "-o", str(tmp_path / "out"))
    assert done.returncode == 0 and "导出 9 份表单" in done.stdout and "1 份绩效目标申报表未导出" in done.stderr
    again = jixiao("import", str(tmp_path / "out" / "platform-flat.xlsx"))
    assert again.returncode == 0 and "未变 9 份" in again.stdout, again.stdout + again.stderr
    only = jixiao("export", "--profile", "platform-flat", "-o", str(tmp_path / "o2"), "--year", "2025")
    assert only.returncode == 1 and not (tmp_path / "o2" / "platform-flat.xlsx").exists()


FAMILY = dataclasses.replace(
    STORED,
    goals=(
        Goal(
            indicators=(
                _ind("P", weight=Decimal(20)),
                _ind("a", weight=Decimal(10), sub=True),
                _ind("b", weight=Decimal(10), sub=True),
                _ind("Q", weight=Decimal(30)),
            )
        ),
    ),
)


@pytest.mark.parametrize(
    ("rows", "shown"),
    [
        (["P", "X", "a", "b", "Q"], ["P", "└ a", "└ b", "X", "Q"]),  # X took over a and b: 20 points more
        (["P", "a", "X", "b", "Q"], ["P", "└ a", "└ b", "X", "Q"]),
        (["P", "a", "b", "X", "Q"], ["P", "└ a", "└ b", "X", "Q"]),
        (["X", "P", "a", "b", "Q"], ["X", "P", "└ a", "└ b", "Q"]),
        (["P", "a", "b", "Q", "X"], ["P", "└ a", "└ b", "Q", "X"]),
        # the parent removed: its sub-rows stand alone, not under the row above (Q(30){a, b}: 100 → 70)
        (["Q", "a", "b"], ["a", "b", "Q"]),
        (["a", "b", "Q"], ["a", "b", "Q"]),
        (["P", "b", "Q"], ["P", "└ b", "Q"]),
    ],
    ids=["after-parent", "between-sub-rows", "after-family", "first", "last", "orphans", "orphans-first", "one-gone"],
)
def test_a_new_row_never_takes_over_a_familys_sub_rows(rows: list[str], shown: list[str]) -> None:
    sheet = _flat(dataclasses.replace(FAMILY, goals=(Goal(indicators=tuple(_ind(n) for n in rows)),)))
    got = update_from_sheet(FAMILY, sheet, ALL - {"weight"})
    assert [i.shown_name for i in got.indicators] == shown


def _dup(target: str, **kw: object) -> Indicator:
    return Indicator("产出指标", "数量指标", "投诉数", target, "3", weight=Decimal(10), **kw)  # type: ignore[arg-type]


TWINS = dataclasses.replace(
    STORED,
    goals=(
        Goal("目标一", indicators=(_dup("≥10", recorded=Recorded(Decimal(10), "达标"), adjusted_target="≥11"),)),
        Goal("目标二", indicators=(_dup("≤5", recorded=Recorded(Decimal(10)), direction="reverse"),)),
    ),
)


@pytest.mark.parametrize(
    ("kept", "goals"),
    [([0, 1], [["≥10"], ["≤5"]]), ([1], [["≤5"]]), ([0], [["≥10"]])],
    ids=["both", "first-dropped", "second-dropped"],
)
def test_rows_of_one_name_keep_their_own_cells_when_one_is_dropped(kept: list[int], goals: list[list[str]]) -> None:
    """Paired k-th with k-th, the second 投诉数 (≤5, reverse) took the first's adjusted target ≥11 and
    reason once the sheet dropped the first: 3 against ≥11, missed."""
    rows = [TWINS.indicators[k] for k in kept]
    got = update_from_sheet(TWINS, _flat(dataclasses.replace(TWINS, goals=(Goal(indicators=tuple(rows)),))), ALL)
    assert [[i.target for i in g.indicators] for g in got.goals] == goals
    assert list(got.indicators) == rows


def test_sub_rows_whose_parent_the_sheet_removed_do_not_join_the_family_above() -> None:
    """Stored Q(30), P(20){a(10), b(10)}; a sheet without P made Q(30){a, b}: 100 became 70 中."""
    from scorer.weights import family_parents

    q_first = dataclasses.replace(FAMILY, goals=(Goal(indicators=(FAMILY.indicators[3], *FAMILY.indicators[:3])),))
    sheet = _flat(dataclasses.replace(q_first, goals=(Goal(indicators=tuple(_ind(n) for n in "Qab")),)))
    got = update_from_sheet(q_first, sheet, ALL - {"weight"})
    assert [(i.name, i.sub) for i in got.indicators] == [("Q", False), ("a", False), ("b", False)]
    assert family_parents(got) == [None, None, None]
