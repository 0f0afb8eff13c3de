"""Units: a closed vocabulary defined for pint in ``data/units.txt``.

Every name of that vocabulary is resolved ahead, with pint, into ``data/unit_table.json``
(``build_table``; a test keeps it equal), so a known unit needs no pint at all. pint is
loaded only for a unit outside the table (a compound like 元/人) the first time it is seen;
every result (base dimension and exact Decimal factor) is cached, so scoring a million cells
never calls pint's string parser in the hot path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from scorer.errors import JixiaoError
from scorer.frozen import FrozenValue

DEFINITIONS_VERSION = "1"

# Readable names for base dimensions, used in messages.
_KIND_NAMES = {
    "": "比率",
    "[percentage_point]": "百分点",
    "[time]": "时长",
    "[calendar]": "日历时长（月、季度、年）",
    "[workday]": "工作日",
    "[currency]": "金额",
    "[point]": "分值",
    "[multiple]": "倍数",
    "[bandwidth]": "带宽",
    "[information]": "存储容量",
    "[length]": "长度",
    "[length]^2": "面积",
    "[length]^3": "体积",
    "[mass]": "重量",
    "[energy]": "电量",
}

# Stray punctuation a filler types between a number and its unit (0,户  75、户  ≥75；户), NFKC-folded
# and not. pint silently drops it (",户" became 户), so no unit part may hold it; between two parts
# only the product marks 、 · × stand (人·次), read as "*".
STRAY_PUNCTUATION = ",，、;；:：·。"
_ATOM = re.compile(r"^[^\d\s/*.+\-^()" + STRAY_PUNCTUATION + r"]+$")
_SPLIT = re.compile(r"([/*])")


class UnitError(JixiaoError, ValueError):
    """A unit symbol outside the closed vocabulary."""


@dataclass(frozen=True, slots=True)
class Unit(FrozenValue):
    """A resolved unit: what it measures and its exact factor to base units."""

    symbol: str
    dimension: str  # e.g. "[currency]", "[currency]/[person]/[time]", "" for ratios
    factor: Decimal

    @property
    def kind(self) -> str:
        if self.dimension in _KIND_NAMES:
            return _KIND_NAMES[self.dimension]
        if "/" in self.dimension or "*" in self.dimension:
            return "复合单位"
        return f"计数（{self.symbol}）"

    def compatible(self, other: Unit) -> bool:
        return self.dimension == other.dimension

    def factor_to(self, other: Unit) -> Decimal:
        """Multiply a magnitude in this unit by this to express it in ``other``."""
        if self.factor == other.factor:
            return Decimal(1)
        return self.factor / other.factor


@cache
def registry():
    """The pint registry built from our own definitions only (no pint defaults)."""
    import pint

    path = resources.files("scorer") / "data" / "units.txt"
    with resources.as_file(path) as p:
        return pint.UnitRegistry(str(p), non_int_type=Decimal, autoconvert_offset_to_baseunit=False)


def _dimension_text(dimensionality: dict[str, Decimal]) -> str:
    num: list[str] = []
    den: list[str] = []
    for dim, exp in sorted(dimensionality.items()):
        e = int(exp)
        target = num if e > 0 else den
        target.append(dim if abs(e) == 1 else f"{dim}^{abs(e)}")
    text = "*".join(num)
    if den:
        text = (text or "1") + "/" + "/".join(den)
    return text


_MEASURE_WORD = re.compile(r"^[\u4e00-\u9fff]$")


def is_measure_word(symbol: str) -> bool:
    """One CJK character: read as a counting unit of its own when it is not in the vocabulary."""
    return bool(_MEASURE_WORD.match(symbol.strip()))


TABLE = "unit_table.json"


def _definitions() -> bytes:
    return (resources.files("scorer") / "data" / "units.txt").read_bytes()


@cache
def _table() -> dict[str, tuple[str, str]]:
    """Every unit name, symbol and alias of ``units.txt`` resolved ahead (``build_table``), so that
    a cell in a known unit needs no pint at all: importing pint and building the registry is
    ~90 ms of every command's start-up. Ignored (pint decides) if ``units.txt`` has changed since."""
    return _table_for(_definitions())


