"""An application entry cannot undo in words a change the data still holds (``jixiao history``).

A filler with psql lowered an indicator's 年度指标值 (its target) through jixiao, which wrote the
entry; then, in a second transaction, raised the form's version (the change an entry needs beside
it) and wrote an entry of their own wording that put the target back ('≥80% → ≥95%, 已按审核意见恢复').
The database stamps the entry's login and time, and the version is a real change, so it was
accepted: the history read as if the target had been restored while the form still said ≥80%, and
nothing marked the entry. The history now marks every entry that names a change of the form which
its transaction's log (``row_changes``) does not hold. Attacked with plain psycopg as the filler.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from jixiao import editing
from jixiao.storage.rowlog_cover import UNFOUNDED
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's draft (the filler "shangye")
ENTRY = (
    "INSERT INTO audit_log (form_id, form_key, at, actor, action, field, label, before, after, reason, version) "
    "VALUES (%s, %s, now(), '', %s, %s, %s, %s, %s, %s, %s)"
)


def _claim(setup: Setup, fid: int, action: str, field: str, label: str, before: str | None, after: str | None) -> None:
    """One transaction: the version raised (a real change) beside an entry of the filler's own wording."""
    key = setup.store.get(fid).key
    with setup.connect("shangye") as conn, conn.transaction():
        row = conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s RETURNING version", (fid,)).fetchone()
        version = row[0] if row else 0
        conn.execute(ENTRY, (fid, key, action, field, label, before, after, "已按审核意见恢复", version))


@on_pg
def test_an_entry_that_puts_a_target_back_in_words_only_is_marked(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    stored = setup.store.get(fid)
    first = stored.form.goals[0].indicators[0]
    setup.store.save(fid, editing.set_cell(stored.form, 0, "target", "≥80%"), stored.version)
    label = f"指标「{first.name}」年初目标值"
    _claim(setup, fid, "update", "goals[0].indicators[0].target", label, "≥80%", first.target)
    assert setup.store.get(fid).form.goals[0].indicators[0].target == "≥80%"
    shown = [(e.label, e.before, e.after) for e in setup.store.history(fid)]
    assert (label, first.target, "≥80%") in shown, shown  # jixiao's own entry of the real change
    assert (label + UNFOUNDED, "≥80%", first.target) in shown, shown


@on_pg
@pytest.mark.parametrize(
    ("action", "field", "label", "before", "after"),
    [
        ("update", "goals[0].indicators[0]", "新增指标「虚构的指标」", None, "≥1 → ≥1"),
        ("update", "budget.planned", "预算数", "10", "20"),
        ("attach", "evidence", "佐证材料", None, "审批单.pdf（SHA-256 0123456789abcdef…）"),
        ("update", "goals[0].indicators[1]", "移动指标「虚构的指标」", "目标 1 第 2 行", "目标 1 第 1 行"),
    ],
)
def test_an_entry_of_a_row_a_sum_or_a_file_that_never_was_is_marked(
    setup: Setup, action: str, field: str, label: str, before: str | None, after: str | None
) -> None:
    fid = setup.form_id(OWN)
    _claim(setup, fid, action, field, label, before, after)
    assert [e.label for e in setup.store.history(fid) if e.label.startswith(label)] == [label + UNFOUNDED]


@on_pg
def test_jixiaos_own_entries_are_never_marked(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    steps = [
        lambda f: editing.set_cell(f, 0, "target", "≥250"),
        lambda f: editing.set_indicator(f, 1, replace(editing.indicator_at(f, 1), direction="reverse")),
        lambda f: editing.set_budget(f, "planned", "21.50"),
        lambda f: editing.insert_row(f, 0)[0],
        lambda f: editing.move_row(f, 1, 1)[0],
        lambda f: editing.delete_row(f, 3),
    ]
    for step in steps:
        stored = setup.store.get(fid)
        setup.store.save(fid, step(stored.form), stored.version)
    setup.store.transition(fid, "submit")
    history = setup.store.history(fid)
    assert len(history) > len(steps)
    assert [e.label for e in history if UNFOUNDED in e.label] == []
