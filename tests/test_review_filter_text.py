"""The review's --unit and --department match the text as typed, as list and export do.

They were LIKE patterns: ``review --unit 测试_心`` counted 测试中心's forms and ``--department %``
every form, while ``list`` with the same filter showed none, so the review's totals covered forms
the reviewer had not asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jixiao.review.aggregate import Filters, aggregate, flagged_forms
from jixiao.storage.store import FormStore
from tests.storage_backends import BACKENDS, make_backend


@pytest.fixture(params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    backend = make_backend(request.param, tmp_path, seeded=True)
    _, engine = next(backend)
    yield engine
    next(backend, None)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(unit="武昌区商业行业离退休人员管理服务中_"),
        Filters(unit="%"),
        Filters(department="武昌区经济信息化和科技创新_"),
        Filters(department="%"),
    ],
    ids=repr,
)
def test_a_wildcard_character_matches_only_itself(seeded: Engine, filters: Filters) -> None:
    store = FormStore(seeded, actor="审核")
    listed = store.count(department=filters.department, unit=filters.unit)
    assert listed == 0
    for by in ("unit", "department", "year", "level1"):
        assert aggregate(seeded, by, filters) == []
    assert flagged_forms(seeded, filters) == []


def test_the_text_itself_still_matches(seeded: Engine) -> None:
    filters = Filters(unit="商业行业离退休")
    assert (
        sum(g.forms for g in aggregate(seeded, "unit", filters))
        == FormStore(seeded, actor="审核").count(unit="商业行业离退休")
        > 0
    )
