"""jixiao db backup / restore / verify: one portable file, both back ends, verified both ways."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine, text

from jixiao.storage import FormStore, StoreError
from jixiao.storage.backup import FORMAT, BackupError, backup, read_rows, restore, verify
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from tests.storage_backends import BACKENDS, PG_REASON, PG_URL, make_backend
from tests.tools import second


@pytest.fixture(params=BACKENDS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """An empty, migrated database of each kind to restore into."""
    gen = make_backend(request.param, tmp_path / "target")
    (tmp_path / "target").mkdir(exist_ok=True)
    url, engine = next(gen)
    yield url, engine
    gen.close()


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Engine]:
    """An SQLite database with history: imports, edits, workflow, a signature, awkward text and numbers."""
    engine = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    upgrade(engine)
    _fill(engine)
    yield engine
    engine.dispose()


def _fill(engine: Engine) -> None:
    store = FormStore(engine, actor="张三")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    first = store.list()[0]
    sf = store.get(first.id)
    edited = dataclasses.replace(
        sf.form,
        deviation_analysis='原因：\'; DROP TABLE forms; -- "引号" 100% _下划线_ \\反斜杠\n第二行',
        total_recorded=Decimal("88.50"),  # disagrees with its rows: stays a draft (submit is refused)
        budget=dataclasses.replace(
            sf.form.budget, executed=Decimal("0.000001"), planned=Decimal("123456789012.345678")
        ),
    )
    store.save(sf.id, edited, sf.version, reason="复核后修改")
    returned = store.list()[3]
    from jixiao.storage import evidence

    evidence.add(store, returned.id, "调查.bin", bytes(range(256)) * 3)  # bytes, not text, survive the backup
    row = store.score(store.get(returned.id).form).indicators[0].indicator.name
    evidence.add(store, returned.id, "现场照片.bin", b"row", indicator=row)  # restored after the row it names
    store.transition(returned.id, "submit")
    store.transition(returned.id, "return", "请补充说明")
    other = store.list()[1]
    store.transition(other.id, "submit")
    second(store).transition(other.id, "approve", "同意")
    second(store).mark_signed(other.id, "李四", "ab" * 32)
    third = store.list()[2]
    store.delete(third.id, "重复录入")  # its audit rows outlive the form
    if engine.dialect.name == "sqlite":  # a signing certificate registered, then renewed (0026 keeps both)
        from jixiao.storage.users import Directory

        users = Directory(engine)
        users.add_user("lisi", "李四", "reviewer")
        users.register_certificate("lisi", "1" * 64)
        users.register_certificate("lisi", "2" * 64)


def _state(engine: Engine) -> tuple[dict, dict, list]:  # type: ignore[type-arg]
    store = FormStore(engine)
    forms = {r.id: store.get(r.id) for r in store.list()}
    history = {fid: store.history(fid) for fid in forms}
    with engine.connect() as conn:
        audit = [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT id, form_id, form_key, actor, action, field, label, before, after, reason, version FROM audit_log ORDER BY id"
                )
            )
        ]
    return forms, history, audit


def _same(a: Engine, b: Engine) -> None:
    fa, ha, aa = _state(a)
    fb, hb, ab = _state(b)
    assert fa.keys() == fb.keys()
    for fid in fa:
        assert fb[fid].form == fa[fid].form
        assert (fb[fid].status, fb[fid].version, fb[fid].signed_by, fb[fid].signature_sha256) == (
            fa[fid].status,
            fa[fid].version,
            fa[fid].signed_by,
            fa[fid].signature_sha256,
        )
        assert fb[fid].created_at == fa[fid].created_at and fb[fid].updated_at == fa[fid].updated_at
    assert hb == ha
    assert ab == aa
    assert _registrations(b) == _registrations(a)
    from jixiao.storage import evidence

    for fid in fa:
        assert evidence.files(FormStore(b), fid) == evidence.files(FormStore(a), fid)


def _registrations(engine: Engine) -> list[tuple[object, ...]]:
    """The signing certificates' registrations (migration 0026), their times in UTC."""
    from sqlalchemy import select

    from jixiao.storage.models import CertificateRegistration as C

    def utc(d: datetime) -> datetime:
        return d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)

    with engine.connect() as conn:
        rows = conn.execute(select(C.id, C.login, C.cert_sha256, C.registered_at, C.registered_by).order_by(C.id))
        return [(i, login, cert, utc(at), by) for i, login, cert, at, by in rows]


