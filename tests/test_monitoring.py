"""Mid-year monitoring snapshots: strict files, deviation warnings by the rule set, the year-end checks."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.checks.engine import CHECKS
from jixiao.checks.monitoring_checks import run_monitoring_checks
from jixiao.scoring import score_form
from scorer.formfile import FormFileError
from scorer.model import Budget, Form, Goal, Indicator
from scorer.monitoring import Forecast, Progress, Snapshot, load_snapshot
from scorer.result import Severity
from scorer.rules import RuleSetError, load_file
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
TRAINED = Indicator("产出指标", "数量指标", "培训人次", "≥1200人次", "")


def form(*rows: Indicator, actual: str = "") -> Form:
    rows = rows or (TRAINED,)
    return Form(
        project_name="技能培训",
        implementing_unit="区人社局",
        year=2025,
        rules="national-2020",
        budget=Budget(planned=Decimal(100)),
        goals=(Goal("完成年度培训任务", None, tuple(dataclasses.replace(r, actual=actual or r.actual) for r in rows)),),
    )


def snap(months: int = 6, executed: str | None = "50", *rows: Progress) -> Snapshot:
    return Snapshot(2025, "区人社局", "技能培训", months, Decimal(executed) if executed else None, rows=rows)


def found(f: Form, s: Snapshot, year_end: bool = False) -> list[tuple[str, Severity]]:
    return [(x.check_id, x.severity) for x in run_monitoring_checks(score_form(f), s, year_end)]


@pytest.mark.parametrize(
    ("months", "executed", "flagged"),
    [
        (6, "39.99", True),
        (6, "40", False),
        (3, "1", False),  # no schedule before the end of April
        (4, "24", True),
        (7, "39", True),  # July is held to June's 40%
        (12, "79", True),  # and December to October's 80%
        (12, "80", False),
        (6, None, False),  # nothing executed reported: nothing to compare
    ],
)
def test_spending_behind_the_rule_sets_schedule(months: int, executed: str | None, flagged: bool) -> None:
    assert (("spending-behind", Severity.WARNING) in found(form(), snap(months, executed))) is flagged


@pytest.mark.parametrize(
    ("target", "to_date", "expected"),
    [
        ("≥1200人次", "590人次", None),  # 98%: on pace
        ("≥1200人次", "350人次", ("indicator-pace", Severity.WARNING)),  # 58%: red
        ("≥1200人次", "420人次", ("indicator-pace", Severity.INFO)),  # 70%: yellow
        ("≥1200人次", "600人次", None),  # on pace
        ("≥1200人次", "720人次", ("indicator-pace", Severity.INFO)),  # 120%: blue
        ("≥1200人次", "0.06万人次", None),  # 600 in another scale of the same unit
        ("≥1200人次", "600户", None),  # incompatible units are never compared
        ("≤24小时", "30小时", None),  # an upper bound has no pace
        ("≥1200人次", "进展顺利", None),
    ],
)
def test_indicator_pace_in_the_platforms_colours(target: str, to_date: str, expected: tuple | None) -> None:
    row = dataclasses.replace(TRAINED, target=target)
    got = [x for x in found(form(row), snap(6, "50", Progress("培训人次", to_date))) if x[0] == "indicator-pace"]
    assert got == ([expected] if expected else [])


def test_spending_and_progress_far_apart() -> None:
    slow = snap(6, "80", Progress("培训人次", "300人次"))  # 80% spent, 25% done
    assert ("spending-progress-gap", Severity.WARNING) in found(form(), slow)
    even = snap(6, "30", Progress("培训人次", "300人次"))  # 30% spent, 25% done
    assert ("spending-progress-gap", Severity.WARNING) not in found(form(), even)


@pytest.mark.parametrize(
    ("forecast", "cause", "correction", "flagged"),
    [
        (Forecast.AT_RISK, "", "", True),
        (Forecast.WILL_MISS, "经费保障", "", True),
        (Forecast.AT_RISK, "", "追加培训班次", True),
        (Forecast.AT_RISK, "人员保障", "无", True),
        (Forecast.AT_RISK, "人员保障", "下半年增开两期培训班", False),
        (Forecast.ON_TRACK, "", "", False),
    ],
)
def test_a_forecast_miss_needs_its_cause_and_correction(
    forecast: Forecast, cause: str, correction: str, flagged: bool
) -> None:
    s = snap(6, "50", Progress("培训人次", "600人次", forecast, cause, correction))
    assert (("forecast-without-correction", Severity.WARNING) in found(form(), s)) is flagged


def test_year_end_against_what_the_monitoring_said() -> None:
    promised = Progress("培训人次", "300人次", Forecast.AT_RISK, "人员保障", "下半年增开两期培训班")
    missed = form(actual="900人次")
    assert ("correction-not-reported", Severity.WARNING) in found(missed, snap(6, "50", promised), True)
    told = dataclasses.replace(missed, deviation_analysis="培训人次未达标：下半年增开的两期培训班因场地原因推迟。")
    assert ("correction-not-reported", Severity.WARNING) not in found(told, snap(6, "50", promised), True)
    on_track = Progress("培训人次", "600人次", Forecast.ON_TRACK)
    assert ("predicted-on-track-missed", Severity.WARNING) in found(missed, snap(6, "50", on_track), True)
    met = form(actual="1300人次")
    assert not found(met, snap(6, "50", on_track), True)
    assert all(CHECKS[c].scope == "monitoring" for c in ("predicted-on-track-missed", "correction-not-reported"))


def test_rows_are_matched_by_identity_across_a_rename() -> None:
    row = dataclasses.replace(TRAINED, name="年度培训人次", uid="u1")
    s = snap(6, "50", Progress("培训人次", "350人次", uid="u1"))
    assert ("indicator-pace", Severity.WARNING) in found(form(row), s)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("months = 13\n", "months"),
        ("months = 6\nextra = 1\n", "extra"),
        ('months = 6\n[[rows]]\nindicator = "培训人次"\nforecast = "应该能"\n', "rows[0].forecast"),
        ('months = 6\n[[rows]]\nindicator = "培训人次"\ncause = "天气"\n', "rows[0].cause"),
        ('months = 6\n[[rows]]\nto_date = "1"\n', "rows[0].indicator"),
    ],
)
def test_snapshot_files_are_read_strictly(text: str, where: str, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('year = 2025\nimplementing_unit = "区人社局"\nproject_name = "技能培训"\n' + text, encoding="utf-8")
    with pytest.raises(FormFileError) as err:
        load_snapshot(path)
    assert f"键 {where}" in str(err.value) and "s.toml" in str(err.value)


def test_a_json_snapshot_reads_as_its_toml(tmp_path: Path) -> None:
    doc = {"year": 2025, "implementing_unit": "区人社局", "project_name": "技能培训", "months": 6, "executed": 50.5}
    (tmp_path / "s.json").write_text(json.dumps(doc), encoding="utf-8")
    s = load_snapshot(tmp_path / "s.json")
    assert (s.year, s.months, s.executed) == (2025, 6, Decimal("50.5"))


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ("spending = { 13 = 90 }\n", "未知的键 monitoring.spending.13"),
        ("spending = { 6 = 140 }\n", "0–100"),
        ("pace_red = 90\npace_yellow = 80\n", "pace_red ≤ pace_yellow"),
        ("colour = 1\n", "未知的键 monitoring.colour"),
        ("due_days = -1\n", "monitoring.due_days = -1，应为 0–366 的整数"),
        ("due_days = 1.5\n", "0–366 的整数"),
        ("due_days = true\n", "0–366 的整数"),
    ],
)
def test_the_rule_sets_monitoring_table_is_read_strictly(table: str, error: str, tmp_path: Path) -> None:
    text = (ROOT / "scorer" / "rulesets" / "national-2020.toml").read_text(encoding="utf-8")
    path = tmp_path / "r.toml"
    path.write_text(text.split("[monitoring]")[0] + "[monitoring]\n" + table, encoding="utf-8")
    with pytest.raises(RuleSetError, match=error):
        load_file(path)


SEED_SNAPSHOT = """year = 2024
implementing_unit = "武昌区商业行业离退休人员管理服务中心"
project_name = "老干工作经费"
months = 6
executed = 6.5

