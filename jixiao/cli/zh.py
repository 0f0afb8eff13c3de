"""argparse in Chinese: its own messages (usage, headings, errors) translated in one place.

argparse looks its messages up through the module-level ``_``/``ngettext`` at call
time, so replacing those two names is enough; anything not listed stays as it was.
"""

from __future__ import annotations

import argparse
import re

from scorer.model import FIRST_YEAR, LAST_YEAR

MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid %(type)s value: %(value)r": "应为%(type)s：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "ignored explicit argument %r": "忽略了显式参数 %r",
}
PLURALS = {
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}


#: the Python type names argparse puts in "invalid %(type)s value", as a user reads them
TYPE_NAMES = {"int": "整数", "float": "数字", "Decimal": "数字", "Path": "路径", "str": "文本"}


class _Typed(str):
    """A message whose ``%(type)s`` is said in Chinese (argparse fills it with ``int``)."""

    def __mod__(self, values: object) -> str:
        if isinstance(values, dict) and "type" in values:
            values = {**values, "type": TYPE_NAMES.get(str(values["type"]), str(values["type"]))}
        return str.__mod__(self, values)


def _(message: str) -> str:
    said = MESSAGES.get(message, message)
    return _Typed(said) if "%(type)s" in said else said


def _ngettext(singular: str, plural: str, n: int) -> str:
    text = singular if n == 1 else plural
    return PLURALS.get(text, text)


_HEADING = re.compile(r"^(\S[^\n]*):$", re.MULTILINE)
_plain_format_help = argparse.ArgumentParser.format_help


_OPTION_LINE = re.compile(r"^(  +-\S(?: ?\S)*)( {2,})(?=\S)", re.MULTILINE)


def _format_help(parser: argparse.ArgumentParser) -> str:
    """Section headings end with a Chinese colon (位置参数：), as the rest of the help does; an
    option whose value is named in Chinese (--status 状态) has its help in the column of the others;
    the usage lines fit the terminal in cells."""
    return _usage_in_cells(_OPTION_LINE.sub(_aligned, _HEADING.sub(r"\1：", _plain_format_help(parser))))


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


_USAGE_PART = re.compile(r"\(.*?\)+(?=\s|$)|\[.*?\]+(?=\s|$)|\S+")  # argparse's own parts of a usage


def _usage_in_cells(text: str) -> str:
    """The usage wrapped again by cells where argparse's wrapping by characters ran past the terminal
    (用法： and metavars such as 年度 are two cells a character): same parts, same indent rule."""
    import shutil

    width = shutil.get_terminal_size().columns - 2  # as argparse.HelpFormatter
    head, sep, rest = text.partition("\n\n")
    if not head.startswith("用法：") or all(_cells(x) <= width for x in head.splitlines()):
        return text
    parts = _USAGE_PART.findall(" ".join(head.split()))
    first = next((i for i, x in enumerate(parts) if x.startswith(("[", "-", "("))), len(parts))
    lines, indent = [" ".join(parts[:first])], " " * (_cells(" ".join(parts[:first])) + 1)
    for part in parts[first:]:
        if _cells(lines[-1]) + 1 + _cells(part) > width and lines[-1].strip() and lines[-1] != indent.rstrip():
            lines.append(indent + part)
        else:
            lines[-1] = f"{lines[-1]} {part}"
    return "\n".join(lines) + sep + rest


def _aligned(m: re.Match[str]) -> str:
    """argparse pads by characters, and a wide character takes two columns: the help goes back to
    the column of the others (argparse's: where it put it by characters), or below, in that
    column, when the option is too wide to leave two spaces before it."""
    invocation, gap = m.group(1), m.group(2)
    column = len(invocation) + len(gap)
    cells = _cells(invocation)
    if cells + 2 <= column:
        return invocation + " " * (column - cells)
    return invocation + "\n" + " " * column


def _cell_lines(text: str, width: int) -> list[str]:
    """``text`` folded to ``width`` terminal cells, a wide character taking two (argparse wraps by
    characters, so a Chinese help ran past the terminal's edge); words and numbers are not split."""
    from jixiao.line_breaks import divide_line

    text = " ".join(text.split())
    starts = [0, *divide_line(text, max(width, 10), fold=True), len(text)]
    return [text[a:b].rstrip() for a, b in zip(starts, starts[1:], strict=False) if text[a:b].strip()]


def _split_lines(self: argparse.HelpFormatter, text: str, width: int) -> list[str]:
    return _cell_lines(text, width)


def _fill_text(self: argparse.HelpFormatter, text: str, width: int, indent: str) -> str:
    return "\n".join(indent + line for line in _cell_lines(text, width))


def install() -> None:
    """Make argparse speak Chinese (idempotent; call before the parsers are built)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]
    argparse.ArgumentParser.format_help = _format_help  # type: ignore[method-assign,assignment]
    argparse.HelpFormatter._split_lines = _split_lines  # type: ignore[method-assign]
    argparse.HelpFormatter._fill_text = _fill_text  # type: ignore[method-assign]


def positive_int(text: str) -> int:
    """An argument type: a whole number of at least 1, refused in Chinese otherwise."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return value


def rule_set_name(text: str) -> str:
    """An argument type: the name of a built-in rule set (a stored form keeps the name, so never a
    file path), refused in Chinese with the names there are."""
    from scorer.rules import available

    names = available()
    if text not in names:
        raise argparse.ArgumentTypeError(f"没有名为「{text}」的规则集；可用：{'、'.join(names)}")
    return text


def add_status_filter(p: argparse.ArgumentParser, scope: str = "") -> None:
    """``--status``: the status as the screens and tables show it (草稿, 已审核 …) or its English
    value (draft, approved …), the same for every command that filters by it."""
    from jixiao.workflow import State

    both = "、".join(f"{s.label} {s.value}" for s in State)
    p.add_argument("--status", type=form_status, metavar="状态", help=f"状态：{both}{scope}")


def form_status(text: str) -> str:
    """An argument type: a form's status by its Chinese label or English value, as the value."""
    from jixiao.workflow import State

    said = text.strip()
    for s in State:
        if said in (s.value, s.label, s.label.removeprefix("已")):
            return s.value
    raise argparse.ArgumentTypeError(
        f"未知的状态「{text}」；可用：{'、'.join(s.label for s in State)}（或 draft 等英文值）"
    )


#: the most a count option (--limit, --groups …) takes: more than any database holds, less than SQLite's integers
MAX_COUNT = 1_000_000_000


def year_value(text: str) -> int:
    """An argument type: a year a form may have, refused in Chinese otherwise (a filter by a year past
    the database's integers was 内部错误, and targets derive wrote forms of year 99999999999999999999)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"应为 {FIRST_YEAR} 到 {LAST_YEAR} 之间的四位年份，如 2024：{text}")
    return value


def count_value(text: str) -> int:
    """An argument type: how many (0 or more, at most MAX_COUNT), refused in Chinese otherwise."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"应为 0 到 {MAX_COUNT} 之间的整数：{text}")
    return value
