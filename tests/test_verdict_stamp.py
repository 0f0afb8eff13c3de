"""Stored verdicts computed by another jixiao are stale: recomputed by ``db rescore`` (and on opening
the default database), and said by the list and the review until then (jixiao.storage.verdict_stamp)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from jixiao.storage.database import ENV_DB
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from jixiao.storage.verdict_stamp import DECIDING, current_suffix, fingerprint_of, stale_count
from tests.conftest import ROOT, SAMPLES
from tests.storage_backends import backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
#: what an older jixiao left: its own stamp, and a verdict the rules no longer give
OLD = "UPDATE forms SET computed_rules = 'hubei-2020@2020.1', computed_total = 12, agg_total_c = 1200, agg_errors = 7"


def _jixiao(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, cwd=ROOT, env=env)


def test_every_stored_verdict_carries_this_jixiaos_stamp(backend_engine: Engine) -> None:
    store = FormStore(backend_engine, actor="测试")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    with backend_engine.connect() as conn:
        stamps = set(conn.execute(text("SELECT computed_rules FROM forms")).scalars())
    assert stamps and all(s.endswith(current_suffix()) and "@" in s for s in stamps)
    assert stale_count(backend_engine) == 0 and store.rescore() == 0  # nothing to do


def test_a_verdict_another_jixiao_computed_is_recomputed_by_rescore(backend_engine: Engine) -> None:
    store = FormStore(backend_engine, actor="测试")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    right = {s.id: (s.total_computed, s.problems) for s in store.list()}
    with backend_engine.begin() as conn:
        conn.execute(text(OLD + " WHERE project_name = '老干工作经费'"))
    assert stale_count(backend_engine) == 1
    assert store.rescore() == 1 and stale_count(backend_engine) == 0
    assert {s.id: (s.total_computed, s.problems) for s in store.list()} == right


def test_the_list_and_the_review_recompute_them_and_say_so_until_db_rescore(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.db")  # not the default: nobody rescored it on opening
    assert _jixiao("--db", db, "import", str(SAMPLES)).returncode == 0
    right = {argv: _jixiao("--db", db, *argv).stdout for argv in (("list",), ("review", "--json"), ("review",))}
    with sqlite3.connect(db) as conn:
        conn.execute(OLD)
    for argv, before in right.items():
        done = _jixiao("--db", db, *argv)
        assert done.returncode == 0 and "9 份表单保存的评分由另一版本的 jixiao 计算" in done.stderr, argv
        assert done.stdout == before, argv  # the numbers a reviewer reads are this jixiao's, not the stored ones
    done = _jixiao("--db", db, "db", "rescore")
    assert done.returncode == 0 and "已重新计算 9 份表单的评分" in done.stdout
    listed = _jixiao("--db", db, "list")
    assert "另一版本" not in listed.stderr and listed.stdout == right[("list",)]


def test_the_default_database_is_rescored_on_opening(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != ENV_DB} | {"XDG_DATA_HOME": str(tmp_path)}
    first = _jixiao("list", env=env)
    assert first.returncode == 0 and "98.10" in first.stdout
    (path,) = tmp_path.rglob("*.db")
    with sqlite3.connect(path) as conn:
        conn.execute(OLD)
    again = _jixiao("list", env=env)
    assert "已重新计算默认数据库中 9 份表单的评分" in again.stderr and "另一版本" not in again.stderr
    assert "98.10" in again.stdout and "12.00" not in again.stdout
    third = _jixiao("list", env=env)
    assert "重新计算" not in third.stderr  # once


def _tree(root: Path) -> Path:
    for part in DECIDING:
        src = ROOT / part
        if src.is_file():
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, root / part)
        else:
            shutil.copytree(src, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        ("scorer/rulesets/hubei-2020.toml", True),  # a rule set's data
        ("scorer/cells.py", True),  # how a cell is read
        ("indicator_catalog/__init__.py", True),  # the catalog's directions
        ("jixiao/checks/form_checks.py", True),  # a check, counted in the stored problem counts
        ("jixiao/storage/convert.py", True),  # how the verdict is stored
        ("scorer/__pycache__/cells.cpython-311.pyc", False),  # a cache
        ("jixiao/cli/db.py", False),  # what only shows the verdict
        ("scorer/notes.md", False),  # not a kind of file that decides
    ],
)
def test_the_fingerprint_follows_what_decides_a_verdict(tmp_path: Path, change: str, differs: bool) -> None:
    root = _tree(tmp_path)
    before = fingerprint_of(root)
    target = root / change
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("ab") as f:
        f.write(b"\n# changed\n")
    assert (fingerprint_of(root) != before) is differs


# ------------------------------------------------------------------ declarations (申报表) alike

#: what an older jixiao stored for a declaration: its target findings' counts, under its own stamp
STALE_DECLARATION = (
    "UPDATE forms SET computed_rules = 'hubei-2020@2020.1', computed_problems = 2, agg_errors = 0, "
    "agg_warnings = 2, agg_infos = 0 WHERE stage = 'declaration'"
)
COUNTS = "SELECT id, computed_problems, agg_errors, agg_warnings, agg_infos, computed_total FROM forms ORDER BY id"


@pytest.mark.parametrize("approved", [False, True])
def test_a_declarations_stale_counts_are_recomputed(backend_engine: Engine, approved: bool) -> None:
    from jixiao.workflow import Stage
    from tests.test_declarations import _approved, _declaration

    store = FormStore(backend_engine, actor="测试")
    if approved:  # approved: its rows locked, the verdict still rewritten (a verdict is not an edit)
        _approved(store)
    else:
        store.import_forms([("申报.toml", _declaration())], action="declare", stage=Stage.DECLARATION)
    with backend_engine.connect() as conn:
        right = [tuple(r) for r in conn.execute(text(COUNTS))]
    with backend_engine.begin() as conn:
        conn.execute(text(STALE_DECLARATION))
    assert stale_count(backend_engine) == 1 and store.rescore() == 1
    with backend_engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(text(COUNTS))] == right
