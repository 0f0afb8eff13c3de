"""Every indicator has a stable identity, and the history compares rows by it (issue 15, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from jixiao import editing
from jixiao.formdiff import diff
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.store import FormStore
from scorer.formfile import dumps_json, dumps_toml
from scorer.model import Form
from tests.conftest import NINETY_FOUR


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'id.db'}")
    upgrade(engine)
    s = FormStore(engine, actor="项目负责人")
    from scorer.formfile import load_form

    s.create(load_form(NINETY_FOUR))
    return s


def _saved_entries(store: FormStore, new: Form) -> list[str]:
    sf = store.get(store.list()[0].id)
    before = len(store.history(sf.id))
    store.save(sf.id, new, sf.version)
    return [e.label for e in store.history(sf.id)[before:]]


def _stored(store: FormStore) -> Form:
    return store.get(store.list()[0].id).form


def test_every_stored_row_has_a_distinct_identity(store: FormStore) -> None:
    uids = [i.uid for g in _stored(store).goals for i in g.indicators]
    assert all(len(u) >= 16 for u in uids) and len(set(uids)) == len(uids)


def test_an_inserted_row_is_one_entry(store: FormStore) -> None:
    form, _ = editing.insert_row(_stored(store), 0, after=True)
    assert _saved_entries(store, form) == ["新增指标「新指标」"]


def test_a_deleted_row_is_one_entry(store: FormStore) -> None:
    form = _stored(store)
    name = editing.indicator_at(form, 1).name
    assert _saved_entries(store, editing.delete_row(form, 1)) == [f"删除指标「{name}」"]


def test_a_moved_row_is_one_entry(store: FormStore) -> None:
    form = _stored(store)
    names = {editing.indicator_at(form, 3).name, editing.indicator_at(form, 2).name}
    moved, _ = editing.move_row(form, 3, -1)
    (entry,) = _saved_entries(store, moved)  # two rows swapped: one of them moved
    assert entry.startswith("移动指标") and entry[5:-1] in names


def test_history_values_are_chinese(store: FormStore) -> None:
    form = _stored(store)
    ind = editing.indicator_at(form, 0)
    import dataclasses

    changed = editing.set_indicator(form, 0, dataclasses.replace(ind, direction="reverse"))
    sf = store.get(store.list()[0].id)
    store.save(sf.id, changed, sf.version)
    last = store.history(sf.id)[-1]
    assert (last.before, last.after) == ("（自动）", "反向")


@pytest.mark.parametrize("dump", [dumps_toml, dumps_json])
def test_identity_survives_export_and_import(store: FormStore, dump, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from scorer.formfile import load_form

    form = _stored(store)
    path = tmp_path / ("f.json" if dump is dumps_json else "f.toml")
    path.write_text(dump(form), encoding="utf-8")
    back = load_form(path)
    assert [i.uid for g in back.goals for i in g.indicators] == [i.uid for g in form.goals for i in g.indicators]
    moved, _ = editing.move_row(back, 2, 1)
    assert len(diff(form, moved)) == 1


def test_identity_survives_the_excel_round_trip(store: FormStore, tmp_path: Path) -> None:
    from jixiao.xlsx import read_workbook, write_workbook

    form = _stored(store)
    path = tmp_path / "f.xlsx"
    write_workbook([form], path)
    (back,) = read_workbook(path)
    assert [i.uid for g in back.goals for i in g.indicators] == [i.uid for g in form.goals for i in g.indicators]


@given(hst.permutations(list(range(7))))
@settings(max_examples=40, deadline=None)
def test_any_reordering_is_only_moves(order: list[int]) -> None:
    import dataclasses

    from scorer.formfile import load_form

    base = load_form(NINETY_FOUR)
    rows = [dataclasses.replace(i, uid=f"u{n}") for n, i in enumerate(base.goals[0].indicators)]
    old = dataclasses.replace(base, goals=(dataclasses.replace(base.goals[0], indicators=tuple(rows)),))
    shuffled = tuple(rows[i] for i in order if i < len(rows))
    new = dataclasses.replace(old, goals=(dataclasses.replace(old.goals[0], indicators=shuffled),))
    changes = diff(old, new)
    assert all(c.label.startswith("移动指标") for c in changes)
    assert len(changes) <= len(rows) - 1
