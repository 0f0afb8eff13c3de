"""A form's 问题 count is one number wherever a reviewer reads it: `jixiao list`, the TUI's list and
editor, `check --from-db` (its 表内问题) and `review --json` all count the form's own checks
(``run_form_checks``). The list counted the scoring engine's problems instead (老干工作经费: 2 in the
list, 3 in check), and the editor added the evidence findings in (4). Findings beyond the form's own
checks (evidence, monitoring, across forms) are said apart, never added in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indicator_catalog import load_catalog
from jixiao.checks import run_form_checks
from jixiao.checks.evidence_checks import evidence_findings
from jixiao.scoring import score_form
from jixiao.storage.store import FormStore
from tests.tui_support import form_id, seeded_store, settle
from tui import create_app
from tui.screens.form_editor import FormEditorScreen

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    return seeded_store(tmp_path, actor="项目负责人")


def _own(store: FormStore) -> dict[str, int]:
    return {s.project_name: len(run_form_checks(score_form(store.get(s.id).form, None, CATALOG))) for s in store.list()}


def _cli(store: FormStore, *argv: str) -> str:
    env = {**os.environ, "COLUMNS": "250", "JIXIAO_USER": "审核人"}
    db = store.engine.url.database
    done = subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", str(db), *argv], capture_output=True, text=True, cwd=ROOT, env=env
    )
    return done.stdout


def test_list_and_check_count_the_forms_own_checks(store: FormStore) -> None:
    own = _own(store)
    assert sorted(set(own.values())) != [0] and any(n == 0 for n in own.values())  # the table has both kinds
    assert {s.project_name: s.problems for s in store.list()} == own
    listed = {}
    for line in _cli(store, "list").splitlines():
        cells = line.split()
        if cells and cells[0].isdigit() and len(cells) > 5:
            name = next(n for n in own if n in line)
            listed[name] = int(cells[-1]) if cells[-1].isdigit() and cells[-2] in ("草稿",) else 0
    assert listed == own
    checked = {}
    for name, n in re.findall(r"\n(\S+) ─+\n#\d+ [^\n]*表内问题 (\d+)", "\n" + _cli(store, "check", "--from-db")):
        checked[next(k for k in own if name.endswith(k))] = int(n)  # 部门整体支出 is labelled with its unit
    assert checked == own


@pytest.mark.asyncio
async def test_the_tui_list_and_editor_show_the_same_count(store: FormStore) -> None:
    own = _own(store)
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = pilot.app.screen.table  # type: ignore[attr-defined]
        shown = {}
        for key in table.rows:
            row = [str(c) for c in table.get_row(key)]
            name = next(n for n in own if any(n == c.strip() or n in c for c in row))
            shown[name] = int(row[-1].strip() or 0)
        assert shown == own
        for name in ("老干工作经费", "企业管理费"):
            pilot.app.open_form(form_id(store, name))
            await settle(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, FormEditorScreen) and screen.result is not None
            evidence = len(evidence_findings(screen.result, []))
            totals = str(screen.query_one("#totals").render())
            if own[name] or evidence:
                assert f"问题 {own[name]}" in totals
                assert (f" + 佐证 {evidence}（p 查看）" in totals) == bool(evidence)
            else:
                assert "问题" not in totals
            await pilot.press("escape")
            await settle(pilot)
