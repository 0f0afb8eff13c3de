"""The benchmark dataset generator (bench/generate.py) and the bulk loader (jixiao.storage.bulk).

Fast: one small dataset (about 2,000 indicators) is generated once for the module.
The bulk-load tests run on a real SQLite file and, when JIXIAO_TEST_PG is set,
on a real PostgreSQL server (skipped with the reason shown otherwise).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from bench.generate import ANOMALIES, Dataset, generate, main, manifest
from jixiao.scoring import score_form
from jixiao.storage import FormStore, bulk
from jixiao.storage.bulk import AUDIT_LABEL, BulkLoadError, Scored, bulk_load, prepare
from jixiao.storage.models import AuditRow, FormRow, IndicatorRow
from scorer.cells import CellError, CellKind, Comparator, parse_cell
from scorer.formfile import dumps_json, dumps_toml, form_from_dict, parse_text
from scorer.model import Form, FormKind
from scorer.result import FormResult
from tests.storage_backends import PG_REASON, PG_URL, backend_engine, make_backend

N = 2000
SEED = 11


@pytest.fixture(scope="module")
def dataset() -> tuple[list[Form], dict]:
    gen = generate(N, SEED)
    forms = list(gen)
    return forms, gen.manifest


@pytest.fixture(scope="module")
def results(dataset: tuple[list[Form], dict]) -> list[FormResult]:
    return [score_form(f) for f in dataset[0]]


def key(form: Form) -> str:
    return f"{form.year}/{form.implementing_unit}/{form.project_name}"


# ------------------------------------------------------------------ the generator


def test_deterministic_for_a_seed(dataset: tuple[list[Form], dict]) -> None:
    forms, man = dataset
    again = generate(N, SEED)
    assert list(again) == forms
    assert again.manifest == man
    other = list(generate(N, SEED + 1))
    assert other != forms


def test_size_structure_and_years(dataset: tuple[list[Form], dict]) -> None:
    forms, man = dataset
    total = sum(len(f.indicators) for f in forms)
    assert abs(total - N) <= N * 0.05
    assert man["complete"] and man["totals"]["indicators"] == total and man["totals"]["forms"] == len(forms)
    assert {f.year for f in forms} == {2023, 2024}
    assert len({key(f) for f in forms}) == len(forms)  # identities are unique
    assert all(10 <= len(f.indicators) <= 20 for f in forms if f.form_kind is FormKind.PROJECT)
    # the same unit + project + indicator names in every year (for the year-on-year checks)
    by_year: dict[int, dict[tuple[str, str], set[str]]] = {}
    for f in forms:
        by_year.setdefault(f.year or 0, {})[(f.implementing_unit, f.project_name)] = {i.name for i in f.indicators}
    assert by_year[2023].keys() == by_year[2024].keys()
    # scored (hubei-2020, weights + recorded scores + 总分) and unscored (national-2020) forms
    scored = [f for f in forms if f.rules == "hubei-2020"]
    unscored = [f for f in forms if f.rules == "national-2020"]
    assert scored and unscored
    assert all(f.total_recorded is not None and all(i.weight is not None for i in f.indicators) for f in scored)
    assert all(f.total_recorded is None and all(i.recorded is None for i in f.indicators) for f in unscored)
    assert any(f.form_kind is FormKind.DEPARTMENT for f in forms)
    # 某某县教育局 → 某某县第一中学 …: every name carries its county
    assert all(re.fullmatch(r"\w+县\w+局", f.department) for f in forms)
    assert all(f.implementing_unit.startswith(f.department.split("县")[0] + "县") for f in forms)


def test_years_are_configurable() -> None:
    forms = list(generate(600, 3, years=(2022, 2023, 2024)))
    assert {f.year for f in forms} == {2022, 2023, 2024}
    single = Dataset(300, 3, years=(2024,))
    assert {f.year for f in single.forms()} == {2024}
    assert "sandbagging" not in {a["kind"] for a in single.manifest()["anomalies"]}


def test_every_form_round_trips_through_toml(dataset: tuple[list[Form], dict]) -> None:
    for form in dataset[0]:
        assert form_from_dict(parse_text(dumps_toml(form), "x.toml", ".toml"), "x.toml") == form
    for form in dataset[0][::10]:
        data = parse_text(dumps_json(form), "x.json", ".json")
        data["year"] = int(data["year"])
        assert form_from_dict(data, "x.json") == form


def test_the_cell_mix_has_every_family(dataset: tuple[list[Form], dict]) -> None:
    seen: Counter[str] = Counter()
    for form in dataset[0]:
        for ind in form.indicators:
            for text in (ind.target, ind.actual):
                try:
                    cell = parse_cell(text)
                except CellError:
                    seen["invalid"] += 1
                    continue
                seen[cell.kind.value] += 1
                if cell.comparator is not Comparator.NONE:
                    seen[f"cmp:{cell.comparator.value}"] += 1
                if cell.word and cell.kind is CellKind.QUANTITY:
                    seen["word-comparator"] += 1
                if cell.scale:
                    seen[f"scale:{cell.scale}"] += 1
                if cell.note:
                    seen["note"] += 1
                if any(ch in text for ch in "≧≦═﹦＞"):
                    seen["look-alike"] += 1
                if any("０" <= ch <= "９" for ch in text):
                    seen["full-width"] += 1
                if cell.tier is not None:
                    seen[f"tier:{cell.tier.value}"] += 1
    families = (
        *("quantity", "rank", "date", "qualitative", "label", "direction", "empty", "text", "invalid"),
        *("cmp:>=", "cmp:<=", "cmp:>", "cmp:=", "cmp:range", "word-comparator", "scale:万", "scale:亿"),
        *("note", "look-alike", "full-width", "tier:achieved", "tier:partly"),
    )
    missing = [f for f in families if seen[f] == 0]
    assert not missing, f"no {missing} in {dict(seen)}"
    # the dirty ones stay rare
    cells = sum(seen[k] for k in ("quantity", "rank", "date", "qualitative", "label", "direction", "empty", "text"))
    assert seen["invalid"] < cells * 0.01


def test_manifest_lists_planted_anomalies(dataset: tuple[list[Form], dict]) -> None:
    forms, man = dataset
    by_key = {key(f): f for f in forms}
    assert man["format"] == "jixiao-bench-manifest/1"
    assert {k for k, n in man["anomaly_counts"].items() if n == 0} == set(), man["anomaly_counts"]
    for a in man["anomalies"]:
        assert a["form"] in by_key, a
        assert a["checks"] == list(ANOMALIES[a["kind"]][0])
        assert a["unit"] == by_key[a["form"]].implementing_unit
    json.dumps(man, ensure_ascii=False)  # serialisable as it is
    # spot checks that the anomalies are really in the data
    planted = {(a["kind"], a["form"]): a for a in man["anomalies"]}
    for (kind, k), a in planted.items():
        form = by_key[k]
        b = form.budget
        if kind == "execution-over-100":
            assert b.executed is not None and b.planned is not None and b.executed > b.planned
        elif kind == "low-execution-high-grade":
            assert b.executed is not None and b.planned is not None and b.executed / b.planned < Decimal("0.6")
        elif kind == "no-cost-indicator":
            assert not any("成本" in i.level1 + i.level2 + i.name for i in form.indicators)
        elif kind == "no-satisfaction-indicator":
            assert not any("满意" in i.level1 + i.level2 + i.name for i in form.indicators)
        elif kind == "all-equal-full-marks":
            assert form.deviation_analysis in ("无",) or "无明显偏差" in form.deviation_analysis
        elif kind == "sandbagging":
            last = by_key[f"{form.year - 1}/{form.implementing_unit}/{form.project_name}"]
            this_row = next(i for i in form.indicators if i.name == a["indicator"])
            last_row = next(i for i in last.indicators if i.name == a["indicator"])
            target, actual = parse_cell(this_row.target), parse_cell(last_row.actual)
            assert target.value is not None and actual.value is not None and target.value < actual.value
    copied = Counter(a["detail"] for a in man["anomalies"] if a["kind"] == "copied-narrative")
    assert all(n >= 2 for n in copied.values())


def test_recorded_scores_match_the_rules_except_where_planted(
    dataset: tuple[list[Form], dict], results: list[FormResult]
) -> None:
    _, man = dataset
    planted = {a["form"] for a in man["anomalies"] if a["kind"] in ("inflated-total", "recorded-differs")}
    for r in results:
        k = key(r.form)
        differs = [p for p in r.all_problems if p.code in ("recorded-differs", "recorded-total-sum")]
        if k in planted:
            assert differs, k
        else:
            assert not differs, (k, [p.message for p in differs])
    # the planted outlier unit is perfect, its peers are not
    outliers = {a["form"] for a in man["anomalies"] if a["kind"] == "unit-outlier"}
    totals = [r.total_recorded or r.total_computed for r in results if key(r.form) in outliers]
    others = [r.total_recorded or r.total_computed for r in results if key(r.form) not in outliers]
    assert totals and min(totals) >= Decimal("99.9")
    assert sum(others) / len(others) < Decimal(97)


def test_manifest_function_and_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert manifest(400, 2) == manifest(400, 2)
    out = tmp_path / "data"
    assert main(["--indicators", "400", "--seed", "2", "--out", str(out), "--format", "json"]) == 0
    files = sorted(out.rglob("*.json"))
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(files) == written["totals"]["forms"] + 1
    assert (out / "2023").is_dir() and (out / "2024").is_dir()
    err = capsys.readouterr().err
    assert "份表单" in err and "项指标" in err and "用时" in err
    assert main(["--indicators", "300", "--seed", "2"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["format"] == "jixiao-bench-manifest/1"


# ------------------------------------------------------------------ bulk loading


engine = backend_engine  # one fixture for every storage test (tests/storage_backends.py)


def _count(engine: Engine, column) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count(column))).scalar_one())


def test_bulk_load_round_trips_and_keeps_the_engine_totals(
    engine: Engine, dataset: tuple[list[Form], dict], results: list[FormResult]
) -> None:
    forms, _ = dataset
    progress: list[tuple[int, int]] = []
    n = bulk_load(engine, forms, actor="测试", batch=40, progress=lambda f, i: progress.append((f, i)))
    assert n == len(forms)
    assert sum(f for f, _ in progress) == len(forms)
    assert sum(i for _, i in progress) == sum(len(f.indicators) for f in forms)
    assert _count(engine, IndicatorRow.id) == sum(len(f.indicators) for f in forms)
    store = FormStore(engine, actor="测试")
    summaries = store.list()
    assert len(summaries) == len(forms)
    by_key = {key(f): f for f in forms}
    ids = {f"{s.year}/{s.implementing_unit}/{s.project_name}": s.id for s in summaries}
    for form in forms[:: max(1, len(forms) // 12)] + [forms[-1]]:
        stored = store.get(ids[key(form)])
        assert stored.form == form
        assert stored.status.value == "draft" and stored.version == 1 and stored.updated_by == "测试"
        history = store.history(stored.id)
        assert [(h.action, h.label) for h in history] == [("import", AUDIT_LABEL)]
    computed = {key(r.form): r for r in results}
    for s in summaries:
        r = computed[f"{s.year}/{s.implementing_unit}/{s.project_name}"]
        assert s.total_computed == r.total_computed
        assert s.total_recorded == r.total_recorded
        assert s.grade == r.grade
        assert s.planned == by_key[f"{s.year}/{s.implementing_unit}/{s.project_name}"].budget.planned


def test_bulk_load_writes_what_the_store_writes(
    engine: Engine, dataset: tuple[list[Form], dict], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The careful path (FormStore.import_forms) and the fast path give the same rows and derived columns."""
    forms = [f for f in dataset[0] if f.year == 2024][:12]
    FormStore(engine, actor="a").import_forms([(key(f), f) for f in forms], strict=False)
    other = make_backend(request.node.callspec.params["engine"], tmp_path / "bulk")
    _, fast = next(other)
    try:
        bulk_load(fast, forms, actor="a")
        skip = {"id", "created_at", "updated_at", "form_id", "goal_id", "uid"}  # uid: random identities
        for table, order in ((FormRow.__table__, FormRow.project_name), (IndicatorRow.__table__, IndicatorRow.name)):
            cols = [c for c in table.columns if c.key not in skip]
            query = select(*cols).order_by(order, *cols[:3])
            with engine.connect() as a, fast.connect() as b:
                assert [tuple(r) for r in b.execute(query)] == [tuple(r) for r in a.execute(query)]
    finally:
        other.close()


