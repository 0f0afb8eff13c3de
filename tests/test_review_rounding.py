"""The review rounds half up, once: a mean of 90.025 is 90.03, on every path and back end.

``Decimal.quantize`` without ``rounding=`` rounds half to even, so the review showed 98.08 for the
mean of 98.08 and 98.09, 94.02 for that of 94.02 and 94.03, and 10.12 万元 for a budget of 10.125;
the 差距 was the difference of two rounded means, up to 0.01 off the mean of the differences.
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
from jixiao.review.aggregate import Filters, aggregate, summed_here
from jixiao.review.sql_groups import exact_mean
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from scorer.model import Form
from tests.storage_backends import BACKENDS, make_backend

UNIT = "舍入测试中心"
MONEY_UNIT = "预算舍入测试中心"


def _laogan() -> Form:
    return next(f for src, f in sample_forms() if src.endswith("2024-shangye-laogan.toml"))


def _variant(name: str, unit: str, planned: str, executed: str, recorded: str) -> tuple[str, Form]:
    f = _laogan()
    budget = dataclasses.replace(f.budget, planned=Decimal(planned), executed=Decimal(executed), rate_text="")
    form = dataclasses.replace(
        f, project_name=name, implementing_unit=unit, budget=budget, total_recorded=Decimal(recorded)
    )
    return name, form


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    backend = make_backend(request.param, tmp_path)
    url, eng = next(backend)
    FormStore(eng, actor="测试").import_forms(
        [
            # 20 × 19.98 / 20 + 78.10 = 98.08 and 98.09 computed; the unit recorded 94.02 and 94.04
            _variant("甲", UNIT, "20", "19.98", "94.02"),
            _variant("乙", UNIT, "20", "19.99", "94.04"),
            _variant("丙", MONEY_UNIT, "10.125", "10.125", "94"),
        ],
        strict=False,
    )
    yield url, eng
    next(backend, None)


def _rows(eng: Engine) -> list:  # type: ignore[type-arg]
    """The unit's row as the database sums it and as Python sums it."""
    by_sql = [g for g in aggregate(eng, "unit", Filters(unit=UNIT)) if g.key == UNIT]
    by_python = [g for g in summed_here(eng, "unit", Filters(unit=UNIT)) if g.key == UNIT]
    return by_sql + by_python


def test_means_and_medians_round_half_up(engine: tuple[str, Engine]) -> None:
    _, eng = engine
    rows = _rows(eng)
    assert len(rows) == 2
    for g in rows:
        assert (g.mean_computed, g.median_computed) == (Decimal("98.09"), Decimal("98.09"))  # 98.085
        assert (g.mean_recorded, g.median_recorded) == (Decimal("94.03"), Decimal("94.03"))  # 94.03 exactly
        # (94.02 − 98.08 + 94.04 − 98.09) / 2 = −4.055: −4.06, not 94.03 − 98.08 (a half-even mean) = −4.05
        assert g.gap == Decimal("-4.06")


def test_a_mean_of_a_half_hundredth_rounds_up_and_a_negative_one_away_from_zero() -> None:
    assert exact_mean(9001 + 9004, 2) == Decimal("90.03")  # 90.025
    assert exact_mean(-8105, 2) == Decimal("-40.53")  # −40.525, as 四舍五入 rounds it


def test_the_terminal_shows_the_budget_rounded_half_up(
    engine: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = engine
    monkeypatch.setenv("JIXIAO_DB", url)  # a password is refused on the command line
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["review", "--unit", MONEY_UNIT],
        out=Console(file=out, width=160, color_system=None),
        err=Console(file=err, width=160, color_system=None),
    )
    assert code == 0, err.getvalue()
    line = next(x for x in out.getvalue().splitlines() if MONEY_UNIT in x)
    assert "10.13" in line and "10.12" not in line  # 10.125 万元
