"""The form editor: header, tick boxes, budget, indicator grid, narratives.

Every edit re-scores the form at once; every committed edit is saved in a
worker thread through the store (with its audit entry). A save conflict opens
a dialog and never overwrites silently.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from textual import work
from textual.binding import Binding

from jixiao.workflow import ACTIONS, Stage, State, WorkflowError
from scorer.model import Form
from scorer.result import FormResult
from tui.screens.editor_base import EditorBase, Narrative
from tui.screens.editor_fields import EditorFields
from tui.widgets.indicator_grid import COLUMNS, IndicatorGrid


class FormEditorScreen(EditorFields):
    """The form editor: header, tick boxes, budget, indicator grid, narratives; workflow and PDF."""

    BINDINGS = [
        Binding("escape", "back", "返回", show=True, tooltip="取消编辑 / 返回表单列表"),
        Binding("q", "back", "返回", show=False, tooltip="返回表单列表"),
        Binding("a", "add_row", "添加行", show=True, tooltip="在下方添加行"),
        Binding("i", "insert_row", "插入行", show=False, tooltip="在上方插入行"),
        Binding("delete", "delete_row", "删除行", show=False, tooltip="删除行（需确认）"),
        Binding("ctrl+up", "move_row(-1)", "上移", show=False, tooltip="上移行"),
        Binding("ctrl+down", "move_row(1)", "下移", show=False, tooltip="下移行"),
        Binding("s", "recorded", "自评得分", show=True, tooltip="设置自评得分（与规则得分不同时须填写理由）"),
        Binding(
            "A", "accept_rule_scores", "采用规则得分", show=False, tooltip="新表：未填自评得分的行一次采用规则得分"
        ),
        Binding(
            "u", "toggle_sub", "设为子项/取消", show=False, tooltip="设为上一行的子项 / 取消（父项得分为子项之和）"
        ),
        Binding("t", "workflow('submit')", "提交", show=True, tooltip="提交（先自查：有错误不能提交，有警告需确认）"),
        Binding("b", "workflow('return')", "退回", show=False, tooltip="退回（审核人）"),
        Binding("v", "workflow('approve')", "审核通过", show=False, tooltip="审核通过（审核人）"),
        Binding("o", "workflow('reopen')", "重新打开", show=False, tooltip="重新打开（需理由；已签章的表单签章失效）"),
        Binding("c", "recheck", "复核", show=False, tooltip="复核（审核人）：为所选指标记录复核得分与意见"),
        Binding(
            "e", "begin_evaluation", "开始自评", show=False, tooltip="已审核的目标申报表开始年度自评（年初目标值锁定）"
        ),
        Binding("ctrl+s", "save_now", "保存", show=True, tooltip="立即保存"),
        Binding(
            "x",
            "export_pdf",
            "导出PDF",
            show=False,
            tooltip="导出 PDF（官方版式，存入 ~/jixiao-pdf 或 JIXIAO_PDF_DIR）",
        ),
        Binding(
            "g", "sign_pdf", "签章", show=False, tooltip="签章：生成 PDF 并加数字签名（仅限已审核的表单），随后锁定"
        ),
        Binding("question_mark", "help", "帮助", show=True, tooltip="本帮助"),
        Binding("p", "problems", "问题", show=True, tooltip="问题面板：自查发现的全部问题，Enter 跳到该行"),
        # F2–F5 switch tabs: no input field takes them, so typing a digit never switches a tab
        # and switching a tab never types into a field (issue 15, item 4)
        Binding(
            "f2",
            "tab('tab-indicators')",
            "指标",
            show=False,
            tooltip="切换到页签「绩效指标」（在输入框中也有效，不会输入字符）",
        ),
        Binding("f3", "tab('tab-header')", "基本信息", show=False, tooltip="切换到页签「基本信息」"),
        Binding("f4", "tab('tab-budget')", "预算", show=False, tooltip="切换到页签「预算执行」"),
        Binding("f5", "tab('tab-narrative')", "分析", show=False, tooltip="切换到页签「分析与改进」"),
    ]
    CSS_PATH = "form_editor.tcss"

    # ----------------------------------------------------------- workflow

    def findings(self) -> list[Any]:
        """The self-check: the same checks engine as ``jixiao check``; a declaration's is the target review.

        The form's own checks (表内, what ``jixiao list``, ``check`` and ``review`` count), then the
        evidence checks and, with a stored monitoring snapshot, its 偏差预警 (``other_findings``).
        """
        from jixiao.checks.engine import run_target_review

        if self.result is None:
            return []
        if self.stage is Stage.DECLARATION:
            return [f for _, found in run_target_review([self.result]) for f in found]
        from jixiao.checks import run_form_checks

        return run_form_checks(self.result) + self.other_findings()

    def other_findings(self) -> list[Any]:
        """Findings beyond the form's own checks: rows without their evidence, and monitoring (a period
        written after the fact; at year end, the forecast against the result). Counted apart."""
        return [f for _, found in self.other_findings_by_kind() for f in found]

    def other_findings_by_kind(self) -> list[tuple[str, list[Any]]]:
        """(佐证 / 监控, their findings), each kind shown with its own count beside the form's."""
        from jixiao.checks.evidence_checks import evidence_findings
        from jixiao.checks.monitoring_checks import run_monitoring_checks, run_stored_checks

        if self.result is None or self.stage is Stage.DECLARATION:
            return []
        evidence = evidence_findings(self.result, [(e.indicator_uid, e.name) for e in self.evidence])
        monitoring: list[Any] = []
        for snap, at in self.monitored:
            monitoring += run_stored_checks(self.result, snap, at)
        if self.monitoring is not None:
            monitoring += run_monitoring_checks(self.result, self.monitoring)
            if any(i.actual.strip() for i in self.result.form.indicators):
                monitoring += run_monitoring_checks(self.result, self.monitoring, year_end=True)
        return [("佐证", evidence), ("监控", monitoring)]

    def action_begin_evaluation(self) -> None:
        from tui.screens.comment_dialog import CommentDialog

        if self.stage is not Stage.DECLARATION or self.status is not State.APPROVED:
            now = f"{self.stage.label}（{self.status.label}）"
            self.app.notify(f"本表是{now}；只有已审核的目标申报表可以开始自评", severity="error", title="不能开始自评")
            return
        prompt = "开始年度自评？本表转为自评表草稿，审核通过的年初目标值、分值和指标行从此锁定。"
        self.app.push_screen(
            CommentDialog("开始自评", prompt, ok="开始自评", required=False, with_input=False),
            lambda ok: self._begin() if ok is not None else None,
        )

    def action_recheck(self) -> None:
        from jixiao.storage import StoreError, rechecks
        from tui.screens.recheck_dialog import RecheckDialog

        row = self._row()
        if row is None or self.result is None:
            return
        if self.status not in (State.SUBMITTED, State.APPROVED, State.SIGNED):
            self.app.notify(
                f"表单当前为「{self.status.label}」：复核只能在表单提交之后进行", severity="error", title="不能复核"
            )
            return
        try:
            rechecks.may_recheck(self.jixiao.store, self.form_id)  # 四眼原则: not one's own form
        except StoreError as exc:
            self.app.notify(str(exc), severity="error", title="不能复核")
            return
        r = self.result.indicators[row]
        rec = r.indicator.recorded
        dialog = RecheckDialog(r.indicator.name, r.weight, r.score, rec.score if rec else None)
        self.app.push_screen(dialog, lambda answer: self._recheck(r.indicator.uid, answer))

    def _recheck(self, uid: str, answer: tuple[Any, str] | None) -> None:
        from jixiao.storage import StoreError, rechecks

        if answer is None:
            return
        try:
            done = rechecks.record(self.jixiao.store, self.form_id, uid, *answer)
        except StoreError as exc:
            self.app.notify(str(exc), severity="error", title="不能复核")
            return
        self.rechecks = {**self.rechecks, done.indicator_uid: done}
        self._explain()
        self.app.notify(f"已记录复核：「{done.indicator}」{done.score}", title="复核")

    def _begin(self) -> None:
        from jixiao.storage import StoreError, declarations
        from jixiao.workflow import WorkflowError

        try:
            declarations.begin_evaluation(self.jixiao.store, self.form_id)
        except (WorkflowError, StoreError) as exc:
            self.app.notify(str(exc), severity="error", title="不能开始自评")
            return
        self.app.notify("已开始年度自评：年初目标值已锁定", title="开始自评")
        self.load()

    def action_problems(self, findings: list[Any] | None = None, title: str = "问题", hint: str = "") -> None:
        from tui.screens.problems import ProblemsScreen

        def jump(indicator: str | None) -> None:
            if not indicator or self.result is None:
                return
            names = [r.indicator.name for r in self.result.indicators]
            if indicator in names:
                self.tabs.active = "tab-indicators"
                grid = self.grid
                grid.select_indicator(names.index(indicator))
                grid.focus()

        self.app.push_screen(ProblemsScreen(self.findings() if findings is None else findings, title, hint), jump)

    def _self_check(self, then: Any) -> None:
        """Submit runs the self-check first: errors block (shown), warnings ask for confirmation."""
        from scorer.result import Severity
        from tui.screens.comment_dialog import CommentDialog

        found = self.findings()
        errors = [f for f in found if f.severity is Severity.ERROR]
        warnings = [f for f in found if f.severity is Severity.WARNING]
        if errors:
            self.action_problems(found, "不能提交：自查发现错误", "请先更正错误（Enter 跳到该行）；Esc 关闭")
            return
        if warnings:
            prompt = f"自查发现 {len(warnings)} 项警告（按 p 查看）。仍要提交吗？"
            self.app.push_screen(
                CommentDialog("提交前自查", prompt, ok="仍要提交", required=False, with_input=False),
                lambda ok: then("") if ok is not None else None,
            )
            return
        then("")

    def action_workflow(self, action: str) -> None:
        from jixiao.storage import ConflictError, StoreError
        from jixiao.workflow import WorkflowError, transition
        from tui.screens.comment_dialog import CommentDialog

        if self.form is None:
            return
        a = ACTIONS[action]
        try:
            transition(self.status.value, action, "x")  # refuse early, with the workflow's own message
            self.jixiao.store.may(self.form_id, action)  # and 四眼原则 (approve, sign)
        except WorkflowError as exc:
            self.app.notify(str(exc), severity="error", title=f"不能{a.label}")
            return

        def go(comment: str | None) -> None:
            if comment is None:
                return
            try:
                stored = self.jixiao.store.transition(self.form_id, action, comment, expected_version=self.version)
            except (WorkflowError, StoreError, ConflictError) as exc:
                self.app.notify(str(exc), severity="error", title=f"不能{a.label}")
                return
            self.version, self.status = stored.version, stored.status
            self._fill_fields()
            self.mutate_reactive(EditorBase.result)
            self.app.notify(f"表单已{a.label}：现为「{stored.status.label}」", title=a.label)

        if a.needs_comment:
            self.app.push_screen(CommentDialog(a.label, f"请填写{a.label}理由："), go)
        elif action == "submit":
            self._self_check(go)
        else:
            go("")

    # ---------------------------------------------------------------- PDF

    def pdf_dir(self) -> Path:
        return Path(os.environ.get("JIXIAO_PDF_DIR", "") or Path.home() / "jixiao-pdf")

    def _pdf_path(self) -> Path:
        from jixiao.files import form_stem

        assert self.form is not None
        return self.pdf_dir() / f"{form_stem(self.form)}.pdf"

    def action_export_pdf(self) -> None:
        if self.result is not None:
            self.app.notify("正在生成 PDF…", title="导出")
            self._export_worker(self.result, self._pdf_path(), dict(self.rechecks))

    @work(thread=True, group="pdf")
    def _export_worker(self, result: FormResult, path: Path, rechecked: dict[str, Any]) -> None:
        from jixiao.files import atomic_write
        from jixiao.pdf.fonts import FontError
        from jixiao.pdf.layout import render_pdf

        try:
            atomic_write(path, render_pdf(result, rechecks=rechecked))
        except (FontError, OSError) as exc:
            self.app.call_from_thread(self.app.notify, _said(exc), severity="error", title="导出失败")
            return
        self.app.call_from_thread(self.app.notify, f"已导出：{path}", title="PDF")

    def action_sign_pdf(self) -> None:
        from tui.screens.sign_dialog import SignDialog

        if self.status is not State.APPROVED:
            self.app.notify(
                f"表单当前为「{self.status.label}」；只有已审核的表单可以签章", severity="error", title="不能签章"
            )
            return
        try:
            self.jixiao.store.may(self.form_id, "sign")  # 四眼原则, before a PDF is signed
        except WorkflowError as exc:
            self.app.notify(str(exc), severity="error", title="不能签章")
            return

        def go(answer: tuple[Path, str, str] | None) -> None:
            if answer is not None and self.result is not None:
                self.app.notify("正在签章…", title="签章")
                self._sign_worker(self.result, self._pdf_path(), dict(self.rechecks), *answer)

        self.app.push_screen(SignDialog(), go)

    @work(thread=True, group="pdf")
    def _sign_worker(
        self, result: FormResult, path: Path, rechecked: dict[str, Any], key: Path, password: str, signer: str
    ) -> None:
        """pyHanko's synchronous signer, in a worker thread (no event loop there)."""
        from jixiao.files import atomic_write
        from jixiao.pdf.canonical import form_sha256
        from jixiao.pdf.fonts import FontError
        from jixiao.pdf.layout import render_pdf
        from jixiao.pdf.sign import SignError, load_key, sign_pdf
        from jixiao.storage import StoreError
        from jixiao.workflow import WorkflowError

        try:
            signing_key = load_key(key, password)
            name = signer or signing_key.name
            certificate = signing_key.signer.signing_cert.sha256.hex()
            self.jixiao.store.may(self.form_id, "sign", certificate)  # the signer's own certificate (0024)
            atomic_write(path, sign_pdf(render_pdf(result, rechecks=rechecked), signing_key, signer_name=name))
            stored = self.jixiao.store.mark_signed(self.form_id, name, form_sha256(result.form), certificate)
        except (SignError, FontError, OSError, StoreError, WorkflowError) as exc:
            self.app.call_from_thread(self.app.notify, _said(exc), severity="error", title="签章失败")
            return
        self.app.call_from_thread(self._signed, stored, path)

    def _signed(self, stored: Any, path: Path) -> None:
        self.version, self.status = stored.version, stored.status
        self._fill_fields()
        self.mutate_reactive(EditorBase.result)
        self.app.notify(f"已签章：{path}；表单已锁定", title="签章")

    # --------------------------------------------------------------- misc

    def action_tab(self, tab: str) -> None:
        self.tabs.active = tab
        self.refresh_bindings()
        self.call_after_refresh(self._focus_in, tab)

    def _focus_in(self, tab: str) -> None:
        """After a tab switch the content has the focus, not the tab strip (no extra Tabs)."""
        pane = self.query_one(f"#{tab}")
        from textual.widgets import Input as TextInput

        widgets = [w for w in pane.query("*") if w.focusable]
        fields = [w for w in widgets if isinstance(w, TextInput | IndicatorGrid | Narrative)]
        others = [w for w in widgets if type(w).__module__ != "textual.containers"]
        first = fields[0] if fields else (others[0] if others else None)
        if first is not None:
            first.focus()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_back(self) -> None:
        editor = self.editor
        if editor.is_open:
            self._cancelled()
            return
        focused = self.focused
        if isinstance(focused, Narrative):
            self._narrative_left(Narrative.Left(focused))
        self.app.pop_screen()
        self.jixiao.refresh_list()

    def indicator_columns(self) -> list[str]:
        return [c[0] for c in COLUMNS]

    def replace_form(self, form: Form) -> None:
        """Tests and tools: adopt a whole new form as one edit."""
        self.commit(dataclasses.replace(form))


def _said(exc: Exception) -> str:
    """A file error in Chinese, naming the path (str() of an OSError is Python's English: [Errno 28] …)."""
    from jixiao.files import path_problem

    return path_problem(exc) if isinstance(exc, OSError) else str(exc)
