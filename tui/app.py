"""The Textual application and its factory (one for the CLI and the tests)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel

from tui.screens.form_editor import FormEditorScreen
from tui.screens.form_list import FormListScreen


class JixiaoApp(App[None]):
    """jixiao 绩效自评. The store and the catalog are passed in, never built here."""

    TITLE = "jixiao 绩效自评"
    BINDINGS = [Binding("ctrl+q", "quit", "退出", show=False, priority=True)]
    CSS = """
    Screen { background: $background; }
    .title { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, store: Any, catalog: Any | None = None, open_form_id: int | None = None) -> None:
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

    def on_mount(self) -> None:
        self.push_screen(FormListScreen())
        if self._open_form_id is not None:
            self.open_form(self._open_form_id)

    def open_form(self, form_id: int) -> None:
        self.push_screen(FormEditorScreen(form_id))

    def refresh_list(self) -> None:
        screen = self.screen
        if isinstance(screen, FormListScreen):
            screen.action_refresh()


def create_app(store: Any, catalog: Any | None = None, open_form_id: int | None = None) -> JixiaoApp:
    """The one way to build the app: the CLI passes the real store, tests theirs."""
    return JixiaoApp(store=store, catalog=catalog, open_form_id=open_form_id)
