"""The canvas: fixed dates, a document ID from the form, page numbers, and the metadata sign.py reads."""

from __future__ import annotations

import re
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas as rl_canvas

from jixiao import __version__
from jixiao.pdf import meta as M
from jixiao.pdf.fonts import FontChoice
from jixiao.pdf.page import GREY, MARGIN_BOTTOM, MARGIN_X, PAGE


def _pdf_date(text: str) -> str:
    """A fixed PDF date: the form's 填报日期 when it reads as a date, else 2000-01-01."""
    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", text or "")
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"D:{y:04d}{mo:02d}{d:02d}000000+08'00'"
    return "D:20000101000000+00'00'"


class _Info(pdfdoc.PDFInfo):
    """The Info dictionary with fixed dates and jixiao's own keys."""

    def __init__(self, extra: dict[str, str], date: str) -> None:
        super().__init__()
        self.extra = extra
        self.date = date

    def format(self, document: Any) -> bytes:
        d: dict[str, Any] = {
            "Title": pdfdoc.PDFString(self.title),
            "Author": pdfdoc.PDFString(self.author),
            "Subject": pdfdoc.PDFString(self.subject),
            "Keywords": pdfdoc.PDFString(self.keywords),
            "Creator": pdfdoc.PDFString(self.creator),
            "Producer": pdfdoc.PDFString(self.producer),
            "CreationDate": pdfdoc.PDFString(self.date),
            "ModDate": pdfdoc.PDFString(self.date),
            "Trapped": pdfdoc.PDFName(self.trapped),
        }
        for key, value in self.extra.items():
            d[key] = pdfdoc.PDFString(value)
        return pdfdoc.PDFDictionary(d).format(document)


def _canvas_class(extra: dict[str, str], date: str, doc_id: bytes, footer: str, font: FontChoice, sink: dict[str, Any]):
    class NumberedCanvas(rl_canvas.Canvas):
        """Buffers the pages, then draws "第 N 页 共 M 页" once the page count is known."""

        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._pages: list[dict[str, Any]] = []
            info = _Info(dict(extra), date)
            info.producer = self._doc.info.producer
            self._doc.info = info
            digest = pdfdoc.PDFText(doc_id, enc="raw").format(pdfdoc.DummyDoc())
            self._doc._ID = b"\n[" + digest + digest + b"]\n"

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            box = sink.get("box")
            if box is not None:
                self._doc.info.extra[M.KEY_SIGNATURE_BOX] = " ".join([str(box[0])] + [f"{v:.2f}" for v in box[1:]])
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(font.name, 8)
            self.setFillColor(GREY)
            y = MARGIN_BOTTOM / 2
            self.drawCentredString(PAGE[0] / 2, y, f"第 {self._pageNumber} 页 共 {total} 页")
            self.setFont(font.name, 6.5)
            self.drawString(MARGIN_X, y, footer)
            self.drawRightString(PAGE[0] - MARGIN_X, y, f"jixiao {__version__}")
            self.restoreState()

    return NumberedCanvas
