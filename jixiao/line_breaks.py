"""Where a line of mixed Chinese text may break: between any two characters, never inside a number.

Rich breaks lines at spaces, as English is set, so a Chinese sentence with a space in it moved whole to
the next line and left the line before it half empty (「…错误/警告数（jixiao list」 ended a line of 100
cells at 48), and a cell without spaces was folded at any character (「…故障12」 / 「76次」: a reviewer
reads two numbers). Chinese is set the other way: a line may break between any two characters, except
inside a run of narrow letters and digits (numbers, units, ids, pinyin such as 「zhì」), between a number
and the character that counts it (「1276次」, 「26.1万元」), before closing punctuation or a unit sign
(「）」「%」「℃」), after opening punctuation or a currency sign (「（」「¥」), and inside 「——」 or 「……」: the line-start and line-end
rules of CJK typesetting (JIS X 4051, GB/T 15834). :func:`divide_line` is Rich's own greedy algorithm
over those pieces instead of over space-separated words; every table and text jixiao prints through Rich,
Textual's text, the plain-string layout beside Rich and the review's findings (:func:`cjk_wrap`) break by it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from types import ModuleType

from rich import text as rich_text
from rich._wrap import divide_line as rich_divide_line
from rich.cells import cell_len, chop_cells, split_graphemes

CLOSING = set("，。、；：！？）」』】》〉”’%,.;:!?)]‰℃℉°′″") | {"…"}
# a sign written before a number is part of it (「≥95%」「－5%」「±0.5℃」): a target read 「≤」 / 「5次」 or
# 「－」 / 「5%」 across two lines is another number
SIGNS = set("≥≤≧≦＞＜≮≯±∓−－≈～")
OPENING = set("（「『【《〈“‘([¥￥$£") | SIGNS
PAIRED = set("—…")  # written twice as one mark
MULTIPLIERS = set("十百千万亿")  # 「万元」「亿元」: counted together with the character after them


def _word(char: str) -> bool:
    """Part of a run that prints as one word: ASCII other than space and brackets, and the letters,
    digits and combining marks of alphabetic scripts (「zhì」, 「m²」), which sit below the CJK blocks."""
    if char.isascii():
        return not char.isspace() and char not in CLOSING and char not in OPENING
    return ord(char) < 0x2E80 and (char.isalnum() or unicodedata.category(char)[0] == "M")


def _fullwidth(char: str) -> bool:
    """A full-width digit or letter (「９５」「ＡＢＣ」), typed in full-width mode: a word as its ASCII is."""
    return "\uff10" <= char <= "\uff19" or "\uff21" <= char <= "\uff3a" or "\uff41" <= char <= "\uff5a"


def _decimal_point(text: str, j: int) -> bool:
    """A full-width point, colon or comma between two digits (「９５．５」「9：30」「12，345」): inside the number."""
    return text[j] in "．：，" and 0 < j < len(text) - 1 and text[j - 1].isdigit() and text[j + 1].isdigit()


def _runs(text: str) -> list[tuple[int, int]]:
    """Whitespace runs, runs of :func:`_word` characters, and every other character alone."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if text[i].isspace():
            while j < n and text[j].isspace():
                j += 1
        elif _word(text[i]) or (text[i].isascii() and text[i] not in OPENING):
            while j < n and (
                _word(text[j])
                or (text[j].isascii() and not text[j].isspace() and text[j] not in "([")
                or _decimal_point(text, j)
            ):
                j += 1
        elif _fullwidth(text[i]):
            while j < n and (_fullwidth(text[j]) or _decimal_point(text, j)):
                j += 1
        elif text[i] in PAIRED:  # 「——」「……」 are one mark, never split
            while j < n and text[j] == text[i]:
                j += 1
        spans.append((i, j))
        i = j
    return spans


def _counted(text: str, start: int, end: int, previous: str) -> bool:
    """Whether the one character at ``start`` counts the number that ends ``previous`` (「1276|次」), or
    is the unit after a multiplier that does (「26.1万|元」)."""
    if end - start != 1 or not previous or text[start].isspace() or text[start] in OPENING - SIGNS:
        return False  # a sign after a number joins a range to it (「10～20天」)
    last = previous[-1]
    return last.isdigit() or (last in MULTIPLIERS and len(previous) > 1 and previous[-2].isdigit())


