"""Saving the form editor's edits: a worker thread, conflicts, a lost connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message

from jixiao.editing import EditError
from jixiao.formdiff import diff
from jixiao.workflow import State
from scorer.model import Form
from tui.screens.editor_base import EditorBase

# what an approval locks; None stands for adding, removing or re-parenting a row
LOCKED_FIELDS = frozenset({"level1", "level2", "name", "weight", None})


class EditorSaving(EditorBase):
    # ------------------------------------------------------- committing

    def _refuse_readonly(self) -> bool:
        if self.editable:
            return False
        hint = "请先「重新打开」（o）" if self.status is State.SIGNED else "需退回（b）或重新打开（o）后才能修改"
        self.app.notify(f"表单当前为「{self.status.label}」，只读；{hint}", severity="warning", title="不能修改")
        return True

    def _refuse_locked(self, field: str | None = None) -> bool:
        """An approved target's row, level, name, target or weight is not edited (the store refuses too)."""
        if self.approval is None or field not in LOCKED_FIELDS:
            return False
        when = self.approval.at.astimezone().strftime("%Y-%m-%d")
        self.app.notify(
            f"绩效目标已于 {when} 由 {self.approval.approver} 审核锁定：指标行及其层级、名称、年初目标值、分值不能改，"
            "也不能增删行；目标需要调整时，在「目标值」列按 Enter 填写调整后目标值，并在偏差原因中说明",
            severity="warning",
            title="目标已锁定",
        )
        return True

    def commit(self, form: Form, reason: str = "") -> None:
        """Adopt an edited form: re-score now, save in the background."""
        self.form = form
        self.rescore()
        self._pending = (form, reason)
        self.totals.save_state = "保存中…"
        if not self._saving:
            self._saving = True
            self._save_worker()

    @work(thread=True, group="save")
    def _save_worker(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from jixiao.storage import ConflictError, StoreError
        from jixiao.workflow import WorkflowError

        store = self.jixiao.store
        while True:
            pending = self._pending
            self._pending = None
            if pending is None:
                break
            form, reason = pending
            try:
                stored = store.save(self.form_id, form, self.version, reason)
            except ConflictError as exc:
                theirs = store.get(self.form_id)
                self.app.call_from_thread(self._conflict, exc, theirs, form)
                break
            except (StoreError, WorkflowError) as exc:
                self.app.call_from_thread(self._save_failed, str(exc))
                break
            except SQLAlchemyError as exc:  # the server went away: keep the edit, say so, retry later
                self._pending = self._pending or pending
                self.app.call_from_thread(self._connection_lost, exc)
                self._saving = False
                return
            self.app.call_from_thread(self._saved, stored)
        self._saving = False
        if self._pending is not None:
            self.app.call_from_thread(self._resume_saving)

    def _resume_saving(self) -> None:
        if not self._saving and self._pending is not None:
            self._saving = True
            self._save_worker()

    def _saved(self, stored: Any) -> None:
        self.version = stored.version
        self.status = stored.status
        if self._pending is None:
            self.totals.save_state = "已保存"
        self.post_message(self.Saved(self, stored.version))
        self.mutate_reactive(EditorBase.result)

    @dataclass
    class Saved(Message):
        """Posted after each successful save (tests wait for it)."""

        screen: EditorSaving
        version: int

        @property
        def control(self) -> EditorSaving:
            return self.screen

    def _connection_lost(self, exc: Exception) -> None:
        from jixiao.storage.database import redact
        from jixiao.storage.driver_messages import environment_problem

        said = environment_problem(exc)  # a full disk, a read-only or damaged file: not a lost connection
        if said is not None:
            self.totals.save_state = "未保存（数据库连接中断）" if "连接" in said else "未保存（数据库不能写入）"
            message = f"数据库：{said}。修改尚未保存，仍保留在界面上；解决后按 Ctrl+S 重试"
        else:
            self.totals.save_state = "未保存（数据库连接中断）"
            reason = redact(
                str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            message = f"数据库连接中断，修改尚未保存，仍保留在界面上；恢复后按 Ctrl+S 重试（{reason}）"
        self.app.notify(message, severity="error", title="未保存", timeout=10)

    def _save_failed(self, message: str) -> None:
        self.totals.save_state = "未保存"
        self.app.notify(message, severity="error", title="保存失败")

    def _conflict(self, exc: Exception, theirs: Any, mine: Form) -> None:
        from tui.screens.conflict_dialog import ConflictDialog

        self.totals.save_state = "未保存（冲突）"
        changes = diff(theirs.form, mine)

        def decided(choice: str | None) -> None:
            if choice == "reload":
                self._loaded(theirs)
                self.app.notify("已载入对方的版本；您未保存的修改已放弃。", title="已重新载入")
            elif choice == "overwrite":
                self.version = theirs.version
                self.commit(mine, "覆盖他人同时所做的修改")
            else:
                self.app.notify("您的修改尚未保存；按 Ctrl+S 重试，或重新打开表单。", severity="warning")

        self.app.push_screen(ConflictDialog(str(exc), changes), decided)

    def action_save_now(self) -> None:
        if self.form is not None and not self._refuse_readonly():
            self._pending = (self.form, "")
            if not self._saving:
                self._saving = True
                self._save_worker()

    def _apply(self, edit: Any, *args: Any, reason: str = "") -> bool:
        """Run a pure edit; show its error instead of raising."""
        if self.form is None or self._refuse_readonly():
            return False
        try:
            new = edit(self.form, *args)
        except EditError as exc:
            self.app.notify(str(exc), severity="error", title="输入有误")
            return False
        if isinstance(new, tuple):
            new, row = new
            self.commit(new, reason)
            self.grid.select_indicator(row)
        else:
            self.commit(new, reason)
        return True
