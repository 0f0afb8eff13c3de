"""import-disclosure on one small form published as PDF, HTML, Word, `|` text and spaced text (#16).

Each test builds a real document of its kind in the test itself (reportlab, lxml-readable HTML
with colspan/rowspan, python-docx with merged cells, text) holding the same national-layout
form, and reads it back through ``read_disclosure``: the form must come back cell for cell,
the empty 年初预算数 cell must keep its column (全年预算数 is not shifted into it), the wrapped
三级指标 must stay one cell, and a row that belongs to no form must be in the report with exit 1.
"""

from __future__ import annotations

import argparse
import html
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli import disclosure as cli_disclosure
from jixiao.disclosure import read_disclosure, render, scan_disclosure, scan_rows
from scorer.formfile import form_from_dict, parse_text
from scorer.model import Form
from tests.test_disclosure import _assert_same_forms, part6, samples  # noqa: F401  (fixtures)
from tests.test_disclosure_documents import _blocks

TITLE = "2023年度项目支出绩效自评表"
WRAPPED = "图书借阅登记准确率（按月抽查核对，含流动服务点）"
COLS = 8
GRID = [
    ["项目名称", "", "社区图书室运行维护", "", "", "", "", ""],
    ["主管部门", "", "某区文化旅游局", "", "实施单位", "", "某区图书馆", ""],
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "", "80", "76", "10", "95%", "9.5"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"],
    ["", "产出指标", "数量指标", "开放服务天数", "≥300天", "310天", "30", "30"],
    ["", "", "质量指标", WRAPPED, "≥98%", "99%", "30", "30"],
    ["", "效益指标", "社会效益指标", "居民阅读活动参与人次", "≥5000人次", "5200人次", "20", "20"],
    ["", "满意度指标", "服务对象满意度指标", "读者满意度", "≥90%", "93%", "10", "10"],
    ["总分", "", "", "", "", "", "100", "99.5"],
]
BUDGET_ROW, WRAPPED_ROW = 3, 6
# a row of a form printed before the form's title: read by nobody, so it must be reported
STRAY = ["", "产出指标", "数量指标", "举办读书讲座场次", "≥12场", "14场", "10", "10"]

EXPECTED = """
format = "jixiao-form/1"
form_kind = "project"
title = "2023年度项目支出绩效自评表"
year = 2023
project_name = "社区图书室运行维护"
department = "某区文化旅游局"
implementing_unit = "某区图书馆"
rules = "national-2020"
total_score = 99.5

[budget]
label = "年度资金总额"
planned = 80
executed = 76
rate = "95%"
weight = 10
score = 9.5

[[goals]]
indicators = [
  { level1 = "产出指标", level2 = "数量指标", name = "开放服务天数", target = "≥300天", actual = "310天", weight = 30, score = 30 },
  { level1 = "产出指标", level2 = "质量指标", name = "图书借阅登记准确率（按月抽查核对，含流动服务点）", target = "≥98%", actual = "99%", weight = 30, score = 30 },
  { level1 = "效益指标", level2 = "社会效益指标", name = "居民阅读活动参与人次", target = "≥5000人次", actual = "5200人次", weight = 20, score = 20 },
  { level1 = "满意度指标", level2 = "服务对象满意度指标", name = "读者满意度", target = "≥90%", actual = "93%", weight = 10, score = 10 },
]
"""


def _expected() -> Form:
    return form_from_dict(parse_text(EXPECTED, "<expected>", ".toml"))


# ---------------------------------------------------------------------------- the documents


