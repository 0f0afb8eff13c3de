"""Monitoring snapshots stored with their form (migration 0008): append-only, the latest of a period counts.

On PostgreSQL the unit's fillers write their own forms' snapshots and the database stamps who and
when; on SQLite these rules are the application's, like the other roles there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jixiao.storage.models import SnapshotRow
from jixiao.storage.records import NotFound, StoreError, _now
from jixiao.storage.validate import unstorable, write_error
from jixiao.workflow import Stage
from scorer.formfile import FormFileError
from scorer.monitoring import Snapshot, snapshot_from_dict, snapshot_to_dict

if TYPE_CHECKING:
    from jixiao.storage.store import FormStore, StoredForm


#: a form's snapshots at most (and 100 MB of them, which the database holds on PostgreSQL: migration 0051)
MAX_SNAPSHOTS = 200


def save(store: FormStore, snap: Snapshot) -> int:
    """Store a snapshot with the form it names (year/unit/project); returns the form's id."""
    try:
        sf = store.find(snap.key)
    except NotFound:
        raise StoreError(f"数据库中没有表单「{snap.key}」；监控记录按 年度/实施单位/项目名称 对应表单") from None
    if sf.stage is Stage.EVALUATION and not sf.editable:
        raise StoreError(
            f"表单「{sf.key}」为「{sf.status.label}」：运行监控记录只能在自评表提交之前填报（已提交的自评不再补记监控）"
        )
    data = snapshot_to_dict(snap)
    bad = unstorable("\n".join(str(v) for row in data["rows"] for v in row.values()))
    if bad:
        raise StoreError(f"监控记录中含有{bad}，无法保存")
    try:
        with Session(store.engine) as s, s.begin():
            held = s.execute(select(func.count()).where(SnapshotRow.form_id == sf.id)).scalar_one()
            if held >= MAX_SNAPSHOTS:  # the database refuses it too (migration 0051)
                raise StoreError(f"表单「{sf.key}」已有 {held} 条运行监控记录，已到上限 {MAX_SNAPSHOTS} 条，未保存")
            s.add(SnapshotRow(form_id=sf.id, months=snap.months, data=data, actor=store.actor[:100], at=_now()))
    except SQLAlchemyError as exc:
        denied = f"无权限：数据库拒绝为「{sf.key}」保存监控记录（只有本单位的填报人可以填报）"
        raise write_error(exc, denied, "保存监控记录失败") from None
    return sf.id


def read_stored(store: FormStore, sf: StoredForm) -> tuple[list[Snapshot], list[str], dict[int, datetime]]:
    """The form's snapshots, one per period (the latest stored of each), earliest period first; and
    what was wrong with stored rows that are no snapshot of this form (written past jixiao, e.g. with
    psql). Those are left out and said, so one bad row never stops a review. Last, when the database
    stamped each period's snapshot, by its months (the checks of a late snapshot read it)."""
    return read_stored_many(store, [sf])[sf.id]


def read_stored_many(
    store: FormStore, forms: Sequence[StoredForm]
) -> dict[int, tuple[list[Snapshot], list[str], dict[int, datetime]]]:
    """``read_stored`` of each of ``forms`` (by id), their rows read in one query."""
    rows: dict[int, list[SnapshotRow]] = {sf.id: [] for sf in forms}
    if forms:
        with Session(store.engine) as s:
            q = select(SnapshotRow).where(SnapshotRow.form_id.in_(list(rows))).order_by(SnapshotRow.id)
            for r in s.execute(q).scalars():
                rows[r.form_id].append(r)
    return {sf.id: _parsed(sf, rows[sf.id]) for sf in forms}


def _parsed(sf: StoredForm, rows: list[SnapshotRow]) -> tuple[list[Snapshot], list[str], dict[int, datetime]]:
    latest: dict[int, Snapshot] = {}
    stamps: dict[int, datetime] = {}
    problems: list[str] = []
    for r in rows:
        where = f"监控记录 #{r.id}（{r.db_user or r.actor}）"
        try:
            snap = snapshot_from_dict(r.data, where)
        except FormFileError as exc:
            problems.append(f"{sf.key}：{exc}；已略过")
            continue
        if not snap.matches(sf.form) or snap.months != r.months:
            problems.append(f"{sf.key}：{where} 写的是「{snap.key}」1–{snap.months}月，与所属表单不符；已略过")
            continue
        latest[r.months], stamps[r.months] = snap, r.at
    return [latest[m] for m in sorted(latest)], problems, stamps


def for_form(store: FormStore, form_id: int) -> list[Snapshot]:
    """The form's valid snapshots, one per period, earliest first (``read_stored`` says what was left out)."""
    return read_stored(store, store.get(form_id))[0]


def forms_with_snapshots(store: FormStore, year: int | None = None) -> list[int]:
    from jixiao.storage.models import FormRow

    q = select(FormRow.id).where(FormRow.id.in_(select(SnapshotRow.form_id))).order_by(FormRow.id)
    if year is not None:
        q = q.where(FormRow.year == year)
    with Session(store.engine) as s:
        return list(s.execute(q).scalars())
