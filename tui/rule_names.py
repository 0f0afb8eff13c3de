"""Rule sets as people know them (湖北省项目支出绩效自评…), not by their file ids."""

from __future__ import annotations

from functools import cache

from scorer.rules import load as load_rules


@cache
def rule_title(name: str) -> str:
    try:
        return load_rules(name).title
    except Exception:
        return name
