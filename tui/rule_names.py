"""Rule sets as people know them (湖北省项目支出绩效自评…), not by their file ids."""

from __future__ import annotations

from functools import cache

from scorer.rules import RuleSetError, available
from scorer.rules import load as load_rules


@cache
def rule_title(name: str) -> str:
    try:
        return load_rules(name).title
    except Exception:
        return name


def rule_options(current: str) -> list[tuple[str, str]]:
    """The built-in rule sets, and the form's own when it is none of them: a Select refuses a value it
    does not list, and a name written past jixiao (``rules='nosuch'`` with psql) stopped the TUI for
    whoever opened that form."""
    names = available()
    options = [(rule_title(n), n) for n in names]
    if current in names:
        return options
    try:
        title = load_rules(current).title
    except RuleSetError:
        title = f"「{current}」（规则集不存在）"
    return [*options, (title, current)]