[[rows]]
indicator = "组织离退休党员学习教育"
to_date = "1"
forecast = "有可能"
cause = "人员保障"

[[rows]]
indicator = "老干工作经费"
to_date = "6.5万元"
forecast = "确定能"
"""


def test_the_command_on_the_94_form(tmp_path: Path) -> None:
    (tmp_path / "laogan-6.toml").write_text(SEED_SNAPSHOT, encoding="utf-8")
    run = [sys.executable, "-m", "jixiao", "monitor", "check", str(tmp_path)]
    done = subprocess.run([*run, "--forms", str(SAMPLES), "--json"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["snapshots"]
    checks = [f["check"] for f in report["findings"]]
    assert {"spending-behind", "indicator-pace", "forecast-without-correction", "predicted-on-track-missed"} <= set(
        checks
    )
    table = subprocess.run([*run, "--forms", str(SAMPLES)], capture_output=True, text=True, cwd=ROOT)
    assert "监控预计与年终结果" in table.stdout and "确定能" in table.stdout
    lost = subprocess.run(
        [*run, "--forms", str(SAMPLES / "2024-qiye-guanlifei.toml")], capture_output=True, text=True, cwd=ROOT
    )
    assert lost.returncode == 1 and "找不到对应的表单" in lost.stderr and "Traceback" not in lost.stderr


def test_a_generated_provinces_snapshots_have_every_planted_case_found_and_no_other(tmp_path: Path) -> None:
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--indicators", "3000", "--seed", "3"]
    subprocess.run(
        [*gen, "--out", str(tmp_path / "forms"), "--monitoring", str(tmp_path / "mon")],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    planted = json.loads((tmp_path / "mon-manifest.json").read_text(encoding="utf-8"))["planted"]
    assert {p["check"] for p in planted} == {"predicted-on-track-missed", "forecast-without-correction"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jixiao",
            "monitor",
            "check",
            str(tmp_path / "mon"),
            "--forms",
            str(tmp_path / "forms" / "2024"),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)["snapshots"]
    key = {r["source"]: r for r in reports}
    assert len(key) == len(list((tmp_path / "mon").rglob("*.toml")))
    kinds = {"predicted-on-track-missed", "forecast-without-correction"}
    found = sorted((f["check"], f["indicator"]) for r in reports for f in r["findings"] if f["check"] in kinds)
    assert found == sorted((p["check"], p["indicator"]) for p in planted)


def test_a_row_the_form_lacks_and_unreadable_progress_are_said() -> None:
    s = snap(6, "50", Progress("培训人次", "≥≥"), Progress("不存在的指标", "3个"))
    got = run_monitoring_checks(score_form(form()), s)
    assert [(f.check_id, f.indicator) for f in got if f.check_id != "spending-progress-gap"] == [
        ("monitoring-row-unmatched", "不存在的指标"),
        ("progress-unreadable", "培训人次"),
    ]


@pytest.mark.parametrize(("text", "where"), [("executed = -5\n", "executed"), ("planned = 0\n", "planned")])
def test_money_in_a_snapshot_is_sane(text: str, where: str, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'year = 2025\nimplementing_unit = "区人社局"\nproject_name = "技能培训"\nmonths = 6\n' + text, encoding="utf-8"
    )
    with pytest.raises(FormFileError, match=f"键 {where}"):
        load_snapshot(path)


# ------------------------------------------------------------------ a snapshot written after the fact

LATE_CASES = [
    # (months, stored at, the rule set's due_days, late?), for a 2025 snapshot
    (6, "2025-07-31T15:59:59+00:00", 31, False),  # 23:59:59 北京时间 on the due day
    (6, "2025-07-31T16:00:00+00:00", 31, True),  # 00:00 北京时间 the day after
    (6, "2025-07-31T16:00:00", 31, True),  # a stamp without a zone is UTC
    (2, "2025-03-31T15:59:59+00:00", 31, False),  # February ends on the 28th: due 31 days later
    (2, "2025-03-31T16:00:00+00:00", 31, True),
    (12, "2026-01-31T15:59:59+00:00", 31, False),  # December's snapshot is due in the next year
    (12, "2026-02-01T00:00:00+00:00", 31, True),
    (6, "2025-06-30T16:00:00+00:00", 0, True),  # due the day its month ends
    (6, "2025-06-30T15:00:00+00:00", 0, False),
]


@pytest.mark.parametrize(("months", "at", "days", "late"), LATE_CASES)
def test_a_snapshot_stored_after_it_was_due_is_flagged(months: int, at: str, days: int, late: bool) -> None:
    from datetime import datetime

    from jixiao.checks.monitoring_checks import run_stored_checks

    result = score_form(form())
    result = dataclasses.replace(result, rules=dataclasses.replace(result.rules, monitoring_due_days=days))
    found = run_stored_checks(result, snap(months), datetime.fromisoformat(at))
    assert [f.check_id for f in found] == (["monitoring-late"] if late else [])
    if late:
        assert f"1–{months}月监控记录于" in found[0].message and "事后补记" in found[0].message


def test_every_shipped_rule_set_gives_a_month_to_report() -> None:
    from scorer.rules import load

    for name in ("national-2020", "hubei-2020", "department-2020", "linear-capped"):
        assert load(name).monitoring_due_days == 31
