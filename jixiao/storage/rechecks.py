"""复核: a reviewer's score per indicator, kept beside the rule score and the unit's own.

Each 复核 is a new row (the table is append-only); the latest per indicator counts. On
PostgreSQL the database decides who may write one and stamps who and when (migration 0007);
on SQLite these rules are the application's, like the other roles there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jixiao.storage import duties
from jixiao.storage.models import FormRow, RecheckRow
from jixiao.storage.records import StoreError, _aware, _now
from jixiao.storage.validate import MAX_TEXT_CHARS, unstorable, write_error
from jixiao.workflow import State
from scorer import numbers as fmt
from scorer.weights import rounding_slack

if TYPE_CHECKING:
    from jixiao.storage.store import FormStore
    from scorer.result import FormResult, IndicatorResult

REVIEWABLE = (State.SUBMITTED, State.APPROVED, State.SIGNED)


#: the allocated weight is stored rounded half up to 0.0001 (``agg_weight_u``): half a unit of slack
ALLOCATED_SLACK = rounding_slack([Decimal("0.0001")])


def stored_ceiling(weight: Decimal | None, agg_weight_u: int | None) -> Decimal | None:
    """The highest 复核 the database takes on a stored row (migration 0018): its printed weight, else
    the weight jixiao allocated plus its rounding slack; None when it has no finite weight."""
    if weight is not None:
        return weight if weight.is_finite() else None
    return None if agg_weight_u is None else Decimal(agg_weight_u).scaleb(-4) + ALLOCATED_SLACK


def stored_problem(score: Decimal | None, ceiling: Decimal | None) -> str:
    """Why the database refuses a stored 复核 score on a row of ``ceiling``, in Chinese ("" when it takes it)."""
    if score is None or not score.is_finite():
        return f"复核得分 {score} 不是有限的数"
    if ceiling is None:
        return "所在指标行没有分值，不能复核"
    if score < 0 or score > ceiling:
        return f"复核得分 {score} 不在 0 到其分值 {fmt.weight(ceiling)} 之间"
    return ""


@dataclass(frozen=True, slots=True)
class Recheck:
    indicator_uid: str
    indicator: str
    score: Decimal
    opinion: str
    reviewer: str
    at: datetime | None


def _row_of(result: FormResult, ref: str) -> IndicatorResult:
    """The indicator named ``ref`` (its 三级 name or stable identity) on a scored form; exactly one."""
    rows = [r for r in result.indicators if r.weight_source != "children"]
    hits = [r for r in rows if r.indicator.uid == ref] or [r for r in rows if r.indicator.name == ref]
    if not hits:
        names = "、".join(r.indicator.name for r in rows[:12])
        raise StoreError(f"表单中没有指标「{ref}」；可用的指标：{names}")
    if len(hits) > 1:
        raise StoreError(f"指标「{ref}」在表单中出现 {len(hits)} 次；请用指标标识（uid）指定")
    return hits[0]


def _check(key: str, row: IndicatorResult, score: Decimal, opinion: str) -> None:
    """StoreError before anything is written when the 复核 is one the database refuses (migration 0018) or
    has no opinion: a score that is not a finite number between 0 and the row's weight (分值)."""
    if not score.is_finite() or score < 0 or score > row.weight:
        raise StoreError(
            f"表单「{key}」指标「{row.indicator.name}」的复核得分应在 0 到其分值 {fmt.weight(row.weight)} 之间，"
            f"实际为 {score}；未写入复核"
        )
    text = opinion.strip()
    if not text:
        raise StoreError("复核须写明复核意见（-m 意见）")
    bad = unstorable(text)
    if bad or len(text) > MAX_TEXT_CHARS:
        raise StoreError(f"复核意见中含有{bad}" if bad else f"复核意见过长（上限 {MAX_TEXT_CHARS} 字）")


