"""``db rescore`` in worker processes, a batch committed at a time (jixiao.storage.rescore), and its
progress line (jixiao.progress_line)."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

import jixiao.storage.rescore as rescoring
from jixiao.progress_line import ProgressLine
from jixiao.storage.database import ENV_DB, open_database
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from jixiao.storage.verdict_stamp import stale_count
from tests.storage_backends import backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name

#: what an older jixiao left, on every form and every indicator
STALE_FORMS = (
    "UPDATE forms SET computed_rules = 'hubei-2020@2020.1', computed_total = 12, computed_grade = '差', "
    "computed_problems = 99, agg_total_c = 1200, agg_errors = 7, agg_warnings = 0, agg_indicators = 1"
)
STALE_INDICATORS = "UPDATE indicators SET computed_status = 'old', computed_score = 0, agg_score_u = 0"


def _many(copies: int) -> list[tuple[str, Any]]:
    return [
        (f"{name}#{k}", dataclasses.replace(form, project_name=f"{form.project_name}（{k}）"))
        for k in range(copies)
        for name, form in sample_forms()
    ]


def _verdicts(engine: Engine) -> tuple[list[Any], list[Any]]:
    """Every stored verdict column of every form and indicator, with the form's version (unchanged)."""
    with engine.connect() as conn:
        cols = [
            c for c in conn.execute(text("SELECT * FROM forms LIMIT 0")).keys() if c.startswith(("computed_", "agg_"))
        ]
        forms = conn.execute(text(f"SELECT id, version, scores_trusted, {', '.join(cols)} FROM forms ORDER BY id"))
        inds = conn.execute(
            text("SELECT id, computed_status, computed_score, agg_weight_u, agg_score_u FROM indicators ORDER BY id")
        )
        return [tuple(r) for r in forms], [tuple(r) for r in inds]


def _make_stale(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(STALE_FORMS))
        conn.execute(text(STALE_INDICATORS))


def test_workers_store_what_one_process_stores(backend_engine: Engine) -> None:
    store = FormStore(backend_engine, actor="测试")
    store.import_forms(_many(8))  # 72 forms: two workers' worth
    imported = _verdicts(backend_engine)
    _make_stale(backend_engine)
    assert stale_count(backend_engine) == 72
    assert store.rescore(jobs=1, batch=7) == 72
    one = _verdicts(backend_engine)
    _make_stale(backend_engine)
    seen: list[tuple[int, int]] = []
    assert store.rescore(jobs=2, batch=7, progress=lambda d, t: seen.append((d, t))) == 72
    two = _verdicts(backend_engine)
    assert one == imported and two == imported  # every computed_*/agg_* column, on forms and indicators
    assert stale_count(backend_engine) == 0
    assert seen[0] == (0, 72) and seen[-1] == (72, 72) and len(seen) == 1 + 11  # one call per committed batch


def test_an_interrupted_rescore_keeps_its_batches_and_a_rerun_does_the_rest(backend_engine: Engine) -> None:
    store = FormStore(backend_engine, actor="测试")
    store.import_forms(_many(2))  # 18 forms
    _make_stale(backend_engine)

    def stop(done: int, total: int) -> None:
        if done >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.rescore(batch=5, progress=stop)
    assert stale_count(backend_engine) == 8  # two batches committed before the interrupt
    assert store.rescore(batch=5) == 8 and stale_count(backend_engine) == 0


