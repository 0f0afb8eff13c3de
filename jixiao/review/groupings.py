"""How review groups and grades forms: the names the command line offers before anything is loaded."""

from __future__ import annotations

from jixiao.workflow import State

GRADES = ("优", "良", "中", "差")
GROUPINGS = {"unit": "实施单位", "department": "主管部门", "level1": "一级指标", "grade": "等级", "year": "年度"}

#: every workflow status, in its order: a review without --status counts them all
STATUSES = {s.value: s.label for s in State}

#: what the review's 错/警 count, said under every table that shows them
FLAGS_NOTE = (
    "错/警：各表单表内检查的错误/警告数（jixiao list 的「问题」是同一批检查，另计提示）；跨表问题另列，不计入"
    "（jixiao check --from-db 在各表单下分列「表内问题」与「跨表问题」）"
)


def statuses_counted(status: str | None) -> list[str]:
    """The statuses of the forms the review counts."""
    return [status] if status else list(STATUSES)


def statuses_line(status: str | None) -> str:
    """The review's header: which statuses it counts (drafts too, unless --status says otherwise)."""
    if status:
        return f"统计范围：仅{STATUSES[status]}的表单"
    return f"统计范围：全部状态（{'、'.join(STATUSES.values())}）"