def _vouched(store: FormStore, form_id: int, key: str, row: IndicatorResult) -> None:
    """StoreError when the row prints no 分值 and the form's stored scores are unverified: the database
    holds a 复核 to the allocated weight only once the owner has vouched for it (migration 0022)."""
    if row.weight_source != "allocated":
        return
    with Session(store.engine) as s:
        trusted = s.scalar(select(FormRow.scores_trusted).where(FormRow.id == form_id))
    if trusted is False:
        raise StoreError(
            f"表单「{key}」指标「{row.indicator.name}」未印分值，其分配的分值尚未核算（表单在提交前被修改过）；"
            "请数据库所有者先运行 jixiao db rescore，再复核；未写入复核"
        )


def _four_eyes(s: Session, form_id: int, actor: str) -> None:
    """StoreError when ``actor`` submitted the form or last changed its data: a 复核 is a second person's.

    Asked as the database asks it (by login on PostgreSQL, of the audit log by name elsewhere)."""
    sub, ed = duties.deciding_actors(s, form_id, actor)
    did = [what for who, what in ((sub, "提交"), (ed, "最后修改")) if who and who == actor]
    if did:
        raise StoreError(
            f"不能复核自己提交或修改的表单：{actor} {'并'.join(did)}了这份表单；按四眼原则，须由另一位审核人复核"
        )


def may_recheck(store: FormStore, form_id: int) -> None:
    """StoreError when the store's user may not write a 复核 of the form: before submission, or their own."""
    sf = store.get(form_id)
    if sf.status not in REVIEWABLE:
        raise StoreError(f"表单「{sf.key}」为「{sf.status.label}」：复核只能在表单提交之后进行")
    with Session(store.engine) as s:
        _four_eyes(s, form_id, store.actor)


def record(store: FormStore, form_id: int, ref: str, score: Decimal, opinion: str) -> Recheck:
    """Write a 复核 of one indicator of a submitted form; returns it as stored."""
    may_recheck(store, form_id)
    sf = store.get(form_id)
    row = _row_of(store.score(sf.form), ref)
    _check(sf.key, row, score, opinion)
    _vouched(store, form_id, sf.key, row)
    score = score.copy_abs() if score.is_zero() else score  # no -0: PostgreSQL has none, SQLite would keep it
    entry = RecheckRow(
        form_id=form_id,
        indicator_uid=row.indicator.uid,
        indicator=row.indicator.name[:300],
        score=score,
        opinion=opinion.strip(),
        reviewer=store.actor[:100],
        at=_now(),
    )
    try:
        with Session(store.engine) as s, s.begin():
            s.add(entry)
            s.flush()
            s.refresh(entry)
            stored = _recheck(entry)
    except SQLAlchemyError as exc:
        denied = f"无权限：数据库拒绝为「{sf.key}」写入复核（只有本部门的审核人可以复核已提交的表单）"
        raise write_error(exc, denied, "写入复核失败") from None
    return stored


def _recheck(r: RecheckRow) -> Recheck:
    return Recheck(r.indicator_uid, r.indicator, r.score, r.opinion, r.reviewer, _aware(r.at))


def latest(store: FormStore, form_id: int) -> dict[str, Recheck]:
    """The latest 复核 of each indicator of a form, by the indicator's stable identity."""
    return latest_many(store, [form_id]).get(form_id, {})


def latest_many(store: FormStore, form_ids: Sequence[int]) -> dict[int, dict[str, Recheck]]:
    """``latest`` of each of ``form_ids`` in one query (a form without 复核 is not a key)."""
    out: dict[int, dict[str, Recheck]] = {}
    if not form_ids:
        return out
    with Session(store.engine) as s:
        q = select(RecheckRow).where(RecheckRow.form_id.in_(list(form_ids))).order_by(RecheckRow.id)
        for r in s.execute(q).scalars():
            out.setdefault(r.form_id, {})[r.indicator_uid] = _recheck(r)
    return out


def history(store: FormStore, form_id: int) -> list[Recheck]:
    """Every 复核 of a form in the order written (the table is append-only: each past state is a prefix)."""
    with Session(store.engine) as s:
        q = select(RecheckRow).where(RecheckRow.form_id == form_id).order_by(RecheckRow.id)
        return [_recheck(r) for r in s.execute(q).scalars()]
