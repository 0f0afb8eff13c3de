"""Evidence (佐证材料) attached to a form or one of its rows: stored with the form, content-addressed
by SHA-256, at most 10 MB each, append-only (migration 0010).

Attached while the form can be edited (草稿/退回), so that what a submitted or signed form rests
on does not change under it; the signed PDF embeds every file (``jixiao.pdf.attachments``).
On PostgreSQL the database computes the size and hash from the bytes and stamps who and when.
Attaching is a change of the form's data: its history shows it, and whoever attached last may not
approve, sign or 复核 the form (四眼原则, ``jixiao.storage.duties``, migration 0017).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, defer

from jixiao.safe_text import BIDI_CONTROLS, media_type
from jixiao.storage import name_chars
from jixiao.storage.models import AuditRow, EvidenceRow
from jixiao.storage.name_chars import DEFAULT_IGNORABLE, EDGE_BLANKS, FORBIDDEN, in_ranges, regex_class
from jixiao.storage.records import StoreError, _aware, _now
from jixiao.storage.validate import unstorable, write_error
from jixiao.workflow import check_editable

if TYPE_CHECKING:
    from jixiao.storage.store import FormStore
    from scorer.model import Form

MAX_BYTES = 10 * 1024 * 1024  # the migration's cap
#: what one form may hold in all (migration 0034 holds a frozen copy): the signed PDF embeds every file
MAX_FILES_PER_FORM = 50
MAX_FORM_BYTES = 100 * 1024 * 1024
MAX_NAME = 255  # the column's length

#: what an evidence file's name may not hold anywhere (``jixiao.storage.name_chars``, the one list):
#: control characters (ESC …, C1), line separators, path separators and the slashes that look like
#: one (／ ⁄ ∕ ⧸ ＼ ⧹ …), every format character (Unicode category Cf: U+202E turns ``gpj.exe``
#: around) and every Default_Ignorable code point (zero-width U+200B, variation selectors, Hangul
#: fillers, tags …) with the blanks that read as a space or as nothing (U+2000–U+200A, U+2800 …):
#: they hide a different name behind the one a reviewer reads. Nor may it begin or end with a
#: space or U+3000. Restated in SQL by migration 0018 (a frozen copy), which PostgreSQL and SQLite
#: enforce for every role; tests/test_evidence_names.py checks that the three agree.
NAME_FORBIDDEN = regex_class(FORBIDDEN)
#: the characters that look like a path separator (named apart in the message)
SLASHES = frozenset(chr(c) for a, b in name_chars.SLASHES for c in range(a, b + 1))
_FORBIDDEN = re.compile(NAME_FORBIDDEN)


def name_problem(name: str) -> str:
    """What is wrong with ``name`` as an evidence file name, in Chinese ("" when nothing)."""
    if not name:
        return "为空"
    bad = unstorable(name)
    if bad:
        return f"含有{bad}"
    if len(name) > MAX_NAME:
        return f"过长（上限 {MAX_NAME} 字）"
    if name in (".", ".."):
        return f"不能是「{name}」"
    if name[0] in EDGE_BLANKS or name[-1] in EDGE_BLANKS:
        return "首尾有空格（含全角空格 U+3000），看到的文件名与实际的不同"
    m = _FORBIDDEN.search(name)
    if m is None:
        return ""
    ch = m.group()
    if ch in "/\\":
        return f"含有路径分隔符「{ch}」；请只给文件名"
    if ch in SLASHES:
        return f"含有形似路径分隔符的字符「{ch}」（U+{ord(ch):04X}）；请只给文件名"
    if unicodedata.category(ch) == "Cf" and ch not in BIDI_CONTROLS:
        return f"含有不可见的格式字符 U+{ord(ch):04X}（如零宽空格），看到的文件名与实际的不同"
    if ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029":
        return f"含有控制字符或双向文字控制符 U+{ord(ch):04X}"
    kind = (
        "不可见字符（如变体选择符、韩文填充符）"
        if in_ranges(ord(ch), DEFAULT_IGNORABLE)
        else "空白字符（如盲文空白、排版空格）"
    )
    return f"含有{kind} U+{ord(ch):04X}，看到的文件名与实际的不同"


def shown_name(name: str, limit: int = 80) -> str:
    """``name`` for a message: each character the rule refuses, but for ``/`` and ``\\``, written as its
    code (``\\u200b``), so that a zero-width or bidi character is seen and does nothing to the terminal."""
    out = "".join(
        c if c in "/\\" or not _FORBIDDEN.match(c) else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in name[:limit]
    )
    return out + ("…" if len(name) > limit else "")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One attached file, without its bytes (``content`` reads them)."""

    id: int
    indicator_uid: str  # "" for the whole form
    name: str
    media_type: str
    size: int
    sha256: str
    actor: str
    at: datetime | None


