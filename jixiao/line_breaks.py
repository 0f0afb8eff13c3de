"""Where a line of mixed Chinese text may break: never inside a number.

A break may fall between any two CJK characters, but never inside a run of narrow letters and digits
(numbers, units, ids, pinyin such as 「zhì」), never before closing punctuation or a unit sign
(「）」「%」「℃」) and never after opening punctuation or a currency sign (「（」「¥」), as the line-start and
line-end rules of CJK typesetting (JIS X 4051, GB/T 15834) say. Rich folds a long CJK
cell at any character, so 「全年处置终端故障1276次」 in a narrow column read 「…故障12」 and 「76次」:
a reviewer reads two numbers; 「…创新局（」 ended a line and 「）」 began one. Every table and text jixiao prints through Rich, and the plain-string
layout beside it, breaks by this one rule (:func:`divide_line`, installed into Rich by
:func:`install`); the review's findings are laid out with :func:`cjk_wrap`.
"""

from __future__ import annotations

import bisect
import unicodedata
from types import ModuleType

from rich import text as rich_text
from rich._wrap import divide_line as rich_divide_line
from rich.cells import cell_len

CLOSING = set("，。、；：！？）」』】》〉”’%,.;:!?)]‰℃℉°′″") | {"…"}
OPENING = set("（「『【《〈“‘([¥￥$£")


def _word(char: str) -> bool:
    """Part of a run that prints as one word: ASCII other than space and brackets, and the letters,
    digits and combining marks of alphabetic scripts (「zhì」, 「m²」), which sit below the CJK blocks."""
    if char.isascii():
        return not char.isspace() and char not in CLOSING and char not in OPENING
    return ord(char) < 0x2E80 and (char.isalnum() or unicodedata.category(char)[0] == "M")


def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) spans that must stay on one line."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if text[i].isspace():
            while j < n and text[j].isspace():
                j += 1
        elif _word(text[i]):
            while j < n and (_word(text[j]) or (text[j].isascii() and not text[j].isspace() and text[j] not in "([")):
                j += 1
        spans.append((i, j))
        i = j
    merged: list[tuple[int, int]] = []
    glue = False  # the previous span ends with opening punctuation
    for start, end in spans:
        piece = text[start:end]
        if merged and not piece.isspace() and (glue or piece[0] in CLOSING):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
        glue = not piece.isspace() and piece[-1] in OPENING
    return merged


def _may_split(text: str, at: int) -> bool:
    """Whether a break at ``at`` may fall inside what must stay on one line: two ASCII characters that
    print as one (「12|76」, 「2|%」), closing punctuation starting a line (「|）」) or opening punctuation
    ending one (「（|」). Cheap: :func:`tokens` decides, and only where this says it might."""
    before, after = text[at - 1], text[at]
    if before.isascii() and after.isascii():
        return not before.isspace() and not after.isspace()
    return after in CLOSING or before in OPENING or (_word(before) and _word(after))


def _plain(char: str) -> bool:
    """A character that is a grapheme of its own on either side (no combining mark, joiner or
    variation selector): text cut between two of them measures the same in its two halves."""
    code = ord(char)
    return (code < 0x7F and char != "\r") or 0x4E00 <= code <= 0x9FFF or 0xFF01 <= code <= 0xFF5E


def _safe_cuts(text: str) -> list[int]:
    return [i for i in range(1, len(text)) if _plain(text[i - 1]) and _plain(text[i])]


def _first_break(text: str, base: int, width: int, cuts: list[int]) -> int | None:
    """Rich's first break in ``text[base:]``, reading only a window of it: a line or two, cut between two
    plain characters (the window grows until it holds a break). Rich decides each word by what comes
    before it, and a word cut at such a place measures no wider than the whole word, so the window's
    first break is the text's. Dividing the whole rest for every line took minutes for a long text."""
    size = 2 * width + 16
    while True:
        i = bisect.bisect_left(cuts, base + size)
        end = cuts[i] if i < len(cuts) else len(text)
        rest = rich_divide_line(text[base:end], width, True)
        if rest or end == len(text):
            return base + rest[0] if rest else None
        size *= 2


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Rich's break offsets for ``text`` in ``width`` cells, with every fold that falls inside a run
    that must stay whole (:func:`tokens`: a number, an ASCII word, a character and its punctuation)
    moved back to the run's start, when the line keeps something before it. A run longer than the
    line is still folded: there is no other way to show it."""
    offsets = rich_divide_line(text, width, fold)
    if not fold or not any(_may_split(text, o) for o in offsets):
        return offsets  # the common case: Rich's own breaks, byte for byte
    starts = [s for s, _ in tokens(text)]
    cuts = _safe_cuts(text)
    out: list[int] = []
    base = 0
    while (at := _first_break(text, base, width, cuts)) is not None:
        if _may_split(text, at):
            start = starts[bisect.bisect_right(starts, at) - 1]  # the run holding the break, if it began before
            if base < start < at:
                at = start
        out.append(at)
        base = at
    return out


def cjk_wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy line breaking of ``text`` into (start, end) spans of at most ``width`` cells."""
    lines: list[tuple[int, int]] = []
    start = end = 0
    used = 0
    for s, e in tokens(text):
        w = cell_len(text[s:e])
        if text[s:e].isspace():
            if used and used + w <= width:
                end, used = e, used + w
            elif used:
                lines.append((start, end))
                start, end, used = e, e, 0
            else:
                start = end = e
            continue
        if used and used + w > width:
            lines.append((start, end))
            start, used = s, 0
        while w > width:  # a single unbreakable run longer than the line: fold it
            cut = s
            acc = 0
            while cut < e and acc + cell_len(text[cut]) <= width:
                acc += cell_len(text[cut])
                cut += 1
            lines.append((s, cut))
            s, w = cut, cell_len(text[cut:e])
            start = s
        end, used = e, used + w
    if end > start:
        lines.append((start, end))
    return [(a, b) for a, b in lines if text[a:b].strip()] or [(0, 0)]


def install(module: ModuleType = rich_text) -> None:
    """Make ``module``'s wrapping break by :func:`divide_line`: Rich's ``Text.wrap`` (the default) and
    Textual's ``Content.wrap`` (``textual.content``, installed by the TUI) each call the name in their
    own module."""
    current = getattr(module, "divide_line", None)
    if current is not rich_divide_line and current is not divide_line:
        raise RuntimeError(f"{module.__name__}.divide_line is not Rich's own: the line-break rule cannot be installed")
    module.divide_line = divide_line  # type: ignore[attr-defined]
