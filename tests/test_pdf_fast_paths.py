"""PDF rendering's shortcuts (#18) give reportlab's own bytes: font subsets, plain cells, line breaks."""

from __future__ import annotations

import itertools
import random

import pytest

pytest.importorskip("reportlab")

from reportlab.lib.textsplit import wordSplit  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.platypus import Paragraph  # noqa: E402
from reportlab.platypus.paraparser import ParaParser  # noqa: E402

from bench.generate import generate  # noqa: E402
from jixiao.pdf import blocks  # noqa: E402
from jixiao.pdf.blocks import Cell, make_styles, plain_frags, split_lines  # noqa: E402
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
        parsed_style, parsed, bullets = ParaParser().parse(blocks.cleanBlockQuotedText(text), style)
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


def _forms() -> list:  # type: ignore[type-arg]
    samples = [load_form(p) for p in sorted(SAMPLES.glob("*.toml"))]
    return samples + list(itertools.islice(generate(2000, seed=3), 6))


def test_forms_render_to_the_same_bytes_as_without_the_shortcuts(font, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    results = [score_form(f) for f in _forms()]
    layouts = ("hubei", "national")
    fast = [render_pdf(r, layout=lay, font=font) for r in results for lay in layouts]
    face = _face(font)
    monkeypatch.setattr(face, "makeSubset", type(face).makeSubset.__get__(face))
    monkeypatch.setattr(blocks, "plain_frags", lambda text, style: None)
    monkeypatch.setattr(blocks, "_PARSED", {})
    monkeypatch.setattr(blocks, "_SHARED", {})
    monkeypatch.setattr(blocks, "_WRAPS", {})
    monkeypatch.setattr(Cell, "breakLinesCJK", Paragraph.breakLinesCJK)
    slow = [render_pdf(r, layout=lay, font=font) for r in results for lay in layouts]
    assert fast == slow