def test_bulk_load_accepts_results_and_prepared_items(engine: Engine, dataset: tuple[list[Form], dict]) -> None:
    forms = dataset[0][:30]
    items: list[Form | FormResult | Scored] = []
    for i, f in enumerate(forms):
        items.append(f if i % 3 == 0 else score_form(f) if i % 3 == 1 else prepare(f))
    assert bulk_load(engine, items, batch=7) == len(forms)
    store = FormStore(engine)
    assert sorted(s.project_name for s in store.list()) == sorted(f.project_name for f in forms)


def test_bulk_load_refuses_a_stored_identity_and_rolls_back_the_batch(
    engine: Engine, dataset: tuple[list[Form], dict]
) -> None:
    forms = dataset[0]
    bulk_load(engine, forms[:25], batch=10)
    before = (_count(engine, FormRow.id), _count(engine, IndicatorRow.id), _count(engine, AuditRow.id))
    again = forms[30:45] + [forms[20]] + forms[45:50]  # batch 1: 10 new; batch 2: 5 new, then a stored one
    with pytest.raises(BulkLoadError) as err:
        bulk_load(engine, again, batch=10)
    msg = str(err.value)
    assert key(forms[20]) in msg and "已在数据库中" in msg and "此前已提交 10 份" in msg
    after = (_count(engine, FormRow.id), _count(engine, IndicatorRow.id), _count(engine, AuditRow.id))
    assert after[0] == before[0] + 10  # the first batch stays, the failing batch is rolled back
    assert after[2] == before[2] + 10
    assert after[1] == before[1] + sum(len(f.indicators) for f in forms[30:40])


