"""Attacks through the files jixiao writes and reads (issue 14, items 9–11 and 14, and the lows).

Hostile names in a unit or project, very long names and texts, and workbooks whose
formulas were never calculated: each must give a safe file and a clear message.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from jixiao.files import safe_name
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from jixiao.xlsx import XlsxError, read_workbook, write_workbook
from tests.test_cli_db import run

HOSTILE = [
    '=HYPERLINK("http://x","点我")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "=1+1",
    "单位\x07名称",
    "\u202e名称反转",
    "\x85下一行",
]


def _forms() -> list:  # type: ignore[type-arg]
    return [f for _, f in sample_forms()]  # type: ignore[misc]


def _db_with(tmp_path: Path, forms: list) -> str:  # type: ignore[type-arg]
    url = f"sqlite:///{tmp_path / 'attack.db'}"
    engine = make_engine(url)
    upgrade(engine)
    FormStore(engine, actor="测试").import_forms([(f"f{i}", f) for i, f in enumerate(forms)], strict=False)
    engine.dispose()
    return url


# ---------------------------------------------------------------- 9. formula injection


def test_hostile_names_stay_text_in_review_and_export_workbooks(tmp_path: Path) -> None:
    base = _forms()[1]
    forms = [
        dataclasses.replace(base, implementing_unit=name, department=name, project_name=f"项目{i}")
        for i, name in enumerate(HOSTILE)
    ]
    db = _db_with(tmp_path, forms)
    for by in ("unit", "department"):
        xlsx = tmp_path / f"review-{by}.xlsx"
        code, _, err = run("--db", db, "review", "--by", by, "--xlsx", str(xlsx))
        assert code in (0, 1), err
        _assert_no_formulas(xlsx)
    code, _, err = run("--db", db, "export", "--format", "xlsx", "-o", str(tmp_path / "out"))
    assert code == 0, err
    for path in (tmp_path / "out").glob("*.xlsx"):
        _assert_no_formulas(path)


def _assert_no_formulas(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)


# ---------------------------------------------------------------- 10. names


@given(hst.text(min_size=1, max_size=400))
@settings(max_examples=300, deadline=None)
def test_safe_names_fit_every_file_system_and_show_no_controls(text: str) -> None:
    stem = safe_name(text)
    assert 0 < len(stem.encode("utf-8")) <= 180
    assert not any(ch in stem for ch in '/\\:*?"<>|\x00\u202e\u202d\u200f')
    assert all(ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F for ch in stem)


def test_long_and_clashing_names_export_every_form(tmp_path: Path) -> None:
    base = _forms()[1]
    long_unit = "某某" * 95  # 570 bytes of UTF-8
    forms = [
        dataclasses.replace(base, implementing_unit=long_unit, project_name=p)
        for p in ("项目/甲", "项目_甲", "项目:甲")
    ]
    forms.append(dataclasses.replace(base, project_name="项" * 120))
    db = _db_with(tmp_path, forms)
    for fmt in ("toml", "xlsx"):
        out = tmp_path / fmt
        code, _, err = run("--db", db, "export", "--format", fmt, "-o", str(out), "--search", "项")
        assert code == 0, err
        assert len(list(out.glob(f"*.{fmt}"))) == 4
    code, _, err = run("pdf", str(tmp_path / "toml"), "-o", str(tmp_path / "pdf"), "--jobs", "1")
    assert code in (0, 1) and "File name too long" not in err
    assert len(list((tmp_path / "pdf").glob("*.pdf"))) == 4


def test_export_goes_on_past_a_form_it_cannot_write(tmp_path: Path) -> None:
    db = _db_with(tmp_path, _forms()[:2])
    out = tmp_path / "out"
    out.mkdir()
    stem = safe_name(f"{_forms()[0].year}-{_forms()[0].implementing_unit}-{_forms()[0].project_name}")
    (out / f"{stem}.toml").mkdir()  # a directory where the file should go
    code, _, err = run("--db", db, "export", "--format", "toml", "-o", str(out))
    assert code == 1
    assert "未导出" in err and "Traceback" not in err
    assert len(list(out.glob("*.toml"))) == 2  # the blocked one (a directory) and the other, written


# ---------------------------------------------------------------- 11. long narratives


def test_a_long_narrative_flows_onto_continuation_pages(tmp_path: Path) -> None:
    from jixiao.pdf.layout import render_form

    text = "因疫情影响部分活动延期，" * 1000  # 12,000 CJK characters
    form = dataclasses.replace(_forms()[0], deviation_analysis=text, improvement_measures=text[:3000])
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_form(form))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert pages > 2
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "全文见续页 1" in shown and "续页 2" in shown
    assert shown.replace("\n", "").count("因疫情影响部分活动延期") >= 1000


# ---------------------------------------------------------------- 14. uncalculated formulas


def test_a_formula_without_a_saved_value_is_named_not_blank(tmp_path: Path) -> None:
    path = tmp_path / "forms.xlsx"
    write_workbook(_forms()[:1], path)
    wb = openpyxl.load_workbook(path)
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("≥"))
    cell.value = "=1+1"  # openpyxl saves formulas without a cached value, as a script would
    coordinate = cell.coordinate
    wb.save(path)
    with pytest.raises(XlsxError, match=f"{coordinate}.*公式"):
        read_workbook(path)
    code, _, err = run("--db", f"sqlite:///{tmp_path / 'x.db'}", "import", str(path))
    assert code == 1 and coordinate in err and "Traceback" not in err


# ---------------------------------------------------------------- backups


def _backup_header() -> bytes:
    import json

    from jixiao.storage.backup import FORMAT

    head = {"format": FORMAT, "revision": "0005", "counts": {}, "body_sha256": "0" * 64, "tables": []}
    return (json.dumps(head) + "\n").encode()


@pytest.mark.parametrize(
    ("char", "mib", "end"), [(b"a", 65, b""), (b"x", 80, b"\n")], ids=["one-65MiB-line", "80MiB-then-a-newline"]
)
def test_a_decompression_bomb_is_refused_early(tmp_path: Path, char: bytes, mib: int, end: bytes) -> None:
    """The bomb is written in pieces, so that the memory measured is the reader's alone (as parameters, the
    bodies were held by every worker and named by their bytes)."""
    import gzip
    import resource

    from jixiao.storage.backup import BackupError, verify

    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(_backup_header())
        for _ in range(mib):
            out.write(char * (1 << 20))
        out.write(end)
    assert path.stat().st_size < 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BackupError, match="超过|炸弹"):
        verify(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200  # bounded: never the whole thing in memory


def test_a_killed_backup_leaves_no_temp_files_for_long(tmp_path: Path) -> None:
    import os
    import time

    from jixiao.storage.backup import STALE_TEMP_SECONDS, backup

    db = _db_with(tmp_path, _forms()[:1])
    target = tmp_path / "b.jsonl.gz"
    stale = tmp_path / f".{target.name}.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    old = time.time() - STALE_TEMP_SECONDS - 5
    os.utime(stale, (old, old))
    fresh = tmp_path / f".{target.name}.def456.tmp"  # maybe a backup running right now: kept
    fresh.write_bytes(b"y")
    backup(make_engine(db), target)
    assert not stale.exists() and fresh.exists() and target.exists()


def test_an_edited_backup_with_a_recomputed_checksum_is_caught_by_the_key(tmp_path: Path) -> None:
    import gzip
    import hashlib
    import json

    from jixiao.storage.backup import BackupError, backup, restore, verify
    from jixiao.storage.backup_key import load_key, new_key

    db = _db_with(tmp_path, _forms()[:2])
    new_key(tmp_path / "k.key")
    key = load_key(tmp_path / "k.key")
    good = tmp_path / "b.jsonl.gz"
    assert backup(make_engine(db), good, key).signature_checked
    lines = gzip.decompress(good.read_bytes()).split(b"\n")
    head, body = json.loads(lines[0]), lines[1:]
    i = next(i for i, line in enumerate(body) if b'"project_name":"' in line)
    body[i] = body[i].replace(b'"project_name":"', b'"project_name":"\xe7\xaf\xa1\xe6\x94\xb9', 1)
    data = b"\n".join(body)
    head["body_sha256"] = hashlib.sha256(data).hexdigest()  # what any editor can recompute
    bad = tmp_path / "edited.jsonl.gz"
    bad.write_bytes(gzip.compress((json.dumps(head, ensure_ascii=False) + "\n").encode() + data))
    assert verify(bad).signed and not verify(bad).signature_checked  # the checksum alone is fooled
    with pytest.raises(BackupError, match="签名与密钥不符"):
        verify(bad, key)
    with pytest.raises(BackupError, match="签名与密钥不符"):
        restore(make_engine(f"sqlite:///{tmp_path / 'new.db'}"), bad, key=key)
    with pytest.raises(Exception, match="已存在"):
        new_key(tmp_path / "k.key")  # never overwritten


@pytest.mark.parametrize("fmt", ["xlsx", "toml"])
def test_free_text_has_one_cap_for_every_source(tmp_path: Path, fmt: str) -> None:
    from jixiao.storage.store import MAX_TEXT_CHARS

    form = dataclasses.replace(_forms()[0], deviation_analysis="很长的说明" * (MAX_TEXT_CHARS // 5 + 1))
    if fmt == "xlsx":
        path = tmp_path / "long.xlsx"
        write_workbook([form], path)
    else:
        from scorer.formfile import dumps_toml

        path = tmp_path / "long.toml"
        path.write_text(dumps_toml(form), encoding="utf-8")
    code, _, err = run("--db", f"sqlite:///{tmp_path / 'x.db'}", "import", str(path))
    assert (
        code == 1
        and "「偏差大或目标未完成原因分析」过长" in err
        and "deviation_analysis" not in err
        and str(MAX_TEXT_CHARS) in err
    )


def test_restore_to_an_unreachable_database_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.storage.backup import backup

    db = _db_with(tmp_path, _forms()[:1])
    path = tmp_path / "b.jsonl.gz"
    backup(make_engine(db), path)
    monkeypatch.setenv("JIXIAO_DB", "postgresql+psycopg://jx:s3cret-pw@127.0.0.1:1/none")
    code, out, err = run("db", "restore", str(path))
    assert code == 1 and "无法连接" in err and "内部错误" not in err and "s3cret-pw" not in out + err
