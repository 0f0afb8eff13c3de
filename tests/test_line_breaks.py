"""A printed number is never split across lines (jixiao.line_breaks).

Rich folds a long CJK cell at any character: at 80 columns the 睢溪 form's 「一户年最高5300元」 read
「…最高530」 / 「0元」 and at 120 the 94 form's department read 「终端故障12」 / 「76次」. The break now moves
to before the number; a run longer than the line is still folded (nothing else can show it).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from jixiao.cli import main
from jixiao.line_breaks import divide_line, tokens

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"


def _lines(text: str, width: int) -> list[str]:
    offsets = [0, *divide_line(text, width), len(text)]
    return [text[a:b] for a, b in zip(offsets, offsets[1:], strict=False)]


@pytest.mark.parametrize(
    ("text", "width", "kept"),
    [
        ("扶贫临时救助标准——一户年最高5300元", 16, "5300"),
        ("全年处置终端故障1276次", 18, "1276次"),
        ("完成时间为2022年12月30日", 12, "2022年"),
        ("体检率提高2%", 12, "2%"),
        ("资金2024年项目支出总额4291.37万元", 20, "4291.37万元"),
        ("覆盖率≥95.5%以上", 8, "≥95.5%"),
        ("故障率控制在≤5次", 14, "≤5次"),
        ("同比增长率－5%", 12, "－5%"),
        ("水温误差±0.5℃", 10, "±0.5℃"),
        ("群众满意度＞90%", 12, "＞90%"),
        ("周期为10～20天", 10, "10～20天"),
        ("满意度达到９５．５％以上", 16, "９５．５％"),
        ("满意度达到95．5%以上", 14, "95．5%"),
        ("完成率达到ＡＢＣ１２３号", 16, "ＡＢＣ１２３号"),
        ("会议于上午9：30开始", 13, "9：30"),
        ("项目资金共12，345.67万元", 14, "12，345.67万元"),
        ("武昌区经济信息化和科技创新局（部门整体支出）", 10, "（部"),
        ("完成率达到百分之百。", 18, "百。"),
        ("产品質(zhì)量合格率", 5, "(zhì)"),
        ("平均水温保持在25℃以上", 4, "25℃"),
        ("不良率控制在5‰以内", 5, "5‰"),
        ("补助标准为每人¥5300元", 5, "¥5300"),
        ("新增绿化面积1200m²", 9, "1200m²"),
    ],
)
def test_a_number_stays_on_one_line(text: str, width: int, kept: str) -> None:
    lines = _lines(text, width)
    assert "".join(lines) == text
    assert any(kept in line for line in lines), lines
    assert all(cell_len(line.rstrip()) <= width for line in lines)


@pytest.mark.parametrize("text", ["你好世界", "指标名称：满意度", "a你b好"])
def test_a_line_narrower_than_a_character_gets_no_empty_lines(text: str) -> None:
    """A Rich table squeezes a column to one cell: each wide character then stands on its own line, as
    Rich's own divide_line puts it, never after an empty one (a break given twice at one offset)."""
    from rich._wrap import divide_line as rich_divide_line

    breaks = divide_line(text, 1)
    assert len(breaks) == len(set(breaks)), breaks
    assert all(_lines(text, 1)), _lines(text, 1)
    if all(ord(c) > 0x2E80 for c in text):  # one Rich word: Rich breaks it the same way
        assert breaks == rich_divide_line(text, 1)


def test_a_run_longer_than_the_line_is_still_folded() -> None:
    lines = _lines("编号00021R000000019951", 8)
    assert "".join(lines) == "编号00021R000000019951" and all(cell_len(x) <= 8 for x in lines)


def test_rich_itself_wraps_by_the_rule() -> None:
    out = io.StringIO()
    Console(file=out, width=18, color_system=None).print(Text("全年处置终端故障1276次"))
    assert out.getvalue().splitlines() == ["全年处置终端故障", "1276次"]


CJK = st.sampled_from("一户年最高元次完成率提高，。（）、")
ASCII = st.sampled_from("0123456789.%-/ìé²℃‰¥(")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CJK, ASCII, st.just(" ")), max_size=60).map("".join), st.integers(2, 30))
def test_breaks_fit_and_split_a_run_only_when_it_cannot_fit(text: str, width: int) -> None:
    assume(not text[:1].isspace())  # leading spaces belong to the first piece, as in Rich, and fold with it
    lines = _lines(text, width)
    assert "".join(lines) == text
    assert all(cell_len(line.rstrip()) <= width for line in lines)
    spans = tokens(text)
    at = 0
    for line in lines[:-1]:
        at += len(line)
        # a run that must stay whole (a number, an ASCII word, a character and its punctuation) is
        # split only when it began the line or is wider than a line
        inside = next(((s, e) for s, e in spans if s < at < e), None)
        if inside is not None and not text[at - 1].isspace() and not text[at].isspace():
            start, end = inside
            assert start <= at - len(line) or cell_len(text[start:end]) > width, (text, width, lines)


