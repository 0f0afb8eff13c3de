"""Separation of duties (四眼原则): who submitted a form last and who last changed its data, for the
workflow's check (``jixiao.workflow.check_four_eyes``).

On PostgreSQL migration 0014 holds the rule for every login but the owner, reading the database's
own change log (``row_changes``), which no application role can write: a change made around jixiao
counts too. jixiao asks the same question of the same log, by login, so that it refuses exactly
what the database would (two people who share a display name are two logins; a change made with
psql is seen before ``pdf --sign`` signs a file). On SQLite, and for the owner, whom the trigger
exempts, the application's audit log and the evidence table are read by user name. Attaching
evidence is a change of the form's data (the signed PDF carries it; migration 0017 logs it). This module also turns the database's
refusal into the workflow's Chinese message.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from jixiao.storage.models import AuditRow, EvidenceRow
from jixiao.workflow import ACTIONS, FOUR_EYES, WorkflowError, check_four_eyes

#: audit actions that move a form without changing its data ("begin" moves a declaration on)
NOT_DATA = frozenset(ACTIONS) | {"begin"}
#: the columns whose change is not a change of the form's data: the NOT_DATA of migration 0014 and,
#: with the signing certificate, 0020 (tests/test_attacks_duties_more.py holds the lists together)
DB_NOT_DATA = (
    *("status", "version", "updated_at", "updated_by", "signed_at", "signed_by", "signature_sha256", "stage"),
    *("scores_trusted", "computed_rules", "computed_total", "computed_grade", "computed_rate"),
    *("computed_pending", "computed_problems", "agg_total_c", "agg_recorded_c", "agg_planned_u"),
    *("agg_executed_u", "agg_errors", "agg_warnings", "agg_infos", "agg_indicators"),
    *("computed_status", "computed_score", "agg_weight_u", "agg_score_u"),
    "signer_cert_sha256",
)
# The trigger's two questions (migration 0014), asked as the login: row_changes is readable for the
# forms a login can see, which are the forms it could approve or sign.
_DB_ACTORS = text(
    """SELECT session_user::text AS me,
       pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c
                                              WHERE c.oid = 'forms'::regclass), 'MEMBER') AS owner,
       (SELECT r.db_user FROM row_changes r
         WHERE r.form_id = :fid AND r.table_name = 'forms' AND r.op = 'UPDATE' AND r.after ->> 'status' = 'submitted'
         ORDER BY r.id DESC LIMIT 1) AS submitter,
       (SELECT r.db_user FROM row_changes r
         WHERE r.form_id = :fid AND (r.op <> 'UPDATE' OR EXISTS (
                 SELECT 1 FROM json_object_keys(r.after::json) k WHERE k <> ALL (CAST(:not_data AS text[]))))
         ORDER BY r.id DESC LIMIT 1) AS editor"""
)
#: how migration 0014's trigger says no (its message is English, like every database message)
DB_REFUSAL = "jixiao: four eyes"


def last_actors(s: Session, form_id: int) -> tuple[str | None, str | None]:
    """The actor of the form's latest submission and of its latest data change (None when there is none).

    Evidence attached to the form is a data change: the signed PDF carries it (migration 0017)."""
    latest = select(AuditRow.actor).where(AuditRow.form_id == form_id).order_by(AuditRow.id.desc()).limit(1)
    submitter = s.execute(latest.where(AuditRow.action == "submit")).scalar_one_or_none()
    edit = s.execute(
        select(AuditRow.actor, AuditRow.at)
        .where(AuditRow.form_id == form_id, AuditRow.action.not_in(NOT_DATA))
        .order_by(AuditRow.id.desc())
        .limit(1)
    ).first()
    attached = s.execute(
        select(EvidenceRow.actor, EvidenceRow.at)
        .where(EvidenceRow.form_id == form_id)
        .order_by(EvidenceRow.id.desc())
        .limit(1)
    ).first()
    if attached is not None and (edit is None or _utc(attached.at) >= _utc(edit.at)):
        return submitter, attached.actor
    return submitter, edit.actor if edit is not None else None


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite keeps UTC without its zone


def deciding_actors(s: Session, form_id: int, actor: str) -> tuple[str | None, str | None]:
    """The form's latest submitter and data editor as the rule sees them: on PostgreSQL, for a login
    other than the owner, ``actor`` when it is this login (the login decides, as the database's
    triggers do; the name only says it); elsewhere the audit log's names."""
    if s.get_bind().dialect.name == "postgresql":
        me, owner, sub, ed = s.execute(_DB_ACTORS, {"fid": form_id, "not_data": list(DB_NOT_DATA)}).one()
        if not owner:
            return (actor if sub == me else None), (actor if ed == me else None)
    return last_actors(s, form_id)


def check(s: Session, form_id: int, action: str, actor: str) -> None:
    """WorkflowError when ``actor`` may not take ``action`` on the form: they submitted or last changed it."""
    if action in FOUR_EYES:
        check_four_eyes(action, actor, *deciding_actors(s, form_id, actor))


def refusal(exc: DBAPIError, action: str, actor: str) -> WorkflowError | None:
    """The workflow's message for the database's four-eyes refusal; None for any other error."""
    if DB_REFUSAL not in str(exc.orig):
        return None
    label = ACTIONS[action].label if action in ACTIONS else action
    return WorkflowError(
        f"不能{label}自己提交或修改的表单：数据库记录 {actor} 的登录名提交或最后修改了这份表单；"
        f"按四眼原则，须由另一位审核人{label}"
    )


def certificate_refusal(reason: str, certificate: str = "") -> WorkflowError | None:
    """The database's refusal of a signing certificate (migrations 0024, 0025), in Chinese, naming the
    login and the certificate's fingerprint; None for anything else."""
    cert = f"（SHA-256 {certificate[:16]}…）" if certificate else ""
    if "is registered to" in reason and "signing certificate" in reason:
        holder, _, rest = reason.split("is registered to ", 1)[1].partition(", not to ")
        signer = rest.splitlines()[0].strip() if rest else ""
        whose = "另一位用户" if holder == "another login" else f"用户「{holder}」"  # 0029: unnamed to who may not know
        return WorkflowError(
            f"不能签章：这张签章证书{cert}已登记给{whose}，不是登录名「{signer}」的；请用登记在你名下的证书签章"
        )
    if "signs only with the certificate registered to it" in reason:
        login = reason.split(" signs only with", 1)[0].rsplit(" ", 1)[-1]
        return WorkflowError(
            f"不能签章：登录名「{login}」已登记签章证书，只能用它签章；这张证书{cert}不是登记的那张"
            "（管理员：jixiao users cert）"
        )
    if "has no signing certificate registered" in reason:
        login = reason.split(" has no signing certificate registered", 1)[0].rsplit(" ", 1)[-1]
        return WorkflowError(
            f"不能签章：登录名「{login}」没有登记签章证书，本数据库已启用证书登记，不能用未登记的证书{cert}签章"
            f"（管理员：jixiao users cert {login} 证书文件）"
        )
    return None