def test_round_trip_into_a_fresh_database_of_each_kind(
    source: Engine, target: tuple[str, Engine], tmp_path: Path
) -> None:
    path = tmp_path / "backup.jsonl.gz"
    info = backup(source, path)
    assert info.counts["forms"] == 8 and info.counts["audit_log"] > 8
    assert info.counts["certificate_registrations"] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left
    _, engine = target
    restored = restore(engine, path)
    assert restored.sha256 == info.sha256
    _same(source, engine)
    # the ids go on from the restored ones (PostgreSQL sequences were reset)
    store = FormStore(engine, actor="王五")
    new = store.create(dataclasses.replace(sample_forms()[0][1], project_name="恢复后新建"))
    assert new.id == max(r.id for r in store.list() if r.id != new.id) + 1 or new.id > 9
    assert store.history(new.id)[0].actor == "王五"
    # and a backup of the restored database is the same data
    again = backup(engine, tmp_path / "again.jsonl.gz")
    assert again.counts["forms"] == info.counts["forms"] + 1


@pytest.mark.skipif(not PG_URL, reason=PG_REASON)
def test_postgresql_to_sqlite(tmp_path: Path) -> None:
    gen = make_backend("postgresql", tmp_path)
    _, pg = next(gen)
    try:
        _fill(pg)
        path = tmp_path / "pg.jsonl.gz"
        backup(pg, path)
        sqlite = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")  # not even migrated: restore creates it
        restore(sqlite, path)
        _same(pg, sqlite)
        sqlite.dispose()
    finally:
        gen.close()


