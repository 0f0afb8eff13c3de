"""Every corpus and sample form comes back from its exported workbook as the same form.

An xlsx export read back used to lose the sub-row mark (子项): the parent was then scored as a
row of its own beside its sub-rows, and 隆阳区 2022's recorded total went from 67.16 to 97.16.
A 二级 named 预算执行管理 under a merged 一级 cell read as a second 预算执行 block: 南昌县黄马乡
2021 lost six rows and its total fell from 51.00 to 29.00.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.scoring import score_form
from jixiao.xlsx import read_workbook, write_workbook
from scorer.formfile import load_form
from tests.conftest import SAMPLES

CORPUS = sorted((Path(__file__).parent / "corpus").glob("20*.toml"))
FILES = [*sorted(SAMPLES.glob("*.toml")), *CORPUS]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_form_round_trips_through_its_workbook(path: Path, tmp_path: Path) -> None:
    form = load_form(path)
    out = tmp_path / "form.xlsx"
    write_workbook([form], out)
    (back,) = read_workbook(out)
    assert back == form
    before, after = score_form(form), score_form(back)
    assert (after.total_computed, after.total_recorded, after.grade) == (
        before.total_computed,
        before.total_recorded,
        before.grade,
    )
