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


def score_with_its_rules(form: Form, catalog: CatalogLike | _Builtin | None = BUILTIN) -> FormResult:
    """A stored form scored under the rule set it names. A name that is no rule set (written past
    jixiao, e.g. with psql) stopped every list and review of the department; such a form is scored
    under the default rule set and carries an error saying so, which makes it invalid: reported,
    flagged, never taken for a good score."""
    from dataclasses import replace

    from scorer.result import Problem, ProblemCode
    from scorer.rules import DEFAULT_RULES, RuleSetError, load, rules_for

    try:
        rules = rules_for(form)
    except RuleSetError as exc:
        result = score_form(form, load(DEFAULT_RULES), catalog)
        said = f"表单所记规则集「{form.rules}」无法使用（{exc}）；暂按默认规则集「{DEFAULT_RULES}」计分，得分仅供参考"
        return replace(result, problems=(*result.problems, Problem.of(ProblemCode.UNKNOWN_RULES, said)))
    return score_form(form, rules, catalog)
