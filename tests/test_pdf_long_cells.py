"""Long cells in an indicator table that splits over pages: a preview with 「全文见续页」 in the
table, the full text once on the 续页, every row once, nothing off the page (unsigned and signed)."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
pypdf = pytest.importorskip("pypdf")

from scorer.formfile import load_form  # noqa: E402
from scorer.formwrite import dumps_json  # noqa: E402
from tests.conftest import SAMPLES  # noqa: E402
from tests.test_pdf import PASSWORD, run  # noqa: E402

ROWS = 40
FILL = "项目资金按计划拨付使用绩效目标基本完成部分指标因客观原因未达预期已制定整改措施并落实责任"
ALL = ("name", "target", "actual", "deviation")

# where the long cells fall: rows (0-based) and the columns that are long in them
CASES = {
    "first-row": ({0}, ALL),
    "split-row": ({13, 14, 15}, ALL),  # three rows too tall for one page, around the first split
    "one-column-at-the-split": ({11, 12}, ("deviation",)),
    "last-row": ({ROWS - 1}, ALL),
    "several": ({5, 14, 27, ROWS - 1}, ALL),
}


def _long(tag: str) -> str:
    return f"【{tag}】" + (FILL * 20)[:650]


def _form(rows: set[int], columns: tuple[str, ...]) -> tuple[object, dict[str, str]]:
    """A form of ROWS indicators, long cells where asked; its long texts by tag."""
    form = load_form(SAMPLES / "2024-wangluo-yunwei.toml")
    base = form.goals[0].indicators[0]
    longs: dict[str, str] = {}
    inds = []
    for i in range(ROWS):
        cells = {"name": f"〔R{i:03d}〕指标", "target": "≥10", "actual": "12", "deviation": ""}
        for col in columns if i in rows else ():
            tag = f"{col[0].upper()}{i:03d}"
            cells[col] = longs[tag] = (f"〔R{i:03d}〕" if col == "name" else "") + _long(tag)
        inds.append(dataclasses.replace(base, level2=f"二级{i // 8}", **cells))
    goal = dataclasses.replace(form.goals[0], text=_long("G"), indicators=tuple(inds))
    longs["G"] = goal.text
    form = dataclasses.replace(form, goals=(goal,), deviation_analysis=_long("X"), improvement_measures=_long("Y"))
    longs["X"], longs["Y"] = form.deviation_analysis, form.improvement_measures
    return form, longs


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _off_page(page: object) -> list[tuple[float, float, str]]:
    """Text drawn outside the page box (a row taller than the page runs off its bottom)."""
    w, h = float(page.mediabox.width), float(page.mediabox.height)  # type: ignore[attr-defined]
    off: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and not (0 <= x <= w and 0 <= y <= h):
            off.append((x, y, text))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return off


def _check(pdf: bytes, longs: dict[str, str], layout: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 2
    for page in reader.pages:
        assert _off_page(page) == []
    # each page's text without its footer (第 N 页 共 M 页, 规则集 …)
    text = "".join(re.split(r"第\d+页共\d+页", _squash(p.extract_text()))[0] for p in reader.pages)
    table, heading, continued = text.partition("续页：较长内容全文")
    assert heading
    for i in range(ROWS):
        assert table.count(f"〔R{i:03d}〕") == 1, f"row {i}"
    for tag, full in longs.items():
        if tag.startswith("D") and layout == "hubei":
            continue  # 湖北 has no 偏差原因 column
        assert table.count(f"【{tag}】") == 1, tag
        at = table.index(f"【{tag}】")
        assert re.match(r"[^】]*……（全文见续页\d+）", table[at + len(tag) + 2 : at + 400]), tag
        assert continued.count(_squash(full)) == 1, tag


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "t.db"))
    return tmp_path


def _export(env: Path, form: object, layout: str, *sign: str) -> bytes:
    src = env / "form.json"
    src.write_text(dumps_json(form), encoding="utf-8")  # type: ignore[arg-type]
    out = env / ("signed" if sign else "out")
    code, _, err = run("pdf", str(src), "-o", str(out), "--layout", layout, *sign)
    assert code == 0, err
    (pdf,) = out.glob("*.pdf")
    return pdf.read_bytes()


@pytest.mark.parametrize("layout", ["national", "hubei"])
@pytest.mark.parametrize("case", list(CASES))
def test_long_cells_print_once_as_preview_when_the_table_splits(env: Path, case: str, layout: str) -> None:
    rows, columns = CASES[case]
    form, longs = _form(rows, columns)
    _check(_export(env, form, layout), longs, layout)


def test_the_signed_pdf_has_the_same_pages(env: Path) -> None:
    form, longs = _form(*CASES["several"])
    unsigned = _export(env, form, "national")
    assert run("keys", "new", "--name", "王五", "-o", str(env / "k.p12"))[0] == 0
    signed = _export(env, form, "national", "--sign", str(env / "k.p12"))
    _check(signed, longs, "national")
    a, b = (pypdf.PdfReader(io.BytesIO(pdf)).pages for pdf in (unsigned, signed))
    assert len(a) == len(b)
    for pa, pb in zip(a, b, strict=True):
        assert pa.extract_text() == pb.extract_text()
