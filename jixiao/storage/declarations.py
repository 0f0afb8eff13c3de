"""Target declarations in the database: the approved rows, the lock they put on the self-evaluation,
and the step from an approved declaration to its self-evaluation (migration 0009).

The approval's copy is written by the database itself (a trigger on the status), on both back
ends; here the application reads it, refuses a save that breaks it with a message naming each
row, and begins the self-evaluation. PostgreSQL checks the lock again at commit for any client.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jixiao.formdiff import Change
from jixiao.storage.convert import to_form
from jixiao.storage.models import ApprovedTargetRow, FormRow
from jixiao.storage.records import StoredForm, StoreError, _aware, _now, form_key
from jixiao.storage.validate import write_error
from jixiao.workflow import Stage, State, WorkflowError
from scorer.model import Form
from scorer.stages import (
    ApprovedTarget,
    ApprovedWeights,
    evaluation_title,
    lock_breaches,
    order_and_goals,
    weight_breaches,
    with_approved_uids,
)

if TYPE_CHECKING:
    from jixiao.storage.store import FormStore

SHOWN = 6  # breaches named in one message


@dataclass(frozen=True, slots=True)
class Approval:
    """The latest approval of a form's targets: who, when, and the rows as approved."""

    approver: str
    at: datetime
    rows: tuple[ApprovedTarget, ...]
    weights: ApprovedWeights = ApprovedWeights(None, ())
    goal_of: tuple[int, ...] = ()  # each row's goal position as approved

    def by_uid(self) -> dict[str, ApprovedTarget]:
        return {r.uid: r for r in self.rows}


def _goal_text(row: ApprovedTargetRow) -> str | None:
    """A goal's text as approved: kept since migration 0036, marked as kept (even when empty) since
    0038 by the row's name; None when the approval kept no text."""
    return row.target if row.target or row.name else None


def read_approval(s: Session, form_id: int) -> Approval | None:
    latest = s.execute(
        select(func.max(ApprovedTargetRow.approval)).where(ApprovedTargetRow.form_id == form_id)
    ).scalar_one()
    if latest is None:
        return None
    every = list(
        s.execute(
            select(ApprovedTargetRow)
            .where(ApprovedTargetRow.form_id == form_id, ApprovedTargetRow.approval == latest)
            .order_by(ApprovedTargetRow.goal_position, ApprovedTargetRow.position)
        ).scalars()
    )
    rows = [r for r in every if r.kind == "indicator"]
    if not rows:  # an approval of a declaration without rows locks nothing
        return None
    budget = next((r.weight for r in every if r.kind == "budget"), None)
    return Approval(
        approver=rows[0].approver,
        at=_aware(rows[0].at) or _now(),
        rows=tuple(
            ApprovedTarget(r.uid or "", r.level1, r.level2, r.name, r.target, r.weight, r.sub, r.direction)
            for r in rows
        ),
        weights=ApprovedWeights(
            budget,
            tuple(r.weight for r in every if r.kind == "goal"),
            tuple(_goal_text(r) for r in every if r.kind == "goal"),
        ),
        goal_of=tuple(r.goal_position for r in rows),
    )


def approval(store: FormStore, form_id: int) -> Approval | None:
    """The approval locking a stored form's targets, if any."""
    with Session(store.engine) as s:
        return read_approval(s, form_id)


def approved_among(store: FormStore, ids: list[int]) -> set[int]:
    """The forms among ``ids`` whose targets a reviewer approved as a declaration."""
    out: set[int] = set()
    with Session(store.engine) as s:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out.update(
                s.execute(select(ApprovedTargetRow.form_id).where(ApprovedTargetRow.form_id.in_(chunk))).scalars()
            )
    return out


def locked(s: Session, row: FormRow, form: Form) -> Form:
    """``form`` as it may be saved over ``row``: StoreError naming each approved row it would change."""
    if row.id is None or row.stage != Stage.EVALUATION.value:
        return form
    found = read_approval(s, row.id)
    if found is None:
        return form
    form = with_approved_uids(found.rows, form)
    breaches = lock_breaches(found.rows, form) + weight_breaches(found.weights, form)
    breaches += order_and_goals(found.rows, found.goal_of, form)
    if (form.year, form.implementing_unit, form.project_name) != (row.year, row.implementing_unit, row.project_name):
        breaches.append("年度、实施单位和项目名称已随目标审核，不能更改")
    if breaches:
        more = f"等 {len(breaches)} 处" if len(breaches) > SHOWN else ""
        when = found.at.astimezone().strftime("%Y-%m-%d")
        raise StoreError(
            f"表单「{form_key(form)}」的绩效目标已于 {when} 由 {found.approver} 审核锁定，未保存："
            f"{'；'.join(breaches[:SHOWN])}{more}。目标需要调整时，请在「调整后目标值」中填写并说明理由"
        )
    return form


def begin_evaluation(store: FormStore, form_id: int, reason: str = "") -> StoredForm:
    """An approved declaration becomes its self-evaluation, in 草稿, its approved targets locked."""
    try:
        with Session(store.engine) as s, s.begin():
            row = store._load(s, form_id)
            if row.stage != Stage.DECLARATION.value or row.status != State.APPROVED.value:
                now = f"{Stage(row.stage).label}（{State(row.status).label}）"
                raise WorkflowError(f"表单「{form_key(to_form(row))}」是{now}；只有已审核的目标申报表可以开始自评")
            before_title = row.title
            if store.engine.dialect.name == "postgresql":  # the database's own door: its checks apply to psql too
                s.execute(text("SELECT jixiao_begin_evaluation(:id)"), {"id": form_id})
                s.refresh(row)
            else:
                row.stage = Stage.EVALUATION.value
                row.status = State.DRAFT.value
            row.title = evaluation_title(dataclasses.replace(to_form(row), title=before_title))
            row.updated_at = _now()
            row.updated_by = store.actor
            s.flush()
            changes = [
                Change("stage", "阶段", Stage.DECLARATION.label, Stage.EVALUATION.label),
                Change("status", "状态", State.APPROVED.label, State.DRAFT.label),
            ]
            if row.title != before_title:
                changes.append(Change("title", "标题", before_title, row.title))
            store._audit(s, row, "begin", changes, reason or "目标已审核，开始年度自评", version=row.version)
    except SQLAlchemyError as exc:
        raise write_error(
            exc, "无权限：数据库拒绝开始自评（表单不属于你的单位）", "开始自评失败：数据库未写入"
        ) from None
    return store.get(form_id)
