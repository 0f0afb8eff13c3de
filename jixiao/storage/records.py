"""What the store gives back: a stored form, a list row, a history entry, an import's outcome; and its errors."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from jixiao.workflow import ACTIONS, Stage, State
from scorer.errors import JixiaoError
from scorer.model import Form


def form_key(form: Form) -> str:
    return f"{form.year}/{form.implementing_unit}/{form.project_name}"


class StoreError(JixiaoError, RuntimeError):
    """A storage operation that cannot be done; the message says why."""


class NotFound(StoreError):
    pass


class ConflictError(StoreError):
    """Someone else saved the form since it was loaded; nothing was written."""

    def __init__(self, form_key: str, by: str, at: datetime | None, version: int) -> None:
        self.by = by
        self.at = at
        self.version = version
        when = at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if at else "未知时间"
        super().__init__(
            f"保存冲突：表单「{form_key}」已被 {by or '他人'} 于 {when} 修改（当前版本 {version}）。"
            "您的修改没有写入，也没有丢失：请重新载入对方的版本后再合并您的修改。"
        )


def current_actor() -> str:
    """A configured name (JIXIAO_USER), else the operating-system user."""
    name = os.environ.get("JIXIAO_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StoredForm:
    id: int
    form: Form
    status: State
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str
    signed_at: datetime | None = None
    signed_by: str = ""
    signature_sha256: str = ""
    stage: Stage = Stage.EVALUATION
    signer_cert_sha256: str | None = None  # the signing certificate's SHA-256 (None: signed before it was kept)

    @property
    def key(self) -> str:
        return form_key(self.form)

    @property
    def editable(self) -> bool:
        return self.status in (State.DRAFT, State.RETURNED)


@dataclass(frozen=True, slots=True)
class FormSummary:
    """One line of the form list, read straight from the stored columns."""

    id: int
    year: int
    department: str
    implementing_unit: str
    project_name: str
    form_kind: str
    planned: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    total_computed: Decimal | None
    total_recorded: Decimal | None
    grade: str
    status: State
    problems: int  # the form's own checks (表内: errors, warnings and notes), as `check` and `review` count them
    pending: int
    version: int
    updated_at: datetime
    updated_by: str
    stage: Stage = Stage.EVALUATION


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    field: str
    label: str
    before: str | None
    after: str | None
    reason: str
    version: int
    db_user: str = ""  # the database login that made the change (PostgreSQL)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    source: str
    form_id: int
    key: str
    outcome: str  # created / updated / unchanged
    changes: int
    partial: bool = False  # updated from a platform sheet: only the fields it has
    sheet_rules: str = ""  # created from a platform sheet: the default rule set it is scored under


ACTION_LABELS = {
    "create": "创建",
    "update": "修改",
    "import": "导入",
    "delete": "删除",
    "sql": "数据库直接修改",
    "declare": "目标申报",
    "begin": "开始自评",
    "attach": "附上佐证材料",
    **{name: a.label for name, a in ACTIONS.items()},
}


def stored_state(value: str) -> State:
    """A form's stored status; one jixiao never writes (an edited SQLite file) is a clear error."""
    from jixiao.storage.types import stored_choice

    return stored_choice(State, value, "表单状态")


def stored_stage(value: str) -> Stage:
    from jixiao.storage.types import stored_choice

    return stored_choice(Stage, value, "表单阶段")
