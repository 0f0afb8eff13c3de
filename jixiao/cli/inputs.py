"""Reading many input files for a command: each readable one with its name, each failure said once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.text import Text

from scorer.errors import JixiaoError

T = TypeVar("T")


def say_error(err: Console, message: str) -> None:
    from jixiao.safe_text import display

    err.print(Text.assemble(("错误：", "bold red"), display(message, limit=4000)), soft_wrap=True)


def load_each(paths: list[Path], load: Callable[[Path], T], err: Console) -> tuple[list[tuple[str, T]], int]:
    """(source, value) of every file under ``paths`` that ``load`` reads; how many could not be read.

    A missing path or a file ``load`` refuses (any of our errors, which name the file) is
    reported on ``err``; the others are still read.
    """
    from scorer.formfile import find_form_files

    bad = 0

    def missing(p: Path) -> None:
        nonlocal bad
        bad += 1
        say_error(err, f"{p}：文件或目录不存在")

    out: list[tuple[str, T]] = []
    for path in find_form_files(paths, missing):
        try:
            out.append((str(path), load(path)))
        except JixiaoError as exc:
            bad += 1
            say_error(err, str(exc))
    return out, bad
