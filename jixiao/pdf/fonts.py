"""Find a Chinese TrueType font and register it with reportlab, embedded as a subset.

Order: the configured path (argument, else env ``JIXIAO_PDF_FONT``), then the fonts a
system usually has: WenQuanYi (Debian ``fonts-wqy-microhei`` / ``fonts-wqy-zenhei``),
AR PL UMing/UKai, Noto Sans/Serif CJK, then SimSun/SimHei/YaHei on Windows and the
Chinese faces of macOS. reportlab embeds only TrueType outlines: an OpenType font with
CFF outlines (Debian's Noto CJK .ttc) is skipped with that reason.

A ``.ttc`` collection is read at face 0; write ``path.ttc#N`` to choose face N.

When nothing is found the form is set in reportlab's CID font STSong-Light, which is
*not* embedded: the PDF then relies on the viewer having a Chinese font, and some show
blank text. ``FontChoice.warning`` says so; callers must show it.

A configured font that does not exist or cannot be loaded is a ``FontError`` with a
Chinese message, never a traceback.
"""

from __future__ import annotations

import functools
import os
import struct
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from scorer.errors import JixiaoError

ENV_FONT = "JIXIAO_PDF_FONT"
FALLBACK_CID = "STSong-Light"
# Characters every form needs: a font without them is no Chinese font.
_PROBE = "项目自评表指标得分"

_LINUX_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"))
# (label, file names) in order of preference; searched under the system font folders.
_CANDIDATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("文泉驿微米黑 WenQuanYi Micro Hei", ("wqy-microhei.ttc",)),
    ("文泉驿正黑 WenQuanYi Zen Hei", ("wqy-zenhei.ttc",)),
    ("AR PL UMing", ("uming.ttc",)),
    ("AR PL UKai", ("ukai.ttc",)),
    ("AR PL SungtiL GB", ("gbsn00lp.ttf",)),
    ("AR PL KaitiM GB", ("gkai00mp.ttf",)),
    (
        "Noto Sans/Serif CJK",
        (
            "NotoSansCJK-Regular.ttc",
            "NotoSerifCJK-Regular.ttc",
            "NotoSansCJKsc-Regular.otf",
            "NotoSerifCJKsc-Regular.otf",
            "NotoSansSC-Regular.ttf",
            "NotoSerifSC-Regular.ttf",
        ),
    ),
    ("Droid Sans Fallback", ("DroidSansFallbackFull.ttf", "DroidSansFallback.ttf")),
)
_WINDOWS_FILES = ("simsun.ttc", "simhei.ttf", "msyh.ttc", "simkai.ttf", "simfang.ttf")
_MAC_FILES = (
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
)


class FontError(JixiaoError, RuntimeError):
    """A configured font that cannot be used; the message (Chinese) says why."""


@dataclass(frozen=True)
class FontChoice:
    """The font a PDF is set in."""

    name: str  # the reportlab font name to use in styles
    face: str  # the font's own name, e.g. WenQuanYiMicroHei
    path: str = ""  # empty for the CID fallback
    index: int = 0  # face index in a .ttc
    embedded: bool = True
    warning: str = ""  # non-empty when the PDF will not carry its font
    skipped: tuple[str, ...] = ()  # candidates passed over, with the reason
    _glyphs: frozenset[int] = field(default=frozenset(), repr=False, compare=False)

    def has_glyph(self, ch: str) -> bool:
        """Whether the font can draw ``ch`` (the CID fallback is assumed to lack symbols)."""
        if not self.embedded:
            return False
        return ord(ch) in self._glyphs


_lock = threading.Lock()
_cache: dict[tuple[str, int], FontChoice] = {}


def _split_index(spec: str) -> tuple[str, int]:
    """``path.ttc#2`` → (path.ttc, 2)."""
    if "#" in spec:
        path, _, idx = spec.rpartition("#")
        if idx.strip().isdigit():
            return path, int(idx)
    return spec, 0


