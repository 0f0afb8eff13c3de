"""The backup file: its format, and reading one back (verify, read rows).

Writing and restoring are in ``jixiao/storage/backup.py``; both read and check a file through
this module, so a file is judged by one set of rules wherever it is opened.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from jixiao.files import os_reason
from jixiao.storage import backup_key
from jixiao.storage.labels import TABLE_LABELS
from jixiao.storage.models import Base
from jixiao.storage.records import StoreError

FORMAT = "jixiao-backup/1"


class BackupError(StoreError):
    """A backup that cannot be written, verified or restored; the message says why."""


@dataclass
class BackupInfo:
    path: Path
    revision: str
    created_at: str
    source: str
    counts: dict[str, int]
    sha256: str
    extra: dict[str, Any] = field(default_factory=dict)
    signed: bool = False  # the header carries an HMAC
    signature_checked: bool = False  # … and it was checked with the key

    def summary(self) -> str:
        parts = "、".join(f"{TABLE_LABELS.get(t, t)} {n}" for t, n in self.counts.items())
        mark = (
            "；密钥签名核验一致"
            if self.signature_checked
            else "；有密钥签名（未核验：请加 --key）"
            if self.signed
            else "；无签名（校验和只能发现意外损坏，不能证明未被改动）"
        )
        return f"{parts}；数据库版本 {self.revision}；SHA-256 {self.sha256[:16]}…{mark}"


def tables() -> list[Table]:
    """Every table of the schema, parents before children (the order rows are written and loaded)."""
    return list(Base.metadata.sorted_tables)


def _open(path: Path) -> Any:
    try:
        return gzip.open(path, "rb")
    except OSError as exc:
        raise BackupError(f"{path}：无法打开备份文件（{os_reason(exc)}）") from None


_BROKEN = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def _header(path: Path, fh: Any) -> dict[str, Any]:
    try:
        first = fh.readline(1 << 20)
    except _BROKEN as exc:
        raise BackupError(f"{path}：不是 jixiao 备份文件，或文件已损坏（{exc}）") from None
    try:
        header = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{path}：第 1 行不是备份文件头；不是 jixiao 备份文件") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise BackupError(f"{path}：格式「{found}」不受支持；应为 {FORMAT}")
    for key in ("revision", "counts", "body_sha256", "tables"):
        if key not in header:
            raise BackupError(f"{path}：文件头缺少 {key}")
    return header


MAX_LINE = 64 << 20  # one row; the largest form text is capped far below this
MAX_RATIO = 200  # JSON lines compress 5–20×; a "backup" that inflates more is a decompression bomb
MIN_BUDGET = 256 << 20


def _bounded_lines(path: Path, fh: Any) -> Iterator[bytes]:
    """The body's lines, refusing early a line or a total that no real backup reaches."""
    budget = max(MIN_BUDGET, MAX_RATIO * path.stat().st_size)
    seen = 0
    while line := fh.readline(MAX_LINE + 1):
        seen += len(line)
        if len(line) > MAX_LINE:
            raise BackupError(f"{path}：有一行超过 {MAX_LINE >> 20} MB，不是 jixiao 备份（或已损坏）；已拒绝")
        if seen > budget:
            raise BackupError(
                f"{path}：解压后超过 {budget >> 20} MB（压缩文件的 {MAX_RATIO} 倍），疑似解压炸弹；已拒绝"
            )
        yield line


