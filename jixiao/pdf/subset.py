"""A faster ``makeSubset`` for the CJK TrueType font, giving reportlab's bytes exactly.

reportlab builds every embedded font subset from scratch: it copies the whole ``glyf``
table (3.5 MB for WenQuanYi Micro Hei), re-reads each glyph's header through its file
reader, and re-parses the composite glyphs (most Chinese glyphs in that font are
composites). A form embeds two subsets; that was ~15% of rendering. The tables that are
copied as they are and each glyph's bytes and components depend only on the font, so
they are read once per font and process; the subset itself is then assembled by
reportlab's own ``TTFontMaker`` in the same order, with the same numbers.

``install(face)`` replaces the method on that one face; anything unexpected in a glyph
falls back to reportlab's own code, which then gives (or raises) what it always did.
"""

from __future__ import annotations

from struct import pack, unpack
from typing import Any

from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTFontMaker,
)

_COPIED = ("name", "OS/2", "cvt ", "fpgm", "prep")


def _skip(flags: int) -> int:
    """Bytes after a component's glyph index: its arguments, then its scale."""
    n = 4 if flags & GF_ARG_1_AND_2_ARE_WORDS else 2
    if flags & GF_WE_HAVE_A_SCALE:
        n += 2
    elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
        n += 4
    elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
        n += 8
    return n


class _Glyph:
    """One glyph of the font: its bytes, the glyphs it is made of, where their indices sit."""

    __slots__ = ("data", "length", "components", "slots")

    def __init__(self, face: Any, glyf: tuple[int, memoryview], index: int) -> None:
        glyf_start, table = glyf
        pos = face.glyphPos[index]
        length = face.glyphPos[index + 1] - pos
        raw: bytes = face._ttf_data
        self.length = length  # what the offsets advance by, as in reportlab
        self.components: tuple[int, ...] = ()
        self.slots: tuple[tuple[int, int], ...] = ()  # (offset in data, original glyph index)
        self.data = bytes(table[pos : pos + length])
        if not length:
            return
        at = glyf_start + pos
        if unpack(">h", raw[at : at + 2])[0] < 0:  # composite; reportlab reads from the file here
            found = []
            at += 10
            flags = GF_MORE_COMPONENTS
            while flags & GF_MORE_COMPONENTS:
                flags, glyph = unpack(">HH", raw[at : at + 4])
                found.append(glyph)
                at += 4 + _skip(flags)
            self.components = tuple(found)
        if length > 2 and unpack(">h", self.data[:2])[0] < 0:
            slots = []
            at = 10
            flags = GF_MORE_COMPONENTS
            while flags & GF_MORE_COMPONENTS:
                flags, glyph = unpack(">HH", self.data[at : at + 4])
                slots.append((at + 2, glyph))
                at += 4 + _skip(flags)
            self.slots = tuple(slots)

    def renumbered(self, new_index: dict[int, int]) -> bytes:
        data = self.data
        if not self.slots:
            return data
        out = bytearray(data)
        for at, glyph in self.slots:
            out[at : at + 2] = pack(">H", new_index[glyph])
        return bytes(out)


class FastSubsetter:
    """What reportlab's ``TTFontFile.makeSubset`` computes, with the font's parts read once."""

    def __init__(self, face: Any) -> None:
        self.face = face
        self.original = type(face).makeSubset.__get__(face)
        start, length = face.get_table_pos("glyf")
        self.glyf = (start, memoryview(face._ttf_data)[start : start + length])
        self.glyphs: dict[int, _Glyph] = {}
        self.copied = []
        for tag in _COPIED:
            try:
                self.copied.append((tag, face.get_table(tag)))
            except KeyError:
                pass
        self.post = b"\x00\x03\x00\x00" + face.get_table("post")[4:16] + b"\x00" * 16
        self.hhea = face.get_table("hhea")
        self.maxp = face.get_table("maxp")
        self.head = face.get_table("head")

    def glyph(self, index: int) -> _Glyph:
        g = self.glyphs.get(index)
        if g is None:
            g = self.glyphs[index] = _Glyph(self.face, self.glyf, index)
        return g

    def __call__(self, subset: list[int]) -> bytes:
        try:
            glyph_map, new_index, code_to_glyph = self._glyph_map(subset)
            glyphs = [self.glyph(i) for i in glyph_map]
            glyf = [(g.renumbered(new_index), g.length) for g in glyphs]
        except Exception:  # a damaged glyph: reportlab's own code says what it always said
            return bytes(self.original(subset))
        return self._assemble(subset, glyph_map, glyf, code_to_glyph)

    def _glyph_map(self, subset: list[int]) -> tuple[list[int], dict[int, int], dict[int, int]]:
        """New glyph index → old, old → new, code → new; components appended as reportlab does."""
        char_to_glyph = self.face.charToGlyph
        glyph_map = [0]
        new_index = {0: 0}
        code_to_glyph = {}
        for code in subset:
            old = char_to_glyph.get(code, 0)
            if old not in new_index:
                new_index[old] = len(glyph_map)
                glyph_map.append(old)
            code_to_glyph[code] = new_index[old]
        n = 0
        while n < len(glyph_map):
            for part in self.glyph(glyph_map[n]).components:
                if part not in new_index:
                    new_index[part] = len(glyph_map)
                    glyph_map.append(part)
            n += 1
        return glyph_map, new_index, code_to_glyph

    def _assemble(
        self, subset: list[int], glyph_map: list[int], glyf: list[tuple[bytes, int]], code_to_glyph: dict[int, int]
    ) -> bytes:
        from reportlab.pdfbase.ttfonts import _set_ushort

        output = TTFontMaker()
        for tag, data in self.copied:
            output.add(tag, data)
        output.add("post", self.post)
        hmetrics = self.face.hmetrics
        hmtx: list[int] = []
        for old in glyph_map:
            aw, lsb = hmetrics[old]
            hmtx.append(int(aw))
            hmtx.append(int(lsb))
        n = len(hmtx) - 2
        while n and hmtx[n] == hmtx[n - 2]:
            n -= 2
        n += 2
        hmtx = hmtx[:n] + hmtx[n + 1 :: 2]
        output.add("hmtx", pack(f">{len(hmtx)}H", *hmtx))
        output.add("hhea", _set_ushort(self.hhea, 34, n >> 1))
        output.add("maxp", _set_ushort(self.maxp, 4, len(glyph_map)))
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset)]
        cmap += [code_to_glyph[c] for c in subset]
        output.add("cmap", pack(f">{len(cmap)}H", *cmap))
        offsets = []
        parts = []
        pos = 0
        for data, length in glyf:
            offsets.append(pos)
            parts.append(data)
            pos += length
            if pos % 4:
                parts.append(b"\0" * (4 - pos % 4))
                pos += 4 - pos % 4
        offsets.append(pos)
        output.add("glyf", b"".join(parts))
        if (pos + 1) >> 1 > 0xFFFF:
            output.add("loca", pack(f">{len(offsets)}L", *offsets))
            long_loca = 1
        else:
            output.add("loca", pack(f">{len(offsets)}H", *(o >> 1 for o in offsets)))
            long_loca = 0
        output.add("head", _set_ushort(self.head, 50, long_loca))
        return bytes(output.makeStream())


def install(face: Any) -> None:
    """Make ``face.makeSubset`` the cached one (for this face only)."""
    face.makeSubset = FastSubsetter(face)
