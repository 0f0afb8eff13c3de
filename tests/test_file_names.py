"""The names of the files jixiao writes for a form: 年度-实施单位-项目名称, each part the form has.

A form file without its year or names (a draft, an import-disclosure guess) was written as
``None--测试.pdf``, ``None---目标.toml`` (Python's None in a user's file name); a name of nothing
usable was the English ``form``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from jixiao.files import form_stem, safe_name
from scorer.formfile import load_form
from tests.conftest import SAMPLES
from tests.test_pdf import run


def test_a_stem_has_only_the_parts_the_form_has() -> None:
    form = load_form(SAMPLES / "2024-shangye-laogan.toml")
    assert form_stem(form) == "2024-武昌区商业行业离退休人员管理服务中心-老干工作经费"
    assert form_stem(form, "目标") == "2024-武昌区商业行业离退休人员管理服务中心-老干工作经费-目标"
    assert form_stem(dataclasses.replace(form, year=None, implementing_unit="")) == "老干工作经费"
    assert form_stem(dataclasses.replace(form, year=None, implementing_unit="", project_name="")) == "未命名表单"
    assert form_stem(dataclasses.replace(form, implementing_unit="", project_name=""), "目标") == "2024-未命名表单-目标"
    assert safe_name("///") == "未命名表单"


def test_pdf_and_targets_of_a_form_without_year_or_names(tmp_path: Path) -> None:
    (tmp_path / "draft.toml").write_text('project_name = "测试"\n', encoding="utf-8")
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    files = [str(tmp_path / "draft.toml"), str(tmp_path / "empty.toml")]
    assert run("pdf", *files, "-o", str(tmp_path / "pdf"))[0] == 0
    assert run("targets", "derive", *files, "-o", str(tmp_path / "none"))[0] == 1  # a declaration needs a year
    assert not list((tmp_path / "none").iterdir())
    assert run("targets", "derive", *files, "--year", "2025", "-o", str(tmp_path / "decl"))[0] == 0
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == ["未命名表单.pdf", "测试.pdf"]
    assert sorted(p.name for p in (tmp_path / "decl").iterdir()) == ["2025-未命名表单-目标.toml", "2025-测试-目标.toml"]