def verify(path: Path, key: bytes | None = None) -> BackupInfo:
    """Read the whole file: gzip intact, SHA-256 and row counts as the header says, every row
    well-formed and every reference (goal → form, indicator → goal) pointing at a row in the file."""
    path = Path(path)
    known = {t.name: t for t in tables()}
    with _open(path) as fh:
        header = _header(path, fh)
        if key is not None and not backup_key.check(key, header):
            why = "没有签名" if backup_key.FIELD not in header else "签名与密钥不符"
            raise BackupError(f"{path}：{why}：文件不是用这把密钥签名的备份，或签名后被改动；已拒绝")
        order = header["tables"]
        unknown = [t for t in order if t not in known]
        if unknown:
            raise BackupError(f"{path}：备份中有本程序不认识的表 {', '.join(unknown)}（来自更新的版本？）")
        sha = hashlib.sha256()
        try:
            counts = _check_body(path, fh, order, known, sha)
        except BackupError as problem:
            _damaged_or(problem, path, fh, sha, header["body_sha256"])
            raise
        except _BROKEN as exc:
            raise BackupError(f"{path}：文件已损坏（解压失败：{exc}）；请使用另一份备份") from None
    if sha.hexdigest() != header["body_sha256"]:
        raise BackupError(_checksum_message(path, header["body_sha256"], sha.hexdigest()))
    if counts != header["counts"]:
        diff = "、".join(
            f"{t} 应有 {header['counts'].get(t)} 条、实有 {c} 条"
            for t, c in counts.items()
            if header["counts"].get(t) != c
        )
        raise BackupError(f"{path}：记录数与文件头不符：{diff}")
    return BackupInfo(
        path,
        header["revision"],
        header.get("created_at", ""),
        header.get("source", ""),
        counts,
        header["body_sha256"],
        signed=backup_key.FIELD in header,
        signature_checked=key is not None,
    )


def _checksum_message(path: Path, expected: str, actual: str) -> str:
    return f"{path}：校验和不符（SHA-256 应为 {expected[:16]}…，实为 {actual[:16]}…）；文件已被改动或损坏"


def _damaged_or(problem: BackupError, path: Path, fh: Any, sha: Any, expected: str) -> None:
    """A bad line in a body whose checksum fails is damage (a flipped bit that still decompresses):
    say so, with the line, rather than only what the damaged line happens to look like."""
    detail = str(problem).removeprefix(f"{path}：")
    try:
        for line in _bounded_lines(path, fh):
            sha.update(line)
    except (*_BROKEN, BackupError):
        raise BackupError(f"{path}：文件已损坏（{detail}）；请使用另一份备份") from None
    if sha.hexdigest() != expected:
        raise BackupError(f"{_checksum_message(path, expected, sha.hexdigest())}（{detail}）") from None


def _check_body(path: Path, fh: Any, order: list[str], known: dict[str, Table], sha: Any) -> dict[str, int]:
    """Every body line: well-formed, its table's rows together, each reference to a row already read."""
    counts = dict.fromkeys(order, 0)
    ids: dict[str, set[int]] = {t: set() for t in order}
    fks = {
        t: [(c.name, next(iter(c.foreign_keys)).column.table.name) for c in known[t].columns if c.foreign_keys]
        for t in order
    }
    seen_order: list[str] = []
    n = 1
    for line in _bounded_lines(path, fh):
        n += 1
        sha.update(line)
        try:
            item = json.loads(line)
            table, row = item["table"], item["row"]
            if table not in counts:
                raise KeyError(table)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise BackupError(f"{path}：第 {n} 行无法读取（不是一行完整的记录）") from None
        if not seen_order or seen_order[-1] != table:
            if table in seen_order:
                raise BackupError(f"{path}：第 {n} 行：表 {table} 的记录不连续")
            seen_order.append(table)
        counts[table] += 1
        if isinstance(row.get("id"), int):
            ids[table].add(row["id"])
        for col, parent in fks[table]:
            ref = row.get(col)
            if ref is not None and ref not in ids.get(parent, ()):
                raise BackupError(f"{path}：第 {n} 行：{table}.{col} = {ref} 指向不存在的 {parent} 记录")
    return counts


def read_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (table, row) records of a backup, for inspection and tests."""
    with _open(path) as fh:
        _header(path, fh)
        for line in io.TextIOWrapper(fh, encoding="utf-8"):
            item = json.loads(line)
            yield item["table"], item["row"]
