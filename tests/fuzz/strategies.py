"""Hypothesis strategies for the fuzz targets (named by ``Target.strategy``)."""

from __future__ import annotations

import io
import json
import random
from decimal import Decimal
from typing import Any

import tomli_w
from hypothesis import strategies as st

from scorer.model import TICK_GROUPS, Budget, Form, FormKind, Goal, Indicator, Recorded, SignOff, Ticks
from scorer.rules import available
from tests.fuzz import targets as T


def pick(values: list[Any]) -> st.SearchStrategy[Any]:
    """sampled_from without putting every (possibly huge) value in the strategy's repr."""
    values = list(values)
    return st.integers(0, len(values) - 1).map(values.__getitem__)


# Text that has broken terminals, databases and parsers somewhere.
HOSTILE = [
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b[31m",
    "\u202e",
    "\u2066",
    "\u200f",
    "\x07",
    "\x00",
    "\x08",
    "\r",
    "\r\n",
    "\x9b",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ud800",
    "\udfff",
    "'; DROP TABLE forms; --",
    '" OR 1=1 --',
    "%",
    "_",
    "\\",
    "\\%",
    "''",
    "${jndi:x}",
    "{{7*7}}",
    "<script>",
    "𠀀",
    "\u0301",
    "ﾟ",
    "NaN",
    "Infinity",
    "1e999999",
    "9" * 5000,
    " " * 3000,
    "(" * 500,
    "户" * 300,
]
WORDS = [
    "完成",
    "基本完成",
    "未完成",
    "全年无故障",
    "定性指标",
    "减少",
    "有效保障",
    "年度更新",
    "达到预期指标",
    "排名前10",
]
CMPS = ["", "≥", ">", "=", "≤", "<", "≧", "≦", "不低于", "不超过", "以内", "达到", "为", ">=", "<="]
UNITS = ["", "户", "家", "次", "人次", "%", "万元", "元", "小时", "天", "个", "G", "亿条", "份", "米", "kg", "元/人*月"]

any_chars = st.characters(codec=None)  # every code point, lone surrogates included
control_chars = st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"])


def hostile_text(max_size: int = 30) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=max_size),
        st.text(any_chars, max_size=max_size),
        st.text(control_chars, max_size=10),
        st.lists(pick(HOSTILE + WORDS), max_size=4).map("".join),
    )


numbers_text = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9).map(str),
    st.integers(min_value=0, max_value=10**6).map(str),
    pick(["0", "00", "0.", ".5", "1,276", "1,2,3", "1e5", "1E+999999", "9" * 400, "0.0000001", "-0", "1.5.6"]),
)


def cells() -> st.SearchStrategy[str]:
    return st.one_of(
        hostile_text(40),
        st.builds(lambda c, n, u: f"{c}{n}{u}", pick(CMPS), numbers_text, pick(UNITS)),
        st.builds(lambda a, b, u: f"{a}{u}-{b}{u}", numbers_text, numbers_text, pick(UNITS)),
        pick([s.decode() for s in T.cell_seeds()]),
        pick(
            [
                "前" + "9" * 500 + "名",
                "第十十十名",
                "9999年99月99日",
                "2024年2月30日",
                "0月",
                "13月底前",
                "年底前",
                "a" + " " * 20000 + "b",
                "(" * 2000,
                "1" + ",000" * 1000,
                "≥" * 200 + "1",
            ]
        ),
        st.text(alphabet="≥≤<>=0123456789.,%万亿元户次（）() -~至前第排名年月日底", max_size=20),
    )


# ------------------------------------------------------------------ form-shaped documents

_DIRS = ["", "positive", "reverse", "equal", "qualitative", "sideways"]
scalar = st.one_of(
    hostile_text(20),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)


def _maybe(value: st.SearchStrategy[Any], other: st.SearchStrategy[Any] = scalar) -> st.SearchStrategy[Any]:
    """Mostly the right type, sometimes anything."""
    return st.one_of(value, value, value, other)


