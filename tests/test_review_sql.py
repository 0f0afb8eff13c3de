"""The review summed by the database gives the same table as the review summed in Python.

``jixiao/review/sql_groups.py`` sums trusted forms with GROUP BY and takes medians from a
window query; ``summed_here`` reads every form and sums in Python. Both must give the same
``GroupRow``s, exactly, for every grouping and filter, on SQLite and PostgreSQL; a form the
database does not vouch for sends the review back to Python, which recomputes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text

from bench.generate import Dataset
from jixiao.review.aggregate import Filters, aggregate, flagged_forms, level1_here, summed_here
from jixiao.review.sql_groups import group_rows, level1_rows
from jixiao.review.trusted import form_numbers
from jixiao.storage import FormStore
from jixiao.storage.bulk import bulk_load
from jixiao.storage.seed import sample_forms
from scorer.model import Form
from tests.storage_backends import BACKENDS, PG_REASON, PG_URL, make_backend

FILTERS = [
    Filters(),
    Filters(year=2024),
    Filters(year=2023, department="卫生"),
    Filters(unit="局"),
    Filters(status="draft"),
    Filters(year=1999),
]


@pytest.fixture(params=BACKENDS, scope="module")
def province(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """~300 generated forms over two years, and the nine sample forms (recorded totals, a department form)."""
    backend = make_backend(request.param, Path(tmp_path_factory.mktemp("review_sql")))
    _, engine = next(backend)
    bulk_load(engine, Dataset(4000, seed=7).forms())
    samples = sample_forms()
    FormStore(engine, actor="张三").import_forms([*samples, *(_unrecorded(src, f) for src, f in samples[:3])])  # type: ignore[arg-type]
    yield engine
    next(backend, None)


def _unrecorded(source: str, form: Form) -> tuple[str, Form]:
    """The form as a unit that wrote no score of its own would file it."""
    goals = tuple(
        dataclasses.replace(g, indicators=tuple(dataclasses.replace(i, recorded=None) for i in g.indicators))
        for g in form.goals
    )
    plain = dataclasses.replace(
        form,
        project_name=f"{form.project_name}（未自评）",
        total_recorded=None,
        goals=goals,
        budget=dataclasses.replace(form.budget, recorded=None),
    )
    return source, plain


def _sorted(rows: list) -> list:  # type: ignore[type-arg]
    return sorted(rows, key=lambda g: (g.risk, g.key, g.kind))


def _flagged_reference(engine: Engine, filters: Filters, limit: int) -> list[int]:
    """The flagged forms as the review chose them before the database ordered them: every form read."""
    forms = [f for f in form_numbers(engine, filters.apply) if f.errors + f.warnings > 0]

    def gap(f) -> int:  # type: ignore[no-untyped-def]
        return (f.recorded_c if f.recorded_c is not None else f.total_c or 0) - (f.total_c or 0)

    forms.sort(key=lambda f: (-f.errors, -f.warnings, -gap(f), f.id))
    return [f.id for f in forms[:limit]]


@pytest.mark.parametrize("by", ["unit", "department", "grade", "year"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[8:])
def test_the_database_sums_what_python_sums(province: Engine, by: str, filters: Filters) -> None:
    summed = group_rows(province, by, filters.apply)
    assert summed is not None  # every form is trusted: the database path is the one taken
    assert _sorted(summed) == _sorted(summed_here(province, by, filters))
    assert aggregate(province, by, filters) == _sorted(summed)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[8:])
def test_the_database_sums_the_level1_review_as_python_does(province: Engine, filters: Filters) -> None:
    summed = level1_rows(province, filters.apply)
    assert summed is not None

    def order(rows: list) -> list:  # type: ignore[type-arg]
        return sorted(rows, key=lambda g: (g.attainment or 0, g.key))

    assert order(summed) == order(level1_here(province, filters))
    assert aggregate(province, "level1", filters) == order(summed)


def test_the_groups_cover_odd_and_even_medians_and_recorded_totals(province: Engine) -> None:
    rows = aggregate(province, "unit")
    assert {g.forms % 2 for g in rows} == {0, 1}
    assert any(g.median_recorded is not None for g in rows) and any(g.kind == "department" for g in rows)
    assert sum(g.forms for g in aggregate(province, "year")) == 12 + len(list(Dataset(4000, seed=7).forms()))
    assert any(0 < g.recorded_forms < g.forms for g in aggregate(province, "department"))


@pytest.mark.parametrize("limit", [0, 1, 7, 20, 10_000])
@pytest.mark.parametrize("filters", FILTERS[:3], ids=lambda f: repr(f)[8:])
def test_flagged_forms_are_the_ones_every_form_read_would_give(province: Engine, filters: Filters, limit: int) -> None:
    assert [f.id for f in flagged_forms(province, filters, limit)] == _flagged_reference(province, filters, limit)


def test_a_form_the_database_does_not_vouch_for_is_recomputed(province: Engine) -> None:
    """An insider forges one form's stored total and counts: the review does not believe it."""
    with province.begin() as c:
        fid = c.execute(text("SELECT id FROM forms WHERE year = 2024 ORDER BY id LIMIT 1")).scalar_one()
        c.execute(
            text("UPDATE forms SET agg_total_c = 1, agg_errors = 99, scores_trusted = false WHERE id = :id"),
            {"id": fid},
        )
    try:
        assert group_rows(province, "unit", Filters().apply) is None
        assert level1_rows(province, Filters().apply) is None
        assert aggregate(province, "level1") == sorted(
            level1_here(province, Filters()), key=lambda g: (g.attainment or 0, g.key)
        )
        assert aggregate(province, "unit") == _sorted(summed_here(province, "unit", Filters()))
        assert [f.id for f in flagged_forms(province, Filters(), 20)] == _flagged_reference(province, Filters(), 20)
        assert fid not in [f.id for f in flagged_forms(province, Filters(), 1)]  # the forged 99 errors are not believed
    finally:
        with province.begin() as c:
            c.execute(text("UPDATE forms SET scores_trusted = true WHERE id = :id"), {"id": fid})


