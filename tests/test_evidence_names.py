"""Evidence file names (migrations 0014, 0017): no control characters, bidi controls, format
characters (Cf: zero-width …), path separators or look-alike slashes, or ``.``/``..``. jixiao's rule (``evidence.name_problem``) and the database's (a CHECK constraint on
PostgreSQL, a trigger on SQLite) are one rule written twice; these tests hold them together and
try each bad name as each role with plain psycopg.
"""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from sqlalchemy import Engine, text

from jixiao.storage import evidence
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, make_backend

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
MIGRATION = importlib.import_module("jixiao.storage.migrations.versions.0017_evidence_is_a_data_change")
FORM = "老干工作经费"

BAD = [
    "\x1b[2J清屏.txt",  # ESC: an ANSI sequence
    "照片\u202egpj.exe",  # RLO: reads as 照片exe.jpg
    "a\u2066b.pdf",
    "a\u200fb.pdf",
    "a\u061cb.pdf",
    "a\x85b.pdf",  # C1 NEL
    "a\x7fb.pdf",
    "行\u2028分隔.txt",
    "制表\t符.txt",
    "../../etc/passwd",
    "a/b.pdf",
    "..\\boot.ini",
    "..",
    ".",
    "",
    # format characters (Cf): the name a reviewer reads is not the name stored
    *("a\u200bb.pdf", "验收\u200c报告.pdf", "a\u200db.pdf", "\ufeff报告.pdf", "a\u2060b.pdf", "报\u00ad告.pdf"),
    *("a\u180eb.pdf", "a\U000e0041b.pdf", "a\ufff9b.pdf", "a\u0600b.pdf"),
    # slashes that read as a path separator
    *("..\uff0f..\uff0fetc\uff0fpasswd", "a\u2044b.pdf", "a\u2215b.pdf", "a\u29f8b.pdf", "..\uff3cboot.ini"),
    *("a\u29f9b.pdf", "a\u2216b.pdf", "a\u2571b.pdf", "a\ufe68b.pdf"),
]
GOOD = [
    "满意度调查.pdf",
    "a..b.pdf",
    ".hidden",
    "..bak",
    "报告 (1).docx",
    "x" * 255,
    "😀.png",
    "a\u200ab.txt",
    "结\u3000果.pdf",
    "a\u2010b.pdf",
]
SPECIAL = list("./\\ a中") + ["\x1b", "\x01", "\x1f", "\x7f", "\x80", "\x9f", "\xa0", "\u061b", "\u061c", "\u061d"]
SPECIAL += ["\u200d", "\u200e", "\u200f", "\u2010", "\u2027", "\u2028", "\u202e", "\u202f", "\u2065", "\u2066"]
SPECIAL += ["\u2069", "\u206a", "\ufeff", "\U0001f600", "\u00ad", "\u200b", "\u2060", "\u2064", "\u2065"]
SPECIAL += ["\u206f", "\u2070", "\uff0f", "\uff3c", "\u2044", "\u2215", "\u29f8", "\u29f9", "\U000e0020", "\U000e0080"]
NAMES = hst.text(
    hst.one_of(hst.sampled_from(SPECIAL), hst.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
    max_size=12,
)


def test_the_python_and_sql_rules_are_written_alike() -> None:
    assert evidence.NAME_FORBIDDEN == MIGRATION.NAME_FORBIDDEN
    in_sqlite = {c for a, b in MIGRATION.SQLITE_RANGES for c in range(a, b + 1)} | {ord("/"), ord("\\")}
    in_python = {c for c in range(1, sys.maxunicode + 1) if re.fullmatch(evidence.NAME_FORBIDDEN, chr(c))}
    assert in_sqlite == in_python


def test_every_format_character_is_refused() -> None:
    """Every Cf character this Python knows (a newer Unicode's new ones need a migration)."""
    cf = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert [f"U+{ord(c):04X}" for c in cf if not evidence.name_problem(f"a{c}b.pdf")] == []


@pytest.mark.parametrize("name", BAD)
def test_jixiao_refuses_each_bad_name(name: str) -> None:
    assert evidence.name_problem(name)


@pytest.mark.parametrize("name", GOOD)
def test_jixiao_takes_each_good_name(name: str) -> None:
    assert evidence.name_problem(name) == ""


# ------------------------------------------------------------------ the database's rule, per back end


def _sqlite_accepts(engine: Engine, fid: int) -> Callable[[str], bool]:
    def accepts(name: str) -> bool:
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                conn.execute(
                    text(
                        "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
                        "VALUES (:f, '', :n, 'text/plain', 1, '', x'00', 'x', CURRENT_TIMESTAMP)"
                    ),
                    {"f": fid, "n": name},
                )
                return True
            except Exception as exc:
                assert "evidence name not allowed" in str(exc)
                return False
            finally:
                trans.rollback()

    return accepts


@pytest.fixture
def sqlite_accepts(tmp_path: Path) -> Iterator[Callable[[str], bool]]:
    gen = make_backend("sqlite", tmp_path)
    _, engine = next(gen)
    store = FormStore(engine, actor="jixiao")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    yield _sqlite_accepts(engine, store.find(FORM).id)
    gen.close()


def _insert(conn: psycopg.Connection, fid: int, name: str) -> None:  # type: ignore[type-arg]
    conn.execute(
        "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
        "VALUES (%s, '', %s, 'text/plain', 1, '', '\\x00'::bytea, 'x', now())",
        (fid, name),
    )


@pytest.fixture
def pg_accepts(setup: Setup) -> Iterator[Callable[[str], bool]]:
    fid = setup.form_id(FORM)
    with setup.connect("shangye") as conn:

        def accepts(name: str) -> bool:
            try:
                with conn.transaction(force_rollback=True):
                    _insert(conn, fid, name)
                return True
            except psycopg.errors.CheckViolation as exc:
                assert "evidence_name_safe" in str(exc)
                return False

        yield accepts


def test_sqlite_refuses_each_bad_name_and_takes_each_good_one(sqlite_accepts: Callable[[str], bool]) -> None:
    assert [n for n in BAD if sqlite_accepts(n)] == []
    assert [n for n in GOOD if not sqlite_accepts(n)] == []


@on_pg
def test_postgres_refuses_each_bad_name_and_takes_each_good_one(pg_accepts: Callable[[str], bool]) -> None:
    assert [n for n in BAD if pg_accepts(n)] == []
    assert [n for n in GOOD if not pg_accepts(n)] == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_sqlite_and_jixiao_agree(sqlite_accepts: Callable[[str], bool], name: str) -> None:
    assert sqlite_accepts(name) == (evidence.name_problem(name) == "")


@on_pg
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_postgres_and_jixiao_agree(pg_accepts: Callable[[str], bool], name: str) -> None:
    assert pg_accepts(name) == (evidence.name_problem(name) == "")


@on_pg
@pytest.mark.parametrize("who", ["shangye", "admin", "owner"])
def test_no_role_stores_a_bad_name_with_psql(setup: Setup, who: str) -> None:
    fid = setup.form_id(FORM)
    for name in BAD:
        if who == "owner":
            with setup.store.engine.begin() as conn, pytest.raises(Exception, match="evidence_name_safe"):
                conn.execute(
                    text(
                        "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
                        "VALUES (:f, '', :n, 'text/plain', 1, '', '\\x00'::bytea, 'x', now())"
                    ),
                    {"f": fid, "n": name},
                )
            continue
        with setup.connect(who) as conn, pytest.raises(psycopg.errors.CheckViolation, match="evidence_name_safe"):
            _insert(conn, fid, name)
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        _insert(conn, fid, BAD[0])  # reviewers attach nothing at all


def test_jixiao_says_why_a_name_is_refused(tmp_path: Path) -> None:
    gen = make_backend("sqlite", tmp_path)
    _, engine = next(gen)
    store = FormStore(engine, actor="jixiao")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    fid = store.find(FORM).id
    with pytest.raises(StoreError, match="双向文字控制符 U\\+202E"):
        evidence.add(store, fid, "照片\u202egpj.exe", b"x")
    with pytest.raises(StoreError, match="路径分隔符"):
        evidence.add(store, fid, "../x.pdf", b"x")
    with pytest.raises(StoreError, match="不可见的格式字符 U\\+200B"):
        evidence.add(store, fid, "验收\u200b报告.pdf", b"x")
    with pytest.raises(StoreError, match="形似路径分隔符的字符「／」"):
        evidence.add(store, fid, "..／x.pdf", b"x")
    with pytest.raises(StoreError, match="不能是「..」"):
        evidence.add(store, fid, " .. ", b"x")
    gen.close()