def test_backup_is_gzip_json_lines_with_exact_decimals(source: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.gz"
    info = backup(source, path)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
    assert header["format"] == FORMAT and header["revision"] == info.revision and header["counts"] == info.counts
    assert len(header["body_sha256"]) == 64
    rows = [r for t, r in read_rows(path) if t == "forms"]
    assert any(r["budget_planned"] == "123456789012.345678" and r["budget_executed"] == "0.000001" for r in rows)
    assert any(r["total_recorded"] == "88.50" for r in rows)
    assert all(r["created_at"].endswith("+00:00") for r in rows)
    assert [t for t, _ in read_rows(path)].count("audit_log") == info.counts["audit_log"]


def _rewrite(path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """Re-gzip the backup after ``edit(lines)``: a well-formed gzip whose content changed."""
    with gzip.open(path, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    lines = edit(lines)
    out = path.with_name("edited.gz")
    with gzip.open(out, "wb") as fh:
        fh.write(b"".join(lines))
    return out


def test_a_damaged_line_is_called_damage_not_only_what_it_now_says(source: Engine, tmp_path: Path) -> None:
    """A bit flip that still decompresses can turn a goal_id into another number: the checksum
    tells damage from a consistent file, and the message says both (it was flaky before)."""
    path = tmp_path / "b.gz"
    backup(source, path)

    def repoint(lines: list[bytes]) -> list[bytes]:
        i = next(i for i, ln in enumerate(lines) if b'"table":"indicators"' in ln)
        lines[i] = re.sub(rb'"goal_id":\d+', b'"goal_id":999999', lines[i])
        return lines

    with pytest.raises(BackupError, match="校验和不符.*文件已被改动或损坏.*goal_id = 999999 指向不存在的 goals 记录"):
        verify(_rewrite(path, repoint))


def test_a_flipped_byte_is_refused_and_the_target_untouched(source: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)
    data = bytearray(path.read_bytes())
    for at in (len(data) // 2, len(data) - 12, 30):
        bad = tmp_path / f"flip{at}.gz"
        broken = bytearray(data)
        broken[at] ^= 0x01
        bad.write_bytes(bytes(broken))
        with pytest.raises(BackupError, match="损坏|校验和|无法读取|不是 jixiao 备份"):
            verify(bad)
        target = make_engine(f"sqlite:///{tmp_path / f't{at}.db'}")
        with pytest.raises(BackupError):
            restore(target, bad)
        assert not _has_rows(target)
        target.dispose()


def _has_rows(engine: Engine) -> bool:
    from sqlalchemy import inspect

    if not inspect(engine).has_table("forms"):
        return False
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM forms")).scalar_one())


def test_changed_content_fails_the_checksum(source: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)

    def edit(lines: list[bytes]) -> list[bytes]:
        i = next(i for i, line in enumerate(lines) if b'"table":"forms"' in line)
        lines[i] = lines[i].replace(b'"version":', b'"version":1', 1)
        return lines

    with pytest.raises(BackupError, match="校验和不符"):
        verify(_rewrite(path, edit))


def test_a_truncated_backup_is_refused(source: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(BackupError, match="损坏"):
        verify(cut)
    dropped = _rewrite(path, lambda lines: lines[:-1])
    with pytest.raises(BackupError, match="校验和不符|记录数"):
        verify(dropped)


def test_wrong_counts_or_revision_or_format_are_refused(source: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)

    def header(change):  # type: ignore[no-untyped-def]
        def edit(lines: list[bytes]) -> list[bytes]:
            h = json.loads(lines[0])
            change(h)
            return [json.dumps(h).encode() + b"\n", *lines[1:]]

        return _rewrite(path, edit)

    with pytest.raises(BackupError, match="记录数与文件头不符"):
        verify(header(lambda h: h["counts"].update(forms=999)))
    with pytest.raises(BackupError, match="不受支持"):
        verify(header(lambda h: h.update(format="other/9")))
    old = header(lambda h: h.update(revision="0001"))
    verify(old)  # the file itself is fine …
    target = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    with pytest.raises(BackupError, match="版本"):
        restore(target, old)  # … but not for this version of jixiao
    assert not _has_rows(target)
    not_a_backup = tmp_path / "x.gz"
    not_a_backup.write_bytes(b"hello")
    with pytest.raises(BackupError, match="不是 jixiao 备份"):
        verify(not_a_backup)


def test_restore_refuses_a_non_empty_database(source: Engine, target: tuple[str, Engine], tmp_path: Path) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)
    _, engine = target
    store = FormStore(engine)
    store.import_forms(sample_forms()[:1])  # type: ignore[arg-type]
    before = _state(engine)
    with pytest.raises(BackupError, match="不是空的.*--force"):
        restore(engine, path)
    with pytest.raises(BackupError, match="只能追加、不能删除"):
        restore(engine, path, force=True)
    assert _state(engine) == before


def test_force_replaces_forms_when_the_audit_log_is_empty(source: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)
    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade(engine)
    FormStore(engine).import_forms(sample_forms()[:2])  # type: ignore[arg-type]
    with engine.begin() as conn:  # a database filled by hand, without history
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        conn.exec_driver_sql("DELETE FROM audit_log")
    with pytest.raises(BackupError, match="--force"):
        restore(engine, path)
    restore(engine, path, force=True)
    _same(source, engine)
    engine.dispose()


def test_force_does_not_replace_certificate_registrations(source: Engine, tmp_path: Path) -> None:
    """The registrations of signing certificates are a log like the others (migration 0026)."""
    from jixiao.storage.users import Directory

    path = tmp_path / "b.gz"
    backup(source, path)
    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade(engine)
    FormStore(engine).import_forms(sample_forms()[:2])  # type: ignore[arg-type]
    Directory(engine).add_user("wangwu", "王五", "reviewer")
    Directory(engine).register_certificate("wangwu", "9" * 64)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        conn.exec_driver_sql("DELETE FROM audit_log")
    with pytest.raises(BackupError, match="只能追加、不能删除"):
        restore(engine, path, force=True)
    assert _registrations(engine)[0][1:3] == ("wangwu", "9" * 64)
    engine.dispose()


def test_a_failed_load_leaves_the_target_as_it_was(source: Engine, tmp_path: Path) -> None:
    """A row the target cannot take (here: a value too long for PostgreSQL's VARCHAR, simulated on
    SQLite with a trigger) rolls the whole restore back."""
    path = tmp_path / "b.gz"
    backup(source, path)
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_indicators BEFORE INSERT ON indicators WHEN NEW.position = 3 "
            "BEGIN SELECT RAISE(ABORT, 'value too long for type character varying(300)'); END"
        )
    with pytest.raises(BackupError, match="写入 indicators 失败.*value too long.*已全部撤销"):
        restore(engine, path)
    assert not _has_rows(engine)
    engine.dispose()


# ---------------------------------------------------------------- the commands


def _run(*argv: str) -> tuple[int, str, str]:
    from jixiao.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=Console(file=out, width=200), err=Console(file=err, width=200))
    return code, out.getvalue(), err.getvalue()


def test_db_backup_verify_restore_commands(source: Engine, tmp_path: Path) -> None:
    src = str(source.url.database)
    path = tmp_path / "cli.jsonl.gz"
    code, out, err = _run("--db", src, "db", "backup", str(path))
    assert code == 0, err
    assert "已备份" in out and "表单 8" in out
    code, out, err = _run("db", "verify", str(path))
    assert code == 0 and "完好" in out
    fresh = tmp_path / "fresh.db"
    code, out, err = _run("--db", str(fresh), "db", "restore", str(path))
    assert code == 0, err
    assert "读回核对一致" in out
    restored = make_engine(f"sqlite:///{fresh}")
    _same(source, restored)
    restored.dispose()
    code, out, err = _run("--db", str(fresh), "db", "restore", str(path))
    assert code == 1 and "不是空的" in err and "Traceback" not in err
    broken = tmp_path / "broken.gz"
    broken.write_bytes(path.read_bytes()[:-20])
    code, out, err = _run("db", "verify", str(broken))
    assert code == 1 and "损坏" in err


@pytest.mark.skipif(not PG_URL, reason=PG_REASON)
def test_a_role_under_row_level_security_cannot_take_a_partial_backup(tmp_path: Path) -> None:
    import uuid

    from sqlalchemy import create_engine

    gen = make_backend("postgresql", tmp_path)
    url, engine = next(gen)
    role = f"r_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = 'jixiao_filler'")).scalar():
                pytest.skip("no jixiao_filler role (row-level security not set up)")
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'pw' IN ROLE jixiao_filler"))
        limited = create_engine(url.replace("jixiao:jixiao@", f"{role}:pw@"))
        with pytest.raises(BackupError, match="行级安全"):
            backup(limited, tmp_path / "partial.gz")
        limited.dispose()
        assert not (tmp_path / "partial.gz").exists()
    finally:
        gen.close()
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_backup_error_is_a_store_error() -> None:
    assert issubclass(BackupError, StoreError)  # printed as one clear line by jixiao.cli


