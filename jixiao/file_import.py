"""Importing form files: each file all or nothing, new forms in groups through the bulk path.

``FormStore.import_forms`` is the careful path: one transaction per file, each form
loaded through the ORM, diffed against what is stored, updated or created, with its
audit. Most forms of a first import are new, and for them that care is all cost. So
files are read, checked and scored in worker processes (``jixiao.workers``), and in
this process the files whose forms are all new are written in groups, one transaction
per group of whole files, with the same rows and audit the careful path would write
(``tests/test_file_import.py`` compares the databases). A file with a form already
stored, or one met earlier in the same import, goes through the careful path. If a
group fails to write (another writer was quicker, a row-level policy refuses), it is
rolled back and its files go through the careful path one by one, so each file is
still written whole or not at all, with the careful path's message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from jixiao.scoring import score_form
from jixiao.storage.bulk import BulkLoadError, NewForms, Verdict, verdict
from jixiao.storage.renames import renamed_from
from jixiao.storage.store import CREATED_LABEL, FormStore, ImportOutcome, StoreError, check_import, form_key
from jixiao.workers import ordered_map, workers_for
from jixiao.workflow import Stage
from scorer.formfile import FormFileError, load_form
from scorer.model import Form
from scorer.rules import rules_for, rules_name_for

GROUP_FORMS = 200  # forms per transaction on the fast path

Identity = tuple[int | None, str, str]


def _file_errors() -> tuple[type[Exception], ...]:
    """What a file from outside can make go wrong: each names the file and the place."""
    from jixiao.xlsx import XlsxError

    return (FormFileError, StoreError, XlsxError)


@dataclass(frozen=True, slots=True)
class FileRead:
    """One file read, checked and scored (``forms`` and ``verdicts`` in order), or why it cannot be imported."""

    path: Path
    forms: tuple[tuple[str, Form], ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    error: str = ""
    holds: tuple[tuple[str, frozenset[str]], ...] = ()  # a platform sheet's forms: the fields it has

    def identities(self) -> list[Identity]:
        return [(f.year, f.implementing_unit, f.project_name) for _, f in self.forms]


def _named_rules(form: Form, rules: str) -> Form:
    """The form under the rule set the importer named (``import --rules``) when it names none itself."""
    return replace(form, rules=rules) if rules and not form.rules else form


def read_file(path: Path, rules: str = "") -> FileRead:
    """All forms of one file, each with the name it is reported by, and what a platform sheet's
    forms hold (they update only those fields); raises a clear error naming the file. A form that
    names no rule set is given ``rules`` when that is not empty."""
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json", ".xlsx"):  # the form loader names only its own two
        hint = (
            "；.xls/.et/.csv 请在 Excel 或 WPS 中另存为 .xlsx"
            if suffix in (".xls", ".et", ".csv")
            else "；公开的部门决算文档请用 jixiao import-disclosure 读取"
            if suffix in (".pdf", ".docx", ".html", ".htm", ".txt")
            else ""
        )
        raise FormFileError(str(path), "", f"不支持的文件类型「{path.suffix}」；应为 .toml、.json 或 .xlsx{hint}")
    if suffix != ".xlsx":
        return FileRead(path, ((str(path), _named_rules(load_form(path), rules)),))
    from jixiao.xlsx.workbook import read_workbook_holds

    got = read_workbook_holds(path)
    named = [
        (f"{path}#{i + 1}" if len(got) > 1 else str(path), _named_rules(form, rules), held)
        for i, (form, held) in enumerate(got)
    ]
    return FileRead(
        path,
        tuple((source, form) for source, form, _ in named),
        holds=tuple((source, held) for source, _, held in named if held is not None),
    )


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What importing one file did: its forms' outcomes, or the error that left it unwritten."""

    path: Path
    outcomes: tuple[ImportOutcome, ...] = ()
    error: str = ""


def read_and_check(catalog: Any, path: Path, rules: str = "") -> FileRead:
    """Read one file and check it as ``FormStore.import_forms`` would (strict), scoring each form once."""
    try:
        read = read_file(path, rules)
        results = check_import(read.forms, lambda form: score_form(form, rules_for(form), catalog))
    except _file_errors() as exc:
        return FileRead(path, error=str(exc))
    return replace(read, verdicts=tuple(verdict(r) for r in results))


