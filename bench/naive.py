"""The obvious implementation, to measure against: pint's string parser on every cell.

Straightforward scoring: strip a comparator, hand the rest to ``ureg.Quantity(text)``,
compare magnitudes, W × B / A or W × A / B. No caching, no vocabulary, no
explanations beyond a short string. Not used by jixiao itself.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

_CMP = re.compile(r"^\s*(≥|≤|>|<|=|≧|≦|不低于|不超过|以上|以内)?\s*")
_SCALE = {"万": Decimal(10000), "亿": Decimal(100000000)}


@cache
def _ureg() -> Any:
    from scorer.units import registry

    return registry()


def _quantity(text: str) -> tuple[str, Any] | None:
    m = _CMP.match(text)
    cmp = (m.group(1) or "") if m else ""
    rest = text[m.end() :] if m else text
    num = re.match(r"([\d.]+)\s*(万|亿)?\s*(.*)$", rest.replace(",", ""))
    if not num:
        return None
    try:
        value = Decimal(num.group(1)) * _SCALE.get(num.group(2) or "", Decimal(1))
    except ArithmeticError:
        return None
    unit = num.group(3).strip()
    try:
        q = _ureg().Quantity(f"{value} {unit}") if unit else _ureg().Quantity(value)
    except Exception:
        return None
    return cmp, q


def naive_score(form: Any) -> list[tuple[str, Decimal]]:
    out = []
    for ind in form.indicators:
        w = ind.weight or Decimal(10)
        t, a = _quantity(ind.target), _quantity(ind.actual)
        if t is None or a is None:
            out.append(("judgement", Decimal(0)))
            continue
        cmp, qt = t
        _, qa = a
        try:
            b = qa.to(qt.units).magnitude if str(qa.units) != "dimensionless" else qa.magnitude
        except Exception:
            out.append(("judgement", Decimal(0)))
            continue
        A, B = Decimal(str(qt.magnitude)), Decimal(str(b))
        if cmp in ("≤", "<", "≦", "不超过", "以内"):
            score = w if B <= A else (w * A / B if B else Decimal(0))
        else:
            score = w if B >= A else (w * B / A if A else Decimal(0))
        out.append(("met" if score == w else "partly", score))
    return out
