"""Killed mid-operation: the database stays consistent and no partial file is left under its final name.

Real subprocesses (sys.executable), real SIGKILL. Each import file is its own
transaction, each save one transaction, each exported file is written to a
temporary name and renamed; these tests kill jixiao in the middle of each and
look at what is left.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from jixiao.storage import FormStore
from jixiao.storage.database import make_engine, upgrade
from scorer.formfile import dumps_toml, load_form
from scorer.model import Form
from tests.conftest import ROOT, SAMPLES
from tests.storage_backends import BACKENDS, make_backend

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

N_FORMS = 1200  # several of the import's groups of new forms (jixiao.file_import.GROUP_FORMS)


def _generated() -> list[Form]:
    samples = [load_form(p) for p in sorted(SAMPLES.glob("*.toml"))]
    return [
        dataclasses.replace(samples[i % len(samples)], project_name=f"{samples[i % len(samples)].project_name}-{i:03d}")
        for i in range(N_FORMS)
    ]


@pytest.fixture(scope="module")
def form_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,200 form files: the samples again and again under new project names."""
    d = tmp_path_factory.mktemp("forms")
    for i, form in enumerate(_generated()):
        (d / f"form-{i:03d}.toml").write_text(dumps_toml(form), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def populated_sqlite(tmp_path_factory: pytest.TempPathFactory, form_dir: Path) -> Path:
    """An SQLite database holding the first 60 generated forms (copied for each test)."""
    path = tmp_path_factory.mktemp("db") / "populated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    store = FormStore(engine, actor="测试")
    files = sorted(form_dir.glob("*.toml"))[:60]
    store.import_forms([(str(p), load_form(p)) for p in files])
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    gen = make_backend(request.param, tmp_path)
    url, engine = next(gen)
    yield url, engine
    gen.close()


def _jixiao(*argv: str, **kw: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JIXIAO_USER": "导入员", "PYTHONPATH": str(ROOT)}
    if argv[:1] == ("--db",):  # through the environment: --db refuses a URL with a password
        env["JIXIAO_DB"], argv = argv[1], argv[2:]
    return subprocess.Popen(
        [sys.executable, "-m", "jixiao", *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        **kw,  # type: ignore[call-overload]
    )


def _kill_when(proc: subprocess.Popen[bytes], ready, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL ``proc`` as soon as ``ready()`` is true (plus a little random delay)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise AssertionError(f"finished before it could be killed: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("never got far enough to be killed")
        time.sleep(0.01)
    time.sleep(random.uniform(0, 0.08))
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL


def _count(engine: Engine, table: str = "forms") -> int:
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    except Exception:  # locked for a moment: not yet
        return 0


def _check_consistent(engine: Engine, expected: dict[str, Form]) -> int:
    """Every stored form is whole and equal to its file; its audit entries are there; nothing dangles."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    with engine.connect() as conn:
        q = conn.execute
        assert q(text("SELECT count(*) FROM goals WHERE form_id NOT IN (SELECT id FROM forms)")).scalar_one() == 0
        assert q(text("SELECT count(*) FROM indicators WHERE goal_id NOT IN (SELECT id FROM goals)")).scalar_one() == 0
        orphans = q(text("SELECT count(*) FROM audit_log WHERE form_id NOT IN (SELECT id FROM forms)")).scalar_one()
        assert orphans == 0, "audit rows of a form that was rolled back"
        per_form = dict(q(text("SELECT form_id, count(*) FROM audit_log GROUP BY form_id")).all())
        ids = [r[0] for r in q(text("SELECT id FROM forms ORDER BY id")).all()]
    store = FormStore(engine)
    for form_id in ids:
        sf = store.get(form_id)
        assert sf.form == expected[sf.form.project_name], "a form stored in part"
        assert per_form.get(form_id) == 1, "each imported form has its one audit entry"
        assert store.history(form_id)[0].action == "import"
    return len(ids)


def test_import_killed_midway_leaves_whole_forms_only(backend: tuple[str, Engine], form_dir: Path) -> None:
    url, engine = backend
    expected = {f.project_name: f for f in _generated()}
    proc = _jixiao("--db", url, "import", "-j", "1", str(form_dir))  # one process: slow enough to catch midway
    _kill_when(proc, lambda: _count(engine) >= 8)
    engine.dispose()
    n = _check_consistent(engine, expected)
    assert 8 <= n < N_FORMS
    # nothing committed is lost, and the import can simply be run again (here: up to 10 files further)
    again = sorted(form_dir.glob("*.toml"))[: n + 10]
    proc = _jixiao("--db", url, "import", *map(str, again))
    assert proc.wait(120) == 0, proc.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    engine.dispose()
    assert _check_consistent(engine, expected) == n + 10


def test_export_killed_midway_leaves_no_partial_file(populated_sqlite: Path, tmp_path: Path) -> None:
    from jixiao.xlsx import read_workbook

    db = tmp_path / "export.db"
    shutil.copy(populated_sqlite, db)
    engine = make_engine(f"sqlite:///{db}")
    stored = {sf.form.project_name: sf.form for sf in (FormStore(engine).get(r.id) for r in FormStore(engine).list())}
    out = tmp_path / "out"
    proc = _jixiao("--db", str(db), "export", "--format", "xlsx", "-o", str(out))
    _kill_when(proc, lambda: out.is_dir() and len(list(out.glob("*.xlsx"))) >= 6)
    finals = sorted(p for p in out.iterdir() if not p.name.startswith("."))
    temps = [p for p in out.iterdir() if p.name.startswith(".")]
    assert 6 <= len(finals) < len(stored)
    for p in temps:  # only ever the temporary name of the file being written
        assert p.name.endswith(".tmp") and p.name.startswith(".") and ".xlsx." in p.name, p.name
    for p in finals:
        assert p.suffix == ".xlsx"
        forms = read_workbook(p)  # complete: a truncated zip would fail here
        assert len(forms) == 1 and forms[0] == stored[forms[0].project_name]
    engine.dispose()


SAVER = """
import sys
from jixiao.storage import FormStore
from jixiao.storage.database import make_engine
from tests.test_faults import versions
url, form_id = sys.argv[1], int(sys.argv[2])
store = FormStore(make_engine(url), actor="保存员")
a, b = versions()
n = 0
while True:
    sf = store.get(form_id)
    store.save(form_id, b if sf.form == a else a, sf.version, reason=f"第 {n} 次")
    n += 1
    print(n, flush=True)
"""


def versions() -> tuple[Form, Form]:
    """Two versions of one form that differ in every indicator and every narrative."""
    a = load_form(SAMPLES / "2024-shangye-laogan.toml")
    goals = tuple(
        dataclasses.replace(
            g,
            text=g.text + "（改）",
            indicators=tuple(
                dataclasses.replace(i, actual=i.actual + "（复核）", deviation=f"第 {n} 项已复核")
                for n, i in enumerate(g.indicators)
            ),
        )
        for g in a.goals
    )
    b = dataclasses.replace(
        a, goals=goals, deviation_analysis="全部复核。", improvement_measures="继续改进。", title=a.title + "（修订）"
    )
    return a, b


def test_save_killed_leaves_the_old_or_the_new_version(backend: tuple[str, Engine]) -> None:
    url, engine = backend
    a, b = versions()
    store = FormStore(engine, actor="测试")
    form_id = store.create(a).id
    for _round in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, url, str(form_id)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None
        saves = 0
        target = random.randint(5, 15)
        while saves < target:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(proc.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
            saves = int(line)
        time.sleep(random.uniform(0, 0.03))  # land anywhere inside the next save
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
        proc.stdout.close()
        proc.stderr.close()  # type: ignore[union-attr]
        engine.dispose()
        sf = store.get(form_id)
        assert sf.form in (a, b), "a mix of two versions"
        history = store.history(form_id)
        assert {e.version for e in history} == set(range(1, sf.version + 1)), "one audit group per committed save"
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"


def test_a_killed_writer_does_not_lock_sqlite_for_good(populated_sqlite: Path, tmp_path: Path) -> None:
    """SQLite keeps a killed writer's half transaction in the WAL; the next opener discards it."""
    db = tmp_path / "w.db"
    shutil.copy(populated_sqlite, db)
    code = (
        "import sqlite3, sys, os, signal\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE forms SET title = 'half'\")\n"
        "c.execute('DELETE FROM indicators')\n"
        "print('in', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, timeout=30)
    assert proc.returncode == -signal.SIGKILL and proc.stdout == b"in\n"
    conn = sqlite3.connect(db, timeout=5)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM forms WHERE title = 'half'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM indicators").fetchone()[0] > 0
    conn.execute("UPDATE forms SET rules = rules")  # writable again: no stale lock
    conn.commit()
    conn.close()
    engine = create_engine(f"sqlite:///{db}")
    assert _count(engine) == 60
    engine.dispose()


def test_pdf_export_killed_midway_leaves_no_partial_file(form_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("jixiao.pdf")
    src = tmp_path / "forms"
    src.mkdir()
    for p in sorted(form_dir.glob("*.toml"))[:40]:
        shutil.copy(p, src / p.name)
    out = tmp_path / "pdf"
    proc = _jixiao("pdf", str(src), "-o", str(out))
    _kill_when(proc, lambda: out.is_dir() and len(list(out.glob("*.pdf"))) >= 4)
    finals = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert 4 <= len(finals) < 40
    for p in out.iterdir():
        if p.name.startswith("."):
            assert p.name.endswith(".tmp"), p.name
            continue
        data = p.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), f"{p.name} is cut short"
