"""Forms as the published 第六部分 附件 prints them: one tab-separated line per table row.

The layout is the seed's (a title, the project in brackets, the header rows, the tick boxes, the
budget block, one block per goal, the 总分 when the form has one, the two narratives); a row's
merged cells are empty cells, as a document's text gives them. ``jixiao.disclosure`` reads these
lines back to the same forms, which the tests hold it to.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from scorer.model import TICK_GROUPS, Form, FormKind, Indicator

BOX = {True: "■", False: "□"}  # ☑ is missing from common CJK fonts; the reader takes both


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _ticks(options: Sequence[str], ticked: Sequence[str]) -> str:
    return " ".join(f"{n}、{o} {BOX[o in ticked]}" for n, o in enumerate(options, start=1))


def _scored(form: Form) -> bool:
    return form.budget.recorded is not None or any(i.recorded is not None for i in form.indicators)


def project_lines(form: Form) -> list[str]:
    b, scored = form.budget, _scored(form)
    rows = [
        form.title or f"{form.year} 年度项目支出绩效自评表",
        f"({form.project_name})",
        f"项目名称\t\t{form.project_name}",
        f"主管部门\t\t{form.department}\t项目实施单位\t{form.implementing_unit}",
        f"项目类别\t\t{_ticks(TICK_GROUPS['category'], form.ticks.category)}",
        f"项目属性\t\t{_ticks(TICK_GROUPS['attribute'], form.ticks.attribute)}",
        f"项目类型\t\t{_ticks(TICK_GROUPS['project_type'], form.ticks.project_type)}",
    ]
    weight = f" ({_num(b.weight)}分)" if scored and b.weight is not None else ""
    head = f"预算执行情况 (万元){weight}\t\t\t预算数 (A)\t执行数 (B)\t执行率 (B/A)"
    cells = f"\t\t{b.label}\t{_num(b.planned)}\t{_num(b.executed)}\t{b.rate_text}"
    if scored:
        head += f"\t得分 ({_num(b.weight)}分*执行率)"
        cells += f"\t{_num(b.recorded.score) if b.recorded else ''}"
    rows += [head, cells]
    for n, goal in enumerate(form.goals, start=1):
        points = f" ({_num(goal.weight)}分)" if scored and goal.weight is not None else ""
        head = f"年度 绩效 目标 {n}{points}\t一级指标\t二级指标\t三级指标\t\t年初目标值 (A)\t实际完成值 (B)"
        rows.append(head + ("\t得分" if scored else ""))
        rows += _indicator_rows(goal.indicators, scored)
    if form.total_recorded is not None:
        rows.append(f"总分\t\t{_num(form.total_recorded)}分")
    rows.append(f"偏差大或目标未完成原因分析\t\t{form.deviation_analysis}")
    rows.append(f"改进措施及结果应用方案\t\t{form.improvement_measures}")
    return rows


def _indicator_rows(indicators: Sequence[Indicator], scored: bool, gap: str = "\t") -> list[str]:
    out, l1, l2 = [], None, None
    for ind in indicators:
        first = "" if ind.level1 == l1 else ind.level1
        second = "" if (ind.level1, ind.level2) == (l1, l2) else ind.level2
        l1, l2 = ind.level1, ind.level2
        line = f"\t{first}\t{second}\t{ind.name}\t{gap}{ind.target}\t{ind.actual}"
        if scored:
            line += f"\t{_num(ind.recorded.score) if ind.recorded else ''}"
        out.append(line)
    return out


def ordered(forms: Sequence[Form]) -> list[Form]:
    """As part 6 prints them: the department forms first, then the projects, the department's own unit first."""
    own = {f.implementing_unit for f in forms if f.form_kind is FormKind.DEPARTMENT}
    return sorted(
        forms,
        key=lambda f: (f.form_kind is not FormKind.DEPARTMENT, f.implementing_unit not in own, f.implementing_unit),
    )


def part6_lines(forms: Sequence[Form]) -> list[str]:
    """The forms in the order given (see ``ordered``); a blank line between forms."""
    out: list[str] = ["第六部分 附件", ""]
    for form in forms:
        out += (department_lines(form) if form.form_kind is FormKind.DEPARTMENT else project_lines(form)) + [""]
    return out


def department_lines(form: Form) -> list[str]:
    b = form.budget
    rows = [
        form.title or f"{form.year} 年度部门整体支出绩效自评表",
        "",
        f"单位名称\t\t{form.implementing_unit}",
        f"基本支出总额\t\t{_num(b.basic_expenditure)} 万元\t\t项目支出总额\t{_num(b.project_expenditure)} 万元",
        "预算执行情况 (万元)\t\t\t预算数 (A)\t执行数 (B)\t执行率 (B/A)",
        f"\t\t{b.label}\t{_num(b.planned)}\t{_num(b.executed)}\t{b.rate_text}",
    ]
    scored = _scored(form)
    for n, goal in enumerate(form.goals, start=1):
        rows.append(f"年度目标 {n}:\t\t{goal.text}")
        rows.append(
            "年度绩效指标\t一级指标\t二级指标\t三级指标\t年初目标值 (A)\t实际完成值 (B)" + ("\t得分" if scored else "")
        )
        rows += _indicator_rows(goal.indicators, scored, gap="")
    if form.total_recorded is not None:
        rows.append(f"总分\t\t{_num(form.total_recorded)}分")
    rows.append(f"偏差大或目标未完成原因分析\t\t{form.deviation_analysis}")
    rows.append(f"改进措施及结果应用方案\t\t{form.improvement_measures}")
    return rows
