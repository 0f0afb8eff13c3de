"""jixiao's scoring core: cell parsing, rule sets and the scoring engine.

This package imports no UI, database or PDF library (a test enforces it), so
that every adapter (CLI, storage, TUI, PDF) can build on it.
"""

from scorer.cells import Cell, CellError, parse_cell
from scorer.engine import score_form
from scorer.formfile import FormFileError, load_form
from scorer.model import Form, Goal, Indicator
from scorer.result import FormResult, IndicatorResult, Status
from scorer.rules import RuleSet, RuleSetError

__all__ = [
    "Cell",
    "CellError",
    "Form",
    "FormFileError",
    "FormResult",
    "Goal",
    "Indicator",
    "IndicatorResult",
    "RuleSet",
    "RuleSetError",
    "Status",
    "load_form",
    "parse_cell",
    "score_form",
]
