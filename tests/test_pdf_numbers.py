"""The numbers a PDF prints are the form's: a parent row (父项) is not counted beside its sub-rows.

The 分值 total of the 总分 row read 122.86 for 隆阳区 2022 (two parents over seven sub-rows, a form
of 100 points) and 130 for 萧县河西村 2023 (90 points): each parent's points were added again.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from jixiao.pdf.layout import render_form
from jixiao.scoring import score_form
from scorer import numbers as fmt
from scorer.formfile import load_form

CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", ["2022-yunnan-longyang-huafei", "2023-anhui-xiaoxian-hexi"])
def test_the_total_row_prints_each_point_once(name: str) -> None:
    form = load_form(CORPUS / f"{name}.toml")
    result = score_form(form)
    leaves = [i for i in result.indicators if i.weight_source != "children"]
    points = result.budget.weight + sum(i.weight for i in leaves)
    pdf = render_form(form)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    (line,) = [x for x in text.decode().splitlines() if re.match(r"\s*总分\s", x)]
    assert fmt.weight(points) in line.split()
    assert fmt.score(result.total_recorded or result.total_computed) in " ".join(line.split())
