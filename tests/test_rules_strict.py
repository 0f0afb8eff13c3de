"""Rule-set files are loaded strictly: a typo anywhere is an error that names the file and key (#17)."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from scorer.rules import RuleSetError, available, build


def _shipped(name: str) -> dict[str, Any]:
    text = (resources.files("scorer") / "rulesets" / f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text, parse_float=Decimal)


def _paths(d: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every table in the file (as a path of keys and list indexes) where a key can be misspelt."""
    out: list[tuple[Any, ...]] = []
    if isinstance(d, dict):
        out.append(at)
        for k, v in d.items():
            if k not in ("level1", "level1_alias"):  # tables of 一级 names take any key
                out.extend(_paths(v, (*at, k)))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            out.extend(_paths(v, (*at, i)))
    return out


def _cases() -> list[tuple[str, tuple[Any, ...]]]:
    return [(name, path) for name in available() for path in _paths(_shipped(name))]


@pytest.mark.parametrize(("name", "path"), _cases(), ids=lambda v: str(v))
def test_an_unknown_key_anywhere_is_refused_with_its_place(name: str, path: tuple[Any, ...]) -> None:
    data = copy.deepcopy(_shipped(name))
    table = data
    for step in path:
        table = table[step]
    table["threshhold"] = 1  # a typo of the kind a province's file would carry
    where = "".join(f"[{p}]." if isinstance(p, int) else f"{p}." for p in path).replace(".[", "[")
    with pytest.raises(RuleSetError, match=rf"x\.toml：未知的键 {re.escape(where)}threshhold"):
        build(data, "x.toml")


@pytest.mark.parametrize("name", available())
def test_every_shipped_rule_set_builds_as_it_is(name: str) -> None:
    assert build(_shipped(name), f"{name}.toml").name == name


def test_missing_level1_takes_only_its_two_values() -> None:
    data = _shipped("national-2020")
    data["weights"]["missing_level1"] = "redistrbute"
    with pytest.raises(RuleSetError, match="missing_level1 = 'redistrbute'，应为 redistribute 或 forfeit"):
        build(data, "x.toml")


def test_a_misspelt_rule_file_on_the_command_line_is_a_chinese_error_not_a_traceback(tmp_path: Path) -> None:
    text = (resources.files("scorer") / "rulesets" / "national-2020.toml").read_text(encoding="utf-8")
    bad = tmp_path / "省规则.toml"
    bad.write_text(text.replace("threshold = 1.2", "threshhold = 1.2"), encoding="utf-8")
    form = Path(__file__).resolve().parents[1] / "samples"
    sample = next(p for p in sorted(form.rglob("*.toml")))
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "score", "--rules", str(bad), str(sample)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "未知的键 over_completion.threshhold" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
