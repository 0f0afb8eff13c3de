"""A fast path for large imports: SQLAlchemy Core, executemany, one transaction per batch.

``FormStore.import_forms`` is the careful path: it loads each form through the
ORM, diffs it against what is stored, updates in place and records every change.
``bulk_load`` is for loading many *new* forms (a province's year, a benchmark
dataset) into an empty database or one without those forms. It writes exactly
the columns ``fill_row`` + ``fill_computed`` write (the engine's verdict and the
stored check counts that ``FormStore`` keeps), one audit row per form (action
``import``, label ``批量导入``), status draft, version 1, without the ORM's unit
of work.

A form whose identity (year + implementing unit + project) is already stored,
or appears twice in the input, stops the load with ``BulkLoadError`` naming the
form; the batch it is in is rolled back, the batches before it stay committed.

Scoring (the engine and the form checks) costs more than inserting. Pass
``Scored`` items (``prepare``) or ``FormResult`` objects to skip all or part of
it, or ``workers=2`` to score in worker processes while this one inserts.

How the rows get in, per batch:

* forms and goals: Core ``insert().returning(id)`` executemany ("insertmanyvalues",
  a few multi-row statements). PostgreSQL returns the ids in parameter order
  (``sort_by_parameter_order``). SQLite would fall back to one statement per
  row for that, so there the ids are returned unordered and sorted: SQLite gives
  a new row the largest rowid plus one, and the batch holds the write lock, so
  the ids ascend in insertion order (checked: they must be consecutive).
* indicators and audit rows: the Core ``insert()`` compiled once for the
  dialect and run with the driver's executemany over tuples, each value passed
  through its column type's own SQLAlchemy bind processor (exact decimal text on
  SQLite, NUMERIC on PostgreSQL) — the same values the ORM would bind, without
  its per-row bookkeeping.
"""

from __future__ import annotations

import gc
import queue
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from jixiao.scoring import BUILTIN
from jixiao.storage.bulk_commit import Committers
from jixiao.storage.bulk_rows import (
    _AUDIT,
    _AUDIT_COLUMNS,
    _FORM_COLUMNS,
    _FORMS,
    _GOAL_COLUMNS,
    _GOALS,
    _IND_COLUMNS,
    _INDICATORS,
    _Copy,
    _Insert,
    _returning_ids,
    _Rows,
)
from jixiao.storage.bulk_scoring import (
    AUDIT_LABEL,
    BulkLoadError,
    Item,
    Progress,
    Scored,
    Verdict,
    _scored,
    prepare,
    verdict,
)
from jixiao.storage.db_messages import in_chinese
from jixiao.storage.store import StoreError, form_key, validate_for_storage
from scorer.model import Form
from scorer.result import FormResult
from scorer.rules import RuleSetError, rules_for

WRITERS = 2  # connections writing at once on PostgreSQL's COPY path (see ``bulk_commit``)
LOCK_TIMEOUT = "60s"  # how long one of them waits for a lock before its batch fails


