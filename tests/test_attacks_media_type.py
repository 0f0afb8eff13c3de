"""An evidence file's media type is a well-formed MIME type, in the database and in the signed PDF
(migration 0035). It was free text: a filler with psql wrote what they liked, and the PDF embedded it.
"""

from __future__ import annotations

import io

import psycopg
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from jixiao.pdf.attachments import Attachment, embed
from jixiao.safe_text import media_type
from jixiao.storage import evidence
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # the shangye unit's draft
ATTACH = (
    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
    "VALUES (%s, '', %s, %s, 0, '', %s, '', now())"
)
BAD = ["text/html\x1b[31m", "x" * 100, "application/pdf ", "Application/PDF", "pdf", "", "a/b/c", "text/plain;x=1"]
GOOD = ["application/pdf", "image/svg+xml", "application/vnd.ms-excel", "text/plain", "image/jpeg"]


@pytest.mark.parametrize(("given", "kept"), [(t, t) for t in GOOD] + [(t, "application/octet-stream") for t in BAD])
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
    files = [Attachment("a.txt", b"a", "", "text/html\x1b[31m"), Attachment("b.pdf", b"b", "", "application/pdf")]
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
