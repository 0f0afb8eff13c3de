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
import multiprocessing
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, String, Table, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from jixiao.scoring import BUILTIN, builtin_catalog, score_form
from jixiao.storage.convert import scaled
from jixiao.storage.models import AuditRow, FormRow, GoalRow, IndicatorRow
from jixiao.storage.store import StoreError, finding_counts, form_key, unstorable, validate_for_storage
from jixiao.storage.types import ExactDecimal
from jixiao.workflow import State
from scorer.model import Form
from scorer.numbers import out_of_range
from scorer.result import FormResult
from scorer.rules import RuleSetError, rules_for

AUDIT_LABEL = "批量导入"

#: called after each committed batch with (forms, indicators) in that batch
Progress = Callable[[int, int], None]

# What scoring contributes to one stored form, as a plain tuple (cheap to send between processes):
#   (computed_rules, computed_total, computed_grade, computed_rate, computed_pending, computed_problems,
#    agg_total_c, agg_recorded_c, agg_errors, agg_warnings, agg_infos,
#    rows) with rows = ((computed_status, computed_score, agg_weight_u, agg_score_u), …) in form order
Verdict = tuple[Any, ...]


class Scored(NamedTuple):
    """A form with its verdict already computed (``prepare``): ``bulk_load`` only inserts it."""

    form: Form
    verdict: Verdict


Item = Form | FormResult | Scored


class BulkLoadError(StoreError):
    """The bulk load stopped; the message names the form and what was committed before it."""


def verdict(result: FormResult) -> Verdict:
    """The stored verdict of a scored form: the values ``fill_computed(row, result, finding_counts(result))`` sets."""
    errors, warnings, infos = finding_counts(result)
    return (
        f"{result.rules.name}@{result.rules.version}",
        result.total_computed,
        result.grade,
        result.budget.rate,
        result.pending,
        len(result.all_problems),
        scaled(result.total_computed, 2),
        scaled(result.total_recorded, 2),
        errors,
        warnings,
        infos,
        tuple(
            (r.status.value, r.score, None, None)  # a parent: its sub-rows are summed, not it
            if r.weight_source == "children"
            else (r.status.value, r.score, scaled(r.weight, 4), scaled(r.score, 4))
            for r in result.indicators
        ),
    )


def _score(form: Form, catalog: Any) -> Verdict:
    return verdict(score_form(form, rules_for(form), catalog))


def prepare(item: Form | FormResult, catalog: Any = BUILTIN) -> Scored:
    """Score a form (or take its result) and compute its verdict, ahead of ``bulk_load``."""
    if isinstance(item, FormResult):
        return Scored(item.form, verdict(item))
    return Scored(item, _score(item, builtin_catalog() if catalog is BUILTIN else catalog))


# ------------------------------------------------------------------ scoring, in order, maybe in parallel

_CATALOG: Any = None
_SHARED: Sequence[Form] | None = None  # the caller's list of forms, inherited by forked workers


def _init_worker(catalog: Any) -> None:
    global _CATALOG
    _CATALOG = builtin_catalog() if isinstance(catalog, str) and catalog == "builtin" else catalog


def _score_forms(forms: list[Form]) -> list[Verdict]:
    return [_score(f, _CATALOG) for f in forms]


def _score_range(bounds: tuple[int, int]) -> list[Verdict]:
    assert _SHARED is not None
    return [_score(f, _CATALOG) for f in _SHARED[bounds[0] : bounds[1]]]


def _as_form(item: Item) -> Form:
    return item if isinstance(item, Form) else item.form


def _ready(item: Item) -> Verdict | None:
    """The verdict without scoring, when the item brings it (or the engine's result)."""
    if isinstance(item, Scored):
        return item.verdict
    if isinstance(item, FormResult):
        return verdict(item)
    return None


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class _Pending:
    """One batch in flight: the verdicts it already has, and the worker's job for the rest."""

    def __init__(self, forms: list[Form], ready: list[Verdict | None], job: Any) -> None:
        self.forms = forms
        self.ready = ready
        self.job = job

    def get(self) -> list[Verdict]:
        if self.job is None:
            return self.ready  # type: ignore[return-value]
        scored = iter(self.job.get())
        return [v if v is not None else next(scored) for v in self.ready]


