"""The two official layouts, each as a list of flowables: 湖北 and 财政部 (national)."""

from __future__ import annotations

from reportlab.platypus import Flowable, TableStyle

from jixiao.pdf.blocks import EMPTY, C, Grid, Row, Styles, plain_table
from jixiao.pdf.content import (
    Notes,
    _budget_score,
    _goal_sections,
    _grade_text,
    _indicator_rows,
    _total_cell,
    _weight_total,
    header_block,
    narrative_rows,
)
from jixiao.pdf.page import HEAD_BG, WIDTH
from scorer import numbers as fmt
from scorer.result import FormResult, Status

# ------------------------------------------------------------------ hubei


HUBEI_W = [62, 66, 78, 214, 112, 112, 44]
HUBEI_W = [*HUBEI_W, WIDTH - sum(HUBEI_W)]


def hubei_story(st: Styles, result: FormResult, notes: Notes) -> list[Flowable]:
    """湖北: header, 预算执行情况, one grid per 年度绩效目标, 总分, the narratives."""
    label_w = HUBEI_W[0] + HUBEI_W[1]
    return [
        header_block(st, result, label_w),
        _hubei_budget(st, result, notes, label_w),
        *_hubei_goals(st, result, notes),
        _total(st, result, notes, [label_w, sum(HUBEI_W[2:6]), HUBEI_W[6], HUBEI_W[7]]),
        plain_table(st, [label_w, WIDTH - label_w], narrative_rows(result.form)),
    ]


