"""Hostile text: it never breaks the terminal, never runs as SQL, and what cannot be stored is refused.

Names and cells come from files that dozens of units send in. Control
characters, ANSI escapes and bidi overrides are shown harmlessly
(jixiao.safe_text); quotes and SQL fragments go through every text field and
every search argument on SQLite and PostgreSQL and come back unchanged; NUL
and lone surrogates, which PostgreSQL (or UTF-8) cannot hold, are refused
with a clear StoreError on both back ends alike.
"""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import Engine, inspect, text

from jixiao.safe_text import BIDI_CONTROLS, display, is_safe, line
from jixiao.storage import FormStore, NotFound, StoreError
from scorer.formfile import dumps_toml, load_form
from scorer.model import Budget, Form, Goal, Indicator, Recorded, SignOff, Ticks
from tests.conftest import NINETY_FOUR, ROOT
from tests.storage_backends import backend_engine

ESC, BEL, RLO = "\x1b", "\x07", "\u202e"
SQL = [
    "'; DROP TABLE forms; --",
    '" OR 1=1 --',
    "%",
    "_",
    "\\",
    "\\%",
    "%'--",
    "' OR '1'='1",
    "Robert'); DROP TABLE audit_log;--",
    "$$; DROP TABLE goals; $$",
    "\\x00",
    "名称'\"%_\\",
]

# ---------------------------------------------------------------- display


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b[2J", "␛[2J"),
        ("a\x07b", "a␇b"),
        ("\x00", "␀"),
        ("\x7f", "␡"),
        ("a\rb", "a␍b"),
        ("\x9b31m", "\ufffd31m"),
        ("\u202eexe.txt", "\ufffdexe.txt"),
        ("\u2066x\u2069", "\ufffdx\ufffd"),
        ("\u200e\u200f", "\ufffd\ufffd"),
        ("\ud800", "\ufffd"),
        ("行一\n行二\t列", "行一\n行二\t列"),
        ("老干工作经费 ≥75户", "老干工作经费 ≥75户"),
    ],
)
def test_display_makes_controls_visible(raw: str, shown: str) -> None:
    assert display(raw) == shown


def test_line_is_one_short_line() -> None:
    assert line("a\nb\tc") == "a b c"
    assert line("x" * 1000) == "x" * 299 + "…"
    assert line("x" * 10, limit=5) == "xxxx…"
    assert line(None) == "" and display(None) == ""


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None)))
def test_display_output_is_always_harmless(text: str) -> None:
    for out in (display(text), line(text)):
        assert is_safe(out)
        assert not any(ch in BIDI_CONTROLS for ch in out)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
        out.encode("utf-8")  # no lone surrogate left
    assert "\n" not in line(text) and "\t" not in line(text)
    assert len(display(text)) == len(text)  # one for one: positions and widths stay meaningful


HOSTILE_NAME = f"老干{ESC}[2J工作{RLO}经费{BEL}"


def _hostile_form() -> Form:
    form = load_form(NINETY_FOUR)
    g = form.goals[0]
    first = dataclasses.replace(g.indicators[0], name=f"慰问{ESC}]0;pwned{BEL}人数{RLO}", target=f"≥240{ESC}[31m")
    return dataclasses.replace(
        form,
        project_name=HOSTILE_NAME,
        implementing_unit=f"单位{ESC}[1;1H{RLO}",
        department=f"[bold red]部门[/]{BEL}",
        deviation_analysis=f"原因{ESC}[2J\r覆盖",
        goals=(dataclasses.replace(g, indicators=(first, *g.indicators[1:])),),
    )


def _write(tmp_path: Path, form: Form) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text(dumps_toml(form), encoding="utf-8")
    assert load_form(path) == form  # TOML carries the hostile text exactly
    return path


