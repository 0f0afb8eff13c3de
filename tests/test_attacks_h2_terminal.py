"""A name from a form or a file neither drives the reader's terminal nor stops the command.

``jixiao.safe_text.display`` exists so that text from forms (ESC starts a sequence that moves the
cursor, clears the screen or retitles the window) never reaches a terminal as such, and Rich reads a
plain string as markup, where ``[/x]`` is an error. A filler with psql (or any unit, in a form file)
named a project ``滨江[/x]␛[1A…`` and a row ``名[/x]称``: the reviewer's ``jixiao recheck FORM`` and
``jixiao evidence list FORM`` stopped with 内部错误 (MarkupError), before and after writing a 复核,
and printed the escape sequences raw; ``jixiao review`` printed a cross-form finding's text raw; and
``jixiao verify`` printed the metadata, certificate names and file names of the file it judges raw,
so a forged file could repaint the verdict below them. Each now shows such text as ``display`` does.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.checks.model import Finding
from jixiao.cli import main
from jixiao.cli.review import portfolio_table
from scorer.result import Severity
from tests.conftest import SAMPLES
from tests.role_setup import JINGKE, PASSWORD, SHANGYE, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's draft (the filler "shangye"), in the reviewer's department, every row weighed
HOSTILE = "[/x]\x1b[1A\x1b[2K\x1b]0;pwned\x07"  # markup that does not parse, cursor up, erase line, window title


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=160, highlight=False, color_system=None),
        err=Console(file=err, width=160, highlight=False, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue() + err.getvalue()


def _as(setup: Setup, who: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = setup.url.set(username=setup.logins[who], password=PASSWORD).render_as_string(False)
    monkeypatch.setenv("JIXIAO_DB", url)
    monkeypatch.setenv("JIXIAO_USER", who)


def _submitted_with_hostile_names(setup: Setup) -> tuple[int, str]:
    """The unit's filler names the project and its first row with markup and escapes, then submits."""
    fid = setup.form_id(OWN)
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE forms SET project_name = %s WHERE id = %s", (f"老干工作经费{HOSTILE}", fid))
        conn.execute(
            "UPDATE indicators SET name = %s WHERE id = (SELECT min(i.id) FROM indicators i WHERE i.form_id = %s)",
            (f"名{HOSTILE}称", fid),
        )
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
        (name,) = conn.execute("SELECT name FROM indicators WHERE form_id = %s ORDER BY id LIMIT 1", (fid,)).fetchone()
    return fid, name


