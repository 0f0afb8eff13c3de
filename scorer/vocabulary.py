"""Loader for ``data/vocabulary.toml``: the words units write in cells."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from scorer.errors import JixiaoError
from scorer.frozen import FrozenValue
from scorer.model import Direction

_CMP = {">=", ">", "=", "<=", "<"}
_DIRECTIONS = {Direction.POSITIVE, Direction.REVERSE}  # a level default is one of these


class VocabularyError(JixiaoError, ValueError):
    """The vocabulary data file is inconsistent."""


@dataclass(frozen=True, slots=True)
class SatisfyRule(FrozenValue):
    """A qualitative actual that also satisfies a numeric target, within a scope."""

    words: tuple[str, ...]
    name_contains: tuple[str, ...]
    target_kinds: tuple[str, ...]
    reason: str
    # the actual is one of the words and nothing else ("完成", not "完成95%" or "完成验收")
    whole_cell: bool = False
    # only against a target of the whole: exactly 100%, alone, with = or ≥ (not ≥95%, not ≤100%)
    target_full: bool = False

    def applies(self, word: str, name: str, target_kind: str, text: str = "", full: bool = False) -> bool:
        if word not in self.words or (self.whole_cell and text not in self.words):
            return False
        if self.target_full and not full:
            return False
        if self.name_contains and not any(k in name for k in self.name_contains):
            return False
        return not self.target_kinds or target_kind in self.target_kinds


@dataclass(frozen=True, slots=True)
class Vocabulary(FrozenValue):
    version: str
    replace: tuple[tuple[str, str], ...]
    prefix_comparators: tuple[tuple[str, str], ...]  # longest first
    suffix_comparators: tuple[tuple[str, str], ...]
    scales: tuple[tuple[str, Decimal], ...]  # longest first
    not_achieved: tuple[str, ...]
    partly: tuple[str, ...]
    achieved: tuple[str, ...]
    labels: frozenset[str]
    scale_grades: tuple[str, ...]  # longest first
    reverse_words: frozenset[str]
    positive_words: frozenset[str]
    satisfies: tuple[SatisfyRule, ...]
    positive_keywords: tuple[str, ...]
    reverse_keywords: tuple[str, ...]
    ambiguous_keywords: tuple[str, ...]  # never decide alone (see vocabulary.toml)
    capped_at_100: tuple[str, ...]  # rates that cannot exceed 100% (issue 16, class 7)
    level2_defaults: dict[str, Direction]
    level1_defaults: dict[str, Direction]
    criteria_level1: frozenset[str] = frozenset()  # 一级 keys scored against criteria, not targets
    criteria_compliant: tuple[str, ...] = ()  # words in such a row's 情况说明 that say the standard was kept
    question_prefixes: tuple[str, ...] = ()  # targets asked as a yes/no question ("是否利于…")
    question_yes: tuple[str, ...] = ()  # how an answer to such a question starts when it says yes
    question_no: tuple[str, ...] = ()  # …and when it says no
    negations: tuple[str, ...] = ()  # characters that turn the word after them around (未按规定)
    rose: tuple[str, ...] = ()  # an actual that starts so states an increase by the amount after it (增372人次)
    fell: tuple[str, ...] = ()  # …and a decrease (减少1万元)
    noun_suffixes: tuple[str, ...] = ()  # after a tier word they make it a measure's name (完成率, 满意度)
    yielding: frozenset[str] = frozenset()  # prefix words a comparator after the number overrides (保持…以上)
    range_separators: tuple[str, ...] = ()  # 90%-95%, 90%至95% (one character each)
    range_joiners: tuple[str, ...] = ()  # ≥95%且≤100% (longest first)
    between_prefix: tuple[str, ...] = ()  # 介于…之间 (longest first)
    between_joiners: tuple[str, ...] = ()  # 介于90%和95%之间 (one character each)
    between_suffix: tuple[str, ...] = ()
    more_markers: tuple[str, ...] = ()  # 1000余人: more than 1000
    about_prefix: tuple[str, ...] = ()  # 约1000人 (longest first)
    about_suffix: tuple[str, ...] = ()  # 1000人左右 (longest first)
    numeral_not_units: tuple[str, ...] = ()  # not a unit after a Chinese number (十分)
    numeral_names: tuple[str, ...] = ()  # after a number in digits or Chinese, names one (3季度: the third quarter)

    def verdict_at(self, text: str, word: str) -> int:
        """Where ``word`` stands in ``text`` as a verdict, or -1: not where it names a measure (完成率, 满意度)."""
        at = text.find(word)
        while at >= 0 and text.startswith(self.noun_suffixes, at + len(word)):
            at = text.find(word, at + 1)
        return at


def _longest_first(items: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(items.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=4096)
def level_key(name: str) -> str:
    """Normalise a 一级/二级 name: no spaces, no trailing 指标 (cached: a handful of names recur)."""
    key = "".join(name.split())
    return key[:-2] if key.endswith("指标") and len(key) > 2 else key


_SECTIONS = {
    "version": None,
    "replace": None,
    "comparators": {"prefix", "suffix", "yielding"},
    "scales": None,
    "qualitative": {"not_achieved", "partly", "achieved", "labels", "scale_grades", "negations", "noun_suffixes"},
    "directions": {"reverse", "positive", "rose", "fell"},
    "satisfies": None,
    "direction_keywords": {"positive", "reverse", "ambiguous"},
    "direction_levels": {"level1", "level2"},
    "impossible": {"capped_at_100"},
    "criteria": {"level1", "compliant"},
    "questions": {"prefixes", "yes", "no"},
    "ranges": {"separators", "joiners", "between_prefix", "between_joiners", "between_suffix"},
    "estimates": {"more", "about_prefix", "about_suffix"},
    "numerals": {"not_units", "names"},
}
# Keys that must be there and be a list of words; the one-character ones go into a regex class.
_WORD_LISTS = {
    "ranges": (
        ("separators", "range_separators", True),
        ("joiners", "range_joiners", False),
        ("between_prefix", "between_prefix", False),
        ("between_joiners", "between_joiners", True),
        ("between_suffix", "between_suffix", False),
    ),
    "estimates": (
        ("more", "more_markers", True),
        ("about_prefix", "about_prefix", False),
        ("about_suffix", "about_suffix", False),
    ),
    "numerals": (("not_units", "numeral_not_units", False), ("names", "numeral_names", False)),
}


def _strict(data: dict[str, Any], source: str) -> None:
    """Unknown sections and keys are errors: a typo must not switch a rule off silently."""
    for key, value in data.items():
        if key not in _SECTIONS:
            raise VocabularyError(f"{source}: 未知的节 [{key}]；可用：{', '.join(sorted(_SECTIONS))}")
        allowed = _SECTIONS[key]
        if allowed is not None and isinstance(value, dict):
            extra = sorted(set(value) - allowed)
            if extra:
                raise VocabularyError(f"{source}: [{key}] 中未知的键 {extra[0]}；可用：{', '.join(sorted(allowed))}")


_SATISFY_KEYS = frozenset(("words", "name_contains", "target_kinds", "reason", "whole_cell", "target_full"))


def _satisfy_rules(data: dict[str, Any], source: str) -> list[SatisfyRule]:
    rules = []
    for i, r in enumerate(data.get("satisfies", [])):
        if not isinstance(r, dict):
            raise VocabularyError(f"{source}: satisfies[{i}] 应为表")
        extra = sorted(set(r) - _SATISFY_KEYS)
        if extra:  # a misspelt guard (whole_cel) would widen the rule silently
            raise VocabularyError(
                f"{source}: satisfies[{i}] 中未知的键 {extra[0]}；可用：{', '.join(sorted(_SATISFY_KEYS))}"
            )
        if not r.get("words") or not r.get("reason"):
            raise VocabularyError(f"{source}: satisfies[{i}] 需要 words 和 reason")
        for flag in ("whole_cell", "target_full"):
            if not isinstance(r.get(flag, False), bool):
                raise VocabularyError(f"{source}: satisfies[{i}].{flag} 应为 true 或 false")
        rules.append(
            SatisfyRule(
                words=tuple(r["words"]),
                name_contains=tuple(r.get("name_contains", ())),
                target_kinds=tuple(r.get("target_kinds", ())),
                reason=r["reason"],
                whole_cell=r.get("whole_cell", False),
                target_full=r.get("target_full", False),
            )
        )
    return rules


def _words(data: dict[str, Any], source: str) -> dict[str, Any]:
    """[ranges] and [estimates] as Vocabulary fields: every key there, each a list of words (longest first)."""
    out: dict[str, Any] = {}
    for section, keys in _WORD_LISTS.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise VocabularyError(f"{source}: 缺少 [{section}]")
        for key, field, single in keys:
            words = table.get(key)
            if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
                raise VocabularyError(f"{source}: {section}.{key} 应为非空的词语列表")
            if single and any(len(w) != 1 or w.isdigit() for w in words):
                raise VocabularyError(f"{source}: {section}.{key} 中每项应为一个非数字的字符")
            out[field] = tuple(sorted(words, key=len, reverse=True))
    return out


def build(data: dict[str, Any], source: str = "vocabulary.toml") -> Vocabulary:
    _strict(data, source)
    words = _words(data, source)

    def need(key: str) -> Any:
        if key not in data:
            raise VocabularyError(f"{source}: 缺少 [{key}]")
        return data[key]

    comps = need("comparators")
    for section in ("prefix", "suffix"):
        for word, cmp in comps.get(section, {}).items():
            if cmp not in _CMP:
                raise VocabularyError(f"{source}: comparators.{section}.{word} = {cmp!r}，应为 {sorted(_CMP)} 之一")
    for word in comps.get("yielding", {}).get("words", ()):
        if word not in comps.get("prefix", {}):
            raise VocabularyError(f"{source}: comparators.yielding 中的「{word}」不在 comparators.prefix 中")
    qual = need("qualitative")
    dirs = need("directions")
    levels = need("direction_levels")
    for lv in ("level1", "level2"):
        for name, d in levels.get(lv, {}).items():
            if d not in _DIRECTIONS:
                raise VocabularyError(f"{source}: direction_levels.{lv}.{name} = {d!r}，应为 positive 或 reverse")
    rules = _satisfy_rules(data, source)
    kw = need("direction_keywords")
    return Vocabulary(
        version=str(data.get("version", "")),
        replace=tuple(data.get("replace", {}).items()),
        prefix_comparators=_longest_first(comps.get("prefix", {})),
        suffix_comparators=_longest_first(comps.get("suffix", {})),
        scales=tuple((w, Decimal(v)) for w, v in _longest_first(data.get("scales", {}))),
        not_achieved=tuple(qual["not_achieved"]),
        partly=tuple(qual["partly"]),
        achieved=tuple(qual["achieved"]),
        labels=frozenset(qual.get("labels", ())),
        scale_grades=tuple(sorted(qual.get("scale_grades", ()), key=len, reverse=True)),
        reverse_words=frozenset(dirs.get(Direction.REVERSE, ())),
        positive_words=frozenset(dirs.get(Direction.POSITIVE, ())),
        satisfies=tuple(rules),
        positive_keywords=tuple(kw.get(Direction.POSITIVE, ())),
        reverse_keywords=tuple(kw.get(Direction.REVERSE, ())),
        ambiguous_keywords=tuple(kw.get("ambiguous", ())),
        capped_at_100=tuple(data.get("impossible", {}).get("capped_at_100", ())),
        level2_defaults={level_key(k): Direction(v) for k, v in levels.get("level2", {}).items()},
        level1_defaults={level_key(k): Direction(v) for k, v in levels.get("level1", {}).items()},
        criteria_level1=frozenset(level_key(k) for k in data.get("criteria", {}).get("level1", ())),
        criteria_compliant=tuple(data.get("criteria", {}).get("compliant", ())),
        question_prefixes=tuple(data.get("questions", {}).get("prefixes", ())),
        question_yes=tuple(data.get("questions", {}).get("yes", ())),
        question_no=tuple(data.get("questions", {}).get("no", ())),
        negations=tuple(sorted(qual.get("negations", ()), key=len, reverse=True)),
        noun_suffixes=tuple(qual.get("noun_suffixes", ())),
        yielding=frozenset(comps.get("yielding", {}).get("words", ())),
        rose=tuple(sorted(dirs.get("rose", ()), key=len, reverse=True)),
        fell=tuple(sorted(dirs.get("fell", ()), key=len, reverse=True)),
        **words,
    )


@cache
def vocabulary() -> Vocabulary:
    """The built-in vocabulary, loaded and validated once."""
    text = (resources.files("scorer") / "data" / "vocabulary.toml").read_text(encoding="utf-8")
    return build(tomllib.loads(text))
