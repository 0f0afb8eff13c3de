"""The review's 复核 and 运行监控 sections read every form they cover, or say in every output that they
did not: they read the first 2,000 forms by id and said nothing, so a reviewer of a large province
missed 复核 and warnings, and "the largest gap first" was over an arbitrary part.

Now each reads up to ``--detail-limit`` forms (default 2,000; 0 all), a batch at a time with
``get_many``; past it the text, ``--json``, ``--xlsx`` and ``--pdf`` each state how many forms were
read of how many, and how to narrow (--year/--department/--unit).
"""

from __future__ import annotations

import io
import json
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from jixiao.cli import main
from jixiao.review import monitoring, rechecks
from jixiao.review.aggregate import Filters
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.models import FormRow, RecheckRow, SnapshotRow
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from scorer.monitoring import Progress, Snapshot, snapshot_to_dict

NOW = datetime(2024, 7, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The nine sample forms, each with a 复核 of its first scored row (a different gap each) and a
    snapshot at six months with almost nothing spent; written as a database holds them."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = FormStore(engine, actor="填报人")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    with Session(store.engine) as s:
        ids = list(s.execute(select(FormRow.id).order_by(FormRow.id)).scalars())
    rows, snaps = [], []
    for n, sf in enumerate(store.get_many(ids)):
        first = next(r for r in store.score(sf.form).indicators if r.weight_source != "children")
        rows.append(
            {"form_id": sf.id, "indicator_uid": first.indicator.uid, "indicator": first.indicator.name,
             "score": Decimal(n) / 10, "opinion": f"意见{n}", "reviewer": "审核人", "at": NOW}
        )  # fmt: skip
        f = sf.form
        snap = Snapshot(f.year or 0, f.implementing_unit, f.project_name, 6, executed=Decimal("0.01"),
                        rows=(Progress(indicator=first.indicator.name, uid=first.indicator.uid, to_date="0"),))  # fmt: skip
        snaps.append({"form_id": sf.id, "months": 6, "data": snapshot_to_dict(snap), "actor": "填报人", "at": NOW})
    with Session(store.engine) as s, s.begin():
        s.execute(insert(RecheckRow), rows)
        s.execute(insert(SnapshotRow), snaps)
    return url


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=200, highlight=False, color_system=None),
        err=Console(file=err, width=200, highlight=False, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


def test_every_form_is_read_a_batch_at_a_time(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FormStore(create_engine(db), actor="审核人")
    whole, whole_read = rechecks.recheck_lines(store, Filters(), limit=0)
    found, bad, found_read = monitoring.monitoring_findings(store, Filters(), limit=0)
    monkeypatch.setattr(rechecks, "BATCH", 2)  # five batches of the nine forms
    monkeypatch.setattr(monitoring, "BATCH", 2)
    lines, read = rechecks.recheck_lines(store, Filters(), limit=0)
    assert (read.read, read.total, read.note()) == (9, 9, "") and lines == whole
    assert len({x.form for x in lines}) == 9
    assert [x.gap for x in lines] == sorted((x.gap for x in lines), reverse=True)  # over every form
    batched, bad2, read2 = monitoring.monitoring_findings(store, Filters(), limit=0)
    assert (read2.read, read2.total) == (found_read.read, found_read.total) == (9, 9)
    assert [(f.form_key, f.message) for f in batched] == [(f.form_key, f.message) for f in found] and bad2 == bad
    assert len({f.form_key for f in batched}) > 1


def test_a_partial_section_says_so_and_how_to_narrow(db: str) -> None:
    store = FormStore(create_engine(db), actor="审核人")
    lines, read = rechecks.recheck_lines(store, Filters(), limit=4)
    assert (read.read, read.total) == (4, 9) and len({x.form for x in lines}) == 4
    note = read.note()
    assert "共 9 份" in note and "前 4 份" in note and "其余 5 份" in note
    assert "--year" in note and "--department" in note and "--unit" in note and "--detail-limit 0" in note
    *_, seen = monitoring.monitoring_findings(store, Filters(), limit=4)
    assert (seen.read, seen.total) == (4, 9) and "监控记录" in seen.note()


def test_every_output_states_a_partial_read(db: str, tmp_path: Path) -> None:
    code, out, err = run("--db", db, "review", "--detail-limit", "4")
    assert code == 0, err
    flat = " ".join(out.split())
    assert "复核只读取了部分表单" in flat and "运行监控只读取了部分表单" in flat and "共 9 份" in flat

    code, out, err = run("--db", db, "review", "--detail-limit", "4", "--json")
    doc = json.loads(out)
    assert {k: doc["rechecks_read"][k] for k in ("forms_read", "forms")} == {"forms_read": 4, "forms": 9}
    assert doc["monitoring_read"]["forms_read"] == 4 and "--unit" in doc["monitoring_read"]["note"]

    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    code, out, err = run("--db", db, "review", "--detail-limit", "4", "--xlsx", str(xlsx), "--pdf", str(pdf))
    assert code == 0, err
    wb = load_workbook(xlsx)
    assert "前 4 份" in wb["复核"]["A1"].value and "前 4 份" in wb["运行监控"]["A1"].value
    assert wb["复核"]["A2"].value == "表单" and wb["复核"].max_row == 2 + 4  # the four forms' 复核
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    shown = "".join(shown.split())
    assert "复核只读取了部分表单" in shown and "运行监控只读取了部分表单" in shown


def test_a_complete_review_says_nothing_of_it_and_lists_every_recheck(db: str, tmp_path: Path) -> None:
    code, out, err = run("--db", db, "review", "--json")
    doc = json.loads(out)
    assert "rechecks_read" not in doc and "monitoring_read" not in doc and len(doc["rechecks"]) == 9
    code, out, err = run("--db", db, "review")
    assert "只读取了部分表单" not in out and "复核得分（9 项" in out
    xlsx = tmp_path / "r.xlsx"
    assert run("--db", db, "review", "--xlsx", str(xlsx))[0] == 0
    ws = load_workbook(xlsx)["复核"]
    assert ws["A1"].value == "表单" and ws.max_row == 1 + 9


def test_the_flagged_list_says_how_many_forms_it_is_the_worst_of(db: str, tmp_path: Path) -> None:
    """``--limit`` listed the worst N forms with findings under 「问题表单」 and never said how many had any."""
    code, out, err = run("--db", db, "review", "--json", "--limit", "100")
    every = len(json.loads(out)["flagged"])
    assert every >= 2 and "flagged_read" not in json.loads(out)
    code, out, err = run("--db", db, "review", "--json", "--limit", "1")
    doc = json.loads(out)
    assert len(doc["flagged"]) == 1 and doc["flagged_read"]["forms"] == every and doc["flagged_read"]["shown"] == 1
    note = doc["flagged_read"]["note"]
    assert f"共 {every} 份" in note and "--limit" in note
    code, out, err = run("--db", db, "review", "--limit", "1")
    assert note.replace(" ", "") in "".join(out.split())
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    assert run("--db", db, "review", "--limit", "1", "--xlsx", str(xlsx), "--pdf", str(pdf))[0] == 0
    assert load_workbook(xlsx)["问题表单"]["A1"].value == note
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert note.replace(" ", "") in "".join(shown.split())


def test_the_pdf_says_a_row_awaiting_judgement_as_the_terminal_does() -> None:
    """A row whose rule gives no score (待判断) read 「规则 —」 in the PDF, as a row the form no longer has,
    where the terminal's 规则 column says 「待判断」."""
    from jixiao.cli.review_details import recheck_table
    from jixiao.pdf.fonts import find_font
    from jixiao.pdf.layout import make_styles
    from jixiao.review.rechecks import RecheckLine
    from jixiao.review.report import _rechecks

    line = RecheckLine("2024/某单位/某项目", "满意度", Decimal(10), None, Decimal(8), Decimal(6), "见佐证", "审核人")
    console = Console(file=io.StringIO(), width=160)
    console.print(recheck_table([line], 10))
    assert "待判断" in console.file.getvalue()
    texts = [p.text for p in _rechecks(make_styles(find_font()), [line], None) if hasattr(p, "text")]
    assert any("规则 待判断" in t for t in texts), texts


def test_the_flagged_list_and_its_count_score_the_doubtful_forms_once(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting the forms with findings apart from listing the worst of them scored every doubtful form
    (one whose stored verdict is not believed) a second time in each review."""
    import sys

    from jixiao.storage.queries import StoreQueries

    engine = create_engine(db)
    with Session(engine) as s, s.begin():  # the forms' stored verdicts no longer stand: each is recomputed
        s.execute(FormRow.__table__.update().values(scores_trusted=False))
    recomputed = StoreQueries.recomputed_rows
    callers: list[str] = []

    def counting(self: StoreQueries, ids: list[int], batch: int = 200) -> object:
        callers.append(sys._getframe(1).f_code.co_filename)
        return recomputed(self, ids, batch)

    monkeypatch.setattr(StoreQueries, "recomputed_rows", counting)
    code, out, _ = run("--db", db, "review", "--json", "--limit", "1")
    assert code == 0 and json.loads(out)["flagged_read"]["forms"] >= 2
    assert sum(1 for c in callers if c.endswith("aggregate.py")) == 1, callers
