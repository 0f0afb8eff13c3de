"""The scratch state of one row being scored, and what stays fixed for a whole form."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from scorer import explain
from scorer.cells import Cell, CellError, CellKind, Tier, read_cell
from scorer.direction import CatalogLike, DirectionChoice
from scorer.explain import Step
from scorer.formulas import Formulas
from scorer.model import Indicator
from scorer.result import (
    Problem,
    ProblemCode,
    Status,
)
from scorer.rules import RuleSet
from scorer.vocabulary import vocabulary

T = TypeVar("T")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

COL_TARGET = "年初目标值"
COL_ACTUAL = "实际完成值"


class _Context:
    """What stays fixed while one form is scored: looked up once, not per indicator."""

    __slots__ = ("rules", "catalog", "year", "bands", "over", "formulas", "linear_reverse", "scales")

    def __init__(self, rules: RuleSet, catalog: CatalogLike | None, year: int | None) -> None:
        self.rules = rules
        self.catalog = catalog
        self.year = year
        self.bands = {tier: (band, band.default) for tier, band in rules.bands}
        self.over = rules.over_completion
        self.formulas = Formulas(rules.positive_formula, rules.reverse_formula, rules.equal_formula)
        self.linear_reverse = self.formulas.linear_reverse
        self.scales = dict(vocabulary().scales)


_BUILT: dict[tuple[Any, ...], tuple[tuple[object, ...], Any]] = {}


def _built_once(kind: str, owners: tuple[object, ...], extra: tuple[Any, ...], build: Callable[[], T]) -> T:
    """What ``build`` makes from read-only ``owners`` (rule sets, catalogs), made once per owner.

    Keyed by identity: hashing a RuleSet costs more than the work saved. The entry keeps
    its owners alive, so an id is never reused while it is cached; bounded, cleared when full.
    """
    key = (kind, *map(id, owners), *extra)
    hit = _BUILT.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], owners, strict=True)):
        return hit[1]
    value = build()
    if len(_BUILT) >= 128:
        _BUILT.clear()
    _BUILT[key] = (owners, value)
    return value


def _context(rules: RuleSet, catalog: CatalogLike | None, year: int | None) -> _Context:
    return _built_once("context", (rules, catalog), (year,), lambda: _Context(rules, catalog, year))


class _Row:
    """Mutable scratch state while one indicator is scored (a plain slots class: built per row)."""

    __slots__ = ("ind", "weight", "ctx", "lines", "problems", "direction", "unit", "over_ratio", "scale")

    def __init__(self, ind: Indicator, weight: Decimal, ctx: _Context) -> None:
        self.ind = ind
        self.weight = weight
        self.ctx = ctx
        self.lines: list[Step] = []
        self.problems: list[Problem] = []
        self.direction: DirectionChoice | None = None
        self.unit = ""
        self.over_ratio: Decimal | None = None
        self.scale: explain.Scale = None

    def n(self, value: Decimal) -> str:
        return explain.num(self.scale, value)

    def judgement(self, reason: str) -> tuple[Status, Decimal | None]:
        self.lines.append(f"需人工判断：{reason}")
        self.problems.append(
            Problem.of(ProblemCode.JUDGEMENT, f"「{self.ind.name}」需人工判断：{reason}", self.ind.name)
        )
        return Status.JUDGEMENT, None

    def full(self, why: Step) -> tuple[Status, Decimal]:
        self.lines.append((explain.full, why, self.weight))
        return Status.MET, self.weight

    def partial(
        self, score: Decimal, formula: Step, share: Callable[[], Decimal] | None = None
    ) -> tuple[Status, Decimal]:
        """``share`` is the formula with a weight of 1: a row with no weight earns 0 points, and its
        status still says how far it got (82 of 100 is 部分达成, not 未达成)."""
        status, score = _partly(score, self.weight)
        if status is Status.MISSED and not self.weight and share is not None and share() > 0:
            status = Status.PARTLY
        self.lines.append((explain.partial, formula, score))
        return status, score


def _partly(score: Decimal, weight: Decimal) -> tuple[Status, Decimal]:
    """A proportional score kept within 0..weight, as max(0, min(weight, score)) (an equal value
    gives weight or ZERO themselves), and whether anything was earned."""
    score = weight if score >= weight else score
    score = ZERO if score <= ZERO else score
    return (Status.PARTLY if score > 0 else Status.MISSED), score


_TIER_STATUS = {Tier.ACHIEVED: Status.MET, Tier.PARTLY: Status.PARTLY, Tier.NOT_ACHIEVED: Status.MISSED}


def _tier_score(row: _Row, tier: Tier, why: Step) -> tuple[Status, Decimal]:
    band, default = row.ctx.bands[tier.value]
    row.lines.append((explain.tier, why, tier.label, band.low, band.high, band.position, default, row.weight))
    return _TIER_STATUS[tier], row.weight * default


def _parse(row: _Row, text: str, column: str) -> Cell | None:
    cell = read_cell(text) if isinstance(text, str) else CellError(repr(text), "单元格应为文本")
    if type(cell) is Cell:
        return cell
    assert isinstance(cell, CellError)
    row.lines.append(f"{column}无效：{cell}")
    row.problems.append(
        Problem.of(
            ProblemCode.INVALID_CELL,
            f"「{row.ind.name}」{column}「{text}」无效：{cell.reason}"
            + (f"；应为{cell.expected}" if cell.expected else ""),
            row.ind.name,
            column,
            text,
        )
    )
    return None


def _same_text(t: Cell, a: Cell) -> bool:
    return t.raw == a.raw or "".join(t.raw.split()) == "".join(a.raw.split())


_NUMERIC = frozenset((CellKind.QUANTITY, CellKind.RANK, CellKind.DATE))
