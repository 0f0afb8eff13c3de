"""The database commands end to end: default database, import/export round trips, history."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli import main
from jixiao.xlsx import read_workbook
from scorer.formfile import load_form
from tests.conftest import SAMPLES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=160, highlight=False, color_system=None),
        err=Console(file=err, width=160, highlight=False, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_default_database_is_created_and_seeded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("JIXIAO_DB", raising=False)
    code, out, err = run("list")
    assert code == 0
    assert "已创建默认数据库" in err and "导入 9 份样表" in err
    assert (tmp_path / "data" / "jixiao" / "jixiao.db").exists()
    assert "老干工作经费" in out and "98.10" in out
    code, out, err = run("list")
    assert "已创建" not in err and "共" not in err
    assert out.count("2024") == 9


def test_db_option_and_environment_select_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert run("--db", str(a), "import", str(SAMPLES / "2024-shangye-laogan.toml"))[0] == 0
    monkeypatch.setenv("JIXIAO_DB", f"sqlite:///{b}")
    assert run("import", str(SAMPLES / "2024-qiye-guanlifei.toml"))[0] == 0
    assert "老干工作经费" in run("--db", str(a), "list")[1]
    out = run("list")[1]
    assert "企业管理费" in out and "老干工作经费" not in out


def test_import_then_export_xlsx_reads_back_identically(db: str, tmp_path: Path) -> None:
    code, out, _ = run("--db", db, "import", str(SAMPLES))
    assert code == 0 and "新建 9 份" in out
    code, out, _ = run("--db", db, "import", str(SAMPLES))
    assert "未变 9 份" in out  # re-import updates, never duplicates
    outdir = tmp_path / "out"
    code, out, _ = run("--db", db, "export", "--format", "xlsx", "-o", str(outdir))
    assert code == 0 and "已导出 9 份" in out
    books = sorted(outdir.glob("*.xlsx"))
    assert len(books) == 9
    originals = {f.project_name: f for f in (load_form(p) for p in SAMPLES.glob("*.toml"))}
    for book in books:
        (form,) = read_workbook(book)
        assert form == originals[form.project_name]
    assert not list(outdir.glob(".*.tmp"))  # no partial files left behind
    # and the workbooks import again into a fresh database unchanged
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out, _ = run("--db", fresh, "import", str(outdir))
    assert code == 0 and "新建 9 份" in out


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_export_text_formats_round_trip(db: str, tmp_path: Path, fmt: str) -> None:
    run("--db", db, "import", str(SAMPLES))
    outdir = tmp_path / fmt
    assert run("--db", db, "export", "--format", fmt, "-o", str(outdir), "--search", "老干")[0] == 0
    files = sorted(outdir.glob(f"*.{fmt}"))
    assert len(files) == 2
    originals = {f.project_name: f for f in (load_form(p) for p in SAMPLES.glob("*.toml"))}
    for f in files:
        form = load_form(f)
        assert form == originals[form.project_name]


def test_history_and_workflow_from_the_command_line(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_USER", "王会计")
    run("--db", db, "import", str(SAMPLES))
    code, out, _ = run("--db", db, "workflow", "submit", "企业管理费")
    assert code == 0 and "草稿 → 已提交" in out
    code, _, err = run("--db", db, "workflow", "submit", "企业管理费")
    assert code == 1 and "不能提交" in err
    code, _, err = run("--db", db, "workflow", "return", "企业管理费")
    assert code == 1 and "需要填写理由" in err
    assert run("--db", db, "workflow", "return", "企业管理费", "-m", "请补充偏差分析")[0] == 0
    code, out, _ = run("--db", db, "history", "企业管理费")
    assert code == 0
    assert "王会计" in out and "退回" in out and "请补充偏差分析" in out and "已提交 → 已退回" in out


def test_ambiguous_and_missing_form_references(db: str) -> None:
    run("--db", db, "import", str(SAMPLES))
    code, _, err = run("--db", db, "history", "老干")
    assert code == 1 and "匹配到 2 份表单" in err
    code, _, err = run("--db", db, "history", "不存在的项目")
    assert code == 1 and "没有找到表单" in err


def test_unreachable_postgresql_is_reported_without_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_DB", "postgresql+psycopg://jx:s3cret@127.0.0.1:1/none")
    code, _, err = run("list")
    assert code == 1
    assert "无法连接数据库" in err and "s3cret" not in err and "***" in err


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://jx:s3cret@127.0.0.1:1/none",
        "postgresql+psycopg://jx@127.0.0.1:1/none?password=s3cret",
        "host=127.0.0.1 dbname=jixiao user=jx password=s3cret",
    ],
)
def test_passwords_and_conninfo_in_db_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--db", url, "list")
    assert code == 1 and "s3cret" not in out + err and ("密码" in err or "连接串" in err)
    assert list(tmp_path.iterdir()) == []  # no SQLite file named after the password
