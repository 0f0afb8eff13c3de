"""The command palette, saying in Chinese that nothing matched.

Textual's palette adds 「No matches found」 when a search finds nothing; the text is fixed inside
its countdown, so this palette replaces that one step (``_start_no_matches_countdown``, the same
timer and option id). tests/test_tui_words.py types a search that matches nothing and reads it.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

NO_MATCHES = "没有匹配的项"


class ChinesePalette(CommandPalette):
    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:  # in discovery (nothing typed) an empty list needs no remark
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