class _Writer:
    """The statements of one engine, prepared once per load.

    Modes: ``copy`` (PostgreSQL with psycopg: ids from the sequences, COPY),
    ``sqlite`` (executemany; ids from ``last_insert_rowid()``, see the module
    docstring), ``core`` (anything else: Core ``insert().returning()``).
    """

    def __init__(self, dialect: Dialect, actor: str, reason: str, mode: str, label: str = AUDIT_LABEL) -> None:
        self.actor = actor
        self.reason = reason
        self.label = label
        self.mode = mode
        make = _Copy if mode == "copy" else _Insert
        with_id = ("id",) if self.mode == "copy" else ()
        self.forms = make(dialect, _FORMS, (*with_id, *_FORM_COLUMNS))
        self.goals = make(dialect, _GOALS, (*with_id, *_GOAL_COLUMNS))
        self.indicators = make(dialect, _INDICATORS, _IND_COLUMNS)
        self.audit = make(dialect, _AUDIT, _AUDIT_COLUMNS)

    def rows(self, forms: list[Form], verdicts: list[Verdict]) -> _Rows:
        return _Rows(forms, verdicts, datetime.now(UTC), self.actor)

    def reserve(self, conn: Connection, rows: _Rows) -> tuple[list[int], list[int]] | None:
        """The batch's form and goal ids drawn ahead from the sequences (``copy`` mode; else None)."""
        if self.mode != "copy":
            return None
        assert isinstance(self.forms, _Copy) and isinstance(self.goals, _Copy)
        return self.forms.ids(conn, len(rows.form_rows)), self.goals.ids(conn, len(rows.goal_rows))

    def _parents(self, conn: Connection, rows: _Rows, ids: Any = None) -> tuple[list[int], list[int]]:
        """Insert the forms and goals; their new ids in row order (``ids``: drawn by ``reserve``)."""
        if self.mode == "core":
            form_ids = _returning_ids(conn, _FORMS, rows.form_rows)
            for g in rows.goal_rows:
                g["form_id"] = form_ids[g["form_id"]]
            return form_ids, _returning_ids(conn, _GOALS, rows.goal_rows)
        if self.mode == "sqlite":
            forms = [[r[c] for c in _FORM_COLUMNS] for r in rows.form_rows]
            form_ids = _sqlite_ids(conn, self.forms, forms, ("year", "implementing_unit", "project_name"), (0, 2, 3))  # type: ignore[arg-type]
            goals = [[form_ids[g["form_id"]], g["position"], g["text"], g["weight"]] for g in rows.goal_rows]
            return form_ids, _sqlite_ids(conn, self.goals, goals, ("form_id", "position"), (0, 1))  # type: ignore[arg-type]
        copy_forms, copy_goals = self.forms, self.goals
        assert isinstance(copy_forms, _Copy) and isinstance(copy_goals, _Copy)
        drawn = ids if ids is not None else self.reserve(conn, rows)
        assert drawn is not None
        form_ids, goal_ids = drawn
        copy_forms.run(
            conn, [[fid, *(r[c] for c in _FORM_COLUMNS)] for fid, r in zip(form_ids, rows.form_rows, strict=True)]
        )
        copy_goals.run(
            conn,
            [
                [gid, form_ids[g["form_id"]], g["position"], g["text"], g["weight"]]
                for gid, g in zip(goal_ids, rows.goal_rows, strict=True)
            ],
        )
        return form_ids, goal_ids

    def insert(self, conn: Connection, rows: _Rows, reasons: list[str] | None = None, ids: Any = None) -> list[int]:
        """Insert one batch inside the caller's transaction; returns the new forms' ids.

        ``reasons`` gives each form's audit row its own reason (else the load's); ``ids`` are the
        ones ``reserve`` drew for this batch.
        """
        form_ids, goal_ids = self._parents(conn, rows, ids)
        for r in rows.ind_rows:
            r[0] = form_ids[r[0]]
            r[1] = goal_ids[r[1]]
        self.indicators.run(conn, rows.ind_rows)
        now = rows.form_rows[0]["created_at"] if rows.form_rows else datetime.now(UTC)
        why = reasons if reasons is not None else [self.reason] * len(form_ids)
        self.audit.run(
            conn,
            [
                [fid, key, now, self.actor, "import", "", self.label, None, key, reason, 1]
                for fid, key, reason in zip(form_ids, (form_key(f) for f in rows.forms), why, strict=True)
            ],
        )
        return form_ids


def _mode(engine: Engine) -> str:
    """How to write: ``copy``, ``sqlite`` or ``core`` (see ``_Writer``).

    PostgreSQL refuses COPY FROM into a table whose row-level security applies
    to the current role (migration 0003: every role but the tables' owner), so
    such a role writes with Core INSERTs, under its policies.
    """
    dialect = engine.dialect
    if dialect.name == "sqlite":
        return "sqlite"
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return "core"
    tables = [t.name for t in (_FORMS, _GOALS, _INDICATORS, _AUDIT)]
    with engine.connect() as conn:
        active = conn.exec_driver_sql(
            "SELECT bool_or(row_security_active(t)) FROM unnest(%s::text[]) AS t", (tables,)
        ).scalar()
    return "core" if active else "copy"


def _sqlite_ids(
    conn: Connection, ins: _Insert, rows: list[list[Any]], key: tuple[str, ...], at: tuple[int, ...]
) -> list[int]:
    """Insert rows with executemany; their ids, from the last one SQLite assigned.

    A new SQLite row gets the largest rowid plus one, and the transaction holds
    the write lock, so the batch's ids are consecutive and in order. Checked:
    the id range holds exactly these rows, and its ends are the first and last row.
    """
    if not rows:
        return []
    first_key = tuple(rows[0][i] for i in at)
    last_key = tuple(rows[-1][i] for i in at)
    ins.run(conn, rows)
    last = conn.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    assert isinstance(last, int)
    first = last - len(rows) + 1
    table = ins.table.name
    cols = ", ".join(key)
    count = conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE id BETWEEN ? AND ?", (first, last)).scalar()
    ends = conn.exec_driver_sql(f"SELECT {cols} FROM {table} WHERE id IN (?, ?) ORDER BY id", (first, last)).all()
    if count != len(rows) or [tuple(e) for e in ends] != ([first_key, last_key] if len(rows) > 1 else [first_key]):
        raise BulkLoadError(f"表 {table} 的新编号与插入顺序不符，无法对应；请改用 jixiao import")
    return list(range(first, last + 1))