def outline_kind(path: str, index: int = 0) -> str:
    """'truetype', 'cff' or 'unknown' from the sfnt header (of face ``index`` in a .ttc)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if head[:4] == b"ttcf":
                count = struct.unpack(">I", head[8:12])[0]
                if index >= count:
                    return "unknown"
                fh.seek(12 + 4 * index)
                offset = struct.unpack(">I", fh.read(4))[0]
                fh.seek(offset)
                tag = fh.read(4)
            else:
                tag = head[:4]
    except (OSError, struct.error):
        return "unknown"
    if tag == b"OTTO":
        return "cff"
    if tag in (b"\x00\x01\x00\x00", b"true"):
        return "truetype"
    return "unknown"


def _load(path: str, index: int) -> FontChoice:
    """Register one TrueType file with reportlab; FontError saying why it cannot be used."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    from jixiao.pdf.subset import install

    key = (os.path.realpath(path), index)
    with _lock:
        if key in _cache:
            return _cache[key]
        p = Path(path)
        if not p.exists():
            raise FontError(f"字体文件「{path}」不存在")
        if not p.is_file():
            raise FontError(f"字体路径「{path}」不是文件")
        kind = outline_kind(path, index)
        if kind == "cff":
            raise FontError(
                f"字体「{p.name}」是 CFF 轮廓的 OpenType 字体，reportlab 不能嵌入；请改用 TrueType 字体（.ttf / .ttc）"
            )
        if kind == "unknown":
            raise FontError(
                f"字体文件「{path}」不是 TrueType 字体（.ttf / .ttc）"
                + (f"，或没有第 {index} 个字形集" if index else "")
            )
        name = f"JixiaoCJK-{len(_cache)}"
        try:
            font = TTFont(name, path, subfontIndex=index)
        except (TTFError, OSError) as exc:
            raise FontError(f"字体文件「{path}」无法载入：{exc}") from None
        except Exception as exc:  # a damaged file trips reportlab's parser anywhere
            raise FontError(f"字体文件「{path}」无法载入：{type(exc).__name__}：{exc}") from None
        glyphs = frozenset(font.face.charToGlyph)
        missing = [ch for ch in _PROBE if ord(ch) not in glyphs]
        if missing:
            raise FontError(f"字体「{p.name}」不含中文字形（缺少「{''.join(missing)}」），不能用于自评表")
        install(font.face)  # reportlab's subsets, built faster (same bytes)
        pdfmetrics.registerFont(font)
        face = font.face.name.decode("latin-1") if isinstance(font.face.name, bytes) else str(font.face.name)
        choice = FontChoice(name=name, face=face, path=str(p), index=index, embedded=True, _glyphs=glyphs)
        _cache[key] = choice
        return choice


def _index_fonts(dirs: list[Path]) -> dict[str, Path]:
    """Lower-case file name → first path, over the font folders (one walk each)."""
    wanted = {n.lower() for _, names in _CANDIDATES for n in names}
    found: dict[str, Path] = {}
    for d in dirs:
        for root, _subdirs, files in os.walk(d):
            for f in sorted(files):
                low = f.lower()
                if low in wanted and low not in found:
                    found[low] = Path(root) / f
    return found


@functools.lru_cache(maxsize=1)
def _system_candidates() -> tuple[tuple[str, str], ...]:
    """(label, path) of every known Chinese font file present on this machine, best first."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(label: str, path: Path) -> None:
        real = os.path.realpath(path)
        if real not in seen and path.is_file():
            seen.add(real)
            out.append((label, str(path)))

    dirs = [Path(d) for d in _LINUX_DIRS if Path(d).is_dir()]
    if sys.platform == "darwin":
        dirs += [p for p in (Path("/Library/Fonts"), Path.home() / "Library/Fonts") if p.is_dir()]
    index = _index_fonts(dirs)
    for label, names in _CANDIDATES:
        for name in names:
            hit = index.get(name.lower())
            if hit is not None:
                add(label, hit)
    windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    if windir.is_dir():
        for name in _WINDOWS_FILES:
            add(f"Windows {name}", windir / name)
    for mac in _MAC_FILES:
        p = Path(mac)
        if p.is_file():
            add(f"macOS {p.name}", p)
    return tuple(out)


def _cid_fallback(skipped: tuple[str, ...]) -> FontChoice:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    with _lock:
        if FALLBACK_CID not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    return FontChoice(
        name=FALLBACK_CID,
        face=FALLBACK_CID,
        embedded=False,
        warning=(
            "未找到可嵌入的中文 TrueType 字体，改用不嵌入的 STSong-Light：部分阅读器会显示空白文字。"
            f"请安装文泉驿字体（如 Debian 的 fonts-wqy-microhei），或用环境变量 {ENV_FONT} 指定 .ttf/.ttc 字体文件。"
        ),
        skipped=skipped,
    )


def find_font(configured: str | None = None) -> FontChoice:
    """The font to set a form in.

    ``configured`` (else env ``JIXIAO_PDF_FONT``) must be usable, or FontError. Without
    one, the first usable system font wins; none at all gives the STSong-Light fallback.
    """
    spec = configured if configured is not None else os.environ.get(ENV_FONT, "")
    spec = spec.strip()
    if spec:
        path, index = _split_index(spec)
        try:
            return _load(os.path.expanduser(path), index)
        except FontError as exc:
            source = "" if configured is not None else f"（环境变量 {ENV_FONT}）"
            raise FontError(f"{exc}{source}") from None
    skipped: list[str] = []
    for label, path in _system_candidates():
        try:
            choice = _load(path, 0)
        except FontError as exc:
            skipped.append(f"{label}（{path}）：{exc}")
            continue
        if skipped:
            from dataclasses import replace

            choice = replace(choice, skipped=tuple(skipped))
        return choice
    return _cid_fallback(tuple(skipped))


def ensure_registered(choice: FontChoice) -> FontChoice:
    """``choice``, usable for rendering in this process.

    A pool worker that was forked has the parent's registrations; a spawned one starts
    empty and loads the same file again (reportlab's internal font name does not reach
    the PDF, so the output is the same either way).
    """
    from dataclasses import replace

    from reportlab.pdfbase import pdfmetrics

    if choice.name in pdfmetrics.getRegisteredFontNames():
        return choice
    if not choice.embedded:
        return _cid_fallback(choice.skipped)
    return replace(_load(choice.path, choice.index), skipped=choice.skipped)
