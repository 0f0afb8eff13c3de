"""The report of ``jixiao check`` (自查); its arguments are in ``jixiao/cli/check.py``.

Scores each form, runs the checks within each form and across all of them,
and prints the findings grouped by form. Exit status 1 when any finding is an
error or a file cannot be read, else 0.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from jixiao.checks import CHECKS, Finding, FormRecord, form_label, record_for, run_all, summarise
from jixiao.safe_text import display, line
from scorer import numbers as fmt
from scorer.result import FormResult, Severity

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

SCOPE_LABELS = {"form": "表内", "portfolio": "跨表", "target": "目标审核", "monitoring": "运行监控"}
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


@dataclass(frozen=True, slots=True)
class Checked:
    """One form to report on: where it came from and its record for the checks."""

    source: str  # file path, or "#id" for a stored form
    record: FormRecord


def _err(err: Console, message: str, label: str = "错误") -> None:
    err.print(Text.assemble((f"{label}：", "bold red"), display(message, limit=4000)), soft_wrap=True)


# ------------------------------------------------------------------ load


def _from_files(paths: list[Path]) -> tuple[list[Checked], list[tuple[str, str]]]:
    from jixiao.scoring import score_form
    from scorer.formfile import FormFileError, find_form_files, load_form
    from scorer.rules import RuleSetError, rules_for

    unreadable: list[tuple[str, str]] = []

    def missing(p: Path) -> None:
        unreadable.append((str(p), "文件或目录不存在"))

    checked: list[Checked] = []
    for path in find_form_files(paths, missing):
        source = str(path)
        try:
            form = load_form(path)
            rules = rules_for(form)
        except FormFileError as exc:
            unreadable.append((source, exc.detail if exc.path == source else str(exc)))
            continue
        except RuleSetError as exc:
            unreadable.append((source, f"键 rules：{exc}"))
            continue
        checked.append(Checked(source, record_for(score_form(form, rules), source)))
    return checked, unreadable


def _from_db(args: argparse.Namespace, err: Console) -> tuple[list[Checked], list[Checked]]:
    """(self-evaluations to report on, context: the year before's for the multi-year checks and the
    declarations of the year after, read as plans; a declaration itself is checked by ``targets check``)."""
    from jixiao.cli.db import open_store
    from jixiao.storage import declarations
    from jixiao.workflow import Stage

    store = open_store(args, err)
    scope = {"department": args.department, "unit": args.unit}

    def load(rows: list[Any]) -> list[Checked]:
        plans = {row.id for row in rows if row.stage is Stage.DECLARATION}
        approved = declarations.approved_among(store, [row.id for row in rows])

        def record(sf: Any) -> FormRecord:
            plan = sf.id in plans
            rec = record_for(store.score(sf.form), sf.key)
            return replace(rec, declaration=plan, targets_approved=None if plan else sf.id in approved)

        return [Checked(f"#{sf.id}", record(sf)) for sf in store.get_many([row.id for row in rows])]

    selected = load(store.list(year=args.year, status=args.status, stage=Stage.EVALUATION, **scope))
    if args.year is None:
        return selected, load(store.list(stage=Stage.DECLARATION, **scope))
    before = store.list(year=args.year - 1, stage=Stage.EVALUATION, **scope)
    return selected, load(before + store.list(year=args.year + 1, stage=Stage.DECLARATION, **scope))


# -------------------------------------------------------------- command


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.list_checks:
        out.print(checks_table())
        return EXIT_OK
    filters = [f"--{n}" for n in ("year", "department", "unit", "status") if getattr(args, n) is not None]
    if args.from_db and args.paths:
        _err(err, "PATH 与 --from-db 不能同时使用")
        return EXIT_USAGE
    if not args.from_db and not args.paths:
        _err(err, "请给出表单文件或目录，或用 --from-db 检查数据库中的表单")
        return EXIT_USAGE
    if filters and not args.from_db:
        _err(err, f"{'、'.join(filters)} 只能与 --from-db 同用")
        return EXIT_USAGE

    unreadable: list[tuple[str, str]] = []
    context: list[Checked] = []
    if args.from_db:
        checked, context = _from_db(args, err)
        if not checked:
            _err(err, "没有符合条件的表单", "提示")
            return EXIT_OK
    else:
        checked, unreadable = _from_files(list(args.paths))
        for source, message in unreadable:
            _err(err, f"{source}：{message}")
        if not checked and not unreadable:
            _err(err, "没有找到表单文件（.toml / .json）")
            return EXIT_INVALID

    keys = {c.record.key for c in checked}
    everything = [c.record for c in checked] + [c.record for c in context if c.record.key not in keys]
    findings = [f for f in run_all(everything) if f.form_key in keys or not f.form_key]
    counts = summarise(findings)

    if args.json:
        from jixiao import jsonout

        out.file.write(jsonout.dumps(to_json(checked, findings, unreadable)) + "\n")
    else:
        render(out, checked, findings, unreadable)
    return EXIT_INVALID if counts[Severity.ERROR] or unreadable else EXIT_OK


# ---------------------------------------------------------------- render


def _heading(c: Checked) -> tuple[Text, Text]:
    res: FormResult = c.record.result
    form = res.form
    title = Text(line(form_label(form)), style="bold")
    meta = Text(style="dim")
    meta.append(line(c.source))
    for part in (str(form.year) if form.year else "", form.implementing_unit):
        if part:
            meta.append(f" · {line(part)}")
    meta.append(f" · 规则 {fmt.score(res.total_computed)}（{res.grade}）")
    if res.total_recorded is not None:
        meta.append(f" · 自评 {fmt.score(res.total_recorded)}（{res.grade_recorded}）")
    return title, meta


def wrapped(text: str, width: int, style: str = "", dim_from: int | None = None) -> Text:
    """``text`` broken into lines for ``width`` cells; characters from ``dim_from`` on are dim."""
    text = display(text)  # one character for one: ``dim_from`` still points at the same place
    out = Text(style=style)
    from jixiao.line_breaks import cjk_wrap

    for i, (a, b) in enumerate(cjk_wrap(text, max(10, width))):
        if i:
            out.append("\n")
        line = text[a:b].rstrip()
        b = a + len(line)
        if dim_from is None or b <= dim_from:
            out.append(line)
        elif a >= dim_from:
            out.append(line, style="dim")
        else:
            out.append(text[a:dim_from])
            out.append(text[dim_from:b], style="dim")
    return out


def findings_table(findings: list[Finding], label: str = "", width: int = 80) -> Table:
    """Severity label, then the message (without the form's name); check ids only in --json."""
    t = Table.grid(padding=(0, 1))
    t.add_column(no_wrap=True)
    t.add_column(overflow="fold")
    for f in findings:
        detail = f.detail(label)
        body = wrapped(detail, width - 5, dim_from=len(detail))
        t.add_row(Text(f.severity.label, style=SEVERITY_STYLE[f.severity]), body)
    return t


def summary_text(n_forms: int, findings: list[Finding], unreadable: int = 0) -> Text:
    counts = summarise(findings)
    t = Text(f"检查 {n_forms} 份表单：")
    parts = [(Severity.ERROR, "错误"), (Severity.WARNING, "警告"), (Severity.INFO, "提示")]
    for i, (sev, name) in enumerate(parts):
        if i:
            t.append("，")
        t.append(f"{name} {counts[sev]} 项", style=SEVERITY_STYLE[sev] if counts[sev] else "")
    if unreadable:
        t.append("，")
        t.append(f"{unreadable} 个文件无法读取", style="bold red")
    t.append("。")
    return t


def _own(f: Finding) -> bool:
    """A finding of the form's own checks (表内: what ``list`` and ``review`` count), not one across forms."""
    spec = CHECKS.get(f.check_id)
    return spec is not None and spec.scope == "form"


def render(out: Console, checked: list[Checked], findings: list[Finding], unreadable: list[tuple[str, str]]) -> None:
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.form_key, []).append(f)
    clean = []
    for c in checked:
        mine = groups.get(c.record.key, [])
        if not mine:
            clean.append(c)
            continue
        title, meta = _heading(c)
        own = sum(1 for f in mine if _own(f))
        meta.append(f" · 表内问题 {own}" + (f"，跨表问题 {len(mine) - own}" if own < len(mine) else ""))
        out.print(Rule(title, align="left", style="dim"))
        out.print(wrapped(meta.plain, out.width, style="dim"))
        out.print(findings_table(mine, form_label(c.record.result.form), out.width))
        out.print()
    if groups.get(""):
        out.print(Rule(Text("跨表单", style="bold"), align="left", style="dim"))
        out.print(findings_table(groups[""], width=out.width))
        out.print()
    if clean:
        names = "、".join(form_label(c.record.result.form) for c in clean[:10]) + ("等" if len(clean) > 10 else "")
        out.print(wrapped(f"未发现问题的表单 {len(clean)} 份：{names}", out.width, style="green"))
    for source, message in unreadable:
        out.print(
            Text.assemble(("无法读取：", "bold red"), display(f"{source}：{message}", limit=4000)), overflow="fold"
        )
    out.print(summary_text(len(checked), findings, len(unreadable)))