@pytest.mark.skipif(not PG_URL, reason=PG_REASON)
def test_a_form_forged_while_the_review_reads_is_not_lost(tmp_path: Path) -> None:
    """PostgreSQL: a form forged between the check for doubtful forms and the sums is still counted."""
    backend = make_backend("postgresql", tmp_path)
    url, engine = next(backend)
    try:
        bulk_load(engine, Dataset(600, seed=2).forms())
        every = sum(g.forms for g in aggregate(engine, "year"))
        other = create_engine(url)
        forged: list[int] = []

        def forge(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
            if "GROUP BY" in statement and not forged:
                with other.begin() as c:
                    forged.append(c.execute(text("SELECT min(id) FROM forms")).scalar_one())
                    c.execute(
                        text("UPDATE forms SET agg_total_c = 1, scores_trusted = false WHERE id = :i"), {"i": forged[0]}
                    )

        event.listen(engine, "before_cursor_execute", forge)
        summed = group_rows(engine, "year", Filters().apply)
        event.remove(engine, "before_cursor_execute", forge)
        assert forged and summed is not None
        assert sum(g.forms for g in summed) == every  # read as it stood when the review began
        assert group_rows(engine, "year", Filters().apply) is None  # the next review recomputes it
        assert sum(g.forms for g in aggregate(engine, "year")) == every
        other.dispose()
    finally:
        next(backend, None)


def test_an_sqlite_without_window_functions_takes_the_python_path(
    province: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 24, 0))
    expected = province.dialect.name == "postgresql"  # PostgreSQL is not affected
    assert (group_rows(province, "unit", Filters().apply) is not None) is expected
    assert aggregate(province, "unit") == _sorted(summed_here(province, "unit", Filters()))
