"""`jixiao score` end to end: terminal tables, --json, and every bad-input path."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli import main
from tests.conftest import NINETY_FOUR, ROOT, SAMPLES


def run(*argv: str, width: int = 80) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=width, highlight=False, color_system=None),
        err=Console(file=err, width=width, highlight=False, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


def test_score_samples_prints_all_nine_forms_and_the_94_form() -> None:
    code, out, err = run("score", str(SAMPLES))
    assert code == 0, err
    for name in (
        "企业管理费",
        "计划管理费",
        "滨江数创走廊专项经费",
        "老干部工作经费",
        "区域经济发展资金",
        "网络建设运转维护经费",
        "重大节日慰问",
        "老干工作经费",
    ):
        assert name in out
    assert "武昌区经济信息化和科技创新局" in out and "部门整体支出总额" in out
    assert "98.10（优）" in out and "※94.00（优）" in out
    assert "※组织离退" in out and "※老干工作" in out  # the two differing rows are marked
    assert "汇总" in out


def test_tables_fit_80_columns() -> None:
    from rich.cells import cell_len

    code, out, _ = run("score", str(SAMPLES), width=80)
    assert code == 0
    widest = max(cell_len(line) for line in out.splitlines())
    assert widest <= 80


def test_wide_terminal_uses_full_status_labels() -> None:
    _, out, _ = run("score", str(NINETY_FOUR), width=140)
    assert "部分达成" in out


def test_explain_adds_every_explanation() -> None:
    _, out, _ = run("score", str(NINETY_FOUR), "--explain", width=120)
    assert "计分说明" in out
    assert "W × A / B = 10 × 20万 / 24.7万" in out
    assert "执行率超过 100%" in out


def test_json_output_shape() -> None:
    code, out, _ = run("score", "--json", str(SAMPLES))
    assert code == 0
    data = json.loads(out)
    assert len(data["forms"]) == 9
    form = next(f for f in data["forms"] if f["source"].endswith("2024-shangye-laogan.toml"))
    for key in (
        "source",
        "project_name",
        "implementing_unit",
        "rules",
        "total_computed",
        "total_recorded",
        "grade",
        "budget",
        "indicators",
        "problems",
    ):
        assert key in form
    assert form["total_computed"] == "98.10" and form["total_recorded"] == "94.00"
    assert form["rules"] == "hubei-2020" and form["grade"] == "优"
    assert form["budget"]["score_computed"] == "20.00"
    names = [i["name"] for i in form["indicators"]]
    assert names[0] == "离退休人员春节重阳慰问" and names[-1] == "离退休人员对单位开展工作的满意度"
    cost = form["indicators"][4]
    assert cost["status"] == "partly" and cost["score_computed"] == "8.10" and cost["score_recorded"] == "10"
    for i in form["indicators"]:
        assert set(i) >= {"name", "status", "weight", "score_computed", "score_recorded", "explanation"}
    unscored = next(f for f in data["forms"] if f["project_name"] == "企业管理费")
    assert unscored["total_recorded"] is None


def test_json_input_minimal_shape_with_nulls(tmp_path: Path) -> None:
    doc = {
        "project_name": "测试项目",
        "department": None,
        "implementing_unit": "某单位",
        "year": 2024,
        "form_kind": "project",
        "budget": {"planned": 100, "executed": 90.5, "weight": None, "score": None},
        "indicators": [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "培训人次",
                "target": "≥100人次",
                "actual": "120人次",
                "weight": None,
                "score": None,
            },
            {
                "level1": "满意度指标",
                "level2": "服务对象满意度指标",
                "name": "满意度",
                "target": "≥90%",
                "actual": "95%",
                "weight": 10,
                "score": 10,
            },
        ],
        "total_score": None,
        "deviation_analysis": None,
    }
    f = tmp_path / "form.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("score", "--json", str(f))
    assert code == 0, err
    form = json.loads(out)["forms"][0]
    assert form["rules"] == "national-2020"
    assert form["budget"]["score_computed"] == "9.05"


def test_rules_override(tmp_path: Path) -> None:
    _, out, _ = run("score", "--json", "--rules", "linear-capped", str(NINETY_FOUR))
    form = json.loads(out)["forms"][0]
    assert form["rules"] == "linear-capped"
    assert form["indicators"][4]["score_computed"] == "7.65"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BAD_FILES = [
    ("syntax.toml", 'project_name = "x"\nyear = = 2024\n', "第 2 行第"),
    ("syntax.json", '{"project_name": "x",\n "year": }', "第 2 行第"),
    ("types.toml", 'project_name = "x"\nyear = "明年"\n', "键 year"),
    (
        "weight.toml",
        'project_name = "x"\n[[goals]]\n[[goals.indicators]]\nname = "a"\ntarget = "1"\nactual = "1"\nweight = "十分"\n',
        "键 goals[0].indicators[0].weight",
    ),
    ("unknown-key.toml", 'project_name = "x"\nactaul = "1"\n', "键 actaul"),
    ("rules.toml", 'project_name = "x"\nrules = "shanghai-2099"\n', "未知规则集「shanghai-2099」"),
    ("ticks.toml", 'project_name = "x"\n[ticks]\ncategory = ["自筹项目"]\n', "键 ticks.category"),
    ("binary.toml", "\x00\x01\x02", "TOML"),
    ("list.json", "[1, 2, 3]", "文件顶层应为表"),
]


@pytest.mark.parametrize(("name", "text", "where"), BAD_FILES)
def test_bad_files_are_reported_and_others_still_scored(tmp_path: Path, name: str, text: str, where: str) -> None:
    bad = _write(tmp_path, name, text)
    good = tmp_path / "good.toml"
    good.write_bytes(NINETY_FOUR.read_bytes())
    code, out, err = run("score", str(tmp_path))
    assert code == 1
    assert str(bad) in err and where in err
    assert "Traceback" not in out + err
    assert "98.10" in out  # the good file was still scored


def test_invalid_cell_is_named_and_exits_1(tmp_path: Path) -> None:
    text = NINETY_FOUR.read_text(encoding="utf-8").replace('actual = "≥280"', 'actual = "≥二百八"')
    f = _write(tmp_path, "cell.toml", text)
    code, out, err = run("score", str(f))
    assert code == 1
    assert "离退休人员春节重阳慰问" in err and "实际完成值" in err and "≥二百八" in err and "cell.toml" in err
    code, out, _ = run("score", "--json", str(f))
    form = json.loads(out)["forms"][0]
    assert form["indicators"][0]["status"] == "invalid" and form["indicators"][0]["score_computed"] == "0.00"
    assert any(p["code"] == "invalid-cell" for p in form["problems"])


def test_missing_path_and_unknown_rules_option() -> None:
    code, _, err = run("score", "/nonexistent/form.toml")
    assert code == 1 and "不存在" in err
    code, _, err = run("score", "--rules", "nope", str(NINETY_FOUR))
    assert code == 1 and "未知规则集" in err


def test_input_files_are_never_modified() -> None:
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLES.glob("*")}
    run("score", str(SAMPLES))
    run("score", "--json", "--explain", str(SAMPLES))
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLES.glob("*")}


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.toml", "[[[")
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "score", str(bad), str(NINETY_FOUR)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "bad.toml" in proc.stderr and "98.10" in proc.stdout


def test_usage_error_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        run("score")
    assert exc.value.code == 2
