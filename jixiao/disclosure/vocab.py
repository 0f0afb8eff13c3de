"""The printed labels of self-evaluation forms, and the names of 一级/二级 indicators.

Labels are compared in their ``canon`` form (NFKC, no whitespace, no bracketed
notes), so ``预算数 (A)``, ``预算数（A）`` and ``预 算 数`` are the same label.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from jixiao import form_labels as L
from jixiao.disclosure.text import squeeze
from jixiao.form_labels import canon, nfkc
from scorer.model import Direction
from scorer.numbers import ungroup

# ------------------------------------------------------------------ header fields

HEADER_LABELS = L.pairs(L.HEADER_LABELS)
YEAR_LABELS = L.YEAR_LABELS
SIGNOFF_LABELS = L.pairs(L.SIGNOFF_LABELS)
TICK_LABELS = L.TICK_LABELS
TOTAL_LABELS = L.TOTAL_LABELS
BUDGET_BLOCK = ("预算执行情况", "预算执行", "项目资金", "资金情况", "年度资金")
SUBROWS = L.BUDGET_SUBROWS


def label_pattern(label: str) -> re.Pattern[str]:
    """A label at the start of a cell, spaces allowed inside, then a colon, space or the end."""
    body = r"\s*".join(re.escape(ch) for ch in label)
    return re.compile(rf"^\s*{body}\s*(?:[(（][^()（）]{{0,12}}[)）])?(?:\s*[:：]\s*|\s+|$)(.*)$", re.S)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def match_label(cell: str, label: str) -> str | None:
    """The text after ``label`` when the cell starts with it ("" when the cell is just the label)."""
    pat = _PATTERNS.get(label)
    if pat is None:
        pat = _PATTERNS[label] = label_pattern(label)
    m = pat.match(cell)
    return m.group(1).strip() if m else None


def any_label(cell: str) -> bool:
    """Whether a cell is one of the form's printed labels (so it is not a value)."""
    c = canon(cell)
    if not c:
        return False
    if c in YEAR_LABELS or c in TICK_LABELS or c in TOTAL_LABELS:
        return True
    return any(c.startswith(lab) for _, lab in (*HEADER_LABELS, *SIGNOFF_LABELS))


# ------------------------------------------------------------------ narratives


def narrative_key(cell: str) -> str | None:
    c = canon(cell)
    if c.startswith("偏差") or "未完成原因" in c or c.startswith("偏差大或"):
        return "deviation_analysis"
    if c.startswith("改进措施") or "结果应用" in c:
        return "improvement_measures"
    return None


# ------------------------------------------------------------------ goals and tables

_CN_NUM = "一二三四五六七八九十"
GOAL_RE = re.compile(r"^(?:年度)?(?:绩效)?(?:总体)?目标(\d+|[一二三四五六七八九十]+)?$")
_ROW_LABEL_TOKENS = re.compile(r"^(?:年度|绩效|总体|目标|指标|\d+|[一二三四五六七八九十]+|\(\d+(?:\.\d+)?分\)|:)+$")
WEIGHT_IN_LABEL = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def goal_label(cell: str) -> tuple[bool, int | None]:
    """("年度 绩效 目标 1 (80分)") → (True, 1); ("年度绩效指标") → (False, None)."""
    c = canon(cell)
    m = GOAL_RE.match(c)
    if not m:
        return False, None
    num = m.group(1)
    if num is None:
        return True, None
    if num.isdigit():
        return True, int(num)
    return True, _cn_int(num)


def _cn_int(text: str) -> int | None:
    if text == "十":
        return 10
    if len(text) == 1:
        return _CN_NUM.index(text) + 1
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_NUM.index(text[1]) + 1
    return None


def label_weight(cell: str) -> Decimal | None:
    m = WEIGHT_IN_LABEL.search(nfkc(cell))
    return Decimal(m.group(1)) if m else None


def row_label_fragment(cell: str) -> bool:
    """A piece of the table's row label ("年度绩效 / 指标", "目标 1", "(80分)") wrapped into a data row."""
    t = squeeze(nfkc(cell)).rstrip(":")
    return bool(t) and bool(_ROW_LABEL_TOKENS.match(t))


def table_key(cell: str) -> str | None:
    """Which column of an indicator table a header cell names (a 指标方向 column is read as 指标性质)."""
    c = canon(cell)
    if not c or GOAL_RE.match(c) or row_label_fragment(cell):
        return None
    key = L.indicator_key(c)
    return "nature" if key == "direction" else key


def budget_key(cell: str) -> str | None:
    """Which column of the 预算执行情况 block a header cell names."""
    return L.budget_key(canon(cell))


# The scorer's 一级 names, and the 二级 names of docs/domain.md ("The form") (with and without 指标).
_L1_ONLY = {"产出", "效益"}
_L1_AND_L2 = {"成本", "满意度"}
_L2 = {
    "数量",
    "质量",
    "时效",
    "成本",
    "经济成本",
    "社会成本",
    "生态环境成本",
    "环境成本",
    "经济效益",
    "社会效益",
    "生态效益",
    "环境效益",
    "生态环境效益",
    "可持续影响",
    "可持续效益",
    "可持续发展",
    "服务对象满意度",
    "社会公众满意度",
    "公众满意度",
    "群众满意度",
    "满意度",
}


def level_kinds(cell: str) -> frozenset[str]:
    """{"1"}, {"2"}, {"1", "2"} for a known 一级/二级 name, else empty."""
    key = WEIGHT_IN_LABEL.sub("", squeeze(nfkc(cell)))
    if key.endswith("指标") and len(key) > 2:
        key = key[:-2]
    kinds = set()
    if key in _L1_ONLY or key in _L1_AND_L2:
        kinds.add("1")
    if key in _L2:
        kinds.add("2")
    return frozenset(kinds)


# ------------------------------------------------------------------ numbers

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_EMPTY = {"", "-", "—", "——", "－", "/", "／", "无", "—-"}


def number(text: str, units: tuple[str, ...] = ("万元", "分")) -> tuple[Decimal | None, bool]:
    """(value, ok): "2553.45 万元" → 2553.45; "94分" → 94; "—" → (None, True); "abc" → (None, False)."""
    t = squeeze(nfkc(text))
    if t in _EMPTY:
        return None, True
    for unit in units:
        if t.endswith(unit):
            t = t[: -len(unit)]
            break
    t = ungroup(t) or ""  # a comma that is no thousands separator: not a number
    if not _NUMBER.match(t):
        return None, False
    try:
        return Decimal(t), True
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return None, False


def is_number(text: str) -> bool:
    value, ok = number(text, ("万元", "万", "分", "%"))
    return ok and value is not None


# ------------------------------------------------------------------ split 指标性质 columns

NATURE_SYMBOLS = {
    "≥": "≥",
    ">=": "≥",
    "≧": "≥",
    "大于等于": "≥",
    "大于或等于": "≥",
    "≤": "≤",
    "<=": "≤",
    "≦": "≤",
    "小于等于": "≤",
    "小于或等于": "≤",
    ">": ">",
    "大于": ">",
    "<": "<",
    "小于": "<",
    "=": "=",
    "═": "=",
    "﹦": "=",
    "等于": "=",
}
NATURE_DIRECTIONS = {
    "定性": Direction.QUALITATIVE.value,
    "正向": Direction.POSITIVE.value,
    "反向": Direction.REVERSE.value,
    "定量": "",
}
