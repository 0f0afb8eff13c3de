"""Text normalisation for published final-accounts documents.

Everything here works on one physical line at a time and never guesses:

* bytes are decoded (UTF-8, UTF-16 with BOM, GB18030) or refused as binary;
* HTML remnants of the PDF-to-text conversion are removed, except tick boxes,
  which become ☑ / □ (``<input checked="" type="checkbox"/>`` → ☑);
* a line becomes cells: tab-separated text keeps its empty cells (their
  position matters, blank 一级/二级 cells continue a merged cell); text laid out
  with spaces (``pdftotext -layout``) is split at runs of two or more spaces and
  each cell keeps its character column, so it can be aligned to a header row.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scorer.errors import JixiaoError

TICKED = "☑"
UNTICKED = "□"
# Wingdings/Wingdings 2 check boxes come out of PDF text extraction as private-use
# characters (U+F0FE, U+F052 ticked; U+F0A8, U+F06F, U+F0A3 empty) or as þ / ¨.
TICKED_MARKS = ("☑", "☒", "✓", "✔", "√", "■", "▣", "✅", "[x]", "[X]", "[√]", "(√)", "（√）", "\uf0fe", "\uf052", "þ")
UNTICKED_MARKS = ("□", "☐", "[ ]", "（ ）", "( )", "\uf0a8", "\uf06f", "\uf0a3", "¨")

_INPUT = re.compile(r"<input\b[^<>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_WS = re.compile(r"\s+")
_SPLIT = re.compile(r"[ \u3000\u00a0]{2,}")
_DECORATION = re.compile(r"^[\s\-=_—–·.…|+*#~]*$")
_PAGE_NO = re.compile(
    r"^[\s\-—–]*(?:第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|\d{1,4}|[-—–]\s*\d{1,4}\s*[-—–])[\s\-—–]*$"
)


class NotText(JixiaoError, ValueError):
    """Input that is not a text document (binary data, unknown encoding)."""


def decode(data: bytes) -> str:
    """Bytes of a text file → str; raises NotText with a reason in Chinese."""
    if not data:
        return ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotText("带 UTF-16 标记，但内容不是有效的 UTF-16 文本") from None
    if b"\x00" in data[:65536]:
        raise NotText("含有 NUL 字节，是二进制文件而不是文本")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise NotText("不是 UTF-8 或 GB18030 编码的文本（像是二进制文件）")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if not sample:
        return False
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\n\r\f\v")
    return bad > max(8, len(sample) // 200)


def clean(line: str) -> str:
    """Drop HTML remnants; tick boxes become ☑ / □; entities are unescaped."""
    if "<" in line:
        line = _INPUT.sub(lambda m: TICKED if re.search(r"\bchecked\b", m.group(0), re.I) else UNTICKED, line)
        line = _TAG.sub("", line)
    if "&" in line and ";" in line:
        line = html.unescape(line)
    return line.replace("\u200b", "").replace("\ufeff", "")


def squeeze(text: str) -> str:
    """No whitespace at all ("社 会 效 益 指标" → "社会效益指标"); the text itself is kept."""
    return "".join(text.split())


def is_decoration(text: str) -> bool:
    """Rules, page numbers and other lines that carry no content."""
    return bool(_DECORATION.match(text)) or bool(_PAGE_NO.match(text))


def shown(raw: str) -> str:
    """A raw line for a report: tabs as ⇥, long runs of layout spaces shortened."""
    return re.sub(r" {3,}", "  ", raw.replace("\t", "⇥").strip(" "))


def join_wrapped(a: str, b: str) -> str:
    """Join two pieces of one wrapped cell: no space between CJK, one between Latin words."""
    a, b = a.rstrip(), b.lstrip()
    if not a:
        return b
    if not b:
        return a
    if a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


@dataclass
class Line:
    """One physical line: its number in the source, raw text and cells.

    ``starts`` is None for tab-separated lines (the cell index is the column);
    for space-laid-out lines it holds each cell's character column.
    """

    no: int
    raw: str
    cells: list[str]
    starts: list[int] | None = None
    ends: list[int] | None = None
    # the same cells measured in display columns (CJK characters two wide), see choose_columns
    wide: tuple[list[int], list[int]] | None = None
    # a row of a table found by a document reader: its cells are whole (a wrapped cell is already
    # joined), so the line is never a wrapped piece of a neighbouring row
    whole: bool = False

    def end(self, i: int) -> int:
        assert self.starts is not None
        if self.ends is not None:
            return self.ends[i]
        return self.starts[i] + len(self.cells[i])

    @property
    def blank(self) -> bool:
        return not any(self.cells)

    @property
    def texts(self) -> list[str]:
        return [c for c in self.cells if c]

    @property
    def first(self) -> str:
        return next((c for c in self.cells if c), "")

    @property
    def tabbed(self) -> bool:
        return self.starts is None


def split_line(no: int, raw: str) -> Line:
    text = clean(raw).replace("\r", "")
    if "\t" in text:
        return Line(no, raw, [c.strip() for c in text.split("\t")])
    cells: list[str] = []
    starts: list[int] = []
    pos = 0
    for part in _SPLIT.split(text):
        idx = text.find(part, pos) if part else pos
        pos = idx + len(part)
        stripped = part.strip()
        if stripped:
            cells.append(stripped)
            starts.append(idx + (len(part) - len(part.lstrip())))
    ends = [s + len(c) for s, c in zip(starts, cells, strict=True)]
    wide_starts = [display_width(text[:s]) for s in starts]
    wide_ends = [ws + display_width(c) for ws, c in zip(wide_starts, cells, strict=True)]
    return Line(no, raw, cells, starts, ends, (wide_starts, wide_ends))


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def choose_columns(lines: list[Line]) -> str:
    """Measure space-laid-out lines in characters or in display columns, whichever aligns.

    ``pdftotext -layout`` places a cell at a character count (a CJK character is one
    column); text aligned by hand or copied from a terminal places it at a display
    column (a CJK character is two). Under the right measure many cells start exactly
    where a cell of a nearby line starts; the measure with more such starts is used.
    """
    laid = [ln for ln in lines if ln.starts is not None and ln.wide is not None and ln.cells]

    def aligned(starts_of: Callable[[Line], list[int]]) -> int:
        score = 0
        recent: list[set[int]] = []
        for ln in laid:
            starts = starts_of(ln)
            seen = set().union(*recent) if recent else set()
            score += sum(1 for s in starts if s and s in seen)
            recent = [*recent[-3:], set(starts)]
        return score

    chars = aligned(lambda ln: ln.starts or [])
    wide = aligned(lambda ln: ln.wide[0] if ln.wide else [])
    if wide <= chars:
        return "characters"
    for ln in laid:
        assert ln.wide is not None
        ln.starts, ln.ends = ln.wide
    return "display"


def grid_lines(rows: Sequence[str | Sequence[str]]) -> list[Line]:
    """Lines of a document reader's grid: a table row keeps its cells, any other text is split as text."""
    lines: list[Line] = []
    for no, row in enumerate(rows, 1):
        if isinstance(row, str):
            lines.append(split_line(no, row))
        else:
            cells = [clean(c).replace("\t", " ").strip() for c in row]
            lines.append(Line(no, "\t".join(cells), cells, whole=True))
    choose_columns(lines)
    return lines


def split_lines(text: str) -> list[Line]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = [split_line(i + 1, raw) for i, raw in enumerate(text.split("\n"))]
    choose_columns(lines)
    return lines
