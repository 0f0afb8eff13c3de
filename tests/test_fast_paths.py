"""The fast paths agree with the general ones, row for row.

The cell reader has a one-match path for plain quantities, and the engine a direct
path for the commonest rows (bench/run.py: they carry a province's run). Both are
only allowed to be faster: on every generated and sample cell and row, and on
hypothesis-built ones, they must give exactly what the general code gives,
explanation and problems included.
"""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate
from indicator_catalog import default_catalog
from jixiao.scoring import score_form
from scorer import engine
from scorer.cells import CellError, parse_cell, parse_general, read_cell
from scorer.engine import _score_general, _score_indicator
from scorer.formfile import load_form
from scorer.model import Form, Indicator, Recorded
from scorer.row import _Context
from scorer.rules import available, load
from scorer.weights import allocate_weights

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [load_form(p) for p in sorted((ROOT / "samples").glob("*.toml"))]


@pytest.fixture(scope="module")
def forms() -> list[Form]:
    out: list[Form] = list(SAMPLES)
    for seed in (1, 2, 3):
        out.extend(generate(6000, seed))
    return out


def _read_general(text: str) -> object:
    try:
        return parse_general(text)
    except CellError as exc:
        return ("error", str(exc))


def _read_fast(text: str) -> object:
    cell = read_cell(text)
    return ("error", str(cell)) if isinstance(cell, CellError) else cell


TRICKY = [
    "12月",
    "12月前",
    "2024年底",
    "2024.12",
    "10以上",
    "100万元以内",
    "≥5万",
    "5万",
    "3亿元",
    "1万亿元",
    "１００%",
    "≥ 90%",
    ">=90%",
    "=100%",
    "﹦100%",
    "100元/人",
    "100年",
    "100个以上",
    "100内",
    "5内",
    "100公里以内",
    "3.5倍",
    "10工作日",
    "0",
    "0.000000000001元",
    "0.0000000000001元",
    "1234567890123456户",
    "99.9%（抽检300批次）",
    "100%(百分比)",
    "100百分比",
    "85%-90%",
    "1,276户",
    "12户户",
    "12xyz",
    "7天前",
    "第3名",
    "前10",
    "控制在46.21万元以内",
    "控制在46.21万元",
    "2000人次以上",
    "100人及以上",
    "12月以内",
    "1,231份",
    "1,2345人",
    "1,234,567元",
    "＞20次",
    "≧560人次",
    "９２．７％",
    "不超过26.79万元",
    "不低于 95 %",
    "达到≥5",
    "> =5",
    "保持第1名",
    "保持100%",
    "为100%",
    "达100%以上",
    "≥100以内",
    "以上",
    "5以上以内",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_cell_reader_agrees_on_tricky_cells(text: str) -> None:
    assert _read_fast(text) == _read_general(text)


def test_fast_cell_reader_agrees_on_every_generated_and_sample_cell(forms: list[Form]) -> None:
    cells = {c for f in forms for i in f.indicators for c in (i.target, i.actual)}
    assert len(cells) > 6000
    differ = [c for c in cells if _read_fast(c) != _read_general(c)]
    assert differ == []


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789.,%≥≤<>=﹦ 　万亿千元户人次小时天月年底前第名以上内下（）()~-１２")),
        max_size=12,
    )
)
def test_fast_cell_reader_agrees_on_random_cells(text: str) -> None:
    assert _read_fast(text) == _read_general(text)


def test_parse_cell_raises_a_fresh_error_each_time() -> None:
    with pytest.raises(CellError) as one:
        parse_cell("≥3.5.2%")
    with pytest.raises(CellError) as two:
        parse_cell("≥3.5.2%")
    assert one.value is not two.value
    assert str(one.value) == str(two.value)
    assert "格式有误" in one.value.reason


def _rows(form: Form, rules_name: str) -> list[tuple[Indicator, Decimal, str, int]]:
    rules = load(rules_name)
    weights, _, _ = allocate_weights(form, rules)
    rows = []
    k = 0
    for gi, goal in enumerate(form.goals, 1):
        for ind in goal.indicators:
            w, src = weights[k]
            k += 1
            rows.append((ind, w, src, gi))
    return rows


@pytest.mark.parametrize("rules_name", ["national-2020", "hubei-2020", "linear-capped"])
def test_direct_path_agrees_with_the_general_path_on_every_row(forms: list[Form], rules_name: str) -> None:
    catalog = default_catalog()
    rules = load(rules_name)
    rows = 0
    direct = 0
    for form in forms:
        ctx = _Context(rules, catalog, form.year)
        for ind, w, src, goal in _rows(form, rules_name):
            fast = _score_indicator(ind, w, src, ctx, goal)
            slow = _score_general(ind, w, src, ctx, goal)
            assert fast == slow, ind
            assert fast.explanation == slow.explanation
            rows += 1
    # the direct path must actually carry most rows, or it is dead weight
    calls = []
    real = engine._score_general

    def spy(*args: object) -> object:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    engine._score_general = spy  # type: ignore[assignment]
    try:
        for form in forms[:300]:
            direct += sum(len(g.indicators) for g in form.goals)
            score_form(form, rules, catalog)
    finally:
        engine._score_general = real
    assert rows > 15000
    assert len(calls) < 0.35 * direct


