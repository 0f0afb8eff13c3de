"""A form holds at most 50 evidence files and 100 MB of them (migration 0034).

Nothing bounded how many 10 MB files a filler could attach to their own draft: with psql, or
jixiao in a loop, until the server's disk was full. jixiao refuses in Chinese; PostgreSQL refuses
every role but the owner (whose restore must go through), and two attaches at once take turns.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import Engine, create_engine

from jixiao.storage import evidence
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "企业管理费"  # a draft of 经科局, whose filler is "jingke"
ATTACH = (
    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
    "VALUES (%s, '', %s, 'application/pdf', 0, '', %s, '', now())"
)
QUOTA = "holds at most 50 evidence files"


@pytest.fixture
def store(backend_engine: Engine) -> FormStore:
    s = FormStore(backend_engine, actor="项目负责人")
    s.import_forms(sample_forms())  # type: ignore[arg-type]
    return s


def _fid(store: FormStore) -> int:
    return next(x.id for x in store.list() if x.project_name == OWN)


def test_jixiao_refuses_the_51st_file_of_a_form(store: FormStore) -> None:
    fid = _fid(store)
    for i in range(evidence.MAX_FILES_PER_FORM):
        evidence.add(store, fid, f"照片{i}.jpg", f"第{i}张".encode())
    with pytest.raises(StoreError, match="已有 50 份佐证材料，达到每表 50 份的上限；「照片50.jpg」未附上"):
        evidence.add(store, fid, "照片50.jpg", b"one more")
    assert len(evidence.for_form(store, fid)) == 50
    other = next(x.id for x in store.list() if x.id != fid)
    evidence.add(store, other, "照片.jpg", b"another form has its own count")


def test_jixiao_refuses_a_file_that_takes_the_form_past_its_bytes(
    store: FormStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "MAX_FORM_BYTES", 1000)
    fid = _fid(store)
    evidence.add(store, fid, "甲.pdf", b"a" * 600)
    evidence.add(store, fid, "乙.pdf", b"b" * 400)  # exactly at the limit
    with pytest.raises(StoreError, match=r"共 1,001 字节，超过每表 1,000 字节"):
        evidence.add(store, fid, "丙.pdf", b"c")
    assert [e.name for e in evidence.for_form(store, fid)] == ["甲.pdf", "乙.pdf"]


@on_pg
def test_a_filler_with_psql_cannot_attach_a_51st_file(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        for i in range(50):
            conn.execute(ATTACH, (fid, f"{i}.pdf", f"file {i}".encode()))
        with pytest.raises(psycopg.errors.CheckViolation, match=QUOTA):
            conn.execute(ATTACH, (fid, "50.pdf", b"one more"))
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.CheckViolation, match=QUOTA):
        conn.execute(ATTACH, (fid, "51.pdf", b"nor an admin"))
    assert len(evidence.for_form(setup.store, fid)) == 50


@on_pg
def test_a_filler_with_psql_cannot_pass_100_mb(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    ten_mb = 10 * 1024 * 1024
    with setup.connect("jingke") as conn:
        for i in range(10):  # 100 MB exactly: allowed
            conn.execute(ATTACH, (fid, f"{i}.pdf", bytes([i]) * ten_mb))
        with pytest.raises(psycopg.errors.CheckViolation, match=QUOTA):
            conn.execute(ATTACH, (fid, "10.pdf", b"x"))


@on_pg
def test_the_owner_restoring_an_older_backup_is_not_held_to_it(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect_owner() as owner:
        for i in range(51):
            owner.execute(ATTACH, (fid, f"{i}.pdf", f"restored {i}".encode()))
    assert len(evidence.for_form(setup.store, fid)) == 51


@on_pg
def test_two_attaches_at_once_cannot_both_take_the_last_place(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        for i in range(49):
            conn.execute(ATTACH, (fid, f"{i}.pdf", f"file {i}".encode()))
    first, second = setup.connect("jingke"), setup.connect("jingke")
    outcome: list[object] = []

    def attach_second() -> None:
        try:
            with second.transaction():
                second.execute(ATTACH, (fid, "second.pdf", b"second"))
            outcome.append("ok")
        except psycopg.Error as exc:
            outcome.append(type(exc))

    try:
        with first.transaction():
            first.execute(ATTACH, (fid, "first.pdf", b"first"))  # the 50th, not committed yet
            other = threading.Thread(target=attach_second)
            other.start()
            time.sleep(0.5)
            assert not outcome, "the second attach should wait for the first"
        other.join(10)
        assert outcome == [psycopg.errors.CheckViolation]
    finally:
        first.close()
        second.close()
    assert len(evidence.for_form(setup.store, fid)) == 50


@on_pg
def test_a_refusal_by_the_database_is_said_in_chinese(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """jixiao counted before another attach took the last place: the database's refusal, in Chinese."""
    fid = setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        for i in range(50):
            conn.execute(ATTACH, (fid, f"{i}.pdf", f"file {i}".encode()))
    monkeypatch.setattr(evidence, "_check_quota", lambda *_: None)  # as if it had counted 49
    url = setup.url.set(username=setup.logins["jingke"], password=PASSWORD)
    as_filler = FormStore(create_engine(url.render_as_string(hide_password=False)), actor="经科局填报人")
    with pytest.raises(StoreError, match="佐证材料已达上限（每表 50 份、104,857,600 字节）；「迟到.pdf」未附上"):
        evidence.add(as_filler, fid, "迟到.pdf", b"late")
