"""The nine seed forms: every cell parses, and the 94 form scores 94 recorded / 98.10 computed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.scoring import score_form
from scorer.cells import parse_cell
from scorer.formfile import load_form
from scorer.result import Status
from tests.conftest import NINETY_FOUR, SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*.toml"))
ALL_CELLS = sorted(
    {
        (p.name, ind.name, col, text)
        for p in SAMPLE_FILES
        for ind in load_form(p).indicators
        for col, text in (("target", ind.target), ("actual", ind.actual))
    }
)


def test_there_are_nine_seed_forms_with_127_indicators() -> None:
    assert len(SAMPLE_FILES) == 9
    assert sum(len(load_form(p).indicators) for p in SAMPLE_FILES) == 127


@pytest.mark.parametrize(("form", "indicator", "column", "text"), ALL_CELLS)
def test_every_seed_cell_parses(form: str, indicator: str, column: str, text: str) -> None:
    cell = parse_cell(text)
    assert cell.kind.value != "empty", f"{form} {indicator} {column}"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_no_seed_indicator_is_invalid_or_undecided(path) -> None:  # type: ignore[no-untyped-def]
    result = score_form(load_form(path))
    bad = [
        (r.indicator.name, r.status.value, r.explanation)
        for r in result.indicators
        if r.status in (Status.INVALID, Status.JUDGEMENT, Status.EMPTY)
    ]
    assert bad == []


def test_the_94_form() -> None:
    result = score_form(load_form(NINETY_FOUR))
    assert result.rules.name == "hubei-2020"
    assert result.total_recorded == Decimal(94)
    assert result.total_computed == Decimal("98.10")
    assert result.grade == "优"
    assert result.budget.rate == Decimal("1.235") and result.budget.score == 20
    scores = [r.score for r in result.indicators]
    assert [s.quantize(Decimal("0.01")) for s in scores if s is not None] == [
        Decimal(x) for x in ("20.00", "10.00", "10.00", "10.00", "8.10", "10.00", "10.00")
    ]
    differs = {r.indicator.name: r for r in result.indicators if r.differs}
    assert set(differs) == {"组织离退休党员学习教育", "老干工作经费"}
    study = differs["组织离退休党员学习教育"]
    assert study.recorded is not None and study.recorded.score == 4 and study.score == 10
    assert "代表集中学习4次" in study.recorded.reason
    cost = differs["老干工作经费"]
    assert cost.recorded is not None and cost.recorded.score == 10
    assert cost.score is not None and cost.score.quantize(Decimal("0.01")) == Decimal("8.10")
    assert any("23.5%" in line for line in cost.explanation)
    assert any(p.code == "recorded-differs" and p.indicator == "老干工作经费" for p in cost.problems)
