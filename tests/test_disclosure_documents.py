"""import-disclosure on the seed's part 6 as published documents: HTML, Word, `|` text (#16).

Each test lays the seed's tab-separated tables out as a real document of that kind and reads
it back through ``read_disclosure``: the nine forms must come back exactly as the samples.
"""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.disclosure import read_disclosure
from jixiao.disclosure.documents import DocumentError, _html_grid, docx_rows, html_rows
from jixiao.publish.document import blocks
from scorer.model import Form
from tests.conftest import ROOT
from tests.test_disclosure import _assert_same_forms, part6, samples  # noqa: F401  (fixtures)

_blocks = blocks  # paragraph lines and runs of tab lines as tables, as jixiao publish sets them


def _html(lines: list[str]) -> str:
    """Tables with the blank 一级 cells below a filled one merged into it (rowspan)."""
    parts = ["<html><body>"]
    for kind, rows in _blocks(lines):
        if kind == "p":
            parts.append(f"<p>{html.escape(rows[0][0])}</p>")
            continue
        parts.append("<table border=1>")
        spans = _rowspans(rows)
        for r, row in enumerate(rows):
            cells = []
            for c, text in enumerate(row):
                if c == 0 and spans.get(r) == 0:
                    continue  # covered by the rowspan above
                span = f' rowspan="{spans[r]}"' if c == 0 and spans.get(r, 1) > 1 else ""
                cells.append(f"<td{span}>{html.escape(text)}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
    return "\n".join(parts + ["</body></html>"])


def _rowspans(rows: list[list[str]]) -> dict[int, int]:
    """First-column merges of indicator rows: a filled cell spans the blank ones below it."""
    spans: dict[int, int] = {}
    head = None
    for r, row in enumerate(rows):
        if len(row) < 6:
            head = None
            continue
        if row[0].strip():
            head = r
            spans[r] = 1
        elif head is not None:
            spans[head] += 1
            spans[r] = 0
    return spans


def test_seed_as_html_tables_with_merged_cells(tmp_path: Path, part6: list[str], samples: dict[str, Form]) -> None:  # noqa: F811
    path = tmp_path / "决算公开.html"
    path.write_text(_html(part6), encoding="utf-8")
    result = read_disclosure(path)
    assert not result.errors, result.errors
    _assert_same_forms(result.forms, samples)


def test_seed_as_a_word_document(tmp_path: Path, part6: list[str], samples: dict[str, Form]) -> None:  # noqa: F811
    import docx

    document = docx.Document()
    for kind, rows in _blocks(part6):
        if kind == "p":
            document.add_paragraph(rows[0][0])
            continue
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    path = tmp_path / "决算公开.docx"
    document.save(str(path))
    assert any(isinstance(r, list) for r in docx_rows(path.read_bytes()))  # the reader sees the tables
    result = read_disclosure(path)
    assert not result.errors, result.errors
    _assert_same_forms(result.forms, samples)


def test_seed_as_pipe_text(tmp_path: Path, part6: list[str], samples: dict[str, Form]) -> None:  # noqa: F811
    lines = []
    for line in part6:
        if "\t" in line:
            lines.append("| " + " | ".join(line.split("\t")) + " |")
        else:
            lines.append(line)
    path = tmp_path / "决算公开.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = read_disclosure(path)
    assert not result.errors, result.errors
    _assert_same_forms(result.forms, samples)


@pytest.mark.parametrize(
    ("table", "grid"),
    [
        (
            "<tr><td colspan=2>A</td><td>B</td></tr><tr><td>1</td><td>2</td><td>3</td></tr>",
            [["A", "", "B"], ["1", "2", "3"]],
        ),
        ("<tr><td rowspan=2>A</td><td>B</td></tr><tr><td>C</td></tr>", [["A", "B"], ["", "C"]]),
        ("<tr><td>离退休人员<br>春节慰问</td><td></td><td>20</td></tr>", [["离退休人员春节慰问", "", "20"]]),
        ("<tr><td>score</td><td>full\nmarks</td></tr>", [["score", "full marks"]]),
    ],
)
def test_html_cells_keep_their_columns(table: str, grid: list[list[str]]) -> None:
    import lxml.html

    root = lxml.html.document_fromstring(f"<table>{table}</table>")
    assert _html_grid(next(root.iter("table"))) == grid
    assert html_rows(f"<table>{table}</table>".encode())[: len(grid)] == grid


def test_a_broken_word_file_is_a_chinese_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="无法读取 Word 文档"):
        docx_rows(b"PK\x03\x04 not really a zip")
    path = tmp_path / "坏.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    out = subprocess.run(
        [sys.executable, "-m", "jixiao", "import-disclosure", str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "坏.docx" in out.stderr
