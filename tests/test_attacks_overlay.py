"""Overlays: the genuine text kept in the signed page, hidden from the reader, and other numbers
shown instead; each copy signed by the key of record. ``jixiao verify`` compares what the page shows
(pixels), so every one fails, and by the pixel check: the page text alone still agrees.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("pyhanko")

from pypdf import PdfReader, PdfWriter  # noqa: E402
from pypdf.generic import (  # noqa: E402
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

from jixiao.pdf.sign import sign_pdf  # noqa: E402
from tests import test_attacks_sign as genuine  # noqa: E402
from tests.test_attacks_redsign import _key_of_record, _plain, _verify_both  # noqa: E402
from tests.test_pdf import PASSWORD  # noqa: E402

bureau = genuine.bureau  # the database with the 94 form signed by the bureau's key

FORGED = b"\nq 0 0 0 rg 300 300 12 30 re f Q\n"  # a "1" drawn as a bar where the reader looks


def _forge(bureau: Path, before: bytes, after: bytes, extra: object = None) -> tuple[int, str]:
    """The plain copy's first page as ``before`` + its drawing + ``after``, signed by a trusted key."""
    reader = PdfReader(io.BytesIO(_plain(bureau)))
    writer = PdfWriter()
    writer.append(reader)
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(before + page.get_contents().get_data() + after)
    page.replace_contents(stream)
    if callable(extra):
        extra(writer, page)
    writer.add_metadata(dict(reader.metadata or {}))
    forged = io.BytesIO()
    writer.write(forged)
    path = bureau / "forged.pdf"
    path.write_bytes(sign_pdf(forged.getvalue(), _key_of_record(bureau), PASSWORD))
    return _verify_both(bureau, path)


def _assert_caught(code: int, out: str) -> None:
    assert code == 1 and "看到的内容" in out, out


def test_a_full_page_image_over_the_text_fails(bureau: Path) -> None:
    from PIL import Image

    def image(writer: PdfWriter, page: object) -> None:
        buf = io.BytesIO()
        Image.new("RGB", (60, 40), "white").save(buf, "JPEG")
        xobj = DecodedStreamObject()
        xobj._data = buf.getvalue()
        xobj.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): _num(60),
                NameObject("/Height"): _num(40),
                NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                NameObject("/BitsPerComponent"): _num(8),
                NameObject("/Filter"): NameObject("/DCTDecode"),
            }
        )
        resources = page["/Resources"].get_object()  # type: ignore[index]
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
        xobjects.get_object()[NameObject("/Forged")] = writer._add_object(xobj)

    _assert_caught(*_forge(bureau, b"", b"\nq 842 0 0 595 0 0 cm /Forged Do Q" + FORGED, image))


def _num(n: int) -> object:
    from pypdf.generic import NumberObject

    return NumberObject(n)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"3 Tr\n", b""),  # every glyph invisible (render mode 3)
        (b"q 0 0 1 1 re W n\n", b"\nQ"),  # the whole drawing clipped to one point
        (b"q 1 0 0 1 5000 0 cm\n", b"\nQ"),  # the whole drawing moved off the page
    ],
    ids=["invisible-text", "clipped", "off-page"],
)
def test_genuine_drawing_hidden_and_other_numbers_shown_fails(bureau: Path, before: bytes, after: bytes) -> None:
    _assert_caught(*_forge(bureau, before, after + FORGED))


def test_white_text_fails(bureau: Path) -> None:
    """Every glyph painted white: the text is there, the reader sees only the drawn "1"."""
    reader = PdfReader(io.BytesIO(_plain(bureau)))
    data = reader.pages[0].get_contents().get_data()
    # fill colours set inside text objects only: the cell backgrounds stay as they were
    white = b"BT".join(
        [data.split(b"BT")[0]]
        + [part.replace(b" rg", b" rg 1 1 1 rg").replace(b" g\n", b" g 1 g\n") for part in data.split(b"BT")[1:]]
    )
    assert white != data
    code, out = _forge(bureau, b"q 1 1 1 rg\n", b"\nQ" + FORGED, lambda w, p: _replace(p, b"q 1 1 1 rg\n" + white))
    _assert_caught(code, out)


def _replace(page: object, data: bytes) -> None:
    stream = DecodedStreamObject()
    stream.set_data(data + b"\nQ" + FORGED)
    page.replace_contents(stream)  # type: ignore[attr-defined]


def test_genuine_drawing_in_a_hidden_optional_content_group_fails(bureau: Path) -> None:
    def hide(writer: PdfWriter, page: object) -> None:
        ocg = writer._add_object(
            DictionaryObject({NameObject("/Type"): NameObject("/OCG"), NameObject("/Name"): TextStringObject("原表")})
        )
        writer._root_object[NameObject("/OCProperties")] = DictionaryObject(
            {
                NameObject("/OCGs"): ArrayObject([ocg]),
                NameObject("/D"): DictionaryObject({NameObject("/OFF"): ArrayObject([ocg])}),
            }
        )
        resources = page["/Resources"].get_object()  # type: ignore[index]
        resources[NameObject("/Properties")] = DictionaryObject({NameObject("/Hidden"): ocg})

    _assert_caught(*_forge(bureau, b"/OC /Hidden BDC\n", b"\nEMC" + FORGED, hide))


