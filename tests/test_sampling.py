"""The 抽评 sample: drawn by risk from the checks' findings, reproducibly, each form with its reasons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.checks import engine, record_for
from jixiao.checks.model import Finding
from jixiao.checks.sampling import SamplingDataError, draw, risk_of, weights
from jixiao.scoring import score_form
from scorer.formfile import load_form
from scorer.result import Severity
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[1]


def _records() -> list:
    return [record_for(score_form(load_form(p))) for p in sorted(SAMPLES.glob("*.toml"))]


def _flag(key: str, check: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(check, severity, "x", key)


def test_risk_is_base_plus_each_kind_of_finding_once() -> None:
    w = weights()
    found = [_flag("k", "recorded-far-above"), _flag("k", "recorded-far-above"), _flag("k", "no-cost-indicator")]
    risk, reasons = risk_of(found)
    assert risk == w.base + w.checks["recorded-far-above"] + w.severity["warning"]
    assert reasons[0].startswith("自评总分远高于规则总分（+") and len(reasons) == 2
    assert risk_of([]) == (w.base, ())
    assert risk_of([_flag("k", "project-coverage", Severity.INFO)]) == (w.base, ())  # weighted 0: no reason


def test_the_same_forms_and_seed_give_the_same_sample_in_any_order() -> None:
    records = _records()
    found = engine.run_all(records)
    first = draw(records, found, 4, seed=7)
    assert draw(list(reversed(records)), list(reversed(found)), 4, seed=7) == first
    assert len(first) == 4 and len({d.key for d in first}) == 4
    assert [d.risk for d in first] == sorted((d.risk for d in first), reverse=True)
    assert {tuple(d.key for d in draw(records, found, 4, seed=s)) for s in range(20)} != {tuple(d.key for d in first)}
    assert len(draw(records, found, 100, seed=1)) == len(records)  # more than there are: all of them


def test_a_risky_form_is_drawn_in_proportion_to_its_risk() -> None:
    records = _records()[:2]
    risky = records[0].key
    found = [_flag(risky, "recorded-far-above")]  # risk 7 against 1
    hits = sum(draw(records, found, 1, seed=s)[0].key == risky for s in range(400))
    assert 0.80 < hits / 400 < 0.95  # 7/8 = 0.875


def test_the_weights_file_must_name_real_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    weights.cache_clear()
    monkeypatch.delitem(engine.CHECKS, "unit-outlier")
    with pytest.raises(SamplingDataError, match="checks 中没有这个检查：unit-outlier"):
        weights()
    monkeypatch.undo()
    weights.cache_clear()
    assert weights().base >= 1


def _jixiao(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, cwd=ROOT)


def test_the_command_draws_from_the_database_and_says_why(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert _jixiao("--db", db, "import", str(SAMPLES)).returncode == 0
    run = ("--db", db, "review", "--year", "2024", "--sample", "4", "--seed", "7", "--json")
    once, twice = _jixiao(*run), _jixiao(*run)
    assert once.returncode == 0, once.stderr
    assert once.stdout == twice.stdout
    doc = json.loads(once.stdout)
    assert doc["seed"] == 7 and doc["population"] == 9 and len(doc["sample"]) == 4
    assert all(d["reasons"] and d["risk"] > 1 for d in doc["sample"])
    table = _jixiao(*run[:-1])
    assert "抽评样本" in table.stdout and "种子 7" in table.stdout
    bad = _jixiao("--db", db, "review", "--sample", "0")
    assert bad.returncode == 2 and "正整数" in bad.stderr
