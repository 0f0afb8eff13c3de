"""CJK-aware line breaking for the panels: break where Unicode allows (UAX #14, via uniseg).

Rich folds a run of Chinese text at any character, so `（80%–100%）` could end a line after
`（8`. Here lines break only at the opportunities of the Unicode line-breaking algorithm:
between two Chinese characters, after `，`, never inside a number or before a closing bracket.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from uniseg.linebreak import line_break_units

CLOSING = "，。；：、）》」』%！？,.;:)"


def _units(plain: str) -> list[str]:
    """Unbreakable pieces; a number keeps the measure word after it (`75户`, not `75` / `户`)."""
    units: list[str] = []
    for unit in line_break_units(plain):
        if units and units[-1][-1:].isdigit() and not unit[:1].isspace() and len(unit.rstrip("，。；、 ")) == 1:
            units[-1] += unit
        else:
            units.append(unit)
    return units


def break_offsets(plain: str, width: int) -> list[int]:
    """Offsets in ``plain`` (one line) where a new line starts so that no line exceeds ``width``."""
    offsets: list[int] = []
    pos = 0
    used = 0
    for unit in _units(plain):
        w = cell_len(unit.rstrip())
        if used and used + w > width:
            offsets.append(pos)
            used = 0
        while w > width:  # a unit wider than the panel (a long number or URL): fold it
            cut = 0
            for i in range(1, len(unit) + 1):
                if cell_len(unit[:i]) > width:
                    break
                cut = i
            while cut > 1 and unit[cut] in CLOSING:  # no line starts with `，` or `）`
                cut -= 1
            cut = max(cut, 1)
            pos += cut
            unit = unit[cut:]
            offsets.append(pos)
            w = cell_len(unit.rstrip())
        pos += len(unit)
        used += cell_len(unit)
    return offsets


def wrap(text: Text | str, width: int) -> Text:
    """The text with explicit line ends at CJK-aware break points (styles kept)."""
    text = Text(text) if isinstance(text, str) else text
    if width <= 0:
        return text
    out: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        offsets = break_offsets(line.plain, width)
        if not offsets:
            out.append(line)
            continue
        for part in line.divide(offsets):
            part.rstrip()
            out.append(part)
    return Text("\n").join(out)