def _check(
    forms: list[Form], verdicts: list[Verdict], seen: dict[tuple[int | None, str, str], int], start: int
) -> None:
    for i, form in enumerate(forms):
        where = f"第 {start + i + 1} 份"
        missing = [
            label
            for label, v in (
                ("年度", form.year),
                ("项目实施单位", form.implementing_unit),
                ("项目名称", form.project_name),
            )
            if not v
        ]
        if missing:
            _fail(form, where, start)
        try:
            rules_for(form)
        except RuleSetError:
            _fail(form, where, start)
        if len(verdicts[i][11]) != sum(len(g.indicators) for g in form.goals):  # a verdict of another form
            raise BulkLoadError(f"{where}（{form_key(form)}）：计分结果与表单的指标数不符；此前已提交 {start} 份")
        ident = (form.year, form.implementing_unit, form.project_name)
        if ident in seen:
            raise BulkLoadError(
                f"{where}表单「{form_key(form)}」与第 {seen[ident] + 1} 份相同"
                f"（年度/实施单位/项目名称 相同），一次批量导入中只能出现一次；此前已提交 {start} 份"
            )
        seen[ident] = start + i


def _fail(form: Form, where: str, done: int) -> None:
    """Raise the store's own message for a form that cannot be stored."""
    try:
        validate_for_storage(form)
    except StoreError as exc:
        raise BulkLoadError(f"{where}：{exc}；此前已提交 {done} 份") from None
    raise BulkLoadError(f"{where}（{form_key(form)}）：有不能入库的内容；此前已提交 {done} 份")


Identity = tuple[int | None, str, str]


def stored_identities(engine: Engine, keys: Iterable[Identity]) -> set[Identity]:
    """Which of these identities (year, unit, project) the database holds, as far as this role sees."""
    wanted = set(keys)
    if not wanted:
        return set()
    q = select(_FORMS.c.year, _FORMS.c.implementing_unit, _FORMS.c.project_name).where(
        _FORMS.c.implementing_unit.in_({k[1] for k in wanted}), _FORMS.c.year.in_({k[0] for k in wanted})
    )
    with engine.connect() as conn:
        return {(r[0], r[1], r[2]) for r in conn.execute(q)} & wanted


def _conflicts(engine: Engine, forms: list[Form]) -> list[str]:
    """Keys of this batch's forms that the database already holds."""
    found = stored_identities(engine, ((f.year, f.implementing_unit, f.project_name) for f in forms))
    return [f"{y}/{u}/{p}" for (y, u, p) in sorted(found, key=str)]


