"""The plain layout writes what Rich writes, byte for byte, or declines (#18).

``jixiao score DIR`` lays its tables out on strings when there is no colour
(``jixiao.plain_layout``). Each test prints the same renderables with Rich and compares: the real
forms (samples and the corpus) at many widths, and hypothesis-built tables, panels and rules with
CJK, full-width punctuation, long words and spaces, under every setting ``terminal`` uses.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from jixiao import plain_layout, terminal
from jixiao.scoring import BUILTIN, score_form
from scorer.formfile import load_form
from scorer.rules import rules_for

ROOT = Path(__file__).resolve().parents[1]
FORMS = sorted((ROOT / "samples").glob("*.toml")) + [
    p for p in sorted((ROOT / "tests" / "corpus").glob("*.toml")) if p.name != "known_disagreements.toml"
]


def _console(width: int, color: bool = False) -> Console:
    return Console(highlight=False, width=width, file=io.StringIO(), color_system="truecolor" if color else None)


def _rich(console: Console, renderables: list) -> str:
    with console.capture() as captured:
        for r in renderables:
            console.print(r)
    return captured.get()


def _scored(path: Path):  # type: ignore[no-untyped-def]
    form = load_form(path)
    return score_form(form, rules_for(form, None), BUILTIN)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_real_forms_are_laid_out_as_rich_lays_them_out(path: Path) -> None:
    result = _scored(path)
    for width in (50, 80, 109, 110, 160):
        for explain in (False, True):
            console = _console(width)
            with console.capture() as captured:
                terminal.print_form(console, result, str(path), explain)
            rule = Rule(Text(str(path), style="dim"))
            fast = plain_layout.printed(console, [rule, terminal.render_form(result, explain, width)])
            assert fast is not None, f"宽 {width} 时未走快速排版"
            assert fast == captured.get(), f"宽 {width}，explain={explain}"
            assert terminal.form_text(console, result, str(path), explain) == captured.get()


def test_a_colour_console_is_left_to_rich() -> None:
    result = _scored(ROOT / "samples" / "2024-laoganbu-gongzuo.toml")
    console = _console(100, color=True)
    assert plain_layout.printed(console, [terminal.render_form(result, False, 100)]) is None
    text = terminal.form_text(console, result, "x.toml")
    assert "\x1b[" in text  # the colours are still there


def test_a_soft_wrapping_console_is_left_to_rich() -> None:
    console = Console(width=20, file=io.StringIO(), color_system=None, soft_wrap=True)
    assert plain_layout.printed(console, [Text("一行很长的文字" * 5)]) is None


@pytest.mark.parametrize(
    "renderable",
    [
        "[bold]标记[/bold]",  # markup in a plain string
        ":smile: 表情代码",
        Text("制表\t符"),
        Text("不换行结尾", end=""),
        Panel("x", expand=False),
        Table.grid(padding=(1, 1)),
        object(),
    ],
    ids=["markup", "emoji", "tab", "end", "panel-fit", "vertical-padding", "other"],
)
def test_what_it_does_not_follow_is_declined(renderable: object) -> None:
    if isinstance(renderable, Table):
        renderable.add_column()
        renderable.add_row("甲")
    assert plain_layout.printed(_console(80), [renderable]) is None


# Hypothesis: tables, panels and rules as terminal builds them, with hostile texts ------------

_CHARS = st.sampled_from(list("绩效自评表指标目标值实际完成（）：；、，。ab12 .%≥≤-—☑☐") + ["  ", "\n", "　"])
_TEXT = st.lists(_CHARS, max_size=30).map("".join)
_WORD = st.sampled_from(["", "—", "10", "98.10", "达成", "待判断", "≥75户", "2024-12-31"])


@st.composite
def _tables(draw: st.DrawFn) -> Table:
    grid = draw(st.booleans())
    padding = draw(st.sampled_from([0, (0, 1), (0, 2), (0, 1, 0, 2)]))
    if grid:
        t = Table.grid(padding=padding, collapse_padding=draw(st.booleans()), pad_edge=draw(st.booleans()))
    else:
        t = Table(
            title=draw(st.sampled_from([None, "年度绩效目标（50分）", "得分汇总"])),
            title_justify=draw(st.sampled_from(["left", "center", "right"])),
            caption=draw(st.sampled_from([None, "基本支出总额 12.00 万元"])),
            box=draw(st.sampled_from([box.SQUARE, box.SIMPLE_HEAD, box.ROUNDED, box.HEAVY_HEAD, None])),
            padding=padding,
            pad_edge=draw(st.booleans()),
            collapse_padding=draw(st.booleans()),
            show_header=draw(st.booleans()),
            show_edge=draw(st.booleans()),
        )
    for _ in range(draw(st.integers(1, 6))):
        t.add_column(
            draw(st.sampled_from(["", "序", "三级指标", "实际完成值", "分值"])),
            justify=draw(st.sampled_from(["left", "right", "center"])),
            no_wrap=draw(st.booleans()),
            overflow=draw(st.sampled_from(["fold", "ellipsis", "crop"])),
            min_width=draw(st.sampled_from([None, 4, 8])),
            max_width=draw(st.sampled_from([None, 4, 12])),
            width=draw(st.sampled_from([None, None, None, 14])),
            ratio=draw(st.sampled_from([None, 2, 3])),
        )
    for _ in range(draw(st.integers(0, 5))):
        cells = [
            draw(st.one_of(_WORD, _TEXT.map(Text), _TEXT.map(lambda s: Text(s, justify="right")))) for _ in t.columns
        ]
        t.add_row(*cells, end_section=draw(st.booleans()))
    return t


_RENDERABLES = st.one_of(
    _tables(),
    _TEXT.map(Text),
    _TEXT.map(lambda s: Text(s, justify="center")),
    st.builds(
        lambda t, title: Panel(t, title=title, title_align="left", box=box.ROUNDED),
        _tables(),
        st.sampled_from([None, "计分说明", "问题（3）"]),
    ),
    _TEXT.map(lambda s: Rule(Text(s))),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_RENDERABLES, min_size=1, max_size=3), st.integers(8, 140))
def test_any_such_layout_is_rich_s_or_declined(renderables: list, width: int) -> None:
    console = _console(width)
    fast = plain_layout.printed(console, [Group(*renderables)])
    if fast is not None:
        assert fast == _rich(console, [Group(*renderables)])


def test_the_form_list_is_rich_s_at_every_width(tmp_path: Path) -> None:
    """``jixiao list`` lays a province's forms out on strings (emit); the same bytes as Rich."""
    from jixiao.cli.db import forms_table
    from tests.tui_support import seeded_store

    rows = seeded_store(tmp_path, actor="项目负责人").list()
    for width in (40, 80, 120, 200):
        fast, slow = _console(width), _console(width)
        terminal.emit(fast, forms_table(rows, f"表单（{len(rows)} 份）"))
        slow.print(forms_table(rows, f"表单（{len(rows)} 份）"))
        assert width < 80 or plain_layout.printed(fast, [forms_table(rows)]) is not None
        assert fast.file.getvalue() == slow.file.getvalue()  # type: ignore[attr-defined]
        assert len(fast.file.getvalue().splitlines()) > len(rows)  # type: ignore[attr-defined]


def test_a_capturing_console_keeps_what_emit_prints() -> None:
    console = _console(80)
    with console.capture() as captured:
        terminal.emit(console, Text("甲乙丙"))
    assert captured.get() == "甲乙丙\n" and console.file.getvalue() == ""  # type: ignore[attr-defined]
