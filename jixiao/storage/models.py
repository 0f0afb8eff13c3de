"""SQLAlchemy 2 models. Only the storage adapter sees these rows; everything
else works with the engine's frozen domain objects (see convert.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from jixiao.storage.types import ExactDecimal


class Base(DeclarativeBase):
    pass


class FormRow(Base):
    """One self-evaluation form: header, tick boxes, budget block, narratives, sign-off."""

    __tablename__ = "forms"
    __table_args__ = (
        UniqueConstraint("year", "implementing_unit", "project_name", name="uq_forms_identity"),
        Index("ix_forms_department", "year", "department"),
        Index("ix_forms_unit", "year", "implementing_unit"),
        # the few forms whose verdict the database does not vouch for (migration 0011): the review asks first
        Index(
            "ix_forms_doubtful",
            "id",
            postgresql_where=text("NOT scores_trusted"),
            sqlite_where=text("NOT scores_trusted"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(200), default="")
    implementing_unit: Mapped[str] = mapped_column(String(200))
    project_name: Mapped[str] = mapped_column(String(300))
    form_kind: Mapped[str] = mapped_column(String(20), default="project")
    rules: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), default="")
    ticks_category: Mapped[list[str]] = mapped_column(JSON, default=list)
    ticks_attribute: Mapped[list[str]] = mapped_column(JSON, default=list)
    ticks_project_type: Mapped[list[str]] = mapped_column(JSON, default=list)

    budget_label: Mapped[str] = mapped_column(String(100), default="年度财政资金总额")
    budget_planned: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_executed: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_rate_text: Mapped[str] = mapped_column(String(50), default="")
    budget_initial: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_weight: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_score: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_score_reason: Mapped[str] = mapped_column(Text, default="")
    budget_fiscal: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_carryover: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_other: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    basic_expenditure: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    project_expenditure: Mapped[Decimal | None] = mapped_column(ExactDecimal)

    total_recorded: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    deviation_analysis: Mapped[str] = mapped_column(Text, default="")
    improvement_measures: Mapped[str] = mapped_column(Text, default="")

    signoff_preparer: Mapped[str] = mapped_column(String(100), default="")
    signoff_reviewer: Mapped[str] = mapped_column(String(100), default="")
    signoff_unit_head: Mapped[str] = mapped_column(String(100), default="")
    signoff_finance_head: Mapped[str] = mapped_column(String(100), default="")
    signoff_project_lead: Mapped[str] = mapped_column(String(100), default="")
    signoff_contact: Mapped[str] = mapped_column(String(100), default="")
    signoff_phone: Mapped[str] = mapped_column(String(50), default="")
    signoff_date: Mapped[str] = mapped_column(String(50), default="")

    # workflow and concurrency
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # 目标申报 (declaration) until an approved declaration begins its self-evaluation (migration 0009)
    stage: Mapped[str] = mapped_column(String(20), default="evaluation", server_default="evaluation")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by: Mapped[str] = mapped_column(String(200), default="")
    signature_sha256: Mapped[str] = mapped_column(String(64), default="")
    # the SHA-256 of the signing certificate (DER), lower-case hex; NULL for forms signed before migration 0020
    signer_cert_sha256: Mapped[str | None] = mapped_column(String(64))

    # the engine's result at the last save, for listing and review in SQL
    computed_rules: Mapped[str] = mapped_column(String(100), default="")
    computed_total: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    computed_grade: Mapped[str] = mapped_column(String(10), default="")
    computed_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    computed_pending: Mapped[int] = mapped_column(Integer, default=0)
    computed_problems: Mapped[int] = mapped_column(Integer, default=0)
    # exact integers for aggregation in SQL on every back end (SQLite has no decimal SUM):
    # totals in hundredths of a point, money in millionths of 万元 (= 0.01 元)
    agg_total_c: Mapped[int | None] = mapped_column(BigInteger)
    agg_recorded_c: Mapped[int | None] = mapped_column(BigInteger)
    agg_planned_u: Mapped[int | None] = mapped_column(BigInteger)
    agg_executed_u: Mapped[int | None] = mapped_column(BigInteger)
    agg_errors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    agg_warnings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    agg_infos: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    agg_indicators: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # false when someone other than a trusted writer changed the form (migration 0004):
    # readers then recompute the verdict instead of believing the stored one
    scores_trusted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    goals: Mapped[list[GoalRow]] = relationship(
        back_populates="form", cascade="all, delete-orphan", order_by="GoalRow.position"
    )

    __mapper_args__ = {"version_id_col": version}

    def set_signature(
        self, at: datetime | None, by: str = "", sha256: str = "", certificate: str | None = None
    ) -> None:
        """Record the signature: when, the 签章人, the form's fingerprint, the signing certificate's SHA-256
        (``at`` None clears it, as a reopening does)."""
        self.signed_at, self.signed_by, self.signature_sha256, self.signer_cert_sha256 = at, by, sha256, certificate


class GoalRow(Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal | None] = mapped_column(ExactDecimal)

    form: Mapped[FormRow] = relationship(back_populates="goals")
    indicators: Mapped[list[IndicatorRow]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="IndicatorRow.position"
    )


class IndicatorRow(Base):
    __tablename__ = "indicators"
    __table_args__ = (Index("ix_indicators_level1", "level1"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    level1: Mapped[str] = mapped_column(String(50), default="")
    level2: Mapped[str] = mapped_column(String(50), default="")
    name: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(Text, default="")
    actual: Mapped[str] = mapped_column(Text, default="")
    adjusted_target: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    recorded_score: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    recorded_reason: Mapped[str] = mapped_column(Text, default="")
    deviation: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str] = mapped_column(String(20), default="")
    computed_status: Mapped[str] = mapped_column(String(20), default="")
    computed_score: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    agg_weight_u: Mapped[int | None] = mapped_column(BigInteger)  # 万分之一分
    agg_score_u: Mapped[int | None] = mapped_column(BigInteger)

    goal: Mapped[GoalRow] = relationship(back_populates="indicators")
    uid: Mapped[str | None] = mapped_column(String, index=True)  # stable identity (migration 0005)
    sub: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 子项 (migration 0006)
    form: Mapped[FormRow] = relationship()


class UnitRow(Base):
    """A budget unit (项目实施单位) and its 主管部门."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    department: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    """A person: 填报人 (filler, one unit), 审核人 (reviewer, a department or all), 管理员 (admin).

    On PostgreSQL ``login`` is the person's own database role, and row-level
    security reads this table; on SQLite the roles are advisory.
    """

    __tablename__ = "app_users"
    __table_args__ = (Index("ix_app_users_cert", "cert_sha256", unique=True),)  # one user's certificate

    login: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cert_sha256: Mapped[str | None] = mapped_column(String(64))  # the signing certificate (migration 0024)


class AuditRow(Base):
    """Append-only history: who changed what, when, before → after, and why."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_form", "form_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int | None] = mapped_column(Integer)  # kept after the form is deleted
    form_key: Mapped[str] = mapped_column(String(700))  # year/unit/project, readable forever
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    field: Mapped[str] = mapped_column(String(300), default="")
    label: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    # PostgreSQL fills in current_user (migration 0003); never set by the application
    db_user: Mapped[str | None] = mapped_column(String(63), server_default=FetchedValue())
    # the PostgreSQL transaction, linking the entry to its row_changes (migration 0004)
    txid: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())


