"""Everything argparse prints is Chinese (issue 15, "Chinese everywhere")."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "error:", "invalid choice", "required:")


def _jixiao(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("score", "--help"), ("db", "--help"), ("score",), ("workflow", "nothing", "x"), ("--bogus",)],
)
def test_help_and_usage_errors_are_in_chinese(argv: tuple[str, ...]) -> None:
    proc = _jixiao(*argv)
    shown = proc.stdout + proc.stderr
    assert "用法：" in shown
    assert not [w for w in ENGLISH if w in shown], shown
    assert proc.returncode in (0, 2)
    headings = [x for x in shown.splitlines() if x and not x[0].isspace() and x.rstrip().endswith(":")]
    assert not headings, headings  # 位置参数：, 选项：: the Chinese colon, as everywhere else


@pytest.mark.parametrize(
    ("name", "text", "chinese"),
    [
        ("a.toml", 'year = 2024\nproject_name = "x\n', "非法字符"),
        ("b.toml", "a = 1\na = 2\n", "不能覆盖"),
        ("c.toml", "a = [1, 2\n", "数组没有闭合"),
        ("d.toml", "a = \n", "值无效"),
        ("e.json", '{"year": 2024,, }', "双引号"),
        ("f.json", "[1, 2", "逗号"),
        ("g.json", '{"a": 1} x', "多余内容"),
        ("h.json", '{"a": }', "应有一个值"),
    ],
)
def test_toml_and_json_syntax_errors_are_chinese(tmp_path, name: str, text: str, chinese: str) -> None:  # type: ignore[no-untyped-def]
    import re

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc = _jixiao("score", str(path))
    assert proc.returncode == 1
    line = next(ln for ln in proc.stderr.splitlines() if "语法错误" in ln)
    assert chinese in line and ("第 " in line or "文件末尾" in line)
    assert not re.search(r"\b(Expecting|Illegal|Invalid|Unterminated|Extra|Cannot|Unclosed)\b", line), line


def _subcommands() -> list[tuple[str, ...]]:
    import argparse

    from jixiao.cli.app import build_parser

    found: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        found.append(path)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return found


def test_every_options_help_starts_in_one_column() -> None:
    """argparse pads an option by characters: ``--status 状态`` and ``--profile 画像`` had their help
    two columns right of the others'."""
    import io
    import unicodedata
    from contextlib import redirect_stdout

    from jixiao.cli.app import build_parser

    def cells(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    for path in _subcommands():
        shown = io.StringIO()
        with redirect_stdout(shown), pytest.raises(SystemExit):
            build_parser().parse_args([*path, "--help"])
        columns = {cells(m.group(1)) for m in re.finditer(r"^(  +-\S(?: ?\S)*  +)\S", shown.getvalue(), re.MULTILINE)}
        assert len(columns) <= 1, (path, columns, shown.getvalue())


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_every_help_fits_the_terminal_in_cells(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """argparse wraps by characters, and a Chinese character takes two cells: help lines of ``export``
    (``--profile``) and others ran past an 80-column terminal. Every line of every command's help fits."""
    import io
    import unicodedata
    from contextlib import redirect_stdout

    from jixiao.cli.app import build_parser

    monkeypatch.setenv("COLUMNS", str(columns))
    wide = []
    for path in _subcommands():
        shown = io.StringIO()
        with redirect_stdout(shown), pytest.raises(SystemExit):
            build_parser().parse_args([*path, "--help"])
        for line in shown.getvalue().splitlines():
            cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
            alone = re.fullmatch(r"\[[^\[\]]*\]|\S+", line.strip())  # one part that cannot be broken
            if cells > columns and not alone:
                wide.append((path, cells, line))
    assert wide == []


@pytest.mark.parametrize(
    ("given", "value"), [("已签章", "signed"), ("草稿", "draft"), ("审核", "approved"), ("submitted", "submitted")]
)
def test_a_status_is_given_as_it_is_shown(given: str, value: str) -> None:
    """The tables say 已签章; --status took only signed, and listed only the English values."""
    from jixiao.cli.app import build_parser

    for command in (
        ["list"],
        ["export", "-o", "x"],
        ["check", "--from-db"],
        ["review"],
        ["workflow", "approve", "--all"],
    ):
        assert build_parser().parse_args([*command, "--status", given]).status == value


def test_an_unknown_status_names_the_chinese_ones() -> None:
    proc = _jixiao("list", "--status", "通过")
    assert proc.returncode == 2
    assert "未知的状态「通过」" in proc.stderr and "已签章" in proc.stderr
    help_text = _jixiao("list", "--help").stdout
    assert "已签章 signed" in help_text


_YEAR_OPTIONS = [
    ["list"],
    ["export", "-o", "x"],
    ["check", "--from-db"],
    ["review"],
    ["monitor", "check", "--from-db"],
    ["workflow", "approve", "--all"],
    ["targets", "derive", "samples", "-o", "x"],
    ["targets", "check", "--from-db"],
    ["publish", "--department", "经济", "-o", "x"],
]


@pytest.mark.parametrize("command", _YEAR_OPTIONS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("year", ["99999999999999999999", "-1", "3000", "二〇二四"])
def test_a_year_no_form_can_have_is_refused_by_every_command(command: list[str], year: str) -> None:
    """review/monitor --year 99999999999999999999 were 内部错误 (past SQLite's integers); targets
    derive wrote nine declarations of that year."""
    import contextlib
    import io

    from jixiao.cli.app import build_parser

    said = io.StringIO()
    with contextlib.redirect_stderr(said), pytest.raises(SystemExit) as ended:
        build_parser().parse_args([*command, "--year", year])
    assert ended.value.code == 2
    assert "应为 1990 到 2100 之间的四位年份" in said.getvalue(), said.getvalue()
    assert build_parser().parse_args([*command, "--year", "2024"]).year == 2024


@pytest.mark.parametrize(
    "command",
    [
        ["review", "--limit"],
        ["review", "--groups"],
        ["review", "--portfolio-limit"],
        ["catalog", "search", "x", "--limit"],
        ["users", "log", "--limit"],
    ],
)
def test_a_count_below_zero_or_past_any_database_is_refused(command: list[str]) -> None:
    for bad in ("-5", "99999999999999999999"):
        proc = _jixiao(*command, bad)
        assert proc.returncode == 2, proc.stderr
        assert "应为 0 到 1000000000 之间的整数" in proc.stderr and "内部错误" not in proc.stderr


def test_every_option_says_what_it_is_in_chinese() -> None:
    """export --format, keys new -o, list/export/review --year and publish --year had no help at all."""
    import argparse

    from jixiao.cli.app import build_parser

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[str]:
        bare = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    bare += walk(sub, (*path, name))
            elif action.option_strings and action.help is not argparse.SUPPRESS:
                if not action.help or not any("\u4e00" <= ch <= "\u9fff" for ch in action.help):
                    bare.append(f"{' '.join(path)} {'/'.join(action.option_strings)}")
        return bare

    assert walk(build_parser(), ("jixiao",)) == []


@pytest.mark.parametrize(
    ("argv", "said"), [(("serve", "--port", "abc"), "应为整数：'abc'"), (("review", "--seed", "x"), "应为整数：'x'")]
)
def test_a_value_of_the_wrong_kind_is_named_in_chinese(argv: tuple[str, ...], said: str) -> None:
    """Not 「无效的 int 值」: Python's type name is no word a user reads."""
    proc = _jixiao(*argv)
    assert proc.returncode == 2
    assert said in proc.stderr and "int" not in proc.stderr.replace("jixiao", ""), proc.stderr
