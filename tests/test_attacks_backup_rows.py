"""A crafted backup plants nothing jixiao would not store, and no verdict of its own.

A backup's checksum proves only that it was not damaged by accident: anyone who can edit the file can
recompute it (``--key`` proves who made it). Restored into SQLite, which has no CHECK constraints, a
status jixiao does not know or a budget of 1e23 was written as given, and every ``list`` and ``review``
then stopped on it with an internal error; a forged ``computed_total`` with a current stamp was shown
as the rule score. Each row of a form is now held to what jixiao stores before anything is written, and
the verdicts are computed again after the load.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from jixiao.storage import FormStore
from jixiao.storage.backup import BackupError, backup, restore, verify
from tests.test_backup import source, target  # noqa: F401  (fixtures)

Row = dict[str, Any]


def _edited(path: Path, table: str, change: Callable[[Row], None], first_only: bool = True) -> Path:
    """The backup with ``change`` made to the first row (or every row) of ``table``, its checksum recomputed."""
    with gzip.open(path, "rb") as fh:
        header, *body = fh.read().splitlines(keepends=True)
    done = False
    for i, line in enumerate(body):
        item = json.loads(line)
        if item["table"] == table and not (first_only and done):
            change(item["row"])
            body[i] = (json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            done = True
    h = json.loads(header)
    h["body_sha256"] = hashlib.sha256(b"".join(body)).hexdigest()
    out = path.with_name("edited.gz")
    with gzip.open(out, "wb") as fh:
        fh.write(json.dumps(h, ensure_ascii=False).encode() + b"\n" + b"".join(body))
    return out


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        names = [n for n in ("forms", "goals", "indicators") if n in engine.dialect.get_table_names(conn)]
        return sum(conn.execute(text(f"SELECT count(*) FROM {n}")).scalar_one() for n in names)


@pytest.mark.parametrize(
    ("table", "change", "says"),
    [
        ("forms", lambda r: r.update(status="bogus"), "「状态」的值「bogus」不是 jixiao 认识的值"),
        ("forms", lambda r: r.update(stage="later"), "「阶段」的值「later」不是 jixiao 认识的值"),
        ("forms", lambda r: r.update(form_kind="whole"), "「表单类型」的值「whole」"),
        ("forms", lambda r: r.update(budget_planned="1e23"), "「预算数」"),
        ("forms", lambda r: r.update(total_recorded="-5"), "「总分」"),
        ("forms", lambda r: r.update(deviation_analysis="偏" * 50_001), "「偏差大或目标未完成原因分析」过长"),
        ("forms", lambda r: r.update(project_name="老干\x00经费"), "「项目名称」含有空字符"),
        ("forms", lambda r: r.update(ticks_category="区级专项"), "「项目类别」应为文字的列表"),
        ("forms", lambda r: r.update(scores_trusted="yes"), "「计分可信」应为 true 或 false"),
        ("goals", lambda r: r.update(weight="1e20"), "绩效目标的「分值」"),
        ("indicators", lambda r: r.update(direction="sideways"), "「指标方向」的值「sideways」"),
        ("indicators", lambda r: r.update(sub="yes"), "「子项」应为 true 或 false"),
        ("indicators", lambda r: r.update(weight="abc"), "有无法读取的值"),
        ("indicators", lambda r: r.update(actual="实" * 50_001), "「实际完成值」过长"),
    ],
)
def test_a_row_jixiao_would_not_store_is_named_and_nothing_is_written(
    source: Engine,  # noqa: F811
    target: tuple[str, Engine],  # noqa: F811
    tmp_path: Path,
    table: str,
    change: Callable[[Row], None],
    says: str,
) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)
    edited = _edited(path, table, change)
    verify(edited)  # a well-formed file, its checksum right
    _, engine = target
    with pytest.raises(BackupError) as refused:
        restore(engine, edited)
    said = str(refused.value)
    assert says in said and "未写入任何数据" in said and "表单「" in said, said
    assert _rows(engine) == 0


def test_a_forged_verdict_in_a_backup_is_computed_again(
    source: Engine,  # noqa: F811
    target: tuple[str, Engine],  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)
    real = {r.id: r.total_computed for r in FormStore(source).list()}
    forged = _edited(path, "forms", lambda r: r.update(computed_total="100.00", computed_grade="优"), first_only=False)
    _, engine = target
    restore(engine, forged)
    shown = {r.id: r.total_computed for r in FormStore(engine).list()}
    assert shown == real and any(t != 100 for t in real.values())
    with engine.connect() as conn:
        stored = {i: Decimal(str(t)) for i, t in conn.execute(text("SELECT id, computed_total FROM forms"))}
    assert stored == real
