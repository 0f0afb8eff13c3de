"""Scoring for the bulk path: each form's verdict as a plain tuple, in order, maybe in worker processes."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, NamedTuple

from jixiao.scoring import BUILTIN, builtin_catalog, score_form
from jixiao.storage.convert import scaled
from jixiao.storage.store import StoreError, finding_counts
from jixiao.storage.verdict_stamp import stamp
from scorer.model import Form
from scorer.result import FormResult
from scorer.rules import rules_for

AUDIT_LABEL = "批量导入"

#: called after each committed batch with (forms, indicators) in that batch
Progress = Callable[[int, int], None]

# What scoring contributes to one stored form, as a plain tuple (cheap to send between processes):
#   (computed_rules, computed_total, computed_grade, computed_rate, computed_pending, computed_problems,
#    agg_total_c, agg_recorded_c, agg_errors, agg_warnings, agg_infos,
#    rows) with rows = ((computed_status, computed_score, agg_weight_u, agg_score_u), …) in form order
Verdict = tuple[Any, ...]


class Scored(NamedTuple):
    """A form with its verdict already computed (``prepare``): ``bulk_load`` only inserts it."""

    form: Form
    verdict: Verdict


Item = Form | FormResult | Scored


class BulkLoadError(StoreError):
    """The bulk load stopped; the message names the form and what was committed before it."""


def verdict(result: FormResult) -> Verdict:
    """The stored verdict of a scored form: the values ``fill_computed(row, result, finding_counts(result))`` sets."""
    errors, warnings, infos = finding_counts(result)
    return (
        stamp(result.rules.name, result.rules.version),
        result.total_computed,
        result.grade,
        result.budget.rate,
        result.pending,
        len(result.all_problems),
        scaled(result.total_computed, 2),
        scaled(result.total_recorded, 2),
        errors,
        warnings,
        infos,
        tuple(
            (r.status.value, r.score, None, None)  # a parent: its sub-rows are summed, not it
            if r.weight_source == "children"
            else (r.status.value, r.score, scaled(r.weight, 4), scaled(r.score, 4))
            for r in result.indicators
        ),
    )


def _score(form: Form, catalog: Any) -> Verdict:
    return verdict(score_form(form, rules_for(form), catalog))


def prepare(item: Form | FormResult, catalog: Any = BUILTIN) -> Scored:
    """Score a form (or take its result) and compute its verdict, ahead of ``bulk_load``."""
    if isinstance(item, FormResult):
        return Scored(item.form, verdict(item))
    return Scored(item, _score(item, builtin_catalog() if catalog is BUILTIN else catalog))


# ------------------------------------------------------------------ scoring, in order, maybe in parallel

_CATALOG: Any = None
_SHARED: Sequence[Form] | None = None  # the caller's list of forms, inherited by forked workers


def _init_worker(catalog: Any) -> None:
    global _CATALOG
    _CATALOG = builtin_catalog() if isinstance(catalog, str) and catalog == "builtin" else catalog


def _score_forms(forms: list[Form]) -> list[Verdict]:
    return [_score(f, _CATALOG) for f in forms]


def _score_range(bounds: tuple[int, int]) -> list[Verdict]:
    assert _SHARED is not None
    return [_score(f, _CATALOG) for f in _SHARED[bounds[0] : bounds[1]]]


def _as_form(item: Item) -> Form:
    return item if isinstance(item, Form) else item.form


def _ready(item: Item) -> Verdict | None:
    """The verdict without scoring, when the item brings it (or the engine's result)."""
    if isinstance(item, Scored):
        return item.verdict
    if isinstance(item, FormResult):
        return verdict(item)
    return None


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class _Pending:
    """One batch in flight: the verdicts it already has, and the worker's job for the rest."""

    def __init__(self, forms: list[Form], ready: list[Verdict | None], job: Any) -> None:
        self.forms = forms
        self.ready = ready
        self.job = job

    def get(self) -> list[Verdict]:
        if self.job is None:
            return self.ready  # type: ignore[return-value]
        scored = iter(self.job.get())
        return [v if v is not None else next(scored) for v in self.ready]


def _scored(
    items: Iterable[Item], batch: int, workers: int, catalog: Any
) -> Iterator[tuple[list[Form], list[Verdict]]]:
    """Batches of (forms, verdicts) in input order; unscored forms are scored in ``workers`` processes when > 1."""
    if workers <= 1:
        cat = builtin_catalog() if catalog is BUILTIN else catalog
        for chunk in _chunks(items, batch):
            yield [_as_form(x) for x in chunk], [v if (v := _ready(x)) is not None else _score(x, cat) for x in chunk]
        return
    global _SHARED
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # a list of plain forms is shared with forked workers instead of being pickled to them
    shared = isinstance(items, list | tuple) and "fork" in methods and all(isinstance(x, Form) for x in items)
    if catalog is BUILTIN:
        builtin_catalog()  # loaded once here; forked workers inherit it
    try:
        if shared:
            _SHARED = items  # type: ignore[assignment]
        with ctx.Pool(
            workers, initializer=_init_worker, initargs=("builtin" if catalog is BUILTIN else catalog,)
        ) as pool:
            if shared:
                seq: Sequence[Form] = items  # type: ignore[assignment]
                jobs: Iterator[_Pending] = (
                    _Pending(
                        list(seq[a : a + batch]),
                        [None] * len(seq[a : a + batch]),
                        pool.apply_async(_score_range, ((a, a + batch),)),
                    )
                    for a in range(0, len(seq), batch)
                )
            else:

                def submit(chunk: list[Item]) -> _Pending:
                    ready = [_ready(x) for x in chunk]
                    todo = [x for x, v in zip(chunk, ready, strict=True) if v is None]
                    job = pool.apply_async(_score_forms, (todo,)) if todo else None
                    return _Pending([_as_form(x) for x in chunk], ready, job)

                jobs = (submit(chunk) for chunk in _chunks(items, batch))
            window: deque[_Pending] = deque()
            for job in jobs:  # a few batches in flight, never the whole input
                window.append(job)
                if len(window) > 2 * workers:
                    done = window.popleft()
                    yield done.forms, done.get()
            while window:
                done = window.popleft()
                yield done.forms, done.get()
    finally:
        _SHARED = None
