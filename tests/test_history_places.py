"""The history names every change around jixiao in Chinese, and a row moved in place is always shown.

``jixiao history`` shows, from the database's own log, what was changed past jixiao. It named a
column it had no label for by its id (``指标·deviation``, ``表单·status`` with ``draft → approved``),
and it never showed a row's place: an indicator moved to another goal with psql (``goal_id``) was
shown to no one, and a move beside a filler's own entry was taken for a save's renumbering. jixiao's
saves delete and insert the rows, so a place changed by an UPDATE is never jixiao's.
"""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from jixiao.storage import rowlog
from jixiao.storage.models import FormRow
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_attacks_h_history_cover import COVER

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's draft (the filler "shangye")
LATIN = re.compile("[A-Za-z_]")


def _update(table: str, key: str, before: Any, after: Any) -> Any:
    return SimpleNamespace(
        table_name=table,
        op="UPDATE",
        at=datetime(2025, 1, 1),
        db_user="jx",
        txid=1,
        before={key: before},
        after={key: after},
    )


@pytest.mark.parametrize("table", sorted(rowlog.TABLES))
def test_every_column_a_change_can_show_is_named_in_chinese(table: str) -> None:
    columns = [c.name for c in FormRow.metadata.tables[table].columns]
    shown = [e for key in columns for e in rowlog.entries([_update(table, key, "1", "2")], {})]
    assert shown, table
    assert [label for _, _, _, label, _, _ in shown if LATIN.search(label)] == []


@pytest.mark.parametrize(
    ("table", "key", "before", "after", "says"),
    [
        ("forms", "status", "draft", "approved", ("草稿", "已审核")),
        ("forms", "stage", "declaration", "evaluation", ("目标申报", "绩效自评")),
        ("forms", "form_kind", "project", "department", ("项目支出", "部门整体支出")),
        ("indicators", "direction", "positive", "reverse", ("正向", "反向")),
        ("indicators", "direction", "", "equal", ("（自动）", "等值")),
        ("indicators", "sub", False, True, ("否", "是")),
        ("forms", "ticks_category", ["区级专项"], ["区级专项", "市级专项"], ("区级专项", "区级专项、市级专项")),
        ("indicators", "actual", "75户", "80户", ("75户", "80户")),
        ("forms", "budget_planned", "20.50", "21.00", ("20.50", "21.00")),  # the digits as stored
    ],
)
def test_values_are_shown_as_a_person_reads_them(
    table: str, key: str, before: Any, after: Any, says: tuple[str, str]
) -> None:
    (entry,) = rowlog.entries([_update(table, key, before, after)], {})
    assert (entry[4], entry[5]) == says