def _html(path: Path, stray: bool) -> None:
    """Labels and values spanning columns (colspan), the row label and 产出指标 spanning rows (rowspan)."""
    e = html.escape
    body = [
        "<tr><td colspan=2>项目名称</td><td colspan=6>社区图书室运行维护</td></tr>",
        "<tr><td colspan=2>主管部门</td><td>某区文化旅游局</td><td></td><td colspan=2>实施单位</td>"
        "<td>某区图书馆</td><td></td></tr>",
        "<tr><th rowspan=2>项目资金<br>（万元）</th><th></th><th>年初预算数</th><th>全年预算数</th><th>全年执行数</th>"
        "<th>分值</th><th>执行率</th><th>得分</th></tr>",
        "<tr><td>年度资金总额</td><td></td><td>80</td><td>76</td><td>10</td><td>95%</td><td>9.5</td></tr>",
        "<tr><td rowspan=5>绩效指标</td><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td>"
        "<td>实际完成值</td><td>分值</td><td>得分</td></tr>",
        "<tr><td rowspan=2>产出指标</td>" + "".join(f"<td>{e(c)}</td>" for c in GRID[5][2:]) + "</tr>",
        f"<tr><td>质量指标</td><td>{e(WRAPPED[:9])}<br>\n{e(WRAPPED[9:])}</td>"
        + "".join(f"<td>{e(c)}</td>" for c in GRID[6][4:])
        + "</tr>",
        *("<tr>" + "".join(f"<td>{e(c)}</td>" for c in GRID[r][1:]) + "</tr>" for r in (7, 8)),
        "<tr><td colspan=6>总分</td><td>100</td><td>99.5</td></tr>",
    ]
    before = "<table><tr>" + "".join(f"<td>{e(c)}</td>" for c in STRAY) + "</tr></table>" if stray else ""
    page = (
        f"<html><body><p>第六部分 附件</p>{before}<h3>{TITLE}</h3><table border=1>{''.join(body)}</table></body></html>"
    )
    path.write_text(page, encoding="utf-8")


def _docx(path: Path, stray: bool) -> None:
    """The same merges made with python-docx (a merged cell is one cell spanning the grid slots)."""
    import docx

    document = docx.Document()
    document.add_paragraph("第六部分 附件")
    if stray:
        extra = document.add_table(rows=1, cols=COLS)
        for c, text in enumerate(STRAY):
            extra.cell(0, c).text = text
    document.add_paragraph(TITLE)
    table = document.add_table(rows=len(GRID), cols=COLS)
    merges = [((0, 0), (0, 1)), ((0, 2), (0, 7)), ((1, 0), (1, 1)), ((1, 4), (1, 5)), ((2, 0), (3, 0))]
    merges += [((4, 0), (8, 0)), ((5, 1), (6, 1)), ((9, 0), (9, 5))]
    for a, b in merges:
        table.cell(*a).merge(table.cell(*b))
    for r, row in enumerate(GRID):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    document.save(str(path))


