"""The colour themes, by Chinese names, in the command palette's 主题 list.

Textual lists its themes by their English ids ("gruvbox", "rose-pine-dawn") under "Search for
themes…"; everything a user reads is Chinese, so the list shows these names (searchable by the
Chinese name, its pinyin or initials, or the id), and whether each is dark or light. A theme
Textual adds later and this table does not name is shown as 「配色 <id>」; tests/test_tui_words.py
fails for any built-in theme without a name here.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

NAMES: dict[str, str] = {
    "textual-dark": "默认深色",
    "textual-light": "默认浅色",
    "textual-ansi": "终端配色",
    "ansi-dark": "终端深色",
    "ansi-light": "终端浅色",
    "atom-one-dark": "原子深色",
    "atom-one-light": "原子浅色",
    "catppuccin-frappe": "卡布奇诺·法式",
    "catppuccin-latte": "卡布奇诺·拿铁",
    "catppuccin-macchiato": "卡布奇诺·玛奇朵",
    "catppuccin-mocha": "卡布奇诺·摩卡",
    "dracula": "德古拉",
    "flexoki": "墨纸",
    "gruvbox": "暖褐",
    "monokai": "莫诺凯",
    "nord": "北境",
    "rose-pine": "玫瑰松",
    "rose-pine-dawn": "玫瑰松·黎明",
    "rose-pine-moon": "玫瑰松·月夜",
    "solarized-dark": "日晒深色",
    "solarized-light": "日晒浅色",
    "tokyo-night": "东京之夜",
}


def chinese_name(theme_id: str) -> str:
    return NAMES.get(theme_id) or f"配色 {theme_id}"


class ThemeChoices(Provider):
    """Every theme the app has, by its Chinese name and shade (dark ones first); choosing one sets it.
    A search matches the name, its pinyin or initials (nh finds 暖褐), or the theme's id."""

    def _choices(self) -> list[tuple[str, str]]:
        themes = sorted(self.app.available_themes.values(), key=lambda t: (not t.dark, t.name))
        return [(f"{chinese_name(t.name)}（{'深色' if t.dark else '浅色'}）", t.name) for t in themes]

    def _choose(self, theme_id: str) -> None:
        self.app.theme = theme_id

    async def discover(self) -> Hits:
        for label, theme_id in self._choices():
            yield DiscoveryHit(label, partial(self._choose, theme_id))

    async def search(self, query: str) -> Hits:
        from indicator_catalog.search import full_pinyin, initials

        matcher = self.matcher(query)
        needle = query.strip().lower()
        for label, theme_id in self._choices():
            score = max(matcher.match(label), matcher.match(theme_id))
            name = chinese_name(theme_id)
            if needle and any(spelt.startswith(needle) for spelt in (full_pinyin(name), initials(name))):
                score += 10  # the Chinese name spelt out (nh, nuan → 暖褐) before a loose match of the id
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._choose, theme_id))
