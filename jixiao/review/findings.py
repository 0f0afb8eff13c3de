"""Findings for one stored form: the shared checks engine when present, else the engine's problems."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

_ORDER = {"error": 0, "warning": 1, "info": 2}


def form_findings(result: Any) -> list[tuple[str, str]]:
    """(severity, message) for one scored form, most severe first."""
    try:
        from jixiao.checks.engine import run_form_checks
    except ImportError:  # pragma: no cover - checks ship with jixiao
        found = [(p.severity.value, p.message) for p in result.all_problems]
    else:
        found = [(f.severity.value, f.message) for f in run_form_checks(result)]
    return sorted(found, key=lambda x: _ORDER.get(x[0], 3))


def top_findings(engine: Engine, form_id: int, catalog: Any = None, limit: int = 3) -> list[tuple[str, str]]:
    from jixiao.storage.store import FormStore

    store = FormStore(engine, catalog=catalog)
    return form_findings(store.score(store.get(form_id).form))[:limit]
