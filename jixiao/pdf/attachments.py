"""Evidence files embedded in a form's PDF (issue 20), so that a signature covers them too.

Embedded before signing as an incremental update (pyHanko), each under its own name with its
description (the row it supports); ``embedded`` lists a PDF's files with their SHA-256 for
``jixiao verify``. Without files the PDF is returned unchanged (byte-identical).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jixiao.safe_text import media_type


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    data: bytes
    description: str = ""
    media_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Embedded:
    """A file found in a PDF: its name, size and SHA-256."""

    name: str
    size: int
    sha256: str
    description: str = ""


def embed(pdf: bytes, files: Sequence[Attachment]) -> bytes:
    """``pdf`` with ``files`` embedded (names made unique: a second 问卷.pdf becomes 问卷-2.pdf)."""
    if not files:
        return pdf
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, FileSpec, embed_file

    writer = reproducible_writer(pdf, b"".join(hashlib.sha256(f.data).digest() + f.name.encode() for f in files))
    used: set[str] = set()
    for f in files:
        name = _unique(f.name, used)
        data = EmbeddedFileObject.from_file_data(writer, f.data, mime_type=media_type(f.media_type))
        embed_file(
            writer, FileSpec(file_spec_string=name, file_name=name, embedded_data=data, description=f.description)
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def reproducible_writer(pdf: bytes, what: bytes) -> Any:
    """An incremental writer on ``pdf`` whose update is the same bytes for the same ``pdf`` and ``what``:
    the rendered PDF's dates stay (they are the form's, not today's), the new ID half is a digest."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class _Reproducible(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            return None

    writer = _Reproducible(io.BytesIO(pdf))
    digest = hashlib.md5(pdf + what, usedforsecurity=False).digest()
    writer._document_id = generic.ArrayObject([writer._document_id[0], generic.ByteStringObject(digest)])
    return writer


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    base, suffix = (stem, f".{ext}") if dot and stem else (name, "")
    out, k = name, 2
    while out in used:
        out, k = f"{base}-{k}{suffix}", k + 1
    used.add(out)
    return out


def embedded(pdf: bytes) -> list[Embedded]:
    """The files embedded in ``pdf`` (the EmbeddedFiles name tree), in their order."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf), strict=False)
    out = []
    for name, items in (reader.attachments or {}).items():
        for data in items:
            out.append(Embedded(name, len(data), hashlib.sha256(data).hexdigest()))
    return out
