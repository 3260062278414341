"""``order``: put 3..6 items in the right order.

Phones see the items shuffled, labelled A.. by where they are shown; the
shuffle is fixed per run (seeded by the run), so every student of a run sees
the same labels and stored answers keep their meaning for exports.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .base import LETTERS, BadAnswer, Report, Typed, check_text


@dataclass(frozen=True)
class Order(Typed):
    name = "order"
    option_field = "items"
    items: tuple[str, ...]  # in the right order
    # shown[i] is the index (in the right order) of the item shown at position i.
    shown: tuple[int, ...] = ()

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Order | None:
        items = raw.get("items")
        if not isinstance(items, list) or not 3 <= len(items) <= len(LETTERS):
            report(f"needs 3 to {len(LETTERS)} items, in the right order")
            return None
        cleaned = tuple(check_text(item, f"item {i}", report) for i, item in enumerate(items, 1))
        if len(set(cleaned)) != len(cleaned):
            report("two items are the same; students could not tell them apart")
            return None
        return cls(cleaned) if all(cleaned) else None

    def to_dict(self) -> dict[str, Any]:
        return {"items": list(self.items)}

    def for_run(self, seed: str) -> Order:
        shown = list(range(len(self.items)))
        random.Random(seed).shuffle(shown)
        if shown == sorted(shown):  # never show the answer as the starting order
            shown = shown[1:] + shown[:1]
        return replace(self, shown=tuple(shown))

    @property
    def _shown(self) -> tuple[int, ...]:
        return self.shown or tuple(range(len(self.items)))

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.items)]

    def public(self) -> dict[str, Any]:
        return {"items": [self.items[i] for i in self._shown]}

    def normalise(self, answer: object) -> str:
        if not isinstance(answer, str) or sorted(answer) != list(self.letters):
            raise BadAnswer(f"answer must hold each of {', '.join(self.letters)} once")
        return answer

    def credit(self, stored: str) -> float:
        return 1.0 if stored == self.reveal() else 0.0

    def reveal(self) -> str:
        position = {item: LETTERS[at] for at, item in enumerate(self._shown)}
        return "".join(position[i] for i in range(len(self.items)))

    def describe(self, stored: str, hidden: Collection[str] = ()) -> str:
        return "; ".join(f"{letter}: {self.items[self._shown[self.letters.index(letter)]]}"
                         for letter in stored if letter in self.letters)
