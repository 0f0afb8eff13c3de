"""The Textual application and its factory (one for the CLI and the tests)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen

from indicator_catalog import Catalog
from jixiao.storage.store import FormStore
from tui.screens.form_editor import FormEditorScreen
from tui.screens.form_list import FormListScreen


class JixiaoApp(App[None]):
    """jixiao 绩效自评. The store and the catalog are passed in, never built here."""

    TITLE = "jixiao 绩效自评"
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", tooltip="退出 jixiao", show=False, priority=True),
        Binding("ctrl+p", "command_palette", "命令", tooltip="打开命令面板", show=False, priority=True),
    ]
    CSS_PATH = "app.tcss"

    def __init__(self, store: FormStore, catalog: Catalog | None = None, open_form_id: int | None = None) -> None:
        super().__init__()
        self.store = store
        self.catalog = catalog
        self._open_form_id = open_form_id

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry what people typed and what files held (names, cells, reasons);
        none of it is Textual markup, so none is read as markup ("[/]" would crash the
        toast, "[@click=…]" would be an action)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------ Textual's own words, in Chinese

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("主题", "切换配色主题", self.action_change_theme)
        yield SystemCommand("退出", "立即退出 jixiao（所有修改已随时保存）", self.action_quit)
        if screen.query("HelpPanel"):
            yield SystemCommand("按键", "隐藏按键与控件帮助", self.action_hide_help_panel)
        else:
            yield SystemCommand("按键", "显示当前可用的按键与控件帮助", self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand("还原", "把最大化的控件还原", screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand("最大化", "最大化当前控件", screen.action_maximize)

    def search_themes(self) -> None:
        """Textual's theme list, by Chinese names (tui/theme_names.py)."""
        from tui.palette import ChinesePalette
        from tui.theme_names import ThemeChoices

        self.push_screen(ChinesePalette(providers=[ThemeChoices], placeholder="搜索配色主题（名称或拼音）…"))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            from tui.palette import ChinesePalette

            self.push_screen(ChinesePalette(placeholder="搜索命令…", id="--command-palette"))

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies in a field): say how to quit, in Chinese and without markup."""
        self.notify("按 Ctrl+Q 退出 jixiao；所有修改都已保存", title="要退出吗？")

    def on_mount(self) -> None:
        self.push_screen(FormListScreen())
        if self._open_form_id is not None:
            self.open_form(self._open_form_id)
        self.say_stale()

    def say_stale(self) -> None:
        """Stored verdicts another jixiao computed, which nobody stored anew (a shared database: on
        PostgreSQL this login may not be allowed to): the list recomputes each, slowly; say so once."""
        from jixiao.storage.verdict_stamp import stale_count

        if n := stale_count(self.store.engine):
            self.notify(
                f"数据库中 {n:,} 份表单保存的评分由另一版本的 jixiao 计算，列表与审核按当前版本逐份重算后显示，"
                "较慢；请数据库所有者运行 jixiao db rescore 保存新的评分",
                title="评分待更新",
                severity="warning",
                timeout=20,
            )

    def open_form(self, form_id: int) -> None:
        self.push_screen(FormEditorScreen(form_id))

    def refresh_list(self) -> None:
        screen = self.screen
        if isinstance(screen, FormListScreen):
            screen.action_refresh()


def create_app(store: FormStore, catalog: Catalog | None = None, open_form_id: int | None = None) -> JixiaoApp:
    """The one way to build the app: the CLI passes the real store, tests theirs."""
    from tui.textual_words import translate

    translate()  # Textual's own key descriptions (the 按键 panel), in Chinese
    return JixiaoApp(store=store, catalog=catalog, open_form_id=open_form_id)