def _evidence(r: EvidenceRow) -> Evidence:
    return Evidence(r.id, r.indicator_uid, r.name, r.media_type, r.size, r.sha256, r.actor, _aware(r.at))


def _row_uid(store: FormStore, form: Form, ref: str) -> str:
    """The identity of the row ``ref`` names (its 三级 name or identity); "" for the whole form."""
    if not ref:
        return ""
    from jixiao.storage.rechecks import _row_of

    return _row_of(store.score(form), ref).indicator.uid


def add(store: FormStore, form_id: int, name: str, data: bytes, indicator: str = "") -> Evidence:
    """Attach ``data`` as ``name`` to the form (or the row ``indicator`` names); StoreError says why not."""
    sf = store.get(form_id)
    try:
        check_editable(sf.status.value)
    except Exception as exc:
        raise StoreError(f"表单「{sf.key}」：{exc}；佐证材料须在提交前附上") from None
    name = name.strip()
    problem = name_problem(name)
    if problem:
        raise StoreError(f"文件名{problem}")
    if not data:
        raise StoreError(f"「{name}」是空文件，未附上")
    if len(data) > MAX_BYTES:
        raise StoreError(f"「{name}」有 {len(data):,} 字节，超过上限 {MAX_BYTES:,} 字节（10 MB），未附上")
    sha = hashlib.sha256(data).hexdigest()
    uid = _row_uid(store, sf.form, indicator)
    held = for_form(store, form_id)
    if any(e.sha256 == sha and e.indicator_uid == uid for e in held):
        raise StoreError(f"「{name}」已附在{'该指标' if uid else '本表'}上（内容相同，SHA-256 {sha[:16]}…）")
    _check_quota(sf.key, name, len(data), held)
    row = EvidenceRow(
        form_id=form_id,
        indicator_uid=uid,
        name=name,
        media_type=media_type(mimetypes.guess_type(name)[0]),  # lowered and checked there
        size=len(data),
        sha256=sha,
        data=data,
        actor=store.actor[:100],
        at=_now(),
    )
    # the form's history says so, and 四眼 counts it as a change of the form (jixiao.storage.duties)
    entry = AuditRow(
        form_id=form_id,
        form_key=sf.key[:700],
        at=row.at,
        actor=row.actor,
        action="attach",
        field=uid or "evidence",
        label="佐证材料",
        after=f"{name}（SHA-256 {sha[:16]}…）",
        version=sf.version,
    )
    try:
        with Session(store.engine) as s, s.begin():
            s.add(row)
            s.flush()
            s.add(entry)
            s.refresh(row)
            return _evidence(row)
    except SQLAlchemyError as exc:
        if "evidence files and" in str(exc):  # 0034: another attach took the last place meanwhile
            raise StoreError(
                f"表单「{sf.key}」的佐证材料已达上限（每表 {MAX_FILES_PER_FORM} 份、{MAX_FORM_BYTES:,} 字节）；"
                f"「{name}」未附上"
            ) from None
        denied = f"无权限：数据库拒绝为「{sf.key}」附上佐证材料（不属于你的单位，或表单已提交）"
        raise write_error(exc, denied, "附上佐证材料失败") from None


def _check_quota(key: str, name: str, size: int, held: list[Evidence]) -> None:
    """StoreError when ``name`` would take the form past its count or its bytes."""
    if len(held) >= MAX_FILES_PER_FORM:
        raise StoreError(
            f"表单「{key}」已有 {len(held)} 份佐证材料，达到每表 {MAX_FILES_PER_FORM} 份的上限；「{name}」未附上"
        )
    total = sum(e.size for e in held) + size
    if total > MAX_FORM_BYTES:
        raise StoreError(
            f"附上「{name}」后表单「{key}」的佐证材料共 {total:,} 字节，"
            f"超过每表 {MAX_FORM_BYTES:,} 字节（100 MB）的上限，未附上"
        )


def for_form(store: FormStore, form_id: int) -> list[Evidence]:
    """The form's evidence in the order attached (without the bytes)."""
    with Session(store.engine) as s:
        q = select(EvidenceRow).options(defer(EvidenceRow.data)).where(EvidenceRow.form_id == form_id)
        return [_evidence(r) for r in s.execute(q.order_by(EvidenceRow.id)).scalars()]


def files(store: FormStore, form_id: int) -> list[tuple[Evidence, bytes]]:
    """Every file with its bytes, each checked against its recorded hash (a row changed past jixiao is said)."""
    with Session(store.engine) as s:
        rows = s.execute(select(EvidenceRow).where(EvidenceRow.form_id == form_id).order_by(EvidenceRow.id)).scalars()
        out = []
        for r in rows:
            data = bytes(r.data)
            if hashlib.sha256(data).hexdigest() != r.sha256:
                raise StoreError(f"佐证材料「{r.name}」的内容与记录的 SHA-256 不符（数据库中的文件被改动过）")
            out.append((_evidence(r), data))
        return out
