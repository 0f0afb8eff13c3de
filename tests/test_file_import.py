"""`jixiao import` of files: the fast path (workers, new forms in groups) writes what the careful path writes.

Each test runs on a real SQLite file and, when available, a real PostgreSQL server.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import Engine, text

from jixiao import file_import
from jixiao.file_import import FileOutcome, import_paths
from jixiao.storage import FormStore
from scorer.formfile import dumps_toml, load_form
from tests.conftest import SAMPLES
from tests.storage_backends import BACKENDS, make_backend

ROOT = Path(__file__).resolve().parents[1]
# what differs between two imports of the same files by design: the clock, the fresh random identities,
# and PostgreSQL's transaction ids (a group of files is one transaction, each of its audit rows in it)
_VOLATILE = {"created_at", "updated_at", "at", "uid", "txid"}


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~150 generated form files (with the generator's planted unreadable cells), the samples, broken files."""
    out = tmp_path_factory.mktemp("province")
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--indicators", "2000", "--seed", "11"]
    subprocess.run([*gen, "--out", str(out / "gen"), "--manifest", str(out / "manifest.json")], check=True, cwd=ROOT)
    shutil.copytree(SAMPLES, out / "samples", ignore=shutil.ignore_patterns("*.md"))
    (out / "zz-broken.toml").write_text('project_name = "坏文件"\n[budget\n', encoding="utf-8")
    (out / "zz-nul.toml").write_text(
        dumps_toml(dataclasses.replace(load_form(SAMPLES / "2024-shangye-laogan.toml"), project_name="含\x00的项目")),
        encoding="utf-8",
    )
    return out


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".toml", ".json", ".xlsx") and p.is_file())


_IDS = {"id", "form_id", "goal_id"}


def _dump(engine: Engine, ids: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Every row of the form tables in id order; ``ids=False`` leaves the ids out (a rolled-back
    PostgreSQL transaction has used up numbers of its sequences)."""
    drop = _VOLATILE if ids else _VOLATILE | _IDS
    out = {}
    with engine.connect() as conn:
        for table in ("forms", "goals", "indicators", "audit_log"):
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings().all()
            out[table] = [{k: v for k, v in r.items() if k not in drop} for r in rows]
    return out


def _run(engine: Engine, files: list[Path], fast: bool, jobs: int = 2) -> list[FileOutcome]:
    return list(import_paths(FormStore(engine, actor="张三"), files, jobs=jobs, fast=fast))


@pytest.fixture(params=BACKENDS)
def two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two empty migrated databases of one kind: one for each path."""
    a, b = make_backend(request.param, tmp_path / "a"), make_backend(request.param, tmp_path / "b")
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "b").mkdir(exist_ok=True)
    yield next(a)[1], next(b)[1]
    a.close()
    b.close()


def _same(fast: list[FileOutcome], careful: list[FileOutcome], ids: bool = True) -> None:
    assert [(o.path, o.error) for o in fast] == [(o.path, o.error) for o in careful]
    if not ids:
        fast = [
            dataclasses.replace(f, outcomes=tuple(dataclasses.replace(o, form_id=0) for o in f.outcomes)) for f in fast
        ]
        careful = [
            dataclasses.replace(f, outcomes=tuple(dataclasses.replace(o, form_id=0) for o in f.outcomes))
            for f in careful
        ]
    assert [o.outcomes for o in fast] == [o.outcomes for o in careful]


def test_a_first_import_writes_what_the_careful_path_writes(province: Path, two: tuple[Engine, Engine]) -> None:
    fast_db, careful_db = two
    files = _files(province)
    fast = _run(fast_db, files, fast=True)
    careful = _run(careful_db, files, fast=False)
    _same(fast, careful)
    created = sum(len(o.outcomes) for o in fast)
    failed = [o for o in fast if o.error]
    assert created >= 140 and len(failed) >= 3  # the generator's planted cells, the broken and the NUL file
    assert any("zz-nul.toml" in o.error and "NUL" in o.error for o in failed)
    assert _dump(fast_db) == _dump(careful_db)


def test_again_and_with_changes_each_file_is_updated_or_left_as_the_careful_path_does(
    province: Path, two: tuple[Engine, Engine], tmp_path: Path
) -> None:
    fast_db, careful_db = two
    files = _files(province / "samples")
    _run(fast_db, files, fast=True, jobs=1)
    _run(careful_db, files, fast=False)
    changed = tmp_path / "changed"
    changed.mkdir()
    first = load_form(files[0])
    (changed / "a.toml").write_text(dumps_toml(dataclasses.replace(first, deviation_analysis="改了")), encoding="utf-8")
    (changed / "b.toml").write_text(dumps_toml(dataclasses.replace(first, project_name="新项目")), encoding="utf-8")
    # the same new form twice in one import: the second file updates what the first created
    (changed / "c.toml").write_text(dumps_toml(dataclasses.replace(first, project_name="新项目", title="再次")))
    again = [*files, *_files(changed)]
    fast = _run(fast_db, again, fast=True, jobs=1)
    _same(fast, _run(careful_db, again, fast=False))
    kinds = [o.outcome for f in fast for o in f.outcomes]
    assert kinds.count("unchanged") == len(files) and kinds[-3:] == ["updated", "created", "updated"]
    assert _dump(fast_db) == _dump(careful_db)


