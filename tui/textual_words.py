"""Textual's own key descriptions, in Chinese.

The command palette's 按键 panel (and any footer) lists the bindings of Textual's widgets as
Textual wrote them ("Cursor up", "Focus Next", "Copy selected text"); ``translate`` rewrites
them once, before the app builds a widget. A description not listed stays as it is; the test
(tests/test_tui_words.py) fails for any ASCII description of a widget jixiao shows.
"""

from __future__ import annotations

import dataclasses
from typing import Any

WORDS: dict[str, str] = {
    "Bottom": "到底部",
    "Copy": "复制",
    "Copy selected text": "复制选中的文字",
    "Cursor Down": "光标下移",
    "Cursor Up": "光标上移",
    "Cursor down": "光标下移",
    "Cursor down select": "向下选择",
    "Cursor left": "光标左移",
    "Cursor left select": "向左选择",
    "Cursor left word select": "向左选择一个词",
    "Cursor line end": "到行尾",
    "Cursor line end select": "选择到行尾",
    "Cursor line start": "到行首",
    "Cursor line start select": "选择到行首",
    "Cursor page down": "向下翻页",
    "Cursor page up": "向上翻页",
    "Cursor right": "光标右移",
    "Cursor right select": "向右选择",
    "Cursor right word select": "向右选择一个词",
    "Cursor to next ancestor": "到上一级的下一项",
    "Cursor to next sibling": "到下一个同级项",
    "Cursor to parent": "到上一级",
    "Cursor to previous sibling": "到上一个同级项",
    "Cursor up": "光标上移",
    "Cursor up select": "向上选择",
    "Cursor word left": "左移一个词",
    "Cursor word right": "右移一个词",
    "Cut": "剪切",
    "Cut selected text": "剪切选中的文字",
    "Delete all to the left": "删除光标左侧全部",
    "Delete all to the right": "删除光标右侧全部",
    "Delete character left": "删除左侧一个字",
    "Delete character right": "删除右侧一个字",
    "Delete left to start of word": "向左删除一个词",
    "Delete line": "删除整行",
    "Delete right to start of word": "向右删除一个词",
    "Delete to line end": "删除到行尾",
    "Delete to line start": "删除到行首",
    "Dismiss menu": "关闭菜单",
    "Down": "下移",
    "End": "到行末",
    "Exit the command palette": "关闭命令面板",
    "Expand or collapse all": "全部展开或折叠",
    "First": "第一项",
    "Focus Next": "下一个控件",
    "Focus Previous": "上一个控件",
    "Go to bottom": "到底部",
    "Go to end": "到末尾",
    "Go to start": "到开头",
    "Go to top": "到顶部",
    "Home": "到行首",
    "Last": "最后一项",
    "Move cursor left": "光标左移",
    "Move cursor left a word": "左移一个词",
    "Move cursor left a word and select": "向左选择一个词",
    "Move cursor left and select": "向左选择",
    "Move cursor right a word": "右移一个词",
    "Move cursor right a word and select": "向右选择一个词",
    "Move cursor right and select": "向右选择",
    "Move cursor right or accept the completion suggestion": "光标右移，或采用补全建议",
    "Next command": "下一条命令",
    "Next option": "下一个选项",
    "Next page": "下一页",
    "Next tab": "下一个标签页",
    "Open link": "打开链接",
    "Page Down": "向下翻页",
    "Page Left": "向左翻页",
    "Page Right": "向右翻页",
    "Page Up": "向上翻页",
    "Page down": "向下翻页",
    "Page up": "向上翻页",
    "Paste": "粘贴",
    "Paste text from the clipboard": "从剪贴板粘贴",
    "Press button": "按下按钮",
    "Previous command": "上一条命令",
    "Previous option": "上一个选项",
    "Previous page": "上一页",
    "Previous tab": "上一个标签页",
    "Quit": "退出",
    "Redo": "重做",
    "Scroll Down": "向下滚动",
    "Scroll End": "滚动到底",
    "Scroll Home": "滚动到顶",
    "Scroll Left": "向左滚动",
    "Scroll Right": "向右滚动",
    "Scroll Up": "向上滚动",
    "Select": "选定",
    "Select all": "全选",
    "Select line": "选择整行",
    "Select line end": "选择到行尾",
    "Select line start": "选择到行首",
    "Show menu": "展开菜单",
    "Submit": "确定",
    "Toggle": "切换",
    "Toggle collapsible": "展开或折叠",
    "Toggle option": "切换选项",
    "Top": "到顶部",
    "Undo": "撤销",
    "Up": "上移",
}


def _said(binding: Any) -> Any:
    """The binding with its description (and tooltip) in Chinese, when WORDS has them."""
    from textual.binding import Binding

    if isinstance(binding, Binding):
        return dataclasses.replace(
            binding,
            description=WORDS.get(binding.description, binding.description),
            tooltip=WORDS.get(binding.tooltip, binding.tooltip),
        )
    if isinstance(binding, tuple) and len(binding) >= 3 and binding[2] in WORDS:
        return (*binding[:2], WORDS[binding[2]], *binding[3:])
    return binding


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    todo: list[type] = [cls]
    while todo:
        sub: type
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def translate() -> None:
    """Rewrite the descriptions of every widget class loaded now: its own BINDINGS (which a class
    defined later merges) and the bindings it already merged (which its instances copy)."""
    from textual.dom import DOMNode

    for cls in [DOMNode, *_subclasses(DOMNode)]:
        own = cls.__dict__.get("BINDINGS")
        if isinstance(own, list):
            cls.BINDINGS = [_said(b) for b in own]  # type: ignore[attr-defined]
        merged = cls.__dict__.get("_merged_bindings")
        if merged is not None:
            for key, bindings in merged.key_to_bindings.items():
                merged.key_to_bindings[key] = [_said(b) for b in bindings]
