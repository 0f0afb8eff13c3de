"""Render a scored form (``FormResult``) as a PDF in the official layout.

Two layouts, picked by ``result.rules.layout`` unless the caller says otherwise:

- ``hubei``: the 湖北 project form as published (预算执行情况（20分）, 年度绩效目标 N（80分）
  with 一级/二级/三级指标, 年初目标值(A), 实际完成值(B), 分值, 得分, then 总分 and the two
  narrative rows);
- ``national``: the 财政部 annex 项目支出绩效自评表 (年初预算数 / 全年预算数 / 全年执行数 /
  分值 / 执行率 / 得分, 年度总体目标, and the indicator table with 偏差原因分析及改进措施).

Both are A4 landscape. Merged 一级/二级 cells are real SPANs; the indicator tables split
between any two rows, repeat their column headings on the next page and restart the merged
cells there (``GridTable``). Every page says "第 N 页 共 M 页". The sign-off block reserves a
box for the visible signature; its position is written to the metadata so that
``sign.sign_pdf`` puts the signature exactly there.

Where the unit's recorded score differs from the rule score the PDF prints the recorded
score, marks it ※n and explains the rule score in a footnote.

Same form + rule set + font → byte-identical PDF: reportlab's invariant mode, fixed dates,
and a document ID derived from the form's SHA-256.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jixiao import __version__
from jixiao.pdf import meta as M
from jixiao.pdf.blocks import (
    _OVERFLOW,
    EMPTY,
    C,
    Row,
    SignatureSlot,
    Styles,
    _markup,
    continuation_pages,
    make_styles,
    mark,
    plain_table,
)
from jixiao.pdf.canonical import form_sha256
from jixiao.pdf.canvas import _canvas_class, _pdf_date
from jixiao.pdf.content import Notes, _title
from jixiao.pdf.fonts import FontChoice, find_font
from jixiao.pdf.page import LAYOUTS, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAGE, SIGNATURE_BOX, WIDTH, LayoutError
from jixiao.pdf.recheck_block import gone_rechecks, recheck_story, rechecks_digest, rows_rechecked
from jixiao.pdf.seal import Seal
from jixiao.pdf.stories import hubei_story, national_story
from scorer.model import FormKind
from scorer.result import FormResult

# ------------------------------------------------------------------ common


def signoff_block(st: Styles, result: FormResult, sink: dict[str, Any]) -> Table:
    s = result.form.signoff
    pairs = [
        ("填表人", s.preparer),
        ("审核人", s.reviewer),
        ("单位负责人", s.unit_head),
        ("联系电话", s.phone),
        ("填报日期", s.date),
        ("联系人", s.contact),
    ]
    if s.finance_head or s.project_lead:
        pairs += [("财务负责人", s.finance_head), ("项目负责人", s.project_lead), ("", "")]
    sig_w, sig_h = SIGNATURE_BOX
    right = sig_w + 8
    lw = 66
    vw = (WIDTH - right - 3 * lw) / 3
    widths = [lw, vw, lw, vw, lw, vw, right]
    rows = []
    nrows = len(pairs) // 3
    row_h = max(22.0, (sig_h + 8) / nrows)
    for i in range(nrows):
        cells: list[C] = []
        for label, value in pairs[i * 3 : i * 3 + 3]:
            cells += [C(label, "label"), C(value)]
        cells.append(EMPTY)
        rows.append(Row(tuple(cells)))

    def slot() -> Flowable:
        return SignatureSlot(sig_w, sig_h, sink, st.font)

    first = list(rows[0].cells)
    first[-1] = C(flowable=slot)
    rows[0] = Row(tuple(first))
    t = plain_table(st, widths, rows, heights=[row_h] * nrows)
    t.setStyle(
        TableStyle(
            [
                ("SPAN", (6, 0), (6, nrows - 1)),
                ("ALIGN", (6, 0), (6, 0), "CENTER"),
                ("LEFTPADDING", (6, 0), (6, 0), 4),
                ("RIGHTPADDING", (6, 0), (6, 0), 4),
            ]
        )
    )
    return t


def footnotes(st: Styles, result: FormResult, notes: Notes) -> list[Flowable]:
    out: list[Flowable] = []
    for i, line in enumerate(notes.lines, start=1):
        out.append(Paragraph(f"{mark(i)} {_markup(line)}", st.note))
    if result.total_recorded is None:
        out.append(Paragraph(_markup(f"得分按规则集「{result.rules.name}」（{result.rules.title}）计算。"), st.note))
    if any(r.weight_source == "allocated" for r in result.indicators):
        out.append(Paragraph(_markup(f"* 表中未列分值，按规则集「{result.rules.name}」分配。"), st.note))
    if result.pending:
        out.append(Paragraph(_markup(f"有 {result.pending} 项指标待人工判断，规则得分未计入这些指标。"), st.note))
    if result.cap_note:
        out.append(Paragraph(_markup(result.cap_note), st.note))
    if out:
        out.insert(0, Spacer(1, 3))
    return out


def resolve_layout(result: FormResult, layout: str | None) -> str:
    name = (layout or result.rules.layout or "national").strip()
    if name not in LAYOUTS:
        raise LayoutError(f"未知版式「{name}」；可用：{'、'.join(LAYOUTS)}")
    return name


def render_pdf(
    result: FormResult,
    layout: str | None = None,
    font: FontChoice | None = None,
    rechecks: Mapping[str, Any] | None = None,
    seal: Seal | None = None,
) -> bytes:
    """The form as PDF bytes; byte-identical for the same form, rule set, layout, font, 复核 and seal.

    ``rechecks`` (the latest 复核 by indicator identity) adds the 复核 table after the sign-off;
    ``seal`` prints the unit's 公章 image in its field under the sign-off block.
    """
    font = font or find_font()
    name = resolve_layout(result, layout)
    st = make_styles(font)
    form = result.form
    rules = result.rules
    sha = form_sha256(form)
    key = f"{form.year}/{form.implementing_unit}/{form.project_name}"
    sink: dict[str, Any] = {}
    story = _story(st, result, name, sink, seal) + recheck_story(st, result, rechecks or {})
    extra = {
        M.KEY_RULES: rules.name,
        M.KEY_RULES_VERSION: rules.version,
        M.KEY_FORM_SHA256: sha,
        M.KEY_FORM_KEY: key,
        M.KEY_LAYOUT: name,
        **(
            {M.KEY_RECHECKS: rechecks_digest(result, rechecks)}
            if rechecks and (rows_rechecked(result, rechecks) or gone_rechecks(result, rechecks))
            else {}
        ),
        **({M.KEY_SEAL: seal.sha256} if seal is not None else {}),
    }
    doc_id = hashlib.md5(
        "\n".join([sha, rules.name, rules.version, name, font.face, __version__, *_rechecked(extra)]).encode(),
        usedforsecurity=False,
    ).digest()
    footer = f"规则集 {rules.name}（版本 {rules.version}）　数据 SHA-256 {sha[:16]}…"
    canvas_class = _canvas_class(extra, _pdf_date(form.signoff.date), doc_id, footer, font, sink)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=PAGE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{_title(form)}（{form.project_name}）",
        author=form.implementing_unit or form.department or "jixiao",
        subject=f"预算绩效自评表；规则集 {rules.name} 版本 {rules.version}；表单数据 SHA-256 {sha}",
        keywords=f"jixiao, rules={rules.name}, rules_version={rules.version}, form_sha256={sha}",
        creator=f"jixiao {__version__}",
        invariant=1,
        pageCompression=1,
        initialFontName=font.name,
        lang="zh-CN",
    )
    doc.build(story, canvasmaker=canvas_class)
    return buf.getvalue()


def _story(st: Any, result: FormResult, name: str, sink: dict[str, Any], seal: Seal | None = None) -> list[Flowable]:
    """Title, the layout's tables, footnotes and the sign-off; text too long for its cell goes to
    continuation pages at the end (collected while the tables are built)."""
    form = result.form
    notes = Notes()
    overflow: list[str] = []
    token = _OVERFLOW.set(overflow)
    try:
        story: list[Flowable] = [Paragraph(_markup(_title(form)), st.title)]
        if form.form_kind is FormKind.PROJECT:
            story.append(Paragraph(_markup(f"（{form.project_name}）"), st.subtitle))
        else:
            story.append(Spacer(1, 6))
        story += hubei_story(st, result, notes) if name == "hubei" else national_story(st, result, notes)
        tail: list[Flowable] = footnotes(st, result, notes)
        tail += [Spacer(1, 6), signoff_block(st, result, sink)]
        if seal is not None:
            tail.append(seal_row(st, seal))
    finally:
        _OVERFLOW.reset(token)
    story.append(KeepTogether(tail))
    if overflow:
        story += continuation_pages(st, overflow)
    return story


def _rechecked(extra: dict[str, str]) -> list[str]:
    return [extra[k] for k in (M.KEY_RECHECKS, M.KEY_SEAL) if k in extra]


SEAL_HEIGHT = 30 * 72 / 25.4  # 30 mm in points
SEAL_MAX_WIDTH = 120 * 72 / 25.4  # 120 mm: the widest a seal image is drawn


def seal_row(st: Styles, seal: Seal) -> Table:
    """单位（盖章） with the unit's image, 30 mm high and at most 120 mm wide (a wider one is scaled down to
    that width), under the sign-off block: ``jixiao verify`` leaves this box out of its pixel comparison."""
    from reportlab.platypus import Image

    h = SEAL_HEIGHT
    w = h * seal.width / seal.height
    if w > SEAL_MAX_WIDTH:
        w, h = SEAL_MAX_WIDTH, SEAL_MAX_WIDTH * seal.height / seal.width

    def image() -> Flowable:
        return Image(io.BytesIO(seal.data), width=w, height=h)

    return plain_table(
        st, [66, WIDTH - 66], [Row((C("单位（盖章）", "label"), C(flowable=image)))], heights=[SEAL_HEIGHT + 6]
    )


def render_form(
    form: Any,
    rules: str | None = None,
    layout: str | None = None,
    font: FontChoice | None = None,
    rechecks: Mapping[str, Any] | None = None,
    seal: Seal | None = None,
) -> bytes:
    """Score ``form`` (under its own rule set unless ``rules`` names one) and render it."""
    from jixiao.scoring import score_form
    from scorer.rules import load as load_rules
    from scorer.rules import rules_name_for

    rs = load_rules(rules or rules_name_for(form))
    return render_pdf(score_form(form, rs), layout=layout, font=font, rechecks=rechecks, seal=seal)
