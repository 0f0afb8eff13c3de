"""The storage check's quick test agrees with its full one: a form passes quickly exactly when
the full check, which writes the messages, would find nothing (``jixiao/storage/validate.py``)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.storage.records import StoreError
from jixiao.storage.validate import (
    MAX_TEXT_CHARS,
    _check_row,
    _clean,
    _form_clean,
    _PlainForm,
    _PlainGoal,
    _PlainIndicator,
    validate_for_storage,
)
from scorer.model import Budget, Form, Goal, Indicator, Recorded

# Text that is fine, and text no database keeps or past the limits of short and free-text columns.
FINE = st.one_of(st.text(max_size=12), st.sampled_from(["", "培训场次", "≥3场", "正常\u3000文本"]))
HOSTILE = st.one_of(
    st.sampled_from(["a\x00b", "x\ud800", "\udfff"]),
    st.integers(min_value=0, max_value=3).map(lambda k: "字" * (255 + k)),
    st.integers(min_value=-1, max_value=1).map(lambda k: "长" * (MAX_TEXT_CHARS + k)),
)
# Mostly fine, with up to two hostile values put in at random places.
TEXTS = st.tuples(
    st.lists(FINE, min_size=12, max_size=12),
    st.lists(st.tuples(st.integers(min_value=0, max_value=11), HOSTILE), max_size=2),
).map(lambda p: [dict(p[1]).get(i, text) for i, text in enumerate(p[0])])
NUMBERS = st.one_of(
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000),
    st.sampled_from([Decimal("1E+15"), Decimal("-1E+15"), Decimal("1E-13"), Decimal("0"), Decimal("999999999999999")]),
)


def _form(texts: list[str], numbers: list[Decimal | None]) -> Form:
    t = iter(texts + [""] * 4)  # 12 texts in 12 places (4 more for safety)
    n = iter(numbers * 2)
    ind = Indicator(
        next(t),
        next(t),
        next(t) or "指标",
        next(t),
        next(t),
        weight=next(n),
        recorded=Recorded(next(n) or Decimal(0), next(t)),
        deviation=next(t),
    )
    return Form(
        project_name=next(t) or "项目",
        implementing_unit="某单位",
        department=next(t),
        year=2024,
        budget=Budget(planned=next(n), executed=next(n)),
        goals=(Goal(next(t), indicators=(ind, dataclasses.replace(ind, name=next(t) or "二"))),),
        deviation_analysis=next(t),
    )


def _rows(form: Form) -> tuple[Any, list[Any]]:
    from jixiao.storage.convert import fill_row

    row: Any = _PlainForm()
    fill_row(row, form, _PlainGoal, _PlainIndicator)
    return row, [row, *row.goals, *(i for g in row.goals for i in g.indicators)]


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.lists(NUMBERS, min_size=4, max_size=4))
def test_the_quick_check_passes_exactly_the_forms_the_full_check_passes(texts: list[str], numbers: list[Any]) -> None:
    try:
        form = _form(texts, numbers)
    except (ValueError, TypeError):  # the model itself refuses it: nothing reaches storage
        return
    _, rows = _rows(form)
    full = [p for r in rows for p in _check_row(r, "")]
    assert _clean(rows) == (not full)
    assert _form_clean(form) == (not full)  # read from the form, without the rows


@pytest.mark.parametrize(
    "change",
    [
        {"project_name": "项目\x00"},
        {"department": "部" * 256},
        {"deviation_analysis": "析" * (MAX_TEXT_CHARS + 1)},
        {"budget": Budget(planned=Decimal("1E+15"))},
    ],
)
def test_a_form_with_a_problem_still_gets_the_full_message(change: dict[str, Any]) -> None:
    ind = Indicator("产出指标", "数量指标", "培训场次", "≥3场", "3场", direction="sideways")
    form = dataclasses.replace(
        Form(project_name="项目", implementing_unit="某单位", year=2024, goals=(Goal("", indicators=(ind,)),)), **change
    )
    with pytest.raises(StoreError) as caught:
        validate_for_storage(form)
    # the storage problem and the bad direction, in the order the full check has always given them
    message = str(caught.value)
    assert "指标方向「sideways」无效" in message and message.index("指标方向") > message.index("不能入库：") + 5


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False),
        st.sampled_from([Decimal("-0"), Decimal("-0.01"), Decimal("1E-6"), Decimal("-1E-6"), Decimal("1E+14")]),
    )
)
def test_the_bulk_paths_quick_number_check_is_the_rule(value: Decimal) -> None:
    """The bulk loader decides most numbers from the exponent alone; it must agree with the one rule."""
    from jixiao.storage.bulk_rows import _number_ok
    from scorer.numbers import out_of_range

    assert _number_ok(value) == (out_of_range(value) == "")
