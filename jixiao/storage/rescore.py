"""Recomputing stored verdicts (``db rescore``, ``db upgrade``, the default database on opening).

The forms are rescored a batch at a time, each batch in its own transaction, committed as it is
done: an interruption keeps every batch already committed, and a rerun picks up the rest (they are
still stale). With ``jobs`` > 1 the batches are spread over forked worker processes
(``jixiao.workers``), each with its own connection; every batch goes through the same function
either way, so one process and many store the same values.

On PostgreSQL a batch locks its forms before it reads their cells and holds the lock until its
verdicts are committed: a filler's change in flight either commits first and is scored, or waits and
takes the trust away after (migration 0012). SQLite has no row locks and no untrusted writers; there
a batch is read, scored, then written only to the forms whose version is still the one read (an edit
in between bumps it, and the edit stored its own verdict).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, or_, select
from sqlalchemy.orm import Session, selectinload

from jixiao.scoring import BUILTIN, score_with_its_rules
from jixiao.storage.convert import INDICATOR_VERDICT_COLUMNS, VERDICT_COLUMNS, fill_computed, to_form
from jixiao.storage.models import FormRow, GoalRow, IndicatorRow
from jixiao.storage.validate import finding_counts
from jixiao.storage.verdict_stamp import current_suffix
from jixiao.workers import ordered_map, workers_for

#: called with (0, forms to rescore) first, then after each committed batch with (forms rescored so far, …)
Progress = Callable[[int, int], None]
BATCH = 200


def to_rescore(engine: Engine, only_missing: bool = True) -> list[int]:
    """The forms to rescore, in id order: all, or (``only_missing``) those whose verdict is missing,
    written by someone the database does not vouch for, or computed by another jixiao."""
    q = select(FormRow.id).order_by(FormRow.id)
    if only_missing:
        q = q.where(
            or_(
                (FormRow.agg_total_c.is_(None) & FormRow.computed_total.is_not(None)),
                ~FormRow.scores_trusted,
                ~FormRow.computed_rules.endswith(current_suffix(), autoescape=True),
            )
        )
    with Session(engine) as s:
        return list(s.execute(q).scalars())


def left_unverified(engine: Engine) -> str | None:
    """What a rescore left to do: forms another session held locked (skipped), or changed since."""
    left = len(to_rescore(engine))
    if not left:
        return None
    return f"另有 {left} 份表单正被其他会话锁定或刚被修改，仍未确认（阅读时按数据重新计算）；请稍后再运行 jixiao db rescore"


def rescore(
    engine: Engine,
    catalog: Any = BUILTIN,
    only_missing: bool = True,
    batch: int = BATCH,
    jobs: int | None = 1,
    progress: Progress | None = None,
) -> int:
    """Recompute and store the verdicts; the number of forms rescored. Not a change to the form: no
    audit entry, no new version. ``jobs``: worker processes (None: one per core)."""
    ids = to_rescore(engine, only_missing)
    batches = [ids[i : i + batch] for i in range(0, len(ids), batch)]
    workers = min(workers_for(len(ids), jobs), len(batches)) if batches else 1
    done = 0
    if progress is not None and ids:
        progress(0, len(ids))
    task = _BatchTask(engine, catalog)
    for n in ordered_map(task, batches, workers, chunk=1):
        done += n
        if progress is not None:
            progress(done, len(ids))
    return done


class _BatchTask:
    """One batch, in this process or a forked worker (which opens its own connections)."""

    def __init__(self, engine: Engine, catalog: Any) -> None:
        self.engine = engine
        self.catalog = catalog
        self.pid = os.getpid()

    def __call__(self, ids: list[int]) -> int:
        if os.getpid() != self.pid:  # a forked worker: never use the parent's connections
            self.engine.dispose(close=False)
            self.pid = os.getpid()
        if self.engine.dialect.name == "postgresql":
            with Session(self.engine) as s, s.begin():
                read = _read(s, ids, self.catalog, lock=True)
                return _write(s.connection(), read, guard=False)
        with Session(self.engine) as s:
            read = _read(s, ids, self.catalog, lock=False)
            s.rollback()
        with self.engine.begin() as conn:
            return _write(conn, read, guard=True)


#: per form: (id, version read, the form's verdict columns, {indicator id: its verdict columns})
_Read = list[tuple[int, int, dict[str, Any], dict[int, dict[str, Any]]]]


def _read(s: Session, ids: list[int], catalog: Any, lock: bool) -> _Read:
    """Load and score the forms; the verdicts are taken off the rows and nothing is flushed."""
    q = (
        select(FormRow)
        .where(FormRow.id.in_(ids))
        .order_by(FormRow.id)
        .options(selectinload(FormRow.goals).selectinload(GoalRow.indicators))
        .execution_options(populate_existing=True)
    )
    if lock:  # a form another session holds locked stays unverified: a filler's open transaction is not waited for
        q = q.with_for_update(of=FormRow, skip_locked=True)
    rows = list(s.execute(q).scalars())
    out: _Read = []
    with s.no_autoflush:
        for row in rows:
            form = to_form(row)
            flat: list[IndicatorRow] = [i for g in row.goals for i in g.indicators]
            before = [tuple(getattr(i, k) for k in INDICATOR_VERDICT_COLUMNS) for i in flat]
            version = row.version
            result = score_with_its_rules(form, catalog)
            fill_computed(row, result, finding_counts(result))
            row.scores_trusted = True  # kept only when a trusted writer writes it (migration 0004)
            changed = {
                i.id: {k: getattr(i, k) for k in INDICATOR_VERDICT_COLUMNS}
                for i, old in zip(flat, before, strict=True)
                if tuple(getattr(i, k) for k in INDICATOR_VERDICT_COLUMNS) != old
            }
            out.append((row.id, version, {k: getattr(row, k) for k in VERDICT_COLUMNS}, changed))
    s.expunge_all()  # the rows' changes are written below, past the ORM, never flushed
    return out


def _write(conn: Connection, read: _Read, guard: bool) -> int:
    """Store the verdicts. A verdict is not an edit: the form's row is written past the ORM, whose new
    version the database refuses on a submitted form; only the indicators whose verdict changed are
    written. ``guard``: skip a form whose version is no longer the one read."""
    forms: Any = FormRow.__table__
    indicators: Any = IndicatorRow.__table__
    done = 0
    changed: list[dict[str, Any]] = []
    for form_id, version, verdict, rows in read:
        where = forms.c.id == form_id
        if guard:
            where = where & (forms.c.version == version)
        if conn.execute(forms.update().where(where).values(**verdict)).rowcount != 1:
            continue
        done += 1
        changed.extend({"_id": k, **v} for k, v in rows.items())
    if changed:
        conn.execute(
            indicators.update()
            .where(indicators.c.id == bindparam("_id"))
            .values({k: bindparam(k) for k in INDICATOR_VERDICT_COLUMNS}),
            changed,
        )
    return done
