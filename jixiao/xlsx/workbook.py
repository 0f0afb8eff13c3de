"""The workbook: checking the package, pairing visible cells with the exact data, reading all sheets."""

from __future__ import annotations

import io
import json
import re
import struct
import warnings
import zipfile
import zlib
from dataclasses import fields, is_dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from jixiao.files import os_reason
from jixiao.xlsx.errors import HIDDEN_MARK, HIDDEN_SHEET, MAX_MEMBERS, MAX_MERGED_CELLS, MAX_UNCOMPRESSED, XlsxError
from jixiao.xlsx.exact import _exact_form
from jixiao.xlsx.flat import detect, read_flat
from jixiao.xlsx.read import _FormReader
from jixiao.xlsx.sheet import _WS, _Sheet
from jixiao.xlsx.write import _shown_text, default_title
from scorer.model import (
    Budget,
    Form,
    Goal,
    Indicator,
)


def _same_text(visible: str, exact: str) -> bool:
    return _WS.sub("", visible) == _WS.sub("", _shown_text(exact))


def _shown_float(value: Decimal) -> set[float]:
    """The doubles a cell may hold for this exact value: as written (openpyxl keeps 16
    significant digits) and as an office suite re-saves it (Excel/LibreOffice keep 15)."""
    f = float(value)
    return {f, float(f"{f:.16g}"), float(f"{f:.15g}")}


def _prefer(v: Any, h: Any) -> Any:
    """Take the exact value ``h`` wherever the visible ``v`` shows it unchanged."""
    if isinstance(v, Decimal) or isinstance(h, Decimal):
        if isinstance(v, Decimal) and isinstance(h, Decimal) and v.is_finite() and h.is_finite():
            return h if float(v) in _shown_float(h) else v
        return v
    if isinstance(v, str) or isinstance(h, str):
        if isinstance(h, str | None) and isinstance(v, str | None) and _same_text(v or "", h or ""):
            return h
        return v
    if is_dataclass(v) and type(v) is type(h):
        return replace(  # type: ignore[type-var]
            v,
            **{
                # an identity and the sub-row mark are never shown on the sheet: they come from the hidden copy
                f.name: (getattr(h, f.name) or getattr(v, f.name))
                if f.name in ("uid", "sub")
                else _prefer(getattr(v, f.name), getattr(h, f.name))
                for f in fields(v)
            },
        )
    if isinstance(v, tuple) and isinstance(h, tuple):
        if all(isinstance(x, str) for x in (*v, *h)):
            return h if sorted(v) == sorted(h) else v
        if len(v) == len(h):
            return tuple(_prefer(a, b) for a, b in zip(v, h, strict=True))
        return tuple(_prefer(a, _match_item(a, h)) for a in v)
    return v


def _key(item: Any) -> Any:
    if isinstance(item, Indicator):
        return (item.level1, item.level2, item.name)
    if isinstance(item, Goal):
        return item.text
    return None


def _match_item(item: Any, pool: tuple[Any, ...]) -> Any:
    same = [x for x in pool if _key(x) == _key(item)]
    return same[0] if len(same) == 1 else None


def _prefer_form(v: Form, h: Form | None) -> Form:
    if h is None:
        return v
    merged: Form = _prefer(v, h)
    if h.title == "" and _same_text(v.title, default_title(h)):
        merged = replace(merged, title="")
    if h.budget.label == "" and v.budget.label == Budget().label:
        merged = replace(merged, budget=replace(merged.budget, label=""))
    return merged


# --------------------------------------------------------------------------- the workbook

