"""The 绩效自评情况说明 drafted from the forms, in the structure departments publish (the seed's 十三).

Every figure is taken from the forms, so the draft passes ``check_narrative`` as written; the
department edits the words (the 结果应用 section is left for it to fill in) and checks again
with ``jixiao check-disclosure``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from scorer import numbers as fmt
from scorer.model import Budget, FormKind
from scorer.result import FormResult

ORDINALS = "一二三四五六七八九十"
OUTPUTS = 4  # 主要产出和效益 named per project


def _wan(value: Decimal) -> str:
    """An amount as the form states it, to the last digit (26.1045 万元 is 261,045 元: rounded to
    26.1 the draft contradicted its own form); 1,507.67 万元; 100 万元, not 100.00."""
    return f"{value.normalize():,f}"


def _money_said(b: Budget, planned: str, executed: str, rate: str) -> str:
    """The 预算数/执行数 clause: an amount the form does not state is said so, never written as 0."""
    if b.planned is not None and b.executed is not None:
        return (
            f"{planned}{_wan(b.planned)}万元，{executed}{_wan(b.executed)}万元，{rate}{_rate(b.planned, b.executed)}%"
        )
    if b.planned is not None:
        return f"{planned}{_wan(b.planned)}万元，表中未填执行数"
    if b.executed is not None:
        return f"表中未填预算数，{executed}{_wan(b.executed)}万元"
    return "表中未填预算数和执行数"


def _rate(planned: Decimal | None, executed: Decimal | None) -> str:
    if not planned or executed is None:
        return "—"
    return f"{fmt.q2(executed / planned * 100).normalize():f}"


def _outputs(result: FormResult) -> str:
    rows = [r.indicator for r in result.indicators if r.indicator.actual.strip()]
    rows = [i for i in rows if i.level1.startswith(("产出", "效益"))] or rows
    said = [f"{ORDINALS[k]}是{i.name}{i.actual.strip()}" for k, i in enumerate(rows[:OUTPUTS])]
    return "；".join(said) or "（表中未填实际完成值）"


def _project(n: int, result: FormResult) -> str:
    f, b = result.form, result.form.budget
    text = (
        f"{n}.{f.project_name}项目绩效自评综述：{_money_said(b, '项目全年预算数为', '执行数为', '完成预算的')}。"
        f"主要产出和效益是：{_outputs(result)}。"
    )
    if result.total_recorded is not None:
        text += f"自评得分{fmt.score(result.total_recorded)}分，"
    text += f"按规则集评分{fmt.score(result.total_computed)}分，{result.grade}。"
    if f.deviation_analysis.strip() not in ("", "无"):
        text += f"发现的问题及原因：{_sentence(f.deviation_analysis)}"
    return text + f"下一步改进措施：{_sentence(f.improvement_measures or '无')}"


def _sentence(text: str) -> str:
    """A narrative as one sentence of the 综述: its own final stop kept, one added where it has none."""
    text = " ".join(text.split()).rstrip("。；;，, ")
    return f"{text}。"


def draft_narrative(results: Sequence[FormResult], year: int) -> str:
    """The four sections, figures from ``results`` (project and department forms of one department)."""
    projects = [r for r in results if r.form.form_kind is FormKind.PROJECT]
    departments = [r for r in results if r.form.form_kind is FormKind.DEPARTMENT]
    money = sum((r.form.budget.planned or Decimal(0) for r in projects), Decimal(0))
    grades = Counter(r.grade for r in projects)
    spread = "、".join(f"{g} {n} 个" for g, n in grades.items())
    opening = f"根据预算绩效管理要求，我部门组织对{year}年度一般公共预算项目支出全面开展绩效自评，共涉及项目{len(projects)}个，资金{_wan(money)}万元"
    base = next((r.form.budget.project_expenditure for r in departments if r.form.budget.project_expenditure), None)
    if base:
        opening += f"，占项目支出总额{_wan(base)}万元的{_rate(base, money)}%"
    lines = [
        "十三、预算绩效情况说明",
        "",
        "(一)预算绩效管理工作开展情况",
        "",
        opening + f"。按规则集评分：{spread or '无'}。",
        "",
    ]
    lines += ["(二)部门(单位)整体支出自评结果", ""]
    for r in departments:
        b = r.form.budget
        units = len({x.form.implementing_unit for x in results})
        lines.append(
            f"我部门组织对{units}个单位开展整体支出绩效自评，{_money_said(b, '资金', '执行数', '执行率')}；"
            f"按规则集评分{fmt.score(r.total_computed)}分，{r.grade}。"
        )
    if not departments:
        lines.append("（本部门未开展整体支出绩效自评。）")
    lines += [
        "",
        "(三)项目支出自评结果",
        "",
        f"我部门在{year}年度部门决算中反映所有项目绩效自评结果，共涉及{len(projects)}个项目。",
        "",
    ]
    for n, r in enumerate(projects, start=1):
        lines += [_project(n, r), ""]
    lines += ["(四)绩效自评结果应用情况", "", "（请填写：自评结果如何用于下年度预算安排、政策调整和管理改进。）", ""]
    return "\n".join(lines)