def _harmless(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output
    assert "内部错误" not in output


@on_pg
def test_the_reviewers_recheck_listing_is_neither_stopped_nor_driven(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    fid, _ = _submitted_with_hostile_names(setup)
    _as(setup, "reviewer", monkeypatch)
    code, output = _run("recheck", str(fid))
    assert code == 0, output
    _harmless(output)
    assert "名[/x]␛[1A␛[2K␛]0;pwned␇称" in output  # shown, visibly


@on_pg
def test_the_reviewer_writes_a_recheck_of_such_a_row_and_sees_it(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    fid, name = _submitted_with_hostile_names(setup)
    _as(setup, "reviewer", monkeypatch)
    code, output = _run("recheck", str(fid), name, "--score", "1", "-m", "意见[/y]")
    assert code == 0, output
    _harmless(output)
    assert "已记录复核" in output and "意见[/y]" in output
    code, output = _run("review")  # the department's review lists the 复核 with its opinion
    assert code == 0, output
    _harmless(output)
    assert "意见[/y]" in output


@on_pg
def test_the_evidence_listing_is_neither_stopped_nor_driven(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    fid, _ = _submitted_with_hostile_names(setup)
    _as(setup, "reviewer", monkeypatch)
    code, output = _run("evidence", "list", str(fid))
    assert code == 0, output
    _harmless(output)


@on_pg
def test_a_snapshot_that_is_not_one_is_named_harmlessly(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """A filler's monitoring row with psql whose forecast is no forecast: the reviewer is warned of it."""
    fid = setup.form_id(OWN)
    data = {"year": 2024, "implementing_unit": "武昌区商业行业离退休人员管理服务中心", "project_name": OWN, "months": 6}
    data["rows"] = [{"indicator": "老干工作经费", "to_date": "1", "forecast": f"不能{HOSTILE}"}]
    with setup.connect("shangye") as conn:
        conn.execute(
            "INSERT INTO monitoring (form_id, months, data, actor, at) VALUES (%s, 6, %s, '', now())",
            (fid, json.dumps(data, ensure_ascii=False)),
        )
    _as(setup, "reviewer", monkeypatch)
    code, output = _run("monitor", "check", "--from-db")
    assert code == 0, output
    _harmless(output)
    assert "不能[/x]␛[1A" in output


@on_pg
def test_the_target_review_names_a_declaration_harmlessly(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A unit declares next year's targets under a hostile project name; the reviewer reviews them."""
    assert (
        _run("targets", "derive", str(SAMPLES / "2024-shangye-laogan.toml"), "--year", "2025", "-o", str(tmp_path))[0]
        == 0
    )
    (decl,) = tmp_path.glob("*.toml")
    text = decl.read_text(encoding="utf-8").replace(
        'project_name = "老干工作经费"', 'project_name = "老干[/x]\\u001b[1A"'
    )
    decl.write_text(text, encoding="utf-8")
    with setup.connect("admin") as conn:  # the unit's 主管部门, which the database gives its forms
        conn.execute("INSERT INTO units (name, department, created_at) VALUES (%s, %s, now())", (SHANGYE, JINGKE))
    _as(setup, "shangye", monkeypatch)
    assert _run("targets", "declare", str(decl))[0] == 0
    _as(setup, "reviewer", monkeypatch)
    code, output = _run("targets", "check", "--from-db", "--year", "2025", "--opinion")
    _harmless(output)
    assert "老干[/x]␛[1A" in output and code in (0, 1)


def test_a_cross_form_finding_is_shown_harmlessly() -> None:
    found = Finding(
        "copied-narrative", Severity.WARNING, f"「企业管理费{HOSTILE}」的说明与另一表相同", f"2024/单位{HOSTILE}/x", ""
    )
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(portfolio_table([found], 10))
    _harmless(out.getvalue())
    assert "␛[1A" in out.getvalue()


def test_verify_shows_what_a_forged_file_says_harmlessly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfWriter

    monkeypatch.delenv("JIXIAO_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.add_metadata({"/JixiaoFormKey": f"2024/单位/伪造{HOSTILE}", "/JixiaoRules": f"r{HOSTILE}"})
    forged = tmp_path / f"伪造{HOSTILE.replace('/', '_')}.pdf"
    with forged.open("wb") as f:
        w.write(f)
    code, output = _run("verify", str(forged))
    assert code == 1
    _harmless(output)
    assert "伪造[/x]␛[1A" in output and "不通过" in output


class _Cells:
    """What a DataTable is given: the review screen's rows, without an app to draw them."""

    def __init__(self) -> None:
        self.cells: list[object] = []

    def add_column(self, label: str) -> None:
        pass

    def add_row(self, *cells: object) -> None:
        self.cells.extend(cells)

    def text(self) -> str:
        return "".join(c.plain if hasattr(c, "plain") else str(c) for c in self.cells)


def test_the_review_screen_shows_names_and_cells_harmlessly() -> None:
    """The TUI's review screen (key R) put a form's name and a row's cells into its table as they were."""
    from dataclasses import replace
    from decimal import Decimal
    from types import SimpleNamespace

    from jixiao.workflow import State
    from scorer.engine import score_form
    from scorer.formfile import load_form
    from tui.screens.review import _fill_forms, _fill_indicators

    form = load_form(SAMPLES / "2024-shangye-laogan.toml")
    goal = form.goals[0]
    first = replace(goal.indicators[0], name=f"名{HOSTILE}", target=f"≥{HOSTILE}", actual=f"≥{HOSTILE}")
    form = replace(form, goals=[replace(goal, indicators=[first, *goal.indicators[1:]]), *form.goals[1:]])
    table = _Cells()
    _fill_indicators(table, list(score_form(form).indicators))  # type: ignore[arg-type]
    summary = SimpleNamespace(
        project_name=f"老干{HOSTILE}",
        rate=None,
        total_computed=Decimal("98.1"),
        total_recorded=None,
        grade="优",
        status=State.SUBMITTED,
        problems=1,
    )
    _fill_forms(table, [summary])  # type: ignore[arg-type]
    _harmless(table.text())
    assert "␛[1A" in table.text()


@pytest.mark.parametrize("width", range(20, 61))
def test_a_cross_form_finding_never_breaks_a_number_across_lines(width: int) -> None:
    """Rich folded a finding anywhere, so 「2024年项目支出总额」 was shown as 「20」 and 「24年…」 on two lines: a
    reviewer reads 20 and 24. The finding now breaks between characters and words, never inside a number."""
    message = "绩效自评情况说明称共涉及项目12个，资金2024年项目支出总额4291.37万元，而自评表合计1406.67万元"
    found = Finding("x", Severity.WARNING, message, form_key="2024/武昌区经科局/部门整体支出")
    out = io.StringIO()
    Console(file=out, width=width + 7, color_system=None).print(portfolio_table([found], 10, width=width + 7))
    shown = [x.rstrip() for x in out.getvalue().splitlines()]
    lines = shown[next(i for i, x in enumerate(shown) if x.startswith("[警告]")) :]
    for upper, lower in zip(lines, lines[1:], strict=False):
        assert not (upper[-1:].isdigit() or upper[-1:] in ".,") or not lower.strip()[:1].isdigit(), (upper, lower)
    joined = "".join(x[7:] if x.startswith("       ") else x.split("] ", 1)[-1] for x in lines)
    assert joined.replace(" ", "") == f"武昌区经科局·{message}".replace(" ", "")  # a break drops only its space
