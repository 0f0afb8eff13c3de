"""The composition root (#17): the CLI and the TUI get their store and catalog from one place, and a
catalog that cannot be read is reported instead of silently dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

import indicator_catalog
from indicator_catalog import CatalogError
from jixiao import session


def test_the_builtin_catalog_loads() -> None:
    said: list[str] = []
    cat = session.catalog(said.append)
    assert cat is not None and cat.lookup("预算执行率") is not None
    assert said == []


def test_a_broken_catalog_is_reported_and_scoring_goes_on_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> object:
        raise CatalogError(["catalog.toml：第 3 条：未知的键 dirction"])

    monkeypatch.setattr(indicator_catalog, "load_catalog", broken)
    said: list[str] = []
    assert session.catalog(said.append) is None
    assert len(said) == 1 and "指标库无法读取" in said[0] and "dirction" in said[0]


def test_an_internal_fault_in_the_catalog_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def fault() -> object:
        raise KeyError("bug")

    monkeypatch.setattr(indicator_catalog, "load_catalog", fault)
    with pytest.raises(KeyError):
        session.catalog(lambda _m: None)


def test_open_store_gives_a_store_with_the_catalog(tmp_path: Path) -> None:
    notes: list[str] = []
    store = session.open_store(str(tmp_path / "j.db"), announce=notes.append, report=notes.append)
    assert store.catalog is not None
    assert store.list() is not None


def test_with_a_broken_catalog_the_store_still_scores_and_the_app_gets_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Reported once, then scoring goes on by cells, names and levels: the store must not fall back to
    loading the same broken built-in catalog (which would fail again at the first score)."""
    import indicator_catalog.loader as loader
    from scorer.formfile import load_form

    def broken(*_a: object) -> object:
        raise CatalogError(["catalog.toml：第 3 条：未知的键 dirction"])

    monkeypatch.setattr(indicator_catalog, "load_catalog", broken)
    monkeypatch.setattr(indicator_catalog, "default_catalog", broken)
    monkeypatch.setattr(loader, "default_catalog", broken)
    said: list[str] = []
    store = session.open_store(str(tmp_path / "j.db"), announce=lambda _m: None, report=said.append)
    assert len(said) == 1 and "指标库无法读取" in said[0]
    assert session.catalog_of(store) is None
    sample = next((Path(__file__).resolve().parents[1] / "samples").glob("*.toml"))
    result = store.score(load_form(sample))
    assert result.indicators and result.total_computed is not None