def test_jixiao_score_output_has_no_control_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path, _hostile_form())
    for extra in ([], ["--explain"]):
        proc = subprocess.run(
            [sys.executable, "-m", "jixiao", "score", str(path), *extra],
            capture_output=True,
            cwd=ROOT,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"},
        )
        out = proc.stdout + proc.stderr
        assert b"\x1b" not in out and b"\x07" not in out and b"\r" not in out
        assert RLO.encode() not in out
        text_out = out.decode("utf-8")
        assert "老干␛[2J工作\ufffd经费␇" in text_out  # shown, visibly
        assert "[bold red]部门[/]" in text_out  # not read as markup either


def test_score_in_a_colour_terminal_emits_only_its_own_escapes(tmp_path: Path) -> None:
    """With colours on, rich writes SGR sequences; nothing else may start with ESC."""
    from jixiao.cli import main

    path = _write(tmp_path, _hostile_form())
    buf = io.StringIO()
    out = Console(file=buf, width=120, force_terminal=True, color_system="truecolor", highlight=False)
    err = Console(file=io.StringIO(), width=120, force_terminal=True)
    main(["score", str(path), "--explain"], out=out, err=err)
    written = re.sub(r"\x1b\[[0-9;]*m", "", buf.getvalue())  # rich's own colour codes
    assert "\x1b" not in written and "\x07" not in written and RLO not in written
    assert "␛[2J" in written


def test_hostile_cell_in_an_error_message_is_neutralised(tmp_path: Path) -> None:
    form = _hostile_form()
    g = form.goals[0]
    bad = dataclasses.replace(g.indicators[1], target=f"≥75{ESC}[2J米{RLO}")  # unknown unit: an invalid cell
    path = _write(tmp_path, dataclasses.replace(form, goals=(dataclasses.replace(g, indicators=(bad,)),)))
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "score", str(path)], capture_output=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 1
    assert b"\x1b" not in proc.stderr + proc.stdout and RLO.encode() not in proc.stderr + proc.stdout
    assert "未知单位" in proc.stderr.decode()


# ---------------------------------------------------------------- SQL


engine = backend_engine  # one fixture for every storage test (tests/storage_backends.py)


@pytest.fixture
def store(engine: Engine) -> FormStore:
    return FormStore(engine, actor="测试'; DROP TABLE forms; --")