def test_an_opaque_annotation_signed_with_the_page_fails(bureau: Path) -> None:
    """A square annotation over the table, added before signing: the signature covers it, the reader sees it."""
    from pypdf.annotations import Rectangle

    def cover(writer: PdfWriter, page: object) -> None:
        annotation = Rectangle(rect=(40, 300, 500, 500), interior_color="ffffff")
        writer.add_annotation(page_number=0, annotation=annotation)

    _assert_caught(*_forge(bureau, b"", b"", cover))


def test_a_signature_box_moved_over_the_table_does_not_mask_it(bureau: Path) -> None:
    """The masks come from jixiao's own layout: a forger who writes the stamp's box over the totals
    (and paints them) has the stamp compared like the rest of the page."""
    reader = PdfReader(io.BytesIO(_plain(bureau)))
    writer = PdfWriter()
    writer.append(reader)
    writer.add_metadata({**dict(reader.metadata or {}), "/JixiaoSignatureBox": "0 40.00 300.00 560.00 500.00"})
    forged = io.BytesIO()
    writer.write(forged)
    path = bureau / "moved-box.pdf"
    path.write_bytes(sign_pdf(forged.getvalue(), _key_of_record(bureau), PASSWORD))
    _assert_caught(*_verify_both(bureau, path))


def _with_creator(bureau: Path, creator: str, after: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(_plain(bureau)))
    writer = PdfWriter()
    writer.append(reader)
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(page.get_contents().get_data() + after)
    page.replace_contents(stream)
    writer.add_metadata({**dict(reader.metadata or {}), "/Creator": creator})
    forged = io.BytesIO()
    writer.write(forged)
    path = bureau / "other-version.pdf"
    path.write_bytes(sign_pdf(forged.getvalue(), _key_of_record(bureau), PASSWORD))
    return _verify_both(bureau, path)


def test_a_copy_from_another_jixiao_version_passes_only_when_it_looks_the_same(bureau: Path) -> None:
    """Pixels that differ cannot tell an older renderer from a forgery: 未确认, never 通过."""
    assert _with_creator(bureau, "jixiao 0.0.1", b"")[0] == 0
    code, out = _with_creator(bureau, "jixiao 0.0.1", b"\nq 1 1 1 rg 0 0 842 595 re f Q" + FORGED)
    assert code == 2 and "生成程序（jixiao 0.0.1）" in out, out


def _resigned(bureau: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The bureau's form printed again (``jixiao pdf`` with ``args``) and signed by a trusted key."""
    from tests.test_pdf import run

    with pytest.MonkeyPatch.context() as mp:
        for k, v in (env or {}).items():
            mp.setenv(k, v)
        code, _, err = run("pdf", genuine.FORM, "-o", str(bureau / "again"), *args)
    assert code == 0, err
    (pdf,) = (bureau / "again").glob("*.pdf")
    path = bureau / "again.pdf"
    path.write_bytes(sign_pdf(pdf.read_bytes(), _key_of_record(bureau), PASSWORD))
    return _verify_both(bureau, path)


def test_a_genuine_pdfa_copy_still_passes(bureau: Path) -> None:
    """PDF/A adds an output intent and XMP metadata: they change no pixel."""
    code, out = _resigned(bureau, "--pdfa")
    assert code == 0 and "页面内容与数据库一致" in out, out


WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@pytest.mark.skipif(not WQY.exists(), reason="needs fonts-wqy-microhei (its second face)")
def test_a_genuine_copy_set_in_another_font_is_not_confirmed(bureau: Path) -> None:
    """Set in a font this machine would not choose: the pixels differ, and jixiao cannot tell that
    from a forgery, so the copy is 未确认 (never 通过, never 不通过)."""
    code, out = _resigned(bureau, env={"JIXIAO_PDF_FONT": f"{WQY}#1"})
    assert code == 2 and "所用字体" in out, out


def test_a_huge_page_is_refused_before_it_is_drawn(bureau: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page 200 inches square (a 1.3 GB bitmap at the comparison's resolution) differs in size:
    不一致 at once, without drawing it."""
    from pypdf.generic import RectangleObject

    from jixiao.pdf import pixels

    drawn: list[float] = []
    render = pixels._render
    monkeypatch.setattr(pixels, "_render", lambda doc: drawn.extend(doc.get_page_size(0)) or render(doc))

    def huge(writer: PdfWriter, page: object) -> None:
        page[NameObject("/MediaBox")] = RectangleObject((0, 0, 14400, 14400))  # type: ignore[index]

    _assert_caught(*_forge(bureau, b"", b"", huge))
    assert 14400 not in drawn
