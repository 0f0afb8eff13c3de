"""The base of jixiao's full screens: the app they run in, typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from tui.app import JixiaoApp


class AppScreen(Screen[None]):
    """A full screen of jixiao; ``jixiao`` is the app with its store and catalog, typed."""

    @property
    def jixiao(self) -> JixiaoApp:
        return cast("JixiaoApp", self.app)
