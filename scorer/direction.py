"""Which way is better for an indicator whose cell has no comparator.

Order (each choice is recorded for the explanation): the indicator's own
setting, the catalog entry, keywords in the 三级 name, the 二级 default, the
一级 default, else positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from scorer.frozen import FrozenValue
from scorer.model import Direction, Indicator
from scorer.vocabulary import Vocabulary, level_key, vocabulary

#: the directions a number can be scored in (定性 is not one of them).
COMPARABLE = frozenset({Direction.POSITIVE, Direction.REVERSE, Direction.EQUAL})


class CatalogEntryLike(Protocol):
    """What the engine reads of a catalog entry (read-only: the catalog's entries are frozen)."""

    @property
    def name(self) -> str: ...

    @property
    def direction(self) -> str: ...

    @property
    def unit(self) -> str: ...


class CatalogLike(Protocol):
    """What the engine needs from the indicator catalog."""

    def lookup(self, name: str) -> CatalogEntryLike | None: ...


@dataclass(frozen=True, slots=True)
class DirectionChoice(FrozenValue):
    """A direction and what decided it, for the explanation."""

    value: Direction
    source: str  # a Chinese phrase for the explanation

    @property
    def label(self) -> str:
        return self.value.label


def keyword_direction(name: str, vocab: Vocabulary) -> tuple[Direction, str] | None:
    """The rightmost keyword in the name decides; on a tie the longer one."""
    best: tuple[int, int, Direction, str] | None = None
    for direction, words in (
        (Direction.POSITIVE, vocab.positive_keywords),
        (Direction.REVERSE, vocab.reverse_keywords),
    ):
        for word in words:
            pos = name.rfind(word)
            if pos < 0:
                continue
            key = (pos + len(word), len(word), direction, word)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is None:
        return None
    return best[2], best[3]


def resolve(indicator: Indicator, catalog: CatalogLike | None = None) -> DirectionChoice:
    vocab = vocabulary()
    own = Direction.of(indicator.direction)
    if own is not None:
        return DirectionChoice(own, "表中设定")
    if catalog is not None:
        entry = catalog.lookup(indicator.name)
        listed = Direction.of(entry.direction) if entry is not None else None
        if entry is not None and listed is not None and listed in COMPARABLE:
            return DirectionChoice(listed, f"指标库条目「{entry.name}」")
    found = keyword_direction(indicator.name, vocab)
    if found is not None:
        return DirectionChoice(found[0], f"指标名称关键词「{found[1]}」")
    set_aside = [w for w in vocab.ambiguous_keywords if w in indicator.name]
    aside = f"（名称中的「{'」「'.join(set_aside)}」含义不定，不作依据）" if set_aside else ""
    l2 = vocab.level2_defaults.get(level_key(indicator.level2))
    if l2:
        return DirectionChoice(l2, f"二级指标「{indicator.level2}」的默认方向{aside}")
    l1 = vocab.level1_defaults.get(level_key(indicator.level1))
    if l1:
        return DirectionChoice(l1, f"一级指标「{indicator.level1}」的默认方向{aside}")
    return DirectionChoice(Direction.POSITIVE, f"无其他依据，默认正向{aside}")
