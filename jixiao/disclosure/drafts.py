"""What the form reader holds while it reads: rows, tables, goals, and the reader's state and report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jixiao.disclosure.lines import _Columns, _Row
from jixiao.disclosure.report import FormReport, Guess, Unassigned
from jixiao.disclosure.text import (
    Line,
)
from scorer.model import Indicator


@dataclass
class _GoalDraft:
    number: int | None = None
    text: str = ""
    weight: Decimal | None = None
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class _Table:
    header: Line
    columns: _Columns
    cols: dict[str, int]
    goal: _GoalDraft
    label_text: str
    valign: str = "top"
    lines: list[Line] = field(default_factory=list)
    spare_missing: list[int] = field(default_factory=list)
    misaligned: list[int] = field(default_factory=list)

    @property
    def value_keys(self) -> list[tuple[str, int]]:
        keys = ("target", "nature", "unit", "adjusted_target", "actual", "weight", "score", "deviation", "remark")
        return sorted(((k, c) for k, c in self.cols.items() if k in keys), key=lambda kc: kc[1])

    @property
    def scored(self) -> bool:
        return "score" in self.cols or "weight" in self.cols

    @property
    def first_level_col(self) -> int:
        return min(self.cols.get(k, 10**6) for k in ("level1", "level2", "name"))

    @property
    def first_value_col(self) -> int:
        vk = self.value_keys
        return vk[0][1] if vk else 10**6


@dataclass
class _Read:
    level1: str | None
    level2: str | None
    name: str
    values: dict[str, str]
    how: str  # "position" | "names"


class _ReaderBase:
    """The reader's state, and how it reports what it did; the reading itself is in the subclasses."""

    if TYPE_CHECKING:  # defined by a subclass; the head reader closes an open table before a new section

        def _finish_table(self) -> None: ...

    def __init__(self, lines: list[Line], source: str) -> None:
        self.lines = lines
        self.source = source
        self.report = FormReport(first_line=lines[0].no, last_line=lines[-1].no)
        self.title = ""
        self.subtitle = ""
        self.fields: dict[str, str] = {}
        self.year_text = ""
        self.ticks: dict[str, list[str]] = {}
        self.budget: dict[str, Any] = {}
        self.budget_columns: _Columns | None = None
        self.budget_cols: dict[str, int] = {}
        self.budget_label = ""
        self.budget_weight_label: Decimal | None = None
        self.budget_main_seen = False
        self.goals: list[_GoalDraft] = []
        self.table: _Table | None = None
        self.narratives: dict[str, str] = {}
        self.narrative: str | None = None
        self.signoff: dict[str, str] = {}
        self.total: Decimal | None = None
        self.section = "head"
        self.closing = False
        self.closed = False
        self.skipped: list[int] = []
        self.pending: list[Line] = []  # header pieces printed above a header line
        self.pending_goal_texts = False
        self.national = False
        self.hubei = False
        self.scored_block = False
        self.table_scored = False
        self.department_hint = False
        self.budget_header: Line | None = None
        self.goal_text_labels: list[str] = []
        self.last_columns: _Columns | None = None
        self.last_score_col: int | None = None
        self.last_table_has_weight = False
        # the last row whose cells may wrap onto the next line, and how to re-read it joined
        self.cont: tuple[Line, Callable[[Line], None]] | None = None

    def note(self, text: str) -> None:
        if text not in self.report.notes:
            self.report.notes.append(text)

    def guess(self, ln: Line | _Row, text: str) -> None:
        """A line placed by a rule that could be wrong: noted, and listed with its raw text for checking."""
        self.note(text)
        self.report.guessed.append(Guess(ln.no, ln.raw, text))

    def unassigned(self, ln: Line | _Row, reason: str) -> None:
        if isinstance(ln, Line):
            self.report.unassigned.append(Unassigned(ln.no, ln.raw, reason))
        else:
            self.report.unassigned.append(Unassigned(ln.no, ln.raw, reason))
