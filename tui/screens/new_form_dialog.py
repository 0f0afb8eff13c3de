"""Start a new form: from scratch, or as a copy of last year's."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from jixiao.editing import EditError, as_another_project, blank_form, copy_for_next_year, year_of
from scorer.model import Form
from scorer.rules import DEFAULT_RULES, available
from tui.rule_names import rule_title


class NewFormDialog(ModalScreen[Form | None]):
    CSS_PATH = "new_form_dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, year: int, template: Form | None, declaration: bool = False) -> None:
        super().__init__()
        self.year = year
        self.template = template
        self.declaration = declaration  # the caller keeps the targets only (scorer.stages.declaration_from)

    def compose(self) -> ComposeResult:
        t = self.template
        with Vertical():
            yield Label("新建绩效目标申报表" if self.declaration else "新建自评表")
            # every field has its label beside it, not only a placeholder that vanishes when typed in
            for label, field in (
                ("年度", Input(str(self.year), id="year", placeholder="如 2025")),
                ("项目实施单位", Input(t.implementing_unit if t else "", id="unit")),
                ("主管部门", Input(t.department if t else "", id="department")),
                ("项目名称", Input("", id="project", placeholder="复制时留空则沿用原名称")),
            ):
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield field
            yield Label("规则集")
            yield Select(
                [(rule_title(n), n) for n in available()],
                value=(t.rules if t and t.rules else DEFAULT_RULES),
                allow_blank=False,
                id="rules",
            )
            yield Static("", id="error")
            with Horizontal():
                yield Button("从空白新建", variant="primary", id="blank")
                if t is not None:
                    what = "的指标" if self.declaration else "年度表单"
                    yield Button(escape(f"复制「{t.project_name}」{t.year} {what}"), id="copy")  # labels are markup
                yield Button("取消", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#project", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        try:
            year = year_of(self.query_one("#year", Input).value)
            year_text = str(year)
            if event.button.id == "copy" and self.template is not None:
                form = copy_for_next_year(self.template)
                # the year (and names) typed in the dialog win over the template's next year
                project = self.query_one("#project", Input).value.strip() or form.project_name
                form = replace(
                    form,
                    year=year,
                    title=form.title.replace(str(form.year), year_text) if form.year else form.title,
                    project_name=project,
                    implementing_unit=self.query_one("#unit", Input).value.strip() or form.implementing_unit,
                    department=self.query_one("#department", Input).value.strip() or form.department,
                )
                if year == self.template.year or form.project_name != self.template.project_name:
                    form = as_another_project(form)  # the same rows carry on only in the same project's next year
                self.dismiss(form)
                return
            unit = self.query_one("#unit", Input).value
            project = self.query_one("#project", Input).value
            if not unit.strip() or not project.strip():
                raise EditError("请填写项目实施单位和项目名称")
            rules = self.query_one("#rules", Select).value
            self.dismiss(blank_form(year, unit, project, self.query_one("#department", Input).value, str(rules)))
        except EditError as exc:
            self.query_one("#error", Static).update(str(exc))

    def action_cancel(self) -> None:
        self.dismiss(None)
