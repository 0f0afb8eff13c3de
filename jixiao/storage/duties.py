"""Separation of duties (四眼原则): who submitted a form last and who last changed its data, read
from the application's audit log, for the workflow's check (``jixiao.workflow.check_four_eyes``).

On PostgreSQL migration 0014 holds the same rule for every login, reading the database's own
change log (``row_changes``), which no application role can write: a change made around jixiao
counts too. This module also turns that refusal into the workflow's Chinese message.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from jixiao.storage.models import AuditRow
from jixiao.workflow import ACTIONS, WorkflowError, check_four_eyes

#: audit actions that move a form without changing its data ("begin" moves a declaration on)
NOT_DATA = frozenset(ACTIONS) | {"begin"}
#: how migration 0014's trigger says no (its message is English, like every database message)
DB_REFUSAL = "jixiao: four eyes"


def last_actors(s: Session, form_id: int) -> tuple[str | None, str | None]:
    """The actor of the form's latest submission and of its latest data change (None when there is none)."""
    latest = select(AuditRow.actor).where(AuditRow.form_id == form_id).order_by(AuditRow.id.desc()).limit(1)
    submitter = s.execute(latest.where(AuditRow.action == "submit")).scalar_one_or_none()
    editor = s.execute(latest.where(AuditRow.action.not_in(NOT_DATA))).scalar_one_or_none()
    return submitter, editor


def check(s: Session, form_id: int, action: str, actor: str) -> None:
    """WorkflowError when ``actor`` may not take ``action`` on the form: they submitted or last changed it."""
    submitter, editor = last_actors(s, form_id)
    check_four_eyes(action, actor, submitter, editor)


def refusal(exc: DBAPIError, action: str, actor: str) -> WorkflowError | None:
    """The workflow's message for the database's four-eyes refusal; None for any other error."""
    if DB_REFUSAL not in str(exc.orig):
        return None
    label = ACTIONS[action].label if action in ACTIONS else action
    return WorkflowError(
        f"不能{label}自己提交或修改的表单：数据库记录 {actor} 的登录名提交或最后修改了这份表单；"
        f"按四眼原则，须由另一位审核人{label}"
    )
