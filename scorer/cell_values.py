"""What a cell becomes once read: comparators, kinds, tiers, dates and the ``Cell`` value.

Kept apart from the readers in ``scorer/cells.py`` so that the engine, the checks and the
adapters can hold and show a read cell without the parsing machinery.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from scorer.errors import JixiaoError
from scorer.frozen import FrozenValue
from scorer.model import Direction
from scorer.vocabulary import vocabulary


class Comparator(StrEnum):
    GE = ">="
    GT = ">"
    EQ = "="
    LE = "<="
    LT = "<"
    RANGE = "range"
    NONE = ""

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS = {
    Comparator.GE: "≥",
    Comparator.GT: ">",
    Comparator.EQ: "=",
    Comparator.LE: "≤",
    Comparator.LT: "<",
    Comparator.RANGE: "",
    Comparator.NONE: "",
}


class Approx(StrEnum):
    """A number written as an estimate: 1000余人 (more than 1000), 约1000人 (about 1000)."""

    NONE = ""
    MORE = "more"
    ABOUT = "about"


class CellKind(StrEnum):
    EMPTY = "empty"
    QUANTITY = "quantity"
    RANK = "rank"
    DATE = "date"
    QUALITATIVE = "qualitative"  # a tier word: 完成, 基本完成, 未完成 …
    LABEL = "label"  # 定性指标: the target is only a label
    DIRECTION = "direction"  # 减少, 提高: a direction without a number
    TEXT = "text"  # wording the vocabulary does not know


class Tier(StrEnum):
    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_ACHIEVED = "not_achieved"

    @property
    def label(self) -> str:
        return {"achieved": "达成", "partly": "部分达成", "not_achieved": "未达成"}[self.value]


class CellError(JixiaoError, ValueError):
    """A cell that cannot be read; the message says what was expected."""

    def __init__(self, text: str, reason: str, expected: str = "") -> None:
        self.text = text
        self.reason = reason
        self.expected = expected
        msg = f"无法解析「{text}」：{reason}"
        if expected:
            msg += f"；应为{expected}"
        super().__init__(msg)


#: the spans of months a day-less date may name, by their last month: 第三季度 ends in September
SPANS: dict[int, dict[int, str]] = {
    3: {3: "第一季度", 6: "第二季度", 9: "第三季度", 12: "第四季度"},
    6: {6: "上半年", 12: "下半年"},
}


@dataclass(frozen=True, slots=True)
class DateValue(FrozenValue):
    """A date or deadline; ``year`` is None when the cell omits it (9月前)."""

    year: int | None
    month: int
    day: int | None  # None: the end of that month
    whole_year: bool = False  # only a year was written (2019年): some day of it, the last at the latest
    months: int = 1  # without a day: how many months it spans, ending with ``month`` (a quarter 3, a half-year 6)

    def resolve(self, default_year: int) -> date:
        year = self.year or default_year
        if self.day is not None:
            return date(year, self.month, self.day)
        return date(year, self.month, calendar.monthrange(year, self.month)[1])

    def text(self) -> str:
        if self.whole_year:
            return f"{self.year}年"
        y = f"{self.year}年" if self.year else ""
        if self.day is None and self.months in SPANS:
            return f"{y}{SPANS[self.months][self.month]}"
        d = f"{self.day}日" if self.day is not None else "底"
        return f"{y}{self.month}月{d}"


@dataclass(frozen=True, slots=True)
class Cell(FrozenValue):
    """What a cell says. ``value`` has its 万/亿 scale applied."""

    raw: str
    kind: CellKind
    text: str = ""  # normalised text without the trailing note
    comparator: Comparator = Comparator.NONE
    value: Decimal | None = None
    high: Decimal | None = None  # upper end of a range
    unit: str = ""
    scale: str = ""  # the scale word as written (万, 亿), for display
    date: DateValue | None = None
    tier: Tier | None = None
    word: str = ""  # the vocabulary word that decided kind/tier/direction
    direction: Direction | None = None  # for DIRECTION cells: positive / reverse
    note: str = ""  # a bracketed trailing note, e.g. （全年召开专家评审会17场…）
    scale_factor: Decimal = Decimal(1)  # the factor of ``scale`` (万 → 10000), already in ``value``
    low_open: bool = False  # a range's lower end is excluded (>90%且≤95%)
    high_open: bool = False  # a range's upper end is excluded
    approx: Approx = Approx.NONE  # 1000余人, 约1000人: the number is an estimate (scorer/ranges.py)
    doubt: str = ""  # why a cell that holds a number is text (3季度 names a quarter), said in the judgement

    def with_text(self, s: str) -> Cell:
        """The same reading, said to be of ``s`` (the cell as written: 三至五次, not 3至5次)."""
        return Cell(
            self.raw,
            self.kind,
            s,
            self.comparator,
            self.value,
            self.high,
            self.unit,
            self.scale,
            date=self.date,
            tier=self.tier,
            word=self.word,
            direction=self.direction,
            note=self.note,
            scale_factor=self.scale_factor,
            low_open=self.low_open,
            high_open=self.high_open,
            approx=self.approx,
            doubt=self.doubt,
        )

    @property
    def is_numeric(self) -> bool:
        return self.kind in (CellKind.QUANTITY, CellKind.RANK, CellKind.DATE)

    def display(self, unit: str | None = None) -> str:
        """A normalised rendering, e.g. ``≥75户``; ``unit`` fills a missing unit."""
        u = self.unit or (unit or "")
        if self.kind is CellKind.QUANTITY:
            num = _num_text(self.value, self.scale)
            high = _num_text(self.high, self.scale)
            if self.comparator is Comparator.RANGE and (self.low_open or self.high_open):
                return f"{'>' if self.low_open else '≥'}{num}{u}且{'<' if self.high_open else '≤'}{high}{u}"
            if self.comparator is Comparator.RANGE:
                return f"{'约' if self.approx is Approx.ABOUT else ''}{num}~{high}{u}"
            if self.approx is Approx.ABOUT:
                return f"约{num}{u}"
            return f"{self.comparator.symbol}{num}{u}"
        if self.kind is CellKind.RANK:
            return f"前{self.value}名" if self.comparator is Comparator.LE else f"第{self.value}名"
        if self.kind is CellKind.DATE and self.date is not None:
            return self.date.text() + (self._by() if self.comparator is Comparator.LE else "")
        return self.text

    def _by(self) -> str:
        """What a deadline's date is followed by: 「末前」 after a year, a quarter or a half-year
        (「第三季度前」 or 「2024年前」 would say before it begins), else 「前」 (12月底前)."""
        d = self.date
        span = d is not None and d.day is None and (d.whole_year or d.months in SPANS)
        return "末前" if span else "前"


def _num_text(value: Decimal | None, scale: str) -> str:
    if value is None:
        return ""
    if scale:
        factor = dict(vocabulary().scales)[scale]
        return f"{_plain(value / factor)}{scale}"
    return _plain(value)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