def _scored(
    items: Iterable[Item], batch: int, workers: int, catalog: Any
) -> Iterator[tuple[list[Form], list[Verdict]]]:
    """Batches of (forms, verdicts) in input order; unscored forms are scored in ``workers`` processes when > 1."""
    if workers <= 1:
        cat = builtin_catalog() if catalog is BUILTIN else catalog
        for chunk in _chunks(items, batch):
            yield [_as_form(x) for x in chunk], [v if (v := _ready(x)) is not None else _score(x, cat) for x in chunk]
        return
    global _SHARED
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # a list of plain forms is shared with forked workers instead of being pickled to them
    shared = isinstance(items, list | tuple) and "fork" in methods and all(isinstance(x, Form) for x in items)
    if catalog is BUILTIN:
        builtin_catalog()  # loaded once here; forked workers inherit it
    try:
        if shared:
            _SHARED = items  # type: ignore[assignment]
        with ctx.Pool(
            workers, initializer=_init_worker, initargs=("builtin" if catalog is BUILTIN else catalog,)
        ) as pool:
            if shared:
                seq: Sequence[Form] = items  # type: ignore[assignment]
                jobs: Iterator[_Pending] = (
                    _Pending(
                        list(seq[a : a + batch]),
                        [None] * len(seq[a : a + batch]),
                        pool.apply_async(_score_range, ((a, a + batch),)),
                    )
                    for a in range(0, len(seq), batch)
                )
            else:

                def submit(chunk: list[Item]) -> _Pending:
                    ready = [_ready(x) for x in chunk]
                    todo = [x for x, v in zip(chunk, ready, strict=True) if v is None]
                    job = pool.apply_async(_score_forms, (todo,)) if todo else None
                    return _Pending([_as_form(x) for x in chunk], ready, job)

                jobs = (submit(chunk) for chunk in _chunks(items, batch))
            window: deque[_Pending] = deque()
            for job in jobs:  # a few batches in flight, never the whole input
                window.append(job)
                if len(window) > 2 * workers:
                    done = window.popleft()
                    yield done.forms, done.get()
            while window:
                done = window.popleft()
                yield done.forms, done.get()
    finally:
        _SHARED = None


# ------------------------------------------------------------------ rows

_FORMS: Table = FormRow.__table__  # type: ignore[assignment]
_GOALS: Table = GoalRow.__table__  # type: ignore[assignment]
_INDICATORS: Table = IndicatorRow.__table__  # type: ignore[assignment]
_AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]
_SIGNOFF = ("preparer", "reviewer", "unit_head", "finance_head", "project_lead", "contact", "phone", "date")
_IND_COLUMNS = (
    "form_id",
    "goal_id",
    "position",
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "adjusted_target",
    "weight",
    "recorded_score",
    "recorded_reason",
    "deviation",
    "direction",
    "computed_status",
    "computed_score",
    "agg_weight_u",
    "agg_score_u",
    "uid",
    "sub",
)
_AUDIT_COLUMNS = (
    "form_id",
    "form_key",
    "at",
    "actor",
    "action",
    "field",
    "label",
    "before",
    "after",
    "reason",
    "version",
)


class _Insert:
    """``insert(table)`` for these columns, compiled once for the dialect and run with the driver's executemany."""

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        self.table = table
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        self.sql = str(compiled)
        self.names: tuple[str, ...] | None = None  # named paramstyle (psycopg): rows go as mappings
        if compiled.positional:
            if list(compiled.positiontup or ()) != list(columns):  # pragma: no cover - SQLAlchemy keeps the order
                raise RuntimeError(f"unexpected parameter order {compiled.positiontup}")
        else:
            self.names = tuple(columns)
        procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        self.procs = [(i, p) for i, p in enumerate(procs) if p is not None]

    def run(self, conn: Connection, rows: list[list[Any]]) -> None:
        if not rows:
            return
        for i, proc in self.procs:
            for row in rows:
                if row[i] is not None:
                    row[i] = proc(row[i])
        if self.names is None:
            conn.exec_driver_sql(self.sql, [tuple(r) for r in rows])
        else:
            names = self.names
            conn.exec_driver_sql(self.sql, [dict(zip(names, r, strict=True)) for r in rows])


