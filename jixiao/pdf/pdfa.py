"""PDF/A-2b for archiving (``jixiao pdf --pdfa``), and a check of the structures it requires.

The rendered PDF already embeds its fonts and holds no encryption, JavaScript or external content;
what PDF/A-2b adds is an sRGB output intent and XMP metadata that repeat the document information
(title, author, subject, keywords, producer, dates) and declare ``pdfaid:part=2``,
``conformance=B``. Both are added as an incremental update before signing (a signature's own
update keeps them). No full validator installs here (veraPDF needs Java and its own download), so
``pdfa_problems`` checks the required structures: the tests hold every output to it.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax.saxutils import escape

PART, CONFORMANCE = "2", "B"
_XMP_KEYS = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description"}


def _xmp_date(pdf_date: str) -> str:
    """D:20000101000000+00'00' → 2000-01-01T00:00:00+00:00 (the XMP form of the same instant)."""
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:([+-])(\d{2})'?(\d{2})'?|Z)?", pdf_date)
    if not m:
        return ""
    y, mo, d, h, mi, s, sign, zh, zm = m.groups()
    zone = f"{sign}{zh}:{zm}" if sign else "Z"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}"


def _xmp(info: dict[str, str]) -> bytes:
    def alt(tag: str, value: str) -> str:
        return f'<{tag}><rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt></{tag}>'

    parts = [
        alt("dc:title", info.get("/Title", "")),
        f"<dc:creator><rdf:Seq><rdf:li>{escape(info.get('/Author', ''))}</rdf:li></rdf:Seq></dc:creator>",
        alt("dc:description", info.get("/Subject", "")),
        f"<pdf:Keywords>{escape(info.get('/Keywords', ''))}</pdf:Keywords>",
        f"<pdf:Producer>{escape(info.get('/Producer', ''))}</pdf:Producer>",
        f"<pdf:Trapped>{escape(info.get('/Trapped', '/False').lstrip('/'))}</pdf:Trapped>",
        f"<xmp:CreatorTool>{escape(info.get('/Creator', ''))}</xmp:CreatorTool>",
        f"<xmp:CreateDate>{_xmp_date(info.get('/CreationDate', ''))}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{_xmp_date(info.get('/ModDate', ''))}</xmp:ModifyDate>",
        f"<pdfaid:part>{PART}</pdfaid:part><pdfaid:conformance>{CONFORMANCE}</pdfaid:conformance>",
    ]
    body = "".join(parts)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">{body}</rdf:Description></rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode()


# ICC header bytes 24–35: the profile's creation time. LittleCMS stamps the clock there, so two
# renders a second apart differed; a fixed stamp keeps to_pdfa reproducible.
_ICC_DATE = slice(24, 36)
_ICC_FIXED_DATE = bytes.fromhex("07e9 0001 0001 0000 0000 0000")  # 2025-01-01 00:00:00


def _srgb() -> bytes:
    from PIL import ImageCms

    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[_ICC_DATE] = _ICC_FIXED_DATE
    return bytes(profile)


def to_pdfa(pdf: bytes) -> bytes:
    """``pdf`` with the output intent and XMP metadata of PDF/A-2b (reproducibly)."""
    from pyhanko.pdf_utils import generic
    from pypdf import PdfReader

    from jixiao.pdf.attachments import reproducible_writer

    info = {k: str(v) for k, v in (PdfReader(io.BytesIO(pdf)).metadata or {}).items()}
    writer = reproducible_writer(pdf, b"pdfa")
    meta = generic.StreamObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/XML"),
        },
        stream_data=_xmp(info),
    )
    icc = generic.StreamObject({generic.pdf_name("/N"): generic.NumberObject(3)}, stream_data=_srgb())
    intent = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/OutputIntent"),
            generic.pdf_name("/S"): generic.pdf_name("/GTS_PDFA1"),
            generic.pdf_name("/OutputConditionIdentifier"): generic.TextStringObject("sRGB IEC61966-2.1"),
            generic.pdf_name("/DestOutputProfile"): writer.add_object(icc),
        }
    )
    writer.root[generic.pdf_name("/Metadata")] = writer.add_object(meta)
    writer.root[generic.pdf_name("/OutputIntents")] = generic.ArrayObject([writer.add_object(intent)])
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdfa_problems(pdf: bytes) -> list[str]:
    """What PDF/A-2b requires that ``pdf`` lacks (empty when every checked structure is there)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    out = []
    if reader.is_encrypted:
        out.append("文件已加密")
    if "/Metadata" not in root:
        out.append("缺少 XMP 元数据")
    else:
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
        if f"<pdfaid:part>{PART}</pdfaid:part>" not in xmp or f"<pdfaid:conformance>{CONFORMANCE}<" not in xmp:
            out.append("XMP 中没有 pdfaid:part=2 / conformance=B")
        info: Any = reader.metadata or {}
        for key, tag in _XMP_KEYS.items():
            if info.get(key) and escape(str(info[key])) not in xmp:
                out.append(f"文档信息 {key} 与 XMP 的 {tag} 不一致")
    intents: Any = root.get("/OutputIntents")
    if not intents or not any(
        i.get_object().get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i.get_object() for i in intents
    ):
        out.append("缺少带 ICC 特性文件的 GTS_PDFA1 输出意图")
    if "/JavaScript" in (root.get("/Names") or {}) or "/OpenAction" in root:
        out.append("含有 JavaScript 或打开动作")
    if "/EmbeddedFiles" in (root.get("/Names") or {}):
        out.append("含有嵌入文件（PDF/A-2 只允许 PDF/A 文件；佐证材料请另行归档或用 PDF/A-3）")
    for n, page in enumerate(reader.pages, start=1):
        fonts: Any = (page.get("/Resources") or {}).get("/Font") or {}
        for name, ref in fonts.items():
            font: Any = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            desc = target.get("/FontDescriptor")
            if desc is None or not any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                out.append(f"第 {n} 页字体 {name} 未嵌入")
    return sorted(set(out))