def _with_evidence_named(path: Path, name: str) -> Path:
    """The backup with its evidence file renamed, the checksum recomputed (an unsigned backup taken
    before the name rule was tightened looks just so)."""
    import hashlib

    with gzip.open(path, "rb") as fh:
        header, *body = fh.read().splitlines(keepends=True)
    for i, line in enumerate(body):
        item = json.loads(line)
        if item["table"] == "evidence":
            item["row"]["name"] = name
            body[i] = (json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    h = json.loads(header)
    h["body_sha256"] = hashlib.sha256(b"".join(body)).hexdigest()
    out = path.with_name("renamed.gz")
    with gzip.open(out, "wb") as fh:
        fh.write(json.dumps(h, ensure_ascii=False).encode() + b"\n" + b"".join(body))
    return out


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("调\u200b查.bin", "调\\u200b查.bin"),
        ("..\uff0f调查.bin", "..\\uff0f调查.bin"),
        ("\ufeff调查.bin", "\\ufeff调查.bin"),
        # default-ignorable and blank, refused since migration 0018
        ("调查\u3164.bin", "调查\\u3164.bin"),
        ("调\U000e0100查.bin", "调\\U000e0100查.bin"),
        ("调\u2800查.bin", "调\\u2800查.bin"),
        ("调\u034f查.bin", "调\\u034f查.bin"),
    ],
)
def test_a_backup_with_an_evidence_name_the_rule_refuses_is_not_restored(
    source: Engine, target: tuple[str, Engine], tmp_path: Path, name: str, shown: str
) -> None:
    path = tmp_path / "b.gz"
    backup(source, path)
    renamed = _with_evidence_named(path, name)
    verify(renamed)  # a well-formed file …
    (fid,) = {r["form_id"] for t, r in read_rows(renamed) if t == "evidence"}
    key = FormStore(source).get(fid).key
    _, engine = target
    with pytest.raises(BackupError) as refused:  # … whose evidence name this version refuses
        restore(engine, renamed)
    said = str(refused.value)
    assert f"表单「{key}」（编号 {fid}）的佐证材料文件名" in said and "未写入任何数据" in said
    assert f"文件名「{shown}」" in said and name not in said  # the hidden character is shown, not sent
    assert not _has_rows(engine)