def _tables_intact(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {"forms", "goals", "indicators", "audit_log", "alembic_version"} <= names
    with engine.connect() as conn:
        for table in ("forms", "goals", "indicators", "audit_log"):
            conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def _every_text_field(payload: str, n: int) -> Form:
    """A valid form with ``payload`` in every text field that can take it."""
    ind = Indicator(
        level1="产出指标",
        level2=f"数量{payload}"[:50],
        name=f"指标{payload}",
        target=f"≥75户{payload}",
        actual=f"80户（{payload}）",
        weight=Decimal(10),
        recorded=Recorded(Decimal(9), f"理由{payload}"),
        adjusted_target=f"{payload}",
        deviation=f"偏差{payload}",
        direction="",
    )
    return Form(
        project_name=f"项目{n}{payload}",
        department=f"部门{payload}",
        implementing_unit=f"单位{payload}",
        year=2024,
        rules="national-2020",
        title=f"标题{payload}",
        ticks=Ticks(("部门预算项目",), (), ()),
        budget=Budget(
            label=f"资金{payload}"[:100], planned=Decimal(100), executed=Decimal(90), rate_text=f"90%{payload}"[:50]
        ),
        goals=(Goal(text=f"目标{payload}", weight=None, indicators=(ind,)),),
        total_recorded=Decimal("88.5"),
        deviation_analysis=f"分析{payload}",
        improvement_measures=f"措施{payload}",
        signoff=SignOff(
            preparer=f"填表{payload}",
            reviewer=f"审核{payload}",
            unit_head=f"负责{payload}",
            finance_head=f"财务{payload}",
            project_lead=f"项目{payload}",
            contact=f"联系{payload}",
            phone=f"027{payload}"[:50],
            date=f"2025-01-01{payload}"[:50],
        ),
    )


def test_sql_fragments_round_trip_through_every_text_field(store: FormStore, engine: Engine) -> None:
    created = {}
    for n, payload in enumerate(SQL):
        form = _every_text_field(payload, n)
        sf = store.create(form, reason=f"导入{payload}")
        created[payload] = sf.id
        assert store.get(sf.id).form == form
    _tables_intact(engine)
    assert store.count() == len(SQL)
    for payload, form_id in created.items():
        sf = store.get(form_id)
        edited = dataclasses.replace(sf.form, improvement_measures=f"改{payload}")
        store.save(form_id, edited, sf.version, reason=f"原因{payload}")
        assert store.get(form_id).form == edited
        entries = store.history(form_id)
        assert entries[0].after == f"2024/单位{payload}/项目{SQL.index(payload)}{payload}"
        assert entries[-1].reason == f"原因{payload}" and entries[-1].after == f"改{payload}"
        assert {e.actor for e in entries} == {store.actor}
    _tables_intact(engine)


def test_search_and_filters_treat_input_as_text(store: FormStore, engine: Engine) -> None:
    forms = [_every_text_field(p, n) for n, p in enumerate(SQL)] + [_every_text_field("普通", 99)]
    store.import_forms([(f"f{n}", f) for n, f in enumerate(forms)])
    everything = store.list()
    for payload in SQL:
        _search(store, engine, everything, payload)
    assert store.count() == len(forms)


def _search(store: FormStore, engine: Engine, everything: list, payload: str) -> None:  # type: ignore[type-arg]
    for kw, attr in (("search", "project_name"), ("unit", "implementing_unit"), ("department", "department")):
        got = {r.id for r in store.list(**{kw: payload})}
        want = {r.id for r in everything if payload in getattr(r, attr)}
        assert got == want, f"{kw}={payload!r}"  # % and _ are not wildcards, \\ is not an escape
    assert store.list(status=payload) == []
    hits = [r for r in everything if payload in r.project_name]
    try:
        found = store.find(payload)
    except StoreError as exc:  # NotFound, or several matches: both clear errors
        assert "表单" in str(exc)
        assert len(hits) != 1
    else:
        assert payload in found.form.project_name
    _tables_intact(engine)


def test_find_by_identity_with_slashes_and_quotes(store: FormStore) -> None:
    form = _every_text_field("'\"%", 1)
    sf = store.create(form)
    assert store.find(f"2024/{form.implementing_unit}/{form.project_name}").id == sf.id
    with pytest.raises(NotFound):
        store.find("2024/' OR 1=1 --/x")


@pytest.mark.parametrize("ref", ["²", "٣", "9" * 30, "0", "-1", "9" * 5000, "\x00", "\ud800", "2024/\x00/x"])
def test_odd_references_are_not_found_not_crashes(store: FormStore, ref: str) -> None:
    with pytest.raises(StoreError):
        store.find(ref)


def test_filters_with_unstorable_characters_match_nothing(store: FormStore) -> None:
    store.create(_every_text_field("普通", 1))
    for bad in ("\x00", "a\x00b", "\ud800"):
        assert store.list(search=bad) == [] and store.list(unit=bad) == [] and store.list(department=bad) == []
    assert store.list(year=10**30) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda f: dataclasses.replace(f, project_name="项目\x00名"),
        lambda f: dataclasses.replace(f, deviation_analysis="分析\x00"),
        lambda f: dataclasses.replace(f, signoff=SignOff(preparer="\x00")),
        lambda f: dataclasses.replace(
            f, goals=(Goal(indicators=(dataclasses.replace(f.goals[0].indicators[0], actual="80\x00户"),)),)
        ),
        lambda f: dataclasses.replace(f, implementing_unit="单位\ud800"),
        lambda f: dataclasses.replace(
            f, goals=(Goal(indicators=(dataclasses.replace(f.goals[0].indicators[0], name="指\udfff标"),)),)
        ),
    ],
    ids=["name-nul", "narrative-nul", "signoff-nul", "cell-nul", "unit-surrogate", "indicator-surrogate"],
)
def test_unstorable_characters_are_refused_on_every_backend(store: FormStore, engine: Engine, change) -> None:  # type: ignore[no-untyped-def]
    form = change(_every_text_field("x", 1))
    with pytest.raises(StoreError, match="不能入库.*(空字符 NUL|代理字符)"):
        store.create(form)
    with pytest.raises(StoreError, match="(空字符 NUL|代理字符)"):
        store.import_forms([("hostile.json", form)])
    good = store.create(_every_text_field("x", 2))
    with pytest.raises(StoreError, match="(空字符 NUL|代理字符)"):
        store.save(good.id, form, good.version)
    assert store.count() == 1
    _tables_intact(engine)


