"""Help: every key, and what the colours and statuses mean."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

# How keys are written in the tables (Textual's names → what is on the keyboard).
_KEY_NAMES = {
    "enter": "Enter",
    "escape": "Esc",
    "slash": "/",
    "question_mark": "?",
    "delete": "Delete",
    "backspace": "Backspace",
    "up": "↑",
    "down": "↓",
}


def key_label(keys: str) -> str:
    """ "ctrl+up" → "Ctrl+↑", "backspace,escape" → "Backspace / Esc", "f2" → "F2"."""

    def one(key: str) -> str:
        parts = key.split("+")
        *mods, last = parts
        name = _KEY_NAMES.get(last) or (last.upper() if len(last) > 1 or mods else last)
        return "+".join([*(m.capitalize() for m in mods), name])

    return " / ".join(one(k.strip()) for k in keys.split(","))


def bindings_table(title: str, bindings: Iterable[Binding | tuple[str, ...]]) -> str:
    """A section of the help: one row per binding, in the order the screen declares them."""
    rows = [f"## {title}", "| 键 | 作用 |", "|---|---|"]
    for b in bindings:
        if not isinstance(b, Binding):
            continue
        rows.append(f"| {key_label(b.key)} | {b.tooltip or b.description} |")
    return "\n".join(rows)


NOTES_EDITOR = """\
每次确认的修改都会立即存入数据库，并记入修改记录（`jixiao history`）。
若他人同时修改了同一表单，保存时会提示冲突：默认继续编辑；可对比两个版本，载入对方版本或用自己的版本覆盖都需再按一次确认；不会静默覆盖。"""

LEGEND = """\
## 状态与颜色
| 状态 | 含义 |
|---|---|
| 达成 | 实际完成值达到目标，得满分 |
| 部分 | 部分达成，按公式或定性档次得分 |
| 未达 | 未达成，得 0 分或按档次计分 |
| 待判 | 需要人工判断（用语不在词表中、单位不可比等），不计入规则得分 |
| 未填 | 实际完成值为空 |
| 无效 | 单元格无法解析，计 0 分 |

※ 表示自评得分与规则得分不一致；分值后的 * 表示表中未列分值、按规则集分配。"""


def help_text() -> str:
    """The help, its key tables generated from the screens' own bindings (so it never goes stale)."""
    from tui.screens.form_editor import FormEditorScreen
    from tui.screens.form_list import FormListScreen
    from tui.screens.review import ReviewScreen
    from tui.widgets.indicator_grid import IndicatorGrid

    return "\n\n".join(
        (
            "# jixiao 使用帮助",
            bindings_table("表单列表", FormListScreen.BINDINGS),
            bindings_table("表单编辑", [*IndicatorGrid.BINDINGS, *FormEditorScreen.BINDINGS]),
            NOTES_EDITOR,
            bindings_table("审核汇总", ReviewScreen.BINDINGS),
            LEGEND,
        )
    )


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "close", "关闭")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(help_text())

    def action_close(self) -> None:
        self.dismiss(None)
