"""PDF rendering's shortcuts (#18) give reportlab's own bytes: font subsets, plain cells, line breaks."""

from __future__ import annotations

import io
import itertools
import random

import pytest

pytest.importorskip("reportlab")

from reportlab.lib.textsplit import wordSplit  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from reportlab.platypus import Paragraph  # noqa: E402
from reportlab.platypus.paraparser import ParaParser  # noqa: E402

from bench.generate import generate  # noqa: E402
from jixiao.pdf import cells  # noqa: E402
from jixiao.pdf.blocks import _markup, make_styles  # noqa: E402
from jixiao.pdf.cells import Cell, plain_frags, split_lines  # noqa: E402
from jixiao.pdf.fonts import find_font  # noqa: E402
from jixiao.pdf.layout import render_pdf  # noqa: E402
from jixiao.pdf.subset import FastSubsetter  # noqa: E402
from jixiao.scoring import score_form  # noqa: E402
from scorer.formfile import load_form  # noqa: E402
from tests.conftest import SAMPLES  # noqa: E402

TRICKY = [
    "项目名称",
    "  前后有空格  ",
    "中间\t制表\u3000全角空格\xa0不换行空格",
    "≥95%",
    "引号 \"双\" '单'",
    "100.00",
    "—",
    "a  b   c",
    "x" * 700,
    "〇一二三四五六七八九十" * 40,
    "English words mixed with 中文 and 123 numbers that run long enough to wrap twice over",
]


@pytest.fixture(scope="module")
def font():  # type: ignore[no-untyped-def]
    choice = find_font()
    if not choice.embedded:
        pytest.skip("no embeddable Chinese TrueType font here")
    return choice


def _face(font):  # type: ignore[no-untyped-def]
    return pdfmetrics.getFont(font.name).face


def test_the_registered_font_builds_its_subsets_without_reportlabs_slow_path(font) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(_face(font).makeSubset, FastSubsetter)


def test_subsets_are_reportlabs_bytes(font) -> None:  # type: ignore[no-untyped-def]
    face = _face(font)
    fast = FastSubsetter(face)
    slow = type(face).makeSubset
    codes = sorted(face.charToGlyph)
    rng = random.Random(18)
    subsets = [rng.sample(codes, rng.randint(1, 256)) for _ in range(40)]
    subsets += [[0x10FFFF, 32, 0x4E00], list(range(32, 127)), [0x4E00] * 3]
    for subset in subsets:
        assert fast(subset) == slow(face, subset)


def test_plain_text_gets_the_parsers_fragment(font) -> None:  # type: ignore[no-untyped-def]
    st = make_styles(font)
    for style, text in itertools.product((st.cell, st.num, st.head, st.note, st.small), TRICKY):
        fast = plain_frags(text, style)
        assert fast is not None
        parsed_style, parsed, bullets = ParaParser().parse(cells.cleanBlockQuotedText(text), style)
        assert parsed_style is style and bullets is None
        assert [vars(f) for f in fast] == [vars(f) for f in parsed]
    assert plain_frags("a &amp; b", st.cell) is None
    assert plain_frags('<font color="red">※1</font>', st.cell) is None
    assert plain_frags(" \t ", st.cell) is None


def test_line_breaks_are_reportlabs(font) -> None:  # type: ignore[no-untyped-def]
    for text, width, size in itertools.product(TRICKY, (20.0, 57.5, 160.0, 400.0), (7.5, 9.0)):
        expected = [(sp, line) for sp, line in wordSplit(text, [width, width], font.name, size)]
        assert split_lines(text, (width, width), font.name, size) == expected
        assert split_lines(text, (width, width), font.name, size) == expected  # from the cache


def test_cells_wrap_as_paragraphs_do(font) -> None:  # type: ignore[no-untyped-def]
    st = make_styles(font)
    for text in [*TRICKY, "甲<br/>乙", 'a <font color="#B00000">※1</font>']:
        for width in (30.0, 90.0, 300.0):
            cell, para = Cell(text, st.cell), Paragraph(text, st.cell)
            assert cell.wrap(width, 1000) == para.wrap(width, 1000)
            assert cell.blPara.kind == para.blPara.kind
            if para.blPara.kind == 0:
                assert cell.blPara.lines == para.blPara.lines


def test_cells_of_the_same_plain_text_share_their_parse_and_wrap(font) -> None:  # type: ignore[no-untyped-def]
    st = make_styles(font)
    first, second = Cell("年度绩效目标完成情况", st.cell), Cell("年度绩效目标完成情况", st.cell)
    assert first.frags is second.frags
    assert first.wrap(57.5, 1000) == second.wrap(57.5, 1000)
    assert first.blPara is second.blPara  # the second cell did not break its lines again
    other = Cell("年度绩效目标完成情况", st.cell)
    assert other.wrap(160.0, 1000) != first.wrap(57.5, 1000)  # a width of its own
    marked = Cell('a <font color="#B00000">※1</font>', st.cell)
    assert marked.frags is not Cell('a <font color="#B00000">※1</font>', st.cell).frags  # markup is copied


def _drawn(flowable, font, width: float) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    """The content operators ``flowable`` draws on a fresh canvas, and how many times it saved the state."""
    canvas = Canvas(io.BytesIO())
    canvas.setFont(font.name, 9)
    saves = []
    canvas.push_state_stack = lambda push=canvas.push_state_stack: (saves.append(1), push())[1]  # type: ignore[method-assign]
    flowable.wrapOn(canvas, width, 1000)
    before = len(canvas._code)
    flowable.drawOn(canvas, 12.5, 300.25)
    return canvas._code[before:] + [repr(canvas._fillColorObj), repr(canvas._extgstate._d)], len(saves)


def test_plain_cells_draw_reportlabs_operators_without_copying_the_canvas_state(font) -> None:  # type: ignore[no-untyped-def]
    st = make_styles(font)
    for text, style, width in itertools.product(TRICKY, (st.cell, st.center, st.small), (30.0, 160.0)):
        fast, saves = _drawn(Cell(_markup(text), style), font, width)
        slow, _ = _drawn(Paragraph(_markup(text), style), font, width)
        assert fast == slow
        assert saves == 0
    marked, saves = _drawn(Cell('a <font color="#B00000">※1</font>', st.cell), font, 90.0)
    assert marked == _drawn(Paragraph('a <font color="#B00000">※1</font>', st.cell), font, 90.0)[0]
    assert saves == 2  # markup takes reportlab's own path


def _forms() -> list:  # type: ignore[type-arg]
    samples = [load_form(p) for p in sorted(SAMPLES.glob("*.toml"))]
    return samples + list(itertools.islice(generate(2000, seed=3), 6))


def test_forms_render_to_the_same_bytes_as_without_the_shortcuts(font, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    results = [score_form(f) for f in _forms()]
    layouts = ("hubei", "national")
    fast = [render_pdf(r, layout=lay, font=font) for r in results for lay in layouts]
    face = _face(font)
    monkeypatch.setattr(face, "makeSubset", type(face).makeSubset.__get__(face))
    monkeypatch.setattr(cells, "plain_frags", lambda text, style: None)
    monkeypatch.setattr(cells, "_PARSED", {})
    monkeypatch.setattr(cells, "_SHARED", {})
    monkeypatch.setattr(cells, "_WRAPS", {})
    monkeypatch.setattr(Cell, "breakLinesCJK", Paragraph.breakLinesCJK)
    monkeypatch.setattr(Cell, "drawOn", Paragraph.drawOn)
    slow = [render_pdf(r, layout=lay, font=font) for r in results for lay in layouts]
    assert fast == slow