def _form_row(form: Form, v: Verdict, now: datetime, actor: str) -> dict[str, Any]:
    b = form.budget
    rec = b.recorded
    row: dict[str, Any] = {
        "year": form.year,
        "department": form.department,
        "implementing_unit": form.implementing_unit,
        "project_name": form.project_name,
        "form_kind": form.form_kind.value,
        "rules": form.rules,
        "title": form.title,
        "ticks_category": list(form.ticks.category),
        "ticks_attribute": list(form.ticks.attribute),
        "ticks_project_type": list(form.ticks.project_type),
        "budget_label": b.label,
        "budget_planned": b.planned,
        "budget_executed": b.executed,
        "budget_rate_text": b.rate_text,
        "budget_initial": b.initial,
        "budget_weight": b.weight,
        "budget_score": rec.score if rec else None,
        "budget_score_reason": rec.reason if rec else "",
        "budget_fiscal": b.fiscal,
        "budget_carryover": b.carryover,
        "budget_other": b.other,
        "basic_expenditure": b.basic_expenditure,
        "project_expenditure": b.project_expenditure,
        "total_recorded": form.total_recorded,
        "deviation_analysis": form.deviation_analysis,
        "improvement_measures": form.improvement_measures,
        "status": State.DRAFT.value,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "updated_by": actor,
        "signed_at": None,
        "signed_by": "",
        "signature_sha256": "",
        "computed_rules": v[0],
        "computed_total": v[1],
        "computed_grade": v[2],
        "computed_rate": v[3],
        "computed_pending": v[4],
        "computed_problems": v[5],
        "agg_total_c": v[6],
        "agg_recorded_c": v[7],
        "agg_planned_u": scaled(b.planned, 6),
        "agg_executed_u": scaled(b.executed, 6),
        "agg_errors": v[8],
        "agg_warnings": v[9],
        "agg_infos": v[10],
        "agg_indicators": len(v[11]),
        "scores_trusted": True,  # the database clears it for an untrusted writer (migration 0004)
    }
    s = form.signoff
    for k in _SIGNOFF:
        row[f"signoff_{k}"] = getattr(s, k)
    return row


