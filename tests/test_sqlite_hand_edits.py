"""A value jixiao never writes, put into an SQLite file by another tool, is said, not crashed on.

SQLite has no CHECK constraints: a status `bogus`, an amount `abc`, a form kind jixiao does not know or
勾选项 that are no JSON, written with sqlite3 or a database browser, stopped `list` and `review` with
「内部错误」 (exit 3, "这是 jixiao 的缺陷"). They now stop with one Chinese line naming the value, exit 1.

`list` then stopped at that form, listing none of the others; it now lists every other form and names
the unreadable one with why (exit 1 still). `review` still refuses whole: it never sums a partial set.
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


EDITS = [
    ("UPDATE forms SET status = 'bogus' WHERE id = 1", "无法读取的表单状态「bogus」"),
    ("UPDATE forms SET form_kind = 'whole' WHERE id = 1", "无法读取的表单类型「whole」"),
    ("UPDATE forms SET budget_planned = 'abc' WHERE id = 1", "无法读取的数值「abc」"),
    ("UPDATE forms SET computed_total = 'ten' WHERE id = 1", "无法读取的数值「ten」"),
    ("UPDATE forms SET ticks_category = 'notjson' WHERE id = 1", "无法读取的勾选项或监控数据「notjson」"),
]


@pytest.mark.parametrize(("edit", "says"), EDITS)
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


def _run_out(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        argv,
        out=Console(file=out, width=400, color_system=None),
        err=Console(file=err, width=400, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("edit", "says"), [e for e in EDITS if "form_kind" not in e[0]])
@pytest.mark.parametrize("bad_id", [1, 5])
def test_list_shows_every_other_form_and_names_the_unreadable_one(
    seeded: Path, tmp_path: Path, edit: str, says: str, bad_id: int
) -> None:
    db = tmp_path / "edited.db"
    db.write_bytes(seeded.read_bytes())
    with sqlite3.connect(db) as conn:
        conn.execute(edit.replace("id = 1", f"id = {bad_id}"))
        rows = conn.execute("SELECT id, year, implementing_unit, project_name FROM forms ORDER BY id").fetchall()
    code, out, err = _run_out(["--db", f"sqlite:///{db}", "list"])
    assert (code, "内部错误" in err, "Traceback" in err) == (1, False, False), err
    assert "表单（8 份；另有 1 份无法读取，未列出，见下）" in out, out
    (bad,) = [f"{y}/{u}/{p}" for i, y, u, p in rows if i == bad_id]
    assert f"表单 [{bad_id}] {bad} 无法读取，未列出：" in err and says in err and "jixiao db restore" in err, err
    for i, _, _, project in rows:
        assert (project in out) is (i != bad_id), project


def test_review_still_refuses_a_database_with_an_unreadable_form(seeded: Path, tmp_path: Path) -> None:
    """The review sums: with one form left out its means, counts and grades would be wrong; it stops."""
    db = tmp_path / "edited.db"
    db.write_bytes(seeded.read_bytes())
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE forms SET budget_planned = 'abc' WHERE id = 5")
    code, out, err = _run_out(["--db", f"sqlite:///{db}", "review", "--json"])
    assert (code, out) == (1, ""), out
    assert "无法读取的数值「abc」" in err and "内部错误" not in err
