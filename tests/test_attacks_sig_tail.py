"""Updates appended after signing that pyHanko's difference analysis never sees.

pyHanko reads a file from its last ``%%EOF`` (searched in the last 1024 bytes). An update appended to
the genuine signed copy *without* a final ``%%EOF`` is skipped by it, so it reports no change; poppler
(Evince, Okular, pdftotext) starts from the last ``startxref`` and shows the forged page. Objects
appended with no cross-reference section at all are the same case (the incremental saving attack).
And pyHanko lets an update replace the XMP metadata (the title a viewer shows) at the level it allows
for validation data. Each of these was 通过 (exit 0) with ``--trust`` and the database; each is now 不通过.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("pyhanko")

from pypdf import PdfReader  # noqa: E402

from tests.test_attacks_sign import _signed, _verify  # noqa: E402
from tests.test_attacks_sign import bureau as bureau  # noqa: E402, F401 - the fixture

FORGED_TEXT = b"FORGED 999"


def _obj(num: int, body: bytes) -> bytes:
    return b"%d 0 obj\n" % num + body + b"\nendobj\n"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _update(pdf: bytes, objects: dict[int, bytes], size: int) -> bytes:
    """An incremental update of ``pdf`` replacing ``objects``, with its xref, trailer and startxref
    (and no ``%%EOF``: the caller adds one or not)."""
    reader = PdfReader(io.BytesIO(pdf))
    root, info = reader.trailer.raw_get("/Root"), reader.trailer.raw_get("/Info")
    prev = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    out = bytearray(pdf)
    offsets = {}
    for num, body in objects.items():
        offsets[num] = len(out)
        out += _obj(num, body)
    xref = len(out)
    out += b"xref\n" + b"".join(b"%d 1\n%010d 00000 n \n" % (n, offsets[n]) for n in sorted(offsets))
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n" % (
        size,
        root.idnum,
        info.idnum,
        prev,
        xref,
    )
    return bytes(out)


def _forged_page(pdf: bytes) -> dict[int, bytes]:
    """The first page redrawn as FORGED 999 in Helvetica (its annotations kept)."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    ref, contents = page.indirect_reference, page.raw_get("/Contents")
    assert ref is not None
    annots = b" ".join(b"%d 0 R" % a.idnum for a in page.raw_get("/Annots"))
    box = b" ".join(str(float(v)).encode() for v in page.mediabox)
    parent = page.raw_get("/Parent").idnum
    new_page = (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [%s] /Contents %d 0 R /Annots [%s] "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        % (parent, box, contents.idnum, annots)
    )
    return {contents.idnum: _stream(b"BT /F1 40 Tf 100 300 Td (" + FORGED_TEXT + b") Tj ET"), ref.idnum: new_page}


def _size(pdf: bytes) -> int:
    return int(PdfReader(io.BytesIO(pdf)).trailer["/Size"])


def _both(bureau: Path, data: bytes) -> list[tuple[int, str]]:
    """verify with --trust and the database, without --trust, and with --trust but no database at all."""
    path = bureau / "forged.pdf"
    path.write_bytes(data)
    out = [_verify(bureau, path), _verify(bureau, path, trust=False)]
    saved = {k: os.environ.get(k) for k in ("JIXIAO_DB", "XDG_DATA_HOME")}
    os.environ.pop("JIXIAO_DB")
    os.environ["XDG_DATA_HOME"] = str(bureau / "no-data")  # the default database file is absent
    try:
        out.append(_verify(bureau, path))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out


def test_an_update_without_a_final_eof_marker_fails(bureau: Path) -> None:
    genuine = _signed(bureau).read_bytes()
    update = _update(genuine, _forged_page(genuine), _size(genuine))
    if shutil.which("pdftotext"):  # what a poppler viewer shows of the file: the forged page
        (bureau / "seen.pdf").write_bytes(update)
        seen = subprocess.run(["pdftotext", str(bureau / "seen.pdf"), "-"], capture_output=True, text=True).stdout
        assert FORGED_TEXT.decode() in seen
    for code, out in _both(bureau, update):
        assert code == 1 and "追加了未经分析的内容" in out and "已被修改" in out, out
    # the same update closed with %%EOF is analysed by pyHanko and fails as a change of the page
    for code, out in _both(bureau, update + b"%%EOF\n"):
        assert code == 1 and "修改了文档内容" in out, out


def test_objects_appended_without_a_cross_reference_section_fail(bureau: Path) -> None:
    genuine = _signed(bureau).read_bytes()
    appended = genuine + b"".join(_obj(n, body) for n, body in _forged_page(genuine).items())
    for code, out in _both(bureau, appended):
        assert code == 1 and "追加了未经分析的内容" in out, out
    for junk in (b"%junk", b"\x00\x00junk\n", b"startxref\n0\n"):
        assert _both(bureau, genuine + junk)[0][0] == 1


def test_trailing_white_space_is_not_a_change(bureau: Path) -> None:
    """Line ends or NUL padding a transfer may add leave the copy 通过."""
    genuine = _signed(bureau).read_bytes()
    for tail in (b"\r\n", b"\n\n  \n", b"\x00" * 16):
        assert [code for code, _ in _both(bureau, genuine + tail)] == [0, 2, 0]


def test_xmp_metadata_added_after_signing_fails(bureau: Path) -> None:
    """pyHanko accepts a new /Metadata stream as an LTA-level update; a viewer shows its title."""
    genuine = _signed(bureau).read_bytes()
    reader = PdfReader(io.BytesIO(genuine))
    root_ref = reader.trailer.raw_get("/Root")
    root = reader.trailer["/Root"]
    assert "/Metadata" not in root
    xmp = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
        "另一个项目的自评表</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()
    size = _size(genuine)
    raw = genuine[genuine.rindex(b"\n%d 0 obj" % root_ref.idnum) :]  # the signed revision's catalog
    body = raw[raw.index(b"obj") + 3 : raw.index(b"endobj")].strip()
    assert body.endswith(b">>")
    catalog = body[:-2] + b" /Metadata %d 0 R >>" % size
    xmp_obj = _stream(xmp, b"/Type /Metadata /Subtype /XML ")
    update = _update(genuine, {size: xmp_obj, root_ref.idnum: catalog}, size + 1) + b"%%EOF\n"
    for code, out in _both(bureau, update):
        assert code == 1 and "XMP" in out and "已被修改" in out, out
