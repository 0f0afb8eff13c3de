"""Rich rendering of the indicator catalog for the command line (``jixiao catalog …``).

Laid out for an 80-column terminal with double-width CJK text: long names wrap
inside their cell, and the 一级/二级 column drops the redundant 「指标」 suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from indicator_catalog.model import (
    BUILTIN_ORIGIN,
    DIRECTION_LABELS,
    KIND_LABELS,
    RANK_KIND_LABELS,
    SOURCE_LABELS,
    Entry,
    Match,
)
from scorer.model import Direction

_COMPARATOR_SYMBOLS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}
_DIRECTION_HINTS: dict[str, str] = {
    Direction.POSITIVE: "越大越好",
    Direction.REVERSE: "越小越好",
    Direction.EQUAL: "等于目标为好",
    Direction.QUALITATIVE: "按达成程度判断",
}

# Short labels keep the 匹配方式 column narrow at 80 columns.
MATCH_LABELS = {"exact": "完全", "prefix": "前缀", "initials": "首字母", "pinyin": "全拼", "substring": "包含"}

FIELD_LABELS = {
    "name": "名称",
    "aliases": "别名",
    "level1": "一级指标",
    "level2": "二级指标",
    "direction": "方向",
    "kind": "值类型",
    "unit": "默认单位",
    "comparator": "常用比较符",
    "definition": "定义",
    "source": "来源",
    "origin": "所在文件",
}


def _short_level(level: str) -> str:
    return level[:-2] if level.endswith("指标") and len(level) > 2 else level


def levels_text(entry: Entry) -> str:
    """「产出 / 数量」: the 一级 and 二级 without their 「指标」 suffix (wraps at the slash)."""
    return f"{_short_level(entry.level1)} / {_short_level(entry.level2)}"


def comparator_text(comparator: str) -> str:
    if not comparator:
        return "（无，定性指标）"
    return f"{_COMPARATOR_SYMBOLS.get(comparator, comparator)}（{comparator}）"


def origin_text(entry: Entry) -> str:
    return "内置指标库" if entry.origin == BUILTIN_ORIGIN else entry.origin


def render_search(console: Console, matches: Sequence[Match], query: str | None = None) -> None:
    """A ranked table: 序号, 三级指标, 一级/二级, 方向, 单位, 匹配方式."""
    if not matches:
        msg = f"没有找到与「{query}」匹配的指标。" if query else "没有找到匹配的指标。"
        console.print(Text(msg))
        return
    title = f"「{query}」的搜索结果（{len(matches)} 条）" if query else None
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, expand=False, title_justify="left")
    table.add_column("序号", justify="right", no_wrap=True)
    table.add_column("三级指标", ratio=1, min_width=14, overflow="fold")
    table.add_column("一级/二级", max_width=16)  # 「满意度 / 服务对象满意度」 wraps at the slash
    table.add_column("方向", no_wrap=True)
    table.add_column("单位", no_wrap=True)
    table.add_column("匹配方式", no_wrap=True)
    for i, m in enumerate(matches, start=1):
        e = m.entry
        name = Text(e.name, style="bold")
        if m.via_alias:
            name.append(f"\n别名：{m.matched}", style="dim")
        table.add_row(
            str(i),
            name,
            Text(levels_text(e)),
            Text(DIRECTION_LABELS.get(e.direction, e.direction)),
            Text(e.unit or "—"),
            Text(MATCH_LABELS.get(m.rank_kind) or RANK_KIND_LABELS.get(m.rank_kind, m.rank_kind)),
        )
    console.print(table)


def render_entry(console: Console, entry: Entry) -> None:
    """One entry in full, with Chinese field labels."""
    table = Table(box=box.ROUNDED, show_header=False, pad_edge=True)
    table.add_column("字段", style="bold", no_wrap=True)
    table.add_column("内容", overflow="fold", max_width=60)
    direction = DIRECTION_LABELS.get(entry.direction, entry.direction)
    hint = _DIRECTION_HINTS.get(entry.direction)
    rows = [
        ("name", entry.name),
        ("aliases", "、".join(entry.aliases) if entry.aliases else "（无）"),
        ("level1", entry.level1),
        ("level2", entry.level2),
        ("direction", f"{direction}（{entry.direction}{'，' + hint if hint else ''}）"),
        ("kind", f"{KIND_LABELS.get(entry.kind, entry.kind)}（{entry.kind}）"),
        ("unit", entry.unit or "（无）"),
        ("comparator", comparator_text(entry.comparator)),
        ("definition", entry.definition),
        ("source", f"{SOURCE_LABELS.get(entry.source, entry.source)}（{entry.source}）"),
        ("origin", origin_text(entry)),
    ]
    for field, value in rows:
        table.add_row(Text(FIELD_LABELS[field]), Text(value))
    console.print(table)


def render_problems(console: Console, path: str | PathLike[str], problems: Sequence[str]) -> None:
    """The result of ``jixiao catalog check FILE``: every problem, numbered, or an all-clear line."""
    label = str(path)
    if not problems:
        console.print(Text(f"✓ {label}：没有发现问题。", style="green"))
        return
    console.print(Text(f"✗ {label}：发现 {len(problems)} 个问题", style="bold red"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="red", no_wrap=True)
    grid.add_column(overflow="fold")  # wrapped lines hang under the message, not under the number
    for i, problem in enumerate(problems, start=1):
        # Text, not markup: messages contain [[indicator]] and must not be read as rich markup
        grid.add_row(Text(f"{i}."), Text(problem))
    console.print(grid)


__all__ = [
    "FIELD_LABELS",
    "MATCH_LABELS",
    "comparator_text",
    "levels_text",
    "origin_text",
    "render_entry",
    "render_problems",
    "render_search",
]
