"""The bulk path's rows: a form's columns, length limits, and the two ways rows go in (executemany, COPY)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, Table, insert
from sqlalchemy.engine import Dialect

from jixiao.storage.bulk_scoring import BulkLoadError, Verdict
from jixiao.storage.convert import first_uids, scaled
from jixiao.storage.models import AuditRow, FormRow, GoalRow, IndicatorRow
from jixiao.storage.store import unstorable
from jixiao.storage.types import ExactDecimal
from jixiao.workflow import State
from scorer.model import Form
from scorer.numbers import out_of_range

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
        "stage": "evaluation",  # a declaration is stored through the careful path
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "updated_by": actor,
        "signed_at": None,
        "signed_by": "",
        "signature_sha256": "",
        "signer_cert_sha256": None,
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
        "agg_indicators": sum(1 for r in v[11] if r[2] is not None),  # a parent row has no weight of its own
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
            uids = first_uids(f)
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
                            uids[gi][ii] or f"{prefix}{gi:02x}{ii:04x}",
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
    if value.is_finite() and not value.is_signed() and (value.is_zero() or -6 <= value.adjusted() <= 14):
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
