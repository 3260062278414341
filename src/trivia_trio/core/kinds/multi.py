"""``multi``: tick every right option; all-or-nothing, or partial credit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import BadAnswer, ChoiceLike, Report, check_letters, check_options

SCORINGS = ("all", "partial")


@dataclass(frozen=True)
class Multi(ChoiceLike):
    name = "multi"
    shuffles_options = True
    file_fields = ("scoring",)
    correct: str  # sorted letters
    scoring: str = "all"

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Multi | None:
        options = check_options(raw, report)
        scoring = raw.get("scoring", "all")
        if scoring not in SCORINGS:
            report(f"scoring {json.dumps(scoring)} is not one of {', '.join(SCORINGS)}")
        if not options:
            return None
        correct = check_letters(raw.get("correct"), Multi(options, "").letters, report,
                                several=True)
        if not (correct and all(options)) or scoring not in SCORINGS:
            return None
        return cls(options, correct, scoring)

    def to_dict(self) -> dict[str, Any]:
        return {"options": list(self.options), "correct": self.correct,
                "scoring": self.scoring}

    def normalise(self, answer: object) -> str:
        if not isinstance(answer, str) or not answer or len(set(answer)) != len(answer) \
                or any(letter not in self.letters for letter in answer):
            raise BadAnswer(f"answer must be distinct letters of {', '.join(self.letters)}")
        return "".join(sorted(answer))

    def credit(self, stored: str) -> float:
        if self.scoring == "all":
            return 1.0 if stored == self.correct else 0.0
        right = sum(letter in self.correct for letter in stored)
        wrong = len(stored) - right
        return max(0.0, (right - wrong) / len(self.correct))

    def reveal(self) -> str:
        return self.correct