def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) spans that must stay on one line."""
    merged: list[tuple[int, int]] = []
    glue = False  # the previous span ends with opening punctuation
    for start, end in _runs(text):
        piece = text[start:end]
        previous = text[merged[-1][0] : merged[-1][1]] if merged else ""
        if (
            previous.strip()  # after a space, the next piece may begin a line
            and not piece.isspace()
            and (glue or piece[0] in CLOSING or _counted(text, start, end, previous))
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
        glue = not piece.isspace() and piece[-1] in OPENING
    return merged


def _plain(char: str) -> bool:
    """A character that is a grapheme of its own on either side (no combining mark, joiner or
    variation selector)."""
    code = ord(char)
    return (code < 0x7F and char != "\r") or 0x4E00 <= code <= 0x9FFF or 0xFF01 <= code <= 0xFF5E


def words(text: str) -> list[tuple[int, int]]:
    """The pieces a line is filled with, as Rich's words are: a token with the spaces after it (and the
    text's leading spaces before the first). Never a break inside a grapheme (「👨‍👩」, 「é」)."""
    out: list[tuple[int, int]] = []
    for start, end in tokens(text):
        if out and (text[start:end].isspace() or (out[-1][0] == 0 and text[: out[-1][1]].isspace())):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    if all(_plain(c) for c in text):
        return out
    starts = {s for s, _, _ in split_graphemes(text)[0]}
    joined: list[tuple[int, int]] = []
    for start, end in out:
        if joined and start not in starts:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Rich's break offsets for ``text`` in ``width`` cells (``rich._wrap.divide_line``: fill each line
    greedily, fold a piece longer than a line, or crop it when ``fold`` is false), over :func:`words`
    instead of space-separated words."""
    if cell_len(text.rstrip()) <= width:
        return []  # everything fits: no break, as in Rich
    if len(text) > CACHED_CHARS:  # a narrative: divided afresh, never kept
        return list(_breaks.__wrapped__(text, width, fold))
    return list(_breaks(text, width, fold))


#: the longest text whose breaks are kept: names, targets and units repeat; a narrative of up to 50,000
#: characters and its breaks take 0.5 MB in a column of 10 cells: 4,096 of them kept held 2 GB
CACHED_CHARS = 1000


@lru_cache(maxsize=4096)
def _breaks(text: str, width: int, fold: bool) -> tuple[int, ...]:
    """Kept per text and width: a province's tables wrap the same names, targets and units in the same
    columns form after form (3,119 different texts in 11,593 calls for 1,006 forms)."""
    breaks: list[int] = []
    offset = 0
    for start, end in words(text):
        word = text[start:end]
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:
            # a character wider than the line comes back from chop_cells after an empty piece, which
            # Rich meets only at the text's start: a break for it here would print an empty line
            pieces = [p for p in chop_cells(word, width) if p] if fold else [word]
            for i, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if i == len(pieces) - 1:
                    offset = cell_len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return tuple(breaks)


def cjk_wrap(text: str, width: int) -> list[tuple[int, int]]:
    """``text`` in (start, end) lines of at most ``width`` cells, by :func:`divide_line`, each line's
    trailing spaces left out and blank lines dropped."""
    offsets = [0, *divide_line(text, width), len(text)]
    lines = [(a, a + len(text[a:b].rstrip())) for a, b in zip(offsets, offsets[1:], strict=False)]
    return [(a, b) for a, b in lines if text[a:b].strip()] or [(0, 0)]


def install(module: ModuleType = rich_text) -> None:
    """Make ``module``'s wrapping break by :func:`divide_line`: Rich's ``Text.wrap`` (the default) and
    Textual's ``Content.wrap`` (``textual.content``, installed by the TUI) each call the name in their
    own module."""
    current = getattr(module, "divide_line", None)
    if current is not rich_divide_line and current is not divide_line:
        raise RuntimeError(f"{module.__name__}.divide_line is not Rich's own: the line-break rule cannot be installed")
    module.divide_line = divide_line  # type: ignore[attr-defined]