_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _check_package(data: bytes, name: str) -> None:
    """Refuse non-xlsx files, damaged zips and zip bombs before openpyxl sees them."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise XlsxError(
            name, "这是旧版 Excel（.xls）文件或加了密码的工作簿；请在 Excel/WPS 中另存为不加密的 .xlsx 后再读"
        )
    if not data.startswith(b"PK"):
        raise XlsxError(name, "不是 xlsx 工作簿（xlsx 是 zip 压缩包，此文件不是）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise XlsxError(name, f"压缩包内文件过多（{len(infos)} 个）；拒绝读取")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise XlsxError(
                    name,
                    f"解压后过大（{total} 字节，上限 {MAX_UNCOMPRESSED} 字节）；拒绝读取，可能是压缩炸弹",
                )
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise XlsxError(name, "不是 xlsx 工作簿：压缩包里没有 xl/workbook.xml")
            merged = 0
            for info in infos:
                if not info.filename.endswith((".xml", ".rels", ".vml")):  # is_dir() fails on an empty name
                    continue
                body = zf.read(info)  # also checks the CRC: a damaged member fails here
                if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
                    raise XlsxError(name, f"{info.filename} 含 DTD/实体声明；xlsx 不应有，拒绝读取")
                if info.filename.startswith("xl/worksheets/"):
                    for m in _MERGE_RE.finditer(body):
                        c1, r1 = _col_index(m.group(1)), int(m.group(2))
                        c2 = _col_index(m.group(3)) if m.group(3) else c1
                        r2 = int(m.group(4)) if m.group(4) else r1
                        merged += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
            if merged > MAX_MERGED_CELLS:
                raise XlsxError(name, f"合并单元格范围过大（共 {merged} 格）；拒绝读取")
    except XlsxError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        OSError,
        ValueError,
        IndexError,
        KeyError,
        struct.error,
    ) as exc:  # zipfile on a damaged central directory raises these too (found by fuzzing)
        raise XlsxError(name, f"文件已损坏或不完整，无法作为 xlsx 打开（{exc}）") from None


def _exact_forms(wb: Any) -> dict[str, Form]:
    if HIDDEN_SHEET not in wb.sheetnames:
        return {}
    hidden = wb[HIDDEN_SHEET]
    if hidden["A1"].value != HIDDEN_MARK:
        return {}
    out: dict[str, Form] = {}
    for row in hidden.iter_rows(min_row=2, values_only=True):
        if not row or not isinstance(row[0], str):
            continue
        text = "".join(x for x in row[1:] if isinstance(x, str))
        try:
            data = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):
            continue
        form = _exact_form(data)
        if form is not None:
            out[row[0]] = form
    return out


def _exact_for(exact: dict[str, Form], title: str, visible: Form) -> Form | None:
    if title in exact:
        return exact[title]
    same = [f for f in exact.values() if f.project_name == visible.project_name]
    return same[0] if len(same) == 1 else None


def _refuse_uncached_formulas(data: bytes, values: Any, name: str) -> None:
    """A formula whose result was never saved would read as blank: name the cell instead."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(b"<f" in z.read(n) for n in sheets):
            return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas = load_workbook(io.BytesIO(data), read_only=False, data_only=False, keep_links=False)
    try:
        for ws in formulas.worksheets:
            shown = values[ws.title]
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f" and shown[c.coordinate].value is None:
                        raise XlsxError(
                            name,
                            f"工作表「{ws.title}」单元格 {c.coordinate} 是公式（{str(c.value)[:60]}），但文件中没有它的"
                            "计算结果；请在 Excel 中打开、重新计算并保存后再导入，或把公式换成数值",
                        )
    finally:
        formulas.close()


def read_workbook(path: Path) -> list[Form]:
    """Read every form sheet of a workbook; raises XlsxError naming file, sheet and cell."""
    return [form for form, _ in read_workbook_holds(path)]


def read_workbook_holds(path: Path) -> list[tuple[Form, frozenset[str] | None]]:
    """Each form of the workbook with the fields its sheet holds: None for a whole form sheet, the
    profile's columns found for a platform sheet (``jixiao.sheet_update`` updates only those)."""
    name = str(path)
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_UNCOMPRESSED:
            raise XlsxError(name, f"文件过大（{size} 字节）；拒绝读取")
        data = path.read_bytes()
    except OSError as exc:
        raise XlsxError(name, f"无法读取：{os_reason(exc)}") from None
    _check_package(data, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(io.BytesIO(data), read_only=False, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl raises many kinds on damaged parts
            raise XlsxError(
                name, f"无法打开工作簿：文件已损坏或不是 xlsx 格式（{type(exc).__name__}: {exc}）"
            ) from None
    try:
        _refuse_uncached_formulas(data, wb, name)
        exact = _exact_forms(wb)
        found: list[tuple[str, Form]] = []
        flat: list[tuple[Form, frozenset[str] | None]] = []
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" or ws.title.startswith(HIDDEN_SHEET):
                continue
            layout = detect(ws)  # one row per indicator, as the platform exports it
            if layout is not None:
                flat += [(form, layout.holds()) for form in read_flat(name, ws, layout)]
                continue
            form = _FormReader(_Sheet(name, ws), carry_blanks=not exact).read()
            if form is not None:
                found.append((ws.title, form))
    finally:
        wb.close()
    if not found and not flat:
        raise XlsxError(name, "工作簿中没有可识别的自评表（找不到「一级指标」表头行，也不是已知的每行一个指标的表）")
    return [(_prefer_form(form, _exact_for(exact, title, form)), None) for title, form in found] + flat
