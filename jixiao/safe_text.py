"""Text from forms, made safe to show in a terminal.

Names and cells come from files that dozens of units send in. A control
character (ESC starts an ANSI sequence that can clear the screen, move the
cursor or retitle the window; BEL rings; CR overwrites the line), a bidi
override (U+202E turns the rest of the line around, so ``01.gpj`` reads as
``jpg.10``) or a lone surrogate (which cannot be written as UTF-8 at all)
must never reach the terminal as such. ``display`` shows them instead:

* C0 controls and DEL become their Control Pictures (ESC → ␛, BEL → ␇,
  NUL → ␀), so a reviewer still sees that something odd was in the cell;
* C1 controls (U+0080–U+009F, e.g. the 8-bit CSI U+009B), bidi controls,
  other invisible line/paragraph separators and lone surrogates become
  U+FFFD (�);
* ``\\n`` and ``\\t`` are kept in multi-line text; in a single-line field
  (a name, a table cell) they become a space, and the text is cut to
  ``limit`` characters with "…".

The result has the same meaning for a reader and no effect on the terminal.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
LINE_LIMIT = 300  # characters of a single-line field (names are at most 300 in the database)

# Bidirectional formatting characters: embeddings and overrides (LRE RLE PDF LRO RLO),
# isolates (LRI RLI FSI PDI), marks (LRM RLM ALM).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

# Everything that is not plainly printable: C0 (but \t \n), DEL, C1, bidi controls,
# the Unicode line/paragraph separators, and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029\ud800-\udfff]"
)
_UNSAFE_LINE = re.compile(
    "[\x00-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029\ud800-\udfff]"
)


def _shown(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return REPLACEMENT


def _shown_line(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in "\t\n":
        return " "
    return _shown(m)


def display(text: object, *, single_line: bool = False, limit: int | None = None) -> str:
    """``text`` with every control, bidi override and lone surrogate made visible and harmless.

    ``single_line`` also turns newlines and tabs into spaces and cuts the text
    to ``limit`` characters (default ``LINE_LIMIT``); ``limit`` alone cuts
    multi-line text.
    """
    s = "" if text is None else text if isinstance(text, str) else str(text)
    if single_line:
        s = _UNSAFE_LINE.sub(_shown_line, s)
        limit = LINE_LIMIT if limit is None else limit
    else:
        s = _UNSAFE.sub(_shown, s)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return s


def line(text: object, limit: int = LINE_LIMIT) -> str:
    """A single-line field (a name, a table cell): ``display(text, single_line=True)``."""
    return display(text, single_line=True, limit=limit)


def is_safe(text: str) -> bool:
    """True when ``text`` has nothing that ``display`` would change (newlines and tabs allowed)."""
    return _UNSAFE.search(text) is None


#: a MIME type as RFC 6838 writes it, lower case, at most 100 characters (the column): migration 0035
#: holds the same rule for ``evidence.media_type`` on PostgreSQL
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


def well_formed_media_type(text: object) -> bool:
    """True when ``text`` is a media type as migration 0035 takes it (lower case, RFC 6838's characters)."""
    return isinstance(text, str) and len(text) <= 100 and MEDIA_TYPE.fullmatch(text) is not None


def media_type(text: str | None) -> str:
    """``text`` in lower case when that is a well-formed media type, else application/octet-stream: what
    goes into a signed PDF as an embedded file's type is never free text from a database row. Media
    types ignore case, and ``mimetypes`` guessed some in mixed case before 0035
    (application/vnd.ms-excel.sheet.macroEnabled.12 for .xlsm)."""
    low = (text or "").lower()
    return low if well_formed_media_type(low) else UNKNOWN_MEDIA_TYPE