def checks_table() -> Table:
    t = Table(title=f"检查项（{len(CHECKS)} 项）", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
    t.add_column("编号", no_wrap=True)
    t.add_column("级别", no_wrap=True)
    t.add_column("范围", no_wrap=True)
    t.add_column("说明", overflow="fold")
    for spec in CHECKS.values():
        t.add_row(
            spec.id,
            Text(spec.severity.label, style=SEVERITY_STYLE[spec.severity]),
            SCOPE_LABELS[spec.scope],
            spec.title,
        )
    return t


# ------------------------------------------------------------------ json


def _d(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def finding_json(f: Finding) -> dict[str, Any]:
    spec = CHECKS.get(f.check_id)
    return {
        "check": f.check_id,
        "severity": f.severity.value,
        "title": spec.title if spec else "",
        "message": f.message,
        "indicator": f.indicator or None,
        "value": _d(f.value),
    }


def to_json(checked: list[Checked], findings: list[Finding], unreadable: list[tuple[str, str]]) -> dict[str, Any]:
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.form_key, []).append(f)
    forms = []
    for c in checked:
        res = c.record.result
        forms.append(
            {
                "key": c.record.key,
                "source": c.source,
                "project": res.form.project_name,
                "unit": res.form.implementing_unit,
                "department": res.form.department,
                "year": res.form.year,
                "total_computed": _d(res.total_computed),
                "total_recorded": _d(fmt.q2(res.total_recorded)) if res.total_recorded is not None else None,
                "grade": res.grade,
                "grade_recorded": res.grade_recorded,
                "findings": [finding_json(f) for f in groups.get(c.record.key, [])],
            }
        )
    counts = summarise(findings)
    return {
        "forms": forms,
        "portfolio": [finding_json(f) for f in groups.get("", [])],
        "unreadable": [{"source": s, "message": m} for s, m in unreadable],
        "summary": {
            "forms": len(checked),
            **{sev.value: n for sev, n in counts.items()},
            "unreadable": len(unreadable),
        },
    }
