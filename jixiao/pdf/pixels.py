"""Compare what a reader *sees*: the signed pages and jixiao's re-render, as pixels.

The page text can be kept under white paint, an image, invisible (render mode 3), white or
clipped text, text moved off the page or into a hidden optional content group, while the page
shows other numbers. So ``jixiao verify`` renders the signed revision's pages (annotations and
form fields included: a widget drawn over the table is what a reader sees) and the database's form
rendered again, with pdfium, and requires every pixel to be equal outside the masked boxes: the
signature appearance, and the seal image when there is one (the database does not hold the image).

Exact equality, no tolerance: both sides are drawn by the same renderer from the same drawing
instructions, so a genuine copy is equal to the pixel; any tolerance would be room for a changed
decimal point or minus sign.

The masks come from the re-render (jixiao's own layout), never from the signed file, whose
metadata a forger writes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

SCALE = 1.5  # 108 dpi: a digit of the table's 7.5 pt type is ~11 pixels high
MARGIN = 2  # pixels added around a mask (anti-aliased edges of the stamp)

Box = tuple[int, float, float, float, float]  # page (0-based), x1, y1, x2, y2 in PDF points


def _open(pdf: bytes) -> Any:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    doc.init_forms()  # form fields, the signature's widget among them, are drawn only with a form environment
    return doc


def _sizes(doc: Any) -> list[tuple[float, float]]:
    return [doc.get_page_size(i) for i in range(len(doc))]


def _render(doc: Any) -> list[Any]:
    return [
        doc[i].render(scale=SCALE, draw_annots=True, may_draw_forms=True).to_pil().convert("RGB")
        for i in range(len(doc))
    ]


def _pages(pdf: bytes) -> list[Any]:
    doc = _open(pdf)
    try:
        return _render(doc)
    finally:
        doc.close()


def _mask(images: list[Any], boxes: Sequence[Box]) -> None:
    from PIL import ImageDraw

    for page, x1, y1, x2, y2 in boxes:
        if not 0 <= page < len(images):
            continue
        im = images[page]
        h = im.height
        left, right = min(x1, x2) * SCALE - MARGIN, max(x1, x2) * SCALE + MARGIN
        top, bottom = h - max(y1, y2) * SCALE - MARGIN, h - min(y1, y2) * SCALE + MARGIN
        ImageDraw.Draw(im).rectangle((left, top, right, bottom), fill=(255, 0, 255))


def differing_pages(signed: bytes, rendered: bytes, masks: Sequence[Box] = ()) -> list[int]:
    """The 0-based pages whose pixels differ outside ``masks`` (every page when the counts or sizes differ).

    The page counts and sizes are compared first, so a file of many or huge pages is refused
    before a bitmap is made for it."""
    from PIL import ImageChops

    docs = _open(signed), _open(rendered)
    try:
        count = max(len(docs[0]), len(docs[1]))
        if _sizes(docs[0]) != _sizes(docs[1]):  # before drawing anything: a forged page may be huge
            return list(range(count))
        a, b = _render(docs[0]), _render(docs[1])
    finally:
        for doc in docs:
            doc.close()
    _mask(a, masks)
    _mask(b, masks)
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if ImageChops.difference(x, y).getbbox()]


def changed_region(before: bytes, after: bytes) -> list[Box]:
    """Where two renders of the same layout differ, as boxes in PDF points (one a page at most).

    Used to find the seal field: the form rendered with a clear and with a black stand-in image."""
    from PIL import ImageChops

    out: list[Box] = []
    for i, (x, y) in enumerate(zip(_pages(before), _pages(after), strict=False)):
        bbox = ImageChops.difference(x, y).getbbox()
        if bbox:
            left, top, right, bottom = bbox
            h = x.height
            out.append((i, left / SCALE, (h - bottom) / SCALE, right / SCALE, (h - top) / SCALE))
    return out


_SUBSET = re.compile(r"^[A-Z]{6}\+")


def font_names(pdf: bytes) -> frozenset[str]:
    """The base names of the fonts the pages use, without subset tags (``ABCDEF+``)."""
    from pypdf import PdfReader

    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf), strict=False).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        for ref in (fonts.get_object() if fonts is not None else {}).values():
            base = str(ref.get_object().get("/BaseFont", ""))
            names.add(_SUBSET.sub("", base.lstrip("/")))
    return frozenset(names)
