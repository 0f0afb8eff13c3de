"""`jixiao import --rules NAME`: forms that name no rule set (a platform sheet's) are scored and
stored under the rule set the importer names; a form that names one keeps it; an unknown name or a
file path is refused in Chinese before anything is read or written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.scoring import BUILTIN, score_form
from jixiao.storage.database import make_engine
from jixiao.storage.store import FormStore
from jixiao.xlsx.flat import profiles, write_flat
from scorer.formfile import load_form
from scorer.rules import load
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
NINETY_FOUR = "老干工作经费"


def _run(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "JIXIAO_USER": "填报人"}
    return subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", str(db), "import", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (profile,) = [p for p in profiles() if p.name == "platform-flat"]
    path = tmp_path_factory.mktemp("sheet") / "platform-flat.xlsx"
    write_flat([load_form(p) for p in sorted(SAMPLES.glob("*.toml"))], profile).save(path)
    return path


def _stored(db: Path) -> dict[str, tuple[str | None, object]]:
    store = FormStore(make_engine(f"sqlite:///{db}"))
    got = {}
    for s in store.list():
        form = store.get(s.id).form
        got[form.project_name] = (form.rules, s.total_computed)
    store.engine.dispose()
    return got


@pytest.mark.parametrize(("given", "expected"), [((), "national-2020"), (("--rules", "hubei-2020"), "hubei-2020")])
def test_sheet_forms_are_stored_and_scored_under_the_named_rule_set(
    sheet: Path, tmp_path: Path, given: tuple[str, ...], expected: str
) -> None:
    db = tmp_path / "j.db"
    done = _run(db, *given, str(sheet))
    assert done.returncode == 0, done.stderr
    assert f"按规则集 {expected} 评分" in done.stdout
    stored = _stored(db)
    assert len(stored) == 9 and {rules for rules, _ in stored.values()} == {expected if given else None}
    store = FormStore(make_engine(f"sqlite:///{db}"))
    for s in store.list():
        form = store.get(s.id).form
        assert s.total_computed == score_form(form, load(expected), BUILTIN).total_computed, form.project_name
    store.engine.dispose()


def test_the_94_form_from_a_sheet_under_hubei_is_scored_as_the_unit_was(sheet: Path, tmp_path: Path) -> None:
    """Under the national default the sheet's 老干工作经费 scores otherwise; under hubei-2020 as in its file."""
    national, hubei = tmp_path / "n.db", tmp_path / "h.db"
    assert _run(national, str(sheet)).returncode == 0
    assert _run(hubei, "--rules", "hubei-2020", str(sheet)).returncode == 0
    at_hubei = _stored(hubei)[NINETY_FOUR][1]
    assert at_hubei != _stored(national)[NINETY_FOUR][1]
    original = load_form(next(p for p in SAMPLES.glob("*.toml") if NINETY_FOUR in p.read_text(encoding="utf-8")))
    assert at_hubei == score_form(original, load("hubei-2020"), BUILTIN).total_computed


def test_a_form_naming_its_rule_set_keeps_it(tmp_path: Path) -> None:
    src = next(p for p in sorted(SAMPLES.glob("*.toml")) if NINETY_FOUR in p.read_text(encoding="utf-8"))
    named = tmp_path / "named.toml"
    named.write_text(src.read_text(encoding="utf-8").replace('rules = "hubei-2020"', 'rules = "national-2020"'))
    db = tmp_path / "j.db"
    assert _run(db, "--rules", "hubei-2020", str(named)).returncode == 0
    assert _stored(db)[NINETY_FOUR][0] == "national-2020"


@pytest.mark.parametrize("name", ["nosuch", "HUBEI-2020", "scorer/rulesets/hubei-2020.toml", ""])
def test_a_name_that_is_no_built_in_rule_set_is_refused_before_anything_is_written(
    sheet: Path, tmp_path: Path, name: str
) -> None:
    db = tmp_path / "j.db"
    for extra in ((), ("--dry-run",)):
        done = _run(db, *extra, "--rules", name, str(sheet))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert f"没有名为「{name}」的规则集" in done.stderr and "hubei-2020" in done.stderr
        assert not db.exists()


def test_the_dry_run_says_the_named_rule_set(sheet: Path, tmp_path: Path) -> None:
    done = _run(tmp_path / "j.db", "--dry-run", "--rules", "hubei-2020", str(sheet))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("新建时按规则集 hubei-2020 评分") == 9
    assert "national-2020" not in done.stdout
