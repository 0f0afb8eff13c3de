"""The page and its constants, and the one error rendering raises."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from scorer.errors import JixiaoError

LAYOUTS = ("hubei", "national")
PAGE = landscape(A4)
MARGIN_X = 15 * mm
MARGIN_TOP = 13 * mm
MARGIN_BOTTOM = 16 * mm
WIDTH = PAGE[0] - 2 * MARGIN_X
FRAME_HEIGHT = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM - 12  # the page's frame, less its 6 pt paddings
MARK = "※"
LINE = colors.black
HEAD_BG = colors.HexColor("#EDEDED")
MARK_COLOR = "#B00000"
GREY = colors.HexColor("#666666")
SIGNATURE_BOX = (240.0, 50.0)  # width, height of the reserved signature field, points


class LayoutError(JixiaoError, ValueError):
    """A layout name jixiao does not know."""