class _Importer:
    """The parent's side: groups new files, writes them, and sends the rest the careful way."""

    def __init__(self, store: FormStore) -> None:
        self.store = store
        self.new = NewForms(store.engine, store.actor, CREATED_LABEL)
        self.seen: set[Identity] = set()
        # the driver's own errors: the bulk path's COPY runs on its cursor, unwrapped by SQLAlchemy
        error = getattr(store.engine.dialect.dbapi, "Error", None)
        driver = (error,) if isinstance(error, type) and issubclass(error, Exception) else ()
        self.refusals: tuple[type[Exception], ...] = (BulkLoadError, SQLAlchemyError, *driver)

    def careful(self, read: FileRead) -> FileOutcome:
        if read.error:
            return FileOutcome(read.path, error=read.error)
        try:
            return FileOutcome(read.path, tuple(self.store.import_forms(list(read.forms), holds=dict(read.holds))))
        except StoreError as exc:
            return FileOutcome(read.path, error=str(exc))

    def group(self, reads: list[FileRead]) -> list[FileOutcome]:
        """Write one group: its new files in one transaction, the others carefully; outcomes in file order."""
        good = [r for r in reads if not r.error]
        stored = self.new.stored(k for r in good for k in r.identities())
        seen: dict[tuple[object, str, str], str] = {}  # (year, unit, row uid) -> 项目名称, in this group
        with self.store.engine.connect() as conn:
            fresh = [r for r in good if not stored.intersection(r.identities()) and not self._renamed(conn, r, seen)]
        written = self._insert(fresh) if fresh else {}
        return [written[id(r)] if id(r) in written else self.careful(r) for r in reads]

    @staticmethod
    def _renamed(conn: object, read: FileRead, seen: dict[tuple[object, str, str], str]) -> bool:
        """A file holding the rows of a stored form, or of a file before it in this group, under another
        项目名称: the careful way (after this group's new files are written) refuses it and says why."""
        for _, form in read.forms:
            rows = [(form.year, form.implementing_unit, i.uid) for g in form.goals for i in g.indicators if i.uid]
            if any(seen.get(k, form.project_name) != form.project_name for k in rows):
                return True
            if rows and renamed_from(conn, form, Stage.EVALUATION):
                return True
            seen.update(dict.fromkeys(rows, form.project_name))
        return False

    def _insert(self, reads: list[FileRead]) -> dict[int, FileOutcome]:
        pairs = [(read, source, form) for read in reads for source, form in read.forms]
        try:
            ids = self.new.insert(
                [form for _, _, form in pairs],
                [v for read in reads for v in read.verdicts],
                [f"来自 {source}" for _, source, _ in pairs],
            )
        except self.refusals:
            return {}  # nothing of the group was written: each file goes the careful way and says why
        outcomes: dict[int, list[ImportOutcome]] = {id(r): [] for r in reads}
        for (read, source, form), form_id in zip(pairs, ids, strict=True):
            rules = rules_name_for(form) if source in dict(read.holds) else ""
            outcomes[id(read)].append(ImportOutcome(source, form_id, form_key(form), "created", 0, sheet_rules=rules))
        return {id(r): FileOutcome(r.path, tuple(outcomes[id(r)])) for r in reads}

    def run(self, reads: Iterator[FileRead]) -> Iterator[FileOutcome]:
        pending: list[FileRead] = []
        size = 0
        for read in reads:
            keys = read.identities()
            if self.seen.intersection(keys):  # met earlier in this import: after the group before it
                yield from self.group(pending)
                pending, size = [], 0
                yield self.careful(read)
                continue
            self.seen.update(keys)
            pending.append(read)
            size += len(keys) or 1
            if size >= GROUP_FORMS:
                yield from self.group(pending)
                pending, size = [], 0
        if pending:
            yield from self.group(pending)


def import_paths(
    store: FormStore, files: list[Path], jobs: int | None = None, fast: bool = True, rules: str = ""
) -> Iterator[FileOutcome]:
    """Import each file whole or not at all; each file's outcome in the order of ``files``.

    ``jobs`` worker processes read and score the files (default one per core); ``fast``
    writes the new ones in groups, else every file goes the careful way. ``rules`` names the rule
    set of the forms that name none (a platform sheet's).
    """
    if not fast:
        importer = _Importer(store)
        for path in files:
            try:
                yield importer.careful(read_file(path, rules))
            except _file_errors() as exc:
                yield FileOutcome(path, error=str(exc))
        return
    task: Callable[[Path], FileRead] = partial(read_and_check, store.catalog, rules=rules)
    yield from _Importer(store).run(ordered_map(task, files, workers_for(len(files), jobs)))


__all__ = ["FileOutcome", "FileRead", "import_paths", "read_and_check", "read_file"]