CELLS = ["≥75户", "75户", "80户", "≤24小时", "30小时", "20小时", "=100%", "95%", "100%", "≥5万元", "6万元", "4万元"]
CELLS += [
    "定性指标",
    "完成",
    "基本完成",
    "未完成",
    "圆满完成",
    "提升",
    "20",
    "≥20",
    "排名前10",
    "第3名",
    "90",
    "＞15篇",
]


@settings(max_examples=300, deadline=None)
@given(
    target=st.sampled_from(CELLS),
    actual=st.sampled_from(CELLS),
    name=st.sampled_from(["服务对象满意度", "投诉率", "培训人数", "成本节约率", "项目完成及时率", "新增户数"]),
    weight=st.decimals(min_value=0, max_value=30, places=2),
    recorded=st.one_of(st.none(), st.decimals(min_value=0, max_value=30, places=2)),
    reason=st.sampled_from(["", "据实评分"]),
    rules_name=st.sampled_from(available()),
)
def test_direct_path_agrees_on_random_rows(
    target: str, actual: str, name: str, weight: Decimal, recorded: Decimal | None, reason: str, rules_name: str
) -> None:
    ind = Indicator(
        "产出指标",
        "数量指标",
        name,
        target,
        actual,
        weight,
        None if recorded is None else Recorded(recorded, reason),
    )
    ctx = _Context(load(rules_name), default_catalog(), 2024)
    assert _score_indicator(ind, weight, "form", ctx, 1) == _score_general(ind, weight, "form", ctx, 1)


def test_results_are_values_explained_on_demand() -> None:
    form = next(f for f in SAMPLES if f.total_recorded == Decimal(94))
    one, two = score_form(form), score_form(form)
    assert one.indicators == two.indicators  # the trace compares by value
    back = pickle.loads(pickle.dumps(one.indicators))
    assert back == one.indicators
    for r in one.indicators:
        assert r.explanation and all(isinstance(line, str) and line for line in r.explanation)
    assert all(isinstance(line, str) for line in one.budget.explanation)


def test_a_memoised_error_keeps_no_frames_alive() -> None:
    # an impossible date is raised "from None" inside the reader: the memo must not keep
    # that error's traceback or context (they hold the caller's frames)
    for text in ("2024年2月30日", "排名第十二三名", "≥3.5.2%"):
        cell = read_cell(text)
        assert isinstance(cell, CellError)
        assert cell.__traceback__ is None and cell.__context__ is None and cell.__cause__ is None


def test_long_cells_are_read_but_not_remembered() -> None:
    from scorer import cells

    text = "达到" + "9" * 5 + "人" + "（说明" + "很长" * 200 + "）"
    first = read_cell(text)
    assert first == parse_general(text)
    assert text not in cells._MEMO
    short = "≥12345人"
    read_cell(short)
    assert short in cells._MEMO


def test_a_str_subclass_is_scored_like_a_str() -> None:
    class Cellish(str):
        pass

    rules = load("national-2020")
    ctx = _Context(rules, default_catalog(), 2024)
    plain = Indicator("产出指标", "数量指标", "培训人数", "≥100人", "120人")
    odd = Indicator("产出指标", "数量指标", "培训人数", Cellish("≥100人"), Cellish("120人"))
    assert _score_indicator(odd, Decimal(10), "form", ctx, 1).score == Decimal(10)
    assert _score_indicator(odd, Decimal(10), "form", ctx, 1) == _score_indicator(plain, Decimal(10), "form", ctx, 1)


def test_level_and_recorded_totals_add_up_from_zero() -> None:
    # a recorded -0 or 5E+1 is summed from zero, as before: totals print as 0.00 and 50.00
    base = next(f for f in SAMPLES if f.total_recorded == Decimal(94))
    goal = base.goals[0]
    rows = (
        dataclasses.replace(goal.indicators[0], recorded=Recorded(Decimal("-0"), "x")),
        dataclasses.replace(goal.indicators[1], recorded=Recorded(Decimal("5E+1"), "x")),
    )
    form = dataclasses.replace(base, goals=(dataclasses.replace(goal, indicators=rows),), total_recorded=None)
    result = score_form(form)
    recorded = [lv.recorded for lv in result.levels if lv.recorded is not None]
    assert recorded and all(not str(r).startswith("-") and "E" not in str(r) for r in recorded)
