"""The fuzz targets: what is called, which errors it may raise, how raw bytes become an input.

Every importer of untrusted data is a target. The bounded hypothesis run
(tests/test_fuzz.py) and the long run (bench/fuzz.py, atheris or a mutation
loop) both take this list. Adding an importer is one line in ``TARGETS``::

    Target("disclosure", (DisclosureError,), read_disclosure, decode, text_seeds, "documents"),

— a name, the errors it may raise, the call, a bytes→input decoder, the seed
inputs (bytes) and the name of a hypothesis strategy in tests/fuzz/strategies.py.
"""

from __future__ import annotations

import atexit
import io
import os
import random
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jixiao.scoring import score_form
from jixiao.xlsx import XlsxError, read_workbook
from scorer.cells import CellError, parse_cell
from scorer.formfile import FormFileError, _json_ints, dumps_json, form_from_dict, load_form, parse_text
from scorer.model import TICK_GROUPS, Budget, Form, FormKind, Goal, Indicator, Recorded, SignOff, Ticks
from scorer.rules import available
from scorer.rules import load as load_rules

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


@dataclass(frozen=True)
class Target:
    name: str
    errors: tuple[type[BaseException], ...]  # the only exceptions ``call`` may raise
    call: Callable[[Any], object]
    from_bytes: Callable[[bytes], Any]  # fuzzer bytes → an input for ``call``
    seeds: Callable[[], list[bytes]]  # realistic inputs to start mutating from
    strategy: str  # name of the hypothesis strategy function in tests/fuzz/strategies.py
    mutate: Callable[[bytes, random.Random], bytes] | None = None  # structure-aware mutation, optional


# ------------------------------------------------------------------ decoding


def decode(data: bytes) -> str:
    """Fuzzer bytes as text; invalid UTF-8 becomes lone surrogates, which are hostile too."""
    return data.decode("utf-8", "surrogateescape")


# ------------------------------------------------------------------ the calls


def check_cell(text: str) -> object:
    try:
        cell = parse_cell(text)
    except CellError as exc:
        assert exc.text == text, "CellError must quote the cell as written"
        raise
    assert cell.raw == text
    cell.display()  # rendering a parsed cell must not fail either
    return cell


def read_toml(text: str) -> Form:
    return form_from_dict(parse_text(text, "<fuzz>.toml", ".toml"), "<fuzz>.toml")


def read_json(text: str) -> Form:
    return form_from_dict(_json_ints(parse_text(text, "<fuzz>.json", ".json")), "<fuzz>.json")


_TMP: list[Path] = []


def _tmpdir() -> Path:
    if not _TMP:
        base = os.environ.get("JIXIAO_FUZZ_TMP")  # bench/fuzz.py's workers: removed by the parent
        if base is None and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
            base = "/dev/shm"
        path = Path(tempfile.mkdtemp(prefix="jixiao-fuzz-", dir=base))
        atexit.register(shutil.rmtree, path, True)
        _TMP.append(path)
    return _TMP[0]


def read_form_file(data: bytes, suffix: str) -> Form:
    """load_form on these bytes, through a real file (size limit, BOM, UTF-8 decoding)."""
    path = _tmpdir() / f"form{suffix}"
    path.write_bytes(data)
    return load_form(path)


def read_xlsx(data: bytes) -> list[Form]:
    path = _tmpdir() / "book.xlsx"
    path.write_bytes(data)
    forms = read_workbook(path)
    assert forms, "read_workbook returns at least one form or raises"
    return forms


def score_checked(arg: tuple[Form, str]) -> object:
    """score_form never raises on a valid form, and every score stays within its weight."""
    form, rules = arg
    rs = load_rules(rules)
    result = score_form(form, rs)
    zero = Decimal(0)
    for r in result.indicators:
        assert r.weight >= zero, f"negative weight {r.weight} for {r.indicator.name!r}"
        if r.score is not None:
            assert zero <= r.score <= r.weight, f"{r.indicator.name!r}: score {r.score} outside 0..{r.weight}"
    b = result.budget
    if b.score is not None:
        assert zero <= b.score <= b.weight, f"budget score {b.score} outside 0..{b.weight}"
    assert result.total_computed >= zero
    weight_total = b.weight + sum((r.weight for r in result.indicators), zero)
    assert result.total_computed <= weight_total + Decimal("0.005"), (
        f"total {result.total_computed} > weights {weight_total}"
    )
    return result


# ------------------------------------------------------------------ seeds


@cache
def sample_forms() -> tuple[Form, ...]:
    return tuple(load_form(p) for p in sorted(SAMPLES.glob("*.toml")))


def cell_seeds() -> list[bytes]:
    out: set[str] = {
        "≥75户",
        "≤24小时",
        "排名前10",
        "全年无故障",
        "≧735人次",
        "不低于95%",
        "90%-95%",
        "2021年12月31日前",
    }
    for f in sample_forms():
        for ind in f.indicators:
            out.update((ind.target, ind.actual))
    return [s.encode() for s in sorted(out) if s]


