"""Search over the catalog by Chinese text, full pinyin and pinyin initials.

Staff often type in terminals without an input method, so ``myd`` must find
服务对象满意度 and ``gxjsqy`` must find 高新技术企业新增数.

Pinyin is computed once per catalog when the index is built (pypinyin's
``lazy_pinyin``, phrase-aware, heteronyms off: 重阳 → chong yang, 重大 → zhong da,
率 → lv). Non-Chinese letters and digits in a name count as one syllable each;
punctuation (、“”（）…) is ignored for pinyin. A query then costs one pass over
the precomputed strings (a few hundred microseconds for the built-in catalog).

Ranking, best first:

1. ``exact``     the normalised query equals a name or alias, or its full
                 pinyin, or its initials;
2. ``prefix``    a name/alias, its full pinyin or its initials starts with the query;
3. ``initials``  the initials contain the query;
4. ``pinyin``    the full pinyin contains the query, starting at a syllable;
5. ``substring`` the name/alias contains the query.

An entry is ranked by the best of its name and aliases. Ties are broken by:
a match that ends at the end of the name (Chinese compounds put the head noun
last: ``myd`` in …满意度 beats …满意度测评), then the source (local, national,
seed, practice: the standard wording first), then the shorter matched name,
then the name.
"""

from __future__ import annotations

from collections.abc import Iterable

from pypinyin import lazy_pinyin

from indicator_catalog.model import RANK_KINDS, Entry, Match, normalise

_RANK = {kind: i for i, kind in enumerate(RANK_KINDS)}
_SOURCE_ORDER = {"local": 0, "national": 1, "seed": 2, "practice": 3}


def _non_han(chunk: str) -> list[str]:
    # letters and digits are kept, one "syllable" each; punctuation is dropped
    return [c.lower() for c in chunk if c.isalnum()]


def syllables(text: str) -> list[str]:
    """Pinyin syllables of ``text`` (lower case, no tones)."""
    # pypinyin accepts a list from the errors callback (its type stubs say str)
    return [s.lower() for s in lazy_pinyin(normalise(text), errors=_non_han) if s]  # type: ignore[arg-type]


def full_pinyin(text: str) -> str:
    return "".join(syllables(text))


def initials(text: str) -> str:
    return "".join(s[0] for s in syllables(text))


class _Key:
    """One searchable string (a name or an alias) with its pinyin precomputed."""

    __slots__ = ("entry", "key", "text", "pinyin", "initials", "starts", "source_rank")

    def __init__(self, entry: Entry, key: str) -> None:
        sy = syllables(key)
        self.entry = entry
        self.key = key
        self.text = normalise(key).lower()
        self.pinyin = "".join(sy)
        self.initials = "".join(s[0] for s in sy)
        starts = set()
        pos = 0
        for s in sy:
            starts.add(pos)
            pos += len(s)
        self.starts = frozenset(starts)
        self.source_rank = _SOURCE_ORDER.get(entry.source, len(_SOURCE_ORDER))


def normalise_query(query: str) -> str:
    q = normalise(query).lower()
    return q.replace("ü", "v")


def _is_latin(q: str) -> bool:
    return q.isascii() and q.replace("'", "").isalnum()


class SearchIndex:
    """Precomputed pinyin for every name and alias of a set of entries."""

    __slots__ = ("keys",)

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.keys: tuple[_Key, ...] = tuple(_Key(e, k) for e in entries for k in e.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def search(self, query: str, limit: int | None = 20) -> list[Match]:
        q = normalise_query(query)
        if not q or (limit is not None and limit <= 0):
            return []
        latin = _is_latin(q)
        pq = q.replace("'", "") if latin else q  # "man'yi'du" spells syllable breaks
        n = len(pq)
        exact, prefix, ini_rank, py_rank, sub_rank = (_RANK[k] for k in RANK_KINDS)
        best: dict[str, tuple[tuple[int, int, int, int, str], _Key]] = {}
        for k in self.keys:
            text = k.text
            if text == q or (latin and (k.pinyin == pq or k.initials == pq)):
                rank, tail = exact, 0
            elif text.startswith(q) or (latin and (k.pinyin.startswith(pq) or k.initials.startswith(pq))):
                rank, tail = prefix, 0
            elif latin and pq in k.initials:
                rank, tail = ini_rank, 0 if k.initials.endswith(pq) else 1
            elif latin and (tail := _syllable_find(k, pq, n)) >= 0:
                rank = py_rank
            elif q in text:
                rank, tail = sub_rank, 0 if text.endswith(q) else 1
            else:
                continue
            sort_key = (rank, tail, k.source_rank, len(k.key), k.entry.name)
            name = k.entry.name
            old = best.get(name)
            if old is None or sort_key < old[0]:
                best[name] = (sort_key, k)
        ranked = sorted(best.values(), key=lambda item: item[0])
        if limit is not None:
            ranked = ranked[:limit]
        return [Match(k.entry, RANK_KINDS[sk[0]], k.key) for sk, k in ranked]


def _syllable_find(k: _Key, pq: str, n: int) -> int:
    """-1 if the full pinyin has no occurrence of ``pq`` starting at a syllable; else 0 when
    an occurrence ends the string, 1 otherwise."""
    py = k.pinyin
    i = py.find(pq)
    found = -1
    while i >= 0:
        if i in k.starts:
            if i + n == len(py):
                return 0
            found = 1
        i = py.find(pq, i + 1)
    return found


__all__ = ["SearchIndex", "full_pinyin", "initials", "normalise_query", "syllables"]