def _pdf(path: Path, stray: bool) -> None:
    """A ruled reportlab Table: the 三级 cell wraps onto two lines, 年初预算数 is empty, cells span."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from jixiao.pdf.fonts import find_font

    font = find_font().name
    style = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12)
    rows: list[list[object]] = [list(r) for r in GRID]
    rows[WRAPPED_ROW][3] = Paragraph(WRAPPED, style)
    widths = [90, 70, 95, 120, 70, 70, 60, 60]
    spans = [((0, 0), (1, 0)), ((2, 0), (7, 0)), ((0, 1), (1, 1)), ((4, 1), (5, 1)), ((0, 2), (0, 3))]
    spans += [((0, 4), (0, 8)), ((1, 5), (1, 6)), ((0, 9), (5, 9))]
    ruled = [("FONT", (0, 0), (-1, -1), font, 9), ("GRID", (0, 0), (-1, -1), 0.5, "black")]
    table = Table(rows, colWidths=widths, style=TableStyle(ruled + [("SPAN", a, b) for a, b in spans]))
    assert table.wrap(sum(widths), 1000)  # the 三级 cell is narrower than its text: it wraps
    story: list[object] = [Paragraph("第六部分 附件", style), Spacer(1, 12)]
    if stray:
        story += [Table([STRAY], colWidths=widths, style=TableStyle(ruled)), Spacer(1, 12)]
    story += [Paragraph(TITLE, style), Spacer(1, 6), table]
    SimpleDocTemplate(str(path), pagesize=landscape(A4)).build(story)  # type: ignore[arg-type]


def _pipe(path: Path, stray: bool) -> None:
    """A `|` table; the wrapped 三级 cell goes on with a row of its own, as text tables print it."""
    lines = ["第六部分 附件", *(["| " + " | ".join(STRAY) + " |"] if stray else []), TITLE]
    for r, row in enumerate(GRID):
        cells = list(row)
        if r == WRAPPED_ROW:
            cells[3] = WRAPPED[:9]
        lines.append("| " + " | ".join(cells) + " |")
        if r == 0:
            lines.append("|" + "---|" * COLS)
        if r == WRAPPED_ROW:
            lines.append("| " + " | ".join("" if c != 3 else WRAPPED[9:] for c in range(COLS)) + " |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _spaced(path: Path, stray: bool) -> None:
    """Cells at fixed display columns, runs of spaces between; the wrapped cell's rest under it."""
    from jixiao.disclosure.text import display_width

    grid = [list(r) for r in GRID]
    grid[WRAPPED_ROW][3] = WRAPPED[:9]
    rest = ["" if c != 3 else WRAPPED[9:] for c in range(COLS)]
    widths = [max(display_width(r[c]) for r in [*grid, STRAY]) + 3 for c in range(COLS)]

    def laid(row: list[str]) -> str:
        return "".join(text + " " * (widths[c] - display_width(text)) for c, text in enumerate(row)).rstrip()

    rows = [*grid[: WRAPPED_ROW + 1], rest, *grid[WRAPPED_ROW + 1 :]]
    lines = ["第六部分 附件", *([laid(STRAY)] if stray else []), "", TITLE, *(laid(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


MAKERS: dict[str, tuple[str, Callable[[Path, bool], None]]] = {
    "pdf": (".pdf", _pdf),
    "html": (".html", _html),
    "docx": (".docx", _docx),
    "pipe": (".txt", _pipe),
    "spaced": (".txt", _spaced),
}


# ---------------------------------------------------------------------------- the tests


@pytest.fixture(params=sorted(MAKERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _make(tmp_path: Path, kind: str, stray: bool = False) -> Path:
    suffix, make = MAKERS[kind]
    path = tmp_path / f"自评表-{kind}{suffix}"
    make(path, stray)
    return path


def test_the_form_comes_back_cell_for_cell(tmp_path: Path, kind: str) -> None:
    result = read_disclosure(_make(tmp_path, kind))
    assert result.errors == []
    ((form, report),) = result.forms
    assert form == _expected()
    assert report.unassigned == [] and report.empty_fields == []
    assert result.ok


def test_the_empty_cell_keeps_its_column(tmp_path: Path, kind: str) -> None:
    """年初预算数 is empty: 全年预算数 80 must not move left into it, nor 执行数 76 into 预算数."""
    ((form, _),) = read_disclosure(_make(tmp_path, kind)).forms
    assert (form.budget.initial, form.budget.planned, form.budget.executed) == (None, 80, 76)
    assert form.budget.rate_text == "95%" and form.budget.weight == 10
    assert form.budget.recorded is not None and form.budget.recorded.score == Decimal("9.5")


def test_the_wrapped_cell_stays_one_cell(tmp_path: Path, kind: str) -> None:
    ((form, _),) = read_disclosure(_make(tmp_path, kind)).forms
    names = [i.name for i in form.indicators]
    assert names == ["开放服务天数", WRAPPED, "居民阅读活动参与人次", "读者满意度"]
    wrapped = form.indicators[1]
    assert (wrapped.level1, wrapped.level2, wrapped.target, wrapped.actual) == ("产出指标", "质量指标", "≥98%", "99%")


def test_the_pdf_cell_really_wraps(tmp_path: Path) -> None:
    """The PDF prints the 三级 name on two lines of its cell; pdfplumber gives it as one cell."""
    import pdfplumber

    path = _make(tmp_path, "pdf")
    with pdfplumber.open(path) as pdf:
        cells = [c for t in pdf.pages[0].extract_tables() for row in t for c in row if c and "图书借阅" in c]
    assert len(cells) == 1 and "\n" in cells[0]


def _cli(argv: list[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    cli_disclosure.add_commands(parser.add_subparsers(dest="command"), argparse.ArgumentParser)
    args = parser.parse_args(argv)
    out, err = Console(record=True, width=200), Console(record=True, width=200, stderr=True)
    rc = args.func(args, out, err)
    return rc, out.export_text(), err.export_text()


def test_a_row_outside_every_form_is_reported_and_fails_the_command(tmp_path: Path, kind: str) -> None:
    """A form's row printed before the title belongs to no form: listed with its text, exit 1."""
    path = _make(tmp_path, kind, stray=True)
    result = read_disclosure(path)
    ((form, report),) = result.forms
    assert form == _expected() and report.unassigned == []
    (dropped,) = result.dropped
    assert "举办读书讲座场次" in dropped.raw_text and "≥12场" in dropped.raw_text
    assert "在第一张自评表之前" in dropped.reason and not result.ok and result.unplaced == 1
    text = "\n".join(render(result))
    assert "表外未读入 1 行" in text and f"第 {dropped.line_no} 行：在第一张自评表之前" in text
    rc, out, _ = _cli(["import-disclosure", str(path)])
    assert rc == 1 and path.name in out and "举办读书讲座场次" in out and "共有 1 行未能归位" in out
    rc, _, err = _cli(["--db", str(tmp_path / "forms.sqlite"), "import-disclosure", str(path), "--to-db"])
    assert rc == 1 and "未导入" in err


def test_without_the_stray_row_the_command_succeeds(tmp_path: Path, kind: str) -> None:
    rc, out, err = _cli(["import-disclosure", str(_make(tmp_path, kind)), "-o", str(tmp_path / "out")])
    assert rc == 0, out + err
    assert "表外未读入 0 行" in out and "已写出 1 个 TOML 文件" in out


@pytest.mark.parametrize("kind", ["pipe", "spaced"])
def test_a_wrapped_piece_of_text_is_placed_with_a_stated_guess(tmp_path: Path, kind: str) -> None:
    """In text a wrapped cell goes on in a line of its own: joined to the row above, and listed as a guess."""
    result = read_disclosure(_make(tmp_path, kind))
    ((form, report),) = result.forms
    (guess,) = report.guessed
    assert WRAPPED[9:] in guess.raw_text and "单元格折行的下半部分，已并入" in guess.guess
    text = "\n".join(render(result))
    assert "推测归位 1 行" in text and "推测归位的行 1 行（请核对）" in text


def test_a_table_row_from_a_document_is_never_a_wrapped_piece() -> None:
    """A reader's row with only a 三级 name is a row of its own (values empty), not part of the row above."""
    rows: list[str | list[str]] = [TITLE, *GRID[:WRAPPED_ROW], ["", "", "质量指标", "读者证办理", "", "", "", ""]]
    result = scan_rows([*rows, *GRID[WRAPPED_ROW + 1 :]])
    ((form, report),) = result.forms
    assert [i.name for i in form.indicators] == ["开放服务天数", "读者证办理", "居民阅读活动参与人次", "读者满意度"]
    assert report.guessed == []
    assert "年度绩效目标「读者证办理」：年初目标值" in report.empty_fields
    tabbed = scan_disclosure("\n".join("\t".join(r) if isinstance(r, list) else r for r in rows))
    assert tabbed.forms[0].form.indicators[0].name == "开放服务天数读者证办理"  # text: joined, and said so
    assert tabbed.forms[0].report.guessed


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("坏.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer\n%%EOF", "PDF"),
        ("截断.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 99999 >>\nstream\nxx", "PDF"),
        ("坏.docx", b"PK\x03\x04 not really a zip", "无法读取 Word 文档"),
        ("空.html", b"", "文件是空的"),
        ("空.pdf", b"", "PDF"),
    ],
)
def test_a_broken_document_is_a_chinese_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = read_disclosure(path)
    assert result.forms == [] and message in result.errors[0]
    rc, _, err = _cli(["import-disclosure", str(path)])
    assert rc == 1 and name in err and message in err and "Traceback" not in err


def test_a_pdf_with_a_password_says_so(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "加密.pdf"
    canvas = Canvas(str(path), encrypt="secret")
    canvas.drawString(100, 700, TITLE)
    canvas.save()
    rc, _, err = _cli(["import-disclosure", str(path)])
    assert rc == 1 and "加密.pdf" in err and "有密码保护" in err and "Traceback" not in err


def test_a_pdf_without_text_says_it_may_be_a_scan(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "扫描件.pdf"
    canvas = Canvas(str(path))
    canvas.rect(100, 100, 300, 300)
    canvas.save()
    assert "扫描图像" in read_disclosure(path).errors[0]


@pytest.mark.parametrize(
    ("cell", "ticked"),
    [
        ('1、常年性项目 <input type="checkbox" checked> 2、延续性项目 <input type="checkbox">', ("常年性项目",)),
        ('<input type=checkbox> 常年性项目 <input type=checkbox checked="checked"> 延续性项目', ("延续性项目",)),
        ("常年性项目 □ 延续性项目 ☑ 一次性项目 □", ("延续性项目",)),
    ],
)
def test_html_tick_boxes_are_read(tmp_path: Path, cell: str, ticked: tuple[str, ...]) -> None:
    """A tick box is an <input> element with no text: it still says which option is ticked."""
    path = tmp_path / "勾选.html"
    rows = "".join(f"<tr><td>{r[0]}</td><td>{r[2]}</td></tr>" for r in GRID[:2])
    path.write_text(f"<h3>{TITLE}</h3><table>{rows}<tr><td>项目类型</td><td>{cell}</td></tr></table>", encoding="utf-8")
    ((form, _),) = read_disclosure(path).forms
    assert form.ticks.project_type == ticked


@pytest.mark.parametrize(
    ("after", "dropped"),
    [
        (
            ["", "第七部分 名词解释", "一、财政拨款收入：指本年度从本级财政部门取得的财政拨款。"],
            0,
        ),  # prose: not a form row
        (["", "第七部分 名词解释", "\t".join(STRAY)], 1),  # a form row after the form ended
        (["", "项目支出\t合计\t总计", "1\t2\t3"], 0),  # the document's other tables: not form rows
    ],
)
def test_rows_after_the_form_ended(after: list[str], dropped: int) -> None:
    text = "\n".join([TITLE, *("\t".join(r) for r in GRID), *after])
    result = scan_disclosure(text, "决算.txt")
    assert result.forms[0].form == _expected()
    assert len(result.dropped) == dropped and result.ok is (dropped == 0)
    if dropped:
        assert "在第 1 张表「社区图书室运行维护」结束之后" in result.dropped[0].reason


# ---------------------------------------------------------------------------- the seed as a PDF


def test_seed_as_a_ruled_pdf(tmp_path: Path, part6: list[str], samples: dict[str, Form]) -> None:  # noqa: F811
    """The seed's part 6 set as ruled tables, every cell a paragraph (long ones wrap, tables cross
    pages): the nine forms come back as the samples. Only spaces may differ: where a line wraps at
    a space ("17 场") the PDF keeps no space, so whitespace is compared away."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from jixiao.pdf.fonts import find_font

    style = ParagraphStyle("cell", fontName=find_font().name, fontSize=8, leading=10)
    story: list[object] = []
    for kind, rows in _blocks(part6):
        if kind == "p":
            story.append(Paragraph(escape(rows[0][0]) or "&nbsp;", style))
            continue
        width = max(len(r) for r in rows)
        cells = [[Paragraph(escape(c), style) for c in r] + [""] * (width - len(r)) for r in rows]
        story.append(Table(cells, colWidths=[760 / width] * width, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    path = tmp_path / "决算公开.pdf"
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=30, rightMargin=30).build(story)  # type: ignore[arg-type]
    result = read_disclosure(path)
    assert result.errors == [] and result.dropped == []
    assert all(f.report.unassigned == [] for f in result.forms)
    _assert_same_forms(result.forms, samples, normalise=lambda d: re.sub(r"\s+", "", str(d)))
