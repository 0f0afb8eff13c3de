"""The reviewer's 复核 on the PDF: each re-checked row with its three numbers and the opinion.

Printed after the form and its sign-off, apart from the unit's own data (a 复核 changes nothing the
unit wrote, and the form's data hash does not include it); the whole page is under the PDF's
signature like everything else, and the metadata says how many 复核 there are and their hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from jixiao.pdf.blocks import Styles, _markup
from jixiao.pdf.page import HEAD_BG, LINE, WIDTH
from jixiao.rechecked import GONE, unmatched
from scorer import numbers as fmt
from scorer.result import FormResult

HEAD = ("序号", "三级指标", "分值", "规则得分", "单位自评", "复核得分", "复核意见", "复核人", "复核日期")
SHARES = (4, 22, 6, 7, 7, 7, 29, 10, 8)


def rows_rechecked(result: FormResult, rechecks: Mapping[str, Any]) -> list[tuple[int, Any, Any]]:
    """(row number, indicator result, 复核) of each re-checked row, in the form's order."""
    return [
        (n, r, rechecks[r.indicator.uid])
        for n, r in enumerate(result.indicators, start=1)
        if r.indicator.uid and r.indicator.uid in rechecks
    ]


def gone_rechecks(result: FormResult, rechecks: Mapping[str, Any]) -> list[Any]:
    """The 复核 of rows the form no longer has (removed or given another identity after the 复核):
    printed after the form's rows, never dropped (``jixiao.rechecked``)."""
    return unmatched((r.indicator.uid for r in result.indicators), rechecks)


def rechecks_digest(result: FormResult, rechecks: Mapping[str, Any]) -> str:
    """``N sha256``: how many 复核 the PDF prints and the hash of what it prints (for the metadata)."""
    shown = [
        [r.indicator.uid, f"{c.score}", c.opinion, c.reviewer, c.at.isoformat() if c.at else ""]
        for _, r, c in rows_rechecked(result, rechecks)
    ] + [
        [c.indicator_uid, f"{c.score}", c.opinion, c.reviewer, c.at.isoformat() if c.at else ""]
        for c in gone_rechecks(result, rechecks)
    ]
    text = json.dumps(shown, ensure_ascii=False, separators=(",", ":"))
    return f"{len(shown)} {hashlib.sha256(text.encode()).hexdigest()}"


def recheck_story(st: Styles, result: FormResult, rechecks: Mapping[str, Any]) -> list[Flowable]:
    """The 复核 table, or nothing when no row was re-checked."""
    found = rows_rechecked(result, rechecks)
    gone = gone_rechecks(result, rechecks)
    if not found and not gone:
        return []

    def p(text: str, style: str = "cell") -> Paragraph:
        return Paragraph(_markup(text), st[style])

    data: list[list[Any]] = [[p(h, "head") for h in HEAD]]
    for n, r, c in found:
        rec = r.indicator.recorded
        data.append(
            [
                p(str(n), "center"),
                p(r.indicator.name),
                p(fmt.weight(r.weight), "num"),
                p(fmt.score(r.score, "待判断"), "num"),
                p(fmt.score(rec.score if rec else None, "未填"), "num"),
                p(fmt.score(c.score), "num"),
                p(c.opinion),
                p(c.reviewer),
                p(c.at.astimezone().strftime("%Y-%m-%d") if c.at else "", "center"),
            ]
        )
    for c in gone:
        data.append(
            [p("—", "center"), p(c.indicator + GONE), *(p("—", "num") for _ in range(3)), p(fmt.score(c.score), "num")]
            + [p(c.opinion), p(c.reviewer), p(c.at.astimezone().strftime("%Y-%m-%d") if c.at else "", "center")]
        )
    unit = WIDTH / sum(SHARES)
    table = Table(data, colWidths=[s * unit for s in SHARES], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    title = p("财政复核记录（审核人的复核得分与意见，附于单位自评表之后，不改变单位填报的数据）", "subtitle")
    return [Spacer(1, 8), title, Spacer(1, 3), table]
