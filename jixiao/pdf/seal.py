"""The unit's 公章 as an image in its field of the sign-off block (issue 20).

An image the unit supplies, printed where the form says 单位（盖章）; it is not a signature and
proves nothing by itself: the cryptographic signature covers it like the rest of the page, and
the metadata carries its SHA-256 so ``jixiao verify`` can name the image that was signed.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from jixiao.pdf.page import LayoutError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4000  # per side
FORMATS = {"PNG": "PNG", "JPEG": "JPEG"}


@dataclass(frozen=True, slots=True)
class Seal:
    data: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def load_seal(path: Path) -> Seal:
    """A PNG or JPEG file as a seal image; LayoutError (Chinese, naming the file) otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        from jixiao.files import os_reason

        raise LayoutError(f"{path}：无法读取公章图像（{os_reason(exc)}）") from None
    return seal_from(data, str(path))


def seal_from(data: bytes, name: str) -> Seal:
    if len(data) > MAX_BYTES:
        raise LayoutError(f"{name}：公章图像有 {len(data):,} 字节，超过上限 {MAX_BYTES:,} 字节")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            kind, (w, h) = im.format, im.size
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise LayoutError(f"{name}：不是可读的 PNG 或 JPEG 图像，不能作为公章") from None
    if kind not in FORMATS:
        raise LayoutError(f"{name}：公章图像应为 PNG 或 JPEG，实际为 {kind}")
    if not (0 < w <= MAX_PIXELS and 0 < h <= MAX_PIXELS):
        raise LayoutError(f"{name}：公章图像 {w}×{h} 像素，每边应在 1–{MAX_PIXELS} 之间")
    return Seal(data, w, h)


def stand_in() -> Seal:
    """A 1×1 image in a seal's place: the page's words and layout are the same whatever the image
    (``jixiao verify`` re-renders the form to compare the words of a sealed copy)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (1, 1)).save(buf, "PNG")
    return Seal(buf.getvalue(), 1, 1)