def indicator_dicts() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"name": _maybe(st.one_of(pick(["新增户数", "满意度", "修复时间", "成本"]), hostile_text()))},
        optional={
            "level1": _maybe(pick(["产出指标", "效益指标", "满意度指标", "成本指标", ""])),
            "level2": _maybe(pick(["数量指标", "质量指标", "时效指标", ""])),
            "target": _maybe(cells()),
            "actual": _maybe(cells()),
            "weight": _maybe(numbers_text),
            "score": _maybe(numbers_text),
            "score_reason": _maybe(hostile_text()),
            "direction": _maybe(pick(_DIRS)),
            "adjusted_target": _maybe(cells()),
            "unknown_key": scalar,
        },
    )


def form_dicts() -> st.SearchStrategy[dict[str, Any]]:
    ticks = st.fixed_dictionaries(
        {},
        optional={k: _maybe(st.lists(pick([*opts, "其他"]), max_size=3)) for k, opts in TICK_GROUPS.items()},
    )
    budget = st.fixed_dictionaries(
        {},
        optional={k: _maybe(numbers_text) for k in ("planned", "executed", "weight", "score", "initial")}
        | {"rate": _maybe(cells()), "label": _maybe(hostile_text())},
    )
    goal = st.fixed_dictionaries(
        {"indicators": _maybe(st.lists(indicator_dicts(), max_size=5))},
        optional={"weight": _maybe(numbers_text), "text": _maybe(hostile_text())},
    )
    return st.fixed_dictionaries(
        {"project_name": _maybe(hostile_text()), "year": _maybe(st.integers(min_value=1980, max_value=2110))},
        optional={
            "format": _maybe(pick(["jixiao-form/1", "jixiao-form/2"])),
            "form_kind": _maybe(pick(["project", "department", "other"])),
            "implementing_unit": _maybe(hostile_text()),
            "department": _maybe(hostile_text()),
            "rules": _maybe(pick([*available(), "nope", "../../etc/passwd"])),
            "total_score": _maybe(numbers_text),
            "deviation_analysis": _maybe(hostile_text()),
            "ticks": _maybe(ticks),
            "budget": _maybe(budget),
            "goals": _maybe(st.lists(goal, max_size=3)),
            "indicators": _maybe(st.lists(indicator_dicts(), max_size=3)),
            "signoff": _maybe(st.fixed_dictionaries({}, optional={"preparer": hostile_text(), "phone": scalar})),
        },
    )


def _toml_safe(value: Any) -> Any:
    """tomli_w cannot write None or lone surrogates: drop / replace them."""
    if isinstance(value, dict):
        return {k: _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_safe(v) for v in value if v is not None]
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _toml_dump(d: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps(_toml_safe(d))
    except (TypeError, ValueError):
        return "project_name = 1\n"


def _edit(text: str, edits: list[tuple[int, int, str]]) -> str:
    for pos, cut, ins in edits:
        at = pos % (len(text) + 1)
        text = text[:at] + ins + text[at + cut % 8 :]
    return text


edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 7), hostile_text(8)), min_size=1, max_size=4)


def toml_documents() -> st.SearchStrategy[str]:
    samples = [s.decode() for s in T.toml_seeds()]
    return st.one_of(
        form_dicts().map(_toml_dump),
        st.builds(_edit, pick(samples), edits),
        st.text(any_chars, max_size=200),
        pick(
            [
                "project_name = 'x'\nyear = " + "1" * 5000,
                "project_name = 'x'\nyear = 2024\n[budget]\nplanned = " + "9" * 5000,
                "a = " + "[" * 3000 + "]" * 3000,
                "a = " + "{b = " * 3000 + "1" + "}" * 3000,
                "project_name = 'x'\nyear = 2024\n[budget]\nplanned = 1e999999999\nweight = nan\nscore = inf",
                'project_name = "\\u0000\\u001b[2J"\nyear = 2024',
                "year = 0x7fffffffffffffffffff\nproject_name = 'x'",
                "project_name = 'x'\nyear = 2024-01-01",
                "project_name = 'x'\nyear = 2024\n[[goals]]\n[[goals.indicators]]\nname = 'n'\nweight = -inf",
            ]
        ),
    )