class RowChange(Base):
    """A change to forms, goals or indicators, written by PostgreSQL's own triggers."""

    __tablename__ = "row_changes"
    __table_args__ = (Index("ix_row_changes_form", "form_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=FetchedValue())
    txid: Mapped[int | None] = mapped_column(BigInteger)
    db_user: Mapped[str] = mapped_column(String(63), server_default=FetchedValue())
    table_name: Mapped[str] = mapped_column(String(30))
    op: Mapped[str] = mapped_column(String(10))
    row_id: Mapped[int | None] = mapped_column(BigInteger)
    form_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class CertificateRegistration(Base):
    """Each registration of a user's signing certificate (NULL: cleared), append-only (migration 0026).

    Written by the database beside each change of ``app_users.cert_sha256``, stamped with the time and
    the login that made it; a renewed certificate leaves the old one here, so a form signed with it
    still counts as signed with its signer's own."""

    __tablename__ = "certificate_registrations"
    __table_args__ = (Index("ix_certificate_registrations_login", "login", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    login: Mapped[str] = mapped_column(String(63))
    cert_sha256: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=FetchedValue())
    registered_by: Mapped[str] = mapped_column(String(63), server_default=FetchedValue())


class RecheckRow(Base):
    """A reviewer's 复核 score of one indicator, kept beside the rule score and the unit's; append-only.

    On PostgreSQL the database stamps who and when and the indicator's name (migration 0007): a
    reviewer cannot write another's name, a filler cannot write a 复核 at all.
    """

    __tablename__ = "rechecks"
    __table_args__ = (Index("ix_rechecks_form", "form_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))  # no cascade: a 复核 outlives no form
    indicator_uid: Mapped[str] = mapped_column(String(64))
    indicator: Mapped[str] = mapped_column(String(300))
    score: Mapped[Decimal] = mapped_column(ExactDecimal)
    opinion: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    db_user: Mapped[str | None] = mapped_column(String(63), server_default=FetchedValue())


class SnapshotRow(Base):
    """A mid-year monitoring snapshot of a form (scorer.monitoring), as its file gave it; append-only.

    On PostgreSQL the unit's fillers write their own forms' snapshots and the database stamps who
    and when (migration 0008); a later snapshot of the same months is a new row, the latest counts.
    """

    __tablename__ = "monitoring"
    __table_args__ = (Index("ix_monitoring_form", "form_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))  # no cascade: the record outlives no form
    months: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    db_user: Mapped[str | None] = mapped_column(String(63), server_default=FetchedValue())


class ApprovedTargetRow(Base):
    """An indicator row as a reviewer approved it in a declaration; written only by the approval, append-only.

    The database copies the rows when a declaration becomes 已审核 (migration 0009); the latest
    approval of a form locks the rows of its self-evaluation.
    """

    __tablename__ = "approved_targets"
    __table_args__ = (Index("ix_approved_targets_form", "form_id", "approval"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))  # no cascade: a locked form is not deleted
    approval: Mapped[int] = mapped_column(Integer)  # the form's version when approved
    kind: Mapped[str] = mapped_column(String(10))  # indicator; goal (its weight); budget (the 预算执行 weight)
    goal_position: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    uid: Mapped[str | None] = mapped_column(String)
    level1: Mapped[str] = mapped_column(String(50))
    level2: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(Text)
    weight: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    sub: Mapped[bool] = mapped_column(Boolean)
    direction: Mapped[str] = mapped_column(String(20))
    approver: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    db_user: Mapped[str | None] = mapped_column(String(63))


class EvidenceRow(Base):
    """A file attached to a form or one of its rows; content-addressed, capped, append-only (migration 0010).

    On PostgreSQL the database computes ``size`` and ``sha256`` from ``data`` and stamps who and when.
    """

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_form", "form_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))  # no cascade: evidence outlives no form
    indicator_uid: Mapped[str] = mapped_column(String(64))  # "" for the whole form
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    db_user: Mapped[str | None] = mapped_column(String(63), server_default=FetchedValue())