def _split_numbers(monkeypatch: pytest.MonkeyPatch, paths: list[Path], width: int) -> list[str]:
    """Every break that split a number which fits on a line, in whatever lays out ``score``'s output."""
    from rich import text as rich_text

    from jixiao import plain_layout

    split: list[str] = []

    def recording(divide: Callable[..., list[int]]) -> Callable[..., list[int]]:
        def spy(text: str, width: int, fold: bool = True) -> list[int]:
            offsets = divide(text, width, fold)
            for at in offsets:
                run = next(((s, e) for s, e in tokens(text) if s < at < e), None)
                if run and text[at - 1].isascii() and text[at].isascii() and cell_len(text[run[0] : run[1]]) <= width:
                    split.append(f"{text[:at]}|{text[at:]}")
            return offsets

        return spy

    monkeypatch.setattr(rich_text, "divide_line", recording(rich_text.divide_line))
    monkeypatch.setattr(plain_layout, "divide_line", recording(plain_layout.divide_line))
    for colour in (None, "truecolor"):  # the plain-string layout and Rich's own
        out = Console(file=io.StringIO(), width=width, color_system=colour)
        main(["score", *map(str, paths)], out=out, err=Console(file=io.StringIO()))
    return split


@pytest.mark.parametrize("width", [80, 100, 120])
def test_score_of_real_forms_splits_no_number(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    paths = [CORPUS / "2019-anhui-suixi-linshijiuzhu.toml", ROOT / "samples" / "2024-jingkeju-zhengti.toml"]
    assert _split_numbers(monkeypatch, paths, width) == []


def test_the_tui_wraps_by_the_rule() -> None:
    """Textual lays out its own text (``textual.content``); the TUI points it at the same rule."""
    from textual.content import Content

    import tui  # noqa: F401  (installs the rule into Textual)

    assert [line.plain for line in Content("全年处置终端故障1276次").wrap(18)] == ["全年处置终端故障", "1276次"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CJK, ASCII, st.just(" ")), max_size=80).map("".join), st.integers(2, 30))
def test_each_line_is_filled_as_far_as_the_next_piece_allows(text: str, width: int) -> None:
    """Chinese is set by filling lines: a line ends early only when the next piece does not fit on it.
    Rich breaks at spaces, so 「…警告数（jixiao list」 ended a line of 100 cells at 48."""
    from jixiao.line_breaks import words

    offsets = [0, *divide_line(text, width), len(text)]
    pieces = words(text)
    for a, b in zip(offsets, offsets[1:-1], strict=False):
        nxt = next(((s, e) for s, e in pieces if s == b), None)
        if (
            nxt is not None and a != nxt[0]
        ):  # not a fold inside one piece longer than the line  # the line held more than a fold of one long piece
            assert cell_len(text[a : nxt[1]].rstrip()) > width, (text, width, a, b)


ENGLISH = st.sampled_from("abcdefghij0123456789-/.:")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ENGLISH, st.just(" ")), max_size=80).map("".join), st.integers(1, 30))
def test_text_without_chinese_breaks_where_rich_breaks_it(text: str, width: int) -> None:
    from rich._wrap import divide_line as rich_divide_line

    assert divide_line(text, width) == rich_divide_line(text, width)
    assert divide_line(text, width, fold=False) == rich_divide_line(text, width, fold=False)


def test_a_long_chinese_sentence_fills_its_lines() -> None:
    text = (
        "错/警：各表单表内检查的错误/警告数（jixiao list 的「问题」是同一批检查，另计提示）；跨表问题另列，"
        "不计入（jixiao check --from-db 在各表单下分列「表内问题」与「跨表问题」）"
    )
    lines = _lines(text, 100)
    assert len(lines) == 2 and cell_len(lines[0].rstrip()) >= 98, lines


GRAPHEMES = st.sampled_from(
    ["e\u0301", "\u0301", "⌚\ufe0e", "❤\ufe0f", "\u200d", "👨\u200d👩", "🇨🇳", "\u3099", "\r", "ｱ"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(CJK, ASCII, GRAPHEMES, st.just(" ")), max_size=150).map("".join), st.integers(1, 40))
def test_no_break_inside_a_grapheme(text: str, width: int) -> None:
    """A combining mark, joiner or variation selector stays with what it marks (a cut grapheme measures
    differently in its two halves), unless a grapheme wider than the line must be folded."""
    from rich.cells import split_graphemes

    starts = {s for s, _, _ in split_graphemes(text)[0]}
    for at in divide_line(text, width):
        assert at in starts or cell_len(text) > width, (text, width, at)


def test_a_long_text_is_divided_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long narrative (the TUI re-wraps on each resize) is measured piece by piece, once: dividing all
    the rest of the text for every line took 4.6 s for 20,000 characters."""
    from jixiao import line_breaks

    measured: list[int] = []

    def counting(text: str) -> int:
        measured.append(len(text))
        return cell_len(text)

    monkeypatch.setattr(line_breaks, "cell_len", counting)
    text = "全年处置终端故障1276次" * 1000
    lines = _lines(text, 40)
    assert "".join(lines) == text and all("1276次" in line for line in lines[1:-1])
    assert sum(measured) < 4 * len(text), sum(measured)


def test_only_short_texts_are_kept_with_their_breaks() -> None:
    """The breaks are kept per text for the names and targets a province repeats; a long narrative (a
    cell holds up to 50,000 characters) is divided afresh: 0.5 MB each in 10 cells, 4,096 kept held 2 GB."""
    from jixiao import line_breaks

    line_breaks._breaks.cache_clear()
    long = "绩效目标完成情况说明" * 500
    assert divide_line(long, 40) == divide_line(long, 40)
    assert line_breaks._breaks.cache_info().currsize == 0
    divide_line("绩效目标完成情况说明" * 5, 40)
    assert line_breaks._breaks.cache_info().currsize == 1
