"""Scoring as jixiao does it: the core's engine, given the built-in indicator catalog.

The core (``scorer``) takes a catalog as an argument and never reaches for one, so it does not
depend on ``indicator_catalog``; this is the one place that supplies the built-in catalog, for
every adapter (CLI, storage, TUI, PDF, review) and for the tests that score as users do.
"""

from __future__ import annotations

from scorer.direction import CatalogLike
from scorer.engine import score_form as _score_form
from scorer.model import Form
from scorer.result import FormResult
from scorer.rules import RuleSet


class _Builtin:
    """Marker: use the built-in indicator catalog."""


BUILTIN = _Builtin()


class _NoCatalog:
    """A catalog without entries: where the built-in one cannot be read, rows are scored by their
    cells, names and levels alone (None would mean "the built-in one" to the store)."""

    def lookup(self, name: str) -> None:
        return None


NO_CATALOG = _NoCatalog()


def builtin_catalog() -> CatalogLike:
    """The built-in catalog, loaded once (imported here, on first use: it reads its TOML)."""
    from indicator_catalog import default_catalog

    return default_catalog()


def score_form(
    form: Form, rules: RuleSet | None = None, catalog: CatalogLike | _Builtin | None = BUILTIN
) -> FormResult:
    """Score a whole form; the built-in catalog unless another (or None: keywords only) is given."""
    return _score_form(form, rules, builtin_catalog() if isinstance(catalog, _Builtin) else catalog)