def bulk_load(
    engine: Engine,
    forms: Iterable[Form | FormResult | Scored],
    actor: str = "bulk",
    batch: int = 500,
    progress: Progress | None = None,
    workers: int = 1,
    catalog: Any = BUILTIN,
    reason: str = "",
) -> int:
    """Insert new forms fast; returns the number of forms inserted.

    Each ``Form`` is scored (``score_form`` with ``catalog``, plus the form
    checks whose counts the review reads); a ``FormResult`` is only checked; a
    ``Scored`` item (``prepare``) is inserted as it is. ``batch`` forms go in
    per transaction, and ``progress(forms, indicators)`` is called after each
    commit. ``workers`` > 1 scores in that many processes while this one inserts.
    ``reason`` is written to each audit row.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    # The rows are plain lists and dicts without reference cycles; with a million forms' objects
    # alive, the cyclic collector's full passes would cost more than the inserts themselves.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(engine, forms, actor, batch, progress, workers, catalog, reason)
    finally:
        if collecting:
            gc.enable()


def _report(committer: Committers, progress: Progress | None) -> None:
    """Pass on what the committer has finished since the last call."""
    while True:
        try:
            n_forms, n_ind = committer.finished.get_nowait()
        except queue.Empty:
            return
        if progress is not None:
            progress(n_forms, n_ind)


def _stop(committer: Committers | None) -> None:
    if committer is not None:
        committer.stop()


def _load(
    engine: Engine,
    forms: Iterable[Item],
    actor: str,
    batch: int,
    progress: Progress | None,
    workers: int,
    catalog: Any,
    reason: str,
) -> int:
    writer = _Writer(engine.dialect, actor, reason, _mode(engine))
    committer: Committers | None = None
    submitted = 0
    seen: dict[tuple[int | None, str, str], int] = {}

    try:
        for forms_batch, verdicts in _scored(forms, batch, workers, catalog):
            if committer is None:  # started after any worker processes were forked
                many = writer.mode == "copy"  # PostgreSQL, COPY: ids drawn ahead (see bulk_commit)
                committer = Committers(engine, writer, WRITERS if many else 1, LOCK_TIMEOUT if many else "")
                committer.start()
            _check(forms_batch, verdicts, seen, submitted)
            rows = writer.rows(forms_batch, verdicts)
            bad = rows.first_unstorable()
            if bad is not None:
                _stop(committer)
                _fail(forms_batch[bad], f"第 {submitted + bad + 1} 份", committer.committed)
            if committer.failed is not None:
                break
            committer.put(rows)
            submitted += len(forms_batch)
            _report(committer, progress)
        _stop(committer)  # inside the try: a Ctrl-C while the writers finish cancels what is queued
    except BaseException as error:
        if committer is not None and not isinstance(error, Exception):
            committer.cancelled = True  # Ctrl-C: do not wait for the queued batches
        _stop(committer)
        if isinstance(error, Exception) and committer is not None and committer.failed is not None:
            exc, rows, done = committer.failed  # an earlier batch failed first
            _raise_write_error(engine, exc, rows.forms, done)
        raise
    if committer is None:
        return 0
    _report(committer, progress)
    if committer.failed is not None:
        exc, rows, done = committer.failed
        _raise_write_error(engine, exc, rows.forms, done)
    return committer.committed


class NewForms:
    """Groups of new forms, each in one transaction: the fast path of ``jixiao import``.

    The caller has checked each form (``check_import``, so that its values are storable) and
    scored it (``verdict``);
    this writes what ``FormStore.import_forms`` writes for a new form, audit row
    included (``label`` and a reason per form), without the ORM.
    """

    def __init__(self, engine: Engine, actor: str, label: str) -> None:
        self.engine = engine
        self.writer = _Writer(engine.dialect, actor, "", _mode(engine), label)

    def stored(self, keys: Iterable[Identity]) -> set[Identity]:
        return stored_identities(self.engine, keys)

    def insert(self, forms: list[Form], verdicts: list[Verdict], reasons: list[str]) -> list[int]:
        """Insert the forms in one transaction; their new ids, in order. Raises as the database does."""
        rows = self.writer.rows(forms, verdicts)
        with self.engine.begin() as conn:
            return self.writer.insert(conn, rows, reasons)


def _raise_write_error(engine: Engine, exc: BaseException, forms: list[Form], done: int) -> None:
    dbapi = engine.dialect.dbapi  # COPY runs on the driver's cursor: its errors come unwrapped
    integrity = (IntegrityError, getattr(dbapi, "IntegrityError", IntegrityError))
    db_error = (SQLAlchemyError, getattr(dbapi, "Error", SQLAlchemyError))
    clash = _conflicts(engine, forms) if isinstance(exc, integrity) else []
    if clash:  # a refusal that is no duplicate (a bound, a check) is said below in the database's words
        what = f"表单「{clash[0]}」" + (f"等 {len(clash)} 份" if len(clash) > 1 else "")
        raise BulkLoadError(
            f"{what}已在数据库中（年度/实施单位/项目名称 相同）：本批 {len(forms)} 份已撤销，"
            f"此前已提交 {done} 份。批量导入只用于新表单；更新已有表单请用 jixiao import"
        ) from None
    if isinstance(exc, BulkLoadError):
        raise BulkLoadError(f"{exc}（本批 {len(forms)} 份已撤销，此前已提交 {done} 份）") from None
    if isinstance(exc, db_error) and _sqlstate(exc) == "55P03":  # lock_not_available
        raise BulkLoadError(
            f"写入数据库失败：等待其他连接持有的锁超过 {LOCK_TIMEOUT}（数据库正在备份、恢复或迁移？），"
            f"本批 {len(forms)} 份已撤销，此前已提交 {done} 份；请稍后重试"
        ) from None
    if isinstance(exc, db_error):
        detail = in_chinese(
            str(getattr(exc, "orig", None) or exc).strip().splitlines()[0].removeprefix("ERROR:").strip()
        )
        raise BulkLoadError(
            f"写入数据库失败，本批 {len(forms)} 份已撤销，此前已提交 {done} 份：{type(exc).__name__}：{detail}"
        ) from exc
    raise exc


def _sqlstate(exc: BaseException) -> str:
    """PostgreSQL's error code, from the driver's error or SQLAlchemy's wrapper of it ('' if none)."""
    return str(getattr(exc, "sqlstate", None) or getattr(getattr(exc, "orig", None), "sqlstate", None) or "")


__all__ = ["AUDIT_LABEL", "BulkLoadError", "Item", "NewForms", "Scored", "Verdict", "bulk_load", "prepare", "verdict"]