def test_nul_in_a_reason_is_refused(store: FormStore) -> None:
    sf = store.create(_every_text_field("x", 1))
    edited = dataclasses.replace(sf.form, improvement_measures="新")
    with pytest.raises(StoreError, match="空字符"):
        store.save(sf.id, edited, sf.version, reason="理由\x00")
    assert store.get(sf.id).form == sf.form


def test_text_longer_than_its_column_is_refused_on_every_backend(store: FormStore) -> None:
    form = _every_text_field("x", 1)
    with pytest.raises(StoreError, match="「项目名称」过长（302 字，上限 300 字）"):
        store.create(dataclasses.replace(form, project_name="名" * 302))
    ind = dataclasses.replace(form.goals[0].indicators[0], level1="一" * 51)
    with pytest.raises(StoreError, match="「一级指标」过长"):
        store.create(dataclasses.replace(form, goals=(Goal(indicators=(ind,)),)))
    from jixiao.storage.store import MAX_TEXT_CHARS

    long_text = dataclasses.replace(form, deviation_analysis="长" * MAX_TEXT_CHARS)  # free text: up to the cap
    assert store.get(store.create(long_text).id).form == long_text
    with pytest.raises(
        StoreError, match=f"「偏差大或目标未完成原因分析」过长（{MAX_TEXT_CHARS + 1} 字，上限 {MAX_TEXT_CHARS} 字）"
    ):
        store.create(dataclasses.replace(form, project_name="另一个", deviation_analysis="长" * (MAX_TEXT_CHARS + 1)))


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("1E+15", "数值过大"),
        ("-1E+20", "不能为负数"),
        ("-0.01", "不能为负数"),
        ("1E-13", "数值过小"),
        ("1E+400", "数值过大"),
    ],
)
def test_numbers_outside_the_form_range_are_refused(store: FormStore, value: str, said: str) -> None:
    form = _every_text_field("x", 1)
    with pytest.raises(StoreError, match=said):
        store.create(dataclasses.replace(form, budget=dataclasses.replace(form.budget, planned=Decimal(value))))


def test_typed_numbers_outside_the_range_are_refused() -> None:
    from jixiao.editing import EditError, parse_number, set_header

    for typed in ("1e20", "0.0000000000001", "9" * 16):
        with pytest.raises(EditError, match="数值过"):
            parse_number(typed, "分值")
    assert parse_number("999999999999999", "预算数") == Decimal("999999999999999")
    form = _every_text_field("x", 1)
    for typed in ("²⁰²⁴", "٢٠٢٤", "20240"):
        with pytest.raises(EditError, match="年度"):
            set_header(form, "year", typed)


def test_import_through_the_cli_keeps_quotes_and_refuses_nul(tmp_path: Path) -> None:
    from jixiao.cli import main

    db = f"sqlite:///{tmp_path / 'h.db'}"
    good = tmp_path / "good.toml"
    good.write_text(dumps_toml(_every_text_field("'; DROP TABLE forms; --", 1)), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"project_name": "x\\u0000", "implementing_unit": "u", "year": 2024}', encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--db", db, "import", str(good), str(bad)], out=Console(file=out, width=200), err=Console(file=err, width=200)
    )
    assert code == 1
    assert "新建 1 份" in out.getvalue()
    assert "空字符 NUL" in err.getvalue() and "\x00" not in err.getvalue()
    out = io.StringIO()
    main(["--db", db, "list", "--search", "'; DROP"], out=Console(file=out, width=300), err=Console(file=io.StringIO()))
    assert "DROP TABLE forms" in out.getvalue()