def toml_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted(SAMPLES.glob("*.toml"))]


def json_seeds() -> list[bytes]:
    return [dumps_json(f).encode() for f in sample_forms()]


@cache
def _xlsx_seeds() -> tuple[bytes, ...]:
    from jixiao.xlsx import write_workbook

    out = []
    forms = sample_forms()
    for group in ([forms[0]], [forms[6]], list(forms[:3])):
        path = _tmpdir() / "seed.xlsx"
        write_workbook(group, path)
        out.append(path.read_bytes())
    return tuple(out)


def xlsx_seeds() -> list[bytes]:
    return list(_xlsx_seeds())


def engine_seeds() -> list[bytes]:
    rng = random.Random(8)
    return [bytes(rng.randrange(256) for _ in range(400)) for _ in range(16)]


# ------------------------------------------------------------------ structure-aware xlsx mutation

_XML_TOKENS = [
    b"<",
    b">",
    b"/>",
    b'"',
    b"&amp;",
    b"&#0;",
    b"&#x1b;",
    b"<![CDATA[",
    b"]]>",
    b"<!DOCTYPE x [",
    b"<!ENTITY",
    b'ref="A1:XFD1048576"',
    b'<mergeCell ref="A1:Z9999"/>',
    b'<c r="A1" t="s"><v>99999</v></c>',
    b"<v>NaN</v>",
    b"<v>1e999</v>",
    b"<v>-0</v>",
    b't="inlineStr"',
    b't="e"',
    b't="b"',
    b't="d"',
    b"<f>1/0</f>",
    b"\x00",
    b"\xff\xfe",
    "≥75户".encode(),
    "项目名称".encode(),
    "一级指标".encode(),
    "三级指标".encode(),
    "分值".encode(),
    "得分".encode(),
    "年度".encode(),
    b"_jixiao",
    b"jixiao-xlsx/1",
    b'state="hidden"',
    b'"score": "NaN"',
    b'"weight": "1E+999999"',
    b'"year": 1e400',
    b"9" * 40,
]


def mutate_bytes(data: bytes, rng: random.Random, tokens: list[bytes] | None = None) -> bytes:
    """1–4 random edits: flip, set, insert, delete, duplicate, insert a token, truncate."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        n = len(b)
        if op == 0 and n:
            b[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            b[rng.randrange(n)] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x1B, 0x22, 0x3C, rng.randrange(256)))
        elif op == 2:
            at = rng.randrange(n + 1)
            b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3 and n:
            at = rng.randrange(n)
            del b[at : at + rng.randint(1, 32)]
        elif op == 4 and n:
            at = rng.randrange(n)
            chunk = b[at : at + rng.randint(1, 64)]
            to = rng.randrange(n + 1)
            b[to:to] = chunk * rng.randint(1, 4)
        elif op == 5 and tokens:
            at = rng.randrange(n + 1)
            b[at:at] = rng.choice(tokens)
        elif op == 6 and n > 1:
            del b[rng.randrange(1, n) :]
        elif op == 7 and n:
            at = rng.randrange(n)
            b[at] = rng.choice(b"0123456789-.eE+%,")
    return bytes(b)


def mutate_xlsx(data: bytes, rng: random.Random) -> bytes:
    """Mostly edit the XML inside the zip (and re-zip), so the reader gets past the CRC check."""
    if rng.random() < 0.25:
        return mutate_bytes(data, rng, _XML_TOKENS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i, zf.read(i)) for i in zf.infolist()]
    except Exception:
        return mutate_bytes(data, rng, _XML_TOKENS)
    if not members:
        return mutate_bytes(data, rng, _XML_TOKENS)
    weights = [
        8 if i.filename.startswith("xl/worksheets/") else 3 if i.filename.startswith("xl/") else 1 for i, _ in members
    ]
    k = rng.choices(range(len(members)), weights)[0]
    info, body = members[k]
    members[k] = (info, mutate_bytes(body, rng, _XML_TOKENS))
    if rng.random() < 0.05:
        del members[rng.randrange(len(members))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, b in members:
            zf.writestr(i.filename, b)
    return out.getvalue()


# ------------------------------------------------------------------ forms from bytes

_NAMES = [
    "新增户数",
    "满意度",
    "修复时间",
    "覆盖率",
    "完成及时性",
    "成本",
    "利润增长量",
    "受益人数",
    "故障率",
    "投诉次数",
    "\x1b[2J清屏",
    "\u202e反转",
    "'; DROP TABLE forms; --",
    "",
    " ",
    "\x00",
    "名" * 300,
]
_LEVEL1 = ["产出指标", "效益指标", "满意度指标", "成本指标", "", "其他", "产 出 指 标"]
_LEVEL2 = ["数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "服务对象满意度指标", ""]
_CELLS = [
    "",
    "-",
    "≥75户",
    "≤24小时",
    "=100%",
    "90%-95%",
    "≥95%",
    "98%",
    "100%",
    "不低于95%",
    "排名前10",
    "第3名",
    "全年无故障",
    "完成",
    "基本完成",
    "未完成",
    "定性指标",
    "减少",
    "提高",
    "2024年12月31日前",
    "9月底",
    "年底前",
    "1,276万元",
    "3.9亿元",
    "0",
    "0%",
    "≥0",
    "≤0",
    "-5",
    "1e999",
    "99999999999999999999999999",
    "0.0000000001",
    "≥75米",
    "75户~60户",
    "≥",
    "达到预期指标",
    "有效保障",
    "\x1b[31m≥75户",
    "≥75\u202e户",
]
_NUMS = [
    None,
    "0",
    "1",
    "5",
    "10",
    "20",
    "30",
    "50",
    "80",
    "100",
    "0.5",
    "33.33",
    "1000000",
    "0.01",
    "7.125",
    "99999999999",
    "999999999999999",
    "0.000001",
    "123456789.123456789",
]  # the range a form may hold


class _Draw:
    """Deterministic choices driven by fuzzer bytes (zeros when they run out)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 0

    def byte(self) -> int:
        if self.i >= len(self.data):
            return 0
        self.i += 1
        return self.data[self.i - 1]

    def below(self, n: int) -> int:
        return (self.byte() << 8 | self.byte()) % n if n > 1 else 0

    def pick(self, seq: list[Any] | tuple[Any, ...]) -> Any:
        return seq[self.below(len(seq))]

    def text(self, pool: list[str]) -> str:
        if self.byte() < 200:
            return self.pick(pool)
        n = self.byte() % 12
        return self.pick(pool) + "".join(chr(self.below(0x30000)) for _ in range(n))

    def number(self) -> Decimal | None:
        v = self.pick(_NUMS)
        return None if v is None else Decimal(v)

    def weight(self) -> Decimal | None:
        v = self.number()
        return None if v is None else abs(v)