def test_bulk_load_keeps_the_batches_before_a_failure_and_none_after(
    engine: Engine, dataset: tuple[list[Form], dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL writes two batches at once (bulk_commit): a failed batch must still leave
    exactly the batches before it, and the new forms' ids must still follow the input order."""
    forms = dataset[0]
    bulk_load(engine, forms[:25], batch=5)
    before = (_count(engine, FormRow.id), _count(engine, IndicatorRow.id), _count(engine, AuditRow.id))
    again = forms[30:44] + [forms[20]] + forms[44:80]  # batches 1-2 new, batch 3 ends with a stored one
    insert = bulk._Writer.insert

    def late(self: Any, conn: Any, rows: Any, *args: Any, **kwargs: Any) -> Any:
        if forms[20] in rows.forms:  # the failing batch fails last: the next one is done by then
            time.sleep(0.3)
        return insert(self, conn, rows, *args, **kwargs)

    monkeypatch.setattr(bulk._Writer, "insert", late)
    with pytest.raises(BulkLoadError) as err:
        bulk_load(engine, again, batch=5)
    monkeypatch.undo()
    assert "此前已提交 10 份" in str(err.value)
    after = (_count(engine, FormRow.id), _count(engine, IndicatorRow.id), _count(engine, AuditRow.id))
    assert after == (
        before[0] + 10,
        before[1] + sum(len(f.indicators) for f in forms[30:40]),
        before[2] + 10,
    )
    with engine.connect() as conn:
        stored = conn.execute(select(FormRow.project_name, FormRow.year).order_by(FormRow.id)).all()
    assert [(r[0], r[1]) for r in stored] == [(f.project_name, f.year) for f in forms[:25] + forms[30:40]]
    assert bulk_load(engine, forms[40:120], batch=3) == 80  # many small batches, all kept, in order
    with engine.connect() as conn:
        names = conn.execute(select(FormRow.project_name, FormRow.year).order_by(FormRow.id)).all()
    assert [(r[0], r[1]) for r in names][35:] == [(f.project_name, f.year) for f in forms[40:120]]


@pytest.mark.skipif(not PG_URL, reason=PG_REASON)
def test_bulk_load_waiting_on_a_lock_fails_in_chinese_and_writes_nothing(
    tmp_path: Path, dataset: tuple[list[Form], dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session holds the forms table (a restore, a migration): the load must end, say why in
    Chinese, and leave nothing, instead of waiting for ever."""
    gen = make_backend("postgresql", tmp_path)
    _, engine = next(gen)
    try:
        monkeypatch.setattr(bulk, "LOCK_TIMEOUT", "300ms")
        holder = engine.connect()
        holder.begin()
        holder.exec_driver_sql("LOCK TABLE forms IN SHARE MODE")
        try:
            with pytest.raises(BulkLoadError) as err:
                bulk_load(engine, dataset[0][:12], batch=4)
        finally:
            holder.rollback()
            holder.close()
        msg = str(err.value)
        assert "等待其他连接持有的锁超过 300ms" in msg and "此前已提交 0 份" in msg
        assert _count(engine, FormRow.id) == 0 and _count(engine, AuditRow.id) == 0
    finally:
        gen.close()


def test_bulk_load_refuses_duplicates_and_unstorable_forms(engine: Engine, dataset: tuple[list[Form], dict]) -> None:
    import dataclasses

    forms = dataset[0][:6]
    with pytest.raises(BulkLoadError, match="与第 2 份相同"):
        bulk_load(engine, [*forms, forms[1]], batch=100)
    assert _count(engine, FormRow.id) == 0
    long_unit = dataclasses.replace(forms[0], implementing_unit="某" * 201)
    with pytest.raises(BulkLoadError, match="过长"):
        bulk_load(engine, [long_unit])
    nul = dataclasses.replace(forms[0], deviation_analysis="偏差\x00")
    with pytest.raises(BulkLoadError, match="NUL"):
        bulk_load(engine, [nul])
    no_year = dataclasses.replace(forms[0], year=None)
    with pytest.raises(BulkLoadError, match="缺少年度"):
        bulk_load(engine, [no_year])
    assert _count(engine, FormRow.id) == 0


def test_bulk_load_scores_in_worker_processes(engine: Engine, dataset: tuple[list[Form], dict]) -> None:
    forms = dataset[0][:60]
    assert bulk_load(engine, forms, batch=8, workers=2) == 60  # a list: shared with forked workers
    more = dataset[0][60:90]
    assert bulk_load(engine, iter(more), batch=8, workers=2) == 30  # an iterator: sent in batches
    store = FormStore(engine)
    totals = {f"{s.year}/{s.implementing_unit}/{s.project_name}": s.total_computed for s in store.list()}
    for f in forms + more:
        assert totals[key(f)] == score_form(f).total_computed


def test_bulk_load_generic_insert_path(
    engine: Engine, dataset: tuple[list[Form], dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Core insert().returning() path, used where COPY (PostgreSQL) or rowid arithmetic (SQLite) is not."""
    from jixiao.storage import bulk

    monkeypatch.setattr(bulk, "_mode", lambda engine: "core")
    forms = dataset[0][:40]
    assert bulk_load(engine, forms, batch=9) == 40
    store = FormStore(engine)
    ids = {f"{s.year}/{s.implementing_unit}/{s.project_name}": s.id for s in store.list()}
    for form in forms[::7]:
        assert store.get(ids[key(form)]).form == form


@pytest.mark.skipif(not PG_URL, reason=PG_REASON)
def test_bulk_load_as_a_role_under_row_level_security(tmp_path: Path, dataset: tuple[list[Form], dict]) -> None:
    """PostgreSQL refuses COPY FROM under row-level security: an admin role (not the owner) gets INSERTs."""
    import uuid

    from jixiao.storage import bulk
    from jixiao.storage.database import make_engine
    from jixiao.storage.users import Directory

    gen = make_backend("postgresql", tmp_path)
    url, owner = next(gen)
    login = f"jx_bulk_{uuid.uuid4().hex[:6]}"
    directory = Directory(owner)
    directory.add_user(login, "批量导入管理员", "admin", password="Pw-bulk-1")
    admin = make_engine(make_url(url).set(username=login, password="Pw-bulk-1").render_as_string(hide_password=False))
    try:
        assert bulk._mode(owner) == "copy" and bulk._mode(admin) == "core"
        forms = dataset[0][:20]
        assert bulk_load(admin, forms, batch=8) == 20
        assert {s.project_name for s in FormStore(owner).list()} == {f.project_name for f in forms}
    finally:
        admin.dispose()
        directory.remove_user(login)
        gen.close()
