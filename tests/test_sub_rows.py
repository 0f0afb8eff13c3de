"""Parent rows with sub-rows (子项): the parent's score is its sub-rows' (issue 16, class 6)."""

from __future__ import annotations

import dataclasses
import io
import re
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from jixiao.pdf.layout import render_pdf
from jixiao.scoring import score_form
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.store import FormStore
from scorer.formfile import FormFileError, dumps_toml, form_from_dict, parse_text
from scorer.model import Goal, Indicator
from scorer.result import Status
from scorer.weights import family_parents

D = Decimal


def _form(rows: list[dict[str, object]], rules: str = "hubei-2020") -> object:
    return form_from_dict(
        {
            "year": 2022,
            "project_name": "父子行",
            "implementing_unit": "单位",
            "rules": rules,
            "budget": {"planned": 100, "executed": 100},
            "goals": [{"indicators": rows}],
        }
    )


def _row(name: str, target: str, actual: str, **kw: object) -> dict[str, object]:
    return {"level1": "产出指标", "level2": "数量指标", "name": name, "target": target, "actual": actual, **kw}


OTHERS = [
    {
        "level1": "效益指标",
        "level2": "社会效益指标",
        "name": "受益户",
        "target": "5000户",
        "actual": "5000户",
        "weight": 30,
    },
    {"level1": "满意度指标", "level2": "满意度指标", "name": "满意度", "target": "≥90%", "actual": "95%", "weight": 20},
]


@pytest.mark.parametrize(
    ("children", "parent_weight", "weights", "score", "status"),
    [
        # printed child weights: kept, the parent's weight is theirs summed
        ([("≥10个", "10个", 10), ("≥10个", "5个", 10), ("≥4个", "4个", 10)], None, [10, 10, 10], D(25), Status.PARTLY),
        # a parent weight spread over children without weights
        ([("≥10个", "10个", None), ("≥10个", "10个", None)], 30, [15, 15], D(30), Status.MET),
        # one printed, the rest share what is left
        ([("≥10个", "10个", 20), ("≥10个", "0个", None)], 30, [20, 10], D(20), Status.PARTLY),
        # every child missed
        ([("≥10个", "0个", None), ("≥10个", "0个", None)], 30, [15, 15], D(0), Status.MISSED),
        # a child that cannot be decided leaves the parent to a person
        ([("≥10个", "10个", None), ("完成", "有关工作", None)], 30, [15, 15], None, Status.JUDGEMENT),
    ],
)
def test_parent_score_and_weight_come_from_its_sub_rows(
    children: list[tuple[str, str, int | None]],
    parent_weight: int | None,
    weights: list[int],
    score: Decimal | None,
    status: Status,
) -> None:
    rows = [_row("一、示范区", "≥100亩", "100亩", **({"weight": parent_weight} if parent_weight else {}))]
    for n, (t, a, w) in enumerate(children, 1):
        rows.append(_row(f"{n}、子项", t, a, sub=True, **({"weight": w} if w is not None else {})))
    result = score_form(_form(rows + OTHERS))
    parent, kids = result.indicators[0], result.indicators[1 : 1 + len(children)]
    assert [k.weight for k in kids] == [D(w) for w in weights]
    assert parent.weight == sum(D(w) for w in weights)
    assert parent.score == score and parent.status is status
    assert "子项之和" in "".join(parent.explanation)
    # the total counts each point once: sub-rows, not their parent
    rows_total = sum((r.score or D(0) for r in result.indicators[1:]), D(0))
    assert result.total_computed == (result.budget.score or 0) + rows_total
    weight_total = result.budget.weight + sum((r.weight for r in result.indicators[1:]), D(0))
    assert weight_total == D(100)


def test_a_sub_row_with_no_row_above_in_its_goal_is_an_ordinary_row() -> None:
    ind = Indicator("产出指标", "数量指标", "甲", "1个", "1个", sub=True)
    form = dataclasses.replace(
        _form([_row("头", "1个", "1个")]),
        goals=(Goal(indicators=(Indicator("产出指标", "数量指标", "头", "1个", "1个"),)), Goal(indicators=(ind, ind))),
    )
    assert family_parents(form) == [None, None, 1]


