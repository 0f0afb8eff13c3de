"""A stored form naming a rule set that does not exist stops no reader (written with psql or sqlite3).

``forms.rules`` names a built-in rule set or a .toml file (migration 0032 holds the second). A filler
with psql could write ``rules='nosuch'`` on their own draft; every ``jixiao review``, ``check
--from-db`` and rescore of the department then stopped at 未知规则集. Now that one form is scored
under the default rule set with an error saying so: it is invalid, flagged and counted as an error,
and every other form is read as before.
"""

from __future__ import annotations

import io
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli.app import main
from jixiao.scoring import score_with_its_rules
from jixiao.storage.seed import sample_forms
from scorer.result import ProblemCode
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.tui_support import form_id, seeded_store, settle

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
SAID = "表单所记规则集「nosuch」无法使用"


def _run(*argv: str) -> tuple[int, str]:
    out = Console(file=io.StringIO(), width=240, highlight=False)
    err = Console(file=io.StringIO(), width=240, highlight=False)
    code = main(list(argv), out, err)
    return code, out.file.getvalue() + err.file.getvalue()  # type: ignore[attr-defined]


def test_a_form_naming_no_rule_set_is_invalid_with_the_reason() -> None:
    form = next(f for _, f in sample_forms() if f.project_name == "计划管理费")
    result = score_with_its_rules(replace(form, rules="nosuch"))
    (problem,) = [p for p in result.all_problems if p.code is ProblemCode.UNKNOWN_RULES]
    assert SAID in problem.message and result.invalid
    assert result.rules.name == "national-2020"


@pytest.mark.parametrize(
    ("command", "code"),
    [(("list",), 0), (("review",), 0), (("check", "--from-db"), 1), (("db", "rescore"), 0)],
)
def test_every_reader_goes_on_past_it_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], code: int
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    store = seeded_store(tmp_path, actor="项目负责人")
    path = store.engine.url.database
    with sqlite3.connect(str(path)) as conn:
        conn.execute("UPDATE forms SET rules = 'nosuch', version = version + 1 WHERE project_name = '计划管理费'")
    got, text = _run("--db", f"sqlite:///{path}", *command)
    assert got == code, text
    if command[0] in ("review", "check"):
        assert SAID in text
    if command == ("list",):
        assert "计划管理费" in text and "老干工作经费" in text


@on_pg
def test_a_filler_with_psql_cannot_stop_the_reviewer_s_review(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    fid = setup.form_id("老干工作经费")  # the shangye unit's draft
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET rules = 'nosuch', version = version + 1 WHERE id = %s", (fid,))
    url = setup.url.set(username=setup.logins["admin"], password=PASSWORD).render_as_string(hide_password=False)
    monkeypatch.setenv("JIXIAO_DB", url)
    for command, code in ((("review",), 0), (("check", "--from-db"), 1), (("list",), 0)):
        got, text = _run(*command)
        assert got == code, text
        assert command == ("list",) or SAID in text
    assert len(setup.store.list()) == 9


@pytest.mark.asyncio
async def test_the_tui_opens_it_with_the_reason_and_writes_nothing(tmp_path: Path) -> None:
    """Opening it stopped the whole TUI (the rule-set choice refused a name it did not list)."""
    from textual.widgets import Select

    from indicator_catalog import load_catalog
    from tui import create_app
    from tui.screens.form_editor import FormEditorScreen

    store = seeded_store(tmp_path, actor="项目负责人")
    with sqlite3.connect(str(store.engine.url.database)) as conn:
        conn.execute("UPDATE forms SET rules = 'nosuch', version = version + 1 WHERE project_name = '计划管理费'")
    fid = form_id(store, "计划管理费")
    before = store.get(fid).version
    async with create_app(store, load_catalog()).run_test(size=(100, 30)) as pilot:
        pilot.app.open_form(fid)
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, FormEditorScreen) and screen.result is not None and screen.result.invalid
        assert any(SAID in p.message for p in screen.result.all_problems)
        assert screen.query_one("#h-rules", Select).value == "nosuch"
    after = store.get(fid)
    assert (after.form.rules, after.version) == ("nosuch", before)