def form_from_bytes(data: bytes) -> tuple[Form, str]:
    """A form the readers could have produced (valid names, directions, ticks), from fuzzer bytes."""
    d = _Draw(data)
    goals = []
    for _ in range(1 + d.below(3)):
        inds = []
        for _ in range(d.below(12)):
            name = d.text(_NAMES).strip() or "指标"
            rec = Recorded(d.weight() or Decimal(0), d.text(["", "理由"])) if d.byte() < 80 else None
            inds.append(
                Indicator(
                    level1=d.pick(_LEVEL1).replace(" ", ""),
                    level2=d.pick(_LEVEL2),
                    name=name,
                    target=d.text(_CELLS),
                    actual=d.text(_CELLS),
                    weight=d.weight(),
                    recorded=rec,
                    adjusted_target=d.text(_CELLS) if d.byte() < 20 else "",
                    direction=d.pick(["", "", "", "positive", "reverse", "equal", "qualitative"]),
                )
            )
        goals.append(
            Goal(text=d.text(["", "目标"]), weight=d.weight() if d.byte() < 100 else None, indicators=tuple(inds))
        )
    ticks = Ticks(*(tuple(o for o in opts if d.byte() < 90) for opts in TICK_GROUPS.values()))
    budget = Budget(
        planned=d.weight(),
        executed=d.weight(),
        rate_text=d.pick(["", "100%", "123.5%", "50%", "abc", "1e999%", "0%"]),
        weight=d.weight() if d.byte() < 128 else None,
        recorded=Recorded(d.weight() or Decimal(0)) if d.byte() < 60 else None,
    )
    form = Form(
        project_name=d.text(_NAMES).strip() or "项目",
        department="部门",
        implementing_unit=d.text(["单位", "\x1b]0;title\x07", "单位\u202e"]),
        year=d.pick([2024, 2021, None, 1990, 2100]),
        form_kind=d.pick([FormKind.PROJECT, FormKind.DEPARTMENT]),
        ticks=ticks,
        budget=budget,
        goals=tuple(goals),
        total_recorded=d.weight() if d.byte() < 100 else None,
        signoff=SignOff(preparer=d.text(["", "张三"])),
    )
    return form, d.pick(available())


# ------------------------------------------------------------------ the list

TARGETS: list[Target] = [
    Target("cell", (CellError,), check_cell, decode, cell_seeds, "cells"),
    Target("toml", (FormFileError,), read_toml, decode, toml_seeds, "toml_documents"),
    Target("json", (FormFileError,), read_json, decode, json_seeds, "json_documents"),
    Target("toml-file", (FormFileError,), lambda b: read_form_file(b, ".toml"), bytes, toml_seeds, "toml_bytes"),
    Target("json-file", (FormFileError,), lambda b: read_form_file(b, ".json"), bytes, json_seeds, "json_bytes"),
    Target("xlsx", (XlsxError,), read_xlsx, bytes, xlsx_seeds, "xlsx_bytes", mutate_xlsx),
    Target("engine", (), score_checked, form_from_bytes, engine_seeds, "scored_forms"),
    # issue 10: Target("disclosure", (DisclosureError,), read_disclosure, decode, disclosure_seeds, "documents"),
]
BY_NAME = {t.name: t for t in TARGETS}
