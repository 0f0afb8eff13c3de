"""One direction vocabulary (issue 17): the ``Direction`` enum, used by the engine, the catalog,
the checks, storage, the readers and the TUI; no module compares against the bare words."""

from __future__ import annotations

import ast
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from indicator_catalog import DIRECTIONS, default_catalog
from jixiao import editing
from jixiao.xlsx.sheet import _DIRECTION_IN
from scorer.direction import COMPARABLE, DirectionChoice, resolve
from scorer.engine import score_indicator
from scorer.model import DIRECTION_LABELS, Direction, Form, Goal, Indicator
from scorer.rules import load
from scorer.vocabulary import vocabulary

ROOT = Path(__file__).resolve().parents[1]
WORDS = {d.value for d in Direction}


def _sources() -> list[Path]:
    return [p for pkg in ("scorer", "indicator_catalog", "jixiao", "tui") for p in (ROOT / pkg).rglob("*.py")]


def _word(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in WORDS


def _section(call: ast.Call) -> bool:
    """``need("qualitative")`` names a data file's section (the rule set's 定性 bands), not a direction."""
    return isinstance(call.func, ast.Name) and call.func.id in ("need", "_need")


def test_no_module_compares_or_builds_with_a_bare_direction_word() -> None:
    offenders = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                parts = [node.left, *node.comparators]
                parts += [e for p in parts if isinstance(p, (ast.Tuple, ast.List, ast.Set)) for e in p.elts]
                if any(_word(p) for p in parts):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Call) and any(_word(a) for a in node.args) and not _section(node):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.keyword) and node.arg == "direction" and _word(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.value.lineno}")
    assert offenders == [], "用 Direction 枚举，不要写方向的字面字符串：" + "、".join(offenders)


def test_the_guard_above_can_fail() -> None:
    tree = ast.parse('if d == "reverse": pass\nx = D("positive", "s")\nCell(direction="equal")')
    hits = [n for n in ast.walk(tree) if isinstance(n, (ast.Compare, ast.Call)) or isinstance(n, ast.keyword)]
    assert (
        sum(
            1
            for n in hits
            if (isinstance(n, ast.Compare) and _word(n.comparators[0]))
            or (isinstance(n, ast.Call) and any(_word(a) for a in n.args))
            or (isinstance(n, ast.keyword) and _word(n.value))
        )
        == 3
    )


@pytest.mark.parametrize(
    ("member", "word", "label"),
    [
        (Direction.POSITIVE, "positive", "正向"),
        (Direction.REVERSE, "reverse", "反向"),
        (Direction.EQUAL, "equal", "等值"),
        (Direction.QUALITATIVE, "qualitative", "定性"),
    ],
)
def test_each_direction_has_one_word_and_one_label(member: Direction, word: str, label: str) -> None:
    assert member == word and Direction.of(word) is member
    assert member.label == label and DIRECTION_LABELS[word] == label
    assert _DIRECTION_IN[word] == word and _DIRECTION_IN[label] == word  # the Excel reader takes both


def test_the_catalog_and_the_scorer_share_the_vocabulary() -> None:
    assert DIRECTIONS == tuple(Direction)
    assert set(DIRECTION_LABELS) == WORDS
    for entry in default_catalog().entries:
        assert Direction.of(entry.direction) is not None, entry.name
        assert entry.direction_label == Direction(entry.direction).label


@pytest.mark.parametrize("text", ["", "Positive", "正向", "up", " positive"])
def test_an_unknown_word_is_no_direction(text: str) -> None:
    assert Direction.of(text) is None


def test_level_defaults_are_members() -> None:
    vocab = vocabulary()
    for table in (vocab.level1_defaults, vocab.level2_defaults):
        assert table and all(type(d) is Direction for d in table.values())


@pytest.mark.parametrize(
    ("own", "expected", "source"),
    [
        ("reverse", Direction.REVERSE, "表中设定"),
        ("equal", Direction.EQUAL, "表中设定"),
        ("", Direction.POSITIVE, "数量指标"),  # falls to the 二级 default
        ("sideways", Direction.POSITIVE, "数量指标"),  # not a direction: the row's own word is no evidence
    ],
)
def test_resolve_returns_a_member_and_its_reason(own: str, expected: Direction, source: str) -> None:
    got = resolve(Indicator("产出指标", "数量指标", "培训场次", "", "", direction=own))
    assert isinstance(got, DirectionChoice) and got.value is expected and source in got.source


def test_a_scored_row_carries_the_plain_word() -> None:
    ind = Indicator("产出指标", "时效指标", "办结时间", "10天", "12天", direction="reverse")
    for row in (
        score_indicator(ind, Decimal(10), "form", load("national-2020"), year=2024),
        score_indicator(dataclasses.replace(ind, direction=""), Decimal(10), "form", load("national-2020")),
    ):
        assert row.direction == "reverse" and row.direction is Direction.REVERSE
        assert json.dumps(row.direction) == '"reverse"'  # what --json and storage write


@pytest.mark.parametrize(("chosen", "kept"), [("positive", "positive"), ("equal", "equal"), ("qualitative", "")])
def test_choosing_a_catalog_entry_keeps_only_a_comparable_direction(chosen: str, kept: str) -> None:
    form = Form(
        project_name="方向", goals=(Goal("", indicators=(Indicator("产出指标", "数量指标", "旧", "1个", "1个"),)),)
    )
    out = editing.apply_catalog_entry(form, 0, "新", "", "", chosen)
    assert out.goals[0].indicators[0].direction == kept
    assert (Direction.of(kept) in COMPARABLE) is bool(kept)


@pytest.mark.parametrize("word", ["sideways", "正向", "Positive"])
def test_storage_refuses_a_direction_that_is_not_one(word: str) -> None:
    from jixiao.storage.records import StoreError
    from jixiao.storage.validate import validate_for_storage

    ind = Indicator("产出指标", "数量指标", "培训场次", "≥3场", "3场", direction=word)
    form = Form(project_name="方向", implementing_unit="某单位", year=2024, goals=(Goal("", indicators=(ind,)),))
    with pytest.raises(StoreError, match=f"指标方向「{word}」无效；应为 正向 / 反向 / 等值 / 定性"):
        validate_for_storage(form)
    validate_for_storage(
        dataclasses.replace(form, goals=(Goal("", indicators=(dataclasses.replace(ind, direction="reverse"),)),))
    )


def test_a_direction_written_past_the_readers_is_an_invalid_cell_not_a_silent_guess() -> None:
    """An insider can put any word in the database's direction column: the score says so."""
    ind = Indicator("产出指标", "数量指标", "培训场次", "≥3场", "2场", direction="sideways")
    r = score_indicator(ind, Decimal(10), "form", load("national-2020"), year=2024)
    (p,) = [p for p in r.problems if p.column == "指标方向"]
    assert p.severity.value == "error" and p.text == "sideways" and "培训场次" in p.message
    assert r.direction is Direction.POSITIVE and r.direction_source != "表中设定"  # the comparator decided
