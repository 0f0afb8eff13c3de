"""An output path a user names that cannot be used is their mistake, said in Chinese with exit 1.

A report: `pdf -o` a file, `review --pdf/--xlsx` under a file or onto a directory ended in
"内部错误：FileExistsError…" with exit 3, and `export -o` a file said "已导出 0 份" and then one
error per form.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli import main
from jixiao.storage.seed import sample_forms

CASES = [
    (["pdf", "老干工作经费", "-o", "{file}"], "{file}：无法使用此路径（文件已存在）"),
    (["pdf", "老干工作经费", "-o", "{file}/sub"], "{file}/sub：无法使用此路径（路径中有一部分不是目录）"),
    (["review", "--pdf", "{file}/x.pdf"], "{file}：无法使用此路径（文件已存在）"),
    (["review", "--xlsx", "{file}/x.xlsx"], "{file}：无法使用此路径（文件已存在）"),
    (["review", "--xlsx", "{dir}"], "{dir}：无法使用此路径（这是一个目录，不是文件）"),
    (["export", "-o", "{file}"], "{file}：无法使用此路径（文件已存在）"),
    (["export", "--profile", "platform-flat", "-o", "{file}"], "{file}：无法使用此路径（文件已存在）"),
]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from jixiao.storage import FormStore
    from jixiao.storage.database import make_engine, upgrade

    db = tmp_path_factory.mktemp("db") / "j.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    FormStore(engine, actor="测试").import_forms(sample_forms())  # type: ignore[arg-type]
    engine.dispose()
    return db


@pytest.mark.parametrize(("argv", "said"), CASES, ids=[" ".join(a[:2]) + f"-{i}" for i, (a, _) in enumerate(CASES)])
def test_an_unusable_output_path_is_named_with_exit_1(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], said: str
) -> None:
    monkeypatch.setenv("JIXIAO_DB", str(database))
    monkeypatch.setenv("JIXIAO_USER", "测试")
    (tmp_path / "afile").write_text("别人的文件", encoding="utf-8")
    (tmp_path / "adir").mkdir()
    names = {"file": str(tmp_path / "afile"), "dir": str(tmp_path / "adir")}
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [a.format(**names) for a in argv],
        Console(file=out, width=400, highlight=False),
        Console(file=err, width=400, highlight=False, soft_wrap=True),
    )
    assert code == 1, err.getvalue()
    assert said.format(**names) in err.getvalue() and "内部错误" not in err.getvalue()
    assert "已导出" not in out.getvalue()
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "别人的文件"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["adir", "afile"]  # no temporary file left


def test_an_output_name_near_the_systems_limit_is_written(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 250-byte name is legal; the temporary file beside it must not be what passes the limit."""
    monkeypatch.setenv("JIXIAO_DB", str(database))
    target = tmp_path / ("b" * 245 + ".xlsx")
    err = io.StringIO()
    code = main(["review", "--xlsx", str(target)], Console(file=io.StringIO(), width=200), Console(file=err, width=400))
    assert code == 0, err.getvalue()
    assert target.is_file() and sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (
            IsADirectoryError(21, "Is a directory", "/某处/输出"),
            1,
            "/某处/输出：无法使用此路径（这是一个目录，不是文件）",
        ),
        (ConnectionResetError(104, "Connection reset by peer"), 3, "内部错误"),  # no path: not the user's doing
    ],
    ids=["a-path", "no-path"],
)
def test_only_a_file_error_with_a_path_is_called_the_users(
    monkeypatch: pytest.MonkeyPatch, raised: OSError, code: int, said: str
) -> None:
    import jixiao.cli.app as app

    def fail(*_: object) -> int:
        raise raised

    monkeypatch.setattr(app, "cmd_rules", fail)
    err = io.StringIO()
    assert main(["rules"], Console(file=io.StringIO()), Console(file=err, width=400)) == code
    assert said in err.getvalue()