def test_the_command_line_says_which_form_and_file_and_writes_nothing(
    source: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao.cli import main

    path = tmp_path / "b.gz"
    backup(source, path)
    renamed = _with_evidence_named(path, "照片\u200b.jpg")
    fresh = tmp_path / "fresh.db"
    monkeypatch.setenv("JIXIAO_DB", f"sqlite:///{fresh}")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["db", "restore", str(renamed)],
        out=Console(file=out, width=300, color_system=None),
        err=Console(file=err, width=300, color_system=None, soft_wrap=True),
    )
    said = err.getvalue()
    assert code != 0 and "Traceback" not in said
    assert "佐证材料文件名「照片\\u200b.jpg」含有不可见的格式字符 U+200B" in said and "未写入任何数据" in said
    assert not _has_rows(make_engine(f"sqlite:///{fresh}"))
    from sqlalchemy import inspect

    assert inspect(make_engine(f"sqlite:///{fresh}")).get_table_names() == []  # not even the schema


def test_notices_naming_a_file_are_one_line_whatever_the_width(source: Engine, tmp_path: Path) -> None:
    """A notice that names a file is printed as one line, as errors are: wrapped at the console's width
    it broke inside the path a user copies, or inside 「读回核对一致」 (which tests and scripts look for)."""
    from jixiao.cli.app import main

    def run(*argv: str) -> str:
        out = io.StringIO()
        assert main(list(argv), out=Console(file=out, width=40), err=Console(file=io.StringIO(), width=40)) == 0
        return out.getvalue()

    path = tmp_path / ("很长的目录名" * 6) / "备份.jsonl.gz"
    path.parent.mkdir()
    for said, phrase in (
        (run("--db", str(source.url.database), "db", "backup", str(path)), "并已校验"),
        (run("db", "verify", str(path)), "：完好。备份于"),
        (run("--db", str(tmp_path / "fresh.db"), "db", "restore", str(path)), "读回核对一致"),
    ):
        assert said.count("\n") == 1 and phrase in said and str(path) in said, said
