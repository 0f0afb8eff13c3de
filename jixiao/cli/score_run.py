"""Scoring form files for ``jixiao score``: in the given order, in this process or in workers.

Each file is read, scored and rendered (its tables, or its JSON) where it is scored; only the
text comes back. So two worker processes share the work of a directory, and the parent writes
the texts in the files' order: the output is the same bytes whichever way it ran
(``tests/test_score_jobs.py`` compares them). Workers are forked, so they inherit the rule set,
the catalog and the console (its width and colours) as they are; where a platform cannot fork,
the files are scored here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console

from jixiao import jsonout, terminal
from jixiao.scoring import BUILTIN, score_form
from jixiao.workers import ordered_map
from scorer.formfile import FormFileError, load_form
from scorer.result import ProblemCode
from scorer.rules import RuleSet, RuleSetError, rules_for


@dataclass(frozen=True, slots=True)
class Job:
    """What every file is scored with, and how it is shown."""

    override: RuleSet | None
    catalog: Any
    as_json: bool
    explain: bool
    out: Console


@dataclass(frozen=True, slots=True)
class Scored:
    """One file's outcome: its text for standard output, its errors, its line in the summary."""

    source: str
    text: str
    errors: tuple[str, ...]
    invalid: bool
    summary: terminal.Summary | None
    detail: str = ""  # why the file could not be read


def score_file(job: Job, path: Path) -> Scored:
    source = str(path)
    try:
        form = load_form(path)
        rules = rules_for(form, job.override)
    except FormFileError as exc:
        return Scored(source, "", (str(exc),), True, None, exc.detail)
    except RuleSetError as exc:
        return Scored(source, "", (f"{source}：键 rules：{exc}",), True, None, str(exc))
    result = score_form(form, rules, job.catalog if job.catalog else BUILTIN)
    errors = tuple(
        f"{source}：表单「{form.project_name}」：指标「{p.indicator}」：{p.column}「{p.text}」：{p.message}"
        for p in result.all_problems
        if result.invalid and p.code == ProblemCode.INVALID_CELL
    )
    if job.as_json:
        text = jsonout.dumps(jsonout.form(result, source))
    else:
        text = terminal.form_text(job.out, result, source, explain=job.explain)
    summary = None if job.as_json else terminal.summary_of(result)  # only the tables print a summary
    return Scored(source, text, errors, result.invalid, summary)


def score_files(job: Job, files: list[Path], workers: int) -> Iterator[Scored]:
    """Each file's outcome, in the order of ``files``."""
    return ordered_map(partial(score_file, job), files, workers)