def json_documents() -> st.SearchStrategy[str]:
    samples = [s.decode() for s in T.json_seeds()]
    depth = st.integers(min_value=1, max_value=200_000)
    return st.one_of(
        form_dicts().map(lambda d: json.dumps(d, default=str)),
        form_dicts().map(lambda d: json.dumps(d, default=str, ensure_ascii=False)),
        st.builds(_edit, pick(samples), edits),
        st.text(any_chars, max_size=200),
        depth.map(lambda n: "[" * n + "]" * n),
        depth.map(lambda n: '{"a":' * n + "1" + "}" * n),
        depth.map(lambda n: '{"project_name": "x", "year": 2024, "goals": ' + "[" * n + "]" * n + "}"),
        pick(
            [
                '{"project_name": "x", "year": 2024, "total_score": NaN}',
                '{"project_name": "x", "year": 2024, "total_score": Infinity}',
                '{"project_name": "x", "year": 2024, "total_score": -Infinity}',
                '{"project_name": "x", "year": 2024, "total_score": 1e999999999}',
                '{"project_name": "x", "year": 2024, "total_score": ' + "9" * 100_000 + "}",
                '{"project_name": "x", "year": ' + "9" * 100_000 + "}",
                '{"project_name": "x", "year": 2024.0}',
                '{"project_name": "x", "year": 2.024e3}',
                '{"project_name": "x", "year": 1e400}',
                '{"project_name": "\\ud800", "year": 2024}',
                '{"project_name": "\\udfff\\u0000\\u001b[2J\\u202e", "year": 2024}',
                '{"project_name": "x", "project_name": "y", "year": 2024}',
                '\ufeff{"project_name": "x", "year": 2024}',
                '{"project_name": "x", "year": 2024, "budget": {"planned": "1,2,3万元"}}',
                '{"project_name": "x", "year": 2024, "budget": {"planned": "NaN"}}',
                '{"project_name": "x", "year": 2024, "budget": {"planned": "-Infinity"}}',
                '{"project_name": "x", "year": 2024, "budget": {"planned": "sNaN"}}',
            ]
        ),
    )


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def toml_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(toml_documents().map(_utf8), st.binary(max_size=300), st.just(b"\xef\xbb\xbf" + T.toml_seeds()[0]))


def json_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        json_documents().map(_utf8), st.binary(max_size=300), st.just("\ufeff".encode() + T.json_seeds()[0])
    )


# ------------------------------------------------------------------ workbooks

