"""Backup and restore in one portable format, for SQLite and PostgreSQL alike.

A backup is a gzip'd JSON-lines file::

    {"format": "jixiao-backup/1", "revision": "0002", "counts": {...}, "body_sha256": "…", …}
    {"table": "forms", "row": {"id": 1, "budget_planned": "20", "created_at": "2025-…+00:00", …}}
    … every row of every table (forms, goals, indicators, audit_log), parents first, by id

Decimals are written as exact decimal strings, timestamps as ISO 8601 in UTC,
so a backup of an SQLite file restores into PostgreSQL and back unchanged.
The header carries the Alembic revision, the row count of each table and the
SHA-256 of everything after the header line.

``backup`` reads one consistent snapshot and writes the file atomically
(temporary file, fsync, rename), then verifies what it wrote. ``restore``
verifies the file first, refuses a database at another revision and a
non-empty one, loads every row in one transaction, checks the counts and that
the rows read back serialise to the same SHA-256, resets PostgreSQL's id
sequences, and only then commits: a failed restore leaves the target as it was.

The audit log is append-only (database triggers refuse UPDATE and DELETE), so a
restore never deletes audit rows: ``force`` only allows replacing forms in a
database whose audit log is still empty; otherwise restore into a new, empty
database.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import gzip
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Engine, Integer, LargeBinary, String, Table, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from jixiao.storage import backup_key
from jixiao.storage.backup_file import (
    FORMAT,
    TABLE_LABELS,
    BackupError,
    BackupInfo,
    _open,
    read_rows,
    tables,
    verify,
)
from jixiao.storage.db_messages import in_chinese
from jixiao.storage.types import ExactDecimal

__all__ = ["FORMAT", "BackupError", "BackupInfo", "backup", "read_rows", "restore", "tables", "verify"]

AUDIT = "audit_log"
APPEND_ONLY = (
    "row_changes",  # the database's own log (PostgreSQL): every change, psql's and users' and units' too
    "rechecks",
    "monitoring",
    "approved_targets",
    "evidence",
    "certificate_registrations",
)  # like the audit log: never replaced
BATCH = 500


# ------------------------------------------------------------------ values


def _encode(value: Any, col: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes | memoryview):  # evidence files: base64 in the JSON lines
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        if value.is_zero():
            value = value.copy_abs()  # PostgreSQL NUMERIC has no -0: keep both back ends alike
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite keeps the UTC wall time without its zone
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    return value


def _decoder(col: Any) -> Any:
    t = col.type
    if isinstance(t, ExactDecimal):
        return Decimal
    if isinstance(t, DateTime):
        return datetime.fromisoformat
    if isinstance(t, JSON):
        return lambda v: v
    if isinstance(t, LargeBinary):
        return base64.b64decode
    if isinstance(t, Integer):
        return int
    if isinstance(t, String):
        return str
    return lambda v: v


def _row_line(table: Table, row: Any) -> bytes:
    data = {col.name: _encode(row._mapping[col], col) for col in table.columns}
    return (json.dumps({"table": table.name, "row": data}, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
        "utf-8"
    )


def _rows(conn: Connection, table: Table) -> Iterator[bytes]:
    # options on the statement: Connection.execution_options would stick to the connection and
    # run every later statement (ALTER TABLE …) through a server-side cursor
    result = conn.execute(
        select(table).order_by(*table.primary_key.columns).execution_options(stream_results=True, yield_per=BATCH)
    )
    for row in result:
        yield _row_line(table, row)


def _serialise(conn: Connection, sink: Any = None) -> tuple[str, dict[str, int]]:
    """Every row as body lines (written to ``sink`` when given); their SHA-256 and counts."""
    sha = hashlib.sha256()
    counts: dict[str, int] = {}
    for table in tables():
        n = 0
        for line in _rows(conn, table):
            sha.update(line)
            if sink is not None:
                sink.write(line)
            n += 1
        counts[table.name] = n
    return sha.hexdigest(), counts


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one consistent state of the database."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")  # pysqlite would not begin before a SELECT
            try:
                yield conn
            finally:
                conn.rollback()
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            yield conn


def _revisions(engine: Engine) -> tuple[str | None, str | None]:
    from jixiao.storage.database import current_revision, head_revision

    return current_revision(engine), head_revision(engine)


# ------------------------------------------------------------------ backup


STALE_TEMP_SECONDS = 600


def _sweep_stale_temps(path: Path) -> None:
    """Temporary files a killed backup left beside ``path`` (SIGKILL runs no cleanup): removed
    once they are old enough that no running backup can own them."""
    now = time.time()
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > STALE_TEMP_SECONDS:
                stale.unlink()


def _atomic_target(path: Path) -> tuple[int, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return fd, Path(tmp)


def _check_sees_everything(conn: Connection) -> None:
    """Under PostgreSQL row-level security a unit's role sees only its own forms: such a backup
    would be silently incomplete, so only a role that bypasses the policies may take one."""
    if conn.dialect.name != "postgresql":
        return
    hidden = (
        conn.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relrowsecurity AND c.relname = ANY(:names) "
                "AND (c.relforcerowsecurity OR NOT pg_has_role(current_user, c.relowner, 'USAGE')) "
                "AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls))"
            ),
            {"names": [t.name for t in tables()]},
        )
        .scalars()
        .all()
    )
    if hidden:
        raise BackupError(
            f"当前数据库用户受行级安全限制（{', '.join(hidden)}），看不到全部数据，备份会不完整；"
            "请以数据库所有者（运行 jixiao db upgrade 的角色）身份备份"
        )


def backup(engine: Engine, path: Path, key: bytes | None = None) -> BackupInfo:
    """Write every row to ``path`` (atomically), then verify the file; returns what it holds."""
    path = Path(path)
    current, head = _revisions(engine)
    if current is None:
        raise BackupError("数据库尚未初始化，没有可备份的内容")
    if current != head:
        raise BackupError(f"数据库版本为 {current}，程序为 {head}；请先运行 jixiao db upgrade 再备份")
    fd, tmp = _atomic_target(path)
    body_fd, body_tmp = tempfile.mkstemp(prefix=f".{path.name}.body.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(body_fd, "w+b") as body:
            with _snapshot(engine) as conn:
                _check_sees_everything(conn)
                try:
                    sha, counts = _serialise(conn, body)
                except UnicodeEncodeError as exc:
                    raise BackupError(f"数据库中有无法写成 UTF-8 的文字（{exc.reason}）") from None
            header = {
                "format": FORMAT,
                "revision": current,
                "created_at": datetime.now(UTC).isoformat(),
                "source": engine.dialect.name,
                "tables": list(counts),
                "counts": counts,
                "body_sha256": sha,
            }
            if key is not None:  # signed: an edited file cannot be given a matching header
                header[backup_key.FIELD] = backup_key.mac(key, header)
            body.seek(0)
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                gz.write((json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
                while chunk := body.read(1 << 20):
                    gz.write(chunk)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:  # a full disk while writing: said of the backup file, not a temporary one
        tmp.unlink(missing_ok=True)
        if exc.filename is None or exc.filename in (str(tmp), body_tmp):
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        Path(body_tmp).unlink(missing_ok=True)
    return verify(path, key)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ------------------------------------------------------------------ restore


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock now, before counting
    else:  # every table, as for an upgrade: a login's open transaction is named, not waited for
        from jixiao.storage.database import take_table_locks

        take_table_locks(conn, task="恢复")


def _user_triggers(conn: Connection, enable: bool) -> None:
    """PostgreSQL's workflow guards refuse to add goals to a signed form, which a restore must do:
    they are switched off for this transaction only (ALTER TABLE is transactional, and needs the
    table's owner). Foreign keys and NOT NULL stay checked; the rows are the ones a verified
    backup recorded, and are read back and compared before the commit."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables():
        conn.exec_driver_sql(f"ALTER TABLE {t.name} {'ENABLE' if enable else 'DISABLE'} TRIGGER USER")


def _counts(conn: Connection) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in tables()}


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences that an INSERT with explicit ids does not move."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables():
        pk = list(t.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": t.name, "c": pk[0].name}).scalar()
        if seq:
            # a form's id is never used again, not even a deleted one's: its history keeps the id
            used = "UNION ALL SELECT MAX(form_id) FROM row_changes UNION ALL SELECT MAX(form_id) FROM audit_log"
            highest = f"SELECT MAX({pk[0].name}) FROM {t.name}" + (f" {used}" if t.name == "forms" else "")
            conn.execute(
                text(f"SELECT setval(:s, COALESCE((SELECT MAX(m) FROM ({highest}) AS x(m)), 0) + 1, false)"), {"s": seq}
            )


def _load(conn: Connection, path: Path) -> None:
    """The backup's rows in file order, but the 复核 last: the database holds each to the weight of its
    row (migration 0018), and a backup lists rechecks before indicators (they name no indicator key)."""
    known = {t.name: t for t in tables()}
    decoders = {name: {c.name: _decoder(c) for c in t.columns} for name, t in known.items()}
    batch: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    current: str | None = None

    def flush() -> None:
        if batch and current is not None:
            try:
                conn.execute(known[current].insert(), batch)
            except SQLAlchemyError as exc:
                reason = in_chinese(
                    str(getattr(exc, "orig", None) or exc).strip().splitlines()[0].removeprefix("ERROR:").strip()
                )
                raise BackupError(f"写入 {current} 失败：{reason}；已全部撤销") from None
            batch.clear()

    with _open(path) as fh:
        fh.readline()
        for n, line in enumerate(fh, start=2):
            item = json.loads(line)
            table = item["table"]
            if table != current:
                flush()
                current = table
            dec = decoders[table]
            try:
                row = {k: None if v is None else dec[k](v) for k, v in item["row"].items()}
            except (KeyError, ValueError, TypeError, InvalidOperation):
                raise BackupError(f"{path}：第 {n} 行的值无法读取；已全部撤销") from None
            (later if table == "rechecks" else batch).append(row)
            if len(batch) >= BATCH:
                flush()
        flush()
    current, batch = "rechecks", later
    flush()


def _check_old_rows(path: Path) -> None:
    """Rows today's rules refuse (evidence names, 复核 out of range), found in one read of the backup:
    the first bad evidence name in file order, else the first bad 复核."""
    from jixiao.storage.backup_rows import decimal, evidence_problem, form_label, recheck_problems, refused, row_problem
    from jixiao.storage.rechecks import stored_ceiling

    decoders = {t.name: {c.name: _decoder(c) for c in t.columns} for t in tables()}
    forms: dict[Any, str] = {}
    ceilings: dict[tuple[Any, Any], Decimal | None] = {}
    scores: list[dict[str, Any]] = []
    for table, row in read_rows(path):
        problem = row_problem(table, row, decoders.get(table, {}))
        if problem:
            raise refused(path, table, row, forms, problem)
        if table == "forms":
            forms[row.get("id")] = form_label(row)
        elif table == "evidence":
            evidence_problem(path, row, forms)
        elif table == "indicators":
            key = (row.get("form_id"), row.get("uid"))
            mine = stored_ceiling(decimal(row.get("weight")), row.get("agg_weight_u"))
            ceilings[key] = min((c for c in (mine, ceilings.get(key)) if c is not None), default=None)
        elif table == "rechecks":
            scores.append(row)
    recheck_problems(path, scores, ceilings, forms)


def _empty(conn: Connection, force: bool) -> None:
    """Refuse a database that holds anything, unless ``force`` and nothing append-only is there: then empty it."""
    existing = _counts(conn)
    if not any(existing.values()):
        return
    listing = "、".join(f"{TABLE_LABELS.get(t, t)} {n}" for t, n in existing.items() if n)
    if not force:
        raise BackupError(f"目标数据库不是空的（{listing}）；恢复只写入空数据库。确要替换其中的表单，请加 --force")
    if any(existing.get(t) for t in (AUDIT, *APPEND_ONLY)):
        raise BackupError(
            f"目标数据库已有修改记录、复核或监控记录（{listing}）。这些记录只能追加、不能删除，--force 也不能覆盖；"
            "请恢复到一个新建的空数据库（SQLite：新文件；PostgreSQL：新库），再把 JIXIAO_DB 指向它"
        )
    for t in reversed(tables()):
        conn.execute(t.delete())


def restore(engine: Engine, path: Path, force: bool = False, key: bytes | None = None) -> BackupInfo:
    """Load a verified backup into an empty database at the same revision, in one transaction."""
    from jixiao.storage.database import is_empty, upgrade

    path = Path(path)
    info = verify(path, key)
    _check_old_rows(path)
    try:
        if is_empty(engine):
            upgrade(engine)  # a brand-new database: create the schema (nothing is seeded)
        current, head = _revisions(engine)
    except SQLAlchemyError as exc:  # unreachable server, wrong password …: a message, not a traceback
        from jixiao.storage.database import _reason, redact

        raise BackupError(
            f"无法连接目标数据库 {redact(engine.url.render_as_string(hide_password=True))}：{_reason(exc)}"
        ) from None
    if info.revision != head:
        raise BackupError(f"备份来自数据库版本 {info.revision}，本程序为 {head}；请用相同版本的 jixiao 恢复")
    if current != info.revision:
        raise BackupError(f"目标数据库版本为 {current}，备份为 {info.revision}；请先运行 jixiao db upgrade")
    try:
        with engine.connect() as conn:
            _lock(conn)
            try:
                _user_triggers(conn, enable=False)
                _empty(conn, force)
                _load(conn, path)
                after = _counts(conn)
                if after != info.counts:
                    raise BackupError(f"恢复后的记录数 {after} 与备份 {info.counts} 不符；已全部撤销")
                sha, _ = _serialise(conn)
                if sha != info.sha256:
                    raise BackupError("恢复后读回的数据与备份不一致（SHA-256 不符）；已全部撤销")
                _reset_sequences(conn)
                _user_triggers(conn, enable=True)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
    except SQLAlchemyError as exc:
        reason = in_chinese(
            str(getattr(exc, "orig", None) or exc).strip().splitlines()[0].removeprefix("ERROR:").strip()
        )
        if "must be owner" in reason:
            reason += "（恢复须以数据库所有者、即运行 jixiao db upgrade 的角色进行）"
        raise BackupError(f"恢复失败，已全部撤销：{reason}") from None
    from jixiao.storage.rescore import rescore

    rescore(engine, only_missing=False, jobs=None)  # the verdicts are jixiao's own, never the file's
    return info