def _hubei_budget(st: Styles, result: FormResult, notes: Notes, label_w: float) -> Flowable:
    """预算执行情况（万元）（N分）: 预算数 / 执行数 / 执行率 / 得分, and the sub-rows."""
    br = result.budget
    b = result.form.budget
    bw = [label_w, 162, 120, 120, 110]
    bw.append(WIDTH - sum(bw))
    wtxt = fmt.weight(br.weight)
    rows = [
        Row(
            (
                C(f"预算执行情况（万元）\n（{wtxt}分）", "label"),
                EMPTY,
                C("预算数(A)", "head"),
                C("执行数(B)", "head"),
                C("执行率(B/A)", "head"),
                C(f"得分（{wtxt}分×执行率）", "head"),
            ),
        ),
        Row(
            (
                EMPTY,
                C(b.label, "center"),
                C(fmt.money(b.planned, "—"), "num"),
                C(fmt.money(b.executed, "—"), "num"),
                C(fmt.percent(br.rate, "—"), "num"),
                _budget_score(result, notes),
            )
        ),
    ]
    for label, value in (("其中：财政拨款", b.fiscal), ("上年结转", b.carryover), ("其他资金", b.other)):
        if value is not None:
            rows.append(Row((EMPTY, C(label, "center"), C(fmt.money(value), "num"), EMPTY, EMPTY, C("—", "num"))))
    t = plain_table(st, bw, rows)
    t.setStyle(TableStyle([("SPAN", (0, 0), (0, len(rows) - 1)), ("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
    return t


def _hubei_goals(st: Styles, result: FormResult, notes: Notes) -> list[Flowable]:
    """年度绩效目标 N（分值）: one indicator grid per goal, its text above."""
    form = result.form
    story: list[Flowable] = []
    many = len(form.goals) > 1
    for gi, goal in enumerate(form.goals, start=1):
        label = f"年度绩效目标 {gi}" if many else "年度绩效目标"
        if goal.weight is not None:
            label += f"（{fmt.weight(goal.weight)}分）"
        lead = []
        if goal.text:
            lead.append(
                Row((EMPTY, C("年度目标", "label"), C(goal.text), EMPTY, EMPTY, EMPTY, EMPTY, EMPTY), ((2, 7),))
            )
        header = [
            Row(
                (
                    EMPTY,
                    C("一级指标", "head"),
                    C("二级指标", "head"),
                    C("三级指标", "head"),
                    C("年初目标值(A)", "head"),
                    C("实际完成值(B)", "head"),
                    C("分值", "head"),
                    C("得分", "head"),
                ),
                head=True,
            )
        ]
        grid = Grid(
            HUBEI_W,
            _indicator_rows(result, gi, notes, deviation=False),
            header=header,
            lead=lead,
            side=label,
            side_more=label + "（续）",
            merge=(1, 2),
        )
        story.append(grid.table(st))

    return story


def _total(st: Styles, result: FormResult, notes: Notes, widths: list[float]) -> Flowable:
    """总分: the grade, the weights' total and the total score (an empty cell under any column after 得分)."""
    cells = (
        C("总分", "label"),
        C(_grade_text(result)),
        C(fmt.weight(_weight_total(result)), "num"),
        _total_cell(result, notes),
    )
    return plain_table(st, widths, [Row(cells + (EMPTY,) * (len(widths) - len(cells)))], heights=[22])


# ------------------------------------------------------------------ national


NAT_W = [46, 60, 68, 160, 92, 92, 38, 56]
NAT_W = [*NAT_W, WIDTH - sum(NAT_W)]


def _completion_summary(result: FormResult) -> str:
    counts = {s: 0 for s in Status}
    for r in result.scored:  # a parent (父项) is its sub-rows: counted through them
        counts[r.status] += 1
    parts = [f"共 {len(result.scored)} 项指标"]
    for s in (Status.MET, Status.PARTLY, Status.MISSED, Status.JUDGEMENT, Status.EMPTY, Status.INVALID):
        if counts[s]:
            parts.append(f"{s.label} {counts[s]} 项")
    return "，".join(parts) + "（据各指标实际完成值汇总）。"


def national_story(st: Styles, result: FormResult, notes: Notes) -> list[Flowable]:
    """财政部 annex: header, 项目资金, 年度总体目标, the indicator grid, 总分, the narratives."""
    label_w = NAT_W[0] + NAT_W[1]
    return [
        header_block(st, result, label_w),
        _national_funds(st, result, notes, label_w),
        _national_goals(st, result, label_w),
        _national_indicators(st, result, notes),
        _total(st, result, notes, [label_w, sum(NAT_W[2:6]), NAT_W[6], NAT_W[7], NAT_W[8]]),
        plain_table(st, [label_w, WIDTH - label_w], narrative_rows(result.form)),
    ]


def _national_funds(st: Styles, result: FormResult, notes: Notes, label_w: float) -> Flowable:
    """项目资金（万元）: 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分, and the sub-rows."""
    br = result.budget
    b = result.form.budget
    bw = [label_w, 146, 82, 82, 82, 62, 82]
    bw.append(WIDTH - sum(bw))
    rows = [
        Row(
            (
                C("项目资金（万元）", "label"),
                EMPTY,
                C("年初预算数", "head"),
                C("全年预算数", "head"),
                C("全年执行数", "head"),
                C("分值", "head"),
                C("执行率", "head"),
                C("得分", "head"),
            )
        ),
        Row(
            (
                EMPTY,
                C(b.label if b.label != "年度财政资金总额" else "年度资金总额", "center"),
                C(fmt.money(b.initial, "—"), "num"),
                C(fmt.money(b.planned, "—"), "num"),
                C(fmt.money(b.executed, "—"), "num"),
                C(fmt.weight(br.weight), "num"),
                C(fmt.percent(br.rate, "—"), "num"),
                _budget_score(result, notes),
            )
        ),
    ]
    for label, value in (("其中：当年财政拨款", b.fiscal), ("上年结转资金", b.carryover), ("其他资金", b.other)):
        if value is not None:
            rows.append(
                Row(
                    (
                        EMPTY,
                        C(label, "center"),
                        EMPTY,
                        C(fmt.money(value), "num"),
                        EMPTY,
                        C("—", "num"),
                        EMPTY,
                        C("—", "num"),
                    )
                )
            )
    t = plain_table(st, bw, rows)
    t.setStyle(TableStyle([("SPAN", (0, 0), (0, len(rows) - 1)), ("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
    return t


def _national_goals(st: Styles, result: FormResult, label_w: float) -> Flowable:
    """年度总体目标: the goals' texts and the completion summary."""
    form = result.form
    texts = [g.text for g in form.goals if g.text]
    goal_text = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, start=1)) if len(texts) > 1 else "".join(texts)
    gw = [label_w, (WIDTH - label_w) / 2, (WIDTH - label_w) / 2]
    gt = plain_table(
        st,
        gw,
        [
            Row((C("年度总体目标", "label"), C("预期目标", "head"), C("实际完成情况", "head"))),
            Row((EMPTY, C(goal_text or "—"), C(_completion_summary(result)))),
        ],
    )
    gt.setStyle(TableStyle([("SPAN", (0, 0), (0, 1)), ("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
    return gt


def _national_indicators(st: Styles, result: FormResult, notes: Notes) -> Flowable:
    """The indicator grid, one labelled section per goal, 一级/二级 merged."""
    header = [
        Row(
            (
                EMPTY,
                C("一级指标", "head"),
                C("二级指标", "head"),
                C("三级指标", "head"),
                C("年度指标值", "head"),
                C("实际完成值", "head"),
                C("分值", "head"),
                C("得分", "head"),
                C("偏差原因分析及改进措施", "head"),
            ),
            head=True,
        )
    ]
    grid = Grid(
        NAT_W,
        _goal_sections(result, notes),
        header=header,
        side="绩效指标",
        side_more="绩效指标（续）",
        merge=(1, 2),
    )
    return grid.table(st)
