"""A value jixiao never writes, put into an SQLite file by another tool, is said, not crashed on.

SQLite has no CHECK constraints: a status `bogus`, an amount `abc`, a form kind jixiao does not know or
勾选项 that are no JSON, written with sqlite3 or a database browser, stopped `list` and `review` with
「内部错误」 (exit 3, "这是 jixiao 的缺陷"). They now stop with one Chinese line naming the value, exit 1.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli import main
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hand") / "seed.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    FormStore(engine, actor="张三").import_forms(sample_forms())  # type: ignore[arg-type]
    engine.dispose()
    return path


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        argv,
        out=Console(file=out, width=200, color_system=None),
        err=Console(file=err, width=400, color_system=None, soft_wrap=True),
    )
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ("UPDATE forms SET status = 'bogus' WHERE id = 1", "无法读取的表单状态「bogus」"),
        ("UPDATE forms SET form_kind = 'whole' WHERE id = 1", "无法读取的表单类型「whole」"),
        ("UPDATE forms SET budget_planned = 'abc' WHERE id = 1", "无法读取的数值「abc」"),
        ("UPDATE forms SET computed_total = 'ten' WHERE id = 1", "无法读取的数值「ten」"),
        ("UPDATE forms SET ticks_category = 'notjson' WHERE id = 1", "无法读取的勾选项或监控数据「notjson」"),
    ],
)
@pytest.mark.parametrize("command", [["list"], ["review"], ["check", "--from-db"]])
def test_a_value_written_past_jixiao_is_named_with_exit_1(
    seeded: Path, tmp_path: Path, edit: str, says: str, command: list[str]
) -> None:
    db = tmp_path / "edited.db"
    db.write_bytes(seeded.read_bytes())
    with sqlite3.connect(db) as conn:
        conn.execute(edit)
    code, said = _run(["--db", f"sqlite:///{db}", *command])
    if code == 0:  # the list shows the kind as stored and never reads it as one of jixiao's
        assert (command, "form_kind" in edit, "内部错误" in said) == (["list"], True, False), said
        return
    assert (code, "内部错误" in said, "Traceback" in said) == (1, False, False), said
    assert says in said and "jixiao db restore" in said, said
