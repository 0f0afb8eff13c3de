"""A formula in an explanation multiplies the numbers the score came from, not their rounded display.

「W × B / A = 8.34 × 5 / 7 = 5.9536…」 did not add up (8.34 × 5 / 7 is 5.9571…): the weight was 8.335,
printed to two places. 「10 × 87.05% = 8.70」 neither (that is 8.705, 8.71): the rate was 87.045%.
A reviewer who checks the arithmetic by hand must get the number the row scored.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.scoring import score_form
from scorer.formfile import form_from_dict


def _form(budget: dict, rows: list[tuple[str, str, str]]) -> object:  # type: ignore[type-arg]
    indicators = [
        {"level1": "产出指标", "level2": "数量指标", "name": name, "target": t, "actual": a, "weight": "8.335"}
        for name, t, a in rows
    ]
    return form_from_dict(
        {
            "format": "jixiao-form/1",
            "year": 2024,
            "project_name": "算式",
            "department": "测试局",
            "implementing_unit": "测试中心",
            "rules": "national-2020",
            "budget": budget,
            "goals": [{"indicators": indicators}],
        }
    )


def test_a_formula_shows_the_weight_it_multiplied() -> None:
    r = score_form(
        _form({"planned": 1, "executed": 1}, [("甲", "≥7", "5"), ("乙", "≤7", "9"), ("丙", "定性指标", "基本完成")])
    )
    text = ["；".join(i.explanation) for i in r.indicators]
    assert "W × B / A = 8.335 × 5 / 7 = 5.9536…，得 5.95" in text[0]
    assert "W × A / B = 8.335 × 7 / 9 = 6.4828…，得 6.48" in text[1]
    assert "得 8.335 × 70% = 5.83" in text[2]
    assert [i.score for i in r.indicators][:2] == [Decimal("8.335") * 5 / 7, Decimal("8.335") * 7 / 9]


def test_the_budget_formula_shows_the_rate_it_multiplied() -> None:
    r = score_form(_form({"planned": 20, "executed": "17.409", "weight": 10}, [("甲", "≥7", "7")]))
    text = "；".join(r.budget.explanation)
    assert "= 87.05%" in text  # the 执行率 as the table shows it
    assert "得分 = 分值 × 执行率 = 10 × 87.045% = 8.70" in text
    assert r.budget.score == Decimal("8.70")