def test_a_form_edited_while_its_batch_was_scored_is_left_to_the_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite has no row lock: a form whose version moved on between the read and the write keeps
    what the edit stored (the edit computed its own verdict) instead of a verdict of the old cells."""
    engine, _ = open_database(str(tmp_path / "x.db"))
    store = FormStore(engine, actor="测试")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    _make_stale(engine)
    write = rescoring._write

    def edited_meanwhile(conn: Any, read: Any, guard: bool) -> int:
        with engine.begin() as other:
            other.execute(text("UPDATE forms SET version = version + 1 WHERE id = :id"), {"id": read[0][0]})
        return write(conn, read, guard)

    monkeypatch.setattr(rescoring, "_write", edited_meanwhile)
    assert store.rescore() == 8 and stale_count(engine) == 1


def test_the_default_database_reports_its_rescore_on_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DB, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    engine, is_default = open_database()
    assert is_default
    _make_stale(engine)
    seen: list[tuple[int, int]] = []
    said: list[str] = []
    open_database(announce=said.append, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 9), (9, 9)] and "9 份表单" in said[0]


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_short_job_says_nothing_and_a_long_one_says_how_far_it_is() -> None:
    clock, out = _Clock(), io.StringIO()
    line = ProgressLine("重新计分", "张表", stream=out, clock=clock)
    line(0, 67130)
    clock.now = 1.0
    line(67130, 67130)
    assert out.getvalue() == ""  # done within ~2 s
    clock, out = _Clock(), io.StringIO()
    line = ProgressLine("重新计分", "张表", stream=out, clock=clock)
    line(0, 67130)
    for step, at in enumerate((1.0, 2.5, 5.0, 13.0, 14.0), start=1):
        clock.now = at
        line(step * 12000, 67130)
    line(67130, 67130)
    assert out.getvalue().splitlines() == [
        "重新计分：24,000/67,130 张表",
        "重新计分：48,000/67,130 张表",
        "重新计分：67,130/67,130 张表",
    ]


def test_on_a_terminal_the_line_is_rewritten_in_place_and_cleared_at_the_end() -> None:
    out = _Terminal()
    line = ProgressLine("重新计分", "张表", stream=out, clock=_Clock())
    line(0, 67130)
    line(12000, 67130)
    line(67130, 67130)
    assert out.getvalue() == "\r\x1b[K重新计分：0/67,130 张表\r\x1b[K重新计分：12,000/67,130 张表\r\x1b[K"
    assert "\n" not in out.getvalue()


def test_db_rescore_takes_jobs_and_keeps_stdout_for_its_result(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    db = str(tmp_path / "shared.db")
    engine, _ = open_database(db)
    FormStore(engine, actor="测试").import_forms(_many(8))
    _make_stale(engine)
    done = subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", db, "db", "rescore", "-j", "2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "已重新计算 72 份表单的评分"
    assert "重新计分" not in done.stderr  # a short job off a terminal: no progress line
    assert stale_count(engine) == 0


def test_an_interrupted_db_rescore_says_what_it_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    import jixiao.cli.db as cli_db
    from jixiao.cli.app import main

    db = str(tmp_path / "shared.db")
    engine, _ = open_database(db)
    FormStore(engine, actor="测试").import_forms(_many(3))  # 27 forms, one batch
    _make_stale(engine)

    class Interrupted(ProgressLine):
        def __call__(self, done: int, total: int) -> None:
            super().__call__(done, total)
            if done:
                raise KeyboardInterrupt  # Ctrl-C after the first batch was committed

    monkeypatch.setattr(cli_db, "rescore_line", lambda: Interrupted("重新计分", "张表", stream=io.StringIO()))
    out, err = Console(file=io.StringIO(), width=200), Console(file=io.StringIO(), width=200)
    assert main(["--db", db, "db", "rescore"], out=out, err=err) == 130
    assert "已中断：已保存 27 份表单的新评分" in err.file.getvalue()  # type: ignore[attr-defined]
    assert out.file.getvalue() == "" and stale_count(engine) == 0  # type: ignore[attr-defined]


def test_a_rescore_writes_every_indicator_column_a_verdict_sets(tmp_path: Path) -> None:
    """A rescore writes the indicator columns of INDICATOR_VERDICT_COLUMNS past the ORM and no others: a
    column ``fill_computed`` also set would keep the old jixiao's value after every rescore."""
    from sqlalchemy import inspect, select
    from sqlalchemy.orm import Session, selectinload
    from sqlalchemy.orm.attributes import set_committed_value

    from jixiao.scoring import score_form
    from jixiao.storage.convert import INDICATOR_VERDICT_COLUMNS, fill_computed, to_form
    from jixiao.storage.models import FormRow, GoalRow, IndicatorRow

    store = FormStore(open_database(f"sqlite:///{tmp_path / 'v.db'}")[0], actor="jixiao")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    columns = [c.key for c in IndicatorRow.__table__.columns if c.key != "id"]
    with Session(store.engine) as s:
        q = select(FormRow).options(selectinload(FormRow.goals).selectinload(GoalRow.indicators))
        for row in s.execute(q).scalars():
            flat = [i for g in row.goals for i in g.indicators]
            result = score_form(to_form(row))
            for i in flat:
                for k in columns:
                    set_committed_value(i, k, None)  # whatever fill_computed sets now shows as a change
            fill_computed(row, result)
            changed = {a.key for i in flat for a in inspect(i).attrs if a.history.has_changes()}
            assert changed == set(INDICATOR_VERDICT_COLUMNS), row.project_name
