"""The drafted 绩效自评情况说明 states each amount as its form does: every digit, and never a 0 for a blank.

It rounded to two places (26.1045 万元, i.e. 261,045 元, became 26.1) and wrote a missing 执行数 as
「执行数为0万元」: jixiao's own draft then failed ``check-disclosure`` against its own forms, and a
published 0 said the money was not spent when the form did not say.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from jixiao.checks.narrative_checks import check_narrative
from jixiao.publish.narrative import draft_narrative
from jixiao.scoring import score_form
from scorer.formfile import load_form
from scorer.model import Form

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _with_budget(form: Form, name: str, planned: str | None, executed: str | None) -> Form:
    budget = dataclasses.replace(
        form.budget,
        planned=None if planned is None else Decimal(planned),
        executed=None if executed is None else Decimal(executed),
        rate_text="",
    )
    return dataclasses.replace(form, project_name=name, budget=budget)


def _forms() -> list[Form]:
    project = load_form(SAMPLES / "2024-shangye-laogan.toml")
    department = load_form(SAMPLES / "2024-jingkeju-zhengti.toml")
    return [
        _with_budget(project, "元位项目经费", "30", "26.1045"),
        _with_budget(project, "未填执行数经费", "12.5", None),
        _with_budget(department, department.project_name, "4291.3712", None),
    ]


def test_the_draft_states_every_digit_and_no_zero_for_a_blank() -> None:
    forms = _forms()
    text = draft_narrative([score_form(f) for f in forms], 2024)
    assert "项目全年预算数为30万元，执行数为26.1045万元，完成预算的87.02%" in text
    assert "项目全年预算数为12.5万元，表中未填执行数。" in text
    assert "资金4,291.3712万元，表中未填执行数；" in text
    assert "共涉及项目2个，资金42.5万元" in text
    assert "执行数为0万元" not in text and "执行数0万元" not in text


def test_the_draft_passes_its_own_check() -> None:
    forms = _forms()
    text = draft_narrative([score_form(f) for f in forms], 2024)
    assert [f.message for f in check_narrative(text, forms)] == []