@on_pg
def test_an_indicator_moved_to_another_goal_with_psql_is_in_the_history(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("shangye") as conn, conn.transaction():
        goal = conn.execute("SELECT id FROM goals WHERE form_id = %s ORDER BY position LIMIT 1", (fid,)).fetchone()
        assert goal is not None
        other = conn.execute(
            "INSERT INTO goals (form_id, position, text, weight) VALUES (%s, 1, '另一个目标', NULL) RETURNING id",
            (fid,),
        ).fetchone()
        assert other is not None
        conn.execute(
            "UPDATE indicators SET goal_id = %s, position = 0 WHERE form_id = %s AND goal_id = %s AND position = 2",
            (other[0], fid, goal[0]),
        )
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
    direct = {(e.label, e.before, e.after) for e in setup.store.history(fid) if e.action == "sql"}
    assert ("指标·所属目标编号", str(goal[0]), str(other[0])) in direct, direct
    assert ("指标·行序", "2", "0") in direct, direct


@on_pg
def test_a_row_moved_beside_an_entry_of_ones_own_wording_is_in_the_history(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    stored = setup.store.get(fid)
    first, third = stored.form.goals[0].indicators[0], stored.form.goals[0].indicators[2]
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE indicators SET position = 99 WHERE form_id = %s AND uid = %s", (fid, first.uid))
        conn.execute("UPDATE indicators SET position = 0 WHERE form_id = %s AND uid = %s", (fid, third.uid))
        conn.execute("UPDATE indicators SET position = 2 WHERE form_id = %s AND position = 99", (fid,))
        version = conn.execute(
            "UPDATE forms SET version = version + 1 WHERE id = %s RETURNING version", (fid,)
        ).fetchone()
        conn.execute(
            COVER,
            (
                fid,
                stored.key,
                "goals[0].indicators[0].actual",
                f"指标「{first.name}」实际完成值",
                first.actual,
                first.actual + "（更正）",
                version[0] if version else 0,
            ),
        )
    moved = [(e.label, e.after) for e in setup.store.history(fid) if e.action == "sql" and e.label == "指标·行序"]
    assert ("指标·行序", "0") in moved and ("指标·行序", "2") in moved, moved
    assert [e.label for e in setup.store.history(fid) if e.action == "sql" and LATIN.search(e.label)] == []


COLUMNS = (
    "form_id, goal_id, position, level1, level2, name, target, actual, adjusted_target, weight, "
    "recorded_score, recorded_reason, deviation, direction, uid, sub, computed_status"
)


def _swap_first_two(conn: Any, fid: int) -> None:
    """Clear the form's rows and insert them again, the first goal's first two rows each in the other's
    place: what a save does (a filler may delete rows only through ``jixiao_clear_children``)."""
    goals = conn.execute("SELECT id, position, text, weight FROM goals WHERE form_id = %s", (fid,)).fetchall()
    rows = conn.execute(f"SELECT {COLUMNS} FROM indicators WHERE form_id = %s", (fid,)).fetchall()
    conn.execute("SELECT jixiao_clear_children(%s)", (fid,))
    new_goal = {}
    for goal_id, position, text, weight in goals:
        new_goal[goal_id] = conn.execute(
            "INSERT INTO goals (form_id, position, text, weight) VALUES (%s, %s, %s, %s) RETURNING id",
            (fid, position, text, weight),
        ).fetchone()[0]
    first_goal = next(g for g, position, _, _ in goals if position == 0)
    marks = ", ".join(["%s"] * 17)
    for row in rows:
        place = row[2]
        if row[1] == first_goal and place in (0, 1):
            place = 1 - place
        conn.execute(f"INSERT INTO indicators ({COLUMNS}) VALUES ({marks})", (fid, new_goal[row[1]], place, *row[3:]))


@on_pg
@pytest.mark.parametrize("says_the_move", [False, True])
def test_rows_deleted_and_inserted_in_another_order_beside_an_entry_are_a_move(
    setup: Setup, says_the_move: bool
) -> None:
    fid = setup.form_id(OWN)
    stored = setup.store.get(fid)
    first = stored.form.goals[0].indicators[0]
    with setup.connect("shangye") as conn, conn.transaction():
        _swap_first_two(conn, fid)
        version = conn.execute(
            "UPDATE forms SET version = version + 1 WHERE id = %s RETURNING version", (fid,)
        ).fetchone()
        field, label = (
            ("goals[0].indicators[1]", f"移动指标「{first.name}」")
            if says_the_move
            else ("goals[0].indicators[0].actual", f"指标「{first.name}」实际完成值")
        )
        before, after = (
            ("目标 1 第 2 行", "目标 1 第 1 行") if says_the_move else (first.actual, first.actual + "（更正）")
        )
        conn.execute(COVER, (fid, stored.key, field, label, before, after, version[0] if version else 0))
    moved = [(e.label, e.before, e.after) for e in setup.store.history(fid) if e.action == "sql"]
    if says_the_move:
        assert moved == [], moved
    else:
        # as jixiao.formdiff says it: the longest run in the old order stays, the first row moved below
        assert moved == [(f"移动指标「{first.name}」", "目标 1 第 1 行", "目标 1 第 2 行")], moved
