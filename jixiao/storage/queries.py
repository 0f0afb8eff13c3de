"""The store's queries over many forms: lists and counts under the filters, return comments,
history, and verdicts recomputed for rows the database does not vouch for.

A mixin of ``FormStore`` (``jixiao/storage/store.py``), which holds the single-form reads and every
write; kept apart so that each file holds one side.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Select, Text, cast, func, select
from sqlalchemy.orm import Session, selectinload

from jixiao.storage import rowlog, rowlog_cover
from jixiao.storage.convert import fill_computed, to_form
from jixiao.storage.models import AuditRow, FormRow, GoalRow, RowChange
from jixiao.storage.records import (
    FormSummary,
    HistoryEntry,
    NotFound,
    StoredForm,
    _aware,
    _now,
    stored_stage,
    stored_state,
)
from jixiao.storage.types import UnreadableValue
from jixiao.storage.validate import finding_counts, unstorable
from jixiao.storage.verdict_stamp import vouched_row
from jixiao.workflow import Stage
from scorer.model import Form
from scorer.result import FormResult

#: the order ``list`` and ``list_readable`` give forms in: newest year, then department, unit, project
LIST_ORDER = (FormRow.year.desc(), FormRow.department, FormRow.implementing_unit, FormRow.project_name)


@dataclass(frozen=True, slots=True)
class UnreadableForm:
    """A form ``list_readable`` left out: its id, year/unit/project and why its row cannot be read."""

    id: int
    key: str
    reason: str


def _filtered(
    q: Select,
    year: int | None,
    department: str | None,
    unit: str | None,
    status: str | None,
    search: str | None,
    stage: Stage | None = None,
) -> Select | None:
    """``q`` narrowed by the list filters; None when no stored form can match."""
    if any(unstorable(t) for t in (department, unit, status, search) if t):
        return None  # nothing stored contains NUL or a lone surrogate
    if year is not None and not 0 <= year < 10**6:
        return None
    if year is not None:
        q = q.where(FormRow.year == year)
    if department:
        q = q.where(FormRow.department.contains(department, autoescape=True))
    if unit:
        q = q.where(FormRow.implementing_unit.contains(unit, autoescape=True))
    if status:
        q = q.where(FormRow.status == status)
    if search:
        q = q.where(FormRow.project_name.contains(search, autoescape=True))
    if stage is not None:
        q = q.where(FormRow.stage == stage.value)
    return q


def _recorded_total(r: FormRow) -> Decimal | None:
    """The unit's total as ``score`` gives it: the form's own 总分, else the sum of every recorded
    score (the verdict keeps it to the fen, rounded half up as totals are). The list showed none for a
    form whose rows were all self-scored but which wrote no 总分, beside a review that counted it."""
    if r.total_recorded is not None:
        return r.total_recorded
    return None if r.agg_recorded_c is None else Decimal(r.agg_recorded_c).scaleb(-2)


class StoreQueries:
    """Reads across forms; ``FormStore`` provides the engine and the scoring."""

    engine: Engine

    def score(self, form: Form) -> FormResult:  # pragma: no cover - FormStore's
        raise NotImplementedError

    def _stored(self, row: FormRow, form: Form | None = None) -> StoredForm:  # pragma: no cover - FormStore's
        raise NotImplementedError

    def get_many(self, ids: Sequence[int], batch: int = 500) -> Iterator[StoredForm]:
        """The forms ``ids`` in that order, as ``get`` gives them, read a batch at a time.

        Three queries a batch instead of three a form: the review's across-form checks read up to
        5,000 forms, which one by one cost ~3 ms each on PostgreSQL.
        """
        for start in range(0, len(ids), batch):
            chunk = list(ids[start : start + batch])
            with Session(self.engine) as s:
                q = select(FormRow).where(FormRow.id.in_(chunk))
                rows = {
                    r.id: r
                    for r in s.execute(
                        q.options(selectinload(FormRow.goals).selectinload(GoalRow.indicators))
                    ).scalars()
                }
                missing = next((i for i in chunk if i not in rows), None)
                if missing is not None:
                    raise NotFound(f"没有编号为 {missing} 的表单")
                stored = [self._stored(rows[i]) for i in chunk]
            yield from stored

    def list(
        self,
        year: int | None = None,
        department: str | None = None,
        unit: str | None = None,
        status: str | None = None,
        search: str | None = None,
        stage: Stage | None = None,
    ) -> list[FormSummary]:
        q = _filtered(select(FormRow), year, department, unit, status, search, stage)
        if q is None:
            return []
        q = q.order_by(*LIST_ORDER)
        with Session(self.engine) as s:
            rows = list(s.execute(q.execution_options(yield_per=500)).scalars())
        doubtful = {r.id: r for r in self.recomputed_rows([r.id for r in rows if not vouched_row(r)])}
        return [self._summary(doubtful.get(r.id, r)) for r in rows]

    def list_readable(
        self,
        year: int | None = None,
        department: str | None = None,
        unit: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> tuple[builtins.list[FormSummary], builtins.list[UnreadableForm]]:
        """``list``, except that a form whose row jixiao cannot read (a value written past it into an
        SQLite file) is left out and named with why, and the others are listed (``jixiao list``).
        A batch is read whole; only a batch that fails is read again form by form."""
        q = _filtered(select(FormRow.id), year, department, unit, status, search)
        if q is None:
            return [], []
        q = q.order_by(*LIST_ORDER)
        with Session(self.engine) as s:
            ids = list(s.execute(q).scalars())
        out: builtins.list[FormSummary] = []
        bad: builtins.list[UnreadableForm] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            try:
                out += self._summaries(chunk)
            except UnreadableValue:
                for form_id in chunk:
                    try:
                        out += self._summaries([form_id])
                    except UnreadableValue as exc:
                        bad.append(UnreadableForm(form_id, self._key_of(form_id), str(exc)))
        return out, bad

    def _summaries(self, ids: Sequence[int]) -> builtins.list[FormSummary]:
        """The summaries of ``ids`` in that order (as ``list`` gives them); UnreadableValue for a bad row."""
        with Session(self.engine) as s:
            rows = {r.id: r for r in s.execute(select(FormRow).where(FormRow.id.in_(list(ids)))).scalars()}
        doubtful = {r.id: r for r in self.recomputed_rows([i for i in ids if i in rows and not vouched_row(rows[i])])}
        return [self._summary(doubtful.get(i, rows[i])) for i in ids if i in rows]

    def _key_of(self, form_id: int) -> str:
        """A form's year/unit/project read alone (plain text and an integer: readable when the rest is not)."""
        with Session(self.engine) as s:
            r = s.execute(
                select(FormRow.year, FormRow.implementing_unit, FormRow.project_name).where(FormRow.id == form_id)
            ).first()
        return f"{r.year}/{r.implementing_unit}/{r.project_name}" if r else "（已删除）"

    @staticmethod
    def _summary(r: FormRow) -> FormSummary:
        return FormSummary(
            id=r.id,
            year=r.year,
            department=r.department,
            implementing_unit=r.implementing_unit,
            project_name=r.project_name,
            form_kind=r.form_kind,
            planned=r.budget_planned,
            executed=r.budget_executed,
            rate=r.computed_rate,
            total_computed=r.computed_total,
            total_recorded=_recorded_total(r),
            grade=r.computed_grade,
            status=stored_state(r.status),
            problems=r.agg_errors + r.agg_warnings + r.agg_infos,  # the form's own checks (表内), as check and review
            pending=r.computed_pending,
            version=r.version,
            updated_at=_aware(r.updated_at) or _now(),
            updated_by=r.updated_by,
            stage=stored_stage(r.stage),
        )

    def return_comments(self, ids: Sequence[int]) -> dict[int, str]:
        """The reviewer's comment of the last 退回 of each returned form, with who and when."""
        if not ids:
            return {}
        with Session(self.engine) as s:
            q = (
                select(AuditRow.form_id, AuditRow.actor, AuditRow.at, AuditRow.reason)
                .where(AuditRow.form_id.in_(list(ids)), AuditRow.action == "return")
                .order_by(AuditRow.id)
            )
            out: dict[int, str] = {}
            for fid, actor, at, reason in s.execute(q):
                if fid is None:
                    continue
                when = (_aware(at) or _now()).astimezone().strftime("%Y-%m-%d %H:%M")
                out[fid] = f"{reason or '（未写理由）'}（{actor}，{when}）"
        return out

    def recomputed_rows(self, ids: Sequence[int], batch: int = 200) -> Iterator[FormRow]:
        """Detached rows of ``ids`` with their verdict recomputed in memory, never written.

        For forms whose stored verdict does not stand (``verdict_stamp.vouched``): a forged
        ``computed_total`` is not believed, nor one another jixiao computed.
        """
        for start in range(0, len(ids), batch):
            with Session(self.engine) as s, s.no_autoflush:
                rows = list(
                    s.execute(
                        select(FormRow)
                        .where(FormRow.id.in_(ids[start : start + batch]))
                        .options(selectinload(FormRow.goals).selectinload(GoalRow.indicators))
                    ).scalars()
                )
                for row in rows:
                    result = self.score(to_form(row))
                    fill_computed(row, result, finding_counts(result))
                s.expunge_all()
            yield from rows

    def count(
        self,
        year: int | None = None,
        department: str | None = None,
        unit: str | None = None,
        status: str | None = None,
        search: str | None = None,
        stage: Stage | None = None,
    ) -> int:
        """How many forms ``list`` would return, counted by the database."""
        q = _filtered(select(func.count(FormRow.id)), year, department, unit, status, search, stage)
        if q is None:
            return 0
        with Session(self.engine) as s:
            return int(s.execute(q).scalar_one())

    def history(self, form_id: int) -> builtins.list[HistoryEntry]:
        """The application's entries, and on PostgreSQL the changes made around it (from ``row_changes``).

        On PostgreSQL an entry that says the form changed is marked (``rowlog_cover.UNFOUNDED``) when the
        database's log of its transaction holds no such change: a filler with psql raised the version and
        wrote an entry of their own that undid, in words only, a change the data still holds."""
        with Session(self.engine) as s:
            rows = list(s.execute(select(AuditRow).where(AuditRow.form_id == form_id).order_by(AuditRow.id)).scalars())
            if self.engine.dialect.name != "postgresql":
                return [_entry(r, r.label) for r in rows]
            changes = _logged(s, form_id)
        said: dict[int, list[rowlog_cover.Said]] = {}
        for r in rows:
            if r.txid is not None:
                said.setdefault(r.txid, []).append(rowlog_cover.said(r.label, r.before, r.after, r.reason))
        out = [_entry(r, _checked_label(r, changes)) for r in rows]
        direct = [
            HistoryEntry(
                at=_aware(at) or _now(),
                actor=who,
                action="sql",
                field=field,
                label=label,
                before=before,
                after=after,
                reason="未经 jixiao 的直接修改",
                version=0,
                db_user=who,
            )
            for at, who, field, label, before, after in rowlog.entries(changes, said)
        ]
        return sorted(out + direct, key=lambda e: e.at)


