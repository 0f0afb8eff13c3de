"""A bulk load the database refuses for a reason that is no duplicate says that reason.

``_raise_write_error`` took every integrity error for 「…已在数据库中」, naming 「本批表单」 when no form
of the batch was stored: a CHECK (a number out of range, a bound) was reported as a duplicate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from jixiao.storage.bulk import BulkLoadError, _raise_write_error
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms


class _Orig(Exception):
    pass


def test_a_check_the_database_holds_is_said_as_such_not_as_a_duplicate(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    forms = [f for _, f in sample_forms()][:2]
    orig = _Orig('new row for relation "forms" violates check constraint "forms_budget_planned_jixiao_range"')
    with pytest.raises(BulkLoadError) as raised:
        _raise_write_error(engine, IntegrityError("INSERT", {}, orig), forms, 3)
    said = str(raised.value)
    assert "已在数据库中" not in said and "预算数" in said and "本批 2 份已撤销，此前已提交 3 份" in said, said