def test_rich_markup_in_names_is_shown_literally(tmp_path: Path) -> None:
    """A name like "[/]" once made rich raise MarkupError where a str went through markup."""
    from jixiao.cli import main

    db = f"sqlite:///{tmp_path / 'm.db'}"
    form = dataclasses.replace(_every_text_field("[/][bold]x[/bold][link=file:///etc/passwd]y", 1), year=2024)
    path = tmp_path / "m.toml"
    path.write_text(dumps_toml(form), encoding="utf-8")
    for argv in (["import", str(path)], ["list"], ["history", "1"], ["workflow", "submit", "1"]):
        out, err = io.StringIO(), io.StringIO()
        code = main(["--db", db, *argv], out=Console(file=out, width=300), err=Console(file=err, width=300))
        assert code == 0, err.getvalue()
        assert "内部错误" not in err.getvalue()
    assert "[/][bold]x[/bold]" in out.getvalue()


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('"planned": "20"', '"planned": "20", "planned": "200"', "planned"),  # budget
        ('"year": 2024', '"year": 2024, "year": 2025', "year"),  # top level
        ('"weight": "20"', '"weight": "20", "weight": "2"', "weight"),  # an indicator
    ],
    ids=["budget", "top", "indicator"],
)
def test_a_json_key_given_twice_is_refused_like_toml_does(tmp_path: Path, old: str, new: str, key: str) -> None:
    """json keeps the last of two values silently (预算数 20 then 200 read as 200); the file must be refused."""
    from scorer.formfile import FormFileError
    from scorer.formwrite import dumps_json

    text = dumps_json(load_form(NINETY_FOUR))
    assert old in text
    path = tmp_path / "twice.json"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FormFileError, match=f"键 {key}：同一个对象中出现两次"):
        load_form(path)


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("名" * 301, "过长（301 字，上限 300 字）"),
        ("   ", "项目名称"),
        ("空\\u0000字", "NUL"),
        ("控制\\u0007\\u001b[31m红\\u202e字", ""),  # importable: shown escaped, never sent raw to the terminal
    ],
    ids=["too-long", "blank", "nul", "control"],
)
def test_a_dry_run_refuses_what_the_import_refuses_and_prints_nothing_raw(
    tmp_path: Path, name: str, refused: str
) -> None:
    from jixiao.cli import main

    path = tmp_path / "form.toml"
    path.write_text(
        NINETY_FOUR.read_text(encoding="utf-8").replace('project_name = "老干工作经费"', f'project_name = "{name}"'),
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = main(["import", "--dry-run", str(path)], Console(file=out, width=300), Console(file=err, width=300))
    said = out.getvalue() + err.getvalue()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", said)
    if refused:
        assert (
            code == 1 and "".join(refused.split()) in "".join(err.getvalue().split()) and "1 个不能" in out.getvalue()
        )
    else:
        assert code == 0 and "1 个文件可导入" in out.getvalue(), said


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("weight = 20     #", "weight = -20     #", "budget.weight：不能为负数"),
        ("planned = 20\n", "planned = -0.5\n", "budget.planned：不能为负数"),
    ],
    ids=["weight", "money"],
)
def test_a_negative_number_in_a_form_file_is_refused(tmp_path: Path, old: str, new: str, said: str) -> None:
    """A negative weight was read and scored to a negative total (exit 0), and stored by import."""
    from scorer.formfile import FormFileError

    text = NINETY_FOUR.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "neg.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FormFileError, match=said):
        load_form(path)
