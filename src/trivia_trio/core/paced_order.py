"""Each student's order in a student-paced run (``paced.py``): the questions, and the options
of a question whose options are shuffled, drawn once at their join from the run's seed and
their id, and the letters an answer is shown and kept in. Pure."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .kinds.base import LETTERS, Kind
from .pace import PacedSettings


@dataclass(frozen=True)
class StudentOrder:
    """The order one student sees: ``questions`` (quiz indices, in the order shown) and,
    for a question whose options are shuffled, ``options[idx][shown] = quiz option``."""

    questions: tuple[int, ...]
    options: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"questions": list(self.questions),
                "options": {str(idx): list(perm) for idx, perm in self.options.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StudentOrder:
        return cls(tuple(data["questions"]),
                   {int(idx): tuple(perm) for idx, perm in data.get("options", {}).items()})

    def to_quiz_letters(self, idx: int, shown: object) -> object:
        """An answer in the letters the student was shown, in the quiz's letters (anything
        that is not a string of shown letters is left for the kind to refuse)."""
        perm = self.options.get(idx)
        if perm is None or not isinstance(shown, str) \
                or any(letter not in LETTERS[:len(perm)] for letter in shown):
            return shown
        return "".join(LETTERS[perm[LETTERS.index(letter)]] for letter in shown)

    def to_shown_letters(self, idx: int, letters: str) -> str:
        """Quiz letters (an answer kept, a reveal) as this student was shown them."""
        perm = self.options.get(idx)
        if perm is None:
            return letters
        return "".join(sorted(LETTERS[perm.index(LETTERS.index(letter))] for letter in letters))

    def shown_options(self, idx: int, options: list[str]) -> list[str]:
        perm = self.options.get(idx)
        return options if perm is None else [options[quiz] for quiz in perm]


def draw_order(seed: str, student_id: str, kinds: list[Kind],
               settings: PacedSettings) -> StudentOrder:
    """A student's order, the same for the same run seed and student id."""
    rng = random.Random(f"{seed}/paced/{student_id}")
    questions = list(range(len(kinds)))
    if settings.shuffle_questions:
        rng.shuffle(questions)
    options: dict[int, tuple[int, ...]] = {}
    if settings.shuffle_options:
        for idx, kind in enumerate(kinds):
            if kind.shuffles_options:
                perm = list(range(len(kind.public()["options"])))
                rng.shuffle(perm)
                options[idx] = tuple(perm)
    return StudentOrder(tuple(questions), options)
