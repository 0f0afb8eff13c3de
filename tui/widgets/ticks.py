"""Tick boxes that show their state in the glyph, not only in colour (☑/☐, ◉/○).

Textual's toggles draw the same "X" ticked or not; on a monochrome terminal, in a
screenshot or to a colour-blind reader the two look alike.
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class TickBox(Checkbox):
    BUTTON_LEFT = ""
    BUTTON_RIGHT = ""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name for the glyph
        return "☑" if self.value else "☐"


class TickRadio(RadioButton):
    BUTTON_LEFT = ""
    BUTTON_RIGHT = ""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name for the glyph
        return "◉" if self.value else "○"
