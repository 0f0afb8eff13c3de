"""What a jixiao PDF says about itself: custom keys of the document Info dictionary.

The same values are repeated in /Subject and /Keywords so that any viewer's
"document properties" shows them.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import Any

# pypdf logs header and xref repairs of damaged files; callers report the outcome instead.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

KEY_RULES = "JixiaoRules"
KEY_RULES_VERSION = "JixiaoRulesVersion"
KEY_FORM_SHA256 = "JixiaoFormSHA256"
KEY_FORM_KEY = "JixiaoFormKey"  # year/unit/project: the form's identity in the database
KEY_LAYOUT = "JixiaoLayout"
KEY_SEAL = "JixiaoSeal"  # SHA-256 of the 公章 image printed in the sign-off (seal.py)
KEY_RECHECKS = "JixiaoRechecks"  # "N sha256" of the 复核 printed after the form (recheck_block.py)
KEY_SIGNATURE_BOX = "JixiaoSignatureBox"  # "page x1 y1 x2 y2" (page 0-based, PDF points)
SIGNATURE_FIELD = "jixiao-signature"

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class PdfMeta:
    rules: str = ""
    rules_version: str = ""
    form_sha256: str = ""
    form_key: str = ""
    layout: str = ""
    signature_box: tuple[int, float, float, float, float] | None = None
    title: str = ""
    rechecks: str = ""  # "N sha256" of the 复核 printed after the form, when there are any
    seal: str = ""  # SHA-256 of the 公章 image, when one is printed


def parse_box(text: str) -> tuple[int, float, float, float, float] | None:
    parts = text.split()
    if len(parts) != 5:
        return None
    try:
        return (int(parts[0]), float(parts[1]), float(parts[2]), float(parts[3]), float(parts[4]))
    except ValueError:
        return None


def read_meta(pdf: bytes) -> PdfMeta:
    """The jixiao keys of a PDF's Info dictionary (empty values when absent)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf), strict=False)
    info = reader.trailer.get("/Info")
    return meta_from_info(info.get_object() if info is not None else None)


def meta_from_info(info: Any) -> PdfMeta:
    """The jixiao keys of an Info dictionary already parsed (by pypdf or pyHanko)."""

    def get(key: str) -> str:
        value = info.get("/" + key) if info else None
        if value is not None and hasattr(value, "get_object"):
            value = value.get_object()
        return str(value) if value is not None else ""

    sha = get(KEY_FORM_SHA256).lower()
    return PdfMeta(
        rules=get(KEY_RULES),
        rules_version=get(KEY_RULES_VERSION),
        form_sha256=sha if _HEX64.fullmatch(sha) else "",
        form_key=get(KEY_FORM_KEY),
        layout=get(KEY_LAYOUT),
        signature_box=parse_box(get(KEY_SIGNATURE_BOX)),
        title=get("Title"),
        rechecks=get(KEY_RECHECKS),
        seal=get(KEY_SEAL).lower(),
    )


def read_info(pdf: bytes) -> tuple[tuple[str, str], ...]:
    """Every entry of the Info dictionary, as sorted text pairs (empty when unreadable)."""
    from pypdf import PdfReader

    try:
        info = PdfReader(io.BytesIO(pdf), strict=False).trailer.get("/Info")
        info = info.get_object() if info is not None else {}
        return tuple(sorted((str(k), str(v.get_object() if hasattr(v, "get_object") else v)) for k, v in info.items()))
    except Exception:
        return ()


def read_xmp(pdf: bytes) -> bytes | None:
    """The catalog's XMP metadata stream, decoded (b"" when there is none, None when unreadable)."""
    from pypdf import PdfReader

    try:
        root: Any = PdfReader(io.BytesIO(pdf), strict=False).trailer["/Root"].get_object()
        xmp = root.get("/Metadata")
        return bytes(xmp.get_object().get_data()) if xmp is not None else b""
    except Exception:
        return None


def page_text(pdf: bytes) -> str:
    """What the pages show, as text without white space (wrapping may differ between fonts)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf), strict=False)
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))
