"""项目自评覆盖率 states the money not yet self-evaluated to the last digit, as the two amounts it is the
difference of: a gap of 0.0005 万元 (5 元) read 「尚有 0 万元未见自评表」 beside totals that differ."""

from __future__ import annotations

from jixiao.checks import run_portfolio_checks
from scorer.model import FormKind
from tests.test_checks import make, rec


def test_the_gap_is_exact() -> None:
    dept = rec(make(kind=FormKind.DEPARTMENT, project="部门整体支出", unit="区人社局", project_expenditure="200"), "d")
    p1 = rec(make(planned="150", executed="150", project="甲"), "p1")
    p2 = rec(make(planned="49.9995", executed="49.9995", project="乙"), "p2")
    (f,) = [x for x in run_portfolio_checks([dept, p1, p2]) if x.check_id == "project-coverage"]
    assert "预算数合计 199.9995 万元" in f.message
    assert "尚有 0.0005 万元未见自评表" in f.message
