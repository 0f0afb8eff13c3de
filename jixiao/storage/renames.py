"""A form file whose rows are a stored form's, under another 项目名称: refused, never a second form.

A form is found by its year, unit and project name; its rows carry identities (``uid``) that the
files jixiao exports keep. Imported again after its 项目名称 was changed, such a file became a
second form beside the first, and the review summed the project's money and scores twice (60 万元
for a 30 万元 project). The rows say it is the same form, so the import refuses it and names the
stored one. A declaration and its self-evaluation, or one year's rows and the next's, share
identities by design: only a form of the same year, unit and stage is looked at.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jixiao.storage.models import FormRow, IndicatorRow
from jixiao.workflow import Stage
from scorer.model import Form


def renamed_from(conn: Any, form: Form, stage: Stage) -> str:
    """Why ``form`` may not be imported as a new form (its rows are those of a stored form of the same
    year, unit and stage under another name), or "" when it may."""
    uids = sorted({i.uid for g in form.goals for i in g.indicators if i.uid})
    if not uids:
        return ""
    q = (
        select(FormRow.id, FormRow.year, FormRow.implementing_unit, FormRow.project_name)
        .join(IndicatorRow, IndicatorRow.form_id == FormRow.id)
        .where(
            IndicatorRow.uid.in_(uids),
            FormRow.year == form.year,
            FormRow.implementing_unit == form.implementing_unit,
            FormRow.stage == stage.value,
            FormRow.project_name != form.project_name,
        )
        .order_by(FormRow.id)
        .limit(1)
    )
    found = conn.execute(q).first()
    if found is None:
        return ""
    key = f"{found.year}/{found.implementing_unit}/{found.project_name}"
    return (
        f"「{form.project_name}」的指标行就是已有表单 {key}（编号 {found.id}）的指标行（行标识 uid 相同），"
        "像是同一张表改了项目名称；作为新表单导入会把它的资金和得分算两次，未导入。"
        "若是改名，请在 jixiao 中修改原表单的项目名称；若确是另一个项目，请删去文件中各指标的 uid 后再导入"
    )
