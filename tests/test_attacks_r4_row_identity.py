"""A row's identity is one row's on its form (migration 0052).

A 复核 names its row by the row's identity (``indicators.uid``); the database holds it to the weight of
the form's rows of that identity, and jixiao shows the latest 复核 of an identity beside every row that
has it. Attacked with plain psycopg as the unit's filler, as psql would: the filler gave a 10-point row
of their draft the identity of a 20-point row, raised the version and submitted; the reviewer's 复核 of
15 for the 20-point row was refused as above the weight 10, and a 复核 of either row stood beside both.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
FORM = "老干工作经费"  # 商业行办's draft, filled by "shangye"


def _two_rows(conn: psycopg.Connection, fid: int) -> list[tuple[int, str]]:  # type: ignore[type-arg]
    rows = conn.execute("SELECT id, uid FROM indicators WHERE form_id = %s ORDER BY position, id LIMIT 2", (fid,))
    return [(r[0], r[1]) for r in rows]


def test_a_filler_cannot_give_two_rows_of_a_form_one_identity(setup: Setup) -> None:
    fid = setup.form_id(FORM)
    with setup.connect("shangye") as conn:
        (_, uid), (other, _) = _two_rows(conn, fid)
        with pytest.raises(psycopg.errors.CheckViolation, match="more than one row with the identity"):
            with conn.transaction():
                conn.execute("UPDATE indicators SET uid = %s WHERE id = %s", (uid, other))
                conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        with pytest.raises(psycopg.errors.CheckViolation, match="more than one row with the identity"):
            with conn.transaction():  # nor by adding a row under it
                conn.execute(
                    "INSERT INTO indicators (form_id, goal_id, position, level1, level2, name, target, actual, "
                    "weight, sub, direction, uid, adjusted_target, deviation, recorded_reason, computed_status) "
                    "SELECT form_id, goal_id, position + 100, level1, level2, name || '（副本）', target, actual, weight, "
                    "sub, direction, uid, adjusted_target, deviation, recorded_reason, computed_status "
                    "FROM indicators WHERE uid = %s AND form_id = %s",
                    (uid, fid),
                )
                conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))


def test_identities_swapped_or_rewritten_in_one_transaction_pass(setup: Setup) -> None:
    """Checked at commit: two rows may trade identities, as long as each is held once at the end."""
    fid = setup.form_id(FORM)
    with setup.connect("shangye") as conn:
        (a, ua), (b, ub) = _two_rows(conn, fid)
        with conn.transaction():
            conn.execute("UPDATE indicators SET uid = %s WHERE id = %s", (ub, a))
            conn.execute("UPDATE indicators SET uid = %s WHERE id = %s", (ua, b))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        assert _two_rows(conn, fid) == [(a, ub), (b, ua)]


def test_jixiao_saves_a_form_as_before_and_says_the_refusal_in_chinese(setup: Setup) -> None:
    import dataclasses

    from jixiao.storage.db_messages import in_chinese

    sf = setup.store.get(setup.form_id(FORM))
    setup.store.save(sf.id, dataclasses.replace(sf.form, deviation_analysis="补充"), sf.version)  # rewrites every row
    said = in_chinese("jixiao: form 7 has more than one row with the identity abc")
    assert said == "表单 7 有不止一行指标的行标识为 abc"


@pytest.mark.parametrize("bulk", [False, True])
def test_a_form_file_with_a_row_copied_with_its_identity_is_still_stored(setup: Setup, bulk: bool) -> None:
    """jixiao gives the copy a new identity (the first row keeps its own) instead of meeting the refusal."""
    import dataclasses

    from jixiao.storage.store import FormStore

    sf = setup.store.get(setup.form_id(FORM))
    goal = sf.form.goals[0]
    copied = dataclasses.replace(goal.indicators[0], name=goal.indicators[0].name + "（副本）")
    goals = (dataclasses.replace(goal, indicators=(*goal.indicators, copied)), *sf.form.goals[1:])
    form = dataclasses.replace(sf.form, project_name="复制了一行的表单", goals=goals)
    if bulk:  # the fast path of ``jixiao import``
        from jixiao.storage.bulk import NewForms
        from jixiao.storage.bulk_scoring import verdict

        NewForms(setup.store.engine, "导入", "导入").insert([form], [verdict(setup.store.score(form))], ["来自文件"])
    else:
        FormStore.create(setup.store, form)
    stored = next(s for s in setup.store.list() if s.project_name == "复制了一行的表单")
    uids = [i.uid for g in setup.store.get(stored.id).form.goals for i in g.indicators]
    assert len(uids) == len(set(uids)) and uids[0] == copied.uid