def _returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows, returning their new ids in the order of ``rows``."""
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        return list(conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
    ids = sorted(conn.execute(insert(table).returning(table.c.id), rows).scalars())
    if len(ids) != len(rows) or ids[-1] - ids[0] != len(rows) - 1:
        raise BulkLoadError(f"表 {table.name} 的新编号不连续，无法对应到输入顺序；请改用 jixiao import")
    return ids


def _limits(table: Table, columns: Sequence[str] | None = None) -> list[tuple[Any, int, str]]:
    """(key or index, VARCHAR length, column) for the length-limited text columns (PostgreSQL enforces them)."""
    cols = list(table.columns) if columns is None else [table.c[c] for c in columns]
    return [
        (c.key if columns is None else i, c.type.length, c.name)
        for i, c in enumerate(cols)
        if isinstance(c.type, String) and c.type.length
    ]


_FORM_LIMITS = _limits(_FORMS)
_IND_LIMITS = _limits(_INDICATORS, _IND_COLUMNS)
_IND_DECIMALS = tuple(_IND_COLUMNS.index(c) for c in ("weight", "recorded_score"))
_IND_LIMIT_PAIRS = tuple((i, n) for i, n, _ in _IND_LIMITS)
if (
    [_IND_COLUMNS[i] for i, _ in _IND_LIMIT_PAIRS] != ["level1", "level2", "name", "direction", "computed_status"]
    or _IND_COLUMNS[3:9] != ("level1", "level2", "name", "target", "actual", "adjusted_target")
    or _IND_COLUMNS[11:14] != ("recorded_reason", "deviation", "direction")
):  # pragma: no cover - the indicator columns changed: update first_unstorable
    raise RuntimeError("jixiao.storage.bulk: the indicators table no longer has the expected text columns")
_FORM_DECIMALS = tuple(
    c.key for c in _FORMS.columns if isinstance(c.type, ExactDecimal) and not c.key.startswith("computed")
)


def _texts(values: Iterable[Any]) -> Iterator[str]:
    for v in values:
        if isinstance(v, str):
            yield v
        elif isinstance(v, list):
            yield from (x for x in v if isinstance(x, str))


class _Rows:
    """One batch as rows, before the ids exist: goals point at form positions, indicators at both."""

    def __init__(self, forms: list[Form], verdicts: list[Verdict], now: datetime, actor: str) -> None:
        self.forms = forms
        self.form_rows = [_form_row(f, v, now, actor) for f, v in zip(forms, verdicts, strict=True)]
        self.goal_rows: list[dict[str, Any]] = []
        self.ind_rows: list[list[Any]] = []
        self.owner: list[int] = []  # form position of each indicator row
        goals, inds, owner = self.goal_rows, self.ind_rows, self.owner
        for fi, (f, v) in enumerate(zip(forms, verdicts, strict=True)):
            computed = iter(v[11])
            prefix = os.urandom(12).hex()  # this form's rows: prefix + goal + row (unique, cheap)
            for gi, g in enumerate(f.goals):
                gpos = len(goals)
                goals.append({"form_id": fi, "position": gi, "text": g.text, "weight": g.weight})
                for ii, ind in enumerate(g.indicators):
                    status, score, weight_u, score_u = next(computed)
                    rec = ind.recorded
                    owner.append(fi)
                    inds.append(
                        [
                            fi,
                            gpos,
                            ii,
                            ind.level1,
                            ind.level2,
                            ind.name,
                            ind.target,
                            ind.actual,
                            ind.adjusted_target,
                            ind.weight,
                            rec.score if rec else None,
                            rec.reason if rec else "",
                            ind.deviation,
                            ind.direction,
                            status,
                            score,
                            weight_u,
                            score_u,
                            ind.uid or f"{prefix}{gi:02x}{ii:04x}",
                            ind.sub,
                        ]
                    )

    def first_unstorable(self) -> int | None:
        """The position of the first form with a value no database would keep as given, else None.

        The same rules as ``validate_for_storage`` (VARCHAR lengths, NUL and lone
        surrogates, numbers a form may hold), checked on the rows themselves.
        """
        bad: set[int] = set()
        for fi, row in enumerate(self.form_rows):
            if any(isinstance(row[k], str) and len(row[k]) > n for k, n, _ in _FORM_LIMITS) or not all(
                _number_ok(row[k]) for k in _FORM_DECIMALS
            ):
                bad.add(fi)
        (l1, n1), (l2, n2), (nm, n3), (dr, n4), (st, n5) = _IND_LIMIT_PAIRS
        w, rs = _IND_DECIMALS
        texts: list[str] = []
        add = texts.extend
        for r, fi in zip(self.ind_rows, self.owner, strict=True):
            if (
                len(r[l1]) > n1
                or len(r[l2]) > n2
                or len(r[nm]) > n3
                or len(r[dr]) > n4
                or len(r[st]) > n5
                or not (_number_ok(r[w]) and _number_ok(r[rs]))
            ):
                bad.add(fi)
            add(r[3:9])
            add(r[11:14])
        for g in self.goal_rows:
            texts.append(g["text"])
            if not _number_ok(g["weight"]):
                bad.add(g["form_id"])
        for row in self.form_rows:
            texts.extend(_texts(row.values()))
        # one regular-expression pass over all the batch's text; only on a hit, find the form
        if unstorable("\n".join(texts)):
            for fi, row in enumerate(self.form_rows):
                if any(unstorable(t) for t in _texts(row.values())):
                    bad.add(fi)
            for g in self.goal_rows:
                if unstorable(g["text"]):
                    bad.add(g["form_id"])
            for r, fi in zip(self.ind_rows, self.owner, strict=True):
                if any(unstorable(t) for t in _texts(r)):
                    bad.add(fi)
        return min(bad) if bad else None


def _number_ok(value: Any) -> bool:
    """``out_of_range(value) == ""``, deciding the common case from the exponent alone."""
    if value is None:
        return True
    if value.is_finite() and (value.is_zero() or -6 <= value.adjusted() <= 14):
        return not out_of_range(value) if value.adjusted() in (-6, 14) else True
    return not out_of_range(value)


class _Copy:
    """PostgreSQL: COPY … FROM STDIN into these columns, values through their SQLAlchemy bind processors."""

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        prep = dialect.identifier_preparer
        self.table = table
        self.columns = tuple(columns)
        self.sql = f"COPY {prep.format_table(table)} ({', '.join(prep.quote(c) for c in columns)}) FROM STDIN"
        procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        self.procs = [(i, p) for i, p in enumerate(procs) if p is not None]

    def run(self, conn: Connection, rows: list[list[Any]]) -> None:
        if not rows:
            return
        for i, proc in self.procs:
            for row in rows:
                if row[i] is not None:
                    row[i] = proc(row[i])
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(self.sql) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        finally:
            cursor.close()

    def ids(self, conn: Connection, n: int) -> list[int]:
        """``n`` new ids from the table's own sequence (what a plain INSERT would have taken)."""
        if n == 0:
            return []
        seq = conn.exec_driver_sql("SELECT pg_get_serial_sequence(%s, 'id')", (self.table.name,)).scalar()
        return list(conn.exec_driver_sql("SELECT nextval(%s) FROM generate_series(1, %s)", (seq, n)).scalars())


