"""Evidence file names (migrations 0014, 0017, 0018): no control characters, bidi controls, format
characters (Cf: zero-width …), default-ignorable characters or blanks (variation selectors, Hangul
fillers, U+2800 …), path separators or look-alike slashes, ``.``/``..``, or a space first or last. jixiao's rule (``evidence.name_problem``) and the database's (a CHECK constraint on
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

from jixiao.storage import evidence, name_chars
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, make_backend

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
MIGRATION = importlib.import_module("jixiao.storage.migrations.versions.0018_recheck_in_range_and_ignorable_names")
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
    # default-ignorable characters that are not Cf, and blanks (migration 0018)
    *("a\u034fb.pdf", "\u115f报告.pdf", "a\u1160b.pdf", "报告\u3164.pdf", "a\uffa0b.pdf", "a\u17b4b.pdf"),
    *("a\u17b5b.pdf", "a\u180bb.pdf", "a\u180fb.pdf", "报告\ufe0f.pdf", "a\U000e0100b.pdf", "a\U000e01efb.pdf"),
    *("a\u2800b.pdf", "a\u2000b.pdf", "a\u200ab.txt", "a\u202fb.pdf", "a\u205fb.pdf", "a\U000e0000b.pdf"),
    *("\u3000报告.pdf", "报告.pdf\u3000", " 报告.pdf", "报告.pdf "),
]
GOOD = [
    "满意度调查.pdf",
    "a..b.pdf",
    ".hidden",
    "..bak",
    "报告 (1).docx",
    "x" * 255,
    "😀.png",
    "结\u3000果.pdf",
    "a b.pdf",
    "a\u2010b.pdf",
]
SPECIAL = list("./\\ a中") + ["\x1b", "\x01", "\x1f", "\x7f", "\x80", "\x9f", "\xa0", "\u061b", "\u061c", "\u061d"]
SPECIAL += ["\u200d", "\u200e", "\u200f", "\u2010", "\u2027", "\u2028", "\u202e", "\u202f", "\u2065", "\u2066"]
SPECIAL += ["\u2069", "\u206a", "\ufeff", "\U0001f600", "\u00ad", "\u200b", "\u2060", "\u2064", "\u2065"]
SPECIAL += ["\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u17b4", "\u180b", "\ufe00", "\ufe0f", "\u2800"]
SPECIAL += ["\U000e0100", "\U000e01ef", "\u2000", "\u200a", "\u3000", "\u1680", "\u2801", "\U000e1000"]
SPECIAL += ["\u206f", "\u2070", "\uff0f", "\uff3c", "\u2044", "\u2215", "\u29f8", "\u29f9", "\U000e0020", "\U000e0080"]
NAMES = hst.text(
    hst.one_of(hst.sampled_from(SPECIAL), hst.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
    max_size=12,
)


def test_the_python_and_sql_rules_are_written_alike() -> None:
    """The migration's frozen copy is jixiao's one list (``name_chars``), as a pattern and as ranges."""
    assert evidence.NAME_FORBIDDEN == MIGRATION.NAME_FORBIDDEN
    assert MIGRATION.SQLITE_RANGES == name_chars.FORBIDDEN
    in_sqlite = {c for a, b in MIGRATION.SQLITE_RANGES for c in range(a, b + 1)}
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


# ------------------------------------------------------------------ default-ignorable characters (migration 0018)


def _boundaries() -> list[tuple[int, bool]]:
    """Each range's first and last code point (refused) and the ones just outside it (taken unless
    another range, a surrogate or NUL holds them)."""
    out: dict[int, bool] = {}
    for a, b in name_chars.FORBIDDEN:
        out[a] = out[b] = False
        for c in (a - 1, b + 1):
            if c not in out and 0 < c <= sys.maxunicode and not 0xD800 <= c <= 0xDFFF:
                out[c] = not name_chars.in_ranges(c, name_chars.FORBIDDEN)
    return sorted(out.items())


BOUNDARIES = _boundaries()


def _is_default_ignorable(c: str) -> bool:
    """Default_Ignorable_Code_Point told from ``unicodedata`` alone (not from jixiao's list): format
    characters, variation selectors, Hangul fillers, the other invisible letters Unicode names, the
    reserved U+FFF0–U+FFF8 and the whole tags block; with the blanks jixiao refuses beside them."""
    n = unicodedata.name(c, "")
    return (
        unicodedata.category(c) == "Cf"
        or "VARIATION SELECTOR" in n
        or ("HANGUL" in n and "FILLER" in n)
        or n in ("COMBINING GRAPHEME JOINER", "KHMER VOWEL INHERENT AQ", "KHMER VOWEL INHERENT AA")
        or 0xFFF0 <= ord(c) <= 0xFFF8
        or 0xE0000 <= ord(c) <= 0xE0FFF
    )


def test_the_list_holds_every_default_ignorable_character_unicodedata_knows() -> None:
    missing = [f"U+{c:04X}" for c in range(sys.maxunicode + 1) if _is_default_ignorable(chr(c))]
    assert [u for u in missing if not name_chars.in_ranges(int(u[2:], 16), name_chars.FORBIDDEN)] == []
    assert name_chars.in_ranges(0x2800, name_chars.FORBIDDEN)  # the braille blank, which is not


def test_every_range_boundary_in_jixiao() -> None:
    assert len(BOUNDARIES) > 100
    assert [(f"U+{c:04X}", ok) for c, ok in BOUNDARIES if (evidence.name_problem(f"a{chr(c)}b") == "") != ok] == []


def test_every_range_boundary_on_sqlite(sqlite_accepts: Callable[[str], bool]) -> None:
    assert [(f"U+{c:04X}", ok) for c, ok in BOUNDARIES if sqlite_accepts(f"a{chr(c)}b") != ok] == []


@on_pg
def test_every_range_boundary_on_postgres(pg_accepts: Callable[[str], bool]) -> None:
    assert [(f"U+{c:04X}", ok) for c, ok in BOUNDARIES if pg_accepts(f"a{chr(c)}b") != ok] == []


IGNORABLE = [chr(c) for c in range(sys.maxunicode + 1) if _is_default_ignorable(chr(c))]
MIXED_NAMES = hst.text(
    hst.one_of(hst.sampled_from(IGNORABLE), hst.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
    max_size=10,
)


@settings(max_examples=500, deadline=None)
@given(name=MIXED_NAMES)
def test_a_name_jixiao_takes_holds_no_default_ignorable_character(name: str) -> None:
    if evidence.name_problem(name) == "":
        assert not any(_is_default_ignorable(c) for c in name)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=MIXED_NAMES)
def test_a_name_sqlite_takes_holds_no_default_ignorable_character(
    sqlite_accepts: Callable[[str], bool], name: str
) -> None:
    if sqlite_accepts(name):
        assert not any(_is_default_ignorable(c) for c in name)
    assert sqlite_accepts(name) == (evidence.name_problem(name) == "")


@on_pg
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=MIXED_NAMES)
def test_a_name_postgres_takes_holds_no_default_ignorable_character(
    pg_accepts: Callable[[str], bool], name: str
) -> None:
    if pg_accepts(name):
        assert not any(_is_default_ignorable(c) for c in name)
    assert pg_accepts(name) == (evidence.name_problem(name) == "")


def test_jixiao_says_which_invisible_character_it_refuses() -> None:
    assert "不可见字符（如变体选择符、韩文填充符） U+3164" in evidence.name_problem("报告\u3164.pdf")
    assert "空白字符（如盲文空白、排版空格） U+2800" in evidence.name_problem("a\u2800b.pdf")
    assert "首尾有空格" in evidence.name_problem("报告.pdf\u3000")
    assert evidence.shown_name("a\U000e0100b") == "a\\U000e0100b"
