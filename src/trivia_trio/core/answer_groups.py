"""A question's answers grouped as its ``top_answers`` rank them, kept as they come.

A typed kind (text, number, order) groups equal answers under a key and a word
cloud each entry of an answer; ``Kind.grouped_entries`` says how. ``Game`` adds
each kept answer here when it is recorded and takes it out when it is replaced,
retracted or its student removed, so the counts are always those a rebuild from
every submission would give, and an answer costs the same in a class of 30 or
3,000: in a student-paced run answers trickle in one at a time, and rebuilding the
groups for each of them made a run's work grow with the square of the class.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


class Groups(Protocol):
    """A question's kind, as far as grouping goes (``Kind.grouped_entries``)."""

    def grouped_entries(self, stored: str) -> Iterable[tuple[str, str]]: ...


@dataclass
class AnswerGroups:
    """Group key -> the spellings given under it and how often, for one question."""

    kind: Groups
    spellings: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: Groups, answers: Iterable[str]) -> AnswerGroups:
        """Built from scratch from the stored answers that count."""
        groups = cls(kind)
        for answer in answers:
            groups.add(answer)
        return groups

    def add(self, stored: str) -> None:
        for key, spelling in self.kind.grouped_entries(stored):
            self.spellings.setdefault(key, Counter())[spelling] += 1

    def remove(self, stored: str) -> None:
        for key, spelling in self.kind.grouped_entries(stored):
            given = self.spellings[key]
            given[spelling] -= 1
            if given[spelling] <= 0:
                del given[spelling]
            if not given:
                del self.spellings[key]

    def count(self, key: str) -> int:
        return sum(self.spellings[key].values())
