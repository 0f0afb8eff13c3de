"""``jixiao workflow ACTION --all``: one workflow action on every form the filters select.

Each form is its own transaction, with its own audit entry and its own result: a form the
workflow or the database refuses is named with the reason and the others go on. A progress bar
shows on the terminal; the exit code is 1 when any form was refused.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.text import Text

from jixiao.safe_text import line


def run_batch(store: Any, args: argparse.Namespace, out: Console, err: Console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from jixiao.storage import ConflictError, StoreError
    from jixiao.workflow import ACTIONS, WorkflowError

    rows = store.list(
        year=args.year, department=args.department, unit=args.unit, status=args.status, search=args.search
    )
    label = ACTIONS[args.action].label
    if not rows:
        err.print(f"没有符合条件的表单；未{label}任何表单。")
        return 1
    done: list[str] = []
    refused: list[str] = []
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), console=err, transient=True, disable=len(rows) < 2
    ) as progress:
        task = progress.add_task(label, total=len(rows))
        for r in rows:
            key = f"{r.year}/{r.implementing_unit}/{r.project_name}"
            try:
                after = store.transition(r.id, args.action, args.comment, expected_version=r.version)
                done.append(f"{key}：{r.status.label} → {after.status.label}")
            except (WorkflowError, StoreError, ConflictError) as exc:
                refused.append(f"{key}：{exc}")
            progress.advance(task)
    for text in done:
        out.print(Text(f"✓ {line(text)}"), soft_wrap=True)
    for text in refused:
        err.print(Text.assemble(("✗ ", "bold red"), line(text)), soft_wrap=True)
    out.print(f"{label}：{len(done)} 份完成，{len(refused)} 份未{label}（共 {len(rows)} 份）。")
    return 1 if refused else 0
