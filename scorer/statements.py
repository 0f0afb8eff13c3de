"""Reading statements that answer a standard rather than a target (issue 16).

Two shapes of row on real forms carry no number to compare: a 决策/过程/管理 row whose
情况说明 says how the standard was kept ("按规定拨付"), and a target asked as a yes/no
question ("是否利于企业走出去"). Both are read from words in the vocabulary; a negation just
before a word takes it away, and anything not clearly yes is left for a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from scorer.frozen import FrozenValue

from .vocabulary import vocabulary


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True, slots=True)
class Reading(FrozenValue):
    """What a statement says and the word that says it (for the explanation)."""

    answer: Answer
    word: str


def _negated(text: str, at: int) -> bool:
    before = text[:at]
    return any(before.endswith(n) for n in vocabulary().negations)


def compliance(text: str) -> str | None:
    """The first compliance word in a criteria row's statement with no negation just before it."""
    body = re.sub(r"\s", "", text)
    for word in vocabulary().criteria_compliant:
        for m in re.finditer(re.escape(word), body):
            if not _negated(body, m.start()):
                return word
    return None


def is_question(target: str) -> bool:
    body = re.sub(r"\s", "", target)
    return any(body.startswith(p) for p in vocabulary().question_prefixes)


def answer(actual: str) -> Reading | None:
    """How an actual answers a yes/no target: yes, no, or None when it does not say plainly."""
    body = re.sub(r"\s", "", actual)
    vocab = vocabulary()
    no = next((w for w in vocab.question_no if body.startswith(w)), None)
    if no:
        return Reading(Answer.NO, no)
    if any(n in body for n in vocab.negations):
        return None
    yes = next((w for w in vocab.question_yes if body.startswith(w)), None)
    return Reading(Answer.YES, yes) if yes else None
