"""The 决算公开 package (issue 20): part 6 written from the forms reads back to the same forms, as text
and as PDF; the drafted 说明 agrees with the forms; `jixiao publish` from the database and from files."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.checks.narrative_checks import check_narrative, claims
from jixiao.disclosure import parse_disclosure, read_disclosure
from jixiao.publish.document import ruled_pdf
from jixiao.publish.narrative import draft_narrative
from jixiao.publish.part6 import ordered, part6_lines
from jixiao.scoring import score_form
from scorer.formfile import form_to_dict, load_form
from scorer.model import Form, FormKind

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "seed-000_b6f627454c508857.txt"


def _unreasoned(form: Form) -> Form:
    """What a published form prints: a row's score, not the unit's reason for it."""
    return dataclasses.replace(
        form,
        goals=tuple(
            dataclasses.replace(
                g,
                indicators=tuple(
                    dataclasses.replace(i, recorded=dataclasses.replace(i.recorded, reason="") if i.recorded else None)
                    for i in g.indicators
                ),
            )
            for g in form.goals
        ),
    )


@pytest.fixture(scope="module")
def seed_forms() -> list[Form]:
    return [f.form for f in parse_disclosure(SEED.read_text(encoding="utf-8"), str(SEED))]


def _same(got: list[Form], want: list[Form], normalise=lambda d: d) -> None:  # type: ignore[no-untyped-def]
    by_name = {f.project_name: f for f in got}
    assert sorted(by_name) == sorted(f.project_name for f in want)
    for f in want:
        assert normalise(form_to_dict(by_name[f.project_name])) == normalise(form_to_dict(_unreasoned(f))), (
            f.project_name
        )


def test_the_seeds_part6_written_again_reads_back_to_the_same_forms(seed_forms: list[Form]) -> None:
    text = "\n".join(part6_lines(ordered(seed_forms)))
    again = parse_disclosure(text, "published")
    assert all(f.report.unassigned == [] for f in again)
    _same([f.form for f in again], seed_forms)


def test_the_sample_files_too_as_a_ruled_pdf(tmp_path: Path) -> None:
    forms = ordered([load_form(p) for p in sorted((ROOT / "samples").glob("*.toml"))])
    assert forms[0].form_kind is FormKind.DEPARTMENT
    path = tmp_path / "公开.pdf"
    path.write_bytes(ruled_pdf(part6_lines(forms)))
    result = read_disclosure(path)
    assert result.errors == [] and result.dropped == [] and all(f.report.unassigned == [] for f in result.forms)
    _same(
        [f.form for f in result.forms], forms, normalise=lambda d: re.sub(r"\s+", "", str(d))
    )  # a wrap keeps no space


def test_the_drafted_narrative_agrees_with_its_forms_and_reads_like_the_seeds(seed_forms: list[Form]) -> None:
    text = draft_narrative([score_form(f) for f in seed_forms], 2024)
    assert check_narrative(text, seed_forms) == []
    for heading in (
        "(一)预算绩效管理工作开展情况",
        "(二)部门(单位)整体支出自评结果",
        "(三)项目支出自评结果",
        "(四)绩效自评结果应用情况",
    ):
        assert heading in text
    assert "共涉及项目8个，资金1,507.67万元" in text and "占项目支出总额1,737.92万元的86.75%" in text
    assert "对2个单位开展整体支出绩效自评，资金4,291.37万元" in text
    assert sum(c.kind == "project" for c in claims(text)) == 8
    assert "完成预算的123.5%" in text and "自评得分94.00分" in text and "。。" not in text


def _jixiao(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"JIXIAO_DB": str(db), "JIXIAO_USER": "测试", "PATH": "/usr/bin:/bin", "HOME": str(db.parent)}
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, env=env, cwd=ROOT)


def test_publish_from_the_database(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    assert _jixiao(db, "import", str(ROOT / "samples")).returncode == 0
    done = _jixiao(db, "publish", "--department", "经济信息化", "--year", "2024", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    said = "".join(done.stdout.split())  # the terminal wraps the long path wherever its width falls
    assert "9张表：部门整体1张，项目8张" in said and "说明中的数字与表一致" in said
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    (txt,) = (tmp_path / "out").glob("*.txt")
    read = read_disclosure(pdf)
    assert len(read.forms) == 9 and read.forms[0].form.form_kind is FormKind.DEPARTMENT
    assert "十三、预算绩效情况说明" in txt.read_text(encoding="utf-8")
    checked = _jixiao(db, "check-disclosure", str(txt), "--forms", str(ROOT / "samples"))
    assert checked.returncode == 0
    missing = _jixiao(db, "publish", "--department", "不存在的部门", "--year", "2024", "-o", str(tmp_path / "x"))
    assert missing.returncode == 1 and "没有找到主管部门含「不存在的部门」" in missing.stderr
    assert not (tmp_path / "x").exists()
