"""An evidence file's media type is a well-formed MIME type, in the database and in the signed PDF
(migration 0035). It was free text: a filler with psql wrote what they liked, and the PDF embedded it.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import psycopg
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from jixiao.pdf.attachments import Attachment, embed
from jixiao.safe_text import media_type
from jixiao.storage import evidence
from jixiao.storage.backup import BackupError, backup, restore
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine, make_backend

__all__ = ["backend_engine"]  # the fixture, used by name
on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # the shangye unit's draft
ATTACH = (
    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
    "VALUES (%s, '', %s, %s, 0, '', %s, '', now())"
)
JUNK = ["text/html\x1b[31m", "x" * 100, "application/pdf ", "pdf", "", "a/b/c", "text/plain;x=1"]
#: well-formed but for their case: the PDF writer lowers them (mimetypes guessed the second for .xlsm
#: before 0035); the database refuses them
MIXED = {
    "Application/PDF": "application/pdf",
    "application/vnd.ms-excel.sheet.macroEnabled.12": "application/vnd.ms-excel.sheet.macroenabled.12",
}
BAD = [*JUNK, *MIXED]
GOOD = ["application/pdf", "image/svg+xml", "application/vnd.ms-excel", "text/plain", "image/jpeg"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [(t, t) for t in GOOD] + [(t, "application/octet-stream") for t in JUNK] + list(MIXED.items()),
)
def test_only_a_well_formed_media_type_is_kept(given: str, kept: str) -> None:
    assert media_type(given) == kept


@on_pg
@pytest.mark.parametrize("who", ["shangye", "admin"])
@pytest.mark.parametrize("bad", BAD)
def test_no_role_writes_a_media_type_that_is_not_one(setup: Setup, who: str, bad: str) -> None:
    fid = setup.form_id(OWN)
    with setup.connect(who) as conn, pytest.raises(psycopg.errors.CheckViolation, match="media_type_well_formed"):
        conn.execute(ATTACH, (fid, "x.pdf", bad, b"%PDF"))


@on_pg
def test_nor_the_owner_and_a_good_one_goes_in(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect_owner() as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(ATTACH, (fid, "x.pdf", "text/html\x1b[31m", b"%PDF"))
        conn.execute(ATTACH, (fid, "图.svg", "image/svg+xml", b"<svg/>"))


@on_pg
def test_the_upgrade_makes_an_older_bad_row_octet_stream(setup: Setup) -> None:
    from alembic import command

    from jixiao.storage.database import alembic_config, upgrade

    engine = setup.store.engine
    command.downgrade(alembic_config(engine), "0034")
    fid = setup.form_id(OWN)
    with setup.connect_owner() as conn:
        conn.execute(ATTACH, (fid, "旧.pdf", "text/html\x1b[31m", b"%PDF old"))
    upgrade(engine)
    (old,) = evidence.for_form(setup.store, fid)
    assert old.media_type == "application/octet-stream"


def test_the_pdf_embeds_a_bad_media_type_as_octet_stream() -> None:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    Canvas(buf).save()
    files = [Attachment("a.txt", b"a", "", "text/html\x1b[31m"), Attachment("b.pdf", b"b", "", "Application/PDF")]
    reader = PdfReader(io.BytesIO(embed(buf.getvalue(), files)))
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    subtypes = {str(names[i]): str(names[i + 1].get_object()["/EF"]["/F"].get_object()["/Subtype"]) for i in (0, 2)}
    assert subtypes == {"a.txt": "/application/octet-stream", "b.pdf": "/application/pdf"}


def test_jixiao_stores_the_guessed_type_of_a_name(backend_engine: Engine) -> None:
    store = FormStore(backend_engine, actor="商业行办填报人")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    fid = store.find(OWN).id
    assert evidence.add(store, fid, "照片.JPG", b"\xff\xd8").media_type == "image/jpeg"
    assert evidence.add(store, fid, "说明.未知", b"?").media_type == "application/octet-stream"


def _sqlite_with(tmp_path: Path, kinds: list[str]) -> tuple[Engine, int]:
    """A SQLite database whose evidence files' media types were rewritten with sqlite3 (the file's
    owner can drop the append-only trigger), one file per type."""
    engine = make_engine(f"sqlite:///{tmp_path / 'src.db'}")
    upgrade(engine)
    store = FormStore(engine, actor="商业行办填报人")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    fid = store.find(OWN).id
    ids = [evidence.add(store, fid, f"附件{n}.pdf", b"%PDF " + bytes([n])).id for n in range(len(kinds))]
    engine.dispose()
    with sqlite3.connect(str(engine.url.database)) as conn:
        conn.execute("DROP TRIGGER evidence_no_update")
        conn.executemany("UPDATE evidence SET media_type = ? WHERE id = ?", list(zip(kinds, ids, strict=True)))
    return engine, fid


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("bad", ["text/html\x1b[31m", "Application/PDF"])
def test_a_restore_refuses_a_bad_media_type_in_chinese_before_writing(tmp_path: Path, kind: str, bad: str) -> None:
    if kind == "postgresql" and not PG_URL:
        pytest.skip(PG_REASON)
    source, fid = _sqlite_with(tmp_path, [bad])
    backup(source, tmp_path / "b.gz")
    gen = make_backend(kind, tmp_path / "target")
    _, target = next(gen)
    try:
        with pytest.raises(BackupError) as refused:
            restore(target, tmp_path / "b.gz")
        said = str(refused.value)
        assert f"（编号 {fid}）的佐证材料「附件0.pdf」的文件类型" in said and "未写入任何数据" in said
        assert "\x1b" not in said
        assert FormStore(target).list() == []
    finally:
        gen.close()


def test_the_upgrade_makes_sqlite_s_older_types_well_formed_and_its_backup_restores(tmp_path: Path) -> None:
    """Migration 0037: a mixed-case type (mimetypes' guess for .xlsm before 0035) is lowered, junk
    becomes application/octet-stream; the backup then restores, into PostgreSQL too."""
    from alembic import command

    from jixiao.storage.database import alembic_config

    source, fid = _sqlite_with(tmp_path, ["application/vnd.ms-excel.sheet.macroEnabled.12", "x\x07/y", "image/png"])
    command.downgrade(alembic_config(source), "0036")
    upgrade(source)
    kinds = [e.media_type for e in evidence.for_form(FormStore(source), fid)]
    assert kinds == ["application/vnd.ms-excel.sheet.macroenabled.12", "application/octet-stream", "image/png"]
    backup(source, tmp_path / "b.gz")
    gen = make_backend("postgresql" if PG_URL else "sqlite", tmp_path / "target")
    _, target = next(gen)
    try:
        restore(target, tmp_path / "b.gz")
        assert [e.media_type for e in evidence.for_form(FormStore(target), fid)] == kinds
    finally:
        gen.close()
