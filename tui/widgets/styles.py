"""Fitting text into cells (CJK counts double); colours and labels live in jixiao.styles."""

from __future__ import annotations


def clip(text: str, cells: int) -> str:
    """Cut text to a display width (CJK counts double), ending with … when cut."""
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > cells - 1:
            break
        out += ch
    return out + "…"


def short(text: str, cells: int) -> str:
    """A 一级/二级 name in narrow space: its first characters, no ellipsis (满意度 → 满意)."""
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > cells:
            break
        out += ch
    return out


def cut_cells(text: str, cells: int) -> tuple[str, str]:
    """Split text at a display width: (what fits in ``cells``, the rest), CJK counting double."""
    from rich.cells import cell_len

    width = 0
    for i, ch in enumerate(text):
        width += cell_len(ch)
        if width > cells:
            return text[:i], text[i:]
    return text, ""