def _entry(r: AuditRow, label: str) -> HistoryEntry:
    return HistoryEntry(
        at=_aware(r.at) or _now(),
        actor=r.actor,
        action=r.action,
        field=r.field,
        label=label,
        before=r.before,
        after=r.after,
        reason=r.reason,
        version=r.version,
        db_user=r.db_user or "",
    )


def _checked_label(r: AuditRow, changes: builtins.list[Logged]) -> str:
    """The entry's label, marked when it names a change its transaction's log does not hold."""
    if r.txid is None or not rowlog_cover.claims_a_change(r.action, r.field, r.before, r.after):
        return r.label
    of_tx = [c for c in changes if c.txid == r.txid]
    if any(c.table_name == "forms" and c.op != "UPDATE" for c in of_tx):
        return r.label  # a form created or deleted: its entry is the whole change
    if rowlog_cover.founded(of_tx, rowlog_cover.said(r.label, r.before, r.after, r.reason)):
        return r.label
    return f"{r.label}{rowlog_cover.UNFOUNDED}"


@dataclass(frozen=True, slots=True)
class Logged:
    """A change from ``row_changes``, its rows' numbers read as the database stored them (Decimal)."""

    at: datetime
    txid: int | None
    db_user: str
    table_name: str
    op: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _logged(s: Session, form_id: int) -> builtins.list[Logged]:
    """The form's changes in the log's order. Read as JSON floats, 999999999999999.99 was shown as
    1000000000000000.0 and 37.000000 as 37.0: the history said values the form never held."""
    q = (
        select(
            RowChange.at,
            RowChange.txid,
            RowChange.db_user,
            RowChange.table_name,
            RowChange.op,
            cast(RowChange.before, Text),
            cast(RowChange.after, Text),
        )
        .where(RowChange.form_id == form_id)
        .order_by(RowChange.id)
    )
    return [Logged(at, txid, who, table, op, _exact(b), _exact(a)) for at, txid, who, table, op, b, a in s.execute(q)]


def _exact(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text, parse_float=Decimal)