def test_a_group_the_database_refuses_is_written_file_by_file(
    province: Path, two: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form stored by someone else after the check (or invisible to this role): the group rolls back,
    and each of its files is written whole or refused, with the careful path's message."""
    fast_db, careful_db = two
    files = _files(province / "samples")
    FormStore(fast_db, actor="李四").import_forms([(str(files[3]), load_form(files[3]))])
    FormStore(careful_db, actor="李四").import_forms([(str(files[3]), load_form(files[3]))])
    monkeypatch.setattr(file_import.NewForms, "stored", lambda self, keys: set())  # the check saw nothing
    fast = _run(fast_db, files, fast=True, jobs=1)
    _same(fast, _run(careful_db, files, fast=False), ids=False)
    assert [o.outcome for f in fast for o in f.outcomes].count("unchanged") == 1
    assert _dump(fast_db, ids=False) == _dump(careful_db, ids=False)


def test_the_command_imports_a_directory_in_workers(province: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", str(db), "import", "-j", "2", str(province)],
        capture_output=True,
        cwd=ROOT,
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 1, err  # some files are refused: the exit says so
    assert "新建" in out and "失败" in out and "Traceback" not in err
    assert "zz-broken.toml" in err and "该文件未写入任何内容" in err
    bad = subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", str(db), "import", "-j", "0", str(province)],
        capture_output=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "应为正整数" in bad.stderr.decode()


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["import", "dry-run"])
def test_a_directory_without_form_files_is_an_error_as_for_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dry_run: list[str]
) -> None:
    import io

    from rich.console import Console

    from jixiao.cli import main

    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "j.db"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "说明.txt").write_text("不是表单", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["import", *dry_run, str(tmp_path / "empty")], Console(file=out), Console(file=err, width=200))
    assert code == 1 and "没有找到表单文件（.toml、.json、.xlsx）" in err.getvalue()
    assert "导入完成" not in out.getvalue()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_same_form_from_two_files_of_one_import_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """Which file wins depends on the order they were given in: the import says which it kept."""
    import io

    from rich.console import Console

    from jixiao.cli import main
    from tests.conftest import NINETY_FOUR

    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "j.db"))
    (tmp_path / "a.toml").write_text(NINETY_FOUR.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(
        NINETY_FOUR.read_text(encoding="utf-8").replace("executed = 24.7\n", "executed = 30\n"), encoding="utf-8"
    )
    (tmp_path / "c.toml").write_text(
        NINETY_FOUR.read_text(encoding="utf-8").replace('project_name = "老干工作经费"', 'project_name = "另一项"'),
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    files = [str(tmp_path / n) for n in ("a.toml", "c.toml", "b.toml")]
    code = main(["import", "-j", jobs, *files], Console(file=out), Console(file=err, width=400))
    said = err.getvalue()
    assert code == 0 and said.count("出现两次") == 1, said
    assert (
        "老干工作经费」在本次导入中出现两次" in said
        and "a.toml 与" in said
        and "b.toml；库中保存的是后一个文件的内容" in said
    )
    assert "另一项" not in said


def test_the_same_declaration_from_two_files_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from jixiao.cli import main
    from scorer.stages import declaration_from
    from tests.conftest import NINETY_FOUR

    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "j.db"))
    decl = declaration_from(load_form(NINETY_FOUR))
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.toml").write_text(dumps_toml(decl), encoding="utf-8")
    (tmp_path / "d" / "b.toml").write_text(dumps_toml(dataclasses.replace(decl, title="改过的标题")), encoding="utf-8")
    err = io.StringIO()
    code = main(["targets", "declare", str(tmp_path / "d")], Console(file=io.StringIO()), Console(file=err, width=400))
    assert (
        code == 0 and err.getvalue().count("出现两次") == 1 and "b.toml；库中保存的是后一个文件的内容" in err.getvalue()
    )


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("平台导出.csv", "另存为 .xlsx"),
        ("旧表.xls", "另存为 .xlsx"),
        ("说明.pdf", "jixiao import-disclosure"),
        ("表.ods", ""),
    ],
)
def test_a_file_of_another_kind_is_told_every_kind_import_takes(tmp_path: Path, name: str, hint: str) -> None:
    """It said 「应为 .toml 或 .json」 (the form loader's two), while import also takes .xlsx."""
    from jixiao.cli import main

    path = tmp_path / name
    path.write_bytes(b"a,b\n1,2\n")
    for argv in (["import", "--dry-run", str(path)], ["--db", str(tmp_path / "t.db"), "import", str(path)]):
        err = io.StringIO()
        code = main(argv, out=Console(file=io.StringIO()), err=Console(file=err, width=200, soft_wrap=True))
        assert code == 1
        assert "应为 .toml、.json 或 .xlsx" in err.getvalue() and hint in err.getvalue(), err.getvalue()
