"""``truefalse``: a statement that is true or false; phones word the two buttons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import ChoiceLike, Report

TRUE_FALSE = ("True", "False")


# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "name": {
        "ar": "صح/خطأ",
        "de": "Wahr/Falsch",
        "en": "true/false",
        "es": "verdadero/falso",
        "fr": "vrai/faux",
        "it": "vero/falso",
        "ja": "○×",
        "nl": "waar/onwaar",
        "pl": "prawda/fałsz",
        "pt-BR": "verdadeiro/falso",
        "tr": "doğru/yanlış",
        "zh-CN": "判断",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {
    "text": "Sound travels faster in water than in air.",
    "correct": True,
    "explanation": "About 1,480 m/s in water against about 343 m/s in air.",
    "time_limit": 15,
}


@dataclass(frozen=True)
class TrueFalse(ChoiceLike):
    name = "truefalse"
    words = WORDS
    sample = SAMPLE
    option_field = None  # True and False: a file names none
    correct: bool

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> TrueFalse | None:
        correct = raw.get("correct")
        if not isinstance(correct, bool):
            report("the answer of a true/false question must be true or false")
            return None
        return cls(TRUE_FALSE, correct)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct}

    def normalise(self, answer: object) -> str:
        return self.one_letter(answer)

    def credit(self, stored: str) -> float:
        return 1.0 if stored == self.reveal() else 0.0

    def reveal(self) -> str:
        return "A" if self.correct else "B"
