"""The characters an evidence file's name may not hold, as code-point ranges: the one list jixiao reads.

Migration 0018 carries a frozen copy (as a regular expression for PostgreSQL and as ranges for
SQLite's GLOB); tests/test_evidence_names.py checks that the copy and this list are the same set.
A later Unicode's new characters need a new migration, not an edit of the frozen copy.
"""

from __future__ import annotations

Ranges = tuple[tuple[int, int], ...]

#: Default_Ignorable_Code_Point of Unicode 15.1 (DerivedCoreProperties.txt), merged: characters a
#: renderer shows as nothing (zero-width, variation selectors, Hangul fillers, tags …), so the name a
#: reviewer reads is not the name stored.
DEFAULT_IGNORABLE: Ranges = (
    *((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5)),
    *((0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164)),
    *((0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3)),
    *((0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)),
)
#: blanks that are not Default_Ignorable but read as a space or as nothing: the Hangul fillers
#: (U+115F, U+1160, U+3164, U+FFA0 are in the list above already), the braille blank U+2800 and the
#: typographic spaces U+2000–U+200A, U+202F, U+205F (a name with one reads as a name with U+0020)
BLANKS: Ranges = ((0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F), (0x2800, 0x2800))
#: format characters (Unicode category Cf, 15.1) that are not Default_Ignorable (they are shown)
OTHER_FORMAT: Ranges = (
    *((0x0600, 0x0605), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2)),
    *((0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F)),
)
#: control characters (C0 but NUL, DEL, C1) and the line separators U+2028, U+2029
CONTROLS: Ranges = ((0x01, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029))
#: path separators and the slashes that look like one (／ ⁄ ∕ ⧸ ＼ ⧹ …)
SLASHES: Ranges = (
    *((0x2F, 0x2F), (0x5C, 0x5C), (0x2044, 0x2044), (0x2215, 0x2216), (0x2571, 0x2572), (0x29F5, 0x29F5)),
    *((0x29F8, 0x29F9), (0xFE68, 0xFE68), (0xFF0F, 0xFF0F), (0xFF3C, 0xFF3C)),
)
#: a name may not begin or end with a space (U+0020) or an ideographic space (U+3000); inside, both are fine
EDGE_BLANKS = " \u3000"


def merged(*groups: Ranges) -> Ranges:
    """The union of ``groups`` as sorted, non-overlapping, non-adjacent ranges."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(r for g in groups for r in g):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


#: every code point a name may not hold anywhere
FORBIDDEN: Ranges = merged(DEFAULT_IGNORABLE, BLANKS, OTHER_FORMAT, CONTROLS, SLASHES)


def _esc(c: int) -> str:
    if c in (0x2F, 0x5C):
        return "/" if c == 0x2F else "\\\\"
    return f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


def regex_class(ranges: Ranges) -> str:
    """``ranges`` as one bracket expression that Python's ``re`` and PostgreSQL's regular expressions read alike."""
    return "[" + "".join(_esc(a) if a == b else f"{_esc(a)}-{_esc(b)}" for a, b in ranges) + "]"


def in_ranges(c: int, ranges: Ranges) -> bool:
    return any(a <= c <= b for a, b in ranges)