xl_values = st.one_of(
    hostile_text(20).map(lambda s: s.encode("utf-8", "replace").decode("utf-8")),
    pick(
        [
            "项目名称",
            "主管部门",
            "实施单位",
            "年度",
            "一级指标",
            "二级指标",
            "三级指标",
            "年初目标值",
            "实际完成值",
            "分值",
            "得分",
            "预算执行情况",
            "年度财政资金总额",
            "年度绩效目标 1（80分）",
            "总分",
            "☑部门预算项目",
            "正向",
            "=1/0",
            "=A1",
            "#DIV/0!",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    pick(T.sample_forms()[0].indicators).map(lambda i: i.target),
)


@st.composite
def random_workbook(draw: st.DrawFn) -> bytes:
    """A workbook whose cells are random values, some laid over a real form sheet."""
    from openpyxl import Workbook, load_workbook

    if draw(st.booleans()):
        wb = load_workbook(io.BytesIO(draw(pick(T.xlsx_seeds()))))
    else:
        wb = Workbook()
    ws = wb.worksheets[draw(st.integers(0, len(wb.worksheets) - 1))]
    for _ in range(draw(st.integers(0, 30))):
        r, c = draw(st.integers(1, 40)), draw(st.integers(1, 12))
        value = draw(xl_values)
        try:
            ws.cell(r, c).value = value
        except AttributeError:  # a merged cell: read-only
            pass
        except Exception:  # IllegalCharacterError: openpyxl refuses control characters
            ws.cell(r, c).value = value.encode("unicode_escape").decode("ascii")
    for _ in range(draw(st.integers(0, 3))):
        r, c = draw(st.integers(1, 40)), draw(st.integers(1, 12))
        try:
            ws.merge_cells(
                start_row=r, start_column=c, end_row=r + draw(st.integers(0, 5)), end_column=c + draw(st.integers(0, 5))
            )
        except ValueError:
            pass
    if draw(st.booleans()) and "_jixiao" in wb.sheetnames:
        hidden = wb["_jixiao"]
        text = draw(
            st.one_of(
                pick(['{"weight": "NaN"}', "[" * 5000, '{"project_name": 1}', "null"]),
                st.text(max_size=50).map(lambda s: s.encode("utf-8", "replace").decode("utf-8")),
            )
        )
        try:
            hidden.cell(2, 2).value = text
        except Exception:  # IllegalCharacterError
            pass
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def corrupted_workbook() -> st.SearchStrategy[bytes]:
    return st.builds(lambda seed, n: T.mutate_xlsx(seed, random.Random(n)), pick(T.xlsx_seeds()), st.integers(0, 2**32))


def xlsx_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        corrupted_workbook(),
        st.builds(lambda seed, n: T.mutate_bytes(seed, random.Random(n)), pick(T.xlsx_seeds()), st.integers(0, 2**32)),
        st.binary(max_size=200),
        pick([b"", b"PK", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100]),
    )


# ------------------------------------------------------------------ valid forms for the engine

weights = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
    pick([Decimal(0), Decimal("0.000001"), Decimal("999999999999999"), Decimal("0.001")]),
)
money = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
)
names = st.one_of(
    pick(["新增户数", "满意度", "修复时间", "覆盖率", "成本", "故障率", "投诉次数", "利润增长量"]),
    hostile_text(),
).map(lambda s: s.strip() or "指标")


def indicators() -> st.SearchStrategy[Indicator]:
    return st.builds(
        Indicator,
        level1=pick(["产出指标", "效益指标", "满意度指标", "成本指标", "", "其他指标"]),
        level2=pick(["数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "服务对象满意度指标", ""]),
        name=names,
        target=cells(),
        actual=cells(),
        weight=weights,
        recorded=st.one_of(st.none(), st.builds(Recorded, weights.map(lambda w: w or Decimal(0)), hostile_text())),
        adjusted_target=st.one_of(st.just(""), cells()),
        direction=pick(["", "positive", "reverse", "equal", "qualitative"]),
    )


def forms() -> st.SearchStrategy[Form]:
    return st.builds(
        Form,
        project_name=names,
        department=hostile_text(),
        implementing_unit=hostile_text(),
        year=st.one_of(st.none(), st.integers(1990, 2100)),
        form_kind=pick(list(FormKind)),
        ticks=st.builds(Ticks, *(st.lists(pick(o), unique=True).map(tuple) for o in TICK_GROUPS.values())),
        budget=st.builds(
            Budget,
            planned=money,
            executed=money,
            rate_text=st.one_of(st.just(""), cells()),
            weight=weights,
            recorded=st.one_of(st.none(), st.builds(Recorded, weights.map(lambda w: w or Decimal(0)))),
        ),
        goals=st.lists(
            st.builds(
                Goal, text=hostile_text(), weight=weights, indicators=st.lists(indicators(), max_size=8).map(tuple)
            ),
            min_size=1,
            max_size=3,
        ).map(tuple),
        total_recorded=weights,
        signoff=st.builds(SignOff, preparer=hostile_text()),
    )


def scored_forms() -> st.SearchStrategy[tuple[Form, str]]:
    return st.tuples(forms(), pick(available()))


def documents() -> st.SearchStrategy[str]:
    """Plain text documents, for text importers (issue 10's disclosure reader)."""
    return st.text(any_chars, max_size=2000)
