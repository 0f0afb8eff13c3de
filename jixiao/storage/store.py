"""The form store: the only door to the database for the rest of jixiao.

It speaks in domain objects (Form, StoredForm, FormSummary), records every
change in the append-only audit log, enforces the workflow, and refuses to
overwrite someone else's change (optimistic locking on a version counter).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, or_, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from jixiao.formdiff import Change, diff
from jixiao.scoring import BUILTIN, score_with_its_rules
from jixiao.sheet_update import update_from_sheet
from jixiao.storage import declarations, duties, row_lock
from jixiao.storage.convert import clear_children, fill_computed, fill_row, to_form
from jixiao.storage.models import AuditRow, EvidenceRow, FormRow, GoalRow, RecheckRow
from jixiao.storage.queries import StoreQueries
from jixiao.storage.records import (
    ACTION_LABELS,
    ConflictError,
    FormSummary,
    HistoryEntry,
    ImportOutcome,
    NotFound,
    StoredForm,
    StoreError,
    _aware,
    _now,
    current_actor,
    form_key,
    stored_stage,
    stored_state,
)
from jixiao.storage.renames import renamed_from
from jixiao.storage.rescore import BATCH, Progress, rescore
from jixiao.storage.validate import (
    MAX_AUDIT_CHARS,
    MAX_TEXT_CHARS,
    check_import,
    finding_counts,
    inconsistency,
    integrity_error,
    unstorable,
    validate_for_storage,
    write_error,
)
from jixiao.workflow import Stage, State, WorkflowError, check_editable, transition
from scorer.model import Form
from scorer.result import FormResult
from scorer.rules import rules_name_for

#: the audit label of a form's first row, whichever path created it
CREATED_LABEL = "创建表单"


@dataclass(frozen=True, slots=True)
class _Mode:
    """How one form of an import is written (see ``FormStore.import_forms``)."""

    action: str
    stage: Stage
    strict: bool
    held: frozenset[str] | None
    no_update: str


class FormStore(StoreQueries):
    """Forms in a real database; every method is one transaction."""

    def __init__(self, engine: Engine, actor: str | None = None, catalog: object | None = None) -> None:
        self.engine = engine
        self.actor = actor or current_actor()
        self.catalog = catalog if catalog is not None else BUILTIN

    # ------------------------------------------------------------- reading

    def _load(self, s: Session, form_id: int) -> FormRow:
        row = s.execute(
            select(FormRow)
            .where(FormRow.id == form_id)
            .options(selectinload(FormRow.goals).selectinload(GoalRow.indicators))
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"没有编号为 {form_id} 的表单")
        return row

    def _stored(self, row: FormRow, form: Form | None = None) -> StoredForm:
        """A StoredForm for a row; pass ``form`` when the caller already holds it."""
        return StoredForm(
            id=row.id,
            form=form if form is not None else to_form(row),
            status=stored_state(row.status),
            version=row.version,
            created_at=_aware(row.created_at) or _now(),
            updated_at=_aware(row.updated_at) or _now(),
            updated_by=row.updated_by,
            signed_at=_aware(row.signed_at),
            signed_by=row.signed_by,
            signature_sha256=row.signature_sha256,
            stage=stored_stage(row.stage),
            signer_cert_sha256=row.signer_cert_sha256,
        )

    def get(self, form_id: int) -> StoredForm:
        if not 0 < form_id < 2**31:  # the id column is a 32-bit integer
            raise NotFound(f"没有编号为 {form_id} 的表单")
        with Session(self.engine) as s:
            return self._stored(self._load(s, form_id))

    def find(self, ref: str) -> StoredForm:
        """A form by id, by year/unit/project, or by a unique part of its name."""
        ref = ref.strip()
        if unstorable(ref):  # nothing stored contains it; PostgreSQL would refuse the query
            raise NotFound(f"没有找到表单「{ref!r}」")
        if ref.isascii() and ref.isdigit():  # not "²".isdigit()
            if len(ref) >= 10:
                raise NotFound(f"没有编号为 {ref[:20]}{'…' if len(ref) > 20 else ''} 的表单")
            return self.get(int(ref))
        with Session(self.engine) as s:
            q = select(FormRow.id, FormRow.year, FormRow.implementing_unit, FormRow.project_name)
            parts = ref.split("/")
            if len(parts) == 3 and parts[0].isascii() and parts[0].isdigit() and len(parts[0]) <= 6:
                q = q.where(
                    FormRow.year == int(parts[0]),
                    FormRow.implementing_unit == parts[1],
                    FormRow.project_name == parts[2],
                )
            else:
                q = q.where(or_(FormRow.project_name == ref, FormRow.project_name.contains(ref, autoescape=True)))
            rows = s.execute(q.order_by(FormRow.year.desc(), FormRow.id)).all()
        exact = [r for r in rows if r.project_name == ref]
        rows = exact if len(exact) == 1 else rows
        if not rows:
            raise NotFound(f"没有找到表单「{ref}」；可用编号、项目名称或 年度/实施单位/项目名称 指定")
        if len(rows) > 1:
            listing = "；".join(f"{r.id}: {r.year}/{r.implementing_unit}/{r.project_name}" for r in rows[:10])
            raise StoreError(f"「{ref}」匹配到 {len(rows)} 份表单，请用编号指定：{listing}")
        return self.get(rows[0].id)

    # ------------------------------------------------------------- writing

    def score(self, form: Form) -> FormResult:
        return score_with_its_rules(form, self.catalog)  # type: ignore[arg-type]

    def _audit(
        self, s: Session, row: FormRow, action: str, changes: Iterable[Change] = (), reason: str = "", version: int = 0
    ) -> None:
        bad = unstorable(reason) or unstorable(self.actor)
        if bad:
            raise StoreError(f"理由或操作人中含有{bad}，无法写入修改记录")
        if len(reason) > MAX_AUDIT_CHARS:  # the database's cap on audit texts (migration 0039)
            raise StoreError(f"理由过长（{len(reason)} 字，上限 {MAX_AUDIT_CHARS} 字），未写入")
        at = _now()
        key = f"{row.year}/{row.implementing_unit}/{row.project_name}"
        entries = [
            AuditRow(
                form_id=row.id,
                form_key=key,
                at=at,
                actor=self.actor,
                action=action,
                field=c.field,
                label=c.label,
                before=c.before,
                after=c.after,
                reason=c.reason or reason,
                version=version,
            )
            for c in changes
        ]
        if not entries:
            entries = [
                AuditRow(
                    form_id=row.id, form_key=key, at=at, actor=self.actor, action=action, reason=reason, version=version
                )
            ]
        s.add_all(entries)

    def _write(self, s: Session, row: FormRow, form: Form) -> None:
        if row.id is not None and self.engine.dialect.name == "postgresql":
            clear_children(s, row)
        with s.no_autoflush:  # one UPDATE, one new version: not a flush when the old goals are loaded
            fill_row(row, form)
        result = self.score(form)
        fill_computed(row, result, finding_counts(result))
        row.updated_at = _now()
        row.updated_by = self.actor

    def create(
        self, form: Form, action: str = "create", reason: str = "", stage: Stage = Stage.EVALUATION
    ) -> StoredForm:
        validate_for_storage(form)
        try:
            with Session(self.engine) as s, s.begin():
                row = self._insert(s, form, action, reason, stage)
                s.flush()
                form_id = row.id
        except IntegrityError as exc:
            raise integrity_error(exc, form_key(form), f"无权限：数据库拒绝创建表单「{form_key(form)}」") from None
        return self.get(form_id)

    def _insert(
        self, s: Session, form: Form, action: str, reason: str = "", stage: Stage = Stage.EVALUATION
    ) -> FormRow:
        now = _now()
        row = FormRow(created_at=now, status=State.DRAFT.value, stage=stage.value)
        self._write(s, row, form)
        s.add(row)
        s.flush()
        self._audit(s, row, action, [Change("", CREATED_LABEL, None, form_key(form))], reason, version=row.version)
        return row

    def save(self, form_id: int, form: Form, expected_version: int, reason: str = "") -> StoredForm:
        """Save an edited form. ConflictError if it changed since ``expected_version``."""
        validate_for_storage(form)
        try:
            with Session(self.engine) as s, s.begin():
                row = self._load(s, form_id)
                if row.version != expected_version:
                    raise ConflictError(form_key(to_form(row)), row.updated_by, _aware(row.updated_at), row.version)
                check_editable(row.status)
                form = declarations.locked(s, row, form)
                changes = diff(to_form(row), form)
                if not changes:
                    return self._stored(row)
                self._write(s, row, form)
                s.flush()
                self._audit(s, row, "update", changes, reason, version=row.version)
                stored = self._stored(row, form)
        except StaleDataError:
            current = self.get(form_id)
            if current.version == expected_version:  # nobody else saved: the database refused the write
                raise StoreError(
                    f"无权限：数据库拒绝修改表单「{current.key}」（不属于你的单位，或已不是草稿/退回状态）"
                ) from None
            raise ConflictError(current.key, current.updated_by, current.updated_at, current.version) from None
        except IntegrityError as exc:
            raise integrity_error(exc, form_key(form), f"无权限：数据库拒绝修改表单「{form_key(form)}」") from None
        except DBAPIError as exc:
            if "permission denied" in str(exc.orig) or "no permission" in str(exc.orig):
                raise StoreError(f"无权限：数据库拒绝修改表单「{form_key(form)}」") from None
            raise row_lock.held(exc, self.engine, form_id) or exc from None
        return stored

    def import_forms(
        self,
        forms: Sequence[tuple[str, Form]],
        action: str = "import",
        strict: bool = True,
        stage: Stage = Stage.EVALUATION,
        holds: Mapping[str, frozenset[str]] | None = None,
        no_update: str = "",
    ) -> builtins.list[ImportOutcome]:
        """Create or update forms by identity (year + unit + project), all or nothing.

        ``strict`` refuses forms with unreadable cells (e.g. an unknown unit):
        files from outside must be clean before they enter the database. ``holds`` names, by
        source, the fields a platform sheet has: such a form updates only those of a stored one.
        ``no_update``, when given, is why a stored form that differs is refused, not updated.
        """
        check_import(forms, self.score if strict else None, declarations=stage is Stage.DECLARATION)
        out: list[ImportOutcome] = []
        current = ""
        try:
            with Session(self.engine) as s, s.begin():
                for source, form in forms:
                    current = f"{source}（{form_key(form)}）"
                    mode = _Mode(action, stage, strict, (holds or {}).get(source), no_update)
                    out.append(self._import_one(s, source, form, mode))
        except StaleDataError:
            raise StoreError("导入期间表单被他人修改，已全部撤销；请重试") from None
        except SQLAlchemyError as exc:
            raise write_error(
                exc,
                f"无权限：数据库拒绝写入 {current}（表单不属于你的单位，或已不是草稿/退回状态）；已全部撤销",
                f"写入数据库失败，已全部撤销：{current}",
            ) from None
        return out

    def _import_one(self, s: Session, source: str, form: Form, mode: _Mode) -> ImportOutcome:
        """Insert the form, or update the stored one of the same identity if it changed and may be edited
        (from a platform sheet, only the fields it holds)."""
        action, stage, held = mode.action, mode.stage, mode.held
        existing = s.execute(
            select(FormRow)
            .where(
                FormRow.year == form.year,
                FormRow.implementing_unit == form.implementing_unit,
                FormRow.project_name == form.project_name,
            )
            .options(selectinload(FormRow.goals).selectinload(GoalRow.indicators))
        ).scalar_one_or_none()
        if existing is None:
            if renamed := renamed_from(s, form, stage):  # the same rows under another 项目名称
                raise StoreError(f"{source}：{renamed}")
            row = self._insert(s, form, action, f"来自 {source}", stage)
            rules = rules_name_for(form) if held is not None else ""
            return ImportOutcome(source, row.id, form_key(form), "created", 0, sheet_rules=rules)
        if existing.stage != stage.value:
            raise StoreError(
                f"{source}：{form_key(form)}：数据库中这份表单处于「{Stage(existing.stage).label}」阶段，"
                f"不能作为{stage.label}表导入"
            )
        stored = to_form(existing)
        if held is not None:
            form = update_from_sheet(stored, form, held)
            check_import([(source, form)], self.score if mode.strict else None, mode.stage is Stage.DECLARATION)
        try:
            form = declarations.locked(s, existing, form)
        except StoreError as exc:
            raise StoreError(f"{source}：{exc}") from None
        changes = diff(stored, form)
        if not changes:
            return ImportOutcome(source, existing.id, form_key(form), "unchanged", 0)
        if mode.no_update:
            raise StoreError(f"{source}：{form_key(form)}：{mode.no_update}")
        try:
            check_editable(existing.status)
        except WorkflowError as exc:
            raise StoreError(f"{source}：{form_key(form)}：{exc}") from None
        self._write(s, existing, form)
        s.flush()
        self._audit(s, existing, action, changes, f"来自 {source}", version=existing.version)
        return ImportOutcome(source, existing.id, form_key(form), "updated", len(changes), held is not None)

    def transition(
        self, form_id: int, action: str, comment: str = "", expected_version: int | None = None
    ) -> StoredForm:
        """Submit / return / approve / sign / reopen, recorded in the audit log."""
        try:
            with Session(self.engine) as s, s.begin():
                row = self._load(s, form_id)
                if len(comment) > MAX_TEXT_CHARS:  # a person's text, as any other free text of a form
                    raise StoreError(
                        f"{form_key(to_form(row))}：理由过长（{len(comment)} 字，上限 {MAX_TEXT_CHARS} 字），未写入"
                    )
                if expected_version is not None and row.version != expected_version:
                    raise ConflictError(form_key(to_form(row)), row.updated_by, _aware(row.updated_at), row.version)
                before = row.status
                after = transition(before, action, comment)
                if action in ("submit", "approve"):
                    self._refuse_inconsistent(row, action)
                duties.check(s, form_id, action, self.actor)
                row.status = after.value
                row.updated_at = _now()
                row.updated_by = self.actor
                if action == "reopen" and before == State.SIGNED.value:
                    comment = f"{comment}（签章已失效：原签章人 {row.signed_by}）"
                    row.set_signature(None)
                s.flush()
                self._audit(
                    s,
                    row,
                    action,
                    [Change("status", "状态", State(before).label, after.label)],
                    comment,
                    version=row.version,
                )
        except StaleDataError:
            current = self.get(form_id)
            raise ConflictError(current.key, current.updated_by, current.updated_at, current.version) from None
        except DBAPIError as exc:  # the database's four-eyes check (migration 0014), said as the workflow says it
            raise duties.refusal(exc, action, self.actor) or row_lock.held(exc, self.engine, form_id) or exc from None
        return self.get(form_id)

    def _refuse_inconsistent(self, row: FormRow, action: str) -> None:
        """A form whose written 总分 is not the sum of its rows (issue 15), or whose weights add up to
        more than the rule set's total, is not passed on."""
        why = inconsistency(self.score(to_form(row)))
        if why:
            raise WorkflowError(f"不能{ACTION_LABELS.get(action, action)}：{why}")

    def mark_signed(self, form_id: int, signer: str, sha256: str, certificate: str | None = None) -> StoredForm:
        """Move the form to 已签章; ``certificate``: the signing certificate's SHA-256 (for ``verify``)."""
        try:
            return self._mark_signed(form_id, signer, sha256, certificate)
        except DBAPIError as exc:
            raise (
                duties.refusal(exc, "sign", self.actor)
                or duties.certificate_refusal(str(exc.orig), certificate or "")
                or row_lock.held(exc, self.engine, form_id)
                or exc
            ) from None

    def signing_refusal(self, certificate: str) -> str:
        """Why this login may not sign with ``certificate`` (its SHA-256), in Chinese; "" when it may.
        Asked before anything is signed: on PostgreSQL the database would refuse the signature (0024)."""
        if self.engine.dialect.name != "postgresql":
            return ""
        with self.engine.connect() as conn:
            why = conn.execute(text("SELECT jixiao_may_sign_with(:c)"), {"c": certificate}).scalar()
        refused = duties.certificate_refusal(why or "", certificate)
        return str(refused) if refused else ""

    def certificate_holder(self, certificate: str) -> tuple[str, str] | None:
        """(login, name) of the user ``certificate`` (its SHA-256) is registered to, or None (0024)."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                row = conn.execute(text("SELECT login, name FROM jixiao_certificate_holder(:c)"), {"c": certificate})
            else:
                row = conn.execute(text("SELECT login, name FROM app_users WHERE cert_sha256 = :c"), {"c": certificate})
            found = row.first()
        return (str(found[0]), str(found[1])) if found else None

    def may(self, form_id: int, action: str, certificate: str = "") -> None:
        """WorkflowError when this store's actor may not take ``action`` on the form (before a PDF is
        signed); with ``certificate``, also when this login may not sign with it (migration 0024)."""
        with Session(self.engine) as s:
            transition(self._load(s, form_id).status, action, "-")
            duties.check(s, form_id, action, self.actor)
        why = self.signing_refusal(certificate) if certificate else ""
        if why:
            raise WorkflowError(why)

    def _mark_signed(self, form_id: int, signer: str, sha256: str, certificate: str | None) -> StoredForm:
        with Session(self.engine) as s, s.begin():
            row = self._load(s, form_id)
            after = transition(row.status, "sign")
            self._refuse_inconsistent(row, "sign")
            duties.check(s, form_id, "sign", self.actor)
            before = row.status
            row.status = after.value
            row.set_signature(_now(), signer, sha256, certificate)
            row.updated_at = _now()
            row.updated_by = self.actor
            s.flush()
            self._audit(
                s,
                row,
                "sign",
                [Change("status", "状态", State(before).label, after.label)],
                f"签章人：{signer}；SHA-256 {sha256}" + (f"；签章证书 SHA-256 {certificate}" if certificate else ""),
                version=row.version,
            )
        return self.get(form_id)

    def rescore(
        self, only_missing: bool = True, batch: int = BATCH, jobs: int | None = 1, progress: Progress | None = None
    ) -> int:
        """Recompute the stored verdicts (after a rule-set change, an upgrade of jixiao, a migration).

        ``only_missing``: those missing, untrusted, or computed by another jixiao (``verdict_stamp``).
        Not a change to the form: no audit entry, no new version. See ``jixiao.storage.rescore``.
        """
        return rescore(self.engine, self.catalog, only_missing, batch, jobs, progress)

    def delete(self, form_id: int, reason: str) -> None:
        if not reason.strip():
            raise StoreError("删除表单需要填写理由")
        with Session(self.engine) as s, s.begin():
            row = self._load(s, form_id)
            check_editable(row.status)
            rechecked = s.execute(select(func.count()).where(RecheckRow.form_id == form_id)).scalar_one()
            if rechecked:  # the database would refuse too (a 复核 outlives no form); say why first
                raise StoreError(
                    f"表单「{form_key(to_form(row))}」已有 {rechecked} 条复核记录，不能删除；可修改后重新提交"
                )
            if declarations.read_approval(s, form_id) is not None:  # the database would refuse too
                raise StoreError(f"表单「{form_key(to_form(row))}」的绩效目标已审核锁定，不能删除")
            if s.execute(select(func.count()).where(EvidenceRow.form_id == form_id)).scalar_one():
                raise StoreError(f"表单「{form_key(to_form(row))}」已附佐证材料（保留不删），不能删除")
            self._audit(
                s, row, "delete", [Change("", "删除表单", form_key(to_form(row)), None)], reason, version=row.version
            )
            if self.engine.dialect.name == "postgresql":
                s.flush()
                s.expunge_all()
                s.execute(text("SELECT jixiao_delete_form(:id)"), {"id": form_id})
            else:
                s.delete(row)


# What other modules and the tests take from the store (the records and validation live beside it).
__all__ = [
    "CREATED_LABEL",
    "check_import",
    "ACTION_LABELS",
    "MAX_TEXT_CHARS",
    "ConflictError",
    "FormStore",
    "FormSummary",
    "HistoryEntry",
    "ImportOutcome",
    "NotFound",
    "StoreError",
    "StoredForm",
    "current_actor",
    "finding_counts",
    "form_key",
    "unstorable",
    "validate_for_storage",
]
