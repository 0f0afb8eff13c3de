"""Attacks a hostile 填报人 or 审核人 would try with plain psql (issue 14), each as the role itself.

Every test connects with psycopg as the attacker, does what psql would do, and
then checks what jixiao shows the others. Skipped, with the reason, without PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import event

from jixiao.review.aggregate import Filters, aggregate, flagged_forms
from jixiao.storage.store import FormStore, StoreError
from jixiao.storage.users import Directory
from tests.role_setup import JINGKE, PASSWORD, SHANGYE, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.tools import second

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

OWN = "老干工作经费"  # 商业行办's form (the filler "shangye")
OTHER = "企业管理费"  # 经科局's form


def _owner(setup: Setup, sql: str) -> None:
    with setup.store.engine.begin() as conn:
        conn.exec_driver_sql(sql)


def _grant_temp(setup: Setup, who: str) -> None:
    """Give the attacker TEMP back, to prove the functions hold even then (the migration revokes it).

    Under the migrations' advisory lock: another worker's upgrade revokes TEMP on the same database
    row, and two such changes at once fail with "tuple concurrently updated"."""
    from jixiao.storage.database import MIGRATION_LOCK

    with setup.store.engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        conn.exec_driver_sql(f'GRANT TEMP ON DATABASE "{setup.url.database}" TO {setup.logins[who]}')


# ---------------------------------------------------------------- 1. temp-table shadowing


def test_temporary_tables_are_refused(setup: Setup) -> None:
    for who in ("shangye", "reviewer"):
        with setup.connect(who) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TEMP TABLE app_users (login text)")


@pytest.mark.parametrize("shadow", ["app_users", "forms", "units"])
def test_a_shadowing_temp_table_changes_nothing_for_a_filler(setup: Setup, shadow: str) -> None:
    _grant_temp(setup, "shangye")
    other = setup.form_id(OTHER)
    with setup.connect("shangye") as conn:
        conn.execute(
            f"CREATE TEMP TABLE {shadow} (id int, login text, name text, role text, unit text, department text, "
            "status text, implementing_unit text)"
        )
        conn.execute(
            f"INSERT INTO pg_temp.{shadow} VALUES (%s, %s, 'x', 'admin', %s, '', 'draft', %s)",
            (other, setup.logins["shangye"], JINGKE, JINGKE),
        )
        conn.execute(f"SET search_path = pg_temp, {setup.schema}")
        assert [r[0] for r in conn.execute(f"SELECT project_name FROM {setup.schema}.forms")] == [OWN]
        cur = conn.execute(f"UPDATE {setup.schema}.forms SET deviation_analysis = '越权' WHERE id = %s", (other,))
        assert cur.rowcount == 0
        assert conn.execute(f"SELECT unit FROM {setup.schema}.jixiao_me()").fetchone() == (SHANGYE,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SELECT {setup.schema}.jixiao_clear_children(%s)", (other,))
    assert setup.store.get(other).form.deviation_analysis == "无"


def test_a_shadowing_temp_table_gives_a_reviewer_no_other_department(setup: Setup) -> None:
    _grant_temp(setup, "reviewer")
    _owner(setup, f"UPDATE app_users SET department = '某局' WHERE login = '{setup.logins['reviewer']}'")
    fid = setup.form_id(OTHER)
    setup.store.transition(fid, "submit")
    with setup.connect("reviewer") as conn:
        conn.execute("CREATE TEMP TABLE app_users (login text, name text, role text, unit text, department text)")
        conn.execute("INSERT INTO pg_temp.app_users VALUES (%s, 'x', 'reviewer', '', '')", (setup.logins["reviewer"],))
        conn.execute(f"SET search_path = pg_temp, {setup.schema}")
        assert conn.execute(f"SELECT count(*) FROM {setup.schema}.forms").fetchone() == (0,)
        cur = conn.execute(f"UPDATE {setup.schema}.forms SET status = 'approved' WHERE id = %s", (fid,))
        assert cur.rowcount == 0
    assert setup.store.get(fid).status.value == "submitted"


def test_every_jixiao_function_pins_its_search_path(setup: Setup) -> None:
    with setup.store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT p.proname, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            f"WHERE n.nspname = '{setup.schema}' AND p.proname LIKE 'jixiao%%'"
        ).all()
    assert len(rows) >= 12
    for name, config in rows:
        assert config and any(c.startswith("search_path=pg_catalog") and c.endswith("pg_temp") for c in config), name


# ---------------------------------------------------------------- 2. forged scores


def _real(setup: Setup) -> tuple[Decimal | None, str]:
    s = next(s for s in setup.store.list() if s.project_name == OWN)
    return s.total_computed, s.grade


def test_a_forged_stored_score_is_not_believed(setup: Setup) -> None:
    real_total, real_grade = _real(setup)
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute(
            "UPDATE forms SET computed_total = 100, computed_grade = '优', agg_total_c = 10000, agg_errors = 0,"
            " agg_warnings = 0, agg_planned_u = 1 WHERE id = %s",
            (own,),
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE forms SET scores_trusted = true WHERE id = %s", (own,))
    with setup.store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT scores_trusted FROM forms WHERE id = {own}").scalar_one() is False
    assert _real(setup) == (real_total, real_grade)
    (group,) = [g for g in aggregate(setup.store.engine, "unit") if g.key == SHANGYE]
    assert group.mean_computed == real_total and group.grades.get("优", 0) == (1 if real_grade == "优" else 0)
    assert group.planned != Decimal("0.000001")
    # the owner's rescore makes the stored verdict trustworthy again, with the real numbers
    assert setup.store.rescore() >= 1
    with setup.store.engine.connect() as conn:
        stored = conn.exec_driver_sql(f"SELECT scores_trusted, computed_total FROM forms WHERE id = {own}").one()
    assert stored == (True, real_total)


def test_a_forged_indicator_verdict_is_not_believed(setup: Setup) -> None:
    before = {g.key: g.attainment for g in aggregate(setup.store.engine, "level1")}
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute(
            "UPDATE indicators SET agg_score_u = agg_weight_u, computed_status = 'met' WHERE form_id = %s", (own,)
        )
    assert {g.key: g.attainment for g in aggregate(setup.store.engine, "level1")} == before


def test_the_app_as_a_filler_is_recomputed_not_trusted(setup: Setup) -> None:
    from jixiao.storage.database import make_engine

    engine = make_engine(setup.url.set(username=setup.logins["shangye"], password=PASSWORD).render_as_string(False))
    store = FormStore(engine, actor="商业行办填报人")
    sf = store.find(OWN)
    store.save(sf.id, dataclasses.replace(sf.form, deviation_analysis="填报人补充"), sf.version)
    engine.dispose()
    flagged = {f.id: f for f in flagged_forms(setup.store.engine, Filters(), limit=100)}
    listed = next(s for s in setup.store.list() if s.id == sf.id)
    assert listed.total_computed == setup.store.score(setup.store.get(sf.id).form).total_computed
    assert sf.id not in flagged or flagged[sf.id].total_computed == listed.total_computed


# ---------------------------------------------------------------- 3, 6. audit


def test_a_direct_edit_is_in_the_history_with_the_login(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE indicators SET actual = '私自改动' WHERE form_id = %s AND position = 0", (own,))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))  # migration 0021
    direct = [e for e in setup.store.history(own) if e.action == "sql"]
    assert any(e.after == "私自改动" and e.db_user == setup.logins["shangye"] for e in direct), direct


def test_a_forged_audit_entry_is_refused(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO audit_log (form_id, form_key, at, actor, action, field, label, reason, version)"
            " VALUES (%s, 'k', '2020-01-01', '财政局审核人', 'approve', '', '', '', 1)",
            (own,),
        )


def test_an_audit_entry_beside_a_change_is_stamped_by_the_database(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        with conn.transaction():
            conn.execute("UPDATE forms SET deviation_analysis = '说明' WHERE id = %s", (own,))
            conn.execute(
                "INSERT INTO audit_log (form_id, form_key, at, actor, action, field, label, reason, version)"
                " VALUES (%s, 'k', '2020-01-01', '财政局审核人', 'update', '', '', '', 1)",
                (own,),
            )
        row = conn.execute(
            "SELECT actor, at > now() - interval '1 hour', db_user FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row == ("商业行办填报人", True, setup.logins["shangye"])


# ---------------------------------------------------------------- 4. department


def test_the_department_comes_from_the_unit(setup: Setup) -> None:
    Directory(setup.store.engine).add_unit(SHANGYE, "区商务局")
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET department = %s WHERE id = %s", (JINGKE, own))
        assert conn.execute("SELECT department FROM forms WHERE id = %s", (own,)).fetchone() == ("区商务局",)


# ---------------------------------------------------------------- 7. read-only forms


@pytest.mark.parametrize("stage", ["submit", "approve", "sign"])
def test_nobody_deletes_or_changes_a_form_past_draft(setup: Setup, stage: str) -> None:
    fid = setup.form_id(OTHER)
    setup.store.transition(fid, "submit")
    if stage in ("approve", "sign"):
        second(setup.store).transition(fid, "approve")
    if stage == "sign":
        second(setup.store).mark_signed(fid, "签章人", "a" * 64)
    for sql in (
        f"DELETE FROM forms WHERE id = {fid}",
        f"DELETE FROM indicators WHERE form_id = {fid}",
        f"UPDATE forms SET signed_by = '别人', signature_sha256 = '{'b' * 64}' WHERE id = {fid}",
        f"UPDATE indicators SET actual = '改' WHERE form_id = {fid}",
    ):
        with pytest.raises(Exception, match="read-only"):
            _owner(setup, sql)
    assert setup.store.get(fid).status.value == {"submit": "submitted", "approve": "approved", "sign": "signed"}[stage]


def test_a_reviewer_cannot_rewrite_a_signature(setup: Setup) -> None:
    fid = setup.form_id(OTHER)
    setup.store.transition(fid, "submit")
    second(setup.store).transition(fid, "approve")
    second(setup.store).mark_signed(fid, "签章人", "a" * 64)
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE forms SET signed_by = '别人', signature_sha256 = %s WHERE id = %s", ("b" * 64, fid))
    assert setup.store.get(fid).signed_by == "签章人"


# ---------------------------------------------------------------- 8. locks


@pytest.mark.parametrize("table", ["forms", "goals", "indicators"])
def test_a_filler_cannot_lock_a_table_against_everyone(setup: Setup, table: str) -> None:
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        with conn.transaction():
            conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")


def test_app_logins_have_session_limits(setup: Setup) -> None:
    with setup.connect("shangye") as conn:
        assert conn.execute("SHOW lock_timeout").fetchone() == ("5s",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("2min",)


# ---------------------------------------------------------------- 12, 13. users


def test_a_new_password_never_reaches_the_server(setup: Setup) -> None:
    sent: list[str] = []
    engine = setup.store.engine
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(str(a[2])))
    secret = "Pw-日志里不可见-42"
    Directory(engine).add_user(
        "jx_secret_" + setup.logins["admin"][-6:], "某人", "filler", unit=SHANGYE, password=secret
    )
    assert sent and not any(secret in s for s in sent)
    assert any("SCRAM-SHA-256$" in s for s in sent)
    Directory(engine).remove_user("jx_secret_" + setup.logins["admin"][-6:])


@pytest.mark.parametrize("name", ["jixiao_reviewer", "jixiao_admin", "pg_monitor"])
def test_users_add_refuses_group_roles(setup: Setup, name: str) -> None:
    with pytest.raises(StoreError, match="保留"):
        Directory(setup.store.engine).add_user(name, "x", "admin", password=PASSWORD)
    with setup.store.engine.connect() as conn:
        if name.startswith("jixiao_"):
            assert (
                conn.exec_driver_sql(f"SELECT rolcanlogin FROM pg_roles WHERE rolname = '{name}'").scalar_one() is False
            )


def test_users_add_refuses_a_role_it_did_not_create(setup: Setup) -> None:
    stranger = "jx_stranger_" + setup.logins["admin"][-6:]
    _owner(setup, f"CREATE ROLE {stranger} LOGIN PASSWORD NULL")
    try:
        with pytest.raises(StoreError, match="不是 jixiao 的用户"):
            Directory(setup.store.engine).add_user(stranger, "x", "filler", unit=SHANGYE, password=PASSWORD)
        with setup.store.engine.connect() as conn:
            granted = conn.exec_driver_sql(f"SELECT pg_has_role('{stranger}', 'jixiao_filler', 'MEMBER')").scalar_one()
        assert granted is False
    finally:
        _owner(setup, f"DROP ROLE {stranger}")


def test_a_filler_listing_users_gets_a_clear_refusal(setup: Setup) -> None:
    from jixiao.storage.database import make_engine

    engine = make_engine(setup.url.set(username=setup.logins["shangye"], password=PASSWORD).render_as_string(False))
    try:
        with pytest.raises(StoreError, match="无权限"):
            Directory(engine).users()
    finally:
        engine.dispose()


# ---------------------------------------------------------------- denials are named as such


def _filler_store(setup: Setup) -> tuple[FormStore, object]:
    from jixiao.storage.database import make_engine

    engine = make_engine(setup.url.set(username=setup.logins["shangye"], password=PASSWORD).render_as_string(False))
    return FormStore(engine, actor="商业行办填报人"), engine


def test_a_refused_save_says_no_permission_not_conflict(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    own = setup.form_id(OWN)
    store, engine = _filler_store(setup)
    setup.store.transition(own, "submit")  # as the owner: now read-only for the filler
    sf = store.get(own)
    # as if the status changed between jixiao's own check and the UPDATE: the database refuses
    monkeypatch.setattr("jixiao.storage.store.check_editable", lambda status: None)
    try:
        with pytest.raises(StoreError, match="无权限") as info:
            store.save(own, dataclasses.replace(sf.form, deviation_analysis="提交后再改"), sf.version)
        assert "已被" not in str(info.value)
    finally:
        engine.dispose()  # type: ignore[attr-defined]


def test_a_refused_import_names_the_form_and_the_reason(setup: Setup) -> None:
    store, engine = _filler_store(setup)
    other = setup.store.get(setup.form_id(OTHER)).form
    try:
        with pytest.raises(StoreError, match="无权限.*企业管理费"):
            store.import_forms([("企业管理费.toml", dataclasses.replace(other, deviation_analysis="越权"))])
    finally:
        engine.dispose()  # type: ignore[attr-defined]


def test_a_filler_flipping_sub_rows_is_distrusted_in_draft_and_refused_past_it(setup: Setup) -> None:
    """Making rows sub-rows (子项) moves points between rows: migration 0006's column is guarded like the rest."""
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE indicators SET sub = true WHERE form_id = %s AND position > 0", (own,))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))  # migration 0021
    with setup.store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT scores_trusted FROM forms WHERE id = {own}").scalar_one() is False
    with (
        setup.connect("shangye") as conn,
        conn.transaction(),
    ):  # back as it was, so that its recorded total adds up again
        conn.execute("UPDATE indicators SET sub = false WHERE form_id = %s", (own,))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))
    assert setup.store.rescore() >= 1
    setup.store.transition(own, "submit")
    with setup.connect("shangye") as conn:  # past draft the rows are out of a filler's reach
        try:
            changed = conn.execute(
                "UPDATE indicators SET sub = true WHERE form_id = %s AND position > 0", (own,)
            ).rowcount
        except psycopg.Error as exc:
            assert "read-only" in str(exc) or "permission" in str(exc)
            changed = 0
    assert changed == 0
    assert not any(i.sub for i in setup.store.get(own).form.indicators)