def _table_for(definitions: bytes) -> dict[str, tuple[str, str]]:
    """The stored table, if it was built from these definitions; else none."""
    import hashlib
    import json

    data = json.loads((resources.files("scorer") / "data" / TABLE).read_text(encoding="utf-8"))
    if data.get("units_txt_sha256") != hashlib.sha256(definitions).hexdigest():
        return {}
    return {k: (v[0], v[1]) for k, v in data["units"].items()}


def table_text(table: dict[str, object]) -> str:
    """The table file: JSON with one unit to a line, so that a change of definitions reads as a diff."""
    import json

    units = table["units"]
    assert isinstance(units, dict)
    lines = [f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in units.items()]
    sha = json.dumps(table["units_txt_sha256"])
    return '{\n "units_txt_sha256": ' + sha + ',\n "units": {\n' + ",\n".join(lines) + "\n }\n}\n"


def build_table() -> dict[str, object]:
    """The table ``_table`` reads, computed with pint; ``tests/test_units_table.py`` keeps the shipped one equal."""
    import hashlib

    names: set[str] = set()
    for d in registry()._units.values():
        names.update(x for x in (d.name, d.symbol, *d.aliases) if x)
    units = {}
    for name in sorted(names):
        try:
            u = _resolve_with_pint(name)
        except UnitError:  # a name no cell can use (km2: digits): resolve refuses it with or without the table
            if is_measure_word(name):  # would be taken for an unlisted measure word: never let that happen
                raise
            continue
        units[name] = [u.dimension, str(u.factor)]
    return {"units_txt_sha256": hashlib.sha256(_definitions()).hexdigest(), "units": units}


@cache
def resolve(symbol: str) -> Unit:
    """Resolve a unit symbol such as ``户``, ``小时`` or ``元/人*月``; cached.

    An unlisted single CJK measure word (例, 宗, 艘 …) is its own counting unit: it
    compares with itself only. Raises UnitError for anything else outside the vocabulary.
    """
    sym = symbol.strip()
    if not sym:
        raise UnitError("空单位")
    known = _table().get(sym)
    if known is not None:
        return Unit(symbol=sym, dimension=known[0], factor=Decimal(known[1]))
    if is_measure_word(sym) and _table():  # every defined name is in the table: this one is not
        return Unit(symbol=sym, dimension=f"[{sym}]", factor=Decimal(1))
    return _resolve_with_pint(sym)


def _resolve_with_pint(sym: str) -> Unit:
    if is_measure_word(sym):
        try:
            registry().Unit(sym)
        except Exception:  # not listed: a counting unit of its own
            return Unit(symbol=sym, dimension=f"[{sym}]", factor=Decimal(1))
    parts = _SPLIT.split(sym.replace("、", "*").replace("·", "*").replace("×", "*"))
    if any(not p for p in parts[::2]):  # "/户", "户*", "*户": an operator with nothing on one side
        raise UnitError(f"未知单位「{sym}」")
    ureg = None  # built at the first part worth looking up: text that is no unit at all needs no pint
    quantity = None
    op = "*"
    for part in parts:
        if part in "/*":
            op = part
            continue
        if not _ATOM.match(part):
            raise UnitError(f"未知单位「{sym}」")
        ureg = ureg or registry()
        try:
            unit = ureg.Unit(part)
        except Exception as exc:  # pint raises several error types
            raise UnitError(f"未知单位「{part}」") from exc
        q = ureg.Quantity(Decimal(1), unit)
        if quantity is None:
            quantity = q
        elif op == "*":
            quantity = quantity * q
        else:
            quantity = quantity / q
    if quantity is None:
        raise UnitError(f"未知单位「{sym}」")
    base = quantity.to_base_units()
    return Unit(symbol=sym, dimension=_dimension_text(dict(base.dimensionality)), factor=Decimal(base.magnitude))


def is_listed(symbol: str) -> bool:
    """A unit in jixiao's own table (not merely a character that could be a measure word): what a
    number written in Chinese must be followed by to be read as one (scorer.cn_numbers)."""
    return symbol.strip() in _table()


def is_known(symbol: str) -> bool:
    try:
        resolve(symbol)
    except UnitError:
        return False
    return True