_FORM_COLUMNS = tuple(c.key for c in _FORMS.columns if c.key != "id")
_GOAL_COLUMNS = ("form_id", "position", "text", "weight")


class _Writer:
    """The statements of one engine, prepared once per load.

    Modes: ``copy`` (PostgreSQL with psycopg: ids from the sequences, COPY),
    ``sqlite`` (executemany; ids from ``last_insert_rowid()``, see the module
    docstring), ``core`` (anything else: Core ``insert().returning()``).
    """

    def __init__(self, dialect: Dialect, actor: str, reason: str, mode: str) -> None:
        self.actor = actor
        self.reason = reason
        self.mode = mode
        make = _Copy if mode == "copy" else _Insert
        with_id = ("id",) if self.mode == "copy" else ()
        self.forms = make(dialect, _FORMS, (*with_id, *_FORM_COLUMNS))
        self.goals = make(dialect, _GOALS, (*with_id, *_GOAL_COLUMNS))
        self.indicators = make(dialect, _INDICATORS, _IND_COLUMNS)
        self.audit = make(dialect, _AUDIT, _AUDIT_COLUMNS)

    def rows(self, forms: list[Form], verdicts: list[Verdict]) -> _Rows:
        return _Rows(forms, verdicts, datetime.now(UTC), self.actor)

    def _parents(self, conn: Connection, rows: _Rows) -> tuple[list[int], list[int]]:
        """Insert the forms and goals; their new ids in row order."""
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
        form_ids = copy_forms.ids(conn, len(rows.form_rows))
        copy_forms.run(
            conn, [[fid, *(r[c] for c in _FORM_COLUMNS)] for fid, r in zip(form_ids, rows.form_rows, strict=True)]
        )
        goal_ids = copy_goals.ids(conn, len(rows.goal_rows))
        copy_goals.run(
            conn,
            [
                [gid, form_ids[g["form_id"]], g["position"], g["text"], g["weight"]]
                for gid, g in zip(goal_ids, rows.goal_rows, strict=True)
            ],
        )
        return form_ids, goal_ids

    def insert(self, conn: Connection, rows: _Rows) -> int:
        """Insert one batch inside the caller's transaction; returns the number of indicators."""
        form_ids, goal_ids = self._parents(conn, rows)
        for r in rows.ind_rows:
            r[0] = form_ids[r[0]]
            r[1] = goal_ids[r[1]]
        self.indicators.run(conn, rows.ind_rows)
        now = rows.form_rows[0]["created_at"] if rows.form_rows else datetime.now(UTC)
        self.audit.run(
            conn,
            [
                [fid, key, now, self.actor, "import", "", AUDIT_LABEL, None, key, self.reason, 1]
                for fid, key in zip(form_ids, (form_key(f) for f in rows.forms), strict=True)
            ],
        )
        return len(rows.ind_rows)


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


def _conflicts(engine: Engine, forms: list[Form]) -> list[str]:
    """Keys of this batch's forms that the database already holds."""
    keys = {(f.year, f.implementing_unit, f.project_name) for f in forms}
    q = select(_FORMS.c.year, _FORMS.c.implementing_unit, _FORMS.c.project_name).where(
        _FORMS.c.implementing_unit.in_({k[1] for k in keys}), _FORMS.c.year.in_({k[0] for k in keys})
    )
    with engine.connect() as conn:
        found = {(r[0], r[1], r[2]) for r in conn.execute(q)}
    return [f"{y}/{u}/{p}" for (y, u, p) in sorted(keys & found, key=str)]


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


