"""The form workflow: draft → submitted → returned or approved → signed.

Pure rules with Chinese messages; the storage adapter enforces them in a
transaction, and (issue 8) PostgreSQL enforces them again for direct SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scorer.errors import JixiaoError


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.DRAFT: "草稿",
    State.SUBMITTED: "已提交",
    State.RETURNED: "已退回",
    State.APPROVED: "已审核",
    State.SIGNED: "已签章",
}


class Stage(StrEnum):
    """Where a form is in its year: a target declaration until its approval begins the self-evaluation."""

    DECLARATION = "declaration"
    EVALUATION = "evaluation"

    @property
    def label(self) -> str:
        return "目标申报" if self is Stage.DECLARATION else "绩效自评"


EDITABLE = frozenset({State.DRAFT, State.RETURNED})


class WorkflowError(JixiaoError, ValueError):
    """An action the workflow forbids in the form's current state."""


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    label: str
    sources: frozenset[State]
    target: State
    needs_comment: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("submit", "提交", frozenset({State.DRAFT, State.RETURNED}), State.SUBMITTED),
        Action("return", "退回", frozenset({State.SUBMITTED}), State.RETURNED, needs_comment=True),
        Action("approve", "审核通过", frozenset({State.SUBMITTED}), State.APPROVED),
        Action("sign", "签章", frozenset({State.APPROVED}), State.SIGNED),
        Action(
            "reopen",
            "重新打开",
            frozenset({State.SUBMITTED, State.APPROVED, State.SIGNED, State.RETURNED}),
            State.DRAFT,
            needs_comment=True,
        ),
    )
}


def transition(current: str, action: str, comment: str = "") -> State:
    """The state after ``action``, or WorkflowError saying why not."""
    if action not in ACTIONS:
        raise WorkflowError(
            f"未知操作「{action}」；可用：{'、'.join(a.label + '(' + a.name + ')' for a in ACTIONS.values())}"
        )
    a = ACTIONS[action]
    state = State(current)
    if state not in a.sources:
        allowed = "、".join(s.label for s in State if s in a.sources)
        raise WorkflowError(f"表单当前为「{state.label}」，不能{a.label}；只有{allowed}的表单可以{a.label}")
    if a.needs_comment and not comment.strip():
        raise WorkflowError(f"{a.label}需要填写理由")
    return a.target


def check_editable(current: str) -> None:
    state = State(current)
    if state not in EDITABLE:
        hint = (
            "；已签章的表单需先「重新打开」（签章将失效）"
            if state is State.SIGNED
            else "；需审核人退回或重新打开后才能修改"
        )
        raise WorkflowError(f"表单当前为「{state.label}」，只读，不能修改{hint}")


#: the actions a second person must take: whoever submitted or last changed a form may not (四眼原则)
FOUR_EYES = frozenset({"approve", "sign"})


def check_four_eyes(action: str, actor: str, submitter: str | None, editor: str | None) -> None:
    """WorkflowError when ``actor`` submitted the form (its latest submission) or last changed its data
    and ``action`` is one a second person must take (migration 0014 holds the same on PostgreSQL)."""
    if action not in FOUR_EYES:
        return
    did = [what for who, what in ((submitter, "提交"), (editor, "最后修改")) if who and who == actor]
    if did:
        label = ACTIONS[action].label
        raise WorkflowError(
            f"不能{label}自己提交或修改的表单：{actor} {'并'.join(did)}了这份表单；按四眼原则，须由另一位审核人{label}"
        )