def test_sub_flag_round_trips_through_toml_and_a_wrong_type_is_refused() -> None:
    form = _form([_row("一、示范区", "≥100亩", "100亩", weight=30), _row("1、子项", "≥1个", "1个", sub=True), *OTHERS])
    again = form_from_dict(parse_text(dumps_toml(form), "x.toml", ".toml"))
    assert [i.sub for i in again.indicators] == [False, True, False, False]
    with pytest.raises(FormFileError, match="应为 true 或 false"):
        _form([_row("一", "1个", "1个"), _row("二", "1个", "1个", sub="是")])


def test_sub_rows_are_kept_in_the_database_and_indented_in_the_pdf(tmp_path: Path) -> None:
    form = _form(
        [_row("一、示范区", "≥100亩", "100亩", weight=30), _row("1、水稻子项", "≥1个", "1个", sub=True), *OTHERS]
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'sub.db'}")
    upgrade(engine)
    store = FormStore(engine, actor="测试")
    stored = store.get(store.create(form).id)
    assert [i.sub for i in stored.form.indicators] == [False, True, False, False]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render_pdf(score_form(stored.form)))).pages)
    assert "└" in re.sub(r"\s+", "", text).split("水稻子项")[0][-3:]


def test_toggle_sub_makes_a_row_a_sub_row_and_back_but_not_the_first_row() -> None:
    from jixiao import editing

    form = _form([_row("一", "1个", "1个", weight=30), _row("二", "1个", "1个"), *OTHERS])
    sub = editing.toggle_sub(form, 1)
    assert [i.sub for i in sub.indicators][:2] == [False, True]
    assert editing.toggle_sub(sub, 1).indicators[1].sub is False
    with pytest.raises(editing.EditError, match="没有父项"):
        editing.toggle_sub(form, 0)


@pytest.mark.asyncio
async def test_u_in_the_grid_makes_a_sub_row_saved_and_shown_indented(tmp_path: Path) -> None:
    from indicator_catalog import load_catalog
    from tests.tui_support import settle
    from tui import create_app
    from tui.widgets.indicator_grid import IndicatorGrid

    engine = make_engine(f"sqlite:///{tmp_path / 'tui.db'}")
    upgrade(engine)
    store = FormStore(engine, actor="测试")
    fid = store.create(_form([_row("一、示范区", "≥1个", "1个", weight=30), _row("水稻", "1个", "1个"), *OTHERS])).id
    app = create_app(store, load_catalog(), open_form_id=fid)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(IndicatorGrid)
        grid.focus()
        grid.select_indicator(1)
        await pilot.press("u")
        await settle(pilot)
        assert str(grid.get_cell_at((1, 3))).startswith("└ 水稻")  # type: ignore[arg-type]
    assert [i.sub for i in store.get(fid).form.indicators][:2] == [False, True]


@pytest.mark.parametrize(
    ("children", "flagged"),
    [([10, 10, 10], False), ([10, 10, 30], True), ([10, 10, 5], True)],
    ids=["sums-to-the-total", "twenty-over", "five-short"],
)
def test_a_parent_without_its_own_weight_still_has_its_form_checked_against_the_total(
    children: list[int], flagged: bool
) -> None:
    """A parent's printed weight missing, its sub-rows' counted: every row was printed but the form's
    total was never compared (120 on a 100-point form, no finding)."""
    rows = [_row("一、示范区", "≥100亩", "100亩")]
    rows += [_row(f"{n}、子项", "≥10个", "10个", sub=True, weight=w) for n, w in enumerate(children, 1)]
    result = score_form(_form(rows + OTHERS))
    said = [p.message for p in result.all_problems if p.code.value == "weights-total"]
    assert bool(said) is flagged, said