class _Committer(threading.Thread):
    """Writes the batches, one transaction each, while the caller prepares the next ones.

    The database works with the driver's lock on the interpreter released (sqlite3
    and psycopg both do), so building rows and writing them overlap.
    """

    def __init__(self, engine: Engine, writer: _Writer) -> None:
        super().__init__(name="jixiao-bulk-writer", daemon=True)
        self.engine = engine
        self.writer = writer
        self.todo: queue.Queue[_Rows | None] = queue.Queue(maxsize=2)
        self.finished: queue.SimpleQueue[tuple[int, int]] = queue.SimpleQueue()
        self.committed = 0  # forms
        self.failed: tuple[BaseException, _Rows, int] | None = None
        self.cancelled = False

    def run(self) -> None:
        while (rows := self.todo.get()) is not None:
            if self.failed is not None or self.cancelled:
                continue  # drain: nothing after a failed batch (or an interrupt) is written
            try:
                with self.engine.begin() as conn:
                    n_ind = self.writer.insert(conn, rows)
            except BaseException as exc:  # handed to the caller's thread
                self.failed = (exc, rows, self.committed)
                continue
            self.committed += len(rows.forms)
            self.finished.put((len(rows.forms), n_ind))


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
    committer: _Committer | None = None
    submitted = 0
    seen: dict[tuple[int | None, str, str], int] = {}

    def report() -> None:
        assert committer is not None
        while True:
            try:
                n_forms, n_ind = committer.finished.get_nowait()
            except queue.Empty:
                return
            if progress is not None:
                progress(n_forms, n_ind)

    def stop() -> None:
        if committer is not None and committer.is_alive():
            committer.todo.put(None)
            committer.join()

    try:
        for forms_batch, verdicts in _scored(forms, batch, workers, catalog):
            if committer is None:  # started after any worker processes were forked
                committer = _Committer(engine, writer)
                committer.start()
            _check(forms_batch, verdicts, seen, submitted)
            rows = writer.rows(forms_batch, verdicts)
            bad = rows.first_unstorable()
            if bad is not None:
                stop()
                _fail(forms_batch[bad], f"第 {submitted + bad + 1} 份", committer.committed)
            if committer.failed is not None:
                break
            committer.todo.put(rows)
            submitted += len(forms_batch)
            report()
    except BaseException as error:
        if committer is not None and not isinstance(error, Exception):
            committer.cancelled = True  # Ctrl-C: do not wait for the queued batches
        stop()
        if isinstance(error, Exception) and committer is not None and committer.failed is not None:
            exc, rows, done = committer.failed  # an earlier batch failed first
            _raise_write_error(engine, exc, rows.forms, done)
        raise
    stop()
    if committer is None:
        return 0
    report()
    if committer.failed is not None:
        exc, rows, done = committer.failed
        _raise_write_error(engine, exc, rows.forms, done)
    return committer.committed


def _raise_write_error(engine: Engine, exc: BaseException, forms: list[Form], done: int) -> None:
    dbapi = engine.dialect.dbapi  # COPY runs on the driver's cursor: its errors come unwrapped
    integrity = (IntegrityError, getattr(dbapi, "IntegrityError", IntegrityError))
    db_error = (SQLAlchemyError, getattr(dbapi, "Error", SQLAlchemyError))
    if isinstance(exc, integrity):
        clash = _conflicts(engine, forms)
        what = (f"表单「{clash[0]}」" + (f"等 {len(clash)} 份" if len(clash) > 1 else "")) if clash else "本批表单"
        raise BulkLoadError(
            f"{what}已在数据库中（年度/实施单位/项目名称 相同）：本批 {len(forms)} 份已撤销，"
            f"此前已提交 {done} 份。批量导入只用于新表单；更新已有表单请用 jixiao import"
        ) from None
    if isinstance(exc, BulkLoadError):
        raise BulkLoadError(f"{exc}（本批 {len(forms)} 份已撤销，此前已提交 {done} 份）") from None
    if isinstance(exc, db_error):
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BulkLoadError(
            f"写入数据库失败，本批 {len(forms)} 份已撤销，此前已提交 {done} 份：{type(exc).__name__}：{detail}"
        ) from exc
    raise exc


__all__ = ["AUDIT_LABEL", "BulkLoadError", "Item", "Scored", "Verdict", "bulk_load", "prepare", "verdict"]
