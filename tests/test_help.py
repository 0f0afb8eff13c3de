"""The help screen is generated from the screens' bindings (#17)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("keys", "label"),
    [
        ("ctrl+s", "Ctrl+S"),
        ("ctrl+up", "Ctrl+↑"),
        ("backspace,escape", "Backspace / Esc"),
        ("f2", "F2"),
        ("A", "A"),
        ("question_mark", "?"),
    ],
)
def test_help_writes_keys_as_they_are_on_the_keyboard(keys: str, label: str) -> None:
    from tui.screens.help import key_label

    assert key_label(keys) == label


def test_the_help_lists_every_binding_of_every_screen_with_its_chinese_description() -> None:
    """Generated from the bindings (#17): a key added to a screen appears in the help by itself."""
    from textual.binding import Binding

    from tui.screens.form_editor import FormEditorScreen
    from tui.screens.form_list import FormListScreen
    from tui.screens.help import help_text, key_label
    from tui.screens.review import ReviewScreen

    text = help_text()
    for screen in (FormListScreen, FormEditorScreen, ReviewScreen):
        for b in screen.BINDINGS:
            assert isinstance(b, Binding)
            row = f"| {key_label(b.key)} | {b.tooltip or b.description} |"
            assert row in text, row
            assert any("\u4e00" <= ch <= "\u9fff" for ch in (b.tooltip or b.description)), b
